//! AWS Health: the operator's events (outages, scheduled changes, account notices), the
//! resources each affects, and the types events come in. Pure: the words AWS's API uses
//! (`as_str`), the ARNs it names things by, and what a publisher may write; no clock, no
//! storage.

mod types;

use std::collections::BTreeMap;

use jiff::Timestamp;
use sha2::Digest;

pub use types::{EventType, EventTypes, SHIPPED_TYPES};

macro_rules! words {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $word:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The word AWS's API uses.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),* }
            }

            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|x| x.as_str() == s)
            }

            /// Every word, for error messages.
            pub fn words() -> Vec<&'static str> {
                Self::ALL.iter().map(|x| x.as_str()).collect()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "'{s}' is not one of {}",
                        $name::words().join(", ")
                    ))
                })
            }
        }
    };
}

words!(
    /// What kind of event: `eventTypeCategory`.
    Category {
        Issue = "issue",
        AccountNotification = "accountNotification",
        ScheduledChange = "scheduledChange",
        Investigation = "investigation",
    }
);

words!(
    /// `eventStatusCode`.
    EventStatus {
        Open = "open",
        Upcoming = "upcoming",
        Closed = "closed",
    }
);

words!(
    /// `eventScopeCode`: everyone in the event's region and service, or named accounts.
    Scope {
        Public = "PUBLIC",
        AccountSpecific = "ACCOUNT_SPECIFIC",
    }
);

words!(
    /// `entityStatusCode`.
    EntityStatus {
        Impaired = "IMPAIRED",
        Unimpaired = "UNIMPAIRED",
        Unknown = "UNKNOWN",
        Pending = "PENDING",
        Resolved = "RESOLVED",
    }
);

words!(
    /// Whether the reader must act.
    Actionability {
        ActionRequired = "ACTION_REQUIRED",
        ActionMayBeRequired = "ACTION_MAY_BE_REQUIRED",
        Informational = "INFORMATIONAL",
    }
);

words!(
    /// Who in the customer's team an event concerns.
    Persona {
        Operations = "OPERATIONS",
        Security = "SECURITY",
        Billing = "BILLING",
    }
);

/// The region of events that concern no region.
pub const GLOBAL: &str = "global";

/// An event as kept and served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub arn: String,
    pub service: String,
    pub type_code: String,
    pub category: Category,
    /// A region, or [`GLOBAL`].
    pub region: String,
    pub availability_zone: Option<String>,
    pub start: Timestamp,
    pub end: Option<Timestamp>,
    pub last_updated: Timestamp,
    pub status: EventStatus,
    pub scope: Scope,
    pub actionability: Actionability,
    pub personas: Vec<Persona>,
    /// What heads the event on the dashboard and in the feeds.
    pub title: String,
    pub metadata: BTreeMap<String, String>,
}

/// One text of an event's description; every revision is kept, the newest is AWS's
/// `latestDescription`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub at: Timestamp,
    pub text: String,
}

/// A resource (or the whole account, [`ACCOUNT_ENTITY`]) an event affects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub event_arn: String,
    pub account_id: String,
    pub value: String,
    pub arn: String,
    pub url: Option<String>,
    pub status: EntityStatus,
    pub last_updated: Timestamp,
    pub tags: BTreeMap<String, String>,
}

/// The entity value that stands for the account itself.
pub const ACCOUNT_ENTITY: &str = "AWS_ACCOUNT";

/// `arn:aws:health:<region>::event/<SERVICE>/<CODE>/<CODE>_<id>`, as AWS names events.
pub fn event_arn(region: &str, service: &str, code: &str, id: &str) -> String {
    format!("arn:aws:health:{region}::event/{service}/{code}/{code}_{id}")
}

