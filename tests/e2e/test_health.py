"""AWS Health end to end: events published, revised and closed with the CLI, read through
boto3 and the AWS CLI exactly as AWS answers: every filter, pagination bound to its
filters, details with failedSet, entities and aggregates, the organization view of a
payer, plan gating, isolation between accounts, and EventBridge-shaped webhooks. On
SQLite and PostgreSQL."""

import json
import os
import shutil
import subprocess
import tempfile
import time

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from conftest import TEST_LIMITS, Tierdesk, backends
from test_trusted_advisor import Hook


@pytest.fixture(scope="module", params=backends())
def hd(request):
    workdir = tempfile.mkdtemp(prefix="tierdesk-health-")
    t = Tierdesk(request.param, workdir)
    t.url = t.serve(*TEST_LIMITS)
    yield t
    t.close()
    shutil.rmtree(workdir, ignore_errors=True)


def health(t, key):
    return boto3.client(
        "health", endpoint_url=t.url, region_name="us-east-1",
        aws_access_key_id=key["access_key_id"], aws_secret_access_key=key["secret_access_key"],
        config=Config(retries={"total_max_attempts": 1}))


def publish(t, *args):
    return json.loads(t.cli("health", "publish", *args, "--json").stdout)["arn"]


def aws_cli(t, key, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key["access_key_id"], AWS_SECRET_ACCESS_KEY=key["secret_access_key"],
               AWS_DEFAULT_REGION="us-east-1")
    r = subprocess.run(["aws", *args, "--endpoint-url", t.url, "--output", "json"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def arns_of(events):
    return [e["arn"] for e in events]


def test_public_and_account_events_reach_only_whom_they_concern(hd):
    a, a_key = hd.account("aws.business")
    b, b_key = hd.account("aws.business")
    hd.cli("account", "set-regions", "--id", a, "--regions", "sa-east-1,ap-south-1")
    hd.cli("account", "set-regions", "--id", b, "--regions", "ap-south-1")
    mine = publish(hd, "--service", "EC2", "--type", "AWS_EC2_OPERATIONAL_ISSUE", "--category", "issue",
                   "--region", "sa-east-1", "--description", "Elevated launch errors in sa-east-1",
                   "--title", "Launch errors")
    elsewhere = publish(hd, "--service", "EC2", "--type", "AWS_EC2_OPERATIONAL_ISSUE", "--category", "issue",
                        "--region", "eu-north-1", "--description", "Not in A's regions")
    retire = publish(hd, "--service", "EC2", "--type", "AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED",
                     "--category", "scheduledChange", "--region", "ap-south-1", "--entity", f"{a}:i-0abc",
                     "--entity", f"{a}:i-0def", "--description", "Two instances retire",
                     "--start", "2030-01-10T00:00:00Z")
    assert retire.startswith("arn:aws:health:ap-south-1::event/EC2/AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED/"
                             "AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED_")
    seen_by_a = arns_of(health(hd, a_key).describe_events(filter={"regions": ["sa-east-1", "ap-south-1", "eu-north-1"]})["events"])
    assert mine in seen_by_a and retire in seen_by_a and elsewhere not in seen_by_a
    # Newest lastUpdatedTime first.
    assert seen_by_a.index(retire) < seen_by_a.index(mine)
    seen_by_b = arns_of(health(hd, b_key).describe_events(filter={"regions": ["sa-east-1", "ap-south-1"]})["events"])
    assert retire not in seen_by_b and mine not in seen_by_b

    ev = [e for e in health(hd, a_key).describe_events(filter={"eventArns": [retire]})["events"]][0]
    assert ev["eventScopeCode"] == "ACCOUNT_SPECIFIC" and ev["statusCode"] == "upcoming"
    assert ev["eventTypeCategory"] == "scheduledChange" and ev["region"] == "ap-south-1"
    assert ev["actionability"] == "ACTION_REQUIRED" and ev["personas"] == ["OPERATIONS"]
    assert ev["startTime"].year == 2030

    # Another account's event answers exactly as an unknown one.
    unknown = retire[:-4] + "0000"
    d = health(hd, b_key).describe_event_details(eventArns=[retire, unknown])
    assert d["successfulSet"] == []
    assert [f["eventArn"] for f in d["failedSet"]] == [retire, unknown]
    assert d["failedSet"][0]["errorName"] == d["failedSet"][1]["errorName"]
    assert d["failedSet"][0]["errorMessage"] == d["failedSet"][1]["errorMessage"]
    assert health(hd, b_key).describe_affected_entities(filter={"eventArns": [retire]})["entities"] == []
    assert health(hd, b_key).describe_entity_aggregates(eventArns=[retire])["entityAggregates"] == []

    ents = health(hd, a_key).describe_affected_entities(filter={"eventArns": [retire]})["entities"]
    assert sorted(e["entityValue"] for e in ents) == ["i-0abc", "i-0def"]
    assert {e["statusCode"] for e in ents} == {"IMPAIRED"} and {e["awsAccountId"] for e in ents} == {a}
    assert all(e["entityArn"].startswith(f"arn:aws:health:ap-south-1:{a}:entity/") for e in ents)


def test_revisions_status_and_entities_are_served_as_aws_does(hd):
    a, key = hd.account("aws.business")
    hd.cli("account", "set-regions", "--id", a, "--regions", "ca-central-1")
    arn = publish(hd, "--service", "RDS", "--type", "AWS_RDS_MAINTENANCE_SCHEDULED", "--category", "scheduledChange",
                  "--region", "ca-central-1", "--account", a, "--description", "First text",
                  "--start", "2020-01-01T00:00:00Z")
    h = health(hd, key)
    first = h.describe_event_details(eventArns=[arn])["successfulSet"][0]
    assert first["eventDescription"]["latestDescription"] == "First text"
    assert first["event"]["statusCode"] == "open"
    hd.cli("health", "update", "--arn", arn, "--description", "Second text")
    hd.cli("health", "entity", "--arn", arn, "--account", a, "--entity", "db-1", "--status", "PENDING")
    hd.cli("health", "entity", "--arn", arn, "--account", a, "--entity", "db-2", "--status", "IMPAIRED")
    hd.cli("health", "entity", "--arn", arn, "--account", a, "--entity", "db-1", "--status", "RESOLVED")
    second = h.describe_event_details(eventArns=[arn])["successfulSet"][0]
    assert second["eventDescription"]["latestDescription"] == "Second text"
    assert second["event"]["lastUpdatedTime"] > first["event"]["lastUpdatedTime"]
    agg = h.describe_entity_aggregates(eventArns=[arn])["entityAggregates"]
    assert agg == [{"eventArn": arn, "count": 2, "statuses": {"IMPAIRED": 1, "RESOLVED": 1}}]
    resolved = h.describe_affected_entities(filter={"eventArns": [arn], "statusCodes": ["RESOLVED"]})["entities"]
    assert [e["entityValue"] for e in resolved] == ["db-1"]

    closed = json.loads(hd.cli("health", "update", "--arn", arn, "--status", "closed", "--json").stdout)
    assert closed["statusCode"] == "closed" and closed["endTime"]
    ev = h.describe_events(filter={"eventArns": [arn]})["events"][0]
    assert ev["statusCode"] == "closed" and "endTime" in ev
    assert arn in arns_of(h.describe_events(filter={"eventStatusCodes": ["closed"], "regions": ["ca-central-1"]})["events"])
    assert arn not in arns_of(h.describe_events(filter={"eventStatusCodes": ["open"], "regions": ["ca-central-1"]})["events"])

    # The operator's mistakes are refused with the rule broken.
    bad = hd.cli("health", "update", "--arn", arn + "x", "--status", "open", check=False)
    assert bad.returncode != 0 and "no Health event" in bad.stderr
    bad = hd.cli("health", "publish", "--service", "EC2", "--type", "AWS_NOT_A_TYPE", "--category", "issue",
                 "--region", "us-east-1", "--description", "x", check=False)
    assert bad.returncode != 0 and "AWS_NOT_A_TYPE" in bad.stderr
    bad = hd.cli("health", "publish", "--service", "EC2", "--type", "AWS_EC2_OPERATIONAL_ISSUE", "--category",
                 "issue", "--region", "us-east-1", "--account", "999999999999", "--description", "x", check=False)
    assert bad.returncode != 0 and "999999999999" in bad.stderr


def test_every_filter_and_pagination_bound_to_its_filters(hd):
    a, key = hd.account("aws.business")
    hd.cli("account", "set-regions", "--id", a, "--regions", "eu-west-3")
    made = []
    for i in range(7):
        made.append(publish(hd, "--service", "LAMBDA", "--type", "AWS_LAMBDA_OPERATIONAL_ISSUE", "--category", "issue",
                            "--region", "eu-west-3", "--availability-zone", "eu-west-3a" if i % 2 else "eu-west-3b",
                            "--description", f"Lambda issue {i}", "--start", f"2026-0{i + 1}-01T00:00:00Z",
                            "--end" if i < 3 else "--title", "2026-09-01T00:00:00Z" if i < 3 else f"Issue {i}"))
    billing = publish(hd, "--service", "BILLING", "--type", "AWS_BILLING_NOTIFICATION", "--category",
                      "accountNotification", "--region", "global", "--account", a, "--description", "Your bill")
    h = health(hd, key)
    base = {"regions": ["eu-west-3"], "services": ["LAMBDA"]}
    got = arns_of(h.describe_events(filter=base)["events"])
    assert sorted(got) == sorted(made) and got == list(reversed(made))
    # Pages of 3: the same events, in the same order, each once.
    pages, token = [], None
    while True:
        kw = {"filter": base, "maxResults": 3, **({"nextToken": token} if token else {})}
        r = h.describe_events(**kw)
        pages.append(arns_of(r["events"]))
        token = r.get("nextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [3, 3, 1] and sum(pages, []) == got
    # boto3's paginator follows the tokens too.
    paged = sum((arns_of(p["events"]) for p in h.get_paginator("describe_events").paginate(
        filter=base, PaginationConfig={"PageSize": 2})), [])
    assert paged == got
    # A token replayed with other filters, or made up, is InvalidPaginationToken.
    token = h.describe_events(filter=base, maxResults=3)["nextToken"]
    for bad in [token + "x", "QUJDRA"]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            h.describe_events(filter=base, maxResults=3, nextToken=bad)
        assert e.value.response["Error"]["Code"] == "InvalidPaginationToken"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        h.describe_events(filter={**base, "services": ["EC2"]}, maxResults=3, nextToken=token)
    assert e.value.response["Error"]["Code"] == "InvalidPaginationToken"

    # Times as inclusive ranges.
    r = h.describe_events(filter={**base, "startTimes": [{"from": "2026-02-01T00:00:00Z", "to": "2026-04-01T00:00:00Z"}]})
    assert sorted(arns_of(r["events"])) == sorted(made[1:4])
    r = h.describe_events(filter={**base, "startTimes": [{"to": "2026-01-01T00:00:00Z"}, {"from": "2026-07-01T00:00:00Z"}]})
    assert sorted(arns_of(r["events"])) == sorted([made[0], made[6]])
    r = h.describe_events(filter={**base, "endTimes": [{"from": "2026-08-01T00:00:00Z"}]})
    assert sorted(arns_of(r["events"])) == sorted(made[:3])
    r = h.describe_events(filter={**base, "availabilityZones": ["eu-west-3a"]})
    assert sorted(arns_of(r["events"])) == sorted(made[1::2])
    r = h.describe_events(filter={"eventTypeCategories": ["accountNotification"], "regions": ["global"]})
    assert arns_of(r["events"]) == [billing]
    r = h.describe_events(filter={"eventTypeCodes": ["AWS_BILLING_NOTIFICATION"], "personas": ["BILLING"]})
    assert arns_of(r["events"]) == [billing]
    r = h.describe_events(filter={**base, "actionabilities": ["ACTION_REQUIRED"]})
    assert r["events"] == []
    # Ended events are closed on publishing; the others open.
    r = h.describe_events(filter={**base, "eventStatusCodes": ["closed"]})
    assert sorted(arns_of(r["events"])) == sorted(made[:3])

    agg = h.describe_event_aggregates(aggregateField="eventTypeCategory", filter={"regions": ["eu-west-3", "global"], "services": ["LAMBDA", "BILLING"]})
    assert sorted((x["aggregateValue"], x["count"]) for x in agg["eventAggregates"]) == [("accountNotification", 1), ("issue", 7)]

    # Bad members get AWS's validation errors, not silence.
    for bad_filter in [{"eventTypeCategories": ["outage"]}, {"eventStatusCodes": ["OPEN"]}]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            h.describe_events(filter=bad_filter)
        assert e.value.response["Error"]["Code"] == "ValidationException"
        assert "enum value set" in e.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        h.describe_events(locale="fr")
    assert e.value.response["Error"]["Code"] == "UnsupportedLocale"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        h.describe_event_aggregates(aggregateField="services")
    assert e.value.response["Error"]["Code"] == "ValidationException"

    types = h.describe_event_types(filter={"services": ["EC2"], "eventTypeCategories": ["scheduledChange"]})["eventTypes"]
    codes = [t["code"] for t in types]
    assert "AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED" in codes and "AWS_EC2_OPERATIONAL_ISSUE" not in codes
    all_types = sum((p["eventTypes"] for p in h.get_paginator("describe_event_types").paginate(
        PaginationConfig={"PageSize": 10})), [])
    assert len(all_types) == len({t["code"] for t in all_types}) >= 20


def test_ten_thousand_entities_from_a_csv_page_through(hd):
    a, key = hd.account("aws.business")
    b, _ = hd.account("aws.business")
    arn = publish(hd, "--service", "EC2", "--type", "AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED", "--category",
                  "scheduledChange", "--region", "us-east-2", "--account", a, "--description", "Reboots",
                  "--start", "2030-02-01T00:00:00Z")
    csv_path = os.path.join(hd.workdir, "affected.csv")
    with open(csv_path, "w") as f:
        f.write("account_id,entity_value,status\n")
        for i in range(10_000):
            f.write(f"{a if i % 10 else b},i-{i:05d}{',PENDING' if i % 3 == 0 else ''}\n")
    out = json.loads(hd.cli("health", "entities", "--arn", arn, "--file", csv_path, "--json").stdout)
    assert out == {"arn": arn, "entities": 10_000}
    h = health(hd, key)
    agg = h.describe_entity_aggregates(eventArns=[arn])["entityAggregates"][0]
    # A sees its own 9,000 only.
    assert agg["count"] == 9000
    assert agg["statuses"]["PENDING"] + agg["statuses"]["IMPAIRED"] == 9000
    seen = sum((len(p["entities"]) for p in h.get_paginator("describe_affected_entities").paginate(
        filter={"eventArns": [arn]}, PaginationConfig={"PageSize": 100})), 0)
    assert seen == 9000
    one = h.describe_affected_entities(filter={"eventArns": [arn], "entityValues": ["i-00001", "i-00010"]})["entities"]
    assert [e["entityValue"] for e in one] == ["i-00001"]
    # Events by the resources they affect.
    assert arns_of(h.describe_events(filter={"entityValues": ["i-00001"]})["events"]) == [arn]
    # A bad line refuses the whole file, naming it.
    with open(csv_path, "w") as f:
        f.write(f"{a},i-x1\n{a},i-x2,BROKEN\n")
    bad = hd.cli("health", "entities", "--arn", arn, "--file", csv_path, check=False)
    assert bad.returncode != 0 and "line 2" in bad.stderr and "BROKEN" in bad.stderr
    assert h.describe_affected_entities(filter={"eventArns": [arn], "entityValues": ["i-x1"]})["entities"] == []


def test_resource_tags_are_kept_and_filter_entities_and_events(hd):
    a, key = hd.account("aws.business")
    b, key_b = hd.account("aws.business")
    arn = publish(hd, "--service", "RDS", "--type", "AWS_RDS_MAINTENANCE_SCHEDULED", "--category",
                  "scheduledChange", "--region", "eu-west-1", "--account", a, "--description", "Patching",
                  "--start", "2030-03-01T00:00:00Z")
    csv_path = os.path.join(hd.workdir, "tagged.csv")
    with open(csv_path, "w") as f:
        f.write(f"{a},db-web,,team=web;env=prod\n{a},db-batch,PENDING,team=batch;env=prod\n"
                f"{a},db-lab,,team=web;env=lab\n{b},db-theirs,,team=web;env=prod\n")
    hd.cli("health", "entities", "--arn", arn, "--file", csv_path)
    # A status change without tags keeps them; --tag replaces them.
    hd.cli("health", "entity", "--arn", arn, "--account", a, "--entity", "db-web", "--status", "RESOLVED")
    hd.cli("health", "entity", "--arn", arn, "--account", a, "--entity", "db-lab", "--status", "IMPAIRED",
           "--tag", "team=lab", "--tag", "env=lab")
    h = health(hd, key)

    def values(**filt):
        got = h.describe_affected_entities(filter={"eventArns": [arn], **filt})["entities"]
        return sorted(e["entityValue"] for e in got)

    web = h.describe_affected_entities(filter={"eventArns": [arn], "entityValues": ["db-web"]})["entities"][0]
    assert web["statusCode"] == "RESOLVED" and web["tags"] == {"team": "web", "env": "prod"}
    assert values(tags=[{"team": "web"}]) == ["db-web"]
    assert values(tags=[{"env": "prod"}]) == ["db-batch", "db-web"]
    assert values(tags=[{"team": "batch", "env": "prod"}, {"team": "lab"}]) == ["db-batch", "db-lab"]
    assert values(tags=[{"team": "web", "env": "lab"}]) == []
    assert arns_of(h.describe_events(filter={"tags": [{"team": "lab"}]})["events"]) == [arn]
    assert h.describe_events(filter={"tags": [{"team": "nobody"}]})["events"] == []
    # B's tags are B's: A's filters never match them, and B reads its own.
    assert h.describe_events(filter={"tags": [{"env": "prod"}], "eventArns": [arn]})["events"]
    hb = health(hd, key_b)
    assert [e["entityValue"] for e in hb.describe_affected_entities(
        filter={"eventArns": [arn], "tags": [{"team": "web"}]})["entities"]] == ["db-theirs"]
    # A bad tag names the line.
    with open(csv_path, "w") as f:
        f.write(f"{a},db-x,,team=web\n{a},db-y,,team\n")
    bad = hd.cli("health", "entities", "--arn", arn, "--file", csv_path, check=False)
    assert bad.returncode != 0 and "line 2" in bad.stderr and "key=value" in bad.stderr
    with pytest.raises(botocore.exceptions.ClientError) as e:
        h.describe_affected_entities(filter={"eventArns": [arn], "tags": [{"k": "v"}] * 51})
    assert e.value.response["Error"]["Code"] == "ValidationException"


def test_the_organization_view_of_a_payer(hd):
    payer, payer_key = hd.account("aws.enterprise")
    member, _ = hd.account("aws.enterprise")
    outsider, _ = hd.account("aws.enterprise")
    hd.cli("account", "set-payer", "--id", member, "--payer", payer)
    arn = publish(hd, "--service", "EC2", "--type", "AWS_EC2_INSTANCE_NETWORK_MAINTENANCE_SCHEDULED",
                  "--category", "scheduledChange", "--region", "us-west-1", "--entity", f"{member}:i-m1",
                  "--entity", f"{outsider}:i-o1", "--description", "Network maintenance")
    h = health(hd, payer_key)
    assert h.describe_health_service_status_for_organization()["healthServiceAccessStatusForOrganization"] == "DISABLED"
    with pytest.raises(botocore.exceptions.ClientError):
        h.describe_events_for_organization()
    h.enable_health_service_access_for_organization()
    assert h.describe_health_service_status_for_organization()["healthServiceAccessStatusForOrganization"] == "ENABLED"
    events = h.describe_events_for_organization(filter={"awsAccountIds": [member]})["events"]
    assert arn in arns_of(events)
    accounts = h.describe_affected_accounts_for_organization(eventArn=arn)
    assert accounts["affectedAccounts"] == [member] and accounts["eventScopeCode"] == "ACCOUNT_SPECIFIC"
    ents = h.describe_affected_entities_for_organization(
        organizationEntityAccountFilters=[{"eventArn": arn, "awsAccountId": member}])
    assert [e["entityValue"] for e in ents["entities"]] == ["i-m1"] and ents["failedSet"] == []
    ents = h.describe_affected_entities_for_organization(
        organizationEntityAccountFilters=[{"eventArn": arn, "awsAccountId": outsider}])
    assert ents["entities"] == [] and [f["awsAccountId"] for f in ents["failedSet"]] == [outsider]
    d = h.describe_event_details_for_organization(
        organizationEventDetailFilters=[{"eventArn": arn, "awsAccountId": member}, {"eventArn": arn, "awsAccountId": outsider}])
    assert [s["awsAccountId"] for s in d["successfulSet"]] == [member]
    assert d["successfulSet"][0]["eventDescription"]["latestDescription"] == "Network maintenance"
    assert [f["awsAccountId"] for f in d["failedSet"]] == [outsider]
    agg = h.describe_entity_aggregates_for_organization(eventArns=[arn])["organizationEntityAggregates"]
    assert agg[0]["count"] == 1 and agg[0]["accounts"] == [{"accountId": member, "count": 1, "statuses": {"IMPAIRED": 1}}]
    h.disable_health_service_access_for_organization()
    assert h.describe_health_service_status_for_organization()["healthServiceAccessStatusForOrganization"] == "DISABLED"


def test_plans_gate_the_api(hd):
    dev, dev_key = hd.account("aws.developer")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        health(hd, dev_key).describe_events()
    assert e.value.response["Error"]["Code"] == "SubscriptionRequiredException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        health(hd, dev_key).describe_event_types()
    assert e.value.response["Error"]["Code"] == "SubscriptionRequiredException"


def test_the_aws_cli_reads_events(hd):
    a, key = hd.account("aws.business")
    hd.cli("account", "set-regions", "--id", a, "--regions", "ap-northeast-3")
    arn = publish(hd, "--service", "SES", "--type", "AWS_SES_OPERATIONAL_ISSUE", "--category", "issue",
                  "--region", "ap-northeast-3", "--description", "Sending delays")
    out = aws_cli(hd, key, "health", "describe-events", "--filter", "regions=ap-northeast-3,eventStatusCodes=open")
    assert arns_of(out["events"]) == [arn]
    # AWS CLI v1 prints Health's times as sent: epoch seconds.
    assert isinstance(out["events"][0]["startTime"], float)
    details = aws_cli(hd, key, "health", "describe-event-details", "--event-arns", arn)
    assert details["successfulSet"][0]["eventDescription"]["latestDescription"] == "Sending delays"


def test_changes_reach_webhooks_shaped_as_eventbridge_delivers_them(hd):
    hook = Hook()
    try:
        hd.cli("webhook", "add", "--url", hook.url, "--events", "health.event")
        a, _ = hd.account("aws.business")
        arn = publish(hd, "--service", "EC2", "--type", "AWS_EC2_INSTANCE_STORE_DRIVE_PERFORMANCE_DEGRADED",
                      "--category", "issue", "--region", "us-west-2", "--entity", f"{a}:i-abcd1111",
                      "--description", "Drive degraded")
        hd.cli("health", "update", "--arn", arn, "--status", "closed")

        def mine():
            return [e for e in hook.received if e["detail"]["eventArn"] == arn]

        deadline = time.time() + 30
        while time.time() < deadline and len(mine()) < 2:
            time.sleep(0.2)
        # The outbox delivers each event on its own; their order is not promised.
        by_status = {e["detail"]["statusCode"]: e for e in mine()}
        first, closed = by_status["open"], by_status["closed"]
        assert first["source"] == "aws.health" and first["detail-type"] == "AWS Health Event"
        assert first["account"] == a and first["region"] == "us-west-2" and first["resources"] == ["i-abcd1111"]
        d = first["detail"]
        assert d["eventTypeCode"] == "AWS_EC2_INSTANCE_STORE_DRIVE_PERFORMANCE_DEGRADED"
        assert d["eventTypeCategory"] == "issue" and d["service"] == "EC2"
        assert d["eventDescription"] == [{"language": "en_US", "latestDescription": "Drive degraded"}]
        assert d["affectedEntities"] == [{"entityValue": "i-abcd1111", "tags": {}}]
        assert d["startTime"].endswith(" GMT")
        assert "endTime" in closed["detail"] and closed["resources"] == ["i-abcd1111"]
        assert first["id"] != closed["id"]
    finally:
        hook.close()


def test_the_status_page_and_feeds_show_public_events_only(hd):
    import urllib.error
    import urllib.request
    import xml.etree.ElementTree as ET

    import feedparser

    a, _ = hd.account("aws.business")
    public = publish(hd, "--service", "CLOUDFRONT", "--type", "AWS_CLOUDFRONT_OPERATIONAL_ISSUE", "--category",
                     "issue", "--region", "global", "--title", "Elevated 5xx at the edge",
                     "--description", "We are investigating errors <5xx> & timeouts.")
    hd.cli("health", "update", "--arn", public, "--description", "Errors have fallen; we keep watching.")
    regional = publish(hd, "--service", "EC2", "--type", "AWS_EC2_OPERATIONAL_ISSUE", "--category", "issue",
                       "--region", "ap-northeast-1", "--title", "Tokyo launch delays", "--description", "Delays.")
    hd.cli("health", "update", "--arn", regional, "--status", "closed", "--description", "Resolved.")
    private = publish(hd, "--service", "IAM", "--type", "AWS_IAM_OPERATIONAL_NOTIFICATION", "--category",
                      "accountNotification", "--region", "global", "--account", a, "--title", "Secret notice",
                      "--description", "Only for one account")

    def get(path):
        with urllib.request.urlopen(hd.url + path, timeout=10) as r:
            return r.headers.get("content-type"), r.read().decode()

    import html as html_lib

    ctype, html = get("/status")
    assert ctype.startswith("text/html")
    assert "&lt;5xx&gt;" in html or "&#60;5xx&#62;" in html
    html = html_lib.unescape(html)
    assert "Service impact: Elevated 5xx at the edge" in html
    assert "Errors have fallen; we keep watching." in html and "errors <5xx> & timeouts" in html
    assert "Service is operating normally: Tokyo launch delays" in html
    assert "Secret notice" not in html and "Only for one account" not in html

    ctype, body = get("/status/feed.atom")
    assert ctype.startswith("application/atom+xml")
    atom = feedparser.parse(body)
    assert not atom.bozo, atom.bozo_exception
    assert atom.version == "atom10"
    titles = [e.title for e in atom.entries]
    assert "Service impact: Elevated 5xx at the edge" in titles
    assert "Service is operating normally: [RESOLVED] Tokyo launch delays" in titles
    assert not any("Secret" in t for t in titles)
    edge = next(e for e in atom.entries if "edge" in e.title)
    assert edge.id.startswith("urn:uuid:") and edge.content[0].value == "Errors have fallen; we keep watching."
    assert {t.term for t in edge.tags} == {"CLOUDFRONT", "global", "issue", "open"}
    assert edge.updated_parsed and edge.published_parsed

    ctype, body = get("/status/rss/all.rss")
    assert ctype.startswith("application/rss+xml")
    rss = feedparser.parse(body)
    assert not rss.bozo, rss.bozo_exception
    assert rss.version == "rss20" and rss.feed.title == "All services Service Status"
    titles = [e.title for e in rss.entries]
    # One item per revision, newest first, with AWS's prefixes.
    assert "Service impact: Elevated 5xx at the edge" in titles
    assert "Informational message: Elevated 5xx at the edge" in titles
    assert titles.index("Service impact: Elevated 5xx at the edge") < titles.index("Informational message: Elevated 5xx at the edge")
    assert not any("Secret" in t for t in titles)
    # The channel and item layout Grafana's and Checkmk's readers expect of AWS's feed.
    channel = ET.fromstring(body).find("channel")
    for tag in ["title", "link", "language", "lastBuildDate", "generator", "description", "ttl"]:
        assert channel.find(tag) is not None, tag
    item = channel.find("item")
    for tag in ["title", "link", "pubDate", "guid", "description"]:
        assert item.find(tag) is not None, tag
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.find("pubDate").text.endswith(" GMT")

    _, body = get("/status/rss/ec2-ap-northeast-1.rss")
    tokyo = feedparser.parse(body)
    assert tokyo.feed.title == "Amazon Elastic Compute Cloud (Tokyo) Service Status"
    assert tokyo.entries[0].title == "Service is operating normally: [RESOLVED] Tokyo launch delays"
    assert all("Tokyo" in e.title for e in tokyo.entries)
    assert tokyo.entries[0].id.split("#")[1].startswith("ec2-ap-northeast-1_")
    _, body = get("/status/rss/cloudfront.rss")
    assert [e.title for e in feedparser.parse(body).entries][0] == "Service impact: Elevated 5xx at the edge"
    with pytest.raises(urllib.error.HTTPError) as e:
        get("/status/rss/nosuchservice-us-east-1.rss")
    assert e.value.code == 404


def test_the_aws_sdk_for_rust_reads_events_over_cbor(hd):
    """aws-sdk-health speaks Smithy RPC v2 CBOR (`tests/sdk`): events paged with tokens,
    details with failedSet, entities, aggregates, types and a modeled error, its times
    read from CBOR tag 1."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sdk = os.environ.get("TIERDESK_SDK_BIN", os.path.join(root, "tests/sdk/target/debug/tierdesk-sdk-tests"))
    assert os.path.exists(sdk), f"{sdk} is missing: cargo build --manifest-path tests/sdk/Cargo.toml"
    a, key = hd.account("aws.business")
    hd.cli("account", "set-regions", "--id", a, "--regions", "eu-central-1")
    made = [publish(hd, "--service", "EC2", "--type", "AWS_EC2_OPERATIONAL_ISSUE", "--category", "issue",
                    "--region", "eu-central-1", "--description", f"Issue {i}") for i in range(2)]
    arn = publish(hd, "--service", "EC2", "--type", "AWS_EC2_DEDICATED_HOST_MAINTENANCE_SCHEDULED", "--category",
                  "scheduledChange", "--region", "eu-central-1", "--entity", f"{a}:h-0123", "--description",
                  "Host maintenance", "--start", "2030-03-01T12:00:00Z")
    r = subprocess.run([sdk, hd.url, key["access_key_id"], key["secret_access_key"], arn],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    boto = health(hd, key)
    want = arns_of(sum((p["events"] for p in boto.get_paginator("describe_events").paginate(
        filter={"services": ["EC2"], "startTimes": [{"from": 0}]})), []))
    assert [e["arn"] for e in out["events"]] == want
    assert set(made + [arn]) <= set(want) and out["pages"] >= 2
    mine = next(e for e in out["events"] if e["arn"] == arn)
    assert mine["startTime"] == 1898596800.0 and mine["statusCode"] == "upcoming"
    assert mine["eventScopeCode"] == "ACCOUNT_SPECIFIC" and mine["eventTypeCategory"] == "scheduledChange"
    assert out["details"] == [{"arn": arn, "latestDescription": "Host maintenance"}]
    assert out["failed"] == ["arn:aws:health:us-east-1::event/EC2/X/X_none"]
    assert [(e["entityValue"], e["statusCode"], e["awsAccountId"]) for e in out["entities"]] == [("h-0123", "IMPAIRED", a)]
    assert out["aggregates"] == [{"eventArn": arn, "count": 1}]
    assert dict(out["categories"])["scheduledChange"] >= 1
    assert out["types"] == 10 and out["typesNextToken"] is True
    assert out["badTokenError"] == "InvalidPaginationToken"
