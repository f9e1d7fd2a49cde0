"""Notifications beyond mail: a person's own webhook, set in the console, receives the
notices they chose there (signed, once each, in their language), with no SMTP server at
all; and an invoice computed by the command line reaches its account by mail through the
running server. On SQLite and PostgreSQL."""

import datetime
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import zoneinfo

import pytest

from conftest import BIN, TEST_LIMITS, Tierdesk, backends, client
from test_attacks import console_session
from test_mail import FROM, Mailbox, text
from test_operator_api import Receiver, api, verify_signature

PASSWORD = "notification password 1"


@pytest.fixture(scope="module", params=backends())
def nt(request):
    workdir = tempfile.mkdtemp(prefix="tierdesk-notify-")
    t = Tierdesk(request.param, workdir)
    t.box = Mailbox()
    t.receiver = Receiver()
    t.agent = json.loads(t.cli("agent", "create", "--email", "kai@support.test", "--name", "Kai",
                               "--languages", "ja,en", "--json").stdout)
    # Receivers listen on loopback here: the operator allows private addresses. (Without
    # the flag they are refused: the Rust tests cover that.)
    t.url = t.serve(*TEST_LIMITS, "--allow-private-webhooks", "--smtp-url", f"smtp://127.0.0.1:{t.box.port}",
                    "--mail-from", FROM, "--public-url", "https://support.tierdesk.test")
    yield t
    t.close()
    t.box.close()
    t.receiver.close()
    shutil.rmtree(workdir, ignore_errors=True)


