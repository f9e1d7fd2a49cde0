//! S3 buckets, EBS volumes and snapshots, RDS snapshots.

use std::collections::BTreeMap;

use super::super::inventory::name_tag;
use super::super::{Context, Evaluation, Inventory, Status};
use super::{Found, c, days_since, dollars, yes};

/// A region's name as the console shows it.
pub(super) fn region_name(code: &str) -> &str {
    match code {
        "us-east-1" => "US East (N. Virginia)",
        "us-east-2" => "US East (Ohio)",
        "us-west-1" => "US West (N. California)",
        "us-west-2" => "US West (Oregon)",
        "ca-central-1" => "Canada (Central)",
        "eu-west-1" => "EU (Ireland)",
        "eu-west-2" => "EU (London)",
        "eu-west-3" => "EU (Paris)",
        "eu-central-1" => "EU (Frankfurt)",
        "eu-north-1" => "EU (Stockholm)",
        "eu-south-1" => "EU (Milan)",
        "ap-northeast-1" => "Asia Pacific (Tokyo)",
        "ap-northeast-2" => "Asia Pacific (Seoul)",
        "ap-northeast-3" => "Asia Pacific (Osaka)",
        "ap-southeast-1" => "Asia Pacific (Singapore)",
        "ap-southeast-2" => "Asia Pacific (Sydney)",
        "ap-south-1" => "Asia Pacific (Mumbai)",
        "ap-east-1" => "Asia Pacific (Hong Kong)",
        "sa-east-1" => "South America (Sao Paulo)",
        "me-south-1" => "Middle East (Bahrain)",
        "af-south-1" => "Africa (Cape Town)",
        other => other,
    }
}

/// Each bucket with its region (`None` when its location was not collected).
fn each_bucket(
    inv: &Inventory,
    found: &mut Found,
    mut f: impl FnMut(&str, Option<&str>, &mut Found),
) {
    let Some(Ok(buckets)) = inv.buckets("global") else {
        return;
    };
    found.collected();
    for b in &buckets.buckets {
        found.processed();
        let region = match inv.bucket_location("global", &b.name) {
            Some(Ok(l)) => Some(l.region()),
            Some(Err(super::super::inventory::Entry::Empty)) => Some("us-east-1"),
            _ => None,
        };
        f(&b.name, region, found);
    }
}

/// `Pfx0RwqBli`: buckets whose ACL or policy opens them to everyone.
pub(super) fn bucket_permissions(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    each_bucket(inv, &mut found, |bucket, region, found| {
        let Some(Ok(acl)) = inv.bucket_acl("global", bucket) else {
            found.ignored();
            return;
        };
        // A bucket's own block of public access (a missing one blocks nothing).
        let block = match inv.public_access_block("global", bucket) {
            Some(Ok(b)) => b.public_access_block_configuration.clone(),
            _ => Default::default(),
        };
        let public = |perms: &[&str]| {
            !block.ignore_public_acls
                && acl
                    .grants
                    .iter()
                    .any(|g| g.grantee.public() && perms.contains(&g.permission.as_str()))
        };
        let list = public(&["READ", "FULL_CONTROL"]);
        let write = public(&["WRITE", "FULL_CONTROL"]);
        let policy = matches!(inv.bucket_policy_status("global", bucket), Some(Ok(p)) if p.policy_status.is_public);
        let status = if write {
            Status::Error
        } else if list || policy {
            Status::Warning
        } else {
            Status::Ok
        };
        found.row(
            status,
            region,
            bucket.to_string(),
            vec![
                region.map(|r| region_name(r).to_string()),
                region.map(str::to_string),
                c(bucket),
                yes(list),
                yes(write),
                c(status.colour()),
                yes(policy),
                None,
            ],
        );
    });
    found.done()
}

/// `R365s2Qddf`: versioning, bucket by bucket.
pub(super) fn bucket_versioning(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    each_bucket(inv, &mut found, |bucket, region, found| {
        let (versioning, mfa) = match inv.bucket_versioning("global", bucket) {
            Some(Ok(v)) => (v.status.clone(), v.mfa_delete.as_deref() == Some("Enabled")),
            // The CLI prints nothing for a bucket whose versioning was never set.
            Some(Err(super::super::inventory::Entry::Empty)) => (None, false),
            _ => {
                found.ignored();
                return;
            }
        };
        let status = if versioning.as_deref() == Some("Enabled") {
            Status::Ok
        } else {
            Status::Warning
        };
        found.row(
            status,
            region,
            bucket.to_string(),
            vec![
                region.map(str::to_string),
                c(bucket),
                c(versioning.as_deref().unwrap_or("Not enabled")),
                yes(mfa),
                c(status.colour()),
            ],
        );
    });
    found.done()
}

