"""The operator API (/api/v1), agents, the breach worker and webhooks, against running
servers: two replicas on PostgreSQL, one on SQLite. Customers use boto3 as before."""

import csv
import datetime
import hashlib
import hmac
import io
import json
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import TEST_LIMITS, Tierdesk, backends, client, free_port

# A plan with one-minute targets, so that warnings and breaches happen during the test.
FAST_CATALOG = """
provider = "e2e"
[[plans]]
id = "e2e.fast"
name = "Fast"
currency = "USD"
channels = ["web"]
technical_cases = true
case_contacts = "unlimited"
support_api = true
advisor = "none"
tam = "none"
severity_scale = "aws"
targets = [
  { severity = "low", within = "8h", clock = "24x7" },
  { severity = "urgent", within = "1m", clock = "24x7" },
]
fee = { model = "free" }
"""


def private_ca(workdir, name):
    """A CA and a server certificate for 127.0.0.1 it signed, made with openssl.
    Returns (CA certificate, server certificate, server key)."""
    ca, ca_key = f"{workdir}/{name}-ca.pem", f"{workdir}/{name}-ca.key"
    cert, key, csr, ext = (f"{workdir}/{name}.{x}" for x in ("pem", "key", "csr", "ext"))
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    for cmd in (
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
         "-days", "2", "-subj", f"/CN={name} test CA"],
        ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"],
        ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
         "-days", "2", "-extfile", ext],
    ):
        subprocess.run(cmd, check=True, capture_output=True)
    return ca, cert, key


