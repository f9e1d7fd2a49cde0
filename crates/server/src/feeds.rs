//! The public status feeds: RSS 2.0 in the channel and item layout of AWS's status feeds
//! (so Grafana, Checkmk and Slack's RSS readers read them unchanged) and Atom (RFC 4287).
//! Only public events are given here; the caller decides which.

use tierdesk_app::health::EventDetails;
use tierdesk_core::health::{EventStatus, EventTypes, GLOBAL, feed_prefix};

/// The feed a public event appears in beside `all.rss`: `<service>-<region>` in lowercase
/// (`ec2-us-east-1`), or `<service>` for global events (`billing`), as AWS names its feeds.
pub fn feed_name(service: &str, region: &str) -> String {
    if region == GLOBAL {
        service.to_lowercase()
    } else {
        format!("{}-{region}", service.to_lowercase())
    }
}

/// Text inside CDATA: a `]]>` in it would end the section, so it is split across two.
fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

/// Text as XML character data.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn rfc822(t: jiff::Timestamp) -> String {
    t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn rfc3339(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// What a feed's channel is about.
pub struct Channel<'a> {
    /// The status page's address (`https://support.example.com/status`).
    pub page: &'a str,
    /// `None`: every service and region (`all.rss`).
    pub feed: Option<(&'a str, &'a str)>,
    pub built: jiff::Timestamp,
}

/// An RSS 2.0 feed: one item per revision of each event's description, newest first,
/// each titled with AWS's status prefix (`Service is operating normally: [RESOLVED] ...`).
pub fn rss(types: &EventTypes, channel: &Channel<'_>, events: &[EventDetails]) -> String {
    let title = match channel.feed {
        None => "All services Service Status".to_string(),
        Some((service, region)) => format!(
            "{} ({}) Service Status",
            types.service_name(service),
            types.region_name(region)
        ),
    };
    let mut items: Vec<(jiff::Timestamp, String)> = Vec::new();
    for d in events {
        let e = &d.event;
        let n = d.revisions.len();
        for (i, r) in d.revisions.iter().enumerate() {
            let newest = i + 1 == n;
            let title = match (newest, e.status) {
                (true, EventStatus::Closed) => {
                    format!("{}: [RESOLVED] {}", feed_prefix(e), e.title)
                }
                (true, _) => format!("{}: {}", feed_prefix(e), e.title),
                (false, _) => format!("Informational message: {}", e.title),
            };
            let anchor = format!("{}_{}", feed_name(&e.service, &e.region), r.at.as_second());
            items.push((
                r.at,
                format!(
                    "    <item>\n      <title>{}</title>\n      <link>{}</link>\n      <pubDate>{}</pubDate>\n      <guid isPermaLink=\"false\">{}#{}</guid>\n      <description>{}</description>\n    </item>\n",
                    cdata(&title),
                    esc(channel.page),
                    rfc822(r.at),
                    esc(channel.page),
                    esc(&anchor),
                    cdata(&r.text),
                ),
            ));
        }
    }
    items.sort_by_key(|item| std::cmp::Reverse(item.0));
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n  <channel>\n    <title>{}</title>\n    <link>{}</link>\n    <language>en-us</language>\n    <lastBuildDate>{}</lastBuildDate>\n    <generator>Tierdesk Service Health Dashboard RSS Generator</generator>\n    <description>{}</description>\n    <ttl>5</ttl>\n",
        cdata(&title),
        esc(channel.page),
        rfc822(channel.built),
        cdata(&title),
    );
    for (_, item) in items {
        out.push_str(&item);
    }
    out.push_str("  </channel>\n</rss>\n");
    out
}

