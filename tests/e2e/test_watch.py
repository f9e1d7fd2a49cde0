"""`tierdesk watch`, the seed's monitoring case ("ping fails a threshold number of times
across the Direct Connect link, open a case automatically"): a real probe against a
loopback port that is closed five times and then opens, talking to a real server through
the AWS Support API with the account's own key; one case per outage, across a restart."""

import os
import socket
import subprocess
import time

from conftest import BIN, client, free_port


def wait_for(what, check, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen in {timeout} s")


def start_watch(td, key, port, state):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key["access_key_id"],
               AWS_SECRET_ACCESS_KEY=key["secret_access_key"], AWS_DEFAULT_REGION="us-east-1")
    log = open(state.with_suffix(".log"), "a")
    return subprocess.Popen(
        [BIN, "watch", "--endpoint", td.url, "--target", f"tcp://127.0.0.1:{port}",
         "--every", "200ms", "--failures", "5", "--timeout", "1s", "--state", str(state)],
        env=env, stdout=log, stderr=subprocess.STDOUT)


def test_a_failing_port_opens_one_case_and_its_recovery_is_told(td):
    _, key = td.account("aws.business")
    c = client(td.url, key)
    port = free_port()  # nothing listens: every probe is refused
    state = td.workdir / f"watch-{port}.json"
    target = f"tcp://127.0.0.1:{port}"

    def cases():
        return [x for x in c.describe_cases(includeResolvedCases=True)["cases"]
                if x["subject"] == f"{target} is not answering"]

    watch = start_watch(td, key, port, state)
    try:
        opened = wait_for("a case", cases)
        assert len(opened) == 1
        case = opened[0]
        assert case["severityCode"] == "urgent"
        body = c.describe_communications(caseId=case["caseId"])["communications"][-1]["body"]
        assert "failed 5 probes in a row" in body, body
        assert body.count("\n- ") == 5, body
        # The outage goes on, across a restart of the probe: no second case.
        time.sleep(1.5)
        watch.terminate()
        watch.wait(timeout=10)
        watch = start_watch(td, key, port, state)
        time.sleep(1.5)
        assert len(cases()) == 1

        # The port opens: the case hears of it, once.
        with socket.socket() as listener:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", port))
            listener.listen(64)

            def recovery():
                comms = c.describe_communications(caseId=case["caseId"])["communications"]
                return [m for m in comms if m["body"].startswith(f"{target} answers again at")]

            told = wait_for("the recovery message", recovery)
            time.sleep(1)
            assert len(recovery()) == 1, told
            assert len(cases()) == 1
    finally:
        watch.terminate()
        watch.wait(timeout=10)


def test_watch_refuses_a_target_it_cannot_probe(td):
    r = subprocess.run([BIN, "watch", "--target", "ftp://example.com", "--access-key-id", "x",
                        "--secret-access-key", "y"], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "tcp://HOST:PORT" in r.stderr