class Receiver:
    """A webhook endpoint that refuses each delivery's first attempt (to exercise retries)
    and records the rest; over TLS when given a certificate."""

    def __init__(self, tls=None):
        self.received = []
        self.attempts = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                delivery = self.headers["tierdesk-delivery"]
                outer.attempts[delivery] = outer.attempts.get(delivery, 0) + 1
                if outer.attempts[delivery] == 1:
                    self.send_response(503)
                    self.end_headers()
                    return
                outer.received.append((time.time(), dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.scheme = "http"
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.url = f"{self.scheme}://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture(scope="module", params=backends())
def ops(request):
    workdir = tempfile.mkdtemp(prefix="tierdesk-ops-")
    t = Tierdesk(request.param, workdir)
    catalog = f"{workdir}/fast.toml"
    with open(catalog, "w") as f:
        f.write(FAST_CATALOG)
    t.env["TIERDESK_CATALOG"] = catalog
    t.receiver = Receiver()
    hook = json.loads(t.cli("webhook", "add", "--url", t.receiver.url, "--json").stdout)
    t.webhook_secret = hook["secret"]
    # An HTTPS endpoint signed by a private CA that the servers are told to trust, and one
    # whose certificate nobody vouches for.
    trusted_ca, *trusted = private_ca(workdir, "trusted")
    t.tls_receiver = Receiver(tls=trusted)
    tls_hook = json.loads(t.cli("webhook", "add", "--url", t.tls_receiver.url, "--events", "sla.breach",
                                "--json").stdout)
    t.tls_secret = tls_hook["secret"]
    t.untrusted = Receiver(tls=private_ca(workdir, "untrusted")[1:])
    t.cli("webhook", "add", "--url", t.untrusted.url)
    agent = json.loads(t.cli("agent", "create", "--email", "ada@support.example.com", "--name", "Ada",
                             "--languages", "en,ja", "--json").stdout)
    t.agent = agent
    # Warnings at half the target: 30 s into a one-minute target.
    flags = (*TEST_LIMITS, "--sla-warn-percent", "50", "--webhook-ca-file", trusted_ca)
    t.urls = [t.serve(*flags)]
    if request.param == "postgres":
        # A second replica on the same database: every event must still happen once.
        t.urls.append(t.serve(*flags))
    t.url = t.urls[0]
    # The case whose breach the webhook test waits for, opened first to save time.
    account, key = t.account("e2e.fast")
    t.fast_case = client(t.url, key).create_case(
        subject="Checkout is down", communicationBody="All requests fail.", severityCode="urgent",
    )["caseId"]
    t.fast_opened = time.time()
    yield t
    t.close()
    for r in (t.receiver, t.tls_receiver, t.untrusted):
        r.close()
    shutil.rmtree(workdir, ignore_errors=True)


def api(t, method, path, body=None, token=None, url=None):
    token = t.agent["token"] if token is None else token
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request((url or t.url) + path, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            raw = r.read()
            ctype = r.headers.get("content-type", "")
            return r.status, (json.loads(raw) if "json" in ctype else raw.decode()), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}"), dict(e.headers)


def test_openapi_document_is_served_and_describes_the_api(ops):
    status, doc, _ = api(ops, "GET", "/api/v1/openapi.json", token="")
    assert status == 200
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/queue" in doc["paths"]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_tokens_are_required_and_checked(ops):
    status, body, headers = api(ops, "GET", "/api/v1/queue", token="")
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    assert headers.get("www-authenticate", headers.get("WWW-Authenticate", "")).startswith("Bearer")
    status, body, _ = api(ops, "GET", "/api/v1/queue", token="tdat_not-a-real-token")
    assert status == 401
    status, me, _ = api(ops, "GET", "/api/v1/me")
    assert status == 200
    assert (me["id"], me["email"], me["languages"], me["role"]) == (
        ops.agent["id"], "ada@support.example.com", ["en", "ja"], "agent")


def test_agent_create_refuses_duplicates_and_bad_input(ops):
    dup = ops.cli("agent", "create", "--email", "ADA@support.example.com", "--name", "Ada 2", check=False)
    assert dup.returncode != 0 and "exists" in dup.stderr
    bad = ops.cli("agent", "create", "--email", "nobody", "--name", "X", check=False)
    assert bad.returncode != 0 and "not an email address" in bad.stderr
    role = ops.cli("agent", "create", "--email", "x@example.com", "--name", "X", "--role", "boss", check=False)
    assert role.returncode != 0 and "agent, tam, admin" in role.stderr
    tam = json.loads(ops.cli("agent", "create", "--email", "tam@example.com", "--name", "Tam",
                             "--role", "tam", "--json").stdout)
    assert tam["role"] == "tam" and tam["token"].startswith("tdat_")
    listed = json.loads(ops.cli("agent", "list", "--json").stdout)
    assert {a["email"] for a in listed} >= {"ada@support.example.com", "tam@example.com"}
    assert all("token" not in a for a in listed)


def test_queue_is_ordered_by_deadline_and_filters(ops):
    account, key = ops.account("aws.business")
    support = client(ops.url, key)
    ids = {}
    for sev in ["low", "urgent", "normal", "high"]:
        ids[sev] = support.create_case(subject=f"q {sev}", communicationBody="x", severityCode=sev)["caseId"]
    status, page, _ = api(ops, "GET", "/api/v1/queue?plan=aws.business&limit=500")
    assert status == 200
    mine = [c for c in page["cases"] if c["accountId"] == account]
    # Business: urgent 1 h, high 4 h, normal 12 h, low 24 h, all 24x7.
    assert [c["severityCode"] for c in mine] == ["urgent", "high", "normal", "low"]
    dues = [c["sla"]["dueAt"] for c in mine]
    assert dues == sorted(dues)
    assert all(c["sla"]["secondsLeft"] > 0 and not c["sla"]["breaching"] for c in mine)
    status, page, _ = api(ops, "GET", "/api/v1/queue?severity=high&plan=aws.business&assignee=none")
    assert ids["high"] in [c["caseId"] for c in page["cases"]]
    assert all(c["severityCode"] == "high" for c in page["cases"])
    # One account's cases (a TAM's view).
    status, page, _ = api(ops, "GET", f"/api/v1/queue?account={account}")
    assert status == 200
    assert sorted(c["caseId"] for c in page["cases"]) == sorted(ids.values())
    # Paging with a cursor walks the same order.
    status, first, _ = api(ops, "GET", "/api/v1/queue?plan=aws.business&limit=2")
    status, second, _ = api(ops, "GET", f"/api/v1/queue?plan=aws.business&limit=2&cursor={first['nextCursor']}")
    firsts = [c["caseId"] for c in first["cases"]]
    assert not set(firsts) & {c["caseId"] for c in second["cases"]}
    # Mistakes are named.
    status, err, _ = api(ops, "GET", "/api/v1/queue?severty=high")
    assert status == 400 and "severty" in err["error"]["message"]
    status, err, _ = api(ops, "GET", "/api/v1/queue?status=closed")
    assert status == 400 and "work-in-progress" in err["error"]["message"]
    status, err, _ = api(ops, "GET", "/api/v1/queue?cursor=bogus")
    assert status == 400


def test_reply_note_status_and_assignment(ops):
    account, key = ops.account("aws.business", timezone="Asia/Tokyo", country="JP", language="ja")
    support = client(ops.url, key)
    case_id = support.create_case(subject="DB slow", communicationBody="p99 doubled", severityCode="high")["caseId"]
    status, case, _ = api(ops, "GET", f"/api/v1/cases/{case_id}")
    assert status == 200
    assert case["account"]["timezone"] == "Asia/Tokyo"
    assert case["planName"] == "Business"
    assert case["tam"] is None, "Business includes no TAM"
    assert case["sla"]["running"]["kind"] == "first_response"
    assert case["sla"]["firstResponse"]["respondedAt"] is None
    assert case["sla"]["targets"][0]["minutes"] == 240

    status, case, _ = api(ops, "POST", f"/api/v1/cases/{case_id}/notes", {"body": "Customer runs r5.large"})
    assert status == 200 and case["sla"]["running"]["kind"] == "first_response"
    status, case, _ = api(ops, "POST", f"/api/v1/cases/{case_id}/replies", {"body": "Please send the query plan."})
    assert status == 200
    assert case["sla"]["firstResponse"]["respondedAt"] is not None
    assert case["sla"]["running"] is None
    assert case["sla"]["targets"][0]["state"] == "met"

    # The customer sees the reply from support, never the note.
    comms = support.describe_communications(caseId=case_id)["communications"]
    bodies = [c["body"] for c in comms]
    assert "Please send the query plan." in bodies and "Customer runs r5.large" not in bodies
    reply = next(c for c in comms if c["body"] == "Please send the query plan.")
    assert reply["submittedBy"] == "Ada (support)"
    recent = support.describe_cases(caseIdList=[case_id], includeCommunications=True)["cases"][0]
    assert "Customer runs r5.large" not in json.dumps(recent)
    # Agents see everything, oldest first.
    status, conv, _ = api(ops, "GET", f"/api/v1/cases/{case_id}/communications")
    assert [c["internal"] for c in conv["communications"]] == [False, True, False]

    status, case, _ = api(ops, "PUT", f"/api/v1/cases/{case_id}/status", {"status": "pending-customer-action"})
    assert status == 200 and case["previousStatus"] == "opened"
    assert support.describe_cases(caseIdList=[case_id])["cases"][0]["status"] == "pending-customer-action"
    support.add_communication_to_case(caseId=case_id, communicationBody="Plan attached.")
    assert support.describe_cases(caseIdList=[case_id])["cases"][0]["status"] == "customer-action-completed"
    status, err, _ = api(ops, "PUT", f"/api/v1/cases/{case_id}/status", {"status": "opened"})
    assert status == 400 and "work-in-progress" in err["error"]["message"]

    status, case, _ = api(ops, "PUT", f"/api/v1/cases/{case_id}/assignee", {"assignee": "me"})
    assert status == 200 and case["assignee"] == ops.agent["id"]
    status, page, _ = api(ops, "GET", "/api/v1/queue?assignee=me")
    assert [c["caseId"] for c in page["cases"]] == [case_id]
    status, err, _ = api(ops, "PUT", f"/api/v1/cases/{case_id}/assignee", {"assignee": "agent-nobody"})
    assert status == 400 and "no agent" in err["error"]["message"]
    status, case, _ = api(ops, "PUT", f"/api/v1/cases/{case_id}/assignee", {"assignee": None})
    assert case["assignee"] is None

    status, case, _ = api(ops, "PUT", f"/api/v1/cases/{case_id}/status", {"status": "resolved"})
    assert support.describe_cases(caseIdList=[case_id], includeResolvedCases=True)["cases"][0]["status"] == "resolved"
    status, page, _ = api(ops, "GET", "/api/v1/queue?limit=500")
    assert case_id not in [c["caseId"] for c in page["cases"]]

    for path, body in [("/api/v1/cases/case-none/replies", {"body": "x"}), ("/api/v1/cases/case-none", None)]:
        status, err, _ = api(ops, "POST" if body else "GET", path, body)
        assert status == 404 and err["error"]["code"] == "not_found"
    status, err, _ = api(ops, "POST", f"/api/v1/cases/{case_id}/replies", {"body": ""})
    assert status == 400
    status, err, _ = api(ops, "POST", f"/api/v1/cases/{case_id}/replies", [1, 2])
    assert status == 400 and "JSON object" in err["error"]["message"]


def test_an_accounts_tam_is_set_from_the_cli_and_shown_on_its_cases(ops):
    account, key = ops.account("aws.enterprise_2025")
    tam = json.loads(ops.cli("agent", "create", "--email", f"tam-{account}@support.example.com",
                             "--name", "Tomoko", "--role", "tam", "--json").stdout)
    out = ops.cli("account", "set-tam", "--id", account, "--tam", f"tam-{account}@support.example.com")
    assert "Tomoko" in out.stdout
    case_id = client(ops.url, key).create_case(
        subject="Payments down", communicationBody="HTTP 500", severityCode="critical")["caseId"]
    status, case, _ = api(ops, "GET", f"/api/v1/cases/{case_id}")
    assert status == 200
    assert case["tam"] == {"id": tam["id"], "name": "Tomoko", "email": f"tam-{account}@support.example.com"}
    # Only TAMs manage accounts, and only on plans with a TAM.
    business, _ = ops.account("aws.business")
    refused = ops.cli("account", "set-tam", "--id", business, "--tam", f"tam-{account}@support.example.com",
                      check=False)
    assert refused.returncode != 0 and "includes no technical account manager" in refused.stderr
    refused = ops.cli("account", "set-tam", "--id", account, "--tam", "ada@support.example.com", check=False)
    assert refused.returncode != 0 and "only agents with the tam role" in refused.stderr
    ops.cli("account", "set-tam", "--id", account, "--none")
    status, case, _ = api(ops, "GET", f"/api/v1/cases/{case_id}")
    assert case["tam"] is None


def test_urgent_escalations_count_against_the_monthly_quota(ops):
    account, key = ops.account("aliyun.business", timezone="Asia/Shanghai", country="CN", language="zh")
    case_id = client(ops.url, key).create_case(
        subject="支付失败", communicationBody="全部失败", severityCode="normal", language="zh")["caseId"]
    for n in range(1, 11):
        status, e, _ = api(ops, "POST", f"/api/v1/cases/{case_id}/escalations")
        assert status == 200, e
        assert e["quota"] == {"perMonth": 10, "used": n, "left": 10 - n}
        assert e["target"]["minutes"] == 10
        api(ops, "POST", f"/api/v1/cases/{case_id}/replies", {"body": f"处理中 {n}"})
    status, err, _ = api(ops, "POST", f"/api/v1/cases/{case_id}/escalations")
    assert status == 409 and "10 urgent escalations" in err["error"]["message"]


def verify_signature(secret, headers, body):
    sig = headers["tierdesk-signature"]
    parts = dict(p.split("=", 1) for p in sig.split(","))
    mac = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac, parts["v1"])


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def test_breach_worker_warns_breaches_once_and_webhooks_deliver_signed_events(ops):
    deadline = ops.fast_opened + 60 + 15
    events = []
    while time.time() < deadline:
        events = [json.loads(b) for _, _, b in ops.receiver.received]
        if {e["type"] for e in events if e["case"]["caseId"] == ops.fast_case} >= {"sla.warning", "sla.breach"}:
            break
        time.sleep(0.5)
    time.sleep(2)  # would-be duplicates (another replica, a retry) have time to arrive
    mine = [(h, b) for _, h, b in ops.receiver.received if json.loads(b)["case"]["caseId"] == ops.fast_case]
    types = [json.loads(b)["type"] for _, b in mine]
    assert sorted(types) == ["sla.breach", "sla.warning"], types
    for headers, body in mine:
        headers = {k.lower(): v for k, v in headers.items()}
        assert verify_signature(ops.webhook_secret, headers, body)
        assert not verify_signature("whsec_wrong", headers, body)
        event = json.loads(body)
        assert headers["tierdesk-event"] == event["type"]
        assert headers["tierdesk-event-id"] == event["id"]
        assert event["target"]["kind"] == "first_response"
    # Every delivery's first attempt was refused: each event came on its retry.
    assert all(n == 2 for n in ops.receiver.attempts.values())

    # The case shows both events; the breach came within a second of the deadline.
    for url in ops.urls:
        status, case, _ = api(ops, "GET", f"/api/v1/cases/{ops.fast_case}", url=url)
        kinds = [e["kind"] for e in case["sla"]["events"]]
        assert kinds == ["warning", "breach"]
    breach = case["sla"]["events"][1]
    late = parse_time(breach["recordedAt"]) - parse_time(breach["dueAt"])
    assert datetime.timedelta(0) <= late < datetime.timedelta(seconds=1), late
    warning = case["sla"]["events"][0]
    assert parse_time(warning["dueAt"]) - parse_time(warning["at"]) == datetime.timedelta(seconds=30)
    assert case["sla"]["breached"] is True
    status, page, _ = api(ops, "GET", "/api/v1/queue?breaching=true&plan=e2e.fast")
    assert ops.fast_case in [c["caseId"] for c in page["cases"]]

    # The HTTPS endpoint asked for breaches only, and got this one, signed with its secret.
    over_tls = [(h, b) for _, h, b in ops.tls_receiver.received if json.loads(b)["case"]["caseId"] == ops.fast_case]
    assert [json.loads(b)["type"] for _, b in over_tls] == ["sla.breach"]
    headers = {k.lower(): v for k, v in over_tls[0][0].items()}
    assert verify_signature(ops.tls_secret, headers, over_tls[0][1])
    assert not verify_signature(ops.webhook_secret, headers, over_tls[0][1])

    listed = {w["url"]: w for w in json.loads(ops.cli("webhook", "list", "--json").stdout)}
    plain = listed[ops.receiver.url]
    assert plain["delivered"] >= 2 and plain["pending"] == 0
    assert "503" in plain["lastError"]
    assert listed[ops.tls_receiver.url]["delivered"] >= 1
    # Nothing reached the endpoint with the untrusted certificate; the reason is recorded.
    assert ops.untrusted.received == []
    refused = listed[ops.untrusted.url]
    assert refused["delivered"] == 0 and refused["pending"] >= 1
    assert "certificate" in refused["lastError"].lower(), refused["lastError"]
    assert "whsec_" not in json.dumps(list(listed.values()))


def test_sla_report_from_cli_and_api(ops):
    # Depends on nothing but what earlier tests left: at least the fast plan's breach.
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    out = json.loads(ops.cli("sla", "report", "--from", today, "--to", today, "--json").stdout)
    lines = {(l["plan"], l["severity"]): l for l in out["lines"]}
    business = [l for (p, _), l in lines.items() if p == "aws.business"]
    assert sum(l["cases"] for l in business) >= 5
    high = lines[("aws.business", "high")]
    assert high["answered"] >= 1 and high["medianClockSeconds"] is not None
    assert high["medianBusinessSeconds"] == high["medianClockSeconds"]  # a 24x7 clock

    status, api_out, _ = api(ops, "GET", f"/api/v1/reports/sla?from={today}&to={today}")
    assert status == 200 and api_out["lines"] == out["lines"]
    status, text, headers = api(ops, "GET", f"/api/v1/reports/sla?from={today}&to={today}&format=csv&plan=aws.business")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["plan"] for r in rows} == {"aws.business"}
    assert rows[0].keys() >= {"within_target_share", "p90_business_seconds"}
    cli_csv = ops.cli("sla", "report", "--from", today, "--to", today, "--csv", "--plan", "aws.business").stdout
    assert cli_csv == text.replace("\r\n", "\n")  # text mode reads CRLF as LF
    status, err, _ = api(ops, "GET", f"/api/v1/reports/sla?from={today}")
    assert status == 400 and "to (YYYY-MM-DD) is required" in err["error"]["message"]
    bad = ops.cli("sla", "report", "--from", today, "--to", "2020-01-01", check=False)
    assert bad.returncode != 0 and "before it starts" in bad.stderr
