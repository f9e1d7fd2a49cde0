//! Service limits: each limit's usage beside its quota, per region (or once, for global
//! services), Yellow from 80% and Red from 100%.

use super::super::{Context, Evaluation, Inventory, Status, check};
use super::{Evaluator, Found, c};

/// What the inventory says of a limit in one region.
enum Reading {
    /// The quota and the usage.
    Value(f64, f64),
    /// The facts were collected but say nothing of this limit (or part was refused).
    Unknown,
}

/// The status of `usage` against `limit`.
fn status(limit: f64, usage: f64) -> Status {
    if usage >= limit && (limit > 0.0 || usage > 0.0) {
        Status::Error
    } else if usage * 5.0 >= limit * 4.0 && limit > 0.0 {
        Status::Warning
    } else {
        Status::Ok
    }
}

fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// Evaluates one limit over the regions (or `global`) where `call` was collected.
fn run(
    inv: &Inventory,
    id: &str,
    service: &str,
    call: &str,
    global: bool,
    read: fn(&Inventory, &str) -> Reading,
) -> Evaluation {
    let mut found = Found::default();
    let name = check(id).map_or(id, |c| c.name);
    // A global limit reads one file under global/; a regional one, each region's.
    let scopes: Vec<&str> = if global {
        let collected = inv
            .files()
            .any(|(k, _)| k.scope == "global" && k.call == call);
        if collected {
            vec!["global"]
        } else {
            Vec::new()
        }
    } else {
        inv.regions_with(call)
    };
    for scope in scopes {
        found.collected();
        found.processed();
        match read(inv, scope) {
            Reading::Unknown => found.ignored(),
            Reading::Value(limit, usage) => {
                let s = status(limit, usage);
                let region = if global { "-" } else { scope };
                found.row(
                    s,
                    (!global).then_some(scope),
                    format!("{scope}|{id}"),
                    vec![
                        c(region),
                        c(service),
                        c(name),
                        c(number(limit)),
                        c(number(usage)),
                        c(s.colour()),
                    ],
                );
            }
        }
    }
    found.done()
}

/// A quota by name from the region's `service-quotas list-service-quotas` for a service
/// code (`vpc`, `ec2`, `ebs`, `elasticloadbalancing`), in the unit usage is counted in
/// (TiB quotas become GiB).
fn quota(inv: &Inventory, region: &str, service: &str, name: &str) -> Option<f64> {
    let Some(Ok(q)) = inv.service_quotas(region, service) else {
        return None;
    };
    q.quotas
        .iter()
        .find(|q| q.quota_name.contains(name))
        .map(|q| {
            if q.quota_name.contains("in TiB") {
                q.value * 1024.0
            } else {
                q.value
            }
        })
}

fn iam(inv: &Inventory, key: &str) -> Reading {
    match inv.account_summary("global") {
        Some(Ok(s)) => match (
            s.summary_map.get(&format!("{key}Quota")),
            s.summary_map.get(key),
        ) {
            (Some(limit), Some(usage)) => Reading::Value(*limit as f64, *usage as f64),
            _ => Reading::Unknown,
        },
        _ => Reading::Unknown,
    }
}

fn rds(inv: &Inventory, region: &str, name: &str) -> Reading {
    match inv.rds_account_attributes(region) {
        Some(Ok(a)) => a
            .account_quotas
            .iter()
            .find(|q| q.account_quota_name == name)
            .map_or(Reading::Unknown, |q| {
                Reading::Value(q.max as f64, q.used as f64)
            }),
        _ => Reading::Unknown,
    }
}

fn route53(inv: &Inventory, kind: &str) -> Reading {
    match inv.route53_limit("global", kind) {
        Some(Ok(l)) => Reading::Value(l.limit.value as f64, l.count as f64),
        _ => Reading::Unknown,
    }
}

/// GiB of EBS volumes of `kind` in a region, against its storage quota.
fn ebs_storage(inv: &Inventory, region: &str, kind: &str, quota_name: &str) -> Reading {
    let (Some(Ok(volumes)), Some(limit)) =
        (inv.volumes(region), quota(inv, region, "ebs", quota_name))
    else {
        return Reading::Unknown;
    };
    let used: i64 = volumes
        .volumes
        .iter()
        .filter(|v| v.volume_type == kind)
        .map(|v| v.size)
        .sum();
    Reading::Value(limit, used as f64)
}

/// Instance families the Standard on-demand vCPU quota covers.
const STANDARD_FAMILIES: [char; 9] = ['a', 'c', 'd', 'h', 'i', 'm', 'r', 't', 'z'];

