"""What a stranger on the internet can do to a running server, from the security review:
each finding as a test against a real `tierdesk serve`."""

import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from conftest import BIN, TEST_LIMITS, Tierdesk, client, post_sign_in


def database_bytes(td):
    db = Path(td.database.removeprefix("sqlite://"))
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def test_a_megabyte_email_leaves_nothing_behind(td):
    """Review H1: each 1.3 MB 'email' once left about 2.7 MB in the database, for ever."""
    huge = "a" * 1_300_000 + "@example.com"
    before = database_bytes(td) if td.backend == "sqlite" else None
    for _ in range(10):
        assert post_sign_in(td.url, huge) == 413
    # Long but under the form's limit: refused as a wrong sign-in, not stored either.
    for i in range(20):
        assert post_sign_in(td.url, f"{i}{'b' * 4000}@example.com") == 401
    if before is not None:
        assert database_bytes(td) - before < 256 * 1024


def test_a_slow_client_is_cut_off(td):
    """Review M1: a slowloris client sends a header byte now and then, for ever."""
    url = td.serve(*TEST_LIMITS, "--header-timeout", "2")
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        started = time.time()
        closed = False
        while time.time() - started < 8:
            try:
                s.sendall(b"X-Slow: y\r\n")
                time.sleep(0.5)
                s.settimeout(0.05)
                if s.recv(4096) == b"":
                    closed = True
                    break
            except socket.timeout:
                continue
            except OSError:
                closed = True
                break
        assert closed, "the server kept a connection whose headers never ended"
        assert time.time() - started < 5


def test_connections_past_the_cap_are_closed_and_the_server_recovers(td):
    """Review M1: enough idle sockets once took every file descriptor."""
    url = td.serve(*TEST_LIMITS, "--max-connections", "4", "--header-timeout", "2")
    port = int(url.rsplit(":", 1)[1])
    # The health check that saw the server start may still hold a slot for a moment.
    time.sleep(0.5)
    idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(4)]
    time.sleep(0.3)
    extra = socket.create_connection(("127.0.0.1", port), timeout=5)
    extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        answer = extra.recv(4096)
    except OSError:
        answer = b""
    assert answer == b"", answer
    extra.close()
    # The idle ones miss their header deadline and free their slots.
    time.sleep(3)
    with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
        assert r.status == 200
    for s in idle:
        s.close()


def test_a_sign_in_flood_does_not_stall_the_aws_endpoint(td):
    """Review M2: argon2 on the request threads let sign-ins starve every other request
    (each call then waited for hashes: hundreds of milliseconds). Twelve loops of sign-ins
    with random emails for ten seconds, while a customer calls the AWS endpoint: its p90
    latency stays under 50 ms, or within four times its p90 measured just before the flood
    in the same run. (Alone it measures 15 to 25 ms here; CI runs both engines' suites side
    by side on two cores, which took it to 32 to 40 ms on a slow day.)"""
    _, key = td.account("aws.business")
    c = client(td.url, key)
    c.describe_severity_levels()  # connection and key cache warm
    quiet = []
    for _ in range(50):
        started = time.perf_counter()
        c.describe_severity_levels()
        quiet.append(time.perf_counter() - started)
        time.sleep(0.02)
    quiet_p90 = statistics.quantiles(quiet, n=10)[-1]
    stop = time.time() + 10
    counts = {"sign_ins": 0}

    def flood():
        while time.time() < stop:
            post_sign_in(td.url, f"{os.urandom(6).hex()}@example.com", "guess guess guess")
            counts["sign_ins"] += 1

    threads = [threading.Thread(target=flood) for _ in range(12)]
    for t in threads:
        t.start()
    latencies = []
    time.sleep(0.5)
    while time.time() < stop - 0.5:
        started = time.perf_counter()
        c.describe_severity_levels()
        latencies.append(time.perf_counter() - started)
        time.sleep(0.02)
    for t in threads:
        t.join()
    p90 = statistics.quantiles(latencies, n=10)[-1]
    assert counts["sign_ins"] > 50, counts
    said = (f"p90 {p90 * 1000:.1f} ms over {len(latencies)} calls, {counts['sign_ins']} sign-ins; "
            f"{quiet_p90 * 1000:.1f} ms before the flood")
    print(said)
    assert p90 < max(0.050, 4 * quiet_p90), said


