//! Identity, audit trails and runtimes.

use super::super::{Context, Evaluation, Inventory, Status};
use super::{Found, c, days_since};

/// `zXCkfM1nI3`: whether the account has IAM users (one row, no columns, like AWS's).
pub(super) fn iam_use(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    let users = match (inv.account_summary("global"), inv.users("global")) {
        (Some(Ok(s)), _) if s.summary_map.contains_key("Users") => {
            s.summary_map.get("Users").copied()
        }
        (_, Some(Ok(u))) => Some(u.users.len() as i64),
        (_, Some(Err(super::super::inventory::Entry::Empty))) => Some(0),
        _ => None,
    };
    if let Some(n) = users {
        found.collected();
        found.processed();
        let status = if n > 0 { Status::Ok } else { Status::Warning };
        found.row(status, None, "account".into(), Vec::new());
    }
    found.done()
}

/// `7DAFEmoDos`: whether the root user signs in with MFA.
pub(super) fn root_mfa(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    if let Some(Ok(s)) = inv.account_summary("global")
        && let Some(mfa) = s.summary_map.get("AccountMFAEnabled")
    {
        found.collected();
        found.processed();
        let status = if *mfa > 0 { Status::Ok } else { Status::Error };
        found.row(status, None, "root".into(), Vec::new());
    }
    found.done()
}

/// `Yw2K9puPzl`: a password policy, and each content requirement of it.
pub(super) fn password_policy(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    let on = |b: bool| c(if b { "Enabled" } else { "Disabled" });
    match inv.password_policy("global") {
        Some(Ok(p)) => {
            found.collected();
            found.processed();
            let p = &p.password_policy;
            let missing: Vec<&str> = [
                (p.require_uppercase_characters, "uppercase"),
                (p.require_lowercase_characters, "lowercase"),
                (p.require_numbers, "number"),
                (p.require_symbols, "non-alphanumeric"),
            ]
            .into_iter()
            .filter(|(set, _)| !set)
            .map(|(_, what)| what)
            .collect();
            let (status, reason) = if missing.is_empty() {
                (Status::Ok, String::new())
            } else {
                (
                    Status::Warning,
                    format!("Not required: {}", missing.join(", ")),
                )
            };
            found.row(
                status,
                None,
                "password-policy".into(),
                vec![
                    on(true),
                    on(p.require_uppercase_characters),
                    on(p.require_lowercase_characters),
                    on(p.require_numbers),
                    on(p.require_symbols),
                    c(status.colour()),
                    c(reason),
                ],
            );
        }
        Some(Err(e)) if e.error_code() == Some("NoSuchEntity") => {
            found.collected();
            found.processed();
            found.row(
                Status::Error,
                None,
                "password-policy".into(),
                vec![
                    on(false),
                    on(false),
                    on(false),
                    on(false),
                    on(false),
                    c("Red"),
                    c("No password policy is enabled"),
                ],
            );
        }
        _ => {}
    }
    found.done()
}

/// `DqdJqYeRm5`: active access keys by the age of their last rotation.
pub(super) fn access_key_rotation(inv: &Inventory, cx: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    let Some(Ok(users)) = inv.users("global") else {
        return found.done();
    };
    found.collected();
    for u in &users.users {
        let Some(Ok(keys)) = inv.access_keys("global", &u.user_name) else {
            found.ignored();
            continue;
        };
        for k in keys
            .access_key_metadata
            .iter()
            .filter(|k| k.status == "Active")
        {
            found.processed();
            let Some(age) = days_since(&k.create_date, cx.now) else {
                found.ignored();
                continue;
            };
            let (status, reason) = if age <= 90 {
                (Status::Ok, "Key rotated in the last 90 days".to_string())
            } else if age <= 730 {
                (Status::Warning, format!("Key not rotated in {age} days"))
            } else {
                (
                    Status::Error,
                    "Key not rotated in the last 2 years".to_string(),
                )
            };
            found.row(
                status,
                None,
                format!("{}|{}", u.user_name, k.access_key_id),
                vec![
                    c(status.colour()),
                    c(&u.user_name),
                    c(&k.access_key_id),
                    c(&k.create_date),
                    c(reason),
                ],
            );
        }
    }
    found.done()
}