/// An Atom feed (RFC 4287): one entry per event, updated when it was last updated, with
/// its latest description as text and its service, region, category and status as
/// categories.
pub fn atom(channel: &Channel<'_>, self_link: &str, events: &[EventDetails]) -> String {
    let updated = events
        .iter()
        .map(|d| d.event.last_updated)
        .max()
        .unwrap_or(channel.built);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>Service health</title>\n  <id>urn:uuid:{}</id>\n  <updated>{}</updated>\n  <link rel=\"self\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n  <author><name>Service health</name></author>\n  <generator>Tierdesk</generator>\n",
        tierdesk_aws::derived_uuid(&["status-feed", channel.page]),
        rfc3339(updated),
        esc(self_link),
        esc(channel.page),
    );
    for d in events {
        let e = &d.event;
        let title = match e.status {
            EventStatus::Closed => format!("{}: [RESOLVED] {}", feed_prefix(e), e.title),
            _ => format!("{}: {}", feed_prefix(e), e.title),
        };
        let anchor = format!(
            "{}_{}",
            feed_name(&e.service, &e.region),
            e.start.as_second()
        );
        out.push_str(&format!(
            "  <entry>\n    <id>urn:uuid:{}</id>\n    <title>{}</title>\n    <updated>{}</updated>\n    <published>{}</published>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{}#{}\"/>\n",
            tierdesk_aws::derived_uuid(&[&e.arn]),
            esc(&title),
            rfc3339(e.last_updated),
            rfc3339(e.start),
            esc(channel.page),
            esc(&anchor),
        ));
        for term in [
            e.service.as_str(),
            e.region.as_str(),
            e.category.as_str(),
            e.status.as_str(),
        ] {
            out.push_str(&format!("    <category term=\"{}\"/>\n", esc(term)));
        }
        out.push_str(&format!(
            "    <content type=\"text\">{}</content>\n  </entry>\n",
            esc(d.latest())
        ));
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use tierdesk_core::health::{Actionability, Category, Event, Revision, Scope};

    use super::*;

    fn details(status: EventStatus) -> EventDetails {
        let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        EventDetails {
            event: Event {
                arn: "arn:aws:health:us-east-1::event/SNS/X/X_1".into(),
                service: "SNS".into(),
                type_code: "X".into(),
                category: Category::Issue,
                region: "us-east-1".into(),
                availability_zone: None,
                start: t("2022-01-14T20:00:00Z"),
                end: None,
                last_updated: t("2022-01-14T22:44:00Z"),
                status,
                scope: Scope::Public,
                actionability: Actionability::Informational,
                personas: vec![],
                title: "SMS Delivery Delays".into(),
                metadata: BTreeMap::new(),
            },
            revisions: vec![
                Revision {
                    at: t("2022-01-14T20:00:00Z"),
                    text: "We are investigating <delays> & ]]> errors".into(),
                },
                Revision {
                    at: t("2022-01-14T22:44:00Z"),
                    text: "Resolved.".into(),
                },
            ],
        }
    }

    #[test]
    fn rss_follows_awss_layout() {
        let types = EventTypes::shipped();
        let x = rss(
            &types,
            &Channel {
                page: "https://s.example/status",
                feed: Some(("SNS", "us-east-1")),
                built: "2022-01-15T00:00:00Z".parse().unwrap(),
            },
            &[details(EventStatus::Closed)],
        );
        assert!(
            x.contains("<title><![CDATA[SNS (N. Virginia) Service Status]]></title>"),
            "{x}"
        );
        assert!(x.contains("<ttl>5</ttl>") && x.contains("<language>en-us</language>"));
        // Newest first, with AWS's prefixes and guid fragments.
        let resolved = x
            .find("Service is operating normally: [RESOLVED] SMS Delivery Delays")
            .unwrap();
        let earlier = x
            .find("Informational message: SMS Delivery Delays")
            .unwrap();
        assert!(resolved < earlier);
        assert!(x.contains("<pubDate>Fri, 14 Jan 2022 22:44:00 GMT</pubDate>"));
        assert!(x.contains(
            "<guid isPermaLink=\"false\">https://s.example/status#sns-us-east-1_1642200240</guid>"
        ));
        // A CDATA end inside a description does not end the section.
        assert!(x.contains("<delays> & ]]]]><![CDATA[> errors"));
    }

    #[test]
    fn atom_entries_carry_ids_times_and_categories() {
        let x = atom(
            &Channel {
                page: "https://s.example/status",
                feed: None,
                built: "2022-01-15T00:00:00Z".parse().unwrap(),
            },
            "https://s.example/status/feed.atom",
            &[details(EventStatus::Open)],
        );
        assert!(
            x.contains("<title>Service impact: SMS Delivery Delays</title>"),
            "{x}"
        );
        assert!(x.contains("<updated>2022-01-14T22:44:00Z</updated>"));
        assert!(x.contains("<published>2022-01-14T20:00:00Z</published>"));
        assert!(x.contains("<category term=\"SNS\"/>") && x.contains("<category term=\"open\"/>"));
        assert!(x.contains("<content type=\"text\">Resolved.</content>"));
        assert_eq!(feed_name("EC2", "global"), "ec2");
    }
}
