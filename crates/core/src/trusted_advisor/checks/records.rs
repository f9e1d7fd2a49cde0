//! Route 53 hosted zones and their record sets.

use std::collections::{BTreeMap, BTreeSet};

use super::super::inventory::route53::{HostedZone, RecordSet};
use super::super::{Context, Evaluation, Inventory, Status};
use super::{Found, c};

/// Each hosted zone with its record sets (a zone whose sets were not collected is
/// ignored).
fn each_zone(
    inv: &Inventory,
    found: &mut Found,
    mut f: impl FnMut(&HostedZone, &[RecordSet], &mut Found),
) {
    let Some(Ok(zones)) = inv.hosted_zones("global") else {
        return;
    };
    found.collected();
    for z in &zones.hosted_zones {
        match inv.record_sets("global", z.short_id()) {
            Some(Ok(sets)) => {
                found.processed();
                f(z, &sets.resource_record_sets, found);
            }
            _ => found.ignored(),
        }
    }
}

fn key(z: &HostedZone, r: &RecordSet) -> String {
    format!(
        "{}|{}|{}|{}",
        z.short_id(),
        r.name,
        r.kind,
        r.set_identifier.as_deref().unwrap_or("")
    )
}

fn unquote(v: &str) -> String {
    v.replace('"', "")
}

/// `c9D319e7sG`: mail exchangers without an SPF record beside them.
pub(super) fn mx_spf(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    each_zone(inv, &mut found, |z, sets, found| {
        let spf: BTreeSet<&str> = sets
            .iter()
            .filter(|r| r.kind == "TXT" || r.kind == "SPF")
            .filter(|r| {
                r.resource_records
                    .iter()
                    .any(|v| unquote(&v.value).trim_start().starts_with("v=spf1"))
            })
            .map(|r| r.name.as_str())
            .collect();
        for r in sets
            .iter()
            .filter(|r| r.kind == "MX" && !spf.contains(r.name.as_str()))
        {
            found.row(
                Status::Warning,
                None,
                key(z, r),
                vec![c(&z.name), c(z.short_id()), c(&r.name), c("Yellow")],
            );
        }
    });
    found.done()
}

/// Whether a CNAME's target could be an alias instead (S3 website, CloudFront, ELB).
fn alias_target(value: &str) -> bool {
    let v = value.trim_end_matches('.').to_ascii_lowercase();
    v.ends_with(".cloudfront.net") || v.ends_with(".elb.amazonaws.com") || v.contains(".s3-website")
}

/// `B913Ef6fb4`: CNAMEs to AWS resources an alias record would serve better.
pub(super) fn alias_candidates(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    each_zone(inv, &mut found, |z, sets, found| {
        for r in sets.iter().filter(|r| r.kind == "CNAME") {
            let Some(target) = r
                .resource_records
                .iter()
                .map(|v| v.value.as_str())
                .find(|v| alias_target(v))
            else {
                continue;
            };
            found.row(
                Status::Warning,
                None,
                key(z, r),
                vec![
                    c(&z.name),
                    c(z.short_id()),
                    c(&r.name),
                    c(&r.kind),
                    r.set_identifier.clone(),
                    c(target),
                    c("Yellow"),
                ],
            );
        }
    });
    found.done()
}

/// Highest TTL a failover or health-checked record should have, in seconds.
const FAILOVER_TTL: i64 = 60;

/// `C056F80cR3`: failover and health-checked sets whose TTL slows failing over.
pub(super) fn high_ttl(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    each_zone(inv, &mut found, |z, sets, found| {
        for r in sets {
            let watched = r.failover.is_some() || r.health_check_id.is_some();
            match r.ttl {
                Some(ttl) if watched && ttl > FAILOVER_TTL => found.row(
                    Status::Warning,
                    None,
                    key(z, r),
                    vec![
                        c(&z.name),
                        c(z.short_id()),
                        c(&r.name),
                        c(&r.kind),
                        r.set_identifier.clone(),
                        c(ttl),
                        c("Yellow"),
                    ],
                ),
                _ => {}
            }
        }
    });
    found.done()
}

/// `b73EEdD790`: a failover set without its partner.
pub(super) fn failover_partners(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    each_zone(inv, &mut found, |z, sets, found| {
        let mut roles: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
        for r in sets {
            if let Some(f) = &r.failover {
                roles
                    .entry((r.name.as_str(), r.kind.as_str()))
                    .or_default()
                    .insert(f.as_str());
            }
        }
        for ((name, kind), have) in roles {
            let reason = match (have.contains("PRIMARY"), have.contains("SECONDARY")) {
                (true, false) => "A primary record set without a secondary",
                (false, true) => "A secondary record set without a primary",
                _ => continue,
            };
            found.row(
                Status::Warning,
                None,
                format!("{}|{name}|{kind}", z.short_id()),
                vec![c(&z.name), c(z.short_id()), c(name), c(kind), c(reason)],
            );
        }
    });
    found.done()
}

