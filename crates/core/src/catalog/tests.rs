use jiff::civil::date;

use super::*;

fn builtin() -> Catalog {
    match parse_catalog(&builtin_sources()) {
        Ok(c) => c,
        Err(e) => panic!("shipped catalog is invalid: {e}"),
    }
}

#[test]
fn shipped_catalogs_have_every_required_plan() {
    let c = builtin();
    for id in [
        "aws.basic",
        "aws.developer",
        "aws.business",
        "aws.enterprise_on_ramp",
        "aws.enterprise",
        "aws.business_plus",
        "aws.enterprise_2025",
        "aws.unified_operations",
        "aliyun.basic",
        "aliyun.business",
        "aliyun.enterprise_trial",
        "aliyun.enterprise",
        "aliyun.premium",
    ] {
        assert!(c.plan(id).is_some(), "missing {id}");
    }
}

#[test]
fn severities_follow_the_reference() {
    let c = builtin();
    let codes = |id: &str| -> Vec<String> {
        c.plan(id)
            .map(|p| p.case_severities().iter().map(|l| l.code.clone()).collect())
            .unwrap_or_default()
    };
    assert!(codes("aws.basic").is_empty());
    assert_eq!(codes("aws.developer"), ["low", "normal"]);
    assert_eq!(codes("aws.business"), ["low", "normal", "high", "urgent"]);
    assert_eq!(codes("aws.enterprise").len(), 5);
    let minutes = |id: &str, sev: &str| {
        c.plan(id)
            .and_then(|p| p.case_target(sev))
            .map(|t| t.minutes)
    };
    assert_eq!(minutes("aws.enterprise", "critical"), Some(15));
    assert_eq!(minutes("aws.enterprise_on_ramp", "critical"), Some(30));
    assert_eq!(minutes("aws.unified_operations", "critical"), Some(5));
    assert_eq!(minutes("aws.business", "urgent"), Some(60));
    assert_eq!(minutes("aws.developer", "low"), Some(1440));
    let dev = c
        .plan("aws.developer")
        .and_then(|p| p.case_target("low"))
        .map(|t| t.clock.clone());
    assert_eq!(dev.as_deref(), Some("aws.developer.business_hours"));
    assert_eq!(minutes("aliyun.enterprise", "urgent"), Some(40));
    let trial = c
        .plan("aliyun.enterprise_trial")
        .and_then(|p| p.monthly_case_cap);
    assert_eq!(trial, Some(30));
    let esc = c
        .plan("aliyun.business")
        .and_then(|p| p.urgent_escalation.clone());
    assert_eq!(
        esc,
        Some(UrgentEscalation {
            per_month: 10,
            within_minutes: 10
        })
    );
}

#[test]
fn api_access_matches_aws() {
    let c = builtin();
    for (id, api) in [
        ("aws.basic", false),
        ("aws.developer", false),
        ("aws.business", true),
        ("aws.enterprise_on_ramp", true),
        ("aws.business_plus", true),
        ("aws.unified_operations", true),
    ] {
        assert_eq!(c.plan(id).map(|p| p.support_api), Some(api), "{id}");
    }
}

#[test]
fn lifecycle_on_given_days() {
    let c = builtin();
    let dev = c.plan("aws.developer").cloned();
    let Some(dev) = dev else {
        panic!("no developer plan")
    };
    assert_eq!(dev.lifecycle(date(2025, 12, 2)), Lifecycle::OnSale);
    assert_eq!(dev.lifecycle(date(2026, 11, 22)), Lifecycle::NoLongerSold);
    assert_eq!(dev.lifecycle(date(2027, 1, 1)), Lifecycle::Discontinued);
    let bplus = c
        .plan("aws.business_plus")
        .map(|p| p.lifecycle(date(2030, 1, 1)));
    assert_eq!(bplus, Some(Lifecycle::OnSale));
}

fn parse_one(text: &str) -> Result<Catalog, CatalogError> {
    let mut sources = builtin_sources().to_vec();
    sources.push(Source {
        name: "ops.toml",
        text,
    });
    parse_catalog(&sources)
}

const GOOD_PLAN: &str = r#"
provider = "acme"
[[plans]]
id = "acme.gold"
name = "Gold"
currency = "EUR"
channels = ["web", "email"]
technical_cases = true
case_contacts = "unlimited"
support_api = true
advisor = "none"
tam = "none"
severity_scale = "aws"
targets = [
  { severity = "low", within = "8h", clock = "24x7" },
  { severity = "urgent", within = "30m", clock = "24x7" },
]
fee = { model = "tiered", minimum = "500", bands = [{ up_to = "1000", rate = "0.2" }, { rate = "0.1" }] }
"#;

