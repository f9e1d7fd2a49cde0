//! Instances, addresses, databases and Auto Scaling groups.

use std::collections::{BTreeMap, BTreeSet};

use super::super::{Context, Evaluation, Inventory, Status};
use super::{Found, c, zone_letter};

/// `Z4AUBRNSmz`: Elastic IPs not associated with a running instance.
pub(super) fn unassociated_eips(inv: &Inventory, cx: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    let saving = cx.prices.monthly(cx.prices.elastic_ip_hour);
    for region in inv.regions_with("ec2.describe-addresses") {
        found.collected();
        let Some(Ok(addresses)) = inv.addresses(region) else {
            continue;
        };
        let running: BTreeSet<&str> = match inv.instances(region) {
            Some(Ok(i)) => i
                .all()
                .filter(|i| i.running())
                .map(|i| i.instance_id.as_str())
                .collect(),
            _ => BTreeSet::new(),
        };
        let instances_known = matches!(inv.instances(region), Some(Ok(_)));
        for a in &addresses.addresses {
            found.processed();
            let idle = match (&a.association_id, &a.instance_id) {
                (None, _) => true,
                // Associated with an instance: idle when it is not running (if known).
                (Some(_), Some(i)) => instances_known && !running.contains(i.as_str()),
                (Some(_), None) => false,
            };
            if idle {
                found.row_saving(
                    Status::Warning,
                    region,
                    format!("{region}|{}", a.public_ip),
                    vec![c(region), c(&a.public_ip)],
                    saving,
                );
            }
        }
    }
    found.done()
}

/// `wuy7G1zxql`: a region's running instances by Availability Zone.
pub(super) fn zone_balance(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("ec2.describe-instances") {
        found.collected();
        let Some(Ok(instances)) = inv.instances(region) else {
            continue;
        };
        let mut per_zone: BTreeMap<char, usize> = BTreeMap::new();
        for i in instances.all().filter(|i| i.running()) {
            if let Some(z) = zone_letter(&i.placement.availability_zone) {
                *per_zone.entry(z).or_default() += 1;
            }
        }
        if per_zone.is_empty() {
            continue;
        }
        found.processed();
        let hi = per_zone.values().max().copied().unwrap_or(0);
        let lo = per_zone.values().min().copied().unwrap_or(0);
        let (status, reason) = if per_zone.len() == 1 {
            (Status::Error, "Instances in only one Availability Zone")
        } else if (hi - lo) * 5 > hi {
            (
                Status::Warning,
                "Instances unevenly distributed across Availability Zones",
            )
        } else {
            continue;
        };
        let mut cells = vec![c(region)];
        for z in 'a'..='f' {
            cells.push(c(per_zone.get(&z).copied().unwrap_or(0)));
        }
        cells.push(c(status.colour()));
        cells.push(c(reason));
        found.row(status, Some(region), region.to_string(), cells);
    }
    found.done()
}

/// Every region's DB instances.
fn each_db(
    inv: &Inventory,
    found: &mut Found,
    mut f: impl FnMut(&str, &super::super::inventory::rds::DbInstance, &mut Found),
) {
    for region in inv.regions_with("rds.describe-db-instances") {
        found.collected();
        let Some(Ok(dbs)) = inv.db_instances(region) else {
            continue;
        };
        for db in &dbs.db_instances {
            found.processed();
            f(region, db, found);
        }
    }
}

/// `opQPADkZvH`: DB instances that keep no backups.
pub(super) fn rds_backups(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    each_db(inv, &mut found, |region, db, found| {
        if db.backup_retention_period > 0 {
            return;
        }
        found.row(
            Status::Error,
            Some(region),
            format!("{region}|{}", db.id),
            vec![
                c(db.availability_zone.as_deref().unwrap_or(region)),
                c(&db.id),
                db.subnet_group.as_ref().map(|g| g.vpc_id.clone()),
                c(db.backup_retention_period),
                c("Red"),
            ],
        );
    });
    found.done()
}

/// `f2iK5R6Dep`: DB instances in a single Availability Zone (SQL Server and Aurora, whose
/// availability is the cluster's, are not examined).
pub(super) fn rds_multi_az(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    each_db(inv, &mut found, |region, db, found| {
        if db.multi_az || db.engine.starts_with("sqlserver") || db.cluster.is_some() {
            return;
        }
        found.row(
            Status::Warning,
            Some(region),
            format!("{region}|{}", db.id),
            vec![
                c(db.availability_zone.as_deref().unwrap_or(region)),
                c(&db.id),
                db.subnet_group.as_ref().map(|g| g.vpc_id.clone()),
                c("No"),
                c("Yellow"),
            ],
        );
    });
    found.done()
}