def api(url, token, path):
    req = urllib.request.Request(url + path)
    req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def new_case(c, subject):
    return c.create_case(subject=subject, communicationBody="It broke.", severityCode="high",
                         serviceCode="general-info", categoryCode="using-aws")["caseId"]


def test_a_tam_reads_only_the_accounts_they_manage(td):
    """Review M4: any TAM could list, read and act on every account's cases."""
    mine, mine_key = td.account("aws.enterprise_2025")
    other, other_key = td.account("aws.enterprise_2025")
    tam = json.loads(td.cli("agent", "create", "--email", f"tam-{mine}@support.example", "--name", "Tomoko",
                            "--role", "tam", "--json").stdout)
    td.cli("account", "set-tam", "--id", mine, "--tam", f"tam-{mine}@support.example")
    my_case = new_case(client(td.url, mine_key), "Mine")
    their_case = new_case(client(td.url, other_key), "Not mine")

    status, _ = api(td.url, tam["token"], f"/api/v1/cases/{my_case}")
    assert status == 200
    status, body = api(td.url, tam["token"], f"/api/v1/cases/{their_case}")
    assert status == 404, body
    # Exactly what a case that does not exist gets.
    status, missing = api(td.url, tam["token"], "/api/v1/cases/case-000000000000-nope-2026-0000000000000000")
    assert status == 404 and body["error"]["code"] == missing["error"]["code"]
    status, page = api(td.url, tam["token"], f"/api/v1/queue?account={other}")
    assert status == 200 and page["cases"] == []
    status, page = api(td.url, tam["token"], "/api/v1/queue")
    assert {c["accountId"] for c in page["cases"]} == {mine}


def test_taken_tokens_stop_at_once(td):
    """Review M5: a departed engineer's token worked for ever."""
    email = f"eng-{os.urandom(4).hex()}@support.example"
    first = json.loads(td.cli("agent", "create", "--email", email, "--name", "Eng", "--json").stdout)["token"]
    assert api(td.url, first, "/api/v1/me")[0] == 200
    rotated = json.loads(td.cli("agent", "token", "rotate", "--email", email, "--expires-in", "90d",
                                "--json").stdout)
    assert rotated["tokenExpiresAt"]
    assert api(td.url, first, "/api/v1/me")[0] == 401
    assert api(td.url, rotated["token"], "/api/v1/me")[0] == 200
    td.cli("agent", "disable", "--email", email)
    assert api(td.url, rotated["token"], "/api/v1/me")[0] == 401
    td.cli("agent", "enable", "--email", email)
    assert api(td.url, rotated["token"], "/api/v1/me")[0] == 200
    td.cli("agent", "token", "revoke", "--email", email)
    assert api(td.url, rotated["token"], "/api/v1/me")[0] == 401
    listed = {a["email"]: a for a in json.loads(td.cli("agent", "list", "--json").stdout)}
    assert listed[email]["disabledAt"] is None and listed[email]["tokenExpiresAt"]