#[test]
fn operator_catalog_adds_plans() {
    let c = match parse_one(GOOD_PLAN) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    let gold = c.plan("acme.gold").map(|p| p.case_severities().len());
    assert_eq!(gold, Some(2));
}

#[test]
fn bad_catalogs_are_refused_with_file_and_line() {
    let cases = [
        (
            GOOD_PLAN.replace("within = \"30m\"", "within = \"soon\""),
            16,
            "not a duration",
        ),
        (
            GOOD_PLAN.replace("severity = \"urgent\"", "severity = \"sev1\""),
            16,
            "not in scale 'aws'",
        ),
        (
            GOOD_PLAN.replace("clock = \"24x7\" },\n]", "clock = \"weekdays\" },\n]"),
            16,
            "unknown clock",
        ),
        (
            GOOD_PLAN.replace("currency = \"EUR\"", "currency = \"euro\""),
            3,
            "ISO 4217",
        ),
        (
            GOOD_PLAN.replace("advisor = \"none\"", "advisor = \"none\"\ncolour = \"red\""),
            12,
            "unknown field `colour`",
        ),
        (
            GOOD_PLAN.replace("id = \"acme.gold\"", "id = \"aws.business\""),
            3,
            "defined twice",
        ),
        (
            GOOD_PLAN.replace("{ rate = \"0.1\" }", "{ rate = \"1.5\" }"),
            18,
            "above 1",
        ),
        (GOOD_PLAN.replace("name = \"Gold\"", "name = Gold"), 5, ""),
    ];
    for (text, line, needle) in cases {
        match parse_one(&text) {
            Ok(_) => panic!("accepted a bad catalog:\n{text}"),
            Err(e) => {
                assert_eq!(e.file, "ops.toml", "{e}");
                assert_eq!(e.line, line, "{e}");
                assert!(e.message.contains(needle), "{e}");
            }
        }
    }
}

#[test]
fn operator_plans_may_promise_next_replies_and_updates() {
    let text = include_str!("../../../../catalogs/examples/acme.toml");
    let c = match parse_one(text) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    let Some(gold) = c.plan("acme.gold") else {
        panic!("no acme.gold")
    };
    assert_eq!(gold.case_target("urgent").map(|t| t.minutes), Some(30));
    let next = gold.follow_up_target(TargetKind::NextReply, "urgent");
    assert_eq!(next.map(|t| t.minutes), Some(60));
    let update = gold.follow_up_target(TargetKind::Update, "urgent");
    assert_eq!(update.map(|t| t.minutes), Some(120));
    assert!(gold.follow_up_target(TargetKind::Update, "low").is_none());
    // Follow-up kinds never widen the severities a case may be opened with.
    assert_eq!(gold.case_severities().len(), 4);
}

#[test]
fn bad_target_kinds_are_refused() {
    for (target, needle) in [
        (
            r#"{ kind = "resolution", severity = "low", within = "8h", clock = "24x7" },"#,
            "not one of first_response",
        ),
        (
            r#"{ kind = "next_reply", severity = "normal", within = "8h", clock = "24x7" },"#,
            "needs a first_response target",
        ),
        (
            r#"{ kind = "update", channel = "im_group", severity = "low", within = "8h", clock = "24x7" },"#,
            "apply to cases only",
        ),
        (
            r#"{ severity = "low", within = "9h", clock = "24x7" },"#,
            "two first_response targets",
        ),
    ] {
        let text = GOOD_PLAN.replace(
            "  { severity = \"urgent\"",
            &format!("  {target}\n  {{ severity = \"urgent\""),
        );
        match parse_one(&text) {
            Ok(_) => panic!("accepted {target}"),
            Err(e) => {
                assert_eq!(e.line, 16, "{e}");
                assert!(e.message.contains(needle), "{e}");
            }
        }
    }
}

#[test]
fn every_shipped_plan_states_its_follow_up_promise() {
    // Neither provider publishes a time for answers after the first response; the shipped
    // files say so outright rather than leaving it to be inferred.
    for source in builtin_sources() {
        let stated = source.text.matches("\nfollow_up = \"untimed\"\n").count();
        let plans = source.text.matches("[[plans]]").count();
        assert_eq!(stated, plans, "{}", source.name);
    }
    assert!(
        builtin()
            .plans
            .iter()
            .all(|p| p.follow_up == FollowUp::Untimed)
    );
    let acme = parse_one(include_str!("../../../../catalogs/examples/acme.toml"));
    let gold = acme
        .ok()
        .and_then(|c| c.plan("acme.gold").map(|p| p.follow_up));
    assert_eq!(gold, Some(FollowUp::NextReply));
}