/// `xuy7H1avtl`: Aurora clusters whose instances mix public and private access.
pub(super) fn aurora_accessibility(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("rds.describe-db-instances") {
        found.collected();
        let Some(Ok(dbs)) = inv.db_instances(region) else {
            continue;
        };
        let mut clusters: BTreeMap<&str, (Vec<&str>, Vec<&str>)> = BTreeMap::new();
        for db in &dbs.db_instances {
            if let Some(cluster) = &db.cluster {
                let entry = clusters.entry(cluster.as_str()).or_default();
                if db.publicly_accessible {
                    entry.0.push(&db.id);
                } else {
                    entry.1.push(&db.id);
                }
            }
        }
        for (cluster, (public, private)) in clusters {
            found.processed();
            if public.is_empty() || private.is_empty() {
                continue;
            }
            found.row(
                Status::Warning,
                Some(region),
                format!("{region}|{cluster}"),
                vec![
                    c("Yellow"),
                    c(region),
                    c(cluster),
                    c(public.join(", ")),
                    c(private.join(", ")),
                    c("The cluster's instances mix public and private accessibility"),
                ],
            );
        }
    }
    found.done()
}

/// `CLOG40CDO8`: groups whose health check does not match their load balancing.
pub(super) fn asg_health_check(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("autoscaling.describe-auto-scaling-groups") {
        found.collected();
        let Some(Ok(groups)) = inv.auto_scaling_groups(region) else {
            continue;
        };
        for g in &groups.auto_scaling_groups {
            found.processed();
            let balanced = !g.load_balancer_names.is_empty() || !g.target_group_arns.is_empty();
            let elb_check = g.health_check_type == "ELB";
            if balanced == elb_check {
                continue;
            }
            found.row(
                Status::Warning,
                Some(region),
                format!("{region}|{}", g.auto_scaling_group_name),
                vec![
                    c(region),
                    c(&g.auto_scaling_group_name),
                    c(if balanced { "Yes" } else { "No" }),
                    c(&g.health_check_type),
                    c("Yellow"),
                ],
            );
        }
    }
    found.done()
}