/// `BueAdJ7NrP`: server access logging, and its target bucket.
pub(super) fn bucket_logging(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    let (names, owner) = match inv.buckets("global") {
        Some(Ok(b)) => (
            b.buckets.iter().map(|b| b.name.clone()).collect::<Vec<_>>(),
            b.owner.as_ref().map(|o| o.id.clone()),
        ),
        _ => (Vec::new(), None),
    };
    each_bucket(inv, &mut found, |bucket, region, found| {
        let logging = match inv.bucket_logging("global", bucket) {
            Some(Ok(l)) => l.logging_enabled.clone(),
            Some(Err(super::super::inventory::Entry::Empty)) => None,
            _ => {
                found.ignored();
                return;
            }
        };
        let Some(target) = logging else {
            found.row(
                Status::Warning,
                region,
                bucket.to_string(),
                vec![
                    region.map(str::to_string),
                    c(bucket),
                    None,
                    None,
                    None,
                    None,
                    c("Yellow"),
                    c("Logging not enabled"),
                ],
            );
            return;
        };
        let exists = names.contains(&target.target_bucket);
        let target_owner = match inv.bucket_acl("global", &target.target_bucket) {
            Some(Ok(acl)) => acl.owner.as_ref().map(|o| o.id.clone()),
            _ => None,
        };
        let same_owner = match (&owner, &target_owner) {
            (Some(a), Some(b)) => Some(a == b),
            _ => None,
        };
        let (status, reason) = if !exists {
            (Status::Error, "Target bucket does not exist")
        } else if same_owner == Some(false) {
            (Status::Error, "Target bucket has a different owner")
        } else {
            (Status::Ok, "")
        };
        found.row(
            status,
            region,
            bucket.to_string(),
            vec![
                region.map(str::to_string),
                c(bucket),
                c(&target.target_bucket),
                yes(exists),
                same_owner.and_then(yes),
                None,
                c(status.colour()),
                c(reason),
            ],
        );
    });
    found.done()
}

/// `ePs02jT06w`: EBS snapshots anyone may create a volume from.
pub(super) fn public_ebs_snapshots(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("ec2.describe-snapshots") {
        found.collected();
        let Some(Ok(snaps)) = inv.snapshots(region) else {
            continue;
        };
        for s in &snaps.snapshots {
            found.processed();
            match inv.snapshot_attribute(region, &s.snapshot_id) {
                Some(Ok(a))
                    if a.create_volume_permissions
                        .iter()
                        .any(|p| p.group.as_deref() == Some("all")) =>
                {
                    found.row(
                        Status::Error,
                        Some(region),
                        format!("{region}|{}", s.snapshot_id),
                        vec![
                            c("Red"),
                            c(region),
                            c(&s.volume_id),
                            c(&s.snapshot_id),
                            c(&s.description),
                        ],
                    );
                }
                Some(Ok(_)) | Some(Err(super::super::inventory::Entry::Empty)) => {}
                _ => found.ignored(),
            }
        }
    }
    found.done()
}

/// `rSs93HQwa1`: RDS instance and cluster snapshots anyone may restore.
pub(super) fn public_rds_snapshots(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    let mut regions = inv.regions_with("rds.describe-db-snapshots");
    regions.extend(inv.regions_with("rds.describe-db-cluster-snapshots"));
    regions.sort_unstable();
    regions.dedup();
    for region in regions {
        found.collected();
        if let Some(Ok(snaps)) = inv.db_snapshots(region) {
            for s in &snaps.snapshots {
                found.processed();
                match inv.db_snapshot_attributes(region, &s.id) {
                    Some(Ok(a)) if a.result.public() => found.row(
                        Status::Error,
                        Some(region),
                        format!("{region}|{}", s.id),
                        vec![c("Red"), c(region), c(&s.instance), c(&s.id)],
                    ),
                    Some(Ok(_)) => {}
                    _ => found.ignored(),
                }
            }
        }
        if let Some(Ok(snaps)) = inv.db_cluster_snapshots(region) {
            for s in &snaps.snapshots {
                found.processed();
                match inv.db_cluster_snapshot_attributes(region, &s.id) {
                    Some(Ok(a)) if a.result.public() => found.row(
                        Status::Error,
                        Some(region),
                        format!("{region}|{}", s.id),
                        vec![c("Red"), c(region), c(&s.cluster), c(&s.id)],
                    ),
                    Some(Ok(_)) => {}
                    _ => found.ignored(),
                }
            }
        }
    }
    found.done()
}

