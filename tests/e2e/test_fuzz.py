"""Random and mangled input, signed and unsigned: always an AWS-shaped 4xx, never a 5xx."""

import json
import random
import urllib.error
import urllib.request

import pytest

from conftest import client, raw_call

OPS = ["CreateCase", "DescribeCases", "DescribeCommunications", "AddCommunicationToCase", "ResolveCase",
       "AddAttachmentsToSet", "DescribeAttachment", "DescribeSeverityLevels", "DescribeServices",
       "DescribeSupportedLanguages", "DescribeCreateCaseOptions"]

VALUES = [None, True, 0, -1, 2**63, 1.5, "", "x" * 9000, "\u0000", "日本語", "\U0001F600", "\u202e", [], {}, [1], {"a": 1},
          "2026-13-45T99:99:99Z", "case-0", "as-0", "attachment-0", "low", "critical"]

MEMBERS = ["subject", "serviceCode", "severityCode", "categoryCode", "communicationBody", "ccEmailAddresses",
           "language", "issueType", "attachmentSetId", "caseIdList", "displayId", "afterTime", "beforeTime",
           "includeResolvedCases", "nextToken", "maxResults", "includeCommunications", "caseId", "attachments",
           "attachmentId", "serviceCodeList", "unknownMember"]


def random_body(rng):
    kind = rng.random()
    if kind < 0.1:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 200)))
    if kind < 0.2:
        return json.dumps(rng.choice(VALUES)).encode()
    body = {m: rng.choice(VALUES) for m in rng.sample(MEMBERS, rng.randint(0, 5))}
    text = json.dumps(body)
    if kind < 0.3 and text:
        i = rng.randrange(len(text))
        text = text[:i] + rng.choice(['"', "{", "]", "\\", "\\ud800", ","]) + text[i:]
    return text.encode()


@pytest.fixture(scope="module")
def key(td):
    _, key = td.account("aws.enterprise_2025")
    return key


def test_random_signed_bodies_never_fail_the_server(td, key):
    rng = random.Random(20261122)
    for _ in range(400):
        op = rng.choice(OPS)
        status, out, headers = raw_call(td.url, key, op, random_body(rng))
        assert status in (200, 400), (op, status, out)
        if status == 400:
            assert out.get("__type") and out.get("message"), out
        assert headers["content-type"] == "application/x-amz-json-1.1"
    # The server is still healthy and consistent afterwards.
    assert client(td.url, key).describe_severity_levels()["severityLevels"]


def test_mangled_authorization_headers(td, key):
    rng = random.Random(7)
    good = None
    for _ in range(150):
        headers = {"X-Amz-Target": "AWSSupport_20130415.DescribeCases", "Content-Type": "application/x-amz-json-1.1",
                   "X-Amz-Date": rng.choice(["20261122T000000Z", "garbage", "", "99999999T999999Z"]),
                   "Authorization": rng.choice([
                       "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256 Credential=",
                       "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=, Signature=",
                       "AWS4-HMAC-SHA256 Credential=%s/20261122/us-east-1/support/aws4_request, SignedHeaders=host, Signature=%s"
                       % (key["access_key_id"], "0" * 64),
                       "AWS4-HMAC-SHA256 Credential=////, SignedHeaders=;;;, Signature=zz",
                       "\u00e9\u00e9", "Bearer token", "x" * 5000,
                   ])}
        data = b"{}"
        req = urllib.request.Request(td.url + "/", data=data, method="POST",
                                     headers={k: v.encode("latin-1", "replace").decode("latin-1") for k, v in headers.items()})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                good = resp.status
        except urllib.error.HTTPError as e:
            assert e.code in (400, 403), e.code
            body = json.loads(e.read())
            assert body["__type"] in ("IncompleteSignatureException", "InvalidSignatureException",
                                      "MissingAuthenticationTokenException", "UnrecognizedClientException"), body
    assert good is None, "no mangled header may pass"
