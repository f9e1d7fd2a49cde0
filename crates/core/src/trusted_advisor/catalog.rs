//! The checks Tierdesk knows, with AWS's ids, names, categories and column order (from a
//! real `DescribeTrustedAdvisorChecks` response), which are core checks (on every plan
//! with an advisor) and which AWS refreshes on its own (a refresh request is refused).
//! Checks no inventory can compute (fraud signals, reservations, savings plans) are here
//! too: their results are fed by the operator, and they are `not_available` until then.

/// A check's category (the old API's `category`, the new API's pillar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    CostOptimizing,
    Security,
    FaultTolerance,
    Performance,
    ServiceLimits,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Security,
        Category::CostOptimizing,
        Category::FaultTolerance,
        Category::Performance,
        Category::ServiceLimits,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::CostOptimizing => "cost_optimizing",
            Category::Security => "security",
            Category::FaultTolerance => "fault_tolerance",
            Category::Performance => "performance",
            Category::ServiceLimits => "service_limits",
        }
    }
}

/// One check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckDef {
    pub id: &'static str,
    pub name: &'static str,
    pub category: Category,
    /// Column headings, in the order of each resource's metadata.
    pub metadata: &'static [&'static str],
    /// In the core set every plan with an advisor gets.
    pub core: bool,
    /// Refreshed by the service on its own: refresh requests are refused.
    pub auto_refresh: bool,
    /// The AWS services it looks at (the new API's `awsServices`).
    pub services: &'static [&'static str],
    /// What is flagged and why, as HTML (AWS's descriptions carry markup).
    pub criteria: &'static str,
}

impl CheckDef {
    /// The check's description: what it looks at and its alert criteria.
    pub fn description(&self) -> String {
        format!(
            "Checks {}.<br>\n<h4 class='headerBodyStyle'>Alert Criteria</h4>\n{}",
            self.services.join(", "),
            self.criteria
        )
    }

    /// Its name for a reader of `language` (`ja`, else AWS's English).
    pub fn name_in(&self, language: &str) -> &'static str {
        super::catalog_ja::name(self, language)
    }

    /// Its alert criteria for a reader of `language`.
    pub fn criteria_in(&self, language: &str) -> &'static str {
        super::catalog_ja::criteria(self, language)
    }

    /// Its column headings for a reader of `language`.
    pub fn columns_in(&self, language: &str) -> Vec<String> {
        self.metadata
            .iter()
            .map(|c| super::catalog_ja::column(c, language).into_owned())
            .collect()
    }

    /// Its description for a reader of `language`.
    pub fn description_in(&self, language: &str) -> String {
        if language == "ja" {
            format!(
                "{} を確認します。<br>\n<h4 class='headerBodyStyle'>アラート基準</h4>\n{}",
                self.services.join("、"),
                self.criteria_in(language)
            )
        } else {
            self.description()
        }
    }

    /// Whether Tierdesk computes it from an inventory (else the operator feeds it).
    pub fn computed(&self) -> bool {
        super::checks::evaluator(self.id).is_some()
    }
}

/// The check with this id.
pub fn check(id: &str) -> Option<&'static CheckDef> {
    CHECKS.iter().find(|c| c.id == id)
}

const LIMIT_COLUMNS: &[&str] = &[
    "Region",
    "Service",
    "Limit Name",
    "Limit Amount",
    "Current Usage",
    "Status",
];
const LIMIT_CRITERIA: &str = "Yellow: 80% of limit reached.<br>\nRed: 100% of limit reached.";

macro_rules! c {
    ($id:literal, $cat:ident, $name:literal, core=$core:literal, auto=$auto:literal, [$($svc:literal),*], [$($col:literal),* $(,)?], $criteria:literal) => {
        CheckDef {
            id: $id,
            name: $name,
            category: Category::$cat,
            metadata: &[$($col),*],
            core: $core,
            auto_refresh: $auto,
            services: &[$($svc),*],
            criteria: $criteria,
        }
    };
}

macro_rules! limit {
    ($id:literal, $name:literal, $svc:literal) => {
        CheckDef {
            id: $id,
            name: $name,
            category: Category::ServiceLimits,
            metadata: LIMIT_COLUMNS,
            core: true,
            auto_refresh: false,
            services: &[$svc],
            criteria: LIMIT_CRITERIA,
        }
    };
}

