"""Trusted Advisor end to end: a realistic bundle of AWS CLI output (open and closed
security groups, public and private buckets, a public snapshot, an unassociated Elastic
IP, an account without root MFA, quotas near their limits) imported with the CLI as a
.tar.gz, then read through boto3 and the AWS CLI exactly as AWS answers; plan gating;
refresh jobs and their cooldown; results the operator feeds; history. On SQLite and
PostgreSQL."""

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from conftest import TEST_LIMITS, Tierdesk, backends, client

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def acl(*grants):
    return {"Owner": {"DisplayName": "ops", "ID": "c0ffee"},
            "Grants": [{"Grantee": {"DisplayName": "ops", "ID": "c0ffee", "Type": "CanonicalUser"},
                        "Permission": "FULL_CONTROL"}]
            + [{"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": p} for p in grants]}


def bundle_files():
    """A two-region account as scripts/collect-inventory exports it: {path: contents}."""
    f = {}
    f["global/iam.get-account-summary.json"] = {"SummaryMap": {
        "Users": 4, "UsersQuota": 5000, "Groups": 2, "GroupsQuota": 300, "Roles": 950, "RolesQuota": 1000,
        "Policies": 20, "PoliciesQuota": 1500, "InstanceProfiles": 3, "InstanceProfilesQuota": 1000,
        "ServerCertificates": 0, "ServerCertificatesQuota": 20, "AccountMFAEnabled": 0, "AccessKeysPerUserQuota": 2}}
    f["global/iam.get-account-password-policy.error"] = (
        "An error occurred (NoSuchEntity) when calling the GetAccountPasswordPolicy operation: "
        "The Password Policy with domain name 111122223333 cannot be found.")
    f["global/iam.list-users.json"] = {"Users": [
        {"UserName": u, "UserId": f"AIDA{i}", "Arn": f"arn:aws:iam::111122223333:user/{u}",
         "Path": "/", "CreateDate": "2021-01-01T00:00:00+00:00"} for i, u in enumerate(["ann", "bo", "cy", "di"])]}
    f["global/iam.list-access-keys/ann.json"] = {"AccessKeyMetadata": [
        {"UserName": "ann", "AccessKeyId": "AKIAANNOLD", "Status": "Active", "CreateDate": "2021-03-01T00:00:00+00:00"}]}
    for u in ["bo", "cy", "di"]:
        f[f"global/iam.list-access-keys/{u}.json"] = {"AccessKeyMetadata": []}
    buckets = ["logs-private", "www-public", "drop-box", "backups"]
    f["global/s3api.list-buckets.json"] = {
        "Buckets": [{"Name": b, "CreationDate": "2024-01-01T00:00:00+00:00"} for b in buckets],
        "Owner": {"DisplayName": "ops", "ID": "c0ffee"}}
    f["global/s3api.get-bucket-location/logs-private.json"] = {"LocationConstraint": None}
    f["global/s3api.get-bucket-location/www-public.json"] = {"LocationConstraint": "eu-west-1"}
    f["global/s3api.get-bucket-location/drop-box.json"] = {"LocationConstraint": None}
    f["global/s3api.get-bucket-location/backups.json"] = {"LocationConstraint": "eu-west-1"}
    f["global/s3api.get-bucket-acl/logs-private.json"] = acl()
    f["global/s3api.get-bucket-acl/www-public.json"] = acl("READ")
    f["global/s3api.get-bucket-acl/drop-box.json"] = acl("WRITE")
    f["global/s3api.get-bucket-acl/backups.json"] = acl()
    for b in buckets:
        f[f"global/s3api.get-bucket-policy-status/{b}.error"] = (
            "An error occurred (NoSuchBucketPolicy) when calling the GetBucketPolicyStatus operation: "
            "The bucket policy does not exist")
        f[f"global/s3api.get-public-access-block/{b}.error"] = (
            "An error occurred (NoSuchPublicAccessBlockConfiguration) when calling the GetPublicAccessBlock "
            "operation: The public access block configuration was not found")
    f["global/s3api.get-bucket-versioning/logs-private.json"] = {"Status": "Enabled", "MFADelete": "Disabled"}
    f["global/s3api.get-bucket-versioning/www-public.json"] = ""
    f["global/s3api.get-bucket-versioning/drop-box.json"] = ""
    f["global/s3api.get-bucket-versioning/backups.json"] = {"Status": "Suspended"}

    for region, zone in [("us-east-1", "us-east-1"), ("eu-west-1", "eu-west-1")]:
        d = region
        f[f"{d}/ec2.describe-security-groups.json"] = {"SecurityGroups": [
            {"Description": "db", "GroupName": "db", "GroupId": f"sg-db-{region}", "VpcId": "vpc-1", "OwnerId": "1",
             "IpPermissions": [
                 {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                  "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []},
                 {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                  "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}],
             "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
            {"Description": "closed", "GroupName": "closed", "GroupId": f"sg-closed-{region}", "VpcId": "vpc-1",
             "OwnerId": "1", "IpPermissions": [
                 {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
             "IpPermissionsEgress": []}]}
        f[f"{d}/ec2.describe-instances.json"] = {"Reservations": [{"Instances": [
            {"InstanceId": f"i-{region}-{n}", "InstanceType": "m5.large", "State": {"Code": 16, "Name": "running"},
             "Placement": {"AvailabilityZone": f"{zone}a"}, "SecurityGroups": [{"GroupId": f"sg-db-{region}"}],
             "VpcId": "vpc-1", "EbsOptimized": True, "Tags": [{"Key": "Name", "Value": f"web-{n}"}]}
            for n in range(2)]}]}
        f[f"{d}/ec2.describe-instance-types.json"] = {"InstanceTypes": [
            {"InstanceType": "m5.large", "VCpuInfo": {"DefaultVCpus": 2},
             "EbsInfo": {"EbsOptimizedSupport": "default"}}]}
        f[f"{d}/ec2.describe-addresses.json"] = {"Addresses": [
            {"PublicIp": "203.0.113.10" if region == "us-east-1" else "198.51.100.7",
             "AllocationId": "eipalloc-1", "Domain": "vpc"}]}
        f[f"{d}/ec2.describe-volumes.json"] = {"Volumes": [
            {"VolumeId": f"vol-{region}-a", "VolumeType": "gp3", "Size": 50, "State": "in-use",
             "AvailabilityZone": f"{zone}a", "Attachments": [{"InstanceId": f"i-{region}-0", "Device": "/dev/xvda"}]}]}
        f[f"{d}/ec2.describe-snapshots.json"] = {"Snapshots": [
            {"SnapshotId": f"snap-{region}", "VolumeId": f"vol-{region}-a", "Description": "nightly",
             "StartTime": "2026-11-27T03:00:00.000Z", "State": "completed"}]}
        f[f"{d}/ec2.describe-snapshot-attribute/snap-{region}.json"] = {
            "SnapshotId": f"snap-{region}",
            "CreateVolumePermissions": [{"Group": "all"}] if region == "us-east-1" else []}
        f[f"{d}/ec2.describe-vpcs.json"] = {"Vpcs": [{"VpcId": f"vpc-{n}"} for n in range(4)]}
        f[f"{d}/ec2.describe-internet-gateways.json"] = {"InternetGateways": [{"InternetGatewayId": "igw-1"}]}
        f[f"{d}/rds.describe-db-instances.json"] = {"DBInstances": [
            {"DBInstanceIdentifier": f"orders-{region}", "DBInstanceClass": "db.m5.large", "Engine": "postgres",
             "BackupRetentionPeriod": 0 if region == "eu-west-1" else 7, "MultiAZ": region == "us-east-1",
             "AvailabilityZone": f"{zone}b", "PubliclyAccessible": False, "DBInstanceStatus": "available",
             "AllocatedStorage": 100, "DBSubnetGroup": {"VpcId": "vpc-1"}}]}
        f[f"{d}/rds.describe-account-attributes.json"] = {"AccountQuotas": [
            {"AccountQuotaName": "DBInstances", "Used": 1, "Max": 40}]}
        f[f"{d}/cloudtrail.describe-trails.json"] = {"trailList": [
            {"Name": "org", "S3BucketName": "logs-private", "IsMultiRegionTrail": True, "HomeRegion": "us-east-1",
             "TrailARN": "arn:aws:cloudtrail:us-east-1:111122223333:trail/org"}]}
        if region == "us-east-1":
            f[f"{d}/cloudtrail.get-trail-status/org.json"] = {"IsLogging": True}
        # Files no check reads are ignored, not refused.
        f[f"{d}/ec2.describe-key-pairs.json"] = {"KeyPairs": []}
    return f


def write_bundle(workdir, top="bundle"):
    """The bundle as a directory, and as `tar czf bundle.tar.gz bundle/`."""
    root = os.path.join(workdir, top)
    for path, body in bundle_files().items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as fh:
            fh.write(body if isinstance(body, str) else json.dumps(body, indent=4))
    archive = os.path.join(workdir, "bundle.tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(root, arcname=top)
    return root, archive


@pytest.fixture(scope="module", params=backends())
def ta(request):
    workdir = tempfile.mkdtemp(prefix="tierdesk-ta-")
    t = Tierdesk(request.param, workdir)
    t.bundle_dir, t.bundle = write_bundle(workdir)
    t.url = t.serve(*TEST_LIMITS)
    yield t
    t.close()
    shutil.rmtree(workdir, ignore_errors=True)


def aws_cli(t, key, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key["access_key_id"], AWS_SECRET_ACCESS_KEY=key["secret_access_key"],
               AWS_DEFAULT_REGION="us-east-1")
    r = subprocess.run(["aws", *args, "--endpoint-url", t.url, "--output", "json"], env=env,
                       capture_output=True, text=True, timeout=60)
    return r


def test_a_bundle_is_imported_and_served_as_aws_does(ta):
    account, key = ta.account("aws.business")
    out = json.loads(ta.cli("inventory", "import", "--account", account, ta.bundle, "--json").stdout)
    assert out["regions"] == ["eu-west-1", "us-east-1"]
    assert out["files"] >= 40 and out["ignoredFiles"] == 2
    assert out["checks"] >= 35
    support = client(ta.url, key)

    checks = support.describe_trusted_advisor_checks(language="en")["checks"]
    by_id = {c["id"]: c for c in checks}
    assert by_id["HCP4007jGY"]["name"] == "Security Groups - Specific Ports Unrestricted"
    assert by_id["HCP4007jGY"]["category"] == "security"
    assert by_id["HCP4007jGY"]["metadata"] == ["Region", "Security Group Name", "Security Group ID", "Protocol",
                                               "Status", "Ports"]
    assert "Alert Criteria" in by_id["HCP4007jGY"]["description"]

    sg = support.describe_trusted_advisor_check_result(checkId="HCP4007jGY", language="en")["result"]
    assert sg["status"] == "error"
    rows = sorted((r["metadata"][0], r["metadata"][5], r["status"]) for r in sg["flaggedResources"])
    # 3306 (MySQL) open to the world is red; 443 is expected to be open (green).
    assert rows == [("eu-west-1", "3306", "error"), ("eu-west-1", "443", "ok"),
                    ("us-east-1", "3306", "error"), ("us-east-1", "443", "ok")]
    red = next(r for r in sg["flaggedResources"] if r["metadata"][5] == "3306" and r["region"] == "us-east-1")
    assert red["metadata"][2] == "sg-db-us-east-1 (vpc-1)" and red["metadata"][4] == "Red"
    assert len(red["resourceId"]) == 43 and "sg-" not in red["resourceId"]
    assert sg["resourcesSummary"] == {"resourcesProcessed": 4, "resourcesFlagged": 2, "resourcesIgnored": 0,
                                      "resourcesSuppressed": 0}
    assert sg["categorySpecificSummary"]["costOptimizing"] == {"estimatedMonthlySavings": 0.0,
                                                               "estimatedPercentMonthlySavings": 0.0}

    # Root without MFA: one red row without region or columns, like AWS's.
    mfa = support.describe_trusted_advisor_check_result(checkId="7DAFEmoDos")["result"]
    assert mfa["status"] == "error"
    assert list(mfa["flaggedResources"][0]) == ["status", "resourceId", "isSuppressed"]
    # Buckets: the public upload is red, the public listing yellow; every bucket is a row.
    s3 = support.describe_trusted_advisor_check_result(checkId="Pfx0RwqBli")["result"]
    flags = {r["metadata"][2]: (r["status"], r["metadata"][3], r["metadata"][4]) for r in s3["flaggedResources"]}
    assert flags == {"logs-private": ("ok", "No", "No"), "www-public": ("warning", "Yes", "No"),
                     "drop-box": ("error", "No", "Yes"), "backups": ("ok", "No", "No")}
    # Cost: the unassociated Elastic IPs, with their savings.
    eip = support.describe_trusted_advisor_check_result(checkId="Z4AUBRNSmz")["result"]
    assert sorted(r["metadata"][1] for r in eip["flaggedResources"]) == ["198.51.100.7", "203.0.113.10"]
    assert eip["categorySpecificSummary"]["costOptimizing"]["estimatedMonthlySavings"] == 7.3
    # Service limits near their quota.
    roles = support.describe_trusted_advisor_check_result(checkId="oQ7TT0l7J9")["result"]
    assert roles["status"] == "warning"
    assert roles["flaggedResources"][0]["metadata"] == ["-", "IAM", "IAM Roles", "1000", "950", "Yellow"]
    # A trail whose status was not collected in a region: ignored there, never guessed.
    trail = support.describe_trusted_advisor_check_result(checkId="vjafUGJ9H0")["result"]
    assert trail["resourcesSummary"]["resourcesIgnored"] == 0
    # Not collected at all: not_available.
    assert support.describe_trusted_advisor_check_result(checkId="S45wrEXrLz")["result"]["status"] == "not_available"

    summaries = support.describe_trusted_advisor_check_summaries(
        checkIds=["Pfx0RwqBli", "7DAFEmoDos", "R365s2Qddf"])["summaries"]
    assert [s["checkId"] for s in summaries] == ["Pfx0RwqBli", "7DAFEmoDos", "R365s2Qddf"]
    assert summaries[0]["hasFlaggedResources"] is True
    assert summaries[2]["status"] == "warning"

    # The AWS CLI reads the same.
    r = aws_cli(ta, key, "support", "describe-trusted-advisor-check-result", "--check-id", "ePs02jT06w")
    assert r.returncode == 0, r.stderr
    snap = json.loads(r.stdout)["result"]
    assert snap["status"] == "error"
    assert snap["flaggedResources"][0]["metadata"] == ["Red", "us-east-1", "vol-us-east-1-a", "snap-us-east-1",
                                                      "nightly"]

    # Unknown ids are refused as AWS does.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        support.describe_trusted_advisor_check_result(checkId="eW7HH0l7J9")
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "Unknown ID" in e.value.response["Error"]["Message"]


def trustedadvisor(t, key):
    return boto3.client("trustedadvisor", endpoint_url=t.url, region_name="us-east-1",
                        aws_access_key_id=key["access_key_id"], aws_secret_access_key=key["secret_access_key"],
                        config=Config(retries={"total_max_attempts": 1}))


def test_the_trustedadvisor_api_serves_the_same_engine(ta):
    account, key = ta.account("aws.business")
    ta.cli("inventory", "import", "--account", account, ta.bundle)
    api = trustedadvisor(ta, key)

    # Checks: every one the plan includes, in pages the paginator follows.
    pages = api.get_paginator("list_checks").paginate(PaginationConfig={"PageSize": 40})
    checks = [c for p in pages for c in p["checkSummaries"]]
    by_id = {c["id"]: c for c in checks}
    assert len(checks) == len(by_id) > 100
    sg = by_id["HCP4007jGY"]
    assert sg["arn"] == "arn:aws:trustedadvisor:::check/HCP4007jGY"
    assert sg["pillars"] == ["security"] and sg["awsServices"] == ["ec2"] and sg["source"] == "ta_check"
    assert sg["metadata"] == {"0": "Region", "1": "Security Group Name", "2": "Security Group ID", "3": "Protocol",
                              "4": "Status", "5": "Ports"}

    # Recommendations: the same statuses and counts as the Support API.
    recs = [r for p in api.get_paginator("list_recommendations").paginate() for r in p["recommendationSummaries"]]
    rec = next(r for r in recs if r["checkArn"] == sg["arn"])
    assert rec["status"] == "error" and rec["type"] == "standard"
    assert rec["resourcesAggregates"] == {"okCount": 2, "warningCount": 0, "errorCount": 2, "excludedCount": 0}
    assert rec["arn"].startswith(f"arn:aws:trustedadvisor::{account}:recommendation/")
    assert rec["lastUpdatedAt"].tzinfo is not None
    eip = next(r for r in recs if r["checkArn"].endswith("/Z4AUBRNSmz"))
    assert eip["pillarSpecificAggregates"]["costOptimizing"]["estimatedMonthlySavings"] == 7.3
    errors = api.list_recommendations(status="error")["recommendationSummaries"]
    assert errors and all(r["status"] == "error" for r in errors)

    # One recommendation by ARN (an ARN in the path: signed encoded twice), its resources.
    full = api.get_recommendation(recommendationIdentifier=rec["arn"])["recommendation"]
    assert "Alert Criteria" in full["description"]
    res = api.list_recommendation_resources(recommendationIdentifier=rec["arn"], status="error",
                                            regionCode="us-east-1")["recommendationResourceSummaries"]
    assert len(res) == 1
    assert res[0]["awsResourceId"] == "sg-db-us-east-1"
    assert res[0]["metadata"]["5"] == "3306" and res[0]["exclusionStatus"] == "included"

    # Excluding it here is suppressing it in the Support API, and back.
    out = api.batch_update_recommendation_resource_exclusion(
        recommendationResourceExclusions=[{"arn": res[0]["arn"], "isExcluded": True}])
    assert out["batchUpdateRecommendationResourceExclusionErrors"] == []
    old = client(ta.url, key).describe_trusted_advisor_check_result(checkId="HCP4007jGY")["result"]
    suppressed = [r for r in old["flaggedResources"] if r["isSuppressed"]]
    assert [r["resourceId"] for r in suppressed] == [res[0]["id"]]
    assert old["resourcesSummary"]["resourcesSuppressed"] == 1
    again = api.get_recommendation(recommendationIdentifier=rec["arn"])["recommendation"]
    assert again["resourcesAggregates"]["excludedCount"] == 1 and again["resourcesAggregates"]["errorCount"] == 1

    # The AWS CLI reads the same; unknown recommendations are 404s.
    r = aws_cli(ta, key, "trustedadvisor", "list-recommendation-resources", "--recommendation-identifier",
                rec["arn"], "--exclusion-status", "excluded")
    assert r.returncode == 0, r.stderr
    assert [x["id"] for x in json.loads(r.stdout)["recommendationResourceSummaries"]] == [res[0]["id"]]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        api.get_recommendation(recommendationIdentifier=rec["arn"][:-4] + "0000")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

    # A plan without it is denied as AWS denies it.
    _, dev_key = ta.account("aws.developer")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        trustedadvisor(ta, dev_key).list_checks()
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


class Hook:
    """An operator's webhook endpoint that records what it is sent."""

    def __init__(self):
        self.received = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                outer.received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_status_changes_reach_webhooks_shaped_as_eventbridge_delivers_them(ta):
    hook = Hook()
    try:
        ta.cli("webhook", "add", "--url", hook.url, "--events", "advisor.check-item")
        account, _ = ta.account("aws.business")
        ta.cli("inventory", "import", "--account", account, ta.bundle)

        def mine():
            return [e for e in hook.received if e["account"] == account]

        deadline = time.time() + 30
        while time.time() < deadline and not any(e["detail"]["check-name"] == "Security Groups - Specific Ports "
                                                 "Unrestricted" for e in mine()):
            time.sleep(0.2)
        events = mine()
        sg = [e for e in events if e["detail"]["check-name"] == "Security Groups - Specific Ports Unrestricted"]
        # The two red groups are news; the green ones (443) are not.
        assert sorted(e["detail"]["check-item-detail"]["Region"] for e in sg) == ["eu-west-1", "us-east-1"]
        e = sg[0]
        assert e["source"] == "aws.trustedadvisor" and e["version"] == "0"
        assert e["detail-type"] == "Trusted Advisor Check Item Refresh Notification"
        assert e["region"] == "us-east-1" and e["resources"] == []
        assert e["detail"]["status"] == "ERROR"
        assert e["detail"]["check-item-detail"]["Ports"] == "3306"
        assert e["detail"]["uuid"] == e["id"]

        # Once every first event is in, the same inventory again changes nothing and says
        # nothing.
        seen = -1
        while len(mine()) != seen:
            seen = len(mine())
            time.sleep(1.5)
        ta.cli("inventory", "import", "--account", account, ta.bundle)
        time.sleep(2)
        assert len(mine()) == seen
    finally:
        hook.close()


def test_plans_decide_what_is_seen(ta):
    # Developer: core checks only, and no Support API at all.
    dev, dev_key = ta.account("aws.developer")
    ta.cli("inventory", "import", "--account", dev, ta.bundle_dir)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        client(ta.url, dev_key).describe_trusted_advisor_checks(language="en")
    assert e.value.response["Error"]["Code"] == "SubscriptionRequiredException"


def test_refresh_is_a_job_with_a_cooldown_and_auto_refreshed_checks_refuse_it(ta):
    account, key = ta.account("aws.business")
    ta.cli("inventory", "import", "--account", account, ta.bundle)
    support = client(ta.url, key)
    fresh = support.describe_trusted_advisor_check_refresh_statuses(checkIds=["Pfx0RwqBli"])["statuses"][0]
    assert fresh == {"checkId": "Pfx0RwqBli", "status": "none", "millisUntilNextRefreshable": 0}
    before = support.describe_trusted_advisor_check_result(checkId="Pfx0RwqBli")["result"]["timestamp"]
    status = support.refresh_trusted_advisor_check(checkId="Pfx0RwqBli")["status"]
    assert status["status"] in ("enqueued", "processing", "success")
    assert 3_500_000 < status["millisUntilNextRefreshable"] <= 3_600_000
    deadline = time.time() + 20
    while time.time() < deadline:
        s = support.describe_trusted_advisor_check_refresh_statuses(checkIds=["Pfx0RwqBli"])["statuses"][0]
        if s["status"] == "success":
            break
        time.sleep(0.3)
    assert s["status"] == "success"
    assert support.describe_trusted_advisor_check_result(checkId="Pfx0RwqBli")["result"]["timestamp"] >= before
    # Within the cooldown a refresh is no new job.
    again = support.refresh_trusted_advisor_check(checkId="Pfx0RwqBli")["status"]
    assert again["status"] == "success" and again["millisUntilNextRefreshable"] < status["millisUntilNextRefreshable"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        support.refresh_trusted_advisor_check(checkId="ePs02jT06w")
    assert e.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "[UNREFRESHABLE_CHECK_ID_ERROR] Check ePs02jT06w is not refreshable." in e.value.response["Error"]["Message"]


def test_operator_results_and_history(ta):
    account, key = ta.account("aws.enterprise")
    rows = [{"status": "error", "region": "us-east-1", "resourceId": "exposed-1", "isSuppressed": False,
             "metadata": ["AKIAEXPOSED", "ci-bot", "Exposed", "case-1", "2026-11-28T00:00:00Z",
                          "github.com/acme/app", "2026-11-30T00:00:00Z", "12.50"]}]
    path = os.path.join(ta.workdir, f"rows-{account}.json")
    with open(path, "w") as fh:
        json.dump(rows, fh)
    out = json.loads(ta.cli("advisor", "set-result", "--account", account, "--check", "12Fnkpl8Y5", "--file", path,
                            "--json").stdout)
    assert out["status"] == "error"
    result = client(ta.url, key).describe_trusted_advisor_check_result(checkId="12Fnkpl8Y5")["result"]
    assert result["flaggedResources"][0]["metadata"][0] == "AKIAEXPOSED"
    # A row with the wrong number of columns is refused, naming the columns.
    with open(path, "w") as fh:
        json.dump([{"status": "error", "resourceId": "x", "metadata": ["one"]}], fh)
    r = ta.cli("advisor", "set-result", "--account", account, "--check", "12Fnkpl8Y5", "--file", path, check=False)
    assert r.returncode != 0 and "Access Key ID" in r.stderr

    # History: the public bucket appears, then is fixed by the next import.
    ta.cli("inventory", "import", "--account", account, ta.bundle)
    fixed_dir = os.path.join(ta.workdir, f"fixed-{account}")
    shutil.copytree(ta.bundle_dir, fixed_dir)
    with open(os.path.join(fixed_dir, "global/s3api.get-bucket-acl/drop-box.json"), "w") as fh:
        json.dump(acl(), fh)
    ta.cli("inventory", "import", "--account", account, fixed_dir)
    history = json.loads(ta.cli("advisor", "history", "--account", account, "--check", "Pfx0RwqBli",
                                "--json").stdout)["findings"]
    by_bucket = {h["metadata"][2]: h for h in history}
    assert by_bucket["drop-box"]["resolved"] is not None
    assert by_bucket["www-public"]["resolved"] is None


def test_a_bad_bundle_is_refused_whole_with_the_file_named(ta):
    account, key = ta.account("aws.business")
    bad = os.path.join(ta.workdir, f"bad-{account}")
    shutil.copytree(ta.bundle_dir, bad)
    with open(os.path.join(bad, "us-east-1/ec2.describe-vpcs.json"), "w") as fh:
        fh.write('{"Vpcs": "many"}')
    r = ta.cli("inventory", "import", "--account", account, bad, check=False)
    assert r.returncode != 0
    assert "us-east-1/ec2.describe-vpcs.json" in r.stderr
    # Nothing of it was stored.
    result = client(ta.url, key).describe_trusted_advisor_check_result(checkId="HCP4007jGY")["result"]
    assert result["status"] == "not_available"