/// A volume's newest snapshot: (id, name, start time).
fn newest_snapshots(
    inv: &Inventory,
    region: &str,
) -> BTreeMap<String, (String, Option<String>, String)> {
    let mut newest: BTreeMap<String, (String, Option<String>, String)> = BTreeMap::new();
    if let Some(Ok(snaps)) = inv.snapshots(region) {
        for s in &snaps.snapshots {
            let better = newest
                .get(&s.volume_id)
                .is_none_or(|(_, _, t)| *t < s.start_time);
            if better {
                newest.insert(
                    s.volume_id.clone(),
                    (
                        s.snapshot_id.clone(),
                        name_tag(&s.tags).map(str::to_string),
                        s.start_time.clone(),
                    ),
                );
            }
        }
    }
    newest
}

/// `H7IgTzjTYb`: volumes whose newest snapshot is old, or that have none.
pub(super) fn ebs_snapshots(inv: &Inventory, cx: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("ec2.describe-volumes") {
        let Some(Ok(volumes)) = inv.volumes(region) else {
            found.collected();
            continue;
        };
        if inv.snapshots(region).is_none() {
            continue;
        }
        found.collected();
        let newest = newest_snapshots(inv, region);
        for v in &volumes.volumes {
            found.processed();
            let snap = newest.get(&v.volume_id);
            let age = snap.and_then(|(_, _, t)| days_since(t, cx.now));
            let (status, reason) = match age {
                None => (Status::Error, "No snapshot".to_string()),
                Some(d) if d > 30 => (Status::Error, format!("Newest snapshot is {d} days old")),
                Some(d) if d >= 7 => (Status::Warning, format!("Newest snapshot is {d} days old")),
                Some(_) => continue,
            };
            let attached = v.attachments.first().map(|a| a.instance_id.clone());
            found.row(
                status,
                Some(region),
                format!("{region}|{}", v.volume_id),
                vec![
                    c(region),
                    c(&v.volume_id),
                    name_tag(&v.tags).map(str::to_string),
                    snap.map(|s| s.0.clone()),
                    snap.and_then(|s| s.1.clone()),
                    age.map(|d| d.to_string()),
                    c(attached
                        .map_or_else(|| "Unattached".to_string(), |i| format!("Attached to {i}"))),
                    c(status.colour()),
                    c(reason),
                ],
            );
        }
    }
    found.done()
}

/// `DAvU99Dc4C`: volumes attached to nothing, with what they cost a month.
pub(super) fn underutilized_volumes(inv: &Inventory, cx: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("ec2.describe-volumes") {
        found.collected();
        let Some(Ok(volumes)) = inv.volumes(region) else {
            continue;
        };
        let newest = newest_snapshots(inv, region);
        for v in &volumes.volumes {
            found.processed();
            if v.state != "available" {
                continue;
            }
            let cost = cx.prices.ebs_month(&v.volume_type, v.size);
            let snap = newest.get(&v.volume_id);
            found.row_saving(
                Status::Warning,
                region,
                format!("{region}|{}", v.volume_id),
                vec![
                    c(region),
                    c(&v.volume_id),
                    name_tag(&v.tags).map(str::to_string),
                    c(&v.volume_type),
                    c(v.size),
                    dollars(cost),
                    snap.map(|s| s.0.clone()),
                    snap.and_then(|s| s.1.clone()),
                    snap.and_then(|s| days_since(&s.2, cx.now))
                        .map(|d| d.to_string()),
                ],
                cost,
            );
        }
    }
    found.done()
}