/// `vjafUGJ9H0`: every region covered by a trail that logs, without delivery errors.
pub(super) fn cloudtrail_logging(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("cloudtrail.describe-trails") {
        found.collected();
        let Some(Ok(trails)) = inv.trails(region) else {
            continue;
        };
        found.processed();
        if trails.trail_list.is_empty() {
            found.row(
                Status::Error,
                Some(region),
                format!("{region}|"),
                vec![c(region), None, c("Off"), None, None, c("Red")],
            );
            continue;
        }
        // A multi-region trail shows in every region: its row is its home region's.
        for t in trails
            .trail_list
            .iter()
            .filter(|t| t.home_region.as_deref().is_none_or(|h| h == region))
        {
            let Some(Ok(s)) = inv.trail_status(region, &t.name) else {
                found.ignored();
                continue;
            };
            let status = if !s.is_logging {
                Status::Error
            } else if s
                .latest_delivery_error
                .as_deref()
                .is_some_and(|e| !e.is_empty())
            {
                Status::Warning
            } else {
                Status::Ok
            };
            found.row(
                status,
                Some(region),
                format!("{region}|{}", t.name),
                vec![
                    c(region),
                    c(&t.name),
                    c(if s.is_logging { "On" } else { "Off" }),
                    t.s3_bucket_name.clone(),
                    s.latest_delivery_error.clone(),
                    c(status.colour()),
                ],
            );
        }
    }
    found.done()
}

/// When AWS Lambda stopped (or stops) supporting a runtime: Phase 1 of its deprecation
/// policy, from AWS's runtime deprecation table.
pub const RUNTIME_DEPRECATIONS: &[(&str, &str)] = &[
    ("python2.7", "2021-07-15"),
    ("python3.6", "2022-07-18"),
    ("python3.7", "2023-12-04"),
    ("python3.8", "2024-10-14"),
    ("python3.9", "2025-12-15"),
    ("nodejs4.3", "2020-03-05"),
    ("nodejs6.10", "2019-08-12"),
    ("nodejs8.10", "2020-03-06"),
    ("nodejs10.x", "2021-07-30"),
    ("nodejs12.x", "2023-03-31"),
    ("nodejs14.x", "2023-12-04"),
    ("nodejs16.x", "2024-06-12"),
    ("nodejs18.x", "2025-09-01"),
    ("dotnetcore1.0", "2019-07-30"),
    ("dotnetcore2.0", "2019-05-30"),
    ("dotnetcore2.1", "2022-01-05"),
    ("dotnetcore3.1", "2023-04-03"),
    ("dotnet5.0", "2022-05-10"),
    ("dotnet6", "2024-12-20"),
    ("ruby2.5", "2021-07-30"),
    ("ruby2.7", "2023-12-07"),
    ("ruby3.2", "2026-03-31"),
    ("go1.x", "2024-01-08"),
    ("java8", "2024-01-08"),
    ("provided", "2024-01-08"),
];

/// Days before a runtime's deprecation from which a function using it is flagged.
const DEPRECATION_NOTICE_DAYS: i64 = 120;

