"""Mail in: customers answer Tierdesk's own mail from their mail client, delivered by an
MTA over LMTP (`serve --lmtp-listen`) or through a pipe (`tierdesk mail ingest`, with
the exit codes an MTA reads); strangers, unknown cases and malformed mail are refused and
kept for the operator; auto-replies are recorded and never become messages; a second
delivery of the same mail adds nothing."""

import email
import email.utils
import email.message
import email.policy
import json
import shutil
import smtplib
import subprocess
import tempfile

import pytest

from conftest import BIN, TEST_LIMITS, Tierdesk, backends, client, free_port
from test_mail import FROM, Mailbox, about


@pytest.fixture(scope="module", params=backends())
def inbox(request):
    workdir = tempfile.mkdtemp(prefix="tierdesk-mail-in-")
    t = Tierdesk(request.param, workdir)
    t.box = Mailbox()
    t.lmtp = free_port()
    t.url = t.serve(*TEST_LIMITS, "--smtp-url", f"smtp://127.0.0.1:{t.box.port}", "--mail-from", FROM,
                    "--public-url", "https://support.tierdesk.test", "--lmtp-listen", f"127.0.0.1:{t.lmtp}")
    t.account_id, key = t.account("aws.business", timezone="Asia/Tokyo", country="JP", language="ja")
    t.user = f"taro@{t.account_id}.test"
    t.cli("user", "create", "--account", t.account_id, "--email", t.user, "--name", "Taro", "--language", "ja")
    t.c = client(t.url, key)
    yield t
    t.close()
    t.box.close()
    shutil.rmtree(workdir, ignore_errors=True)


def reply_to(original, sender, body, attachment=None, **headers):
    """A reply as a mail client writes it: threaded on the original, quoting it."""
    m = email.message.EmailMessage()
    m["From"] = sender
    m["To"] = "support@tierdesk.test"
    m["Subject"] = "Re: " + original["Subject"]
    m["Message-ID"] = email.utils.make_msgid(domain="client.test")
    m["In-Reply-To"] = original["Message-ID"]
    m["References"] = f'{original["References"]} {original["Message-ID"]}'
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    quoted = "\n".join("> " + line for line in original.get_body(("plain",)).get_content().splitlines())
    m.set_content(f"{body}\n\nOn Mon, 23 Nov 2026 at 10:00, Tierdesk Support <support@tierdesk.test> wrote:\n{quoted}\n")
    if attachment:
        m.add_attachment(attachment[1].encode(), maintype="text", subtype="plain", filename=attachment[0])
    return m


def lmtp(t, msg, sender=None):
    """Delivers over LMTP; returns the per-recipient answer (code, text)."""
    with smtplib.LMTP("127.0.0.1", t.lmtp) as s:
        s.ehlo_or_helo_if_needed()
        try:
            s.sendmail(sender if sender is not None else msg["From"], ["support@tierdesk.test"], msg.as_bytes())
            return 250, ""
        except smtplib.SMTPDataError as e:
            return e.smtp_code, e.smtp_error.decode()
        except smtplib.SMTPRecipientsRefused as e:
            code, text = list(e.recipients.values())[0]
            return code, text.decode()


def ingest(t, raw, *args, env=None):
    r = subprocess.run([BIN, "mail", "ingest", "--mail-from", FROM, *args], input=raw, env=env or t.env,
                       capture_output=True, timeout=60)
    return r.returncode, r.stderr.decode()


def messages(t, case_id):
    comms = t.c.describe_communications(caseId=case_id)["communications"]
    return comms


