//! The checks Tierdesk computes, one function per check, grouped by what they look at.
//! Each reads the inventory's facts for every region it was collected in; a check whose
//! facts were collected nowhere is `not_available`; a resource whose own facts are missing
//! (a per-resource call not collected, or refused) is counted as ignored, never guessed.

mod compute;
mod limits;
mod network;
mod records;
mod security;
mod storage;

use rust_decimal::Decimal;

use super::{Context, Evaluation, Inventory, Row, Status};

/// A check's evaluation function.
pub type Evaluator = fn(&Inventory, &Context<'_>) -> Evaluation;

/// The function that computes a check, if Tierdesk computes it.
pub fn evaluator(id: &str) -> Option<Evaluator> {
    Some(match id {
        "HCP4007jGY" => network::specific_ports_unrestricted,
        "1iG5NDGVre" => network::unrestricted_access,
        "tfg86AVHAZ" => network::many_group_rules,
        "j3DFqYTe29" => network::many_instance_rules,
        "S45wrEXrLz" => network::vpn_tunnels,
        "a2sEc6ILx" => network::elb_listener_security,
        "xSqX82fQu" => network::elb_security_groups,
        "hjLMh88uM8" => network::idle_load_balancers,
        "iqdCTZKCUp" => network::load_balancer_optimization,
        "xdeXZKIUy" => network::elb_cross_zone,
        "7qGXsKIUw" => network::elb_connection_draining,
        "zXCkfM1nI3" => security::iam_use,
        "7DAFEmoDos" => security::root_mfa,
        "Yw2K9puPzl" => security::password_policy,
        "DqdJqYeRm5" => security::access_key_rotation,
        "vjafUGJ9H0" => security::cloudtrail_logging,
        "L4dfs2Q4C5" => security::deprecated_runtimes,
        "nNauJisYIT" => security::rds_security_group_risk,
        "Pfx0RwqBli" => storage::bucket_permissions,
        "BueAdJ7NrP" => storage::bucket_logging,
        "R365s2Qddf" => storage::bucket_versioning,
        "ePs02jT06w" => storage::public_ebs_snapshots,
        "rSs93HQwa1" => storage::public_rds_snapshots,
        "H7IgTzjTYb" => storage::ebs_snapshots,
        "DAvU99Dc4C" => storage::underutilized_volumes,
        "PPkZrjsH2q" => storage::piops_attachment,
        "Z4AUBRNSmz" => compute::unassociated_eips,
        "wuy7G1zxql" => compute::zone_balance,
        "opQPADkZvH" => compute::rds_backups,
        "f2iK5R6Dep" => compute::rds_multi_az,
        "xuy7H1avtl" => compute::aurora_accessibility,
        "CLOG40CDO8" => compute::asg_health_check,
        "8CNsSllI5v" => compute::asg_resources,
        "c9D319e7sG" => records::mx_spf,
        "B913Ef6fb4" => records::alias_candidates,
        "C056F80cR3" => records::high_ttl,
        "b73EEdD790" => records::failover_partners,
        "Cb877eB72b" => records::deleted_health_checks,
        "51fC20e7I2" => records::single_latency,
        other => return limits::evaluator(other),
    })
}

/// Rows being gathered, and what was looked at.
#[derive(Debug, Default)]
pub(super) struct Found {
    rows: Vec<Row>,
    processed: u64,
    ignored: u64,
    /// Whether any of the facts the check needs was collected.
    collected: bool,
}

impl Found {
    fn collected(&mut self) {
        self.collected = true;
    }

    fn processed(&mut self) {
        self.processed += 1;
    }

    fn ignored(&mut self) {
        self.ignored += 1;
    }

    fn row(
        &mut self,
        status: Status,
        region: Option<&str>,
        key: String,
        metadata: Vec<Option<String>>,
    ) {
        self.rows.push(Row {
            status,
            region: region.map(str::to_string),
            key,
            metadata,
            savings: Decimal::ZERO,
        });
    }

    fn row_saving(
        &mut self,
        status: Status,
        region: &str,
        key: String,
        metadata: Vec<Option<String>>,
        savings: Decimal,
    ) {
        self.rows.push(Row {
            status,
            region: Some(region.to_string()),
            key,
            metadata,
            savings,
        });
    }

    fn done(self) -> Evaluation {
        if !self.collected {
            return Evaluation::not_available();
        }
        Evaluation {
            available: true,
            rows: self.rows,
            processed: self.processed,
            ignored: self.ignored,
        }
    }
}

/// A cell.
fn c(s: impl std::fmt::Display) -> Option<String> {
    Some(s.to_string())
}

/// `Yes` or `No`, as AWS writes booleans in metadata.
fn yes(b: bool) -> Option<String> {
    c(if b { "Yes" } else { "No" })
}

/// A dollar amount as the cost checks show it.
fn dollars(d: Decimal) -> Option<String> {
    c(format!("${:.2}", d.round_dp(2)))
}

/// Whole days from `then` (RFC 3339) to `now`, if `then` reads as an instant.
fn days_since(then: &str, now: jiff::Timestamp) -> Option<i64> {
    let t: jiff::Timestamp = then.parse().ok()?;
    Some((now.as_second() - t.as_second()).div_euclid(86_400))
}

/// The zone letter of an Availability Zone (`us-east-1c` → `c`).
fn zone_letter(az: &str) -> Option<char> {
    az.chars().last().filter(char::is_ascii_lowercase)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub(super) mod test_support {
    use super::super::{Context, Evaluation, Inventory, Prices, Status};

    /// An inventory of `(path, json)` files.
    pub fn inventory(files: &[(&str, &str)]) -> Inventory {
        let mut inv = Inventory::default();
        for (path, body) in files {
            match inv.add(path, body.as_bytes()) {
                Ok(true) => {}
                other => panic!("{path}: {other:?}"),
            }
        }
        inv
    }

    /// Runs check `id` as of 2026-11-28, and checks that each row has a cell per column.
    pub fn run(id: &str, inv: &Inventory) -> Evaluation {
        run_at(id, inv, "2026-11-28T00:00:00Z")
    }

    /// Runs check `id` as of `now`.
    pub fn run_at(id: &str, inv: &Inventory, now: &str) -> Evaluation {
        let prices = Prices::shipped();
        let cx = Context {
            prices: &prices,
            now: now.parse().unwrap_or_default(),
        };
        let Some(f) = super::evaluator(id) else {
            panic!("{id} is not computed")
        };
        let e = f(inv, &cx);
        let columns = super::super::check(id).map_or(0, |c| c.metadata.len());
        for r in &e.rows {
            assert_eq!(r.metadata.len(), columns, "{id}: {r:?}");
        }
        e
    }

    /// Each row's status and cells, as strings (`-` for a null cell).
    pub fn rows(e: &Evaluation) -> Vec<(Status, Vec<String>)> {
        e.rows
            .iter()
            .map(|r| {
                (
                    r.status,
                    r.metadata
                        .iter()
                        .map(|m| m.clone().unwrap_or_else(|| "-".into()))
                        .collect(),
                )
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::CHECKS;
    use super::*;

    #[test]
    fn at_least_35_checks_are_computed_and_every_computed_check_is_in_the_catalog() {
        let computed = CHECKS.iter().filter(|c| c.computed()).count();
        assert!(computed >= 35, "{computed}");
        for core in CHECKS
            .iter()
            .filter(|c| c.core && c.category != super::super::Category::ServiceLimits)
        {
            assert!(core.computed(), "core check {} is not computed", core.id);
        }
    }

    #[test]
    fn every_check_needs_its_facts() {
        // An empty inventory: every computed check is not_available, none panics.
        let inv = Inventory::default();
        for check in CHECKS {
            if check.computed() {
                let e = test_support::run(check.id, &inv);
                assert!(!e.available, "{}", check.id);
            }
        }
    }
}
