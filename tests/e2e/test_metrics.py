"""The operator's view of a running server: `GET /metrics` read by Prometheus's own text
parser (behind its token on the main listener, and without one on --metrics-listen), and
JSON log lines that carry each request's id, as a log shipper reads them."""

import json
import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import client, free_port, post_sign_in


def scrape(url, token=None):
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return r.read().decode()


def families(text):
    """Every family the page holds, by name, as Prometheus's parser reads it (a counter's
    `_total` is its samples' suffix, not its family's name)."""
    return {f.name: f for f in text_string_to_metric_families(text)}


def value(family, **labels):
    hits = [s.value for s in family.samples if all(s.labels.get(k) == v for k, v in labels.items())]
    return sum(hits) if hits else None


def test_metrics_parse_count_and_stay_behind_their_token(td):
    port = free_port()
    url = td.serve("--metrics-token", "e2e-token", "--metrics-listen", f"127.0.0.1:{port}",
                   "--log-format", "json", log="debug")
    _, key = td.account("aws.business")
    c = client(url, key)
    c.describe_severity_levels()
    c.describe_severity_levels()
    case = c.create_case(subject="Link down", communicationBody="ping fails", severityCode="urgent",
                         serviceCode="amazon-elastic-compute-cloud-linux", categoryCode="general-guidance")
    assert post_sign_in(url, "nobody@example.com") == 401

    # The main listener wants the token.
    for token in (None, "wrong"):
        with pytest.raises(urllib.error.HTTPError) as e:
            scrape(url + "/metrics", token)
        assert e.value.code == 401
    main = families(scrape(url + "/metrics", "e2e-token"))
    requests = main["tierdesk_http_requests"]
    assert requests.type == "counter"
    assert value(requests, surface="aws", operation="DescribeSeverityLevels", outcome="ok") == 2
    assert value(requests, surface="aws", operation="CreateCase", outcome="ok") == 1
    assert value(requests, surface="console", operation="/console/sign-in", outcome="client_error") == 1
    assert value(main["tierdesk_sign_in_failures"], reason="wrong_credentials") == 1
    latency = main["tierdesk_http_request_duration_seconds"]
    assert latency.type == "histogram"
    assert value(latency, surface="aws", le="+Inf") >= 3
    assert value(main["tierdesk_open_cases"], plan="aws.business") >= 1
    assert value(main["tierdesk_oldest_open_case_age_seconds"], plan="aws.business") >= 0
    assert main["tierdesk_build_info"].samples[0].labels["version"]
    for name in ("tierdesk_sla_events", "tierdesk_webhook_outbox_backlog", "tierdesk_writer_batch_size",
                 "tierdesk_writer_commit_seconds", "tierdesk_writer_flush_seconds",
                 "tierdesk_writer_failed_batches"):
        assert name in main, name
    assert value(main["tierdesk_writer_batch_size"], le="+Inf") >= 1
    # SQLite's writes are answered after the syncer flushed their commits (the store's
    # durable.rs); PostgreSQL's COMMIT flushes itself.
    flushes = value(main["tierdesk_writer_flush_seconds"], le="+Inf")
    if td.backend == "sqlite":
        assert flushes >= 1
    else:
        assert flushes == 0
    # The server's resident memory, under Prometheus's standard name (Linux).
    rss = main["process_resident_memory_bytes"]
    assert rss.type == "gauge"
    assert 1e6 < rss.samples[0].value < 1e12

    # The private listener needs none, and says the same.
    private = families(scrape(f"http://127.0.0.1:{port}/metrics"))
    assert value(private["tierdesk_http_requests"], surface="aws", operation="CreateCase", outcome="ok") == 1

    # Every line on stderr is a JSON object; the AWS call's line carries its request id.
    request_id = case["ResponseMetadata"]["RequestId"]
    log = (td.workdir / f"serve-{url.rsplit(':', 1)[1]}.log").read_text().splitlines()
    lines = [json.loads(line) for line in log if line.startswith("{")]
    assert lines and all("level" in x and "timestamp" in x for x in lines)
    mine = [x for x in lines if x.get("span", {}).get("id") == request_id]
    assert any(x["fields"].get("message") == "aws request" for x in mine), mine
    assert all(x["span"]["surface"] == "aws" for x in mine)
