"""The README's first command: `tierdesk serve --demo` prints an access key that the AWS CLI
uses as printed, and console people who can sign in; a second start prints the same."""

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

import pytest

from conftest import Tierdesk, backends


@pytest.fixture(params=backends())
def demo(request):
    workdir = tempfile.mkdtemp(prefix="tierdesk-demo-")
    t = Tierdesk(request.param, workdir)
    yield t
    t.close()
    shutil.rmtree(workdir, ignore_errors=True)


def start(t):
    url = t.serve("--demo", log="warn")
    log = t.workdir / f"serve-{url.rsplit(':', 1)[1]}.log"
    deadline = time.time() + 10
    while "admin " not in log.read_text() and time.time() < deadline:
        time.sleep(0.1)
    return url, log.read_text()


def sign_in(url, email, password):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url + "/console/sign-in").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf": csrf, "email": email, "password": password}).encode()
    r = opener.open(url + "/console/sign-in", data=form)
    return r.geturl(), r.read().decode()


def test_serve_demo_prints_working_credentials_and_the_same_ones_again(demo):
    url, out = start(demo)
    exports = dict(re.findall(r"(AWS_[A-Z_]+)=(\S+)", out))
    assert exports["AWS_ACCESS_KEY_ID"].startswith("TD")
    cli = subprocess.run(
        ["aws", "support", "describe-severity-levels", "--endpoint-url", url, "--output", "json"],
        env=dict(os.environ, **exports), capture_output=True, text=True, timeout=60,
    )
    assert cli.returncode == 0, cli.stderr
    codes = [l["code"] for l in json.loads(cli.stdout)["severityLevels"]]
    assert codes == ["low", "normal", "high", "urgent", "critical"]

    people = re.findall(r"^\s+(customer|tam|admin)\s+(\S+)\s+password (\S+)$", out, re.M)
    assert [p[0] for p in people] == ["customer", "tam", "admin"]
    headings = {}
    for role, email, password in people:
        landed, page = sign_in(url, email, password)
        assert landed.endswith("/console"), (role, landed)
        headings[role] = page
    assert "account 111122223333" in headings["customer"]
    assert "technical account manager" in headings["tam"]

    # A second start on the same database shows the same key and passwords.
    demo.stop()
    demo.servers.clear()
    _, again = start(demo)
    assert dict(re.findall(r"(AWS_[A-Z_]+)=(\S+)", again)) == exports
    assert re.findall(r"^\s+(customer|tam|admin)\s+(\S+)\s+password (\S+)$", again, re.M) == people
