//! Security groups, VPN tunnels and Classic Load Balancers.

use std::collections::{BTreeMap, BTreeSet};

use super::super::inventory::ec2::{Permission, SecurityGroup};
use super::super::inventory::name_tag;
use super::super::{Context, Evaluation, Inventory, Status};
use super::{Found, c, dollars, zone_letter};

const EVERYONE_V4: &str = "0.0.0.0/0";
const EVERYONE_V6: &str = "::/0";
/// Ports whose being open to the world is expected (web and mail).
const GREEN_PORTS: [i64; 4] = [25, 80, 443, 465];
/// Ports of databases, remote desktops and file transfer: open to the world is red.
const RED_PORTS: [i64; 9] = [20, 21, 1433, 1434, 3306, 3389, 4333, 5432, 5500];
/// Ports `1iG5NDGVre` lets be open to the world.
const OPEN_OK: [i64; 3] = [25, 80, 443];

/// The port range a permission covers, `None` for protocols without ports (ICMP).
fn ports(p: &Permission) -> Option<(i64, i64)> {
    match p.ip_protocol.as_str() {
        "-1" => Some((0, 65535)),
        "tcp" | "udp" | "6" | "17" => match (p.from_port, p.to_port) {
            (Some(a), Some(b)) if a <= b => Some((a, b)),
            (Some(a), None) => Some((a, a)),
            _ => Some((0, 65535)),
        },
        _ => None,
    }
}

fn protocol_name(p: &Permission) -> String {
    match p.ip_protocol.as_str() {
        "-1" => "All".into(),
        "6" => "tcp".into(),
        "17" => "udp".into(),
        other => other.to_string(),
    }
}

fn port_text((a, b): (i64, i64)) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}-{b}")
    }
}

/// The worst status of the ports in a range, for `HCP4007jGY`.
fn specific_status((a, b): (i64, i64)) -> Status {
    if RED_PORTS.iter().any(|p| (a..=b).contains(p)) {
        Status::Error
    } else if (a..=b).all(|p| GREEN_PORTS.contains(&p)) {
        Status::Ok
    } else {
        Status::Warning
    }
}

fn group_id(sg: &SecurityGroup) -> String {
    match &sg.vpc_id {
        Some(vpc) => format!("{} ({vpc})", sg.group_id),
        None => sg.group_id.clone(),
    }
}

/// Every region's security groups.
fn each_group(
    inv: &Inventory,
    found: &mut Found,
    mut f: impl FnMut(&str, &SecurityGroup, &mut Found),
) {
    for region in inv.regions_with("ec2.describe-security-groups") {
        found.collected();
        let Some(Ok(groups)) = inv.security_groups(region) else {
            continue;
        };
        for sg in &groups.security_groups {
            found.processed();
            f(region, sg, found);
        }
    }
}

/// `HCP4007jGY`: inbound rules open to every IPv4 address, by port.
pub(super) fn specific_ports_unrestricted(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    each_group(inv, &mut found, |region, sg, found| {
        let mut seen = BTreeSet::new();
        for p in &sg.ip_permissions {
            let Some(range) = ports(p) else { continue };
            if !p.ip_ranges.iter().any(|r| r.cidr_ip == EVERYONE_V4) {
                continue;
            }
            let proto = protocol_name(p);
            if !seen.insert((proto.clone(), range)) {
                continue;
            }
            let status = specific_status(range);
            found.row(
                status,
                Some(region),
                format!("{region}|{}|{proto}|{}", sg.group_id, port_text(range)),
                vec![
                    c(region),
                    c(&sg.group_name),
                    c(group_id(sg)),
                    c(&proto),
                    c(status.colour()),
                    c(port_text(range)),
                ],
            );
        }
    });
    found.done()
}

/// `1iG5NDGVre`: rules open to every address (IPv4 or IPv6) on ports other than 25, 80, 443.
pub(super) fn unrestricted_access(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    each_group(inv, &mut found, |region, sg, found| {
        for p in &sg.ip_permissions {
            let Some(range) = ports(p) else { continue };
            if (range.0..=range.1).all(|port| OPEN_OK.contains(&port)) {
                continue;
            }
            let sources = p
                .ip_ranges
                .iter()
                .map(|r| r.cidr_ip.as_str())
                .filter(|r| *r == EVERYONE_V4)
                .chain(
                    p.ipv6_ranges
                        .iter()
                        .map(|r| r.cidr_ipv6.as_str())
                        .filter(|r| *r == EVERYONE_V6),
                );
            for source in sources {
                let proto = protocol_name(p);
                found.row(
                    Status::Error,
                    Some(region),
                    format!(
                        "{region}|{}|{proto}|{}|{source}",
                        sg.group_id,
                        port_text(range)
                    ),
                    vec![
                        c(region),
                        c(&sg.group_name),
                        c(group_id(sg)),
                        c(&proto),
                        c(port_text(range)),
                        c("Red"),
                        c(source),
                    ],
                );
            }
        }
    });
    found.done()
}