fn on_demand_vcpus(inv: &Inventory, region: &str) -> Reading {
    let (Some(Ok(instances)), Some(Ok(types))) =
        (inv.instances(region), inv.instance_types(region))
    else {
        return Reading::Unknown;
    };
    let Some(limit) = quota(inv, region, "ec2", "Running On-Demand Standard") else {
        return Reading::Unknown;
    };
    let mut used = 0;
    for i in instances.all().filter(|i| i.running()) {
        if !i
            .instance_type
            .starts_with(|ch: char| STANDARD_FAMILIES.contains(&ch))
        {
            continue;
        }
        match types
            .instance_types
            .iter()
            .find(|t| t.instance_type == i.instance_type)
        {
            Some(t) => used += t.vcpu_info.default_vcpus,
            None => return Reading::Unknown,
        }
    }
    Reading::Value(limit, used as f64)
}

macro_rules! limits {
    ($( $fname:ident = $id:literal, $service:literal, $call:literal, global=$global:literal, $read:expr; )*) => {
        $(
            fn $fname(inv: &Inventory, _: &Context<'_>) -> Evaluation {
                run(inv, $id, $service, $call, $global, $read)
            }
        )*

        /// The limit check with this id, if computed.
        pub(super) fn evaluator(id: &str) -> Option<Evaluator> {
            match id {
                $( $id => Some($fname), )*
                _ => None,
            }
        }
    };
}