/// `PPkZrjsH2q`: Provisioned IOPS volumes on instances that could be, but are not,
/// EBS-optimized.
pub(super) fn piops_attachment(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("ec2.describe-volumes") {
        let (Some(Ok(volumes)), Some(Ok(instances)), Some(Ok(types))) = (
            inv.volumes(region),
            inv.instances(region),
            inv.instance_types(region),
        ) else {
            continue;
        };
        found.collected();
        let optimizable: BTreeMap<&str, bool> = types
            .instance_types
            .iter()
            .map(|t| {
                (
                    t.instance_type.as_str(),
                    t.ebs_info.ebs_optimized_support == "supported",
                )
            })
            .collect();
        for v in volumes
            .volumes
            .iter()
            .filter(|v| matches!(v.volume_type.as_str(), "io1" | "io2"))
        {
            found.processed();
            for a in &v.attachments {
                let Some(i) = instances.all().find(|i| i.instance_id == a.instance_id) else {
                    continue;
                };
                if i.ebs_optimized
                    || !optimizable
                        .get(i.instance_type.as_str())
                        .copied()
                        .unwrap_or(false)
                {
                    continue;
                }
                found.row(
                    Status::Warning,
                    Some(region),
                    format!("{region}|{}|{}", v.volume_id, i.instance_id),
                    vec![
                        c(&v.availability_zone),
                        c(&v.volume_id),
                        name_tag(&v.tags).map(str::to_string),
                        c(&a.device),
                        c(&i.instance_id),
                        c(&i.instance_type),
                        yes(false),
                        c("Yellow"),
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
    use super::super::test_support::{inventory, rows, run};
    use super::*;

    const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";

    fn buckets() -> Inventory {
        let acl = |perm: &str| {
            format!(
                r#"{{"Owner": {{"ID": "o1"}}, "Grants": [{{"Grantee": {{"Type": "Group", "URI": "{ALL_USERS}"}}, "Permission": "{perm}"}}]}}"#
            )
        };
        let writable = acl("WRITE");
        let listable = acl("READ");
        inventory(&[
            (
                "global/s3api.list-buckets.json",
                r#"{"Buckets": [{"Name": "private"}, {"Name": "listable"}, {"Name": "writable"}, {"Name": "policy"}, {"Name": "unknown"}], "Owner": {"ID": "o1"}}"#,
            ),
            (
                "global/s3api.get-bucket-location/private.json",
                r#"{"LocationConstraint": null}"#,
            ),
            (
                "global/s3api.get-bucket-location/listable.json",
                r#"{"LocationConstraint": "eu-west-1"}"#,
            ),
            (
                "global/s3api.get-bucket-acl/private.json",
                r#"{"Owner": {"ID": "o1"}, "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": "o1"}, "Permission": "FULL_CONTROL"}]}"#,
            ),
            ("global/s3api.get-bucket-acl/listable.json", &listable),
            ("global/s3api.get-bucket-acl/writable.json", &writable),
            (
                "global/s3api.get-bucket-acl/policy.json",
                r#"{"Grants": []}"#,
            ),
            (
                "global/s3api.get-bucket-policy-status/policy.json",
                r#"{"PolicyStatus": {"IsPublic": true}}"#,
            ),
            (
                "global/s3api.get-bucket-policy-status/private.error",
                "An error occurred (NoSuchBucketPolicy) when calling the GetBucketPolicyStatus operation",
            ),
            (
                "global/s3api.get-bucket-versioning/private.json",
                r#"{"Status": "Enabled", "MFADelete": "Disabled"}"#,
            ),
            ("global/s3api.get-bucket-versioning/listable.json", ""),
            (
                "global/s3api.get-bucket-versioning/writable.json",
                r#"{"Status": "Suspended"}"#,
            ),
            (
                "global/s3api.get-bucket-logging/private.json",
                r#"{"LoggingEnabled": {"TargetBucket": "gone", "TargetPrefix": "x/"}}"#,
            ),
            ("global/s3api.get-bucket-logging/listable.json", ""),
        ])
    }

    #[test]
    fn public_acl_upload_is_red_list_or_policy_yellow_and_every_bucket_is_a_row() {
        let e = run("Pfx0RwqBli", &buckets());
        let got = rows(&e);
        let by_name: Vec<(&str, Status, &str, &str, &str)> = got
            .iter()
            .map(|(s, m)| {
                (
                    m[2].as_str(),
                    *s,
                    m[3].as_str(),
                    m[4].as_str(),
                    m[6].as_str(),
                )
            })
            .collect();
        assert_eq!(
            by_name,
            [
                ("private", Status::Ok, "No", "No", "No"),
                ("listable", Status::Warning, "Yes", "No", "No"),
                ("writable", Status::Error, "No", "Yes", "No"),
                ("policy", Status::Warning, "No", "No", "Yes"),
            ]
        );
        assert_eq!(got[0].1[0], "US East (N. Virginia)");
        assert_eq!(got[1].1[1], "eu-west-1");
        assert_eq!(
            (e.processed, e.ignored),
            (5, 1),
            "the unknown bucket's ACL was not collected"
        );
    }

    #[test]
    fn a_public_access_block_that_ignores_acls_clears_them() {
        let mut inv = buckets();
        assert_eq!(
            inv.add(
                "global/s3api.get-public-access-block/writable.json",
                br#"{"PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}}"#
            ),
            Ok(true)
        );
        let got = rows(&run("Pfx0RwqBli", &inv));
        assert_eq!(got[2].0, Status::Ok);
    }

    #[test]
    fn versioning_and_logging() {
        let inv = buckets();
        let v = rows(&run("R365s2Qddf", &inv));
        let got: Vec<(&str, Status, &str)> = v
            .iter()
            .map(|(s, m)| (m[1].as_str(), *s, m[2].as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("private", Status::Ok, "Enabled"),
                ("listable", Status::Warning, "Not enabled"),
                ("writable", Status::Warning, "Suspended")
            ]
        );
        let l = rows(&run("BueAdJ7NrP", &inv));
        assert_eq!(l.len(), 2);
        assert_eq!(
            (l[0].0, l[0].1[7].as_str()),
            (Status::Error, "Target bucket does not exist")
        );
        assert_eq!(
            (l[1].0, l[1].1[7].as_str()),
            (Status::Warning, "Logging not enabled")
        );
    }

    #[test]
    fn public_snapshots_are_red() {
        let inv = inventory(&[
            (
                "us-east-1/ec2.describe-snapshots.json",
                r#"{"Snapshots": [{"SnapshotId": "snap-pub", "VolumeId": "vol-1", "Description": "web", "StartTime": "2026-11-27T00:00:00.000Z"},
                                  {"SnapshotId": "snap-priv", "VolumeId": "vol-2", "StartTime": "2026-10-01T00:00:00.000Z"},
                                  {"SnapshotId": "snap-unknown", "VolumeId": "vol-3", "StartTime": "2026-10-01T00:00:00.000Z"}]}"#,
            ),
            (
                "us-east-1/ec2.describe-snapshot-attribute/snap-pub.json",
                r#"{"SnapshotId": "snap-pub", "CreateVolumePermissions": [{"Group": "all"}]}"#,
            ),
            (
                "us-east-1/ec2.describe-snapshot-attribute/snap-priv.json",
                r#"{"SnapshotId": "snap-priv", "CreateVolumePermissions": []}"#,
            ),
            (
                "us-east-1/rds.describe-db-snapshots.json",
                r#"{"DBSnapshots": [{"DBSnapshotIdentifier": "db-snap", "DBInstanceIdentifier": "db-1"}]}"#,
            ),
            (
                "us-east-1/rds.describe-db-snapshot-attributes/db-snap.json",
                r#"{"DBSnapshotAttributesResult": {"DBSnapshotIdentifier": "db-snap", "DBSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": ["all"]}]}}"#,
            ),
        ]);
        let ebs = run("ePs02jT06w", &inv);
        assert_eq!(
            rows(&ebs),
            [(
                Status::Error,
                ["Red", "us-east-1", "vol-1", "snap-pub", "web"]
                    .map(String::from)
                    .to_vec()
            )]
        );
        assert_eq!((ebs.processed, ebs.ignored), (3, 1));
        assert_eq!(
            rows(&run("rSs93HQwa1", &inv))[0].1,
            ["Red", "us-east-1", "db-1", "db-snap"]
        );
    }

    #[test]
    fn volumes_snapshot_age_and_unattached_cost() {
        let inv = inventory(&[
            (
                "us-east-1/ec2.describe-volumes.json",
                r#"{"Volumes": [
                  {"VolumeId": "vol-1", "VolumeType": "gp3", "Size": 100, "State": "available", "AvailabilityZone": "us-east-1a"},
                  {"VolumeId": "vol-2", "VolumeType": "gp2", "Size": 8, "State": "in-use", "Attachments": [{"InstanceId": "i-1", "Device": "/dev/xvda"}]},
                  {"VolumeId": "vol-3", "VolumeType": "gp2", "Size": 8, "State": "in-use"}
                ]}"#,
            ),
            (
                "us-east-1/ec2.describe-snapshots.json",
                r#"{"Snapshots": [{"SnapshotId": "snap-a", "VolumeId": "vol-2", "StartTime": "2026-11-10T00:00:00.000Z"},
                                  {"SnapshotId": "snap-b", "VolumeId": "vol-2", "StartTime": "2026-09-10T00:00:00.000Z"},
                                  {"SnapshotId": "snap-c", "VolumeId": "vol-3", "StartTime": "2026-11-27T00:00:00.000Z"}]}"#,
            ),
        ]);
        let snaps = rows(&run("H7IgTzjTYb", &inv));
        let got: Vec<(&str, Status)> = snaps.iter().map(|(s, m)| (m[1].as_str(), *s)).collect();
        assert_eq!(got, [("vol-1", Status::Error), ("vol-2", Status::Warning)]);
        assert_eq!(snaps[1].1[3], "snap-a");
        assert_eq!(snaps[1].1[5], "18");
        let idle = run("DAvU99Dc4C", &inv);
        assert_eq!(rows(&idle)[0].1[5], "$8.00");
        assert_eq!(idle.rows[0].savings, rust_decimal::Decimal::from(8));
    }
}