fn rule_count(perms: &[Permission]) -> usize {
    perms.iter().map(Permission::rules).sum()
}

/// Rules above which a VPC security group (or an instance's groups together) is too many.
const MANY_RULES: usize = 50;

/// `tfg86AVHAZ`: security groups with more than 50 rules.
pub(super) fn many_group_rules(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    let mut users: BTreeMap<(String, String), usize> = BTreeMap::new();
    for region in inv.regions_with("ec2.describe-instances") {
        if let Some(Ok(instances)) = inv.instances(region) {
            for i in instances.all() {
                for g in &i.security_groups {
                    *users
                        .entry((region.to_string(), g.group_id.clone()))
                        .or_default() += 1;
                }
            }
        }
    }
    each_group(inv, &mut found, |region, sg, found| {
        let (inbound, outbound) = (
            rule_count(&sg.ip_permissions),
            rule_count(&sg.ip_permissions_egress),
        );
        if inbound + outbound <= MANY_RULES {
            return;
        }
        let count = users
            .get(&(region.to_string(), sg.group_id.clone()))
            .copied()
            .unwrap_or(0);
        found.row(
            Status::Warning,
            Some(region),
            format!("{region}|{}", sg.group_id),
            vec![
                c(region),
                c(&sg.group_name),
                c(&sg.group_id),
                c(&sg.description),
                c(count),
                sg.vpc_id.clone(),
                c(inbound),
                c(outbound),
            ],
        );
    });
    found.done()
}

/// `j3DFqYTe29`: instances whose security groups hold more than 50 rules together.
pub(super) fn many_instance_rules(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("ec2.describe-instances") {
        let (Some(Ok(instances)), Some(Ok(groups))) =
            (inv.instances(region), inv.security_groups(region))
        else {
            continue;
        };
        found.collected();
        let rules: BTreeMap<&str, (usize, usize)> = groups
            .security_groups
            .iter()
            .map(|g| {
                (
                    g.group_id.as_str(),
                    (
                        rule_count(&g.ip_permissions),
                        rule_count(&g.ip_permissions_egress),
                    ),
                )
            })
            .collect();
        for i in instances.all() {
            found.processed();
            let (inbound, outbound) = i
                .security_groups
                .iter()
                .filter_map(|g| rules.get(g.group_id.as_str()))
                .fold((0, 0), |(a, b), (x, y)| (a + x, b + y));
            if inbound + outbound > MANY_RULES {
                found.row(
                    Status::Warning,
                    Some(region),
                    format!("{region}|{}", i.instance_id),
                    vec![
                        c(region),
                        c(&i.instance_id),
                        name_tag(&i.tags).map(str::to_string),
                        i.vpc_id.clone(),
                        c(inbound),
                        c(outbound),
                    ],
                );
            }
        }
    }
    found.done()
}

/// `S45wrEXrLz`: VPN connections with fewer than two tunnels up.
pub(super) fn vpn_tunnels(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("ec2.describe-vpn-connections") {
        found.collected();
        let Some(Ok(vpns)) = inv.vpn_connections(region) else {
            continue;
        };
        for v in vpns
            .vpn_connections
            .iter()
            .filter(|v| v.state == "available")
        {
            found.processed();
            let up = v.vgw_telemetry.iter().filter(|t| t.status == "UP").count();
            let reason = match up {
                0 => "No tunnels active",
                1 => "One tunnel active",
                _ => continue,
            };
            found.row(
                Status::Warning,
                Some(region),
                format!("{region}|{}", v.vpn_connection_id),
                vec![
                    c(region),
                    c(&v.vpn_connection_id),
                    None,
                    v.vpn_gateway_id.clone(),
                    v.customer_gateway_id.clone(),
                    c(up),
                    c("Yellow"),
                    c(reason),
                ],
            );
        }
    }
    found.done()
}

/// Every region's Classic Load Balancers.
fn each_elb(
    inv: &Inventory,
    found: &mut Found,
    mut f: impl FnMut(&str, &super::super::inventory::elb::LoadBalancer, &mut Found),
) {
    for region in inv.regions_with("elb.describe-load-balancers") {
        found.collected();
        let Some(Ok(lbs)) = inv.load_balancers(region) else {
            continue;
        };
        for lb in &lbs.load_balancer_descriptions {
            found.processed();
            f(region, lb, found);
        }
    }
}