def test_demo_refuses_a_database_with_real_accounts(td):
    """Review L5: `serve --demo` on a production database added an admin for ever."""
    td.account("aws.business")
    r = subprocess.run([BIN, "serve", "--demo", "--listen", "127.0.0.1:0"], env=td.env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "not created as a demo database" in r.stderr, r.stderr
    assert "admin@demo.example.com" not in json.dumps(json.loads(td.cli("agent", "list", "--json").stdout))


def test_data_files_are_the_owners_alone(tmp_path):
    """Review L6: the data directory and database were readable by every local user."""
    data = tmp_path / "tierdesk-data"
    env = {k: v for k, v in os.environ.items() if k != "TIERDESK_MASTER_KEY"}
    env["TIERDESK_DATABASE"] = f"sqlite://{data / 'tierdesk.db'}"
    r = subprocess.run([BIN, "account", "list", "--json"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    mode = lambda p: p.stat().st_mode & 0o777
    assert mode(data) == 0o700
    assert mode(data / "tierdesk.db") == 0o600
    assert mode(data / "master.key") == 0o600
    assert "readable by other users" not in r.stderr
    (data / "master.key").chmod(0o644)
    r = subprocess.run([BIN, "account", "list", "--json"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "readable by other users" in r.stderr, r.stderr


def console_session(url, email, password):
    """A signed-in console opener and the session's CSRF token (read from a page's form)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url + "/console/sign-in", timeout=10).read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf": csrf, "email": email, "password": password}).encode()
    opener.open(url + "/console/sign-in", data=form, timeout=30).read()
    page = opener.open(url + "/console/settings", timeout=10).read().decode()
    return opener, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_a_customer_never_downloads_an_internal_notes_file(td):
    """Review L4: a file attached to an internal note was the customer's to download."""
    # A server of its own: the sign-in flood above used up this minute's sign-ins.
    td = Tierdesk(td.backend, tempfile.mkdtemp(prefix="tierdesk-attack-"))
    try:
        td.url = td.serve(*TEST_LIMITS)
        internal_note_file_stays_supports(td)
    finally:
        td.close()


def internal_note_file_stays_supports(td):
    account, key = td.account("aws.business")
    case = new_case(client(td.url, key), "Heap dump")
    email = f"eng-{os.urandom(4).hex()}@support.example"
    td.cli("agent", "create", "--email", email, "--name", "Eng")
    subprocess.run([BIN, "agent", "set-password", "--email", email, "--password-stdin"], env=td.env,
                   input="engineer password 1\n", text=True, check=True, capture_output=True)
    opener, csrf = console_session(td.url, email, "engineer password 1")
    boundary = "tierdesk-attack"
    parts = [("csrf", csrf), ("kind", "note"), ("body", "Their heap dump, for us only")]
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{n}"\r\n\r\n{v}\r\n'.encode()
                    for n, v in parts)
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="heap.dump"\r\n'
             f"Content-Type: application/octet-stream\r\n\r\n").encode() + b"customer secrets\r\n"
    body += f"--{boundary}--\r\n".encode()
    req = urllib.request.Request(td.url + f"/console/queue/{case}/message", data=body, method="POST")
    req.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    opener.open(req, timeout=30).read()
    # The file's id, as support sees it on the case page.
    page = opener.open(td.url + f"/console/queue/{case}", timeout=10).read().decode()
    file_id = re.search(r"/attachments/(attachment-[A-Za-z0-9-]+)", page).group(1)
    # Through the AWS API ...
    c = client(td.url, key)
    try:
        c.describe_attachment(attachmentId=file_id)
        raise AssertionError("the customer read an internal note's file")
    except Exception as e:  # botocore's ClientError
        assert "AttachmentIdNotFound" in str(e), e
    # ... and the AWS CLI.
    r = subprocess.run(["aws", "support", "describe-attachment", "--attachment-id", file_id,
                        "--endpoint-url", td.url, "--region", "us-east-1"],
                       env=dict(os.environ, AWS_ACCESS_KEY_ID=key["access_key_id"],
                                AWS_SECRET_ACCESS_KEY=key["secret_access_key"]),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "AttachmentIdNotFound" in r.stderr, r.stderr
    # Support reads it, and the audit log says who read the note and its file, from where.
    assert opener.open(td.url + f"/console/queue/{case}/attachments/{file_id}", timeout=10).read() \
        == b"customer secrets"
    log = json.loads(td.cli("audit", "list", "--json", "--actor", email).stdout)
    reads = [(e["action"], e["address"]) for e in log if e["action"] in ("notes.read", "attachment.read")]
    assert ("attachment.read", "127.0.0.1") in reads and ("notes.read", "127.0.0.1") in reads, log
    assert any(e["action"] == "attachment.read" and "heap.dump (internal note)" in e["detail"] for e in log)