/// `L4dfs2Q4C5`: functions on runtimes deprecated or about to be.
pub(super) fn deprecated_runtimes(inv: &Inventory, cx: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    let refreshed = cx.now.to_string();
    for region in inv.regions_with("lambda.list-functions") {
        found.collected();
        let Some(Ok(functions)) = inv.functions(region) else {
            continue;
        };
        for f in &functions.functions {
            let Some(runtime) = f.runtime.as_deref() else {
                continue;
            };
            found.processed();
            let Some((_, date)) = RUNTIME_DEPRECATIONS.iter().find(|(r, _)| *r == runtime) else {
                continue;
            };
            let Some(days_past) = days_since(&format!("{date}T00:00:00Z"), cx.now) else {
                continue;
            };
            let days_to = -days_past;
            let status = if days_to <= 0 {
                Status::Error
            } else if days_to <= DEPRECATION_NOTICE_DAYS {
                Status::Warning
            } else {
                continue;
            };
            found.row(
                status,
                Some(region),
                f.function_arn.clone(),
                vec![
                    c(status.colour()),
                    c(region),
                    c(&f.function_arn),
                    c(runtime),
                    c(days_to.max(0)),
                    c(date),
                    None,
                    c(&refreshed),
                ],
            );
        }
    }
    found.done()
}