/// `a2sEc6ILx`: load balancers without a listener on HTTPS or SSL.
pub(super) fn elb_listener_security(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    each_elb(inv, &mut found, |region, lb, found| {
        let secure = lb.listener_descriptions.iter().any(|l| {
            matches!(
                l.listener.protocol.to_ascii_uppercase().as_str(),
                "HTTPS" | "SSL"
            )
        });
        if secure {
            return;
        }
        let ports: Vec<String> = lb
            .listener_descriptions
            .iter()
            .map(|l| l.listener.load_balancer_port.to_string())
            .collect();
        found.row(
            Status::Warning,
            Some(region),
            format!("{region}|{}", lb.load_balancer_name),
            vec![
                c(region),
                c(&lb.load_balancer_name),
                c(ports.join(", ")),
                c("Yellow"),
                c("No listener uses a secure protocol"),
            ],
        );
    });
    found.done()
}

/// `xSqX82fQu`: load balancers whose security groups are gone, or open ports they do not
/// listen on.
pub(super) fn elb_security_groups(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("elb.describe-load-balancers") {
        let (Some(Ok(lbs)), Some(Ok(groups))) =
            (inv.load_balancers(region), inv.security_groups(region))
        else {
            continue;
        };
        found.collected();
        for lb in lbs
            .load_balancer_descriptions
            .iter()
            .filter(|lb| !lb.security_groups.is_empty())
        {
            found.processed();
            let listening: BTreeSet<i64> = lb
                .listener_descriptions
                .iter()
                .map(|l| l.listener.load_balancer_port)
                .collect();
            let mut status = None;
            for id in &lb.security_groups {
                match groups.security_groups.iter().find(|g| &g.group_id == id) {
                    None => {
                        status =
                            Some((Status::Error, format!("Security group {id} does not exist")))
                    }
                    Some(g) => {
                        let extra =
                            g.ip_permissions.iter().filter_map(ports).any(|(a, b)| {
                                b - a > 1024 || (a..=b).any(|p| !listening.contains(&p))
                            });
                        if extra && status.is_none() {
                            status = Some((
                                Status::Warning,
                                format!(
                                    "Security group {id} allows ports the load balancer does not listen on"
                                ),
                            ));
                        }
                    }
                }
            }
            if let Some((s, reason)) = status {
                found.row(
                    s,
                    Some(region),
                    format!("{region}|{}", lb.load_balancer_name),
                    vec![
                        c(region),
                        c(&lb.load_balancer_name),
                        c(s.colour()),
                        c(lb.security_groups.join(", ")),
                        c(reason),
                    ],
                );
            }
        }
    }
    found.done()
}

/// `hjLMh88uM8`: load balancers with no back-end instance, or none healthy.
pub(super) fn idle_load_balancers(inv: &Inventory, cx: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    let saving = cx.prices.monthly(cx.prices.classic_load_balancer_hour);
    each_elb(inv, &mut found, |region, lb, found| {
        let reason = if lb.instances.is_empty() {
            "No active back-end instances"
        } else {
            match inv.instance_health(region, &lb.load_balancer_name) {
                Some(Ok(h)) if !h.instance_states.iter().any(|s| s.state == "InService") => {
                    "No healthy back-end instances"
                }
                _ => return,
            }
        };
        found.row_saving(
            Status::Warning,
            region,
            format!("{region}|{}", lb.load_balancer_name),
            vec![
                c(region),
                c(&lb.load_balancer_name),
                c(reason),
                dollars(saving),
            ],
            saving,
        );
    });
    found.done()
}

