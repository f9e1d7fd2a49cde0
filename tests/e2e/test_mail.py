"""Mail out: a real SMTP server (aiosmtpd) receives what Tierdesk sends. Who is told of
what and in which language, the threading headers, the reminder that waits, the SLA
breach that reaches the assignee and the TAM; TLS as the URL asks for it; and, on
PostgreSQL, two replicas sending each mail exactly once."""

import email
import email.policy
import json
import shutil
import ssl
import tempfile
import threading
import time
import urllib.request

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from conftest import TEST_LIMITS, Tierdesk, backends, client, free_port
from test_operator_api import FAST_CATALOG, api, private_ca

FROM = "Tierdesk Support <support@tierdesk.test>"


class Mailbox:
    """An SMTP server that keeps every message it accepts, with how it came."""

    def __init__(self, **controller_args):
        self.messages = []
        self.lock = threading.Lock()
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with outer.lock:
                    outer.messages.append({
                        "rcpt": sorted(envelope.rcpt_tos),
                        # STARTTLS sets session.ssl; implicit TLS shows on the transport.
                        "tls": session.ssl is not None
                        or server.transport.get_extra_info("ssl_object") is not None,
                        "login": session.authenticated,
                        "msg": msg,
                    })
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **controller_args)
        self.controller.start()

    def wait(self, predicate, n=1, timeout=30):
        """The first `n` messages `predicate` accepts, waiting for them."""
        deadline = time.time() + timeout
        while True:
            with self.lock:
                hits = [m for m in self.messages if predicate(m)]
            if len(hits) >= n or time.time() > deadline:
                return hits
            time.sleep(0.1)

    def close(self):
        self.controller.stop()


def about(case_no, *words):
    return lambda m: f"[Case {case_no}]" in m["msg"]["Subject"] and all(w in m["msg"]["Subject"] for w in words)


def text(m):
    return m["msg"].get_body(("plain",)).get_content()


def html(m):
    return m["msg"].get_body(("html",)).get_content()


@pytest.fixture(scope="module", params=backends())
def mail(request):
    workdir = tempfile.mkdtemp(prefix="tierdesk-mail-")
    t = Tierdesk(request.param, workdir)
    catalog = f"{workdir}/fast.toml"
    with open(catalog, "w") as f:
        # The fast plan, with a designated TAM.
        f.write(FAST_CATALOG.replace('tam = "none"', 'tam = "designated"'))
    t.env["TIERDESK_CATALOG"] = catalog
    t.box = Mailbox()
    t.agent = json.loads(t.cli("agent", "create", "--email", "ada@support.test", "--name", "Ada",
                               "--languages", "ja,en", "--json").stdout)
    t.cli("agent", "create", "--email", "bo@support.test", "--name", "Bo", "--languages", "zh")
    t.tam = json.loads(t.cli("agent", "create", "--email", "tam@support.test", "--name", "Tamsin",
                             "--role", "tam", "--json").stdout)
    t.url = t.serve(*TEST_LIMITS, "--smtp-url", f"smtp://127.0.0.1:{t.box.port}", "--mail-from", FROM,
                    "--public-url", "https://support.tierdesk.test", "--pending-reminder", "2s",
                    "--sla-warn-percent", "50", "--metrics-token", "m")
    yield t
    t.close()
    t.box.close()
    shutil.rmtree(workdir, ignore_errors=True)


def customer(t, plan="aws.business"):
    account, key = t.account(plan, timezone="Asia/Tokyo", country="JP", language="ja")
    t.cli("user", "create", "--account", account, "--email", f"taro@{account}.test", "--name", "Taro",
          "--language", "ja")
    t.cli("user", "create", "--account", account, "--email", f"ann@{account}.test", "--name", "Ann",
          "--language", "en")
    return account, client(t.url, key)