/// `Cb877eB72b`: sets that name a health check that no longer exists.
pub(super) fn deleted_health_checks(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    let Some(Ok(checks)) = inv.health_checks("global") else {
        return found.done();
    };
    let live: BTreeSet<&str> = checks.health_checks.iter().map(|h| h.id.as_str()).collect();
    each_zone(inv, &mut found, |z, sets, found| {
        for r in sets {
            if r.health_check_id
                .as_deref()
                .is_some_and(|h| !live.contains(h))
            {
                found.row(
                    Status::Warning,
                    None,
                    key(z, r),
                    vec![
                        c(&z.name),
                        c(z.short_id()),
                        c(&r.name),
                        c(&r.kind),
                        r.set_identifier.clone(),
                    ],
                );
            }
        }
    });
    found.done()
}

/// `51fC20e7I2`: latency routing with a single record (nothing to choose between).
pub(super) fn single_latency(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    each_zone(inv, &mut found, |z, sets, found| {
        let mut latency: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for r in sets.iter().filter(|r| r.region.is_some()) {
            *latency
                .entry((r.name.as_str(), r.kind.as_str()))
                .or_default() += 1;
        }
        for ((name, kind), n) in latency {
            if n == 1 {
                found.row(
                    Status::Warning,
                    None,
                    format!("{}|{name}|{kind}", z.short_id()),
                    vec![c(&z.name), c(z.short_id()), c(name), c(kind)],
                );
            }
        }
    });
    found.done()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::test_support::{inventory, rows, run};
    use super::*;

    fn zone() -> Inventory {
        inventory(&[
            (
                "global/route53.list-hosted-zones.json",
                r#"{"HostedZones": [{"Id": "/hostedzone/Z1", "Name": "example.com."}, {"Id": "/hostedzone/Z2", "Name": "other.com."}]}"#,
            ),
            (
                "global/route53.list-resource-record-sets/Z1.json",
                r#"{"ResourceRecordSets": [
                  {"Name": "example.com.", "Type": "MX", "TTL": 300, "ResourceRecords": [{"Value": "10 mail.example.com."}]},
                  {"Name": "example.com.", "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": "\"google-site-verification=x\""}]},
                  {"Name": "ok.example.com.", "Type": "MX", "TTL": 300, "ResourceRecords": [{"Value": "10 mail.example.com."}]},
                  {"Name": "ok.example.com.", "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": "\"v=spf1 include:_spf.example.com ~all\""}]},
                  {"Name": "cdn.example.com.", "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": "d111.cloudfront.net"}]},
                  {"Name": "app.example.com.", "Type": "A", "TTL": 300, "SetIdentifier": "p", "Failover": "PRIMARY", "HealthCheckId": "hc-gone", "ResourceRecords": [{"Value": "192.0.2.1"}]},
                  {"Name": "api.example.com.", "Type": "A", "TTL": 30, "SetIdentifier": "us", "Region": "us-east-1", "ResourceRecords": [{"Value": "192.0.2.2"}]}
                ]}"#,
            ),
            (
                "global/route53.list-health-checks.json",
                r#"{"HealthChecks": [{"Id": "hc-live"}]}"#,
            ),
        ])
    }

    #[test]
    fn route_53_findings() {
        let inv = zone();
        let mx = run("c9D319e7sG", &inv);
        assert_eq!(
            rows(&mx),
            [(
                Status::Warning,
                ["example.com.", "Z1", "example.com.", "Yellow"]
                    .map(String::from)
                    .to_vec()
            )]
        );
        assert_eq!(
            (mx.processed, mx.ignored),
            (1, 1),
            "Z2's sets were not collected"
        );
        assert_eq!(
            rows(&run("B913Ef6fb4", &inv))[0].1[5],
            "d111.cloudfront.net"
        );
        assert_eq!(rows(&run("C056F80cR3", &inv))[0].1[2], "app.example.com.");
        assert_eq!(
            rows(&run("b73EEdD790", &inv))[0].1[4],
            "A primary record set without a secondary"
        );
        assert_eq!(rows(&run("Cb877eB72b", &inv))[0].1[2], "app.example.com.");
        assert_eq!(rows(&run("51fC20e7I2", &inv))[0].1[2], "api.example.com.");
    }
}
