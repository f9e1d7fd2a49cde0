//! A customer's cloud inventory: what the AWS CLI printed (`--output json`) for the calls
//! the checks need, file by file, kept as the few facts each check reads (so an inventory
//! costs memory in proportion to its resources, not to the bytes exported).
//!
//! A bundle names each file by where it comes from: `<region>/<service>.<operation>.json`
//! for a regional list, `global/<service>.<operation>.json` for a global one, and
//! `<region-or-global>/<service>.<operation>/<resource>.json` for a per-resource call. An
//! empty file is what the CLI printed for a call with nothing to say; a `.error` file holds
//! the CLI's error for a refused call (`NoSuchBucketPolicy`); an absent file was not
//! collected. Files of calls no check uses are ignored.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// Where a file sits in a bundle: a region (or `global`), a call, and for per-resource
/// calls the resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FileKey {
    pub scope: String,
    pub call: String,
    pub resource: Option<String>,
}

/// What a file said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Entry {
    /// The call's facts.
    Facts(Facts),
    /// The CLI printed nothing (e.g. a bucket whose versioning was never set).
    Empty,
    /// The CLI's error text (`An error occurred (NoSuchBucketPolicy) ...`).
    Error(String),
}

impl Entry {
    /// The error code in a CLI error's text (`NoSuchBucketPolicy`), if any.
    pub fn error_code(&self) -> Option<&str> {
        let Entry::Error(text) = self else {
            return None;
        };
        let code = match (text.find('('), text.find(')')) {
            (Some(open), Some(close)) if open < close => &text[open + 1..close],
            _ => text.split_whitespace().next().unwrap_or_default(),
        };
        Some(code.trim())
    }
}

/// Why a bundle's file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error(
        "a file's path must be <region>/<service>.<operation>.json or <region>/<service>.<operation>/<resource>.json"
    )]
    Path,
    #[error("'{0}' is not a region (us-east-1) or global")]
    Scope(String),
    #[error("{0} is a global call: it belongs under global/")]
    NotGlobal(String),
    #[error("{0} is a regional call: it belongs under a region, not global/")]
    NotRegional(String),
    #[error("{0} is not a per-resource call here (or a per-resource call without its resource)")]
    Shape(String),
    #[error("not the JSON the AWS CLI prints for {call}: {reason}")]
    Json { call: String, reason: String },
    #[error("not UTF-8 text")]
    Text,
}

/// The inventory an import brings: the files the checks use, by where they came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    files: BTreeMap<FileKey, Entry>,
}

/// A call's name and how it is collected.
struct Call {
    name: &'static str,
    global: bool,
    per_resource: bool,
    parse: fn(&[u8]) -> serde_json::Result<Facts>,
    /// The same, from a stream: a large file is never held whole.
    parse_reader: fn(&mut dyn std::io::Read) -> serde_json::Result<Facts>,
}

macro_rules! facts {
    ($( $variant:ident ( $ty:ty ) = $name:literal, global=$global:literal, per_resource=$per:literal; )*) => {
        /// The facts of one call, by call.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub enum Facts { $( $variant($ty), )* }

        const CALLS: &[Call] = &[
            $( Call {
                name: $name,
                global: $global,
                per_resource: $per,
                parse: |b| serde_json::from_slice::<$ty>(b).map(Facts::$variant),
                parse_reader: |r| serde_json::from_reader::<_, $ty>(std::io::BufReader::with_capacity(1 << 16, r)).map(Facts::$variant),
            }, )*
        ];

        impl Inventory {
            $(
                #[allow(non_snake_case, dead_code)]
                fn $variant(&self, scope: &str, resource: Option<&str>) -> Option<Result<&$ty, &Entry>> {
                    match self.entry(scope, $name, resource)? {
                        Entry::Facts(Facts::$variant(x)) => Some(Ok(x)),
                        other => Some(Err(other)),
                    }
                }
            )*
        }
    };
}

