"""Every case operation through boto3 and the AWS CLI, as a customer would use them."""

import base64
import json
import os
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import client


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


@pytest.fixture(scope="module")
def business(td):
    account, key = td.account("aws.business", timezone="Asia/Tokyo", country="JP", language="ja")
    return account, key, client(td.url, key)


def test_reference_data(td, business):
    _, _, c = business
    levels = c.describe_severity_levels(language="en")["severityLevels"]
    assert [l["code"] for l in levels] == ["low", "normal", "high", "urgent"]
    assert levels[3]["name"] == "Production system down"

    services = c.describe_services()["services"]
    assert len(services) > 25
    general = [s for s in services if s["code"] == "general-info"][0]
    assert {"code": "using-aws", "name": "Using AWS & Services"} in general["categories"]
    only = c.describe_services(serviceCodeList=["amazon-elastic-compute-cloud-linux", "nope"])["services"]
    assert [s["code"] for s in only] == ["amazon-elastic-compute-cloud-linux"]

    langs = c.describe_supported_languages(issueType="technical", serviceCode="general-info", categoryCode="using-aws")
    assert {l["code"] for l in langs["supportedLanguages"]} == {"en", "ja", "zh", "ko"}

    opts = c.describe_create_case_options(
        issueType="technical", serviceCode="general-info", language="en", categoryCode="using-aws")
    assert opts["languageAvailability"] == "available"
    kinds = [t["type"] for t in opts["communicationTypes"]]
    assert kinds == ["web", "chat", "call"]
    assert opts["communicationTypes"][0]["supportedHours"] == [{"startTime": "00:00:00.000", "endTime": "23:59:59.999"}]


def test_case_lifecycle_with_attachments(td, business):
    account, _, c = business
    files = [{"fileName": "app.log", "data": b"line 1\nline 2\n"}, {"fileName": "trace.txt", "data": bytes(range(256))}]
    s = c.add_attachments_to_set(attachments=files[:1])
    s = c.add_attachments_to_set(attachmentSetId=s["attachmentSetId"], attachments=files[1:])
    assert s["attachmentSetId"].startswith("as-")
    assert s["expiryTime"].endswith("Z")

    case_id = c.create_case(
        subject="us-east-1: i-0abc123 unreachable since 14:02 UTC",
        serviceCode="amazon-elastic-compute-cloud-linux",
        categoryCode="instance-issue",
        severityCode="urgent",
        communicationBody="Instance i-0abc123 stopped answering at 14:02 UTC.",
        ccEmailAddresses=["ops@example.com"],
        language="ja",
        issueType="technical",
        attachmentSetId=s["attachmentSetId"],
    )["caseId"]
    parts = case_id.split("-")
    assert parts[0] == "case" and parts[1] == account and len(parts[2]) == 4 and len(parts[4]) == 16

    case = c.describe_cases(caseIdList=[case_id])["cases"][0]
    assert case["status"] == "opened"
    assert case["severityCode"] == "urgent"
    assert case["ccEmailAddresses"] == ["ops@example.com"]
    assert case["language"] == "ja"
    assert case["displayId"].isdigit() and case["displayId"] != case_id
    first = case["recentCommunications"]["communications"][0]
    assert first["body"].startswith("Instance i-0abc123")
    assert sorted(a["fileName"] for a in first["attachmentSet"]) == ["app.log", "trace.txt"]

    by_display = c.describe_cases(displayId=case["displayId"])["cases"]
    assert [x["caseId"] for x in by_display] == [case_id]

    for a in first["attachmentSet"]:
        got = c.describe_attachment(attachmentId=a["attachmentId"])["attachment"]
        want = [f for f in files if f["fileName"] == a["fileName"]][0]
        assert got == {"fileName": want["fileName"], "data": want["data"]}

    assert c.add_communication_to_case(caseId=case_id, communicationBody="More detail: it is back.")["result"] is True
    comms = c.describe_communications(caseId=case_id)["communications"]
    assert [m["body"] for m in comms] == ["More detail: it is back.", first["body"]]
    assert comms[1]["attachmentSet"] and comms[0]["attachmentSet"] == []

    without = c.describe_cases(caseIdList=[case_id], includeCommunications=False)["cases"][0]
    assert "recentCommunications" not in without

    r = c.resolve_case(caseId=case_id)
    assert (r["initialCaseStatus"], r["finalCaseStatus"]) == ("opened", "resolved")
    assert c.describe_cases(caseIdList=[case_id])["cases"] == []
    resolved = c.describe_cases(caseIdList=[case_id], includeResolvedCases=True)["cases"]
    assert resolved[0]["status"] == "resolved"
    # A reply reopens it.
    c.add_communication_to_case(caseId=case_id, communicationBody="It broke again.")
    assert c.describe_cases(caseIdList=[case_id])["cases"][0]["status"] == "reopened"


