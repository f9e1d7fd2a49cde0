"""Cases opened by monitoring: Alertmanager's webhook (payload version 4) against a
running server, with a token made by `tierdesk integration create`. A firing group opens
a case that boto3 reads, firing again writes on it, resolution adds a note and (as the
token asks) resolves it; a revoked token is refused."""

import json
import urllib.error
import urllib.request

from conftest import client


def notify(url, token, payload):
    req = urllib.request.Request(url + "/api/v1/integrations/alertmanager", data=json.dumps(payload).encode(),
                                 method="POST", headers={"Authorization": f"Bearer {token}",
                                                         "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def payload(status, ends_at="0001-01-01T00:00:00Z"):
    """Alertmanager's notification for a group of two alerts, as it sends them."""
    labels = {"alertname": "DirectConnectDown", "connection": "dxcon-ffabc123", "region": "ap-northeast-1",
              "severity": "critical"}
    alerts = []
    for i, instance in enumerate(["dxvif-fg1a2b3c", "dxvif-fg4d5e6f"]):
        alerts.append({
            "status": status, "labels": {**labels, "instance": instance},
            "annotations": {"summary": "Direct Connect link down",
                            "description": f"ping over {instance} failed 5 times"},
            "startsAt": f"2026-11-23T01:0{i}:00Z", "endsAt": ends_at,
            "generatorURL": "http://prometheus:9090/graph?g0.expr=probe_success",
            "fingerprint": f"a1b2c3d4e5f6a7b{i}",
        })
    return {"receiver": "tierdesk", "status": status, "alerts": alerts,
            "groupLabels": {"alertname": "DirectConnectDown"}, "commonLabels": labels,
            "commonAnnotations": {"summary": "Direct Connect link down"},
            "externalURL": "http://alertmanager:9093", "version": "4",
            "groupKey": '{}:{alertname="DirectConnectDown"}', "truncatedAlerts": 0}


def test_alertmanager_opens_follows_and_resolves_a_case(td):
    account, key = td.account("aws.enterprise_2025", timezone="Asia/Tokyo")
    made = json.loads(td.cli("integration", "create", "--account", account, "--name", "prometheus",
                             "--resolve-cases", "--json").stdout)
    token = made["token"]
    assert token.startswith("tdim_")

    status, r = notify(td.url, token, payload("firing"))
    assert (status, r["action"]) == (200, "opened"), r
    c = client(td.url, key)
    case = c.describe_cases(caseIdList=[r["caseId"]], includeCommunications=True)["cases"][0]
    assert case["severityCode"] == "critical"
    body = case["recentCommunications"]["communications"][0]["body"]
    assert "Started: 2026-11-23 10:00 JST (Asia/Tokyo)" in body
    assert "Region: ap-northeast-1" in body and "dxvif-fg4d5e6f" in body

    assert notify(td.url, token, payload("firing"))[1] == {"action": "added", "caseId": r["caseId"]}
    assert notify(td.url, token, payload("resolved", "2026-11-23T01:30:00Z"))[1]["action"] == "resolved"
    case = c.describe_cases(caseIdList=[r["caseId"]], includeResolvedCases=True,
                            includeCommunications=True)["cases"][0]
    assert case["status"] == "resolved"
    assert "resolved at 2026-11-23 10:30 JST" in case["recentCommunications"]["communications"][0]["body"]

    listed = json.loads(td.cli("integration", "list", "--account", account, "--json").stdout)
    assert [t["id"] for t in listed] == [made["id"]] and "token" not in listed[0]
    td.cli("integration", "revoke", made["id"])
    assert notify(td.url, token, payload("firing"))[0] == 401
    assert td.cli("integration", "revoke", made["id"], check=False).returncode != 0
