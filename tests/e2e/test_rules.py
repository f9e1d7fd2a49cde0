"""Plan rules, limits, errors, authentication and cross-account isolation."""

import datetime
import json
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import client, raw_call


def err(fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    r = e.value.response
    return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]


def count_cases(c):
    return len(c.describe_cases(includeResolvedCases=True, includeCommunications=False)["cases"])


@pytest.fixture(scope="module")
def ent(td):
    _, key = td.account("aws.enterprise_2025")
    return key, client(td.url, key)


# ── the plan decides ──────────────────────────────────────────────────────────────

@pytest.mark.parametrize("plan", ["aws.developer", "aws.basic"])
def test_plans_without_api_access_are_refused_everywhere(td, plan):
    _, key = td.account(plan)
    c = client(td.url, key)
    calls = [
        (c.describe_severity_levels, {}),
        (c.describe_services, {}),
        (c.create_case, {"subject": "s", "communicationBody": "b"}),
        (c.describe_cases, {}),
        (c.describe_communications, {"caseId": "case-x"}),
        (c.add_communication_to_case, {"caseId": "case-x", "communicationBody": "b"}),
        (c.resolve_case, {"caseId": "case-x"}),
        (c.add_attachments_to_set, {"attachments": [{"fileName": "a", "data": b"a"}]}),
        (c.describe_attachment, {"attachmentId": "attachment-x"}),
        (c.describe_supported_languages, {"issueType": "technical", "serviceCode": "general-info", "categoryCode": "using-aws"}),
        (c.describe_create_case_options, {"issueType": "technical", "serviceCode": "general-info", "language": "en", "categoryCode": "using-aws"}),
        (c.describe_trusted_advisor_checks, {"language": "en"}),
    ]
    for fn, kw in calls:
        code, msg, status = err(fn, **kw)
        assert (code, status) == ("SubscriptionRequiredException", 400), fn
        assert "Subscription is required" in msg


def test_severity_above_the_plan_is_refused(td):
    _, key = td.account("aws.business")
    c = client(td.url, key)
    code, msg, _ = err(c.create_case, subject="s", communicationBody="b", severityCode="critical")
    assert code == "ValidationException"
    assert "critical" in msg and "aws.business" in msg and "urgent" in msg
    assert count_cases(c) == 0


def test_monthly_case_cap(td):
    _, key = td.account("aliyun.enterprise_trial", timezone="Asia/Shanghai", country="CN", language="zh")
    c = client(td.url, key)
    assert [l["code"] for l in c.describe_severity_levels()["severityLevels"]] == ["low", "normal", "urgent"]
    for i in range(30):
        c.create_case(subject=f"工单 {i}", communicationBody="请帮忙", language="zh")
    code, msg, status = err(c.create_case, subject="31st", communicationBody="b")
    assert (code, status) == ("CaseCreationLimitExceeded", 400)
    assert "30" in msg
    assert count_cases(c) == 30


def test_plan_change_applies_to_new_calls(td):
    account, key = td.account("aws.business")
    c = client(td.url, key)
    td.cli("account", "set-plan", "--id", account, "--plan", "aws.enterprise_2025")
    # The test server caches keys for 0 ms, so the new plan is seen at once.
    assert c.describe_severity_levels()["severityLevels"][-1]["code"] == "critical"
    history = json.loads(td.cli("account", "show", account, "--json").stdout)["plan_history"]
    assert [h["plan"] for h in history][-1] == "aws.enterprise_2025"


def test_trusted_advisor_without_an_inventory_is_not_available_not_invented(ent):
    _, c = ent
    result = c.describe_trusted_advisor_check_result(checkId="HCP4007jGY", language="en")["result"]
    assert result["status"] == "not_available" and result["flaggedResources"] == []


# ── isolation ─────────────────────────────────────────────────────────────────────