def test_a_case_is_told_to_its_people_in_their_language_and_threaded(mail):
    account, c = customer(mail)
    taro, ann, ops = f"taro@{account}.test", f"ann@{account}.test", "ops@partner.test"
    case_id = c.create_case(subject="RDS failover is slow", communicationBody="Failover took 9 minutes.",
                            severityCode="high", language="ja", ccEmailAddresses=[ops])["caseId"]
    case = c.describe_cases(caseIdList=[case_id])["cases"][0]
    n = case["displayId"]

    opened = mail.box.wait(about(n), n=4)
    by_rcpt = {m["rcpt"][0]: m for m in opened}
    # Each reader their own mail: Taro and the cc (in the case's language) in Japanese,
    # Ann in English; Ada reads Japanese and hears of the new case; Bo reads neither.
    assert sorted(by_rcpt) == sorted([taro, ops, ann, "ada@support.test"]), by_rcpt.keys()
    assert all(len(m["rcpt"]) == 1 for m in opened)
    ja = by_rcpt[taro]["msg"]
    assert ja["To"] == taro and ja["Cc"] is None
    assert "ケースの CC 宛先" in text(by_rcpt[ops])
    assert ja["From"] == FROM
    assert ja["Content-Language"] == "ja"
    assert ja["Auto-Submitted"] == "auto-generated"
    assert ja["Subject"] == f"[Case {n}] RDS failover is slow"
    thread = f"<{case_id}@tierdesk.test>"
    assert ja["In-Reply-To"] == thread and ja["References"] == thread
    assert ja["Message-ID"].startswith(f"<{case_id}.") and ja["Message-ID"].endswith("@tierdesk.test>")
    body = ja.get_body(("plain",)).get_content()
    assert "サポートケースを受け付けました" in body
    # The first-response deadline in the account's zone.
    assert "JST (Asia/Tokyo)" in body and "初回応答の期限" in body, body
    assert f"https://support.tierdesk.test/console/cases/{case_id}" in body
    assert "サポートケースを受け付けました" in ja.get_body(("html",)).get_content()
    en = text(by_rcpt[ann])
    assert "We have received your support case" in en and "first response by" in en
    staff = by_rcpt["ada@support.test"]
    assert "新しいケース" in staff["msg"]["Subject"]
    assert f"https://support.tierdesk.test/console/queue/{case_id}" in text(staff)

    # Support's reply reaches the customers, quoted; an internal note reaches nobody.
    assert api(mail, "POST", f"/api/v1/cases/{case_id}/notes", {"body": "Customer on db.r5 <b>"})[0] == 200
    assert api(mail, "POST", f"/api/v1/cases/{case_id}/replies",
               {"body": "Please send the <event log>.\nThanks"})[0] == 200
    replies = mail.box.wait(about(n, "Re:"), n=3)
    assert len(replies) == 3
    for m in replies:
        assert m["msg"]["In-Reply-To"] == thread
        assert "> Please send the <event log>." in text(m)
        assert "&lt;event log&gt;" in html(m) and "<event log>" not in html(m)
    assert not [m for m in mail.box.messages if "db.r5" in text(m)], "an internal note was mailed"

    # A cc the customer adds is kept and shown on the case.
    c.add_communication_to_case(caseId=case_id, communicationBody="Log attached later.",
                                ccEmailAddresses=["boss@partner.test", ops.upper()])
    case = c.describe_cases(caseIdList=[case_id])["cases"][0]
    assert case["ccEmailAddresses"] == [ops, "boss@partner.test"]

    # Waiting on the customer: a reminder once the wait has passed...
    assert api(mail, "PUT", f"/api/v1/cases/{case_id}/status", {"status": "pending-customer-action"})[0] == 200
    reminders = mail.box.wait(lambda m: about(n)(m) and ("お待ちしています" in text(m) or "waiting for your answer" in text(m)), n=4, timeout=20)
    assert len(reminders) == 4
    assert sorted(r for m in reminders for r in m["rcpt"]) == sorted([taro, ann, ops, "boss@partner.test"])

    # Every mail carries its reader's one-click unsubscribe (RFC 8058); the boss uses it.
    boss = next(m for m in reminders if m["rcpt"] == ["boss@partner.test"])["msg"]
    assert boss["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = boss["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://support.tierdesk.test/console/unsubscribe?t=")
    local = mail.url + link.split("https://support.tierdesk.test", 1)[1]
    page = urllib.request.urlopen(local, timeout=10).read().decode()
    assert "boss@partner.test" in page and "unsubscribe-form" in page  # asks first
    req = urllib.request.Request(local, data=b"List-Unsubscribe=One-Click", method="POST")
    assert "no longer receives mail" in urllib.request.urlopen(req, timeout=10).read().decode()

    # ... and resolution.
    assert api(mail, "PUT", f"/api/v1/cases/{case_id}/status", {"status": "resolved"})[0] == 200
    resolved = mail.box.wait(lambda m: about(n)(m) and ("解決済み" in text(m) or "has been resolved" in text(m)), n=3)
    # The boss unsubscribed from the reminder's link (below): three readers are left.
    assert sorted(m["rcpt"][0] for m in resolved) == sorted([taro, ann, ops])

    # Every mail went once: no Message-ID twice.
    ids = [m["msg"]["Message-ID"] for m in mail.box.messages]
    assert len(ids) == len(set(ids))

    status, page, _ = api(mail, "GET", "/metrics", token="m")
    assert "tierdesk_mail_sent_total" in page and "tierdesk_mail_outbox_backlog" in page


def test_a_reminder_the_customer_made_moot_is_not_sent(mail):
    account, c = customer(mail)
    case_id = c.create_case(subject="Quota question", communicationBody="How many?", severityCode="low")["caseId"]
    n = c.describe_cases(caseIdList=[case_id])["cases"][0]["displayId"]
    assert api(mail, "PUT", f"/api/v1/cases/{case_id}/status", {"status": "pending-customer-action"})[0] == 200
    c.add_communication_to_case(caseId=case_id, communicationBody="Here is the answer.")
    time.sleep(4)
    assert not [m for m in mail.box.messages
                if about(n)(m) and ("お待ちしています" in text(m) or "waiting for your answer" in text(m))]


def test_warnings_and_breaches_reach_the_assignee_and_the_tam(mail):
    account, c = customer(mail, plan="e2e.fast")
    mail.cli("account", "set-tam", "--id", account, "--tam", "tam@support.test")
    case_id = c.create_case(subject="Checkout is down", communicationBody="All requests fail.",
                            severityCode="urgent")["caseId"]
    n = c.describe_cases(caseIdList=[case_id])["cases"][0]["displayId"]
    assert api(mail, "PUT", f"/api/v1/cases/{case_id}/assignee", {"assignee": "me"})[0] == 200
    warning = mail.box.wait(about(n, "SLA"), n=1, timeout=60)
    assert warning and warning[0]["rcpt"] == ["ada@support.test"]
    breach = mail.box.wait(lambda m: about(n)(m) and ("SLA 違反" in m["msg"]["Subject"] or "SLA breach" in m["msg"]["Subject"]), n=2, timeout=90)
    assert sorted(r for m in breach for r in m["rcpt"]) == ["ada@support.test", "tam@support.test"]
    # Customers never hear of breaches.
    assert not [m for m in mail.box.messages if about(n, "SLA")(m) and any(account in r for r in m["rcpt"])]


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def authenticator(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=auth_data.login == b"tierdesk" and auth_data.password == b"p@ss w")


def outbox_backlog(url):
    """The mail outbox's backlog as the server's /metrics tells it (token `m`)."""
    req = urllib.request.Request(url + "/metrics", headers={"Authorization": "Bearer m"})
    page = urllib.request.urlopen(req, timeout=10).read().decode()
    line = next(l for l in page.splitlines() if l.startswith("tierdesk_mail_outbox_backlog "))
    return int(line.split()[1])


def test_tls_is_used_as_the_url_asks():
    workdir = tempfile.mkdtemp(prefix="tierdesk-mail-tls-")
    t = Tierdesk("sqlite", workdir)
    ca, cert, key = private_ca(workdir, "smtp")
    starttls = Mailbox(tls_context=tls_context(cert, key), require_starttls=True,
                       authenticator=authenticator, auth_require_tls=True)
    implicit = Mailbox(ssl_context=tls_context(cert, key))
    plain = Mailbox()
    try:
        account, key = t.account("aws.business")
        t.cli("user", "create", "--account", account, "--email", "u@customer.test", "--name", "U")
        # One server at a time, so that each case's mail goes the way its server was told.
        ways = [
            ("over STARTTLS", starttls,
             ("--smtp-url", f"smtp://tierdesk:p%40ss%20w@127.0.0.1:{starttls.port}?tls=required",
              "--smtp-ca-file", ca)),
            ("over smtps", implicit, ("--smtp-url", f"smtps://127.0.0.1:{implicit.port}", "--smtp-ca-file", ca)),
        ]
        for subject, box, flags in ways:
            url = t.serve(*flags, "--mail-from", FROM, "--public-url", "https://x.test", "--metrics-token", "m")
            client(url, key).create_case(subject=subject, communicationBody="x", severityCode="low")
            got = box.wait(lambda m: subject in m["msg"]["Subject"])
            assert got and got[0]["tls"], subject
            # The mail arrives before its notice is marked sent: stopping the server in
            # between would leave the notice for the next server to send again.
            deadline = time.time() + 10
            while outbox_backlog(url) != 0 and time.time() < deadline:
                time.sleep(0.1)
            assert outbox_backlog(url) == 0, subject
            t.stop()
            t.servers.clear()
        assert starttls.messages[0]["login"]

        # A server that offers no STARTTLS: required TLS sends nothing in plain text, and
        # the notice waits in the outbox.
        url = t.serve("--smtp-url", f"smtp://127.0.0.1:{plain.port}?tls=required", "--mail-from", FROM,
                      "--public-url", "https://x.test", "--metrics-token", "m")
        client(url, key).create_case(subject="never in plain text", communicationBody="x", severityCode="low")
        time.sleep(3)
        assert not plain.messages
        req = urllib.request.Request(url + "/metrics", headers={"Authorization": "Bearer m"})
        page = urllib.request.urlopen(req, timeout=10).read().decode()
        assert 'tierdesk_mail_failures_total{outcome="retried"} 0' not in page
        assert outbox_backlog(url) == 1
    finally:
        t.close()
        for box in (starttls, implicit, plain):
            box.close()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.skipif("postgres" not in backends(), reason="replicas share a PostgreSQL database")
def test_two_replicas_send_each_mail_once():
    workdir = tempfile.mkdtemp(prefix="tierdesk-mail-pg-")
    t = Tierdesk("postgres", workdir)
    box = Mailbox()
    try:
        flags = ("--smtp-url", f"smtp://127.0.0.1:{box.port}", "--mail-from", FROM, "--public-url", "https://x.test")
        account, key = t.account("aws.business")
        t.cli("user", "create", "--account", account, "--email", "u@customer.test", "--name", "U")
        urls = [t.serve(*flags), t.serve(*flags)]
        clients = [client(u, key) for u in urls]
        n = 60
        for i in range(n):
            clients[i % 2].create_case(subject=f"replica case {i}", communicationBody="x", severityCode="low")
        got = box.wait(lambda m: "replica case" in m["msg"]["Subject"], n=n, timeout=60)
        time.sleep(2)  # a duplicate would arrive now
        ids = [m["msg"]["Message-ID"] for m in box.messages if "replica case" in m["msg"]["Subject"]]
        assert len(got) == n and len(ids) == n and len(set(ids)) == n
    finally:
        t.close()
        box.close()
        shutil.rmtree(workdir, ignore_errors=True)


def test_a_health_event_published_from_the_command_line_is_mailed_to_its_account(mail):
    account, _ = customer(mail)
    other, _ = customer(mail)
    out = json.loads(mail.cli("health", "publish", "--service", "EC2", "--type", "AWS_EC2_OPERATIONAL_ISSUE",
                              "--category", "issue", "--region", "ap-northeast-1",
                              "--entity", f"{account}:i-0abc", "--title", "Tokyo launch failures",
                              "--description", "Launches fail in one zone.", "--json").stdout)
    health = lambda m: "[AWS Health] Tokyo launch failures" in m["msg"]["Subject"]  # noqa: E731
    told = mail.box.wait(health, n=2)
    assert sorted(m["rcpt"][0] for m in told) == sorted([f"taro@{account}.test", f"ann@{account}.test"])
    en = next(text(m) for m in told if m["rcpt"] == [f"ann@{account}.test"])
    assert "Launches fail in one zone." in en and "i-0abc (IMPAIRED)" in en and out["arn"] in en
    assert "https://support.tierdesk.test/console/health" in en
    ja = next(m for m in told if m["rcpt"] == [f"taro@{account}.test"])
    assert ja["msg"]["Content-Language"] == "ja" and "対応中" in ja["msg"]["Subject"]

    mail.cli("health", "update", "--arn", out["arn"], "--status", "closed", "--description", "Recovered.")
    closed = mail.box.wait(lambda m: health(m) and "Recovered." in text(m), n=2)
    assert len(closed) == 2
    assert not [m for m in mail.box.messages if health(m) and m["rcpt"][0].endswith(f"@{other}.test")]
