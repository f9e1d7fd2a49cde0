"""Support fees through the command line: usage exports in, invoices and advice out."""

import csv
import gzip
import io
import json
import shutil
import tempfile

import pytest

from conftest import Tierdesk, backends

CUR_HEADER = ("identity/LineItemId,bill/BillingEntity,bill/BillingPeriodStartDate,lineItem/UsageAccountId,"
              "lineItem/LineItemType,lineItem/UnblendedCost,lineItem/CurrencyCode,product/ProductName\n")


@pytest.fixture(scope="module", params=backends())
def bt(request):
    workdir = tempfile.mkdtemp(prefix="tierdesk-bill-")
    t = Tierdesk(request.param, workdir)
    t.dir = workdir
    yield t
    t.close()
    shutil.rmtree(workdir, ignore_errors=True)


def customer(t, plan, account_id):
    """An account on `plan` since January (so that October is a whole month on it)."""
    t.account(plan, account_id=account_id)
    t.cli("account", "set-plan", "--id", account_id, "--plan", plan, "--effective", "2026-01-01")


def write(t, name, text, gz=False):
    path = f"{t.dir}/{name}"
    if gz:
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        with open(path, "w") as f:
            f.write(text)
    return path


def test_cur_import_bill_run_and_show(bt):
    customer(bt, "aws.business", "210000000001")
    customer(bt, "aws.enterprise_2025", "210000000002")
    customer(bt, "aws.enterprise_2025", "210000000003")
    bt.cli("account", "set-payer", "--id", "210000000003", "--payer", "210000000002")
    rows = [
        # Business: 85,000 of EC2 in 1,000 rows, plus what does not count.
        *[f"a{i},AWS,2026-10-01T00:00:00Z,210000000001,Usage,85,USD,Amazon Elastic Compute Cloud\n" for i in range(1000)],
        "c1,AWS,2026-10-01T00:00:00Z,210000000001,Credit,-5000,USD,Amazon Elastic Compute Cloud\n",
        "c2,AWS,2026-10-01T00:00:00Z,210000000001,Tax,800,USD,Amazon Elastic Compute Cloud\n",
        "c3,AWS,2026-10-01T00:00:00Z,210000000001,Fee,6150,USD,AWS Support (Business)\n",
        "c4,AWS Marketplace,2026-10-01T00:00:00Z,210000000001,Usage,999,USD,Vendor Appliance\n",
        # Enterprise: 700,000 on the payer and 50,000 on the enrolled account.
        "e1,AWS,2026-10-01T00:00:00Z,210000000002,Usage,700000,USD,Amazon Redshift\n",
        "e2,AWS,2026-10-01T00:00:00Z,210000000003,RIFee,50000,USD,Amazon Relational Database Service\n",
    ]
    path = write(bt, "cur.csv.gz", CUR_HEADER + "".join(rows), gz=True)
    out = json.loads(bt.cli("usage", "import", path, "--format", "cur", "--json").stdout)
    assert (out["rows"], out["counted"], out["excluded"]) == (1006, 1002, 4)
    totals = {(u["accountId"], u["month"]): u["amount"] for u in out["totals"]}
    assert float(totals[("210000000001", "2026-10")]) == 85000

    invoices = json.loads(bt.cli("bill", "run", "--month", "2026-10", "--json").stdout)
    by_account = {i["accountId"]: i for i in invoices}
    assert by_account["210000000001"]["total"] == "6150.00"
    assert by_account["210000000002"]["total"] == "52000.00"   # 750,000 aggregated
    assert by_account["210000000003"]["total"] == "0.00"
    # A second run is idempotent.
    again = json.loads(bt.cli("bill", "run", "--month", "2026-10", "--json").stdout)
    assert [(i["accountId"], i["total"]) for i in again] == [(i["accountId"], i["total"]) for i in invoices]

    shown = json.loads(bt.cli("bill", "show", "--account", "210000000001", "--month", "2026-10", "--json").stdout)
    amounts = [l["amount"] for l in shown["lines"]]
    assert amounts == ["0.00", "1000.00", "4900.00", "250.00"]
    assert "7% of usage from 10,000.00 to 80,000.00" in shown["lines"][2]["description"]
    text = bt.cli("bill", "show", "--account", "210000000001", "--month", "2026-10").stdout
    assert "6,150.00" in text
    table = list(csv.DictReader(io.StringIO(bt.cli(
        "bill", "show", "--account", "210000000002", "--month", "2026-10", "--csv").stdout)))
    assert table[-1]["description"] == "total" and table[-1]["amount"] == "52000.00"
    assert "1 enrolled (210000000003)" in table[0]["description"]

    missing = bt.cli("bill", "show", "--account", "210000000001", "--month", "2026-09", check=False)
    assert missing.returncode != 0 and "bill run --month 2026-09" in missing.stderr


def test_reimport_replaces_and_bad_rows_name_their_line(bt):
    customer(bt, "aws.business_plus", "210000000004")
    generic = "account_id,month,amount,currency\n210000000004,2026-10,20000,USD\n"
    bt.cli("usage", "import", write(bt, "g1.csv", generic), "--format", "generic")
    bt.cli("usage", "import", write(bt, "g2.csv", generic.replace("20000", "10000")), "--format", "generic")
    inv = {i["accountId"]: i for i in json.loads(bt.cli("bill", "run", "--month", "2026-10", "--json").stdout)}
    assert inv["210000000004"]["total"] == "900.00"   # 9% of 10,000: the second import won

    bad = generic + "210000000004,2026-10,lots,USD\n"
    r = bt.cli("usage", "import", write(bt, "bad.csv", bad), "--format", "generic", check=False)
    assert r.returncode != 0
    assert "bad.csv:3:" in r.stderr and "'lots' is not an amount" in r.stderr
    # Nothing of the bad file was stored.
    inv = {i["accountId"]: i for i in json.loads(bt.cli("bill", "run", "--month", "2026-10", "--json").stdout)}
    assert inv["210000000004"]["total"] == "900.00"
    r = bt.cli("usage", "import", write(bt, "cur-bad.csv", "a,b\n1,2\n"), check=False)
    assert r.returncode != 0 and ":1: the header has no lineItem/UsageAccountId column" in r.stderr


def test_plan_advisor(bt):
    out = json.loads(bt.cli("plans", "advise", "--usage", "42000", "--currency", "USD",
                            "--need", "critical:30m", "--need", "api", "--json").stdout)
    fits = [(f["planId"], f["monthlyFee"]) for f in out["fits"]]
    assert fits == [("aws.business_plus", "3140.00"), ("aws.enterprise_2025", "5000.00"),
                    ("aws.unified_operations", "50000.00")]
    reasons = {m["planId"]: m["reasons"] for m in out["misfits"]}
    assert reasons["aws.basic"] == ["no critical cases", "no Support API"]
    assert "aws.developer" not in reasons   # no longer sold: only with --include-legacy
    legacy = json.loads(bt.cli("plans", "advise", "--usage", "2000", "--need", "normal:12h",
                               "--include-legacy", "--json").stdout)
    assert legacy["fits"][0]["planId"] == "aws.developer" and legacy["fits"][0]["monthlyFee"] == "60.00"
    text = bt.cli("plans", "advise", "--usage", "42000", "--need", "critical:5m", "--need", "tam").stdout
    assert "aws.unified_operations" in text.split("Other plans:")[0]
    bad = bt.cli("plans", "advise", "--usage", "1", "--need", "fast", check=False)
    assert bad.returncode != 0 and "SEVERITY:DURATION" in bad.stderr