def test_accounts_never_see_each_other(td, ent):
    _, a = ent
    _, key_b = td.account("aws.enterprise_2025")
    b = client(td.url, key_b)
    s = a.add_attachments_to_set(attachments=[{"fileName": "secret.txt", "data": b"secret"}])
    case_id = a.create_case(subject="private", communicationBody="private", attachmentSetId=s["attachmentSetId"])["caseId"]
    att = a.describe_communications(caseId=case_id)["communications"][0]["attachmentSet"][0]["attachmentId"]
    s2 = a.add_attachments_to_set(attachments=[{"fileName": "more.txt", "data": b"more"}])
    unknown_case = "case-" + case_id.split("-", 1)[1][:-1] + ("0" if case_id[-1] != "0" else "1")

    for fn, field, real, fake in [
        (b.describe_cases, "caseIdList", [case_id], [unknown_case]),
        (b.describe_communications, "caseId", case_id, unknown_case),
        (b.resolve_case, "caseId", case_id, unknown_case),
    ]:
        # B asking about A's record answers exactly as asking about an unknown one.
        got = err(fn, **{field: real})
        want = err(fn, **{field: fake})
        assert got[0] == want[0] == "CaseIdNotFound"
        assert got[1].replace(case_id, "ID") == want[1].replace(unknown_case, "ID")

    got = err(b.add_communication_to_case, caseId=case_id, communicationBody="hi")
    assert got[0] == "CaseIdNotFound"
    got = err(b.describe_attachment, attachmentId=att)
    want = err(b.describe_attachment, attachmentId=att + "0")
    assert got[0] == want[0] == "AttachmentIdNotFound"
    got = err(b.add_attachments_to_set, attachmentSetId=s2["attachmentSetId"], attachments=[{"fileName": "x", "data": b"x"}])
    assert got[0] == "AttachmentSetIdNotFound"
    got = err(b.create_case, subject="x", communicationBody="x", attachmentSetId=s2["attachmentSetId"])
    assert got[0] == "AttachmentSetIdNotFound"
    assert b.describe_cases(includeResolvedCases=True)["cases"] == []
    assert b.describe_cases(displayId=a.describe_cases(caseIdList=[case_id])["cases"][0]["displayId"])["cases"] == []
    # A's case is untouched.
    assert a.describe_cases(caseIdList=[case_id])["cases"][0]["status"] == "opened"
    assert len(a.describe_communications(caseId=case_id)["communications"]) == 1


# ── attachments ───────────────────────────────────────────────────────────────────

def test_attachment_limits(td):
    _, key = td.account("aws.business")
    c = client(td.url, key)
    four = [{"fileName": f"f{i}", "data": b"x"} for i in range(4)]
    assert err(c.add_attachments_to_set, attachments=four)[0] == "AttachmentSetSizeLimitExceeded"
    s = c.add_attachments_to_set(attachments=four[:3])["attachmentSetId"]
    assert err(c.add_attachments_to_set, attachmentSetId=s, attachments=four[:1])[0] == "AttachmentSetSizeLimitExceeded"
    big = [{"fileName": "big.bin", "data": b"\0" * (5 * 1024 * 1024 + 1)}]
    code, msg, _ = err(c.add_attachments_to_set, attachments=big)
    assert code == "AttachmentSetSizeLimitExceeded" and "5 MB" in msg
    exactly = c.add_attachments_to_set(attachments=[{"fileName": "ok.bin", "data": b"\1" * (5 * 1024 * 1024)}])
    assert exactly["attachmentSetId"]
    assert err(c.add_attachments_to_set, attachmentSetId="as-nope", attachments=four[:1])[0] == "AttachmentSetIdNotFound"
    assert err(c.create_case, subject="s", communicationBody="b", attachmentSetId="as-nope")[0] == "AttachmentSetIdNotFound"
    assert err(c.describe_attachment, attachmentId="attachment-nope")[0] == "AttachmentIdNotFound"
    # The test server lets a set live 3 seconds.
    old = c.add_attachments_to_set(attachments=four[:1])["attachmentSetId"]
    time.sleep(3.2)
    assert err(c.add_attachments_to_set, attachmentSetId=old, attachments=four[:1])[0] == "AttachmentSetExpired"
    before = count_cases(c)
    assert err(c.create_case, subject="s", communicationBody="b", attachmentSetId=old)[0] == "AttachmentSetExpired"
    assert count_cases(c) == before