limits! {
    iam_users = "qS7VV0l7J9", "IAM", "iam.get-account-summary", global=true, |inv, _| iam(inv, "Users");
    iam_roles = "oQ7TT0l7J9", "IAM", "iam.get-account-summary", global=true, |inv, _| iam(inv, "Roles");
    iam_policies = "pR7UU0l7J9", "IAM", "iam.get-account-summary", global=true, |inv, _| iam(inv, "Policies");
    iam_profiles = "nO7SS0l7J9", "IAM", "iam.get-account-summary", global=true, |inv, _| iam(inv, "InstanceProfiles");
    iam_groups = "sU7XX0l7J9", "IAM", "iam.get-account-summary", global=true, |inv, _| iam(inv, "Groups");
    iam_certificates = "rT7WW0l7J9", "IAM", "iam.get-account-summary", global=true, |inv, _| iam(inv, "ServerCertificates");
    rds_instances = "XG0aXHpIEt", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "DBInstances");
    rds_reserved = "UUDvOa5r34", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "ReservedDBInstances");
    rds_storage = "P1jhKWEmLa", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "AllocatedStorage");
    rds_security_groups = "gfZAn3W7wl", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "DBSecurityGroups");
    rds_auths = "dBkuNCvqn5", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "AuthorizationsPerDBSecurityGroup");
    rds_parameter_groups = "jEECYg2YVU", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "DBParameterGroups");
    rds_snapshots = "dV84wpqRUs", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "ManualSnapshots");
    rds_event_subscriptions = "keAhfbH5yb", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "EventSubscriptions");
    rds_subnet_groups = "dYWBaXaaMM", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "DBSubnetGroups");
    rds_option_groups = "3Njm0DJQO9", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "OptionGroups");
    rds_subnets = "jEhCtdJKOY", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "SubnetsPerDBSubnetGroup");
    rds_replicas = "pYW8UkYz2w", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "ReadReplicasPerMaster");
    rds_clusters = "gjqMBn6pjz", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "DBClusters");
    rds_cluster_parameter_groups = "jtlIMO3qZM", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "DBClusterParameterGroups");
    rds_cluster_roles = "7fuccf1Mx7", "RDS", "rds.describe-account-attributes", global=false, |inv, r| rds(inv, r, "DBClusterRoles");
    asg_groups = "fW7HH0l7J9", "AutoScaling", "autoscaling.describe-account-limits", global=false, |inv, r| match inv.auto_scaling_limits(r) {
        Some(Ok(l)) => Reading::Value(l.max_number_of_auto_scaling_groups as f64, l.number_of_auto_scaling_groups as f64),
        _ => Reading::Unknown,
    };
    asg_configs = "aW7HH0l7J9", "AutoScaling", "autoscaling.describe-account-limits", global=false, |inv, r| match inv.auto_scaling_limits(r) {
        Some(Ok(l)) => Reading::Value(l.max_number_of_launch_configurations as f64, l.number_of_launch_configurations as f64),
        _ => Reading::Unknown,
    };
    stacks = "gW7HH0l7J9", "CloudFormation", "cloudformation.describe-account-limits", global=false, |inv, r| {
        let limit = match inv.cloudformation_limits(r) {
            Some(Ok(l)) => l.account_limits.iter().find(|l| l.name == "StackLimit").map(|l| l.value),
            _ => None,
        };
        match (limit, inv.stacks(r)) {
            (Some(limit), Some(Ok(s))) => Reading::Value(
                limit as f64,
                s.stack_summaries.iter().filter(|s| s.stack_status != "DELETE_COMPLETE").count() as f64,
            ),
            (Some(limit), Some(Err(super::super::inventory::Entry::Empty))) => Reading::Value(limit as f64, 0.0),
            _ => Reading::Unknown,
        }
    };
    kinesis = "bW7HH0l7J9", "Kinesis", "kinesis.describe-limits", global=false, |inv, r| match inv.kinesis_limits(r) {
        Some(Ok(l)) => Reading::Value(l.shard_limit as f64, l.open_shard_count as f64),
        _ => Reading::Unknown,
    };
    ses = "hJ7NN0l7J9", "SES", "ses.get-send-quota", global=false, |inv, r| match inv.ses_quota(r) {
        Some(Ok(q)) => Reading::Value(q.max_24_hour_send, q.sent_last_24_hours),
        _ => Reading::Unknown,
    };
    r53_zones = "dx3xfcdfMr", "Route53", "route53.get-account-limit", global=true, |inv, _| route53(inv, "MAX_HOSTED_ZONES_BY_OWNER");
    r53_health_checks = "ru4xfcdfMr", "Route53", "route53.get-account-limit", global=true, |inv, _| route53(inv, "MAX_HEALTH_CHECKS_BY_OWNER");
    r53_delegation_sets = "ty3xfcdfMr", "Route53", "route53.get-account-limit", global=true, |inv, _| route53(inv, "MAX_REUSABLE_DELEGATION_SETS_BY_OWNER");
    r53_policies = "dx3xfbjfMr", "Route53", "route53.get-account-limit", global=true, |inv, _| route53(inv, "MAX_TRAFFIC_POLICIES_BY_OWNER");
    r53_policy_instances = "dx8afcdfMr", "Route53", "route53.get-account-limit", global=true, |inv, _| route53(inv, "MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER");
    vpcs = "jL7PP0l7J9", "VPC", "ec2.describe-vpcs", global=false, |inv, r| match inv.vpcs(r) {
        Some(Ok(v)) => Reading::Value(quota(inv, r, "vpc", "VPCs per Region").unwrap_or(5.0), v.vpcs.len() as f64),
        _ => Reading::Unknown,
    };
    gateways = "kM7QQ0l7J9", "VPC", "ec2.describe-internet-gateways", global=false, |inv, r| match inv.internet_gateways(r) {
        Some(Ok(g)) => Reading::Value(quota(inv, r, "vpc", "Internet gateways per Region").unwrap_or(5.0), g.internet_gateways.len() as f64),
        _ => Reading::Unknown,
    };
    eips = "lN7RR0l7J9", "VPC", "ec2.describe-addresses", global=false, |inv, r| match inv.addresses(r) {
        Some(Ok(a)) => Reading::Value(
            quota(inv, r, "ec2", "EC2-VPC Elastic IPs").unwrap_or(5.0),
            a.addresses.iter().filter(|a| a.domain.as_deref() != Some("standard")).count() as f64,
        ),
        _ => Reading::Unknown,
    };
    on_demand = "0Xc6LMYG8P", "EC2", "ec2.describe-instances", global=false, on_demand_vcpus;
    ebs_snapshots = "eI7KK0l7J9", "EBS", "ec2.describe-snapshots", global=false, |inv, r| match (inv.snapshots(r), quota(inv, r, "ebs", "Snapshots per Region")) {
        (Some(Ok(s)), Some(limit)) => Reading::Value(limit, s.snapshots.len() as f64),
        _ => Reading::Unknown,
    };
    ebs_gp2 = "dH7RR0l6J9", "EBS", "ec2.describe-volumes", global=false, |inv, r| ebs_storage(inv, r, "gp2", "General Purpose SSD (gp2)");
    ebs_gp3 = "dH7RR0l6J3", "EBS", "ec2.describe-volumes", global=false, |inv, r| ebs_storage(inv, r, "gp3", "General Purpose SSD (gp3)");
    ebs_io1 = "gI7MM0l7J9", "EBS", "ec2.describe-volumes", global=false, |inv, r| ebs_storage(inv, r, "io1", "Provisioned IOPS SSD (io1)");
    ebs_io2 = "gI7MM0l7J2", "EBS", "ec2.describe-volumes", global=false, |inv, r| ebs_storage(inv, r, "io2", "Provisioned IOPS SSD (io2)");
    ebs_st1 = "wH7DD0l3J9", "EBS", "ec2.describe-volumes", global=false, |inv, r| ebs_storage(inv, r, "st1", "Throughput Optimized HDD (st1)");
    ebs_sc1 = "gH5CC0e3J9", "EBS", "ec2.describe-volumes", global=false, |inv, r| ebs_storage(inv, r, "sc1", "Cold HDD (sc1)");
    ebs_standard = "cG7HH0l7J9", "EBS", "ec2.describe-volumes", global=false, |inv, r| ebs_storage(inv, r, "standard", "Magnetic (standard)");
    ebs_iops = "tV7YY0l7J9", "EBS", "ec2.describe-volumes", global=false, |inv, r| {
        let (Some(Ok(volumes)), Some(limit)) = (inv.volumes(r), quota(inv, r, "ebs", "IOPS for Provisioned IOPS SSD (io1)")) else {
            return Reading::Unknown;
        };
        let used: i64 = volumes.volumes.iter().filter(|v| v.volume_type == "io1").filter_map(|v| v.iops).sum();
        Reading::Value(limit, used as f64)
    };
    elb_classic = "iK7OO0l7J9", "ELB", "elb.describe-load-balancers", global=false, |inv, r| match (inv.load_balancers(r), quota(inv, r, "elasticloadbalancing", "Classic Load Balancers per Region")) {
        (Some(Ok(l)), Some(limit)) => Reading::Value(limit, l.load_balancer_descriptions.len() as f64),
        _ => Reading::Unknown,
    };
    elb_application = "EM8b3yLRTr", "ELB", "elbv2.describe-load-balancers", global=false, |inv, r| match (inv.load_balancers_v2(r), quota(inv, r, "elasticloadbalancing", "Application Load Balancers per Region")) {
        (Some(Ok(l)), Some(limit)) => Reading::Value(limit, l.load_balancers.iter().filter(|l| l.kind == "application").count() as f64),
        _ => Reading::Unknown,
    };
    elb_network = "8wIqYSt25K", "ELB", "elbv2.describe-load-balancers", global=false, |inv, r| match (inv.load_balancers_v2(r), quota(inv, r, "elasticloadbalancing", "Network Load Balancers per Region")) {
        (Some(Ok(l)), Some(limit)) => Reading::Value(limit, l.load_balancers.iter().filter(|l| l.kind == "network").count() as f64),
        _ => Reading::Unknown,
    };
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::test_support::{inventory, rows, run};
    use super::*;

    #[test]
    fn eighty_percent_is_yellow_and_a_hundred_red() {
        assert_eq!(status(5.0, 3.0), Status::Ok);
        assert_eq!(status(5.0, 4.0), Status::Warning);
        assert_eq!(status(5.0, 5.0), Status::Error);
        assert_eq!(status(0.0, 0.0), Status::Ok);
        assert_eq!(status(0.0, 1.0), Status::Error);
    }

    #[test]
    fn limits_from_the_account_summary_quotas_and_counted_resources() {
        let inv = inventory(&[
            (
                "global/iam.get-account-summary.json",
                r#"{"SummaryMap": {"Users": 4100, "UsersQuota": 5000, "Roles": 1000, "RolesQuota": 1000}}"#,
            ),
            (
                "us-east-1/ec2.describe-vpcs.json",
                r#"{"Vpcs": [{"VpcId": "vpc-1"}, {"VpcId": "vpc-2"}, {"VpcId": "vpc-3"}, {"VpcId": "vpc-4"}]}"#,
            ),
            (
                "eu-west-1/ec2.describe-vpcs.json",
                r#"{"Vpcs": [{"VpcId": "vpc-9"}]}"#,
            ),
            (
                "eu-west-1/service-quotas.list-service-quotas/vpc.json",
                r#"{"Quotas": [{"ServiceCode": "vpc", "QuotaCode": "L-F678F1CE", "QuotaName": "VPCs per Region", "Value": 1.0}]}"#,
            ),
            (
                "us-east-1/rds.describe-account-attributes.json",
                r#"{"AccountQuotas": [{"AccountQuotaName": "DBInstances", "Used": 39, "Max": 40}]}"#,
            ),
        ]);
        assert_eq!(
            rows(&run("qS7VV0l7J9", &inv)),
            [(
                Status::Warning,
                ["-", "IAM", "IAM Users", "5000", "4100", "Yellow"]
                    .map(String::from)
                    .to_vec()
            )]
        );
        assert_eq!(rows(&run("oQ7TT0l7J9", &inv))[0].0, Status::Error);
        let vpc = rows(&run("jL7PP0l7J9", &inv));
        let got: Vec<(&str, Status, &str)> = vpc
            .iter()
            .map(|(s, m)| (m[0].as_str(), *s, m[3].as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("eu-west-1", Status::Error, "1"),
                ("us-east-1", Status::Warning, "5")
            ]
        );
        assert_eq!(
            rows(&run("XG0aXHpIEt", &inv))[0].1[3..5],
            ["40".to_string(), "39".to_string()]
        );
        assert!(
            !run("gW7HH0l7J9", &inv).available,
            "no CloudFormation facts"
        );
    }
}