/// `iqdCTZKCUp`: load balancers in one zone, with an empty zone, or unevenly spread.
pub(super) fn load_balancer_optimization(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    let mut found = Found::default();
    for region in inv.regions_with("elb.describe-load-balancers") {
        let (Some(Ok(lbs)), Some(Ok(instances))) =
            (inv.load_balancers(region), inv.instances(region))
        else {
            continue;
        };
        found.collected();
        let zone_of: BTreeMap<&str, &str> = instances
            .all()
            .filter(|i| i.running())
            .map(|i| {
                (
                    i.instance_id.as_str(),
                    i.placement.availability_zone.as_str(),
                )
            })
            .collect();
        for lb in &lbs.load_balancer_descriptions {
            found.processed();
            let mut per_zone: BTreeMap<char, usize> = lb
                .availability_zones
                .iter()
                .filter_map(|z| zone_letter(z))
                .map(|z| (z, 0))
                .collect();
            for i in &lb.instances {
                if let Some(z) = zone_of
                    .get(i.instance_id.as_str())
                    .and_then(|z| zone_letter(z))
                {
                    *per_zone.entry(z).or_default() += 1;
                }
            }
            let counts: Vec<usize> = per_zone.values().copied().collect();
            let (hi, lo) = (
                counts.iter().max().copied().unwrap_or(0),
                counts.iter().min().copied().unwrap_or(0),
            );
            let reason = if lb.availability_zones.len() == 1 {
                "Single Availability Zone"
            } else if per_zone.values().any(|n| *n == 0) {
                "Availability Zone with no active instances"
            } else if hi - lo > 1 && (hi - lo) * 5 > hi {
                "Instances unevenly distributed across Availability Zones"
            } else {
                continue;
            };
            let mut cells = vec![
                c(region),
                c(&lb.load_balancer_name),
                c(lb.availability_zones.len()),
            ];
            for z in 'a'..='f' {
                cells.push(c(per_zone.get(&z).copied().unwrap_or(0)));
            }
            cells.push(c("Yellow"));
            cells.push(c(reason));
            found.row(
                Status::Warning,
                Some(region),
                format!("{region}|{}", lb.load_balancer_name),
                cells,
            );
        }
    }
    found.done()
}

/// A load balancer attribute left off, for the cross-zone and draining checks.
fn elb_attribute(
    inv: &Inventory,
    on: fn(&super::super::inventory::elb::Attributes) -> bool,
    reason: &str,
) -> Evaluation {
    let mut found = Found::default();
    each_elb(inv, &mut found, |region, lb, found| {
        match inv.load_balancer_attributes(region, &lb.load_balancer_name) {
            Some(Ok(a)) if !on(&a.load_balancer_attributes) => found.row(
                Status::Warning,
                Some(region),
                format!("{region}|{}", lb.load_balancer_name),
                vec![c(region), c(&lb.load_balancer_name), c("Yellow"), c(reason)],
            ),
            Some(Ok(_)) => {}
            _ => found.ignored(),
        }
    });
    found.done()
}

/// `xdeXZKIUy`.
pub(super) fn elb_cross_zone(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    elb_attribute(
        inv,
        |a| {
            a.cross_zone_load_balancing
                .as_ref()
                .is_some_and(|e| e.enabled)
        },
        "Cross-zone load balancing is not enabled",
    )
}