def test_attachment_rate_limits(td):
    _, key = td.account("aws.business")
    c = client(td.url, key)
    # Windows are calendar minutes: twice the limit plus one cannot fit in two windows.
    codes = []
    for _ in range(51):
        try:
            c.add_attachments_to_set(attachments=[{"fileName": "a", "data": b"a"}])
            codes.append("ok")
        except ClientError as e:
            codes.append(e.response["Error"]["Code"])
    assert "AttachmentLimitExceeded" in codes
    assert codes.count("ok") <= 50

    _, key2 = td.account("aws.business")
    c2 = client(td.url, key2)
    set_id = c2.add_attachments_to_set(attachments=[{"fileName": "a", "data": b"a"}])["attachmentSetId"]
    case_id = c2.create_case(subject="s", communicationBody="b", attachmentSetId=set_id)["caseId"]
    att = c2.describe_communications(caseId=case_id)["communications"][0]["attachmentSet"][0]["attachmentId"]
    seen = set()
    for _ in range(81):
        try:
            c2.describe_attachment(attachmentId=att)
            seen.add("ok")
        except ClientError as e:
            seen.add(e.response["Error"]["Code"])
    assert seen == {"ok", "DescribeAttachmentLimitExceeded"}


# ── malformed input ───────────────────────────────────────────────────────────────

def test_malformed_requests_get_aws_errors_and_write_nothing(td, ent):
    key, c = ent
    before = count_cases(c)
    cases = [
        ("CreateCase", b"{not json", "SerializationException"),
        ("CreateCase", {"subject": 5, "communicationBody": "b"}, "SerializationException"),
        ("CreateCase", {"subject": "s", "communicationBody": "b", "colour": "red"}, "SerializationException"),
        ("CreateCase", b'{"subject": "\\ud800", "communicationBody": "b"}', "SerializationException"),
        ("CreateCase", {"subject": "nul \u0000 here", "communicationBody": "b"}, "ValidationException"),
        ("CreateCase", {"subject": "s", "communicationBody": "b" * 8001}, "ValidationException"),
        ("CreateCase", {"subject": "s", "communicationBody": ""}, "ValidationException"),
        ("CreateCase", {"communicationBody": "b"}, "ValidationException"),
        ("CreateCase", {"subject": "s", "communicationBody": "b", "ccEmailAddresses": [f"a{i}@x.io" for i in range(11)]}, "ValidationException"),
        ("CreateCase", {"subject": "s", "communicationBody": "b", "ccEmailAddresses": ["not-an-address"]}, "ValidationException"),
        ("CreateCase", {"subject": "s", "communicationBody": "b", "language": "fr"}, "ValidationException"),
        ("CreateCase", {"subject": "s", "communicationBody": "b", "issueType": "sales"}, "ValidationException"),
        ("CreateCase", {"subject": "s", "communicationBody": "b", "serviceCode": "nope", "categoryCode": "x"}, "ValidationException"),
        ("CreateCase", {"subject": "s", "communicationBody": "b", "severityCode": "sev1"}, "ValidationException"),
        ("CreateCase", [1, 2], "SerializationException"),
        ("DescribeCases", {"maxResults": 5}, "ValidationException"),
        ("DescribeCases", {"maxResults": 101}, "ValidationException"),
        ("DescribeCases", {"caseIdList": [f"case-{i}" for i in range(101)]}, "ValidationException"),
        ("DescribeCases", {"afterTime": "yesterday"}, "ValidationException"),
        ("DescribeCases", {"nextToken": "garbage"}, "ValidationException"),
        ("DescribeCases", {"displayId": "abc"}, "ValidationException"),
        ("AddCommunicationToCase", {"communicationBody": "b"}, "ValidationException"),
        ("ResolveCase", {}, "ValidationException"),
        ("AddAttachmentsToSet", {"attachments": [{"fileName": "a", "data": "%%%"}]}, "SerializationException"),
        ("AddAttachmentsToSet", {"attachments": []}, "ValidationException"),
        ("DescribeSupportedLanguages", {"issueType": "tech", "serviceCode": "general-info", "categoryCode": "using-aws"}, "ValidationException"),
        ("DeleteEverything", {}, "UnknownOperationException"),
    ]
    for op, body, want in cases:
        status, out, headers = raw_call(td.url, key, op, body)
        assert (status, out.get("__type")) == (400, want), (op, body if len(str(body)) < 200 else "...", out)
        assert out["message"], out
        assert headers["content-type"] == "application/x-amz-json-1.1"
        assert headers["x-amzn-requestid"]
    status, out, _ = raw_call(td.url, key, "CreateCase", b"x" * (22 * 1024 * 1024))
    assert status == 413 and out["__type"] == "SerializationException"
    assert count_cases(c) == before


