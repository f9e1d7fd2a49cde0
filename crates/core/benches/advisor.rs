//! Trusted Advisor: evaluating every computed check on an account with 50,000 resources
//! (security groups, instances, volumes and snapshots, Elastic IPs in four regions;
//! buckets with their per-bucket files), and reading its bundle's files into facts.
//!
//!   cargo bench -p tierdesk-core --bench advisor
//!
//! Issue 14's target: an account of 50,000 resources evaluated in under a second on one
//! core. The inventory is built in memory as the AWS CLI prints it.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tierdesk_core::trusted_advisor::{CHECKS, Context, Inventory, Prices, evaluate};

const REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1"];

/// The bundle's files: (path, contents). `per_region` of each regional kind, `buckets`
/// buckets with four per-bucket files each.
fn files(per_region: usize, buckets: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for r in REGIONS {
        let groups: Vec<String> = (0..per_region)
            .map(|i| {
                format!(
                    r#"{{"GroupId":"sg-{i}","GroupName":"g{i}","VpcId":"vpc-1","Description":"d","IpPermissions":[{{"IpProtocol":"tcp","FromPort":{p},"ToPort":{p},"IpRanges":[{{"CidrIp":"0.0.0.0/0"}}]}},{{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{{"CidrIp":"10.0.0.0/8"}}]}}],"IpPermissionsEgress":[{{"IpProtocol":"-1","IpRanges":[{{"CidrIp":"0.0.0.0/0"}}]}}]}}"#,
                    p = [22, 80, 443, 3306, 8080][i % 5]
                )
            })
            .collect();
        out.push((
            format!("{r}/ec2.describe-security-groups.json"),
            format!(r#"{{"SecurityGroups":[{}]}}"#, groups.join(",")),
        ));
        let instances: Vec<String> = (0..per_region)
            .map(|i| {
                format!(
                    r#"{{"InstanceId":"i-{i}","InstanceType":"m5.large","State":{{"Name":"running"}},"Placement":{{"AvailabilityZone":"{r}{z}"}},"SecurityGroups":[{{"GroupId":"sg-{i}"}}],"VpcId":"vpc-1","Tags":[{{"Key":"Name","Value":"web-{i}"}}]}}"#,
                    z = ['a', 'b', 'c'][i % 3]
                )
            })
            .collect();
        out.push((
            format!("{r}/ec2.describe-instances.json"),
            format!(
                r#"{{"Reservations":[{{"Instances":[{}]}}]}}"#,
                instances.join(",")
            ),
        ));
        let volumes: Vec<String> = (0..per_region)
            .map(|i| {
                format!(
                    r#"{{"VolumeId":"vol-{i}","VolumeType":"gp3","Size":100,"State":"{}","AvailabilityZone":"{r}a","Attachments":[]}}"#,
                    if i % 10 == 0 { "available" } else { "in-use" }
                )
            })
            .collect();
        out.push((
            format!("{r}/ec2.describe-volumes.json"),
            format!(r#"{{"Volumes":[{}]}}"#, volumes.join(",")),
        ));
        let snaps: Vec<String> = (0..per_region)
            .map(|i| format!(r#"{{"SnapshotId":"snap-{i}","VolumeId":"vol-{i}","StartTime":"2026-11-{:02}T00:00:00.000Z"}}"#, 1 + i % 27))
            .collect();
        out.push((
            format!("{r}/ec2.describe-snapshots.json"),
            format!(r#"{{"Snapshots":[{}]}}"#, snaps.join(",")),
        ));
        let eips: Vec<String> = (0..per_region / 10)
            .map(|i| {
                format!(
                    r#"{{"PublicIp":"203.0.{}.{}","AllocationId":"eipalloc-{i}"}}"#,
                    i / 250,
                    i % 250
                )
            })
            .collect();
        out.push((
            format!("{r}/ec2.describe-addresses.json"),
            format!(r#"{{"Addresses":[{}]}}"#, eips.join(",")),
        ));
    }
    let names: Vec<String> = (0..buckets)
        .map(|i| format!(r#"{{"Name":"bucket-{i}"}}"#))
        .collect();
    out.push((
        "global/s3api.list-buckets.json".into(),
        format!(
            r#"{{"Buckets":[{}],"Owner":{{"ID":"o"}}}}"#,
            names.join(",")
        ),
    ));
    for i in 0..buckets {
        out.push((
            format!("global/s3api.get-bucket-location/bucket-{i}.json"),
            r#"{"LocationConstraint":null}"#.into(),
        ));
        out.push((
            format!("global/s3api.get-bucket-acl/bucket-{i}.json"),
            r#"{"Owner":{"ID":"o"},"Grants":[]}"#.into(),
        ));
        out.push((
            format!("global/s3api.get-bucket-versioning/bucket-{i}.json"),
            String::new(),
        ));
        out.push((
            format!("global/s3api.get-bucket-logging/bucket-{i}.json"),
            String::new(),
        ));
    }
    out.push((
        "global/iam.get-account-summary.json".into(),
        r#"{"SummaryMap":{"Users":3,"UsersQuota":5000,"AccountMFAEnabled":1}}"#.into(),
    ));
    out
}

fn inventory(files: &[(String, String)]) -> Inventory {
    let mut inv = Inventory::default();
    for (path, body) in files {
        let _ = inv.add(path, body.as_bytes());
    }
    inv
}

fn bench(c: &mut Criterion) {
    // 4 regions x 2,400 each of groups, instances, volumes and snapshots (38,400), 960
    // Elastic IPs, and 10,000 buckets: about 50,000 resources.
    let files = files(2_400, 10_000);
    let inv = inventory(&files);
    let prices = Prices::shipped();
    let cx = Context {
        prices: &prices,
        now: "2026-11-28T00:00:00Z".parse().unwrap_or_default(),
    };
    let mut g = c.benchmark_group("advisor");
    g.sample_size(10);
    g.bench_function("evaluate every check, 50k resources", |b| {
        b.iter(|| {
            for check in CHECKS {
                black_box(evaluate(check.id, &inv, &cx));
            }
        })
    });
    g.bench_function("read the bundle's files, 50k resources", |b| {
        b.iter(|| black_box(inventory(&files)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