/// `7qGXsKIUw`.
pub(super) fn elb_connection_draining(inv: &Inventory, _: &Context<'_>) -> Evaluation {
    elb_attribute(
        inv,
        |a| a.connection_draining.as_ref().is_some_and(|e| e.enabled),
        "Connection draining is not enabled",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::test_support::{inventory, rows, run};
    use super::*;

    const GROUPS: &str = r#"{"SecurityGroups": [
      {"GroupId": "sg-db", "GroupName": "db", "VpcId": "vpc-1", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8090, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
      ]},
      {"GroupId": "sg-closed", "GroupName": "closed", "VpcId": "vpc-1", "IpPermissions": []}
    ]}"#;

    #[test]
    fn specific_ports_port_3306_is_red_port_80_green_others_yellow_ipv4_only() {
        let inv = inventory(&[("us-east-1/ec2.describe-security-groups.json", GROUPS)]);
        let e = run("HCP4007jGY", &inv);
        assert_eq!(e.processed, 2);
        let got = rows(&e);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            got[0],
            (
                Status::Error,
                ["us-east-1", "db", "sg-db (vpc-1)", "tcp", "Red", "3306"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert_eq!(got[1].0, Status::Ok);
        assert_eq!(got[1].1[5], "80");
        assert_eq!(got[2].0, Status::Warning);
        assert_eq!(got[2].1[5], "8080-8090");
        let result =
            super::super::super::CheckResult::of("HCP4007jGY", jiff::Timestamp::UNIX_EPOCH, e);
        assert_eq!(
            result.status(|_| false),
            super::super::super::CheckStatus::Error
        );
    }

    #[test]
    fn a_range_takes_its_worst_port_and_all_traffic_is_red() {
        assert_eq!(specific_status((3000, 4000)), Status::Error);
        assert_eq!(specific_status((25, 25)), Status::Ok);
        assert_eq!(
            specific_status((443, 465)),
            Status::Warning,
            "444..464 are other ports"
        );
        let all = Permission {
            ip_protocol: "-1".into(),
            ..Default::default()
        };
        assert_eq!(ports(&all).map(specific_status), Some(Status::Error));
    }

    #[test]
    fn unrestricted_access_flags_world_open_ports_but_web_and_mail() {
        let inv = inventory(&[("us-east-1/ec2.describe-security-groups.json", GROUPS)]);
        let got = rows(&run("1iG5NDGVre", &inv));
        let flagged: Vec<(&str, &str)> = got
            .iter()
            .map(|(_, m)| (m[4].as_str(), m[6].as_str()))
            .collect();
        assert_eq!(
            flagged,
            [
                ("3306", "0.0.0.0/0"),
                ("8080-8090", "0.0.0.0/0"),
                ("5432", "::/0")
            ]
        );
        assert!(
            got.iter()
                .all(|(s, m)| *s == Status::Error && m[5] == "Red")
        );
    }

    #[test]
    fn vpns_need_two_tunnels_up() {
        let inv = inventory(&[(
            "eu-west-1/ec2.describe-vpn-connections.json",
            r#"{"VpnConnections": [
              {"VpnConnectionId": "vpn-1", "State": "available", "VpnGatewayId": "vgw-1", "CustomerGatewayId": "cgw-1",
               "VgwTelemetry": [{"Status": "UP"}, {"Status": "DOWN"}]},
              {"VpnConnectionId": "vpn-2", "State": "available", "VgwTelemetry": [{"Status": "UP"}, {"Status": "UP"}]},
              {"VpnConnectionId": "vpn-3", "State": "deleted", "VgwTelemetry": []}
            ]}"#,
        )]);
        let got = rows(&run("S45wrEXrLz", &inv));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1[1], "vpn-1");
        assert_eq!(got[0].1[5], "1");
        assert_eq!(got[0].1[7], "One tunnel active");
    }

    #[test]
    fn load_balancers_idle_insecure_and_unbalanced() {
        let inv = inventory(&[
            (
                "us-east-1/elb.describe-load-balancers.json",
                r#"{"LoadBalancerDescriptions": [
                  {"LoadBalancerName": "idle", "Instances": [], "AvailabilityZones": ["us-east-1a"],
                   "ListenerDescriptions": [{"Listener": {"Protocol": "HTTP", "LoadBalancerPort": 80}}]},
                  {"LoadBalancerName": "web", "Instances": [{"InstanceId": "i-1"}, {"InstanceId": "i-2"}],
                   "AvailabilityZones": ["us-east-1a", "us-east-1b"], "SecurityGroups": ["sg-gone"],
                   "ListenerDescriptions": [{"Listener": {"Protocol": "HTTPS", "LoadBalancerPort": 443}}]}
                ]}"#,
            ),
            (
                "us-east-1/ec2.describe-instances.json",
                r#"{"Reservations": [{"Instances": [
                  {"InstanceId": "i-1", "State": {"Name": "running"}, "Placement": {"AvailabilityZone": "us-east-1a"}},
                  {"InstanceId": "i-2", "State": {"Name": "running"}, "Placement": {"AvailabilityZone": "us-east-1a"}}
                ]}]}"#,
            ),
            (
                "us-east-1/ec2.describe-security-groups.json",
                r#"{"SecurityGroups": []}"#,
            ),
            (
                "us-east-1/elb.describe-load-balancer-attributes/web.json",
                r#"{"LoadBalancerAttributes": {"CrossZoneLoadBalancing": {"Enabled": false}, "ConnectionDraining": {"Enabled": true}}}"#,
            ),
        ]);
        let idle = run("hjLMh88uM8", &inv);
        assert_eq!(
            rows(&idle)[0].1,
            [
                "us-east-1",
                "idle",
                "No active back-end instances",
                "$18.25"
            ]
        );
        assert_eq!(idle.rows[0].savings, rust_decimal::Decimal::new(1825, 2));
        let insecure = rows(&run("a2sEc6ILx", &inv));
        assert_eq!(insecure.len(), 1);
        assert_eq!(insecure[0].1[1], "idle");
        let sgs = rows(&run("xSqX82fQu", &inv));
        assert_eq!(sgs[0].0, Status::Error);
        let spread = rows(&run("iqdCTZKCUp", &inv));
        let reasons: Vec<&str> = spread.iter().map(|(_, m)| m[10].as_str()).collect();
        assert_eq!(
            reasons,
            [
                "Single Availability Zone",
                "Availability Zone with no active instances"
            ]
        );
        let cross = run("xdeXZKIUy", &inv);
        assert_eq!(rows(&cross).len(), 1);
        assert_eq!(
            cross.ignored, 1,
            "the idle one's attributes were not collected"
        );
        assert!(run("7qGXsKIUw", &inv).rows.is_empty());
    }
}