# ── authentication ────────────────────────────────────────────────────────────────

def test_authentication_failures(td, ent):
    key, c = ent
    status, out, _ = raw_call(td.url, key, "DescribeCases", {}, sign=False)
    assert (status, out["__type"]) == (403, "MissingAuthenticationTokenException")

    unknown = {"access_key_id": "TDUNKNOWNKEY00000000", "secret_access_key": key["secret_access_key"]}
    assert err(client(td.url, unknown).describe_cases)[0] == "UnrecognizedClientException"

    wrong = {"access_key_id": key["access_key_id"], "secret_access_key": "x" * 40}
    code, msg, status = err(client(td.url, wrong).describe_cases)
    assert (code, status) == ("InvalidSignatureException", 400) and "does not match" in msg

    old = datetime.datetime.utcnow() - datetime.timedelta(minutes=16)
    status, out, _ = raw_call(td.url, key, "DescribeCases", {}, when=old)
    assert (status, out["__type"]) == (400, "InvalidSignatureException") and "expired" in out["message"]
    recent = datetime.datetime.utcnow() - datetime.timedelta(minutes=14)
    assert raw_call(td.url, key, "DescribeCases", {}, when=recent)[0] == 200

    # Any region in the scope works: clients sign with their own when given an endpoint.
    for region in ["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1"]:
        assert client(td.url, key, region=region).describe_severity_levels()["severityLevels"]

    status, out, _ = raw_call(td.url, key, "DescribeCases", {}, headers={"X-Amz-Security-Token": "t"})
    assert out["__type"] == "UnrecognizedClientException"

    account, k2 = td.account("aws.business")
    c2 = client(td.url, k2)
    c2.describe_severity_levels()
    td.cli("key", "revoke", k2["access_key_id"])
    assert err(c2.describe_severity_levels)[0] == "UnrecognizedClientException"


def test_throttling(td):
    url = td.serve("--rate-limit", "5", "--key-cache-ms", "0")
    _, key = td.account("aws.business")
    c = client(url, key)
    codes = []
    for _ in range(30):
        try:
            c.describe_severity_levels()
            codes.append("ok")
        except ClientError as e:
            codes.append((e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]))
    assert ("ThrottlingException", 400) in codes
    assert 5 <= codes.count("ok") <= 15


# ── replicas ──────────────────────────────────────────────────────────────────────

def test_two_replicas_share_one_database(td):
    if td.backend != "postgres":
        pytest.skip("replicas share a PostgreSQL database")
    other = td.serve("--key-cache-ms", "0")
    _, key = td.account("aws.business")
    a, b = client(td.url, key), client(other, key)
    ids, errors = [], []

    def work(c, n):
        try:
            for i in range(n):
                ids.append(c.create_case(subject=f"replica {i}", communicationBody="b")["caseId"])
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(c, 40)) for c in (a, b, a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(ids)) == 160
    seen_a = [x for p in a.get_paginator("describe_cases").paginate() for x in p["cases"]]
    seen_b = [x for p in b.get_paginator("describe_cases").paginate() for x in p["cases"]]
    assert len(seen_a) == len(seen_b) == 160
    assert len({x["displayId"] for x in seen_a}) == 160
    # A case made through one replica is answered through the other.
    b.resolve_case(caseId=ids[0])
    assert a.describe_cases(caseIdList=[ids[0]], includeResolvedCases=True)["cases"][0]["status"] == "resolved"