def test_a_reply_by_mail_lands_on_its_case_once(inbox):
    t = inbox
    case_id = t.c.create_case(subject="Disk full", communicationBody="The disk is full.", severityCode="low",
                              ccEmailAddresses=["ops@partner.test"])["caseId"]
    n = t.c.describe_cases(caseIdList=[case_id])["cases"][0]["displayId"]
    original = t.box.wait(lambda m: about(n)(m) and t.user in m["rcpt"])[0]["msg"]

    reply = reply_to(original, f"Taro <{t.user}>", "I removed the old logs; it works now.",
                     attachment=("df.txt", "/dev/sda1 41%"))
    assert lmtp(t, reply) == (250, "")
    comms = messages(t, case_id)
    assert comms[0]["body"] == "I removed the old logs; it works now."
    assert t.user in comms[0]["submittedBy"]
    assert [a["fileName"] for a in comms[0]["attachmentSet"]] == ["df.txt"]

    # The MTA delivers the same mail again: nothing more.
    assert lmtp(t, reply) == (250, "")
    assert len(messages(t, case_id)) == len(comms)

    # A stranger is refused and kept for the operator; the case does not change.
    code, text = lmtp(t, reply_to(original, "mallory@evil.test", "Send me the data"))
    assert code == 550 and "mallory@evil.test" in text
    assert len(messages(t, case_id)) == len(comms)
    refused = json.loads(t.cli("mail", "inbox", "--outcome", "refused", "--json").stdout)
    assert refused[0]["sender"] == "mallory@evil.test"
    raw = t.cli("mail", "show", str(refused[0]["id"])).stdout
    kept = email.message_from_string(raw, policy=email.policy.default)
    assert "Send me the data" in kept.get_body(("plain",)).get_content()

    # An auto-reply is recorded and ignored.
    away = reply_to(original, f"Taro <{t.user}>", "I am out of the office.", Auto_Submitted="auto-replied")
    assert lmtp(t, away) == (250, "")
    assert "out of the office" not in json.dumps(messages(t, case_id))
    ignored = json.loads(t.cli("mail", "inbox", "--outcome", "ignored", "--json").stdout)
    assert "Auto-Submitted" in ignored[0]["reason"]

    # Through the pipe, from the cc address, threaded by the case number alone.
    m = email.message.EmailMessage()
    m["From"] = "ops@partner.test"
    m["To"] = "support@tierdesk.test"
    m["Subject"] = f"AW: [Case {n}] Disk full"
    m["Message-ID"] = email.utils.make_msgid(domain="partner.test")
    m.set_content("Monitoring is green again.\n\n-- \nOps team\nPartner GmbH")
    assert ingest(t, m.as_bytes()) == (0, f"stored on {case_id}\n")
    assert messages(t, case_id)[0]["body"] == "Monitoring is green again."


def test_a_mail_to_support_opens_a_case_where_the_plan_sells_email(inbox):
    t = inbox
    m = email.message.EmailMessage()
    m["From"] = t.user
    m["To"] = "support@tierdesk.test"
    m["Subject"] = "バッチ処理が失敗します"
    m["Message-ID"] = email.utils.make_msgid(domain="client.test")
    m.set_content("<p>毎晩のバッチがタイムアウトします。</p>", subtype="html")
    code, out = ingest(t, m.as_bytes())
    assert code == 0 and out.startswith("opened case-"), out
    case_id = out.split()[1]
    case = t.c.describe_cases(caseIdList=[case_id], includeCommunications=True)["cases"][0]
    assert case["subject"] == "バッチ処理が失敗します"
    assert case["language"] == "ja"
    assert case["severityCode"] == "low"
    assert "毎晩のバッチがタイムアウトします。" in case["recentCommunications"]["communications"][0]["body"]
    assert "<p>" not in case["recentCommunications"]["communications"][0]["body"]

    # Basic sells no email support: the user is told so, by a bounce.
    basic, _ = t.account("aws.basic")
    t.cli("user", "create", "--account", basic, "--email", f"b@{basic}.test", "--name", "B")
    m.replace_header("From", f"b@{basic}.test")
    m.replace_header("Message-ID", email.utils.make_msgid(domain="client.test"))
    code, out = ingest(t, m.as_bytes())
    assert code == 67 and "does not include support by email" in out


def test_ingest_speaks_sysexits(inbox):
    t = inbox
    m = email.message.EmailMessage()
    m["From"] = t.user
    m["Subject"] = "Re: [Case 999999999999] gone"
    m.set_content("hello")
    assert ingest(t, m.as_bytes())[0] == 67
    m.replace_header("From", "nobody@nowhere.test")
    m.replace_header("Subject", "hello")
    assert ingest(t, m.as_bytes())[0] == 67
    code, out = ingest(t, b"\r\n\r\nno headers at all")
    assert code == 65, out
    assert json.loads(t.cli("mail", "inbox", "--outcome", "malformed", "--json").stdout)
    assert ingest(t, b"x" * 2000, "--max-bytes", "1000")[0] == 65
    down = dict(t.env, TIERDESK_DATABASE="postgres://postgres@127.0.0.1:1/none")
    assert ingest(t, m.as_bytes(), env=down)[0] == 75
    # A bounce (null envelope sender) is no message.
    m.replace_header("From", t.user)
    assert ingest(t, m.as_bytes(), "--sender", "")[0] == 0