def test_time_filters_and_language(td, business):
    _, _, c = business
    case_id = c.create_case(subject="TEST CASE-Please ignore", communicationBody="time filter", language="ko")["caseId"]
    created = c.describe_cases(caseIdList=[case_id])["cases"][0]["timeCreated"]
    # The AWS CLI's own example: afterTime equal to timeCreated includes the case.
    assert [x["caseId"] for x in c.describe_cases(afterTime=created, language="ko")["cases"]] == [case_id]
    assert c.describe_cases(beforeTime="2020-01-01T00:00:00Z")["cases"] == []
    after_offset = c.describe_cases(afterTime="2020-01-01T09:00:00+09:00", language="ko")["cases"]
    assert case_id in [x["caseId"] for x in after_offset]


def test_pagination(td):
    _, key = td.account("aws.business_plus")
    c = client(td.url, key)
    ids = {c.create_case(subject=f"case {i}", communicationBody="x")["caseId"] for i in range(25)}
    seen = []
    for page in c.get_paginator("describe_cases").paginate(PaginationConfig={"PageSize": 10}):
        assert len(page["cases"]) <= 10
        seen += [x["caseId"] for x in page["cases"]]
    assert len(seen) == 25 and set(seen) == ids

    case_id = sorted(ids)[0]
    for i in range(11):
        c.add_communication_to_case(caseId=case_id, communicationBody=f"reply {i}")
    recent = c.describe_cases(caseIdList=[case_id])["cases"][0]["recentCommunications"]
    assert len(recent["communications"]) == 5 and recent["nextToken"]
    older = c.describe_communications(caseId=case_id, nextToken=recent["nextToken"], maxResults=10)
    assert older["communications"][0]["body"] == "reply 5"
    bodies = []
    for page in c.get_paginator("describe_communications").paginate(caseId=case_id, PaginationConfig={"PageSize": 10}):
        bodies += [m["body"] for m in page["communications"]]
    assert len(bodies) == 12 and bodies[0] == "reply 10" and bodies[-1] == "x"

    # A token belongs to its filters.
    first = c.describe_cases(maxResults=10)
    with pytest.raises(ClientError) as e:
        c.describe_cases(maxResults=10, nextToken=first["nextToken"], language="ja")
    assert code(e) == "ValidationException"


def test_aws_cli(td):
    _, key = td.account("aws.enterprise_2025")
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key["access_key_id"], AWS_SECRET_ACCESS_KEY=key["secret_access_key"],
               AWS_DEFAULT_REGION="eu-west-1", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")

    def aws(*args):
        r = subprocess.run(["aws", "support", *args, "--endpoint-url", td.url, "--output", "json"],
                           env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout) if r.stdout.strip() else {}

    levels = aws("describe-severity-levels")["severityLevels"]
    assert levels[-1] == {"code": "critical", "name": "Business-critical system down"}
    case_id = aws("create-case", "--subject", "TEST CASE-Please ignore", "--communication-body", "from the CLI",
                  "--severity-code", "critical", "--service-code", "general-info", "--category-code", "using-aws")["caseId"]
    cases = aws("describe-cases", "--case-id-list", case_id, "--include-communications")["cases"]
    assert cases[0]["severityCode"] == "critical"
    assert aws("add-communication-to-case", "--case-id", case_id, "--communication-body", "done")["result"] is True
    assert aws("describe-communications", "--case-id", case_id)["communications"][0]["body"] == "done"
    assert aws("resolve-case", "--case-id", case_id)["finalCaseStatus"] == "resolved"

    bad = subprocess.run(["aws", "support", "describe-cases", "--case-id-list", "case-nope", "--endpoint-url", td.url],
                         env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "CaseIdNotFound" in bad.stderr


def test_blob_round_trip_via_cli_file(td, tmp_path):
    _, key = td.account("aws.business")
    c = client(td.url, key)
    payload = os.urandom(1024 * 1024)
    s = c.add_attachments_to_set(attachments=[{"fileName": "core.bin", "data": payload}])
    case_id = c.create_case(subject="binary", communicationBody="see core.bin", attachmentSetId=s["attachmentSetId"])["caseId"]
    att = c.describe_communications(caseId=case_id)["communications"][0]["attachmentSet"][0]
    assert c.describe_attachment(attachmentId=att["attachmentId"])["attachment"]["data"] == payload
    assert base64.b64encode(payload)  # sanity: payload is binary, sent as base64 on the wire
