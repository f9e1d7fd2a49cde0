"""The operator's command line: catalogs, lifecycle rules, accounts, keys and their secrets."""

import datetime
import json
import subprocess
import textwrap
from pathlib import Path

from conftest import BIN, client, raw_call

OPERATOR_CATALOG = textwrap.dedent('''
    provider = "acme"

    [[plans]]
    id = "acme.gold"
    name = "Gold"
    currency = "EUR"
    channels = ["web", "email", "phone"]
    technical_cases = true
    case_contacts = "unlimited"
    support_api = true
    advisor = "none"
    tam = "designated"
    severity_scale = "aws"
    targets = [
      { severity = "normal", within = "8h", clock = "24x7" },
      { severity = "urgent", within = "30m", clock = "24x7" },
    ]
    fee = { model = "tiered", minimum = "500", bands = [{ up_to = "10000", rate = "0.2" }, { rate = "0.1" }] }

    [[plans]]
    id = "acme.office"
    name = "Office hours"
    currency = "JPY"
    channels = ["web", "chat"]
    technical_cases = true
    case_contacts = "unlimited"
    support_api = true
    advisor = "none"
    tam = "none"
    severity_scale = "aws"
    targets = [{ severity = "normal", within = "8h", clock = "aws.developer.business_hours" }]
    fee = { model = "free" }

    [[plans]]
    id = "acme.legacy"
    name = "Legacy"
    currency = "EUR"
    sold_until = 2020-01-01
    discontinued_on = 2021-01-01
    channels = ["web"]
    technical_cases = true
    case_contacts = "unlimited"
    support_api = true
    advisor = "none"
    tam = "none"
    severity_scale = "aws"
    targets = [{ severity = "low", within = "2d", clock = "24x7" }]
    fee = { model = "free" }
''')


def test_plans_list_and_show():
    out = json.loads(subprocess.run([BIN, "plans", "list", "--json"], capture_output=True, text=True, check=True).stdout)
    ids = {p["id"] for p in out}
    assert {"aws.basic", "aws.developer", "aws.business", "aws.enterprise_on_ramp", "aws.enterprise",
            "aws.business_plus", "aws.enterprise_2025", "aws.unified_operations", "aliyun.basic",
            "aliyun.business", "aliyun.enterprise_trial", "aliyun.enterprise", "aliyun.premium"} <= ids
    on_sale = {p["id"] for p in out if p["on_sale"]}
    assert "aws.business_plus" in on_sale and "aws.developer" not in on_sale
    dev = json.loads(subprocess.run([BIN, "plans", "show", "aws.developer", "--json"], capture_output=True, text=True, check=True).stdout)
    assert dev["support_api"] is False
    assert [t["minutes"] for t in dev["targets"]] == [1440, 720]
    assert dev["targets"][0]["clock"]["kind"] == "business_hours"
    assert dev["discontinued_on"] == "2027-01-01"


def test_operator_catalog_and_lifecycle(td, tmp_path):
    cat = tmp_path / "acme.toml"
    cat.write_text(OPERATOR_CATALOG)
    listed = json.loads(td.cli("plans", "list", "--json", "--catalog", str(cat)).stdout)
    assert {"acme.gold", "acme.legacy"} <= {p["id"] for p in listed}

    gold, key = td.account("acme.gold", catalog=str(cat))
    # The server must load the same catalog to serve that account.
    url = td.serve("--catalog", str(cat), "--key-cache-ms", "0")
    levels = client(url, key).describe_severity_levels()["severityLevels"]
    assert [l["code"] for l in levels] == ["normal", "urgent"]

    # A server started without that catalog cannot serve the account: an internal error,
    # in AWS's shape, that tells the caller nothing about the server's insides.
    status, out, headers = raw_call(td.url, key, "DescribeSeverityLevels", {})
    assert (status, out["__type"]) == (500, "InternalServerError")
    assert "acme" not in out["message"] and headers["x-amzn-requestid"] in out["message"]

    # A business-hours plan with the Support API tells callers its hours and holidays.
    _, office_key = td.account("acme.office", catalog=str(cat), timezone="Asia/Tokyo", country="JP", language="ja")
    opts = client(url, office_key).describe_create_case_options(
        issueType="technical", serviceCode="general-info", language="ja", categoryCode="using-aws")
    assert [t["type"] for t in opts["communicationTypes"]] == ["web", "chat"]
    web = opts["communicationTypes"][0]
    assert web["supportedHours"] == [{"startTime": "09:00:00.000", "endTime": "18:00:00.000"}]
    closed = web["datesWithoutSupport"]
    today = datetime.date.today().isoformat()
    if today < "2027-11-23":
        assert closed, "JP holidays ahead"
    assert all(d["startDateTime"][:10] >= today and d["startDateTime"].endswith("+09:00") for d in closed)
    assert all(8 <= len(d["startDateTime"]) <= 30 for d in closed)
    # Imported closures count too.
    if today < "2027-06-01":
        extra = tmp_path / "jp-extra.ics"
        extra.write_text("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270601\r\nSUMMARY:Offsite\r\n"
                         "END:VEVENT\r\nEND:VCALENDAR\r\n")
        td.cli("holidays", "import", str(extra), "--country", "JP")
        opts = client(url, office_key).describe_create_case_options(
            issueType="technical", serviceCode="general-info", language="ja", categoryCode="using-aws")
        starts = [d["startDateTime"] for d in opts["communicationTypes"][0]["datesWithoutSupport"]]
        assert "2027-06-01T00:00:00.000+09:00" in starts

    r = td.cli("account", "create", "--id", "999000111222", "--name", "Old", "--plan", "acme.legacy",
               "--catalog", str(cat), check=False)
    assert r.returncode != 0 and "discontinued" in r.stderr and "--force" in r.stderr
    td.cli("account", "create", "--id", "999000111222", "--name", "Old", "--plan", "acme.legacy",
           "--catalog", str(cat), "--force")
    shown = json.loads(td.cli("account", "show", "999000111222", "--json", "--catalog", str(cat)).stdout)
    assert shown["plan_history"][0]["forced"] is True

    warn = td.cli("account", "create", "--id", "999000111223", "--name", "Dev", "--plan", "aws.developer")
    assert "not been sold since 2025-12-02" in warn.stderr


