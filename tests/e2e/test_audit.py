"""The audit log from outside: real clients act, `tierdesk audit list` says who did what,
through which door and from which address; a forwarded address counts only from a
trusted proxy."""

import csv
import io
import json

import pytest
from botocore.exceptions import ClientError

from conftest import TEST_LIMITS, client, raw_call


def audit(td, *args):
    return json.loads(td.cli("audit", "list", "--json", *args).stdout)


def test_customer_actions_are_recorded_with_their_key_and_address(td):
    account, key = td.account("aws.business")
    c = client(td.url, key)
    case = c.create_case(subject="Audit me", communicationBody="Hello", severityCode="low")["caseId"]
    c.add_communication_to_case(caseId=case, communicationBody="More detail")
    with pytest.raises(ClientError):
        c.resolve_case(caseId="case-000000000000-nope-2026-0000000000000000")
    c.resolve_case(caseId=case)

    entries = audit(td, "--account", account)
    assert [e["action"] for e in entries] == [
        "case.resolve", "case.message", "case.create", "key.create", "account.create"]
    for e in entries[:3]:
        assert e["actorKind"] == "access-key" and e["actor"] == key["access_key_id"], e
        assert e["address"] == "127.0.0.1", e
        assert e["target"] == f"case:{case}" and e["accountId"] == account, e
    assert entries[3]["actorKind"] == "cli" and entries[3]["address"] is None
    assert audit(td, "--actor", key["access_key_id"]) == entries[:3]
    assert audit(td, "--account", account, "--since", "2999-01-01") == []
    assert len(audit(td, "--account", account, "--limit", "2")) == 2

    rows = list(csv.DictReader(io.StringIO(td.cli("audit", "list", "--csv", "--account", account).stdout)))
    assert [r["action"] for r in rows] == [e["action"] for e in entries]
    assert rows[0]["actor"] == key["access_key_id"]


def test_a_forwarded_address_counts_only_from_a_trusted_proxy(td):
    account, key = td.account("aws.business")
    behind_proxy = td.serve(*TEST_LIMITS, "--trusted-proxy", "127.0.0.1")
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    body = {"subject": "Via proxy", "communicationBody": "Hi", "severityCode": "low"}
    status, _, _ = raw_call(behind_proxy, key, "CreateCase", body, headers=forwarded)
    assert status == 200
    status, _, _ = raw_call(td.url, key, "CreateCase", body, headers=forwarded)
    assert status == 200
    created = [e for e in audit(td, "--account", account) if e["action"] == "case.create"]
    assert [e["address"] for e in created] == ["127.0.0.1", "203.0.113.9"]


def test_the_log_cannot_be_edited_through_the_product(td):
    r = td.cli("audit", "delete", check=False)
    assert r.returncode != 0
    r = td.cli("audit", "list", "--json", "--since", "yesterday", check=False)
    assert r.returncode != 0 and "start time" in r.stderr, r.stderr