/// `8CNsSllI5v`: groups that name a deleted load balancer, or launch from a deleted AMI.
pub(super) fn asg_resources(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("autoscaling.describe-auto-scaling-groups") {
        let Some(Ok(groups)) = inv.auto_scaling_groups(region) else {
            found.collected();
            continue;
        };
        found.collected();
        let lbs: Option<BTreeSet<&str>> = match inv.load_balancers(region) {
            Some(Ok(l)) => Some(
                l.load_balancer_descriptions
                    .iter()
                    .map(|l| l.load_balancer_name.as_str())
                    .collect(),
            ),
            _ => None,
        };
        let images: Option<BTreeSet<&str>> = match inv.images(region) {
            Some(Ok(i)) => Some(i.images.iter().map(|i| i.image_id.as_str()).collect()),
            _ => None,
        };
        let configs: BTreeMap<&str, &str> = match inv.launch_configurations(region) {
            Some(Ok(l)) => l
                .launch_configurations
                .iter()
                .map(|l| (l.launch_configuration_name.as_str(), l.image_id.as_str()))
                .collect(),
            _ => BTreeMap::new(),
        };
        for g in &groups.auto_scaling_groups {
            found.processed();
            let config = g.launch_configuration_name.as_deref();
            let mut flag = |kind: &str, name: &str, reason: &str| {
                found.row(
                    Status::Error,
                    Some(region),
                    format!("{region}|{}|{kind}|{name}", g.auto_scaling_group_name),
                    vec![
                        c(region),
                        c(&g.auto_scaling_group_name),
                        config.map(str::to_string),
                        c(if config.is_some() {
                            "Launch Configuration"
                        } else {
                            "Launch Template"
                        }),
                        config.map(str::to_string).or_else(|| {
                            g.launch_template
                                .as_ref()
                                .and_then(|t| t.launch_template_name.clone())
                        }),
                        c(kind),
                        c(name),
                        c("Red"),
                        c(reason),
                    ],
                );
            };
            if let Some(lbs) = &lbs {
                for lb in g
                    .load_balancer_names
                    .iter()
                    .filter(|lb| !lbs.contains(lb.as_str()))
                {
                    flag("Load Balancer", lb, "The load balancer has been deleted");
                }
            }
            if let (Some(images), Some(image)) = (&images, config.and_then(|n| configs.get(n)))
                && !images.contains(image)
            {
                flag(
                    "AMI",
                    image,
                    "The launch configuration's AMI has been deleted",
                );
            }
        }
    }
    found.done()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::test_support::{inventory, rows, run};
    use super::*;

    const INSTANCES: &str = r#"{"Reservations": [{"Instances": [
      {"InstanceId": "i-1", "InstanceType": "t3.micro", "State": {"Name": "running"}, "Placement": {"AvailabilityZone": "us-east-1a"}},
      {"InstanceId": "i-2", "InstanceType": "t3.micro", "State": {"Name": "running"}, "Placement": {"AvailabilityZone": "us-east-1a"}},
      {"InstanceId": "i-3", "InstanceType": "t3.micro", "State": {"Name": "stopped"}, "Placement": {"AvailabilityZone": "us-east-1b"}}
    ]}]}"#;

    #[test]
    fn an_unassociated_eip_or_one_on_a_stopped_instance_is_yellow_and_costs_a_month() {
        let inv = inventory(&[
            ("us-east-1/ec2.describe-instances.json", INSTANCES),
            (
                "us-east-1/ec2.describe-addresses.json",
                r#"{"Addresses": [
                  {"PublicIp": "203.0.113.1", "AllocationId": "eipalloc-1", "Domain": "vpc"},
                  {"PublicIp": "203.0.113.2", "AllocationId": "eipalloc-2", "AssociationId": "eipassoc-2", "InstanceId": "i-1", "Domain": "vpc"},
                  {"PublicIp": "203.0.113.3", "AllocationId": "eipalloc-3", "AssociationId": "eipassoc-3", "InstanceId": "i-3", "Domain": "vpc"}
                ]}"#,
            ),
        ]);
        let e = run("Z4AUBRNSmz", &inv);
        let ips: Vec<String> = rows(&e).into_iter().map(|(_, m)| m[1].clone()).collect();
        assert_eq!(ips, ["203.0.113.1", "203.0.113.3"]);
        assert_eq!(e.rows[0].savings, rust_decimal::Decimal::new(365, 2));
    }

    #[test]
    fn instances_in_one_zone_are_red() {
        let inv = inventory(&[("us-east-1/ec2.describe-instances.json", INSTANCES)]);
        let got = rows(&run("wuy7G1zxql", &inv));
        assert_eq!(got[0].0, Status::Error);
        assert_eq!(got[0].1[1..3], ["2".to_string(), "0".to_string()]);
    }

    #[test]
    fn databases_without_backups_multi_az_or_with_mixed_access() {
        let inv = inventory(&[(
            "eu-west-1/rds.describe-db-instances.json",
            r#"{"DBInstances": [
              {"DBInstanceIdentifier": "nobackup", "BackupRetentionPeriod": 0, "MultiAZ": true, "Engine": "postgres", "AvailabilityZone": "eu-west-1a", "DBSubnetGroup": {"VpcId": "vpc-9"}},
              {"DBInstanceIdentifier": "single", "BackupRetentionPeriod": 7, "MultiAZ": false, "Engine": "mysql"},
              {"DBInstanceIdentifier": "mssql", "BackupRetentionPeriod": 7, "MultiAZ": false, "Engine": "sqlserver-se"},
              {"DBInstanceIdentifier": "a1", "BackupRetentionPeriod": 7, "Engine": "aurora-mysql", "DBClusterIdentifier": "aur", "PubliclyAccessible": true},
              {"DBInstanceIdentifier": "a2", "BackupRetentionPeriod": 7, "Engine": "aurora-mysql", "DBClusterIdentifier": "aur", "PubliclyAccessible": false}
            ]}"#,
        )]);
        assert_eq!(
            rows(&run("opQPADkZvH", &inv))[0].1,
            ["eu-west-1a", "nobackup", "vpc-9", "0", "Red"]
        );
        let single: Vec<String> = rows(&run("f2iK5R6Dep", &inv))
            .into_iter()
            .map(|(_, m)| m[1].clone())
            .collect();
        assert_eq!(single, ["single"]);
        let aurora = rows(&run("xuy7H1avtl", &inv));
        assert_eq!(
            aurora[0].1[2..5],
            ["aur".to_string(), "a1".to_string(), "a2".to_string()]
        );
    }

    #[test]
    fn auto_scaling_groups_health_checks_and_deleted_resources() {
        let inv = inventory(&[
            (
                "us-east-1/autoscaling.describe-auto-scaling-groups.json",
                r#"{"AutoScalingGroups": [
                  {"AutoScalingGroupName": "web", "HealthCheckType": "EC2", "LoadBalancerNames": ["gone-lb"], "LaunchConfigurationName": "lc-1"},
                  {"AutoScalingGroupName": "batch", "HealthCheckType": "EC2", "LoadBalancerNames": [], "LaunchConfigurationName": "lc-2"}
                ]}"#,
            ),
            (
                "us-east-1/autoscaling.describe-launch-configurations.json",
                r#"{"LaunchConfigurations": [{"LaunchConfigurationName": "lc-1", "ImageId": "ami-1"}, {"LaunchConfigurationName": "lc-2", "ImageId": "ami-gone"}]}"#,
            ),
            (
                "us-east-1/ec2.describe-images.json",
                r#"{"Images": [{"ImageId": "ami-1"}]}"#,
            ),
            (
                "us-east-1/elb.describe-load-balancers.json",
                r#"{"LoadBalancerDescriptions": []}"#,
            ),
        ]);
        let hc = rows(&run("CLOG40CDO8", &inv));
        assert_eq!(hc.len(), 1);
        assert_eq!(
            hc[0].1[1..4],
            ["web".to_string(), "Yes".to_string(), "EC2".to_string()]
        );
        let res = rows(&run("8CNsSllI5v", &inv));
        let what: Vec<(&str, &str)> = res
            .iter()
            .map(|(_, m)| (m[1].as_str(), m[6].as_str()))
            .collect();
        assert_eq!(what, [("web", "gone-lb"), ("batch", "ami-gone")]);
    }
}