/// An affected entity's ARN: `arn:aws:health:<region>:<account>:entity/<id>`, the id
/// derived from the event, the account and the value (the same entity, the same ARN).
pub fn entity_arn(event: &Event, account_id: &str, value: &str) -> String {
    let mut h = sha2::Sha256::new();
    for p in [event.arn.as_str(), account_id, value] {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    let id: String = h.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let region = if event.region == GLOBAL {
        "us-east-1"
    } else {
        &event.region
    };
    format!("arn:aws:health:{region}:{account_id}:entity/{id}")
}

/// Whether `s` matches AWS's event ARN pattern
/// (`arn:aws(-[a-z]+(-[a-z]+)?)?:health:[^:]*:[^:]*:event(?:/[\w-]+){3}`, at most 1600).
pub fn is_event_arn(s: &str) -> bool {
    if s.len() > 1600 {
        return false;
    }
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let [arn, partition, health, _region, _account, rest] = parts.as_slice() else {
        return false;
    };
    let partition_ok = partition
        .strip_prefix("aws")
        .is_some_and(|p| p.is_empty() || p.starts_with('-'));
    let Some(path) = rest.strip_prefix("event/") else {
        return false;
    };
    let segments: Vec<&str> = path.split('/').collect();
    *arn == "arn"
        && partition_ok
        && *health == "health"
        && segments.len() == 3
        && segments.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        })
}

/// What a publisher may not write, in AWS's patterns: `None` when `value` is acceptable
/// for `what`, else the rule it breaks.
pub fn refuse(what: Piece, value: &str) -> Option<&'static str> {
    let n = value.chars().count();
    let ok = match what {
        Piece::Service => (2..=30).contains(&n) && !value.contains([':', '/']),
        Piece::TypeCode => {
            (3..=100).contains(&n)
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        }
        Piece::Region => {
            (2..=25).contains(&n)
                && value
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        }
        Piece::AvailabilityZone => availability_zone_ok(value),
        Piece::EntityValue => {
            (1..=1224).contains(&n) && !value.chars().any(crate::text::is_unprintable)
        }
        Piece::Title => (1..=200).contains(&n) && !value.chars().any(crate::text::is_unprintable),
        Piece::Description => {
            (1..=MAX_DESCRIPTION).contains(&n)
                && !value
                    .chars()
                    .any(|c| c != '\n' && c != '\t' && crate::text::is_unprintable(c))
        }
    };
    (!ok).then(|| what.rule())
}

/// The longest description (AWS's eventMetadata value bound).
pub const MAX_DESCRIPTION: usize = 32_766;

/// The parts of an event a publisher writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    Service,
    TypeCode,
    Region,
    AvailabilityZone,
    EntityValue,
    Title,
    Description,
}

impl Piece {
    fn rule(self) -> &'static str {
        match self {
            Piece::Service => "2 to 30 characters without ':' or '/'",
            Piece::TypeCode => "3 to 100 letters, digits, '_' or '-'",
            Piece::Region => "2 to 25 lowercase letters, digits or '-' (or 'global')",
            Piece::AvailabilityZone => "a zone such as us-east-1a",
            Piece::EntityValue => "1 to 1224 printable characters",
            Piece::Title => "1 to 200 printable characters",
            Piece::Description => "1 to 32766 characters, without control characters",
        }
    }
}

/// `[a-z]{2,4}-[0-9a-z-]{4,16}`.
fn availability_zone_ok(s: &str) -> bool {
    let Some((head, tail)) = s.split_once('-') else {
        return false;
    };
    (2..=4).contains(&head.len())
        && head.chars().all(|c| c.is_ascii_lowercase())
        && (4..=16).contains(&tail.len())
        && tail
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// An inclusive range of instants; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRange {
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

impl TimeRange {
    pub fn holds(&self, t: Timestamp) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|to| t <= to)
    }
}

/// What a notice of an event's change is about: the event and the change's time, so a
/// retried write tells once and each revision tells anew. The time is zero-padded, so
/// one event's references sort by time as text (the store finds later ones that way).
pub fn notice_ref(arn: &str, at: Timestamp) -> String {
    format!("{arn} {:019}", crate::time::to_micros(at))
}

/// The event and change time a notice names (`notice_ref`'s inverse).
pub fn parse_notice_ref(text: &str) -> Option<(&str, Timestamp)> {
    let (arn, us) = text.rsplit_once(' ')?;
    let at = Timestamp::from_microsecond(us.parse().ok()?).ok()?;
    Some((arn, at))
}

