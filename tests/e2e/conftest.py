"""End-to-end fixtures: a real `tierdesk serve` process, real boto3 and AWS CLI clients.

Every test module runs against SQLite and, when TIERDESK_TEST_PG holds a server URL,
against PostgreSQL too (a fresh database per module).
"""

import base64
import datetime
import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from unittest import mock

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("TIERDESK_BIN", str(ROOT / "target" / "debug" / "tierdesk"))
MASTER_KEY = base64.b64encode(bytes(range(32))).decode()


def backends():
    out = ["sqlite"]
    if os.environ.get("TIERDESK_TEST_PG"):
        out.append("postgres")
    elif os.environ.get("TIERDESK_REQUIRE_PG") == "1":
        raise RuntimeError("TIERDESK_REQUIRE_PG=1 but TIERDESK_TEST_PG is not set")
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_account_id():
    return str(random.randint(10**11, 10**12 - 1))


class Tierdesk:
    """One database, with helpers to run CLI commands and start servers on it."""

    def __init__(self, backend, workdir):
        self.backend = backend
        self.workdir = Path(workdir)
        self.servers = []
        if backend == "sqlite":
            self.database = f"sqlite://{self.workdir / 'tierdesk.db'}"
        else:
            base = os.environ["TIERDESK_TEST_PG"]
            name = f"tierdesk_e2e_{random.randint(0, 10**9)}"
            subprocess.run(["psql", base, "-qc", f"CREATE DATABASE {name}"], check=True)
            self.database = base.rsplit("/", 1)[0] + "/" + name
        self.env = dict(os.environ, TIERDESK_DATABASE=self.database, TIERDESK_MASTER_KEY=MASTER_KEY)

    def cli(self, *args, check=True):
        r = subprocess.run([BIN, *args], env=self.env, capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise AssertionError(f"tierdesk {' '.join(args)} failed: {r.stderr}")
        return r

    def account(self, plan, account_id=None, **opts):
        account_id = account_id or new_account_id()
        args = ["account", "create", "--id", account_id, "--name", f"E2E {account_id}", "--plan", plan, "--json"]
        for k, v in opts.items():
            args += [f"--{k.replace('_', '-')}", v]
        self.cli(*args)
        key = json.loads(self.cli("key", "create", "--account", account_id, "--json").stdout)
        return account_id, key

    def serve(self, *extra, log="warn"):
        port = free_port()
        out = open(self.workdir / f"serve-{port}.log", "w")
        proc = subprocess.Popen(
            [BIN, "serve", "--listen", f"127.0.0.1:{port}", "--log", log, *extra],
            env=self.env, stdout=out, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise AssertionError((self.workdir / f"serve-{port}.log").read_text())
                time.sleep(0.1)
        else:
            raise AssertionError("server did not start")
        self.servers.append(proc)
        return url

    def stop(self):
        for p in self.servers:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()

    def close(self):
        """Stops the servers and drops the module's PostgreSQL database."""
        self.stop()
        if self.backend == "postgres":
            base = os.environ["TIERDESK_TEST_PG"]
            name = self.database.rsplit("/", 1)[1]
            subprocess.run(["psql", base, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)


# Limits small enough to reach in a test; the defaults are AWS's.
TEST_LIMITS = (
    "--attachment-set-lifetime", "3",
    "--attachment-sets-per-minute", "25",
    "--describe-attachment-per-minute", "40",
    "--key-cache-ms", "0",
)


@pytest.fixture(scope="module", params=backends())
def td(request):
    workdir = tempfile.mkdtemp(prefix="tierdesk-e2e-")
    t = Tierdesk(request.param, workdir)
    t.url = t.serve(*TEST_LIMITS)
    yield t
    t.close()
    shutil.rmtree(workdir, ignore_errors=True)


def client(url, key, region="us-east-1"):
    return boto3.client(
        "support",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=key["access_key_id"],
        aws_secret_access_key=key["secret_access_key"],
        config=Config(retries={"total_max_attempts": 1}),
    )


def raw_call(url, key, operation, body, *, sign=True, when=None, region="us-east-1", headers=None):
    """A hand-built, botocore-signed request: for bodies no SDK would send."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = botocore.awsrequest.AWSRequest(
        method="POST", url=url + "/", data=data,
        headers={"X-Amz-Target": f"AWSSupport_20130415.{operation}",
                 "Content-Type": "application/x-amz-json-1.1", **(headers or {})},
    )
    if sign:
        creds = botocore.credentials.Credentials(key["access_key_id"], key["secret_access_key"])
        signer = botocore.auth.SigV4Auth(creds, "support", region)
        if when is None:
            signer.add_auth(req)
        else:
            # Sign as of another time: botocore reads the clock through this class.
            class At(datetime.datetime):
                @classmethod
                def utcnow(cls):
                    return when

                @classmethod
                def now(cls, tz=None):
                    return when.replace(tzinfo=tz)

            with mock.patch("botocore.auth.datetime.datetime", At):
                signer.add_auth(req)
    prepared = req.prepare()
    http = urllib.request.Request(prepared.url, data=prepared.body, method="POST",
                                  headers=dict(prepared.headers))
    try:
        with urllib.request.urlopen(http, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"{}"), {k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}"), {k.lower(): v for k, v in e.headers.items()}


def post_sign_in(url, email, password="x" * 12):
    """A sign-in form with the login-CSRF double submit a script can always satisfy.

    Written on a bare socket, because a server may answer an oversized form (413) before
    reading it and close: urllib then fails writing the rest (broken pipe) although the
    answer is already waiting to be read."""
    body = urllib.parse.urlencode({"csrf": "x", "email": email, "password": password}).encode()
    host, port = urllib.parse.urlsplit(url).netloc.rsplit(":", 1)
    head = (
        "POST /console/sign-in HTTP/1.1\r\n"
        f"Host: {host}:{port}\r\n"
        "Cookie: tierdesk_login_csrf=x\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as s:
        try:
            s.sendall(head + body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused part-way: the status line is read below
        answer = b""
        try:
            while b"\r\n" not in answer:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except ConnectionResetError:
            pass
    status_line = answer.split(b"\r\n", 1)[0].decode()
    assert status_line.startswith("HTTP/1.1 "), f"no answer to the sign-in: {answer[:200]!r}"
    return int(status_line.split()[1])