def user(t, account, email, language):
    t.cli("user", "create", "--account", account, "--email", email, "--name", email.split("@")[0],
          "--language", language)
    subprocess.run([BIN, "user", "set-password", "--email", email, "--password-stdin"], env=t.env,
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    return console_session(t.url, email, PASSWORD)


def post(opener, url, fields):
    return opener.open(url, data=urllib.parse.urlencode(fields).encode(), timeout=30)


def test_a_persons_own_webhook_receives_what_they_chose(nt):
    account, key = nt.account("aws.business", timezone="Asia/Tokyo", country="JP", language="ja")
    email = f"hana@{account}.test"
    opener, csrf = user(nt, account, email, "ja")
    page = post(opener, nt.url + "/console/settings/webhook", {"csrf": csrf, "url": nt.receiver.url}).read().decode()
    secret = re.search(r"(whsec_[A-Za-z0-9_-]+)", page).group(1)
    assert "127.0.0.1" in page and "/hook" not in page.split("own-webhook", 1)[1][:200]
    # Case updates by webhook only (not by mail).
    post(opener, nt.url + "/console/settings/subscriptions", {"csrf": csrf, "webhook_case_updates": "1"}).read()

    c = client(nt.url, key)
    case_id = c.create_case(subject="API のエラー率が高い", communicationBody="5xx が増えています。",
                            severityCode="normal", language="ja")["caseId"]
    assert api(nt, "POST", f"/api/v1/cases/{case_id}/replies", {"body": "ログを送ってください。"})[0] == 200
    deadline = time.time() + 30
    while time.time() < deadline and len(nt.receiver.received) < 2:
        time.sleep(0.2)
    # The receiver refuses each first attempt: both came on their retry, in either order.
    got = sorted(((h, json.loads(b), b) for _, h, b in nt.receiver.received), key=lambda g: g[1]["type"])
    assert [m["type"] for _, m, _ in got] == ["case.opened", "case.replied"], got
    for headers, message, body in got:
        headers = {k.lower(): v for k, v in headers.items()}
        assert verify_signature(secret, headers, body)
        assert headers["tierdesk-event"] == message["type"]
        assert headers["tierdesk-event-id"] == message["id"]
        assert message["recipient"] == email and message["language"] == "ja"
        assert message["case"]["caseId"] == case_id
        assert message["url"] == f"https://support.tierdesk.test/console/cases/{case_id}"
    assert "ログを送ってください。" in got[1][1]["text"]
    assert "サポートの" in got[1][1]["text"]
    # By webhook only: the mailbox has nothing for Hana.
    time.sleep(1)
    assert not [m for m in nt.box.messages if email in m["rcpt"]]
    # Each once: a delivery id is never seen twice.
    assert len({h["tierdesk-delivery"] for h, _, _ in got}) == len(got)

    # Removed, it hears nothing more.
    post(opener, nt.url + "/console/settings/webhook/remove", {"csrf": csrf}).read()
    assert api(nt, "POST", f"/api/v1/cases/{case_id}/replies", {"body": "まだですか?"})[0] == 200
    time.sleep(2)
    assert len(nt.receiver.received) == 2


def test_a_health_event_reaches_a_persons_own_webhook_as_eventbridge_shapes_it(nt):
    account, _ = nt.account("aws.business", timezone="Asia/Tokyo", country="JP", language="ja")
    email = f"ren@{account}.test"
    opener, csrf = user(nt, account, email, "en")
    page = post(opener, nt.url + "/console/settings/webhook", {"csrf": csrf, "url": nt.receiver.url}).read().decode()
    secret = re.search(r"(whsec_[A-Za-z0-9_-]+)", page).group(1)
    post(opener, nt.url + "/console/settings/subscriptions",
         {"csrf": csrf, "webhook_health": "1", "email_health": "1"}).read()
    arn = json.loads(nt.cli("health", "publish", "--service", "EC2", "--type", "AWS_EC2_OPERATIONAL_ISSUE",
                            "--category", "issue", "--region", "ap-northeast-1", "--entity", f"{account}:i-0feed",
                            "--description", "Launch errors.", "--json").stdout)["arn"]

    def health_messages():
        return [(h, json.loads(b), b) for _, h, b in nt.receiver.received
                if json.loads(b).get("type") == "health.event" and json.loads(b)["recipient"] == email]

    deadline = time.time() + 30
    while time.time() < deadline and not health_messages():
        time.sleep(0.2)
    [(headers, message, body)] = health_messages()
    headers = {k.lower(): v for k, v in headers.items()}
    assert verify_signature(secret, headers, body)
    assert message["topic"] == "health" and message["case"] is None
    assert message["url"] == "https://support.tierdesk.test/console/health"
    assert "Launch errors." in message["text"] and "i-0feed (IMPAIRED)" in message["text"]
    event = message["event"]
    assert event["source"] == "aws.health" and event["detail-type"] == "AWS Health Event"
    assert event["account"] == account and event["resources"] == ["i-0feed"]
    assert event["detail"]["eventArn"] == arn and event["detail"]["statusCode"] == "open"
    mails = nt.box.wait(lambda m: m["rcpt"] == [email] and "[AWS Health]" in m["msg"]["Subject"])
    assert len(mails) == 1 and "Launch errors." in text(mails[0])
    post(opener, nt.url + "/console/settings/webhook/remove", {"csrf": csrf}).read()


def test_an_invoice_run_from_the_command_line_is_mailed_by_the_server(nt):
    account, _ = nt.account("aws.business", timezone="Europe/Paris", country="FR", language="en")
    email = f"ines@{account}.test"
    nt.cli("user", "create", "--account", account, "--email", email, "--name", "Ines", "--language", "en")
    # The account is on its plan from today: this month is billed, prorated.
    month = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Paris")).strftime("%Y-%m")
    usage = f"{nt.workdir}/usage-{account}.csv"
    with open(usage, "w") as f:
        f.write(f"account_id,month,amount,currency\n{account},{month},20000,USD\n")
    nt.cli("usage", "import", usage, "--format", "generic")
    invoices = json.loads(nt.cli("bill", "run", "--month", month, "--json").stdout)
    mine = next(i for i in invoices if i["accountId"] == account)
    got = nt.box.wait(lambda m: email in m["rcpt"] and month in m["msg"]["Subject"], timeout=30)
    assert len(got) == 1, [m["msg"]["Subject"] for m in nt.box.messages]
    body = text(got[0])
    assert f"{mine['total']} USD" in body
    assert f"https://support.tierdesk.test/console/invoices?month={month}" in body
    assert got[0]["msg"]["List-Unsubscribe"]
    # The same run again tells nobody twice.
    nt.cli("bill", "run", "--month", month)
    time.sleep(2)
    assert len([m for m in nt.box.messages if email in m["rcpt"]]) == 1