facts! {
    SecurityGroups(ec2::SecurityGroups) = "ec2.describe-security-groups", global=false, per_resource=false;
    Instances(ec2::Instances) = "ec2.describe-instances", global=false, per_resource=false;
    Addresses(ec2::Addresses) = "ec2.describe-addresses", global=false, per_resource=false;
    Volumes(ec2::Volumes) = "ec2.describe-volumes", global=false, per_resource=false;
    Snapshots(ec2::Snapshots) = "ec2.describe-snapshots", global=false, per_resource=false;
    SnapshotAttribute(ec2::SnapshotAttribute) = "ec2.describe-snapshot-attribute", global=false, per_resource=true;
    Vpcs(ec2::Vpcs) = "ec2.describe-vpcs", global=false, per_resource=false;
    InternetGateways(ec2::InternetGateways) = "ec2.describe-internet-gateways", global=false, per_resource=false;
    VpnConnections(ec2::VpnConnections) = "ec2.describe-vpn-connections", global=false, per_resource=false;
    InstanceTypes(ec2::InstanceTypes) = "ec2.describe-instance-types", global=false, per_resource=false;
    DbInstances(rds::DbInstances) = "rds.describe-db-instances", global=false, per_resource=false;
    DbSnapshots(rds::DbSnapshots) = "rds.describe-db-snapshots", global=false, per_resource=false;
    DbSnapshotAttributes(rds::DbSnapshotAttributes) = "rds.describe-db-snapshot-attributes", global=false, per_resource=true;
    DbClusterSnapshots(rds::DbClusterSnapshots) = "rds.describe-db-cluster-snapshots", global=false, per_resource=false;
    DbClusterSnapshotAttributes(rds::DbClusterSnapshotAttributes) = "rds.describe-db-cluster-snapshot-attributes", global=false, per_resource=true;
    DbSecurityGroups(rds::DbSecurityGroups) = "rds.describe-db-security-groups", global=false, per_resource=false;
    RdsAccountAttributes(rds::AccountAttributes) = "rds.describe-account-attributes", global=false, per_resource=false;
    AccountSummary(iam::AccountSummary) = "iam.get-account-summary", global=true, per_resource=false;
    PasswordPolicy(iam::PasswordPolicy) = "iam.get-account-password-policy", global=true, per_resource=false;
    Users(iam::Users) = "iam.list-users", global=true, per_resource=false;
    AccessKeys(iam::AccessKeys) = "iam.list-access-keys", global=true, per_resource=true;
    Buckets(s3::Buckets) = "s3api.list-buckets", global=true, per_resource=false;
    BucketLocation(s3::BucketLocation) = "s3api.get-bucket-location", global=true, per_resource=true;
    BucketAcl(s3::BucketAcl) = "s3api.get-bucket-acl", global=true, per_resource=true;
    BucketPolicyStatus(s3::BucketPolicyStatus) = "s3api.get-bucket-policy-status", global=true, per_resource=true;
    PublicAccessBlock(s3::PublicAccessBlock) = "s3api.get-public-access-block", global=true, per_resource=true;
    BucketVersioning(s3::BucketVersioning) = "s3api.get-bucket-versioning", global=true, per_resource=true;
    BucketLogging(s3::BucketLogging) = "s3api.get-bucket-logging", global=true, per_resource=true;
    Trails(cloudtrail::Trails) = "cloudtrail.describe-trails", global=false, per_resource=false;
    TrailStatus(cloudtrail::TrailStatus) = "cloudtrail.get-trail-status", global=false, per_resource=true;
    LoadBalancers(elb::LoadBalancers) = "elb.describe-load-balancers", global=false, per_resource=false;
    LoadBalancerAttributes(elb::LoadBalancerAttributes) = "elb.describe-load-balancer-attributes", global=false, per_resource=true;
    InstanceHealth(elb::InstanceHealth) = "elb.describe-instance-health", global=false, per_resource=true;
    LoadBalancersV2(elb::LoadBalancersV2) = "elbv2.describe-load-balancers", global=false, per_resource=false;
    AutoScalingGroups(autoscaling::Groups) = "autoscaling.describe-auto-scaling-groups", global=false, per_resource=false;
    LaunchConfigurations(autoscaling::LaunchConfigurations) = "autoscaling.describe-launch-configurations", global=false, per_resource=false;
    Images(ec2::Images) = "ec2.describe-images", global=false, per_resource=false;
    AutoScalingLimits(autoscaling::AccountLimits) = "autoscaling.describe-account-limits", global=false, per_resource=false;
    CloudFormationLimits(cloudformation::AccountLimits) = "cloudformation.describe-account-limits", global=false, per_resource=false;
    Stacks(cloudformation::Stacks) = "cloudformation.list-stacks", global=false, per_resource=false;
    Functions(lambda::Functions) = "lambda.list-functions", global=false, per_resource=false;
    HostedZones(route53::HostedZones) = "route53.list-hosted-zones", global=true, per_resource=false;
    RecordSets(route53::RecordSets) = "route53.list-resource-record-sets", global=true, per_resource=true;
    HealthChecks(route53::HealthChecks) = "route53.list-health-checks", global=true, per_resource=false;
    Route53Limit(route53::AccountLimit) = "route53.get-account-limit", global=true, per_resource=true;
    ServiceQuotas(quotas::Quotas) = "service-quotas.list-service-quotas", global=false, per_resource=true;
    DynamoDbLimits(limits::DynamoDb) = "dynamodb.describe-limits", global=false, per_resource=false;
    KinesisLimits(limits::Kinesis) = "kinesis.describe-limits", global=false, per_resource=false;
    SesQuota(limits::Ses) = "ses.get-send-quota", global=false, per_resource=false;
}