/// `nNauJisYIT`: DB security group rules open to the world (red) or to wide ranges.
pub(super) fn rds_security_group_risk(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("rds.describe-db-security-groups") {
        found.collected();
        let Some(Ok(groups)) = inv.db_security_groups(region) else {
            continue;
        };
        for g in &groups.groups {
            found.processed();
            for r in &g.ip_ranges {
                let (status, reason) = if r.cidr.ends_with("/0") {
                    (Status::Error, "Access from any address")
                } else if !r.cidr.ends_with("/32") {
                    (
                        Status::Warning,
                        "Access from a range wider than one address",
                    )
                } else {
                    continue;
                };
                found.row(
                    status,
                    Some(region),
                    format!("{region}|{}|{}", g.name, r.cidr),
                    vec![
                        c(region),
                        c(&g.name),
                        c(&r.cidr),
                        c(status.colour()),
                        c(reason),
                    ],
                );
            }
        }
    }
    found.done()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::test_support::{inventory, rows, run, run_at};
    use super::*;

    #[test]
    fn iam_use_and_root_mfa_are_one_row_each_without_columns() {
        let inv = inventory(&[(
            "global/iam.get-account-summary.json",
            r#"{"SummaryMap": {"Users": 0, "AccountMFAEnabled": 0, "UsersQuota": 5000}}"#,
        )]);
        let use_ = run("zXCkfM1nI3", &inv);
        assert_eq!(rows(&use_), [(Status::Warning, vec![])]);
        assert!(use_.rows[0].region.is_none());
        assert_eq!(rows(&run("7DAFEmoDos", &inv)), [(Status::Error, vec![])]);
        let ok = inventory(&[(
            "global/iam.get-account-summary.json",
            r#"{"SummaryMap": {"Users": 3, "AccountMFAEnabled": 1}}"#,
        )]);
        assert_eq!(rows(&run("zXCkfM1nI3", &ok))[0].0, Status::Ok);
        assert_eq!(rows(&run("7DAFEmoDos", &ok))[0].0, Status::Ok);
    }

    #[test]
    fn no_password_policy_is_red_and_a_partial_one_yellow() {
        let none = inventory(&[(
            "global/iam.get-account-password-policy.error",
            "An error occurred (NoSuchEntity) when calling the GetAccountPasswordPolicy operation: The Password Policy with domain name 123 cannot be found.",
        )]);
        let got = rows(&run("Yw2K9puPzl", &none));
        assert_eq!(got[0].0, Status::Error);
        assert_eq!(got[0].1[0], "Disabled");
        let partial = inventory(&[(
            "global/iam.get-account-password-policy.json",
            r#"{"PasswordPolicy": {"RequireUppercaseCharacters": true, "RequireLowercaseCharacters": true, "RequireNumbers": true, "RequireSymbols": false, "MinimumPasswordLength": 14}}"#,
        )]);
        let got = rows(&run("Yw2K9puPzl", &partial));
        assert_eq!(got[0].0, Status::Warning);
        assert_eq!(got[0].1[4], "Disabled");
        assert_eq!(got[0].1[6], "Not required: non-alphanumeric");
    }

    #[test]
    fn keys_older_than_90_days_are_yellow_and_2_years_red() {
        let inv = inventory(&[
            (
                "global/iam.list-users.json",
                r#"{"Users": [{"UserName": "ann"}, {"UserName": "bo"}]}"#,
            ),
            (
                "global/iam.list-access-keys/ann.json",
                r#"{"AccessKeyMetadata": [
                  {"UserName": "ann", "AccessKeyId": "AKIA1", "Status": "Active", "CreateDate": "2026-10-01T00:00:00Z"},
                  {"UserName": "ann", "AccessKeyId": "AKIA2", "Status": "Active", "CreateDate": "2026-01-01T00:00:00Z"},
                  {"UserName": "ann", "AccessKeyId": "AKIA3", "Status": "Active", "CreateDate": "2023-01-01T00:00:00Z"},
                  {"UserName": "ann", "AccessKeyId": "AKIA4", "Status": "Inactive", "CreateDate": "2020-01-01T00:00:00Z"}
                ]}"#,
            ),
        ]);
        let e = run("DqdJqYeRm5", &inv);
        let got: Vec<(Status, String)> = rows(&e)
            .into_iter()
            .map(|(s, m)| (s, m[2].clone()))
            .collect();
        assert_eq!(
            got,
            [
                (Status::Ok, "AKIA1".into()),
                (Status::Warning, "AKIA2".into()),
                (Status::Error, "AKIA3".into())
            ]
        );
        assert_eq!(e.ignored, 1, "bo's keys were not collected");
    }

    #[test]
    fn a_region_without_a_trail_is_red_and_delivery_errors_yellow() {
        let inv = inventory(&[
            (
                "us-east-1/cloudtrail.describe-trails.json",
                r#"{"trailList": [{"Name": "main", "S3BucketName": "logs", "IsMultiRegionTrail": false, "HomeRegion": "us-east-1"}]}"#,
            ),
            (
                "us-east-1/cloudtrail.get-trail-status/main.json",
                r#"{"IsLogging": true, "LatestDeliveryError": "AccessDenied"}"#,
            ),
            (
                "eu-west-1/cloudtrail.describe-trails.json",
                r#"{"trailList": []}"#,
            ),
        ]);
        let got = rows(&run("vjafUGJ9H0", &inv));
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, Status::Error);
        assert_eq!(got[0].1[0], "eu-west-1");
        assert_eq!(got[1].0, Status::Warning);
        assert_eq!(got[1].1[4], "AccessDenied");
    }

    #[test]
    fn deprecated_runtimes_are_red_and_those_due_within_120_days_yellow() {
        let inv = inventory(&[(
            "us-east-1/lambda.list-functions.json",
            r#"{"Functions": [
              {"FunctionArn": "arn:aws:lambda:us-east-1:1:function:old", "Runtime": "python3.7"},
              {"FunctionArn": "arn:aws:lambda:us-east-1:1:function:soon", "Runtime": "python3.9"},
              {"FunctionArn": "arn:aws:lambda:us-east-1:1:function:later", "Runtime": "ruby3.2"},
              {"FunctionArn": "arn:aws:lambda:us-east-1:1:function:fine", "Runtime": "python3.12"},
              {"FunctionArn": "arn:aws:lambda:us-east-1:1:function:image"}
            ]}"#,
        )]);
        // On 2025-11-01: python3.9 goes in 44 days, ruby3.2 in 150.
        let e = run_at("L4dfs2Q4C5", &inv, "2025-11-01T00:00:00Z");
        let got = rows(&e);
        assert_eq!(got.len(), 2);
        assert_eq!(
            (got[0].0, got[0].1[3].as_str(), got[0].1[4].as_str()),
            (Status::Error, "python3.7", "0")
        );
        assert_eq!(
            (got[1].0, got[1].1[3].as_str(), got[1].1[4].as_str()),
            (Status::Warning, "python3.9", "44")
        );
        assert_eq!(e.processed, 4, "an image function has no runtime");
    }
}