/// The status prefix AWS's status feeds put before an item's title.
pub fn feed_prefix(event: &Event) -> &'static str {
    match (event.status, event.category) {
        (EventStatus::Closed, _) => "Service is operating normally",
        (_, Category::Issue) => "Service impact",
        _ => "Informational message",
    }
}

/// The most tags an entity carries.
pub const MAX_TAGS: usize = 50;

/// What is wrong with an entity's tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagProblem {
    /// More than `MAX_TAGS`.
    TooMany(usize),
    /// This `key=value` breaks the rule of `TAG_RULE`.
    Bad(String),
}

/// What keys and values may be: AWS's resource tags', without the '=' and ';' that
/// separate them in a CSV.
pub const TAG_RULE: &str = "key=value with a key of 1 to 127 and a value of at most 255 printable characters, without '=' or ';'";

impl std::fmt::Display for TagProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TagProblem::TooMany(n) => write!(f, "at most {MAX_TAGS} tags, not {n}"),
            TagProblem::Bad(pair) => write!(f, "tag '{pair}' is not {TAG_RULE}"),
        }
    }
}

/// What is wrong with an entity's tags, if anything.
pub fn tags_problem(tags: &BTreeMap<String, String>) -> Option<TagProblem> {
    if tags.len() > MAX_TAGS {
        return Some(TagProblem::TooMany(tags.len()));
    }
    let bad = |s: &str| s.chars().any(|c| c.is_control() || c == '=' || c == ';');
    tags.iter()
        .find(|(k, v)| {
            k.is_empty() || k.chars().count() > 127 || bad(k) || v.chars().count() > 255 || bad(v)
        })
        .map(|(k, v)| TagProblem::Bad(format!("{k}={v}")))
}

/// Reads tags written `key=value;key=value` (empty: none).
pub fn parse_tags(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut tags = BTreeMap::new();
    for pair in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| format!("tag '{pair}' is not key=value"))?;
        if tags
            .insert(k.trim().to_string(), v.trim().to_string())
            .is_some()
        {
            return Err(format!("tag '{}' is given twice", k.trim()));
        }
    }
    match tags_problem(&tags) {
        Some(p) => Err(p.to_string()),
        None => Ok(tags),
    }
}

/// A row of an affected-resources CSV: account, entity value, status (IMPAIRED when
/// the column is absent or empty), tags (none when absent: an entity keeps those it has).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedRow {
    pub account_id: String,
    pub value: String,
    pub status: EntityStatus,
    pub tags: BTreeMap<String, String>,
}