/// Whether `scope` names a region (`us-east-1`, `us-gov-west-1`, `cn-north-1`).
pub fn is_region(scope: &str) -> bool {
    let parts: Vec<&str> = scope.split('-').collect();
    parts.len() >= 3
        && parts.len() <= 4
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// Reads where a bundle's file sits: `None` for a file no check uses (or no inventory
/// file at all, like a README), an error for a used call in the wrong place.
pub fn locate(path: &str) -> Result<Option<(FileKey, bool)>, FileError> {
    let (path, is_error) = match (path.strip_suffix(".json"), path.strip_suffix(".error")) {
        (Some(p), _) => (p, false),
        (None, Some(p)) => (p, true),
        _ => return Ok(None),
    };
    let parts: Vec<&str> = path.split('/').collect();
    let (scope, call, resource) = match parts.as_slice() {
        [scope, call] => (*scope, *call, None),
        [scope, call, resource] if !resource.is_empty() => (*scope, *call, Some(*resource)),
        _ => return Ok(None),
    };
    let Some(known) = CALLS.iter().find(|c| c.name == call) else {
        return Ok(None);
    };
    if scope == "global" {
        if !known.global {
            return Err(FileError::NotRegional(call.to_string()));
        }
    } else if !is_region(scope) {
        return Err(FileError::Scope(scope.to_string()));
    } else if known.global {
        return Err(FileError::NotGlobal(call.to_string()));
    }
    if known.per_resource != resource.is_some() {
        return Err(FileError::Shape(call.to_string()));
    }
    Ok(Some((
        FileKey {
            scope: scope.to_string(),
            call: call.to_string(),
            resource: resource.map(str::to_string),
        },
        is_error,
    )))
}

impl Inventory {
    /// Adds a bundle file's contents (see `locate`); `Ok(false)` for a file no check uses.
    pub fn add(&mut self, path: &str, contents: &[u8]) -> Result<bool, FileError> {
        let Some((key, is_error)) = locate(path)? else {
            return Ok(false);
        };
        let entry = if is_error {
            let text = std::str::from_utf8(contents).map_err(|_| FileError::Text)?;
            Entry::Error(text.trim().to_string())
        } else if contents.iter().all(u8::is_ascii_whitespace) {
            Entry::Empty
        } else {
            let call = CALLS
                .iter()
                .find(|c| c.name == key.call)
                .ok_or(FileError::Path)?;
            Entry::Facts((call.parse)(contents).map_err(|e| FileError::Json {
                call: key.call.clone(),
                reason: e.to_string(),
            })?)
        };
        self.files.insert(key, entry);
        Ok(true)
    }

    /// The inventory as JSON, for keeping between evaluations.
    pub fn to_json(&self) -> String {
        let files: Vec<(&FileKey, &Entry)> = self.files.iter().collect();
        serde_json::to_string(&files).unwrap_or_else(|_| "[]".into())
    }

    /// The same JSON, written to `out` as it is made (never held whole).
    pub fn write_json(&self, out: impl std::io::Write) -> serde_json::Result<()> {
        let files: Vec<(&FileKey, &Entry)> = self.files.iter().collect();
        serde_json::to_writer(out, &files)
    }

    /// An inventory kept by `to_json`.
    pub fn from_json(text: &str) -> Result<Inventory, String> {
        Inventory::read_json(text.as_bytes())
    }

    /// An inventory kept by `to_json` or `write_json`, read from a stream.
    pub fn read_json(input: impl std::io::Read) -> Result<Inventory, String> {
        let files: Vec<(FileKey, Entry)> =
            serde_json::from_reader(std::io::BufReader::new(input)).map_err(|e| e.to_string())?;
        Ok(Inventory {
            files: files.into_iter().collect(),
        })
    }

    /// Adds a bundle file read from a stream of `size` bytes: a large JSON file is parsed
    /// as it is read, never held whole. Small files and `.error` files go through `add`.
    pub fn add_reader(
        &mut self,
        path: &str,
        reader: &mut dyn std::io::Read,
        size: u64,
    ) -> Result<bool, FileError> {
        /// Below this, a file is read whole (it may be blank: the CLI's "nothing to say").
        const STREAM_FROM: u64 = 64 * 1024;
        let Some((key, is_error)) = locate(path)? else {
            return Ok(false);
        };
        if is_error || size < STREAM_FROM {
            let mut contents = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            reader
                .read_to_end(&mut contents)
                .map_err(|_| FileError::Text)?;
            return self.add(path, &contents);
        }
        let call = CALLS
            .iter()
            .find(|c| c.name == key.call)
            .ok_or(FileError::Path)?;
        let facts = (call.parse_reader)(reader).map_err(|e| FileError::Json {
            call: key.call.clone(),
            reason: e.to_string(),
        })?;
        self.files.insert(key, Entry::Facts(facts));
        Ok(true)
    }

    pub fn files(&self) -> impl Iterator<Item = (&FileKey, &Entry)> {
        self.files.iter()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The regions the inventory covers.
    pub fn regions(&self) -> BTreeSet<&str> {
        self.files
            .keys()
            .map(|k| k.scope.as_str())
            .filter(|s| *s != "global")
            .collect()
    }

    fn entry(&self, scope: &str, call: &str, resource: Option<&str>) -> Option<&Entry> {
        self.files.get(&FileKey {
            scope: scope.to_string(),
            call: call.to_string(),
            resource: resource.map(str::to_string),
        })
    }

    /// The regions whose `call` file was collected.
    pub fn regions_with(&self, call: &str) -> Vec<&str> {
        self.files
            .keys()
            .filter(|k| k.call == call && k.resource.is_none() && k.scope != "global")
            .map(|k| k.scope.as_str())
            .collect()
    }
}

/// The typed readers checks use: `None` when the file was not collected, `Some(Err)`
/// when the CLI printed nothing or an error.
pub type Read<'a, T> = Option<Result<&'a T, &'a Entry>>;

macro_rules! reader {
    ($fn:ident, $variant:ident, $ty:ty) => {
        impl Inventory {
            pub fn $fn(&self, scope: &str) -> Read<'_, $ty> {
                self.$variant(scope, None)
            }
        }
    };
    ($fn:ident, $variant:ident, $ty:ty, resource) => {
        impl Inventory {
            pub fn $fn(&self, scope: &str, resource: &str) -> Read<'_, $ty> {
                self.$variant(scope, Some(resource))
            }
        }
    };
}