#[test]
fn a_follow_up_promise_that_contradicts_the_targets_is_refused() {
    let next_reply = r#"  { kind = "next_reply", severity = "low", within = "8h", clock = "24x7" },
]"#;
    for (text, needle) in [
        (
            GOOD_PLAN.replace("fee = {", "follow_up = \"next_reply\"\nfee = {"),
            "lists no next_reply target",
        ),
        (
            GOOD_PLAN
                .replacen("\n]", &format!("\n{next_reply}"), 1)
                .replace("fee = {", "follow_up = \"untimed\"\nfee = {"),
            "but the plan lists next_reply targets",
        ),
        (
            GOOD_PLAN.replace("fee = {", "follow_up = \"soon\"\nfee = {"),
            "not one of untimed, next_reply",
        ),
    ] {
        match parse_one(&text) {
            Ok(_) => panic!("accepted {text}"),
            Err(e) => {
                assert_eq!(e.file, "ops.toml", "{e}");
                assert!(e.message.contains(needle), "{e}");
            }
        }
    }
    // Unstated, the promise is read from the targets.
    let stated = parse_one(&GOOD_PLAN.replacen("\n]", &format!("\n{next_reply}"), 1));
    let gold = stated
        .ok()
        .and_then(|c| c.plan("acme.gold").map(|p| p.follow_up));
    assert_eq!(gold, Some(FollowUp::NextReply));
}

#[test]
fn calendars_state_their_hours() {
    use jiff::civil::{Weekday, time};
    let c = builtin();
    let dev = c.calendar("aws.developer.business_hours");
    let en = dev.and_then(|c| c.hours("en", Some("Asia/Tokyo")));
    assert_eq!(
        en,
        Some(Hours {
            days: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday
            ],
            open: time(8, 0, 0, 0),
            close: Some(time(18, 0, 0, 0)),
            zone: Some("Asia/Tokyo".into()),
            closed_on_public_holidays: true,
        })
    );
    // Japanese cases have hours of their own.
    let ja = dev.and_then(|c| c.hours("ja", None));
    assert_eq!(ja.map(|h| h.open), Some(time(9, 0, 0, 0)));
    assert_eq!(c.calendar("24x7").and_then(|c| c.hours("en", None)), None);
}

#[test]
fn every_shipped_plan_and_severity_reads_in_japanese() {
    let c = builtin();
    for p in &c.plans {
        assert_ne!(p.name_in("ja"), p.name, "{}", p.id);
        assert_ne!(p.summary_in("ja"), p.summary, "{}", p.id);
        for l in &p.scale.levels {
            assert_ne!(l.name_in("ja"), l.name, "{} {}", p.id, l.code);
            assert_ne!(l.description_in("ja"), l.description, "{} {}", p.id, l.code);
        }
        // A language without words falls back to the catalog's own.
        assert_eq!(p.name_in("ko"), p.name);
    }
    let business = c.plan("aws.business").map(|p| p.name_in("ja").to_string());
    assert_eq!(business.as_deref(), Some("ビジネス"));
}

#[test]
fn a_translation_of_nothing_is_refused_with_its_line() {
    for (text, needle, line) in [
        (
            "[translations.ja.plans.\"acme.tin\"]\nname = \"ティン\"\nsummary = \"…\"\n",
            "unknown plan 'acme.tin'",
            19,
        ),
        (
            "[translations.ja.severities.aws]\nsevere = { name = \"x\", description = \"y\" }\n",
            "scale 'aws' has no level 'severe'",
            20,
        ),
        (
            "[translations.ja.plans.\"aws.basic\"]\nname = \"ベーシック\"\nsummary = \"…\"\n",
            "plan 'aws.basic' is translated twice",
            19,
        ),
        (
            "[translations.xx.plans.\"acme.gold\"]\nname = \"x\"\nsummary = \"y\"\n",
            "language 'xx'",
            19,
        ),
    ] {
        let file = format!("{GOOD_PLAN}{text}");
        match parse_one(&file) {
            Ok(_) => panic!("accepted {text}"),
            Err(e) => {
                assert_eq!((e.file.as_str(), e.line), ("ops.toml", line), "{e}");
                assert!(e.message.contains(needle), "{e}");
            }
        }
    }
    // An operator may translate any file's plans into a language the shipped files lack.
    let ko = "[translations.ko.plans.\"aws.basic\"]\nname = \"베이직\"\nsummary = \"…\"\n";
    let c = parse_one(&format!("{GOOD_PLAN}{ko}"));
    let basic = c
        .ok()
        .and_then(|c| c.plan("aws.basic").map(|p| p.name_in("ko").to_string()));
    assert_eq!(basic.as_deref(), Some("베이직"));
}