/// Reads `account_id,entity_value[,status[,tags]]` lines, tags as `key=value;key=value`
/// (a header line naming `account_id` is skipped); an error names the line and what is
/// wrong with it.
pub fn affected_csv(text: &str) -> Result<Vec<AffectedRow>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(i as u64 + 1, |p| p.line());
            format!("line {line}: {e}")
        })?;
        let line = record.position().map_or(i as u64 + 1, |p| p.line());
        if i == 0 && record.get(0) == Some("account_id") {
            continue;
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        if !(2..=4).contains(&record.len()) {
            return Err(format!(
                "line {line}: expected account_id,entity_value[,status[,tags]], got {} fields",
                record.len()
            ));
        }
        let account_id = record.get(0).unwrap_or_default().to_string();
        if account_id.is_empty() || !account_id.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!("line {line}: '{account_id}' is not an account id"));
        }
        let value = record.get(1).unwrap_or_default().to_string();
        if let Some(rule) = refuse(Piece::EntityValue, &value) {
            return Err(format!("line {line}: the entity value must be {rule}"));
        }
        let status = match record.get(2).filter(|s| !s.is_empty()) {
            None => EntityStatus::Impaired,
            Some(s) => EntityStatus::parse(s).ok_or_else(|| {
                format!(
                    "line {line}: '{s}' is not one of {}",
                    EntityStatus::words().join(", ")
                )
            })?,
        };
        let tags = parse_tags(record.get(3).unwrap_or_default())
            .map_err(|e| format!("line {line}: {e}"))?;
        rows.push(AffectedRow {
            account_id,
            value,
            status,
            tags,
        });
    }
    Ok(rows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn arns_are_awss() {
        let arn = event_arn("us-east-1", "EC2", "AWS_EC2_OPERATIONAL_ISSUE", "7f3a");
        assert_eq!(
            arn,
            "arn:aws:health:us-east-1::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/AWS_EC2_OPERATIONAL_ISSUE_7f3a"
        );
        assert!(is_event_arn(&arn));
        assert!(is_event_arn(
            "arn:aws:health:global::event/BILLING/AWS_BILLING_NOTIFICATION/AWS_BILLING_NOTIFICATION_6ce1d874-1"
        ));
        for bad in [
            "arn:aws:health:us-east-1::event/EC2/X",
            "arn:aws:s3:::bucket",
            "arn:aws:health:us-east-1::event/EC2/A B/C",
            "",
        ] {
            assert!(!is_event_arn(bad), "{bad}");
        }
    }

    #[test]
    fn words_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(*c));
        }
        assert_eq!(
            EntityStatus::parse("IMPAIRED"),
            Some(EntityStatus::Impaired)
        );
        assert_eq!(EventStatus::parse("OPEN"), None);
    }

    #[test]
    fn publishers_write_within_awss_patterns() {
        assert_eq!(refuse(Piece::Service, "EC2"), None);
        assert!(refuse(Piece::Service, "E").is_some());
        assert!(refuse(Piece::Service, "EC2/x").is_some());
        assert_eq!(refuse(Piece::TypeCode, "AWS_EC2_OPERATIONAL_ISSUE"), None);
        assert!(refuse(Piece::TypeCode, "AWS EC2").is_some());
        assert_eq!(refuse(Piece::AvailabilityZone, "us-east-1a"), None);
        assert!(refuse(Piece::AvailabilityZone, "US-EAST-1A").is_some());
        assert!(refuse(Piece::Description, "").is_some());
        assert_eq!(refuse(Piece::Description, "line one\nline two"), None);
        assert!(refuse(Piece::Title, "bell\u{7}").is_some());
    }

    #[test]
    fn ranges_are_inclusive_and_open_ended() {
        let t = |s: i64| Timestamp::from_second(s).unwrap();
        let r = TimeRange {
            from: Some(t(10)),
            to: Some(t(20)),
        };
        assert!(r.holds(t(10)) && r.holds(t(20)) && !r.holds(t(21)) && !r.holds(t(9)));
        assert!(TimeRange::default().holds(t(0)));
    }

    #[test]
    fn affected_resources_come_from_csv_with_lines_named() {
        let rows = affected_csv(
            "account_id,entity_value,status\n111122223333,i-1\n111122223333, i-2 ,PENDING\n\n444455556666,\"vol,1\",RESOLVED\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].status, EntityStatus::Impaired);
        assert_eq!(rows[1].value, "i-2");
        assert_eq!(rows[1].status, EntityStatus::Pending);
        assert_eq!(rows[2].value, "vol,1");
        let e = affected_csv("111122223333,i-1\n111122223333,i-2,BROKEN\n").unwrap_err();
        assert!(e.starts_with("line 2:") && e.contains("BROKEN"), "{e}");
        let e = affected_csv("abc,i-1\n").unwrap_err();
        assert!(e.starts_with("line 1:"), "{e}");
        let e = affected_csv("1,2,3,4,5\n").unwrap_err();
        assert!(e.contains("5 fields"), "{e}");
        let rows = affected_csv("111122223333,i-1,,team=web; env = prod\n").unwrap();
        assert_eq!(rows[0].status, EntityStatus::Impaired);
        assert_eq!(
            rows[0].tags,
            BTreeMap::from([
                ("env".to_string(), "prod".to_string()),
                ("team".to_string(), "web".to_string())
            ])
        );
        let e = affected_csv("111122223333,i-1\n111122223333,i-2,PENDING,team\n").unwrap_err();
        assert!(e.starts_with("line 2:") && e.contains("key=value"), "{e}");
        let e = affected_csv("111122223333,i-1,,a=1;a=2\n").unwrap_err();
        assert!(e.contains("twice"), "{e}");
    }
}