reader!(security_groups, SecurityGroups, ec2::SecurityGroups);
reader!(instances, Instances, ec2::Instances);
reader!(addresses, Addresses, ec2::Addresses);
reader!(volumes, Volumes, ec2::Volumes);
reader!(snapshots, Snapshots, ec2::Snapshots);
reader!(
    snapshot_attribute,
    SnapshotAttribute,
    ec2::SnapshotAttribute,
    resource
);
reader!(vpcs, Vpcs, ec2::Vpcs);
reader!(internet_gateways, InternetGateways, ec2::InternetGateways);
reader!(vpn_connections, VpnConnections, ec2::VpnConnections);
reader!(instance_types, InstanceTypes, ec2::InstanceTypes);
reader!(images, Images, ec2::Images);
reader!(db_instances, DbInstances, rds::DbInstances);
reader!(db_snapshots, DbSnapshots, rds::DbSnapshots);
reader!(
    db_snapshot_attributes,
    DbSnapshotAttributes,
    rds::DbSnapshotAttributes,
    resource
);
reader!(
    db_cluster_snapshots,
    DbClusterSnapshots,
    rds::DbClusterSnapshots
);
reader!(
    db_cluster_snapshot_attributes,
    DbClusterSnapshotAttributes,
    rds::DbClusterSnapshotAttributes,
    resource
);
reader!(db_security_groups, DbSecurityGroups, rds::DbSecurityGroups);
reader!(
    rds_account_attributes,
    RdsAccountAttributes,
    rds::AccountAttributes
);
reader!(account_summary, AccountSummary, iam::AccountSummary);
reader!(password_policy, PasswordPolicy, iam::PasswordPolicy);
reader!(users, Users, iam::Users);
reader!(access_keys, AccessKeys, iam::AccessKeys, resource);
reader!(buckets, Buckets, s3::Buckets);
reader!(
    bucket_location,
    BucketLocation,
    s3::BucketLocation,
    resource
);
reader!(bucket_acl, BucketAcl, s3::BucketAcl, resource);
reader!(
    bucket_policy_status,
    BucketPolicyStatus,
    s3::BucketPolicyStatus,
    resource
);
reader!(
    public_access_block,
    PublicAccessBlock,
    s3::PublicAccessBlock,
    resource
);
reader!(
    bucket_versioning,
    BucketVersioning,
    s3::BucketVersioning,
    resource
);
reader!(bucket_logging, BucketLogging, s3::BucketLogging, resource);
reader!(trails, Trails, cloudtrail::Trails);
reader!(trail_status, TrailStatus, cloudtrail::TrailStatus, resource);
reader!(load_balancers, LoadBalancers, elb::LoadBalancers);
reader!(
    load_balancer_attributes,
    LoadBalancerAttributes,
    elb::LoadBalancerAttributes,
    resource
);
reader!(
    instance_health,
    InstanceHealth,
    elb::InstanceHealth,
    resource
);
reader!(load_balancers_v2, LoadBalancersV2, elb::LoadBalancersV2);
reader!(auto_scaling_groups, AutoScalingGroups, autoscaling::Groups);
reader!(
    launch_configurations,
    LaunchConfigurations,
    autoscaling::LaunchConfigurations
);
reader!(
    auto_scaling_limits,
    AutoScalingLimits,
    autoscaling::AccountLimits
);
reader!(
    cloudformation_limits,
    CloudFormationLimits,
    cloudformation::AccountLimits
);
reader!(stacks, Stacks, cloudformation::Stacks);
reader!(functions, Functions, lambda::Functions);
reader!(hosted_zones, HostedZones, route53::HostedZones);
reader!(record_sets, RecordSets, route53::RecordSets, resource);
reader!(health_checks, HealthChecks, route53::HealthChecks);
reader!(route53_limit, Route53Limit, route53::AccountLimit, resource);
reader!(service_quotas, ServiceQuotas, quotas::Quotas, resource);
reader!(dynamodb_limits, DynamoDbLimits, limits::DynamoDb);
reader!(kinesis_limits, KinesisLimits, limits::Kinesis);
reader!(ses_quota, SesQuota, limits::Ses);