def test_bad_catalog_is_refused_with_file_and_line(td, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(OPERATOR_CATALOG.replace('within = "30m"', 'within = "soon"'))
    r = subprocess.run([BIN, "plans", "list", "--catalog", str(bad)], capture_output=True, text=True)
    assert r.returncode != 0
    line = OPERATOR_CATALOG.splitlines().index('  { severity = "urgent", within = "30m", clock = "24x7" },') + 1
    assert f"{bad}:{line}:" in r.stderr and "not a duration" in r.stderr
    r = subprocess.run([BIN, "serve", "--catalog", str(bad), "--database", f"sqlite://{tmp_path}/x.db"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and f"{bad}:{line}:" in r.stderr


def test_accounts_keys_and_plan_history(td):
    account, key = td.account("aws.business_plus", timezone="Europe/Berlin", country="DE", language="en")
    shown = json.loads(td.cli("account", "show", account, "--json").stdout)
    assert shown["plan"] == "aws.business_plus" and shown["timezone"] == "Europe/Berlin"
    td.cli("account", "set-plan", "--id", account, "--plan", "aws.enterprise_2025", "--effective", "2099-01-01")
    shown = json.loads(td.cli("account", "show", account, "--json").stdout)
    assert shown["plan"] == "aws.business_plus", "a future change waits for its day"
    assert [h["plan"] for h in shown["plan_history"]] == ["aws.business_plus", "aws.enterprise_2025"]
    listed = json.loads(td.cli("account", "list", "--json").stdout)
    assert account in {a["id"] for a in listed}

    for bad in [["--id", "12ab", "--plan", "aws.business"], ["--id", "123456789099", "--plan", "aws.nope"],
                ["--id", "123456789099", "--plan", "aws.business", "--timezone", "Mars/Base"],
                ["--id", "123456789099", "--plan", "aws.business", "--language", "fr"]]:
        r = td.cli("account", "create", "--name", "x", *bad, check=False)
        assert r.returncode != 0 and r.stderr.startswith("error:"), bad
    r = td.cli("account", "create", "--id", account, "--name", "again", "--plan", "aws.business", check=False)
    assert r.returncode != 0 and "already exists" in r.stderr
    assert td.cli("key", "revoke", "TDNOSUCHKEY000000000", check=False).returncode != 0


def test_secrets_are_sealed_at_rest_and_never_logged(td):
    if td.backend != "sqlite":
        return
    url = td.serve("--key-cache-ms", "0", log="debug")
    _, key = td.account("aws.business")
    c = client(url, key)
    c.create_case(subject="s", communicationBody="b")
    secret = key["secret_access_key"].encode()
    for f in Path(td.workdir).iterdir():
        if f.is_file():
            assert secret not in f.read_bytes(), f"secret found in {f.name}"


def test_sla_due_what_if(tmp_path):
    def due(*args):
        r = subprocess.run([BIN, "sla", "due", "--json", *args], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    # Friday 16:00 in Tokyo, Japanese-language case on Developer: 09:00-18:00 weekdays, and
    # Monday 23 November is a Japanese holiday.
    d = due("--plan", "aws.developer", "--severity", "normal", "--opened-at", "2026-11-20T16:00:00+09:00",
            "--timezone", "Asia/Tokyo", "--country", "JP", "--language", "ja")
    assert d["due_local"] == "2026-11-25T10:00:00+09:00" and d["holidays_of"] == "JP"
    # An operator's own closure, imported from iCalendar, moves it further.
    ics = tmp_path / "office.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261124\r\nSUMMARY:Office party\r\n"
                   "END:VEVENT\r\nEND:VCALENDAR\r\n")
    d = due("--plan", "aws.developer", "--severity", "normal", "--opened-at", "2026-11-20T16:00:00+09:00",
            "--timezone", "Asia/Tokyo", "--country", "JP", "--language", "ja", "--holidays", str(ics))
    assert d["due_local"] == "2026-11-26T10:00:00+09:00"
    # Alibaba: the IM group and an expedited ticket answer within 10 minutes.
    d = due("--plan", "aliyun.enterprise", "--severity", "urgent", "--channel", "im_group",
            "--opened-at", "2026-11-20T15:00:00+08:00", "--timezone", "Asia/Shanghai", "--country", "CN")
    assert d["due_local"] == "2026-11-20T15:10:00+08:00" and d["target_minutes"] == 10
    d = due("--plan", "aliyun.business", "--severity", "urgent", "--escalated",
            "--opened-at", "2026-11-20T15:00:00+08:00", "--timezone", "Asia/Shanghai", "--country", "CN")
    assert d["due_local"] == "2026-11-20T15:10:00+08:00"
    # 24x7 plans ignore calendars.
    d = due("--plan", "aws.unified_operations", "--severity", "critical", "--opened-at", "2026-11-21T03:00:00Z")
    assert d["due"] == "2026-11-21T03:05:00.000Z" and d["business_hours"] is False

    bad = subprocess.run([BIN, "sla", "due", "--plan", "aws.developer", "--severity", "urgent",
                          "--opened-at", "2026-11-20T16:00:00Z"], capture_output=True, text=True)
    assert bad.returncode != 0 and "offers low, normal" in bad.stderr
    broken = tmp_path / "broken.ics"
    broken.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:2026-11-24\nEND:VEVENT\nEND:VCALENDAR\n")
    bad = subprocess.run([BIN, "sla", "due", "--plan", "aws.developer", "--severity", "low",
                          "--opened-at", "2026-11-20T16:00:00Z", "--holidays", str(broken)], capture_output=True, text=True)
    assert bad.returncode != 0 and f"{broken}:3:" in bad.stderr


def test_holiday_import_closes_clocks(td, tmp_path):
    ics = tmp_path / "jp-office.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261124\r\nSUMMARY:Office party\r\n"
                   "END:VEVENT\r\nEND:VCALENDAR\r\n")
    out = td.cli("holidays", "import", str(ics), "--country", "JP").stdout
    assert "imported 1 closed days for JP" in out
    listed = json.loads(td.cli("holidays", "list", "--country", "JP", "--json").stdout)
    assert {"date": "2026-11-24", "from": "00:00", "to": "24:00", "name": "Office party", "source": "jp-office.ics"} in listed
    assert any(h["source"] == "shipped" and h["date"] == "2026-11-23" for h in listed)

    def due():
        r = td.cli("sla", "due", "--json", "--plan", "aws.developer", "--severity", "normal",
                   "--opened-at", "2026-11-20T16:00:00+09:00", "--timezone", "Asia/Tokyo", "--country", "JP",
                   "--language", "ja")
        return json.loads(r.stdout)["due_local"]

    assert due() == "2026-11-26T10:00:00+09:00"
    # Importing the same file again replaces what it brought.
    ics.write_text("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261127\r\nSUMMARY:Moved\r\n"
                   "END:VEVENT\r\nEND:VCALENDAR\r\n")
    td.cli("holidays", "import", str(ics), "--country", "JP")
    assert due() == "2026-11-25T10:00:00+09:00"
    bad = tmp_path / "bad.ics"
    bad.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261124\nRRULE:FREQ=YEARLY\nEND:VEVENT\nEND:VCALENDAR\n")
    r = td.cli("holidays", "import", str(bad), "--country", "JP", check=False)
    assert r.returncode != 0 and f"{bad}:4:" in r.stderr
    assert td.cli("holidays", "import", str(ics), "--country", "japan", check=False).returncode != 0