/// Every check, security first as the console lists them.
pub static CHECKS: &[CheckDef] = &[
    c!(
        "HCP4007jGY",
        Security,
        "Security Groups - Specific Ports Unrestricted",
        core = true,
        auto = false,
        ["EC2"],
        [
            "Region",
            "Security Group Name",
            "Security Group ID",
            "Protocol",
            "Status",
            "Ports"
        ],
        "Green: Access to port 80, 25, 443, or 465 is unrestricted.<br>\nRed: Access to port 20, 21, 1433, 1434, 3306, 3389, 4333, 5432, or 5500 is unrestricted.<br>\nYellow: Access to any other port is unrestricted."
    ),
    c!(
        "1iG5NDGVre",
        Security,
        "Security Groups - Unrestricted Access",
        core = false,
        auto = false,
        ["EC2"],
        [
            "Region",
            "Security Group Name",
            "Security Group ID",
            "Protocol",
            "Port",
            "Status",
            "IP Range"
        ],
        "Red: A security group rule has a source IP address with a /0 suffix for ports other than 25, 80, or 443."
    ),
    c!(
        "zXCkfM1nI3",
        Security,
        "IAM Use",
        core = true,
        auto = false,
        ["IAM"],
        [],
        "Yellow: No IAM users have been created for this account."
    ),
    c!(
        "Pfx0RwqBli",
        Security,
        "Amazon S3 Bucket Permissions",
        core = true,
        auto = false,
        ["S3"],
        [
            "Region Name",
            "Region API Parameter",
            "Bucket Name",
            "ACL Allows List",
            "ACL Allows Upload/Delete",
            "Status",
            "Policy Allows Access",
            "Ignored Bucket Name"
        ],
        "Yellow: The bucket ACL allows List access for Everyone or Any Authenticated AWS User.<br>\nYellow: A bucket policy allows any kind of open access.<br>\nRed: The bucket ACL allows Upload/Delete access for Everyone or Any Authenticated AWS User."
    ),
    c!(
        "7DAFEmoDos",
        Security,
        "MFA on Root Account",
        core = true,
        auto = false,
        ["IAM"],
        [],
        "Red: MFA is not enabled on the root account."
    ),
    c!(
        "Yw2K9puPzl",
        Security,
        "IAM Password Policy",
        core = false,
        auto = false,
        ["IAM"],
        [
            "Password Policy",
            "Uppercase",
            "Lowercase",
            "Number",
            "Non-alphanumeric",
            "Status",
            "Reason"
        ],
        "Yellow: A password policy is enabled, but at least one content requirement is not enabled.<br>\nRed: No password policy is enabled."
    ),
    c!(
        "ePs02jT06w",
        Security,
        "Amazon EBS Public Snapshots",
        core = true,
        auto = true,
        ["EBS"],
        [
            "Status",
            "Region",
            "Volume ID",
            "Snapshot ID",
            "Description"
        ],
        "Red: The EBS volume snapshot is marked as public."
    ),
    c!(
        "rSs93HQwa1",
        Security,
        "Amazon RDS Public Snapshots",
        core = true,
        auto = true,
        ["RDS"],
        [
            "Status",
            "Region",
            "DB Instance or Cluster ID",
            "Snapshot ID"
        ],
        "Red: The RDS snapshot is marked as public."
    ),
    c!(
        "nNauJisYIT",
        Security,
        "Amazon RDS Security Group Access Risk",
        core = false,
        auto = false,
        ["RDS"],
        [
            "Region",
            "RDS Security Group Name",
            "Ingress Rule",
            "Status",
            "Reason"
        ],
        "Red: A DB security group rule grants access from a CIDR with a /0 suffix.<br>\nYellow: A rule's CIDR is neither /0 nor /32."
    ),
    c!(
        "vjafUGJ9H0",
        Security,
        "AWS CloudTrail Logging",
        core = false,
        auto = false,
        ["CloudTrail"],
        [
            "Region",
            "Trail Name",
            "Logging Status",
            "Bucket Name",
            "Last Delivery Error",
            "Status"
        ],
        "Yellow: CloudTrail reports log delivery errors for a trail.<br>\nRed: A trail has not been created for a Region, or logging is turned off for a trail."
    ),
    c!(
        "DqdJqYeRm5",
        Security,
        "IAM Access Key Rotation",
        core = false,
        auto = true,
        ["IAM"],
        [
            "Status",
            "IAM User",
            "Access Key",
            "Key Last Rotated",
            "Reason"
        ],
        "Green: The access key is active and has been rotated in the last 90 days.<br>\nYellow: The access key is active and has been rotated in the last 2 years, but more than 90 days ago.<br>\nRed: The access key is active and has not been rotated in the last 2 years."
    ),
    c!(
        "12Fnkpl8Y5",
        Security,
        "Exposed Access Keys",
        core = false,
        auto = true,
        ["IAM"],
        [
            "Access Key ID",
            "User Name (IAM or Root)",
            "Fraud Type",
            "Case ID",
            "Time Updated",
            "Location",
            "Deadline",
            "Usage (USD per Day)"
        ],
        "Red: A key is potentially compromised: it was exposed publicly, or usage looks fraudulent. (Fed by the operator.)"
    ),
    c!(
        "L4dfs2Q4C5",
        Security,
        "AWS Lambda Functions Using Deprecated Runtimes",
        core = false,
        auto = true,
        ["Lambda"],
        [
            "Status",
            "Region",
            "Function ARN",
            "Runtime",
            "Days to Deprecation",
            "Deprecation Date",
            "Average Daily Invokes",
            "Last Refresh Time"
        ],
        "Red: The function's runtime is already deprecated.<br>\nYellow: The function's runtime will be deprecated within 120 days."
    ),
    c!(
        "a2sEc6ILx",
        Security,
        "ELB Listener Security",
        core = false,
        auto = false,
        ["ELB"],
        [
            "Region",
            "Load Balancer Name",
            "Load Balancer Port",
            "Status",
            "Reason"
        ],
        "Yellow: A load balancer has no listener that uses a secure protocol (HTTPS or SSL)."
    ),
    c!(
        "xSqX82fQu",
        Security,
        "ELB Security Groups",
        core = false,
        auto = false,
        ["ELB"],
        [
            "Region",
            "Load Balancer Name",
            "Status",
            "Security Group IDs",
            "Reason"
        ],
        "Yellow: An inbound rule of the load balancer's security group allows access to ports that are not in its listener configuration.<br>\nRed: A security group associated with the load balancer does not exist."
    ),
    c!(
        "c9D319e7sG",
        Security,
        "Amazon Route 53 MX Resource Record Sets and Sender Policy Framework",
        core = false,
        auto = false,
        ["Route 53"],
        [
            "Hosted Zone Name",
            "Hosted Zone ID",
            "Resource Record Set Name",
            "Status"
        ],
        "Yellow: An MX resource record set does not have a TXT or SPF resource record that contains a valid SPF value."
    ),
    c!(
        "N425c450f2",
        Security,
        "CloudFront Custom SSL Certificates in the IAM Certificate Store",
        core = false,
        auto = false,
        ["CloudFront"],
        [
            "Status",
            "Distribution ID",
            "Distribution Domain Name",
            "Certificate Name",
            "Reason"
        ],
        "Red: A certificate has expired. (Fed by the operator.)"
    ),
    c!(
        "N430c450f2",
        Security,
        "CloudFront SSL Certificate on the Origin Server",
        core = false,
        auto = false,
        ["CloudFront"],
        [
            "Status",
            "Distribution ID",
            "Distribution Domain Name",
            "Origin",
            "Reason"
        ],
        "Red: An origin's certificate has expired. (Fed by the operator.)"
    ),
    c!(
        "Qch7DwouX1",
        CostOptimizing,
        "Low Utilization Amazon EC2 Instances",
        core = false,
        auto = false,
        ["EC2"],
        [
            "Region/AZ",
            "Instance ID",
            "Instance Name",
            "Instance Type",
            "Estimated Monthly Savings",
            "Day 1",
            "Day 2",
            "Day 3",
            "Day 4",
            "Day 5",
            "Day 6",
            "Day 7",
            "Day 8",
            "Day 9",
            "Day 10",
            "Day 11",
            "Day 12",
            "Day 13",
            "Day 14",
            "14-Day Average CPU Utilization",
            "14-Day Average Network I/O",
            "Number of Days Low Utilization"
        ],
        "Yellow: An instance had 10% or less daily average CPU utilization and network I/O of 5 MB or less on at least 4 of the previous 14 days. (Needs CloudWatch data: fed by the operator.)"
    ),
    c!(
        "hjLMh88uM8",
        CostOptimizing,
        "Idle Load Balancers",
        core = false,
        auto = false,
        ["ELB"],
        [
            "Region",
            "Load Balancer Name",
            "Reason",
            "Estimated Monthly Savings"
        ],
        "Yellow: A load balancer has no active back-end instances."
    ),
    c!(
        "DAvU99Dc4C",
        CostOptimizing,
        "Underutilized Amazon EBS Volumes",
        core = false,
        auto = false,
        ["EBS"],
        [
            "Region",
            "Volume ID",
            "Volume Name",
            "Volume Type",
            "Volume Size",
            "Monthly Storage Cost",
            "Snapshot ID",
            "Snapshot Name",
            "Snapshot Age"
        ],
        "Yellow: A volume is unattached."
    ),
    c!(
        "Z4AUBRNSmz",
        CostOptimizing,
        "Unassociated Elastic IP Addresses",
        core = false,
        auto = false,
        ["EC2"],
        ["Region", "IP Address"],
        "Yellow: An allocated Elastic IP address is not associated with a running Amazon EC2 instance."
    ),
    c!(
        "Ti39halfu8",
        CostOptimizing,
        "Amazon RDS Idle DB Instances",
        core = false,
        auto = false,
        ["RDS"],
        [
            "Region",
            "DB Instance Name",
            "Multi-AZ",
            "Instance Type",
            "Storage Provisioned (GB)",
            "Days Since Last Connection",
            "Estimated Monthly Savings (On Demand)"
        ],
        "Yellow: An active DB instance has not had a connection in the last 7 days. (Needs CloudWatch data: fed by the operator.)"
    ),
    c!(
        "G31sQ1E9U",
        CostOptimizing,
        "Underutilized Amazon Redshift Clusters",
        core = false,
        auto = false,
        ["Redshift"],
        [
            "Status",
            "Region",
            "Cluster",
            "Instance Type",
            "Reason",
            "Estimated Monthly Savings"
        ],
        "Yellow: A running cluster has not had a connection in the last 7 days. (Needs CloudWatch data: fed by the operator.)"
    ),
    c!(
        "1e93e4c0b5",
        CostOptimizing,
        "Amazon EC2 Reserved Instance Lease Expiration",
        core = false,
        auto = false,
        ["EC2"],
        [
            "Status",
            "Zone",
            "Instance Type",
            "Platform",
            "Instance Count",
            "Current Monthly Cost",
            "Estimated Monthly Savings",
            "Expiration Date",
            "Reserved Instance ID",
            "Reason"
        ],
        "Yellow: A reservation expires within 30 days.<br>\nRed: A reservation expired in the last 30 days. (Fed by the operator.)"
    ),
    c!(
        "51fC20e7I2",
        CostOptimizing,
        "Amazon Route 53 Latency Resource Record Sets",
        core = false,
        auto = false,
        ["Route 53"],
        [
            "Hosted Zone Name",
            "Hosted Zone ID",
            "Resource Record Set Name",
            "Resource Record Set Type"
        ],
        "Yellow: Only one latency resource record set is configured for a domain name."
    ),
    c!(
        "H7IgTzjTYb",
        FaultTolerance,
        "Amazon EBS Snapshots",
        core = false,
        auto = false,
        ["EBS"],
        [
            "Region",
            "Volume ID",
            "Volume Name",
            "Snapshot ID",
            "Snapshot Name",
            "Snapshot Age",
            "Volume Attachment",
            "Status",
            "Reason"
        ],
        "Yellow: The most recent volume snapshot is between 7 and 30 days old.<br>\nRed: The most recent volume snapshot is more than 30 days old.<br>\nRed: The volume does not have a snapshot."
    ),
    c!(
        "wuy7G1zxql",
        FaultTolerance,
        "Amazon EC2 Availability Zone Balance",
        core = false,
        auto = false,
        ["EC2"],
        [
            "Region",
            "Instances in Zone a",
            "Instances in Zone b",
            "Instances in Zone c",
            "Instances in Zone d",
            "Instances in Zone e",
            "Instances in Zone f",
            "Status",
            "Reason"
        ],
        "Yellow: The Region has an uneven distribution of instances across Availability Zones (the highest and lowest counts in the zones used differ by more than 20%).<br>\nRed: The Region has instances in only one Availability Zone."
    ),
    c!(
        "iqdCTZKCUp",
        FaultTolerance,
        "Load Balancer Optimization",
        core = false,
        auto = false,
        ["ELB"],
        [
            "Region",
            "Load Balancer Name",
            "# of Zones",
            "Instances in Zone a",
            "Instances in Zone b",
            "Instances in Zone c",
            "Instances in Zone d",
            "Instances in Zone e",
            "Instances in Zone f",
            "Status",
            "Reason"
        ],
        "Yellow: A load balancer is enabled for a single Availability Zone.<br>\nYellow: A load balancer is enabled for an Availability Zone that has no active instances.<br>\nYellow: The instances registered with a load balancer are unevenly distributed across Availability Zones (more than 1 instance and more than 20% apart)."
    ),
    c!(
        "S45wrEXrLz",
        FaultTolerance,
        "VPN Tunnel Redundancy",
        core = false,
        auto = false,
        ["VPC"],
        [
            "Region",
            "VPN ID",
            "VPC",
            "Virtual Private Gateway",
            "Customer Gateway",
            "Active Tunnels",
            "Status",
            "Reason"
        ],
        "Yellow: A VPN has one active tunnel.<br>\nYellow: A VPN has no active tunnels."
    ),
    c!(
        "8CNsSllI5v",
        FaultTolerance,
        "Auto Scaling Group Resources",
        core = false,
        auto = false,
        ["Auto Scaling"],
        [
            "Region",
            "Auto Scaling Group Name",
            "Launch Configuration Name",
            "Launch Type",
            "Launch Name",
            "Resource Type",
            "Resource Name",
            "Status",
            "Reason"
        ],
        "Red: An Auto Scaling group is associated with a deleted load balancer.<br>\nRed: A launch configuration is associated with a deleted AMI."
    ),
    c!(
        "opQPADkZvH",
        FaultTolerance,
        "Amazon RDS Backups",
        core = false,
        auto = false,
        ["RDS"],
        [
            "Region/AZ",
            "DB Instance",
            "VPC ID",
            "Backup Retention Period",
            "Status"
        ],
        "Red: A DB instance has the backup retention period set to 0 days."
    ),
    c!(
        "f2iK5R6Dep",
        FaultTolerance,
        "Amazon RDS Multi-AZ",
        core = false,
        auto = false,
        ["RDS"],
        ["Region/AZ", "DB Instance", "VPC ID", "Multi-AZ", "Status"],
        "Yellow: A DB instance is deployed in a single Availability Zone. (SQL Server instances are not examined.)"
    ),
    c!(
        "CLOG40CDO8",
        FaultTolerance,
        "Auto Scaling Group Health Check",
        core = false,
        auto = false,
        ["Auto Scaling"],
        [
            "Region",
            "Auto Scaling Group Name",
            "Load Balancer Associated",
            "Health Check",
            "Status"
        ],
        "Yellow: An Auto Scaling group has an associated load balancer, but the Elastic Load Balancing health check is not enabled.<br>\nYellow: An Auto Scaling group does not have an associated load balancer, but the Elastic Load Balancing health check is enabled."
    ),
    c!(
        "BueAdJ7NrP",
        FaultTolerance,
        "Amazon S3 Bucket Logging",
        core = false,
        auto = false,
        ["S3"],
        [
            "Region",
            "Bucket Name",
            "Target Name",
            "Target Exists",
            "Same Owner",
            "Write Enabled",
            "Status",
            "Reason"
        ],
        "Yellow: The bucket does not have server access logging enabled.<br>\nRed: The target bucket for the bucket's logs does not exist.<br>\nRed: The bucket and its target bucket have different owners."
    ),
    c!(
        "R365s2Qddf",
        FaultTolerance,
        "Amazon S3 Bucket Versioning",
        core = false,
        auto = false,
        ["S3"],
        [
            "Region",
            "Bucket Name",
            "Versioning",
            "MFA Delete Enabled",
            "Status"
        ],
        "Green: Versioning is enabled for the bucket.<br>\nYellow: Versioning is not enabled for the bucket.<br>\nYellow: Versioning is suspended for the bucket."
    ),
    c!(
        "xuy7H1avtl",
        FaultTolerance,
        "Amazon Aurora DB Instance Accessibility",
        core = false,
        auto = false,
        ["RDS"],
        [
            "Status",
            "Region",
            "Cluster",
            "Public DB Instances",
            "Private DB Instances",
            "Reason"
        ],
        "Yellow: The instances of an Aurora DB cluster have mixed public and private accessibility."
    ),
    c!(
        "xdeXZKIUy",
        FaultTolerance,
        "ELB Cross-Zone Load Balancing",
        core = false,
        auto = false,
        ["ELB"],
        ["Region", "Load Balancer Name", "Status", "Reason"],
        "Yellow: Cross-zone load balancing is not enabled for a load balancer."
    ),
    c!(
        "7qGXsKIUw",
        FaultTolerance,
        "ELB Connection Draining",
        core = false,
        auto = false,
        ["ELB"],
        ["Region", "Load Balancer Name", "Status", "Reason"],
        "Yellow: Connection draining is not enabled for a load balancer."
    ),
    c!(
        "C056F80cR3",
        FaultTolerance,
        "Amazon Route 53 High TTL Resource Record Sets",
        core = false,
        auto = false,
        ["Route 53"],
        [
            "Hosted Zone Name",
            "Hosted Zone ID",
            "Resource Record Set Name",
            "Resource Record Set Type",
            "Resource Record Set ID",
            "TTL",
            "Status"
        ],
        "Yellow: A resource record set whose routing policy is Failover has a TTL greater than 60 seconds.<br>\nYellow: A resource record set with an associated health check has a TTL greater than 60 seconds."
    ),
    c!(
        "cF171Db240",
        FaultTolerance,
        "Amazon Route 53 Name Server Delegations",
        core = false,
        auto = false,
        ["Route 53"],
        [
            "Hosted Zone Name",
            "Hosted Zone ID",
            "Number of Name Server Delegations Used"
        ],
        "Yellow: A hosted zone's domain delegates to fewer than four of its name servers. (Needs the registrar's delegation: fed by the operator.)"
    ),
    c!(
        "b73EEdD790",
        FaultTolerance,
        "Amazon Route 53 Failover Resource Record Sets",
        core = false,
        auto = false,
        ["Route 53"],
        [
            "Hosted Zone Name",
            "Hosted Zone ID",
            "Resource Record Set Name",
            "Resource Record Set Type",
            "Reason"
        ],
        "Yellow: A failover resource record set has no partner (a primary without a secondary, or the reverse)."
    ),
    c!(
        "Cb877eB72b",
        FaultTolerance,
        "Amazon Route 53 Deleted Health Checks",
        core = false,
        auto = false,
        ["Route 53"],
        [
            "Hosted Zone Name",
            "Hosted Zone ID",
            "Resource Record Set Name",
            "Resource Record Set Type",
            "Resource Record Set Identifier"
        ],
        "Yellow: A resource record set is associated with a health check that has been deleted."
    ),
    c!(
        "0t121N1Ty3",
        FaultTolerance,
        "AWS Direct Connect Connection Redundancy",
        core = false,
        auto = true,
        ["Direct Connect"],
        ["Status", "Region", "Timestamp", "Location", "Connection ID"],
        "Yellow: The Region has only one Direct Connect connection. (Fed by the operator.)"
    ),
    c!(
        "8M012Ph3U5",
        FaultTolerance,
        "AWS Direct Connect Location Redundancy",
        core = false,
        auto = true,
        ["Direct Connect"],
        [
            "Status",
            "Region",
            "Timestamp",
            "Location",
            "Connection Details"
        ],
        "Yellow: All Direct Connect connections in the Region are at one location. (Fed by the operator.)"
    ),
    c!(
        "4g3Nt5M1Th",
        FaultTolerance,
        "AWS Direct Connect Virtual Interface Redundancy",
        core = false,
        auto = true,
        ["Direct Connect"],
        [
            "Status",
            "Region",
            "Timestamp",
            "Gateway ID",
            "Location for VIF",
            "Connection ID for VIF"
        ],
        "Yellow: A gateway has fewer than two virtual interfaces, or they share a connection. (Fed by the operator.)"
    ),
    c!(
        "ZRxQlPsb6c",
        Performance,
        "High Utilization Amazon EC2 Instances",
        core = false,
        auto = false,
        ["EC2"],
        [
            "Region/AZ",
            "Instance ID",
            "Instance Name",
            "Instance Type",
            "Day 1",
            "Day 2",
            "Day 3",
            "Day 4",
            "Day 5",
            "Day 6",
            "Day 7",
            "Day 8",
            "Day 9",
            "Day 10",
            "Day 11",
            "Day 12",
            "Day 13",
            "Day 14",
            "14-Day Average CPU Utilization",
            "Number of Days over 90% CPU Utilization"
        ],
        "Yellow: An instance had more than 90% daily average CPU utilization on at least 4 of the previous 14 days. (Needs CloudWatch data: fed by the operator.)"
    ),
    c!(
        "tfg86AVHAZ",
        Performance,
        "Large Number of Rules in an EC2 Security Group",
        core = false,
        auto = false,
        ["EC2"],
        [
            "Region",
            "Security Group Name",
            "Group ID",
            "Description",
            "Instance Count",
            "VPC ID",
            "Total Inbound Rules",
            "Total Outbound Rules"
        ],
        "Yellow: An EC2-VPC security group has more than 50 rules."
    ),
    c!(
        "j3DFqYTe29",
        Performance,
        "Large Number of EC2 Security Group Rules Applied to an Instance",
        core = false,
        auto = false,
        ["EC2"],
        [
            "Region",
            "Instance ID",
            "Instance Name",
            "VPC ID",
            "Total Inbound Rules",
            "Total Outbound Rules"
        ],
        "Yellow: An EC2-VPC instance has more than 50 security group rules."
    ),
    c!(
        "PPkZrjsH2q",
        Performance,
        "Amazon EBS Provisioned IOPS (SSD) Volume Attachment Configuration",
        core = false,
        auto = false,
        ["EBS"],
        [
            "Region/AZ",
            "Volume ID",
            "Volume Name",
            "Volume Attachment",
            "Instance ID",
            "Instance Type",
            "EBS Optimized",
            "Status"
        ],
        "Yellow: An instance that can be EBS-optimized has an attached Provisioned IOPS (SSD) volume but is not EBS-optimized."
    ),
    c!(
        "B913Ef6fb4",
        Performance,
        "Amazon Route 53 Alias Resource Record Sets",
        core = false,
        auto = false,
        ["Route 53"],
        [
            "Hosted Zone Name",
            "Hosted Zone ID",
            "Resource Record Set Name",
            "Resource Record Set Type",
            "Resource Record Set Identifier",
            "Alias Target",
            "Status"
        ],
        "Yellow: A resource record set is a CNAME to an Amazon S3 website, a CloudFront distribution or an Elastic Load Balancing load balancer."
    ),
    c!(
        "k3J2hns32g",
        Performance,
        "Overutilized Amazon EBS Magnetic Volumes",
        core = false,
        auto = false,
        ["EBS"],
        [
            "Region",
            "Volume ID",
            "Volume Name",
            "Day 1",
            "Day 2",
            "Day 3",
            "Day 4",
            "Day 5",
            "Day 6",
            "Day 7",
            "Day 8",
            "Day 9",
            "Day 10",
            "Day 11",
            "Day 12",
            "Day 13",
            "Day 14",
            "Number of Days Over",
            "Max Daily Median",
            "Status"
        ],
        "Yellow: A magnetic volume is used at more than 90% of its capacity on most days. (Needs CloudWatch data: fed by the operator.)"
    ),
    c!(
        "796d6f3D83",
        Performance,
        "CloudFront Content Delivery Optimization",
        core = false,
        auto = false,
        ["CloudFront"],
        [
            "Region",
            "Bucket Name",
            "S3 Storage (GB)",
            "Data Transfer Out (GB)",
            "Ratio of Transfer to Storage",
            "Status"
        ],
        "Yellow: The data transferred out of a bucket is large beside what it stores. (Needs usage data: fed by the operator.)"
    ),
    c!(
        "N415c450f2",
        Performance,
        "CloudFront Header Forwarding and Cache Hit Ratio",
        core = false,
        auto = false,
        ["CloudFront"],
        [
            "Status",
            "Distribution ID",
            "Distribution Domain Name",
            "Cache Behavior Path Pattern",
            "Headers"
        ],
        "Yellow: A cache behavior forwards headers that lower the cache hit ratio. (Fed by the operator.)"
    ),
    c!(
        "Bh2xRR2FGH",
        Performance,
        "Amazon EC2 to EBS Throughput Optimization",
        core = false,
        auto = false,
        ["EC2"],
        [
            "Region",
            "Instance ID",
            "Instance Type",
            "Status",
            "Time Near Maximum"
        ],
        "Yellow: An instance's EBS throughput is near its maximum often. (Needs CloudWatch data: fed by the operator.)"
    ),
    c!(
        "N420c450f2",
        Performance,
        "CloudFront Alternate Domain Names",
        core = false,
        auto = false,
        ["CloudFront"],
        [
            "Status",
            "Distribution ID",
            "Distribution Domain Name",
            "Alternate Domain Name",
            "Reason"
        ],
        "Yellow: An alternate domain name does not resolve to the distribution. (Fed by the operator.)"
    ),
    limit!("0Xc6LMYG8P", "EC2 On-Demand Instances", "EC2"),
    limit!("hJ7NN0l7J9", "SES Daily Sending Quota", "SES"),
    limit!(
        "tV7YY0l7J9",
        "EBS Provisioned IOPS (SSD) Volume Aggregate IOPS",
        "EBS"
    ),
    limit!(
        "gI7MM0l7J9",
        "EBS Provisioned IOPS SSD (io1) Volume Storage",
        "EBS"
    ),
    limit!("eI7KK0l7J9", "EBS Active Snapshots", "EBS"),
    limit!(
        "dH7RR0l6J9",
        "EBS General Purpose SSD (gp2) Volume Storage",
        "EBS"
    ),
    limit!(
        "cG7HH0l7J9",
        "EBS Magnetic (standard) Volume Storage",
        "EBS"
    ),
    limit!("iH7PP0l7J9", "EC2 Reserved Instance Leases", "EC2"),
    limit!("bW7HH0l7J9", "Kinesis Shards per Region", "Kinesis"),
    limit!("gW7HH0l7J9", "CloudFormation Stacks", "CloudFormation"),
    limit!(
        "aW7HH0l7J9",
        "Auto Scaling Launch Configurations",
        "AutoScaling"
    ),
    limit!("fW7HH0l7J9", "Auto Scaling Groups", "AutoScaling"),
    limit!("jL7PP0l7J9", "VPC", "VPC"),
    limit!("kM7QQ0l7J9", "VPC Internet Gateways", "VPC"),
    limit!("lN7RR0l7J9", "EC2-VPC Elastic IP Address", "VPC"),
    limit!("nO7SS0l7J9", "IAM Instance Profiles", "IAM"),
    limit!("oQ7TT0l7J9", "IAM Roles", "IAM"),
    limit!("pR7UU0l7J9", "IAM Policies", "IAM"),
    limit!("qS7VV0l7J9", "IAM Users", "IAM"),
    limit!("rT7WW0l7J9", "IAM Server Certificates", "IAM"),
    limit!("sU7XX0l7J9", "IAM Group", "IAM"),
    limit!("iK7OO0l7J9", "ELB Classic Load Balancers", "ELB"),
    limit!("7fuccf1Mx7", "RDS Cluster Roles", "RDS"),
    limit!("jtlIMO3qZM", "RDS Cluster Parameter Groups", "RDS"),
    limit!("gjqMBn6pjz", "RDS Clusters", "RDS"),
    limit!("UUDvOa5r34", "RDS Reserved Instances", "RDS"),
    limit!("jEhCtdJKOY", "RDS Subnets per Subnet Group", "RDS"),
    limit!("dYWBaXaaMM", "RDS Subnet Groups", "RDS"),
    limit!("3Njm0DJQO9", "RDS Option Groups", "RDS"),
    limit!("keAhfbH5yb", "RDS Event Subscriptions", "RDS"),
    limit!("dV84wpqRUs", "RDS DB Manual Snapshots", "RDS"),
    limit!("P1jhKWEmLa", "RDS Total Storage Quota", "RDS"),
    limit!("jEECYg2YVU", "RDS DB Parameter Groups", "RDS"),
    limit!("pYW8UkYz2w", "RDS Read Replicas per Master", "RDS"),
    limit!("gfZAn3W7wl", "RDS DB Security Groups", "RDS"),
    limit!("XG0aXHpIEt", "RDS DB Instances", "RDS"),
    limit!("dBkuNCvqn5", "RDS Max Auths per Security Group", "RDS"),
    limit!(
        "wH7DD0l3J9",
        "EBS Throughput Optimized HDD (st1) Volume Storage",
        "EBS"
    ),
    limit!("gH5CC0e3J9", "EBS Cold HDD (sc1) Volume Storage", "EBS"),
    limit!("6gtQddfEw6", "DynamoDB Read Capacity", "DynamoDB"),
    limit!("c5ftjdfkMr", "DynamoDB Write Capacity", "DynamoDB"),
    limit!("ru4xfcdfMr", "Route 53 Max Health Checks", "Route53"),
    limit!("dx3xfcdfMr", "Route 53 Hosted Zones", "Route53"),
    limit!("ty3xfcdfMr", "Route 53 Reusable Delegation Sets", "Route53"),
    limit!("dx3xfbjfMr", "Route 53 Traffic Policies", "Route53"),
    limit!("dx8afcdfMr", "Route 53 Traffic Policy Instances", "Route53"),
    limit!("EM8b3yLRTr", "ELB Application Load Balancers", "ELB"),
    limit!("8wIqYSt25K", "ELB Network Load Balancers", "ELB"),
    limit!(
        "dH7RR0l6J3",
        "EBS General Purpose SSD (gp3) Volume Storage",
        "EBS"
    ),
    limit!(
        "gI7MM0l7J2",
        "EBS Provisioned IOPS SSD (io2) Volume Storage",
        "EBS"
    ),
];

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "a check id twice");
    }

    #[test]
    fn the_core_set_is_the_six_security_checks_and_the_limits() {
        let core: Vec<&str> = CHECKS
            .iter()
            .filter(|c| c.core && c.category != Category::ServiceLimits)
            .map(|c| c.id)
            .collect();
        assert_eq!(
            core,
            [
                "HCP4007jGY",
                "zXCkfM1nI3",
                "Pfx0RwqBli",
                "7DAFEmoDos",
                "ePs02jT06w",
                "rSs93HQwa1"
            ]
        );
        assert!(
            CHECKS
                .iter()
                .filter(|c| c.category == Category::ServiceLimits)
                .all(|c| c.core)
        );
    }

    #[test]
    fn metadata_follows_the_api_order() {
        let sg = check("HCP4007jGY").map(|c| c.metadata);
        assert_eq!(
            sg,
            Some(
                &[
                    "Region",
                    "Security Group Name",
                    "Security Group ID",
                    "Protocol",
                    "Status",
                    "Ports"
                ][..]
            )
        );
        assert_eq!(check("ePs02jT06w").map(|c| c.metadata[0]), Some("Status"));
        assert!(check("eW7HH0l7J9").is_none(), "removed by AWS in 2020");
    }
}