/// A tag list's `Name`.
pub fn name_tag(tags: &[Tag]) -> Option<&str> {
    tags.iter()
        .find(|t| t.key == "Name")
        .map(|t| t.value.as_str())
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

pub mod ec2 {
    use super::Tag;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct SecurityGroups {
        pub security_groups: Vec<SecurityGroup>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct SecurityGroup {
        pub group_id: String,
        pub group_name: String,
        pub description: String,
        pub vpc_id: Option<String>,
        pub ip_permissions: Vec<Permission>,
        pub ip_permissions_egress: Vec<Permission>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Permission {
        pub ip_protocol: String,
        pub from_port: Option<i64>,
        pub to_port: Option<i64>,
        pub ip_ranges: Vec<IpRange>,
        pub ipv6_ranges: Vec<Ipv6Range>,
        pub user_id_group_pairs: Vec<GroupPair>,
    }

    impl Permission {
        /// Rules it holds: one per source.
        pub fn rules(&self) -> usize {
            (self.ip_ranges.len() + self.ipv6_ranges.len() + self.user_id_group_pairs.len()).max(1)
        }
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct IpRange {
        pub cidr_ip: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Ipv6Range {
        pub cidr_ipv6: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct GroupPair {
        pub group_id: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Instances {
        pub reservations: Vec<Reservation>,
    }

    impl Instances {
        pub fn all(&self) -> impl Iterator<Item = &Instance> {
            self.reservations.iter().flat_map(|r| r.instances.iter())
        }
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Reservation {
        pub instances: Vec<Instance>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Instance {
        pub instance_id: String,
        pub instance_type: String,
        pub vpc_id: Option<String>,
        pub placement: Placement,
        pub state: State,
        pub security_groups: Vec<GroupRef>,
        pub ebs_optimized: bool,
        pub tags: Vec<Tag>,
    }

    impl Instance {
        pub fn running(&self) -> bool {
            self.state.name == "running"
        }
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Placement {
        pub availability_zone: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct State {
        pub name: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct GroupRef {
        pub group_id: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Addresses {
        pub addresses: Vec<Address>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Address {
        pub public_ip: String,
        pub allocation_id: Option<String>,
        pub association_id: Option<String>,
        pub instance_id: Option<String>,
        pub domain: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Volumes {
        pub volumes: Vec<Volume>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Volume {
        pub volume_id: String,
        pub volume_type: String,
        pub size: i64,
        pub iops: Option<i64>,
        pub state: String,
        pub availability_zone: String,
        pub attachments: Vec<Attachment>,
        pub tags: Vec<Tag>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Attachment {
        pub instance_id: String,
        pub device: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Snapshots {
        pub snapshots: Vec<Snapshot>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Snapshot {
        pub snapshot_id: String,
        pub volume_id: String,
        pub description: String,
        pub start_time: String,
        pub tags: Vec<Tag>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct SnapshotAttribute {
        pub create_volume_permissions: Vec<VolumePermission>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct VolumePermission {
        pub group: Option<String>,
        pub user_id: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Vpcs {
        pub vpcs: Vec<Vpc>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Vpc {
        pub vpc_id: String,
        pub is_default: bool,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct InternetGateways {
        pub internet_gateways: Vec<InternetGateway>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct InternetGateway {
        pub internet_gateway_id: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct VpnConnections {
        pub vpn_connections: Vec<VpnConnection>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct VpnConnection {
        pub vpn_connection_id: String,
        pub vpn_gateway_id: Option<String>,
        pub customer_gateway_id: Option<String>,
        pub state: String,
        pub vgw_telemetry: Vec<Telemetry>,
        pub tags: Vec<Tag>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Telemetry {
        pub status: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct InstanceTypes {
        pub instance_types: Vec<InstanceType>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct InstanceType {
        pub instance_type: String,
        #[serde(rename = "VCpuInfo")]
        pub vcpu_info: VCpuInfo,
        pub ebs_info: EbsInfo,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct VCpuInfo {
        #[serde(rename = "DefaultVCpus")]
        pub default_vcpus: i64,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct EbsInfo {
        pub ebs_optimized_support: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Images {
        pub images: Vec<Image>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Image {
        pub image_id: String,
    }
}

pub mod rds {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct DbInstances {
        #[serde(rename = "DBInstances")]
        pub db_instances: Vec<DbInstance>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct DbInstance {
        #[serde(rename = "DBInstanceIdentifier")]
        pub id: String,
        pub backup_retention_period: i64,
        #[serde(rename = "MultiAZ")]
        pub multi_az: bool,
        pub engine: String,
        #[serde(rename = "DBInstanceClass")]
        pub class: String,
        pub allocated_storage: i64,
        pub publicly_accessible: bool,
        #[serde(rename = "DBSubnetGroup")]
        pub subnet_group: Option<SubnetGroup>,
        pub availability_zone: Option<String>,
        #[serde(rename = "DBClusterIdentifier")]
        pub cluster: Option<String>,
        #[serde(rename = "DBInstanceStatus")]
        pub status: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct SubnetGroup {
        pub vpc_id: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct DbSnapshots {
        #[serde(rename = "DBSnapshots")]
        pub snapshots: Vec<DbSnapshot>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct DbSnapshot {
        #[serde(rename = "DBSnapshotIdentifier")]
        pub id: String,
        #[serde(rename = "DBInstanceIdentifier")]
        pub instance: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct DbSnapshotAttributes {
        #[serde(rename = "DBSnapshotAttributesResult")]
        pub result: SnapshotAttributesResult,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct SnapshotAttributesResult {
        #[serde(rename = "DBSnapshotAttributes", alias = "DBClusterSnapshotAttributes")]
        pub attributes: Vec<SnapshotAttribute>,
    }

    impl SnapshotAttributesResult {
        /// Whether anyone may restore it.
        pub fn public(&self) -> bool {
            self.attributes.iter().any(|a| {
                a.attribute_name == "restore" && a.attribute_values.iter().any(|v| v == "all")
            })
        }
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct SnapshotAttribute {
        pub attribute_name: String,
        pub attribute_values: Vec<String>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct DbClusterSnapshots {
        #[serde(rename = "DBClusterSnapshots")]
        pub snapshots: Vec<DbClusterSnapshot>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct DbClusterSnapshot {
        #[serde(rename = "DBClusterSnapshotIdentifier")]
        pub id: String,
        #[serde(rename = "DBClusterIdentifier")]
        pub cluster: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct DbClusterSnapshotAttributes {
        #[serde(rename = "DBClusterSnapshotAttributesResult")]
        pub result: SnapshotAttributesResult,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct DbSecurityGroups {
        #[serde(rename = "DBSecurityGroups")]
        pub groups: Vec<DbSecurityGroup>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct DbSecurityGroup {
        #[serde(rename = "DBSecurityGroupName")]
        pub name: String,
        #[serde(rename = "IPRanges")]
        pub ip_ranges: Vec<DbIpRange>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct DbIpRange {
        #[serde(rename = "CIDRIP")]
        pub cidr: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct AccountAttributes {
        pub account_quotas: Vec<AccountQuota>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct AccountQuota {
        pub account_quota_name: String,
        pub used: i64,
        pub max: i64,
    }
}

pub mod iam {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct AccountSummary {
        pub summary_map: BTreeMap<String, i64>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct PasswordPolicy {
        pub password_policy: Policy,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Policy {
        pub require_uppercase_characters: bool,
        pub require_lowercase_characters: bool,
        pub require_numbers: bool,
        pub require_symbols: bool,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Users {
        pub users: Vec<User>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct User {
        pub user_name: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct AccessKeys {
        pub access_key_metadata: Vec<AccessKey>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct AccessKey {
        pub access_key_id: String,
        pub status: String,
        pub create_date: String,
        pub user_name: String,
    }
}

pub mod s3 {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Buckets {
        pub buckets: Vec<Bucket>,
        pub owner: Option<Owner>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Bucket {
        pub name: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Owner {
        #[serde(rename = "ID")]
        pub id: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct BucketLocation {
        pub location_constraint: Option<String>,
    }

    impl BucketLocation {
        /// The bucket's region: no constraint (or `EU`, its old name) is us-east-1 (eu-west-1).
        pub fn region(&self) -> &str {
            match self.location_constraint.as_deref() {
                None | Some("") => "us-east-1",
                Some("EU") => "eu-west-1",
                Some(r) => r,
            }
        }
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct BucketAcl {
        pub owner: Option<Owner>,
        pub grants: Vec<Grant>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Grant {
        pub grantee: Grantee,
        pub permission: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Grantee {
        #[serde(rename = "Type")]
        pub kind: String,
        #[serde(rename = "URI")]
        pub uri: Option<String>,
    }

    impl Grantee {
        /// Everyone, or anyone with an AWS account.
        pub fn public(&self) -> bool {
            matches!(
                self.uri.as_deref(),
                Some(
                    "http://acs.amazonaws.com/groups/global/AllUsers"
                        | "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
                )
            )
        }
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct BucketPolicyStatus {
        pub policy_status: PolicyStatus,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct PolicyStatus {
        pub is_public: bool,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct PublicAccessBlock {
        pub public_access_block_configuration: BlockConfig,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct BlockConfig {
        pub block_public_acls: bool,
        pub ignore_public_acls: bool,
        pub block_public_policy: bool,
        pub restrict_public_buckets: bool,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct BucketVersioning {
        pub status: Option<String>,
        #[serde(rename = "MFADelete")]
        pub mfa_delete: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct BucketLogging {
        pub logging_enabled: Option<LoggingEnabled>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct LoggingEnabled {
        pub target_bucket: String,
        pub target_prefix: String,
    }
}

pub mod cloudtrail {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", default)]
    pub struct Trails {
        pub trail_list: Vec<Trail>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Trail {
        pub name: String,
        pub s3_bucket_name: Option<String>,
        pub is_multi_region_trail: bool,
        pub home_region: Option<String>,
        #[serde(rename = "TrailARN")]
        pub arn: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct TrailStatus {
        pub is_logging: bool,
        pub latest_delivery_error: Option<String>,
    }
}

pub mod elb {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct LoadBalancers {
        pub load_balancer_descriptions: Vec<LoadBalancer>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct LoadBalancer {
        pub load_balancer_name: String,
        pub instances: Vec<InstanceRef>,
        pub availability_zones: Vec<String>,
        pub security_groups: Vec<String>,
        pub listener_descriptions: Vec<ListenerDescription>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct InstanceRef {
        pub instance_id: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct ListenerDescription {
        pub listener: Listener,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Listener {
        pub protocol: String,
        pub load_balancer_port: i64,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct LoadBalancerAttributes {
        pub load_balancer_attributes: Attributes,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Attributes {
        pub cross_zone_load_balancing: Option<Enabled>,
        pub connection_draining: Option<Enabled>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Enabled {
        pub enabled: bool,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct InstanceHealth {
        pub instance_states: Vec<InstanceState>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct InstanceState {
        pub instance_id: String,
        pub state: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct LoadBalancersV2 {
        pub load_balancers: Vec<LoadBalancerV2>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct LoadBalancerV2 {
        pub load_balancer_arn: String,
        #[serde(rename = "Type")]
        pub kind: String,
    }
}

pub mod autoscaling {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Groups {
        pub auto_scaling_groups: Vec<Group>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Group {
        pub auto_scaling_group_name: String,
        pub health_check_type: String,
        pub load_balancer_names: Vec<String>,
        #[serde(rename = "TargetGroupARNs")]
        pub target_group_arns: Vec<String>,
        pub launch_configuration_name: Option<String>,
        pub launch_template: Option<LaunchTemplate>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct LaunchTemplate {
        pub launch_template_id: Option<String>,
        pub launch_template_name: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct LaunchConfigurations {
        pub launch_configurations: Vec<LaunchConfiguration>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct LaunchConfiguration {
        pub launch_configuration_name: String,
        pub image_id: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct AccountLimits {
        pub max_number_of_auto_scaling_groups: i64,
        pub max_number_of_launch_configurations: i64,
        pub number_of_auto_scaling_groups: i64,
        pub number_of_launch_configurations: i64,
    }
}

pub mod cloudformation {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct AccountLimits {
        pub account_limits: Vec<Limit>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Limit {
        pub name: String,
        pub value: i64,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Stacks {
        pub stack_summaries: Vec<StackSummary>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct StackSummary {
        pub stack_status: String,
    }
}

pub mod lambda {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Functions {
        pub functions: Vec<Function>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Function {
        pub function_arn: String,
        pub runtime: Option<String>,
    }
}

pub mod route53 {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct HostedZones {
        pub hosted_zones: Vec<HostedZone>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct HostedZone {
        pub id: String,
        pub name: String,
    }

    impl HostedZone {
        /// The id without its `/hostedzone/` prefix, as bundles name a zone's files.
        pub fn short_id(&self) -> &str {
            self.id.rsplit('/').next().unwrap_or(&self.id)
        }
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct RecordSets {
        pub resource_record_sets: Vec<RecordSet>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct RecordSet {
        pub name: String,
        #[serde(rename = "Type")]
        pub kind: String,
        #[serde(rename = "TTL")]
        pub ttl: Option<i64>,
        pub resource_records: Vec<Record>,
        pub alias_target: Option<AliasTarget>,
        pub failover: Option<String>,
        pub health_check_id: Option<String>,
        pub set_identifier: Option<String>,
        pub region: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Record {
        pub value: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct AliasTarget {
        #[serde(rename = "DNSName")]
        pub dns_name: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct HealthChecks {
        pub health_checks: Vec<HealthCheck>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct HealthCheck {
        pub id: String,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct AccountLimit {
        pub limit: LimitValue,
        pub count: i64,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct LimitValue {
        #[serde(rename = "Type")]
        pub kind: String,
        pub value: i64,
    }
}

pub mod quotas {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Quotas {
        pub quotas: Vec<Quota>,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Quota {
        pub service_code: String,
        pub quota_code: String,
        pub quota_name: String,
        pub value: f64,
    }
}

pub mod limits {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct DynamoDb {
        pub account_max_read_capacity_units: i64,
        pub account_max_write_capacity_units: i64,
        pub table_max_read_capacity_units: i64,
        pub table_max_write_capacity_units: i64,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Kinesis {
        pub shard_limit: i64,
        pub open_shard_count: i64,
    }

    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase", default)]
    pub struct Ses {
        #[serde(rename = "Max24HourSend")]
        pub max_24_hour_send: f64,
        #[serde(rename = "SentLast24Hours")]
        pub sent_last_24_hours: f64,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn files_are_placed_by_region_call_and_resource() {
        assert_eq!(
            locate("us-east-1/ec2.describe-security-groups.json"),
            Ok(Some((
                FileKey {
                    scope: "us-east-1".into(),
                    call: "ec2.describe-security-groups".into(),
                    resource: None
                },
                false
            )))
        );
        assert!(matches!(
            locate("global/s3api.get-bucket-policy-status/my-bucket.error"),
            Ok(Some((_, true)))
        ));
        assert_eq!(locate("README.md"), Ok(None));
        assert_eq!(
            locate("us-east-1/ec2.describe-hosts.json"),
            Ok(None),
            "unused: ignored"
        );
        assert_eq!(
            locate("global/ec2.describe-security-groups.json"),
            Err(FileError::NotRegional(
                "ec2.describe-security-groups".into()
            ))
        );
        assert_eq!(
            locate("us-east-1/iam.list-users.json"),
            Err(FileError::NotGlobal("iam.list-users".into()))
        );
        assert_eq!(
            locate("mars-1/ec2.describe-vpcs.json"),
            Err(FileError::Scope("mars-1".into()))
        );
        assert_eq!(
            locate("global/s3api.get-bucket-acl.json"),
            Err(FileError::Shape("s3api.get-bucket-acl".into()))
        );
        for r in [
            "us-east-1",
            "ap-northeast-1",
            "us-gov-west-1",
            "cn-north-1",
            "eu-central-2",
        ] {
            assert!(is_region(r), "{r}");
        }
        for r in ["global", "us-east", "US-EAST-1", "us-east-1a", "x-y-1"] {
            assert!(!is_region(r), "{r}");
        }
    }

    #[test]
    fn the_cli_s_json_is_read_for_its_facts_and_the_rest_is_dropped() {
        let mut inv = Inventory::default();
        let sg = br#"{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "web", "VpcId": "vpc-1",
            "OwnerId": "123", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ssh"}]}]}]}"#;
        assert_eq!(
            inv.add("us-east-1/ec2.describe-security-groups.json", sg),
            Ok(true)
        );
        let groups = inv
            .security_groups("us-east-1")
            .and_then(Result::ok)
            .map(|g| &g.security_groups);
        assert_eq!(
            groups.map(|g| g[0].ip_permissions[0].ip_ranges[0].cidr_ip.as_str()),
            Some("0.0.0.0/0")
        );
        assert!(inv.security_groups("eu-west-1").is_none(), "not collected");
        assert_eq!(
            inv.add("global/s3api.get-bucket-versioning/b.json", b"\n"),
            Ok(true)
        );
        assert!(matches!(
            inv.bucket_versioning("global", "b"),
            Some(Err(Entry::Empty))
        ));
        assert_eq!(
            inv.add(
                "global/s3api.get-public-access-block/b.error",
                b"An error occurred (NoSuchPublicAccessBlockConfiguration) when calling the GetPublicAccessBlock operation: none"
            ),
            Ok(true)
        );
        let e = inv.public_access_block("global", "b").and_then(Result::err);
        assert_eq!(
            e.and_then(Entry::error_code),
            Some("NoSuchPublicAccessBlockConfiguration")
        );
        let bad = inv.add("us-east-1/ec2.describe-vpcs.json", b"{\"Vpcs\": 3}");
        assert!(matches!(bad, Err(FileError::Json { .. })), "{bad:?}");
        assert_eq!(inv.regions().into_iter().collect::<Vec<_>>(), ["us-east-1"]);
        assert_eq!(Inventory::from_json(&inv.to_json()), Ok(inv.clone()));
        // A large file is parsed from its stream, to the same facts.
        let groups: Vec<String> = (0..2000)
            .map(|i| format!(r#"{{"GroupId": "sg-{i}", "GroupName": "g", "IpPermissions": []}}"#))
            .collect();
        let big = format!(r#"{{"SecurityGroups": [{}]}}"#, groups.join(", "));
        let mut streamed = Inventory::default();
        let path = "eu-west-1/ec2.describe-security-groups.json";
        assert_eq!(
            streamed.add_reader(path, &mut big.as_bytes(), big.len() as u64),
            Ok(true)
        );
        let mut whole = Inventory::default();
        assert_eq!(whole.add(path, big.as_bytes()), Ok(true));
        assert_eq!(streamed, whole);
        assert!(big.len() > 64 * 1024);
        let bad = "{".repeat(70_000);
        assert!(matches!(
            streamed.add_reader(path, &mut bad.as_bytes(), bad.len() as u64),
            Err(FileError::Json { .. })
        ));
    }
}
