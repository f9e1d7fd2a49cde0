//! Event types: the shipped list (`data/health-event-types.toml`, AWS's real codes) and
//! an operator's additions, with the services' and regions' long names the status page
//! and its feeds title things by.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Actionability, Category, Persona, Piece, refuse};

/// The shipped list.
pub const SHIPPED_TYPES: &str = include_str!("../../../../data/health-event-types.toml");

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventType {
    pub code: String,
    pub service: String,
    pub category: Category,
    pub actionability: Actionability,
    #[serde(default)]
    pub personas: Vec<Persona>,
    /// The title of an event whose publisher gives none.
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    services: BTreeMap<String, String>,
    #[serde(default)]
    regions: BTreeMap<String, String>,
    #[serde(default, rename = "type")]
    types: Vec<EventType>,
}

/// Every known event type, by code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventTypes {
    types: BTreeMap<String, EventType>,
    services: BTreeMap<String, String>,
    regions: BTreeMap<String, String>,
}

impl EventTypes {
    /// The shipped list (checked by a test to parse).
    pub fn shipped() -> EventTypes {
        let mut t = EventTypes::default();
        let _ = t.add(SHIPPED_TYPES, "data/health-event-types.toml");
        t
    }

    /// Adds a file's types and names (a code already known is replaced); errors name the
    /// file and the line.
    pub fn add(&mut self, text: &str, file: &str) -> Result<(), String> {
        let parsed: File = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
                .unwrap_or(1);
            format!("{file}:{line}: {}", e.message())
        })?;
        for t in &parsed.types {
            for (piece, value) in [(Piece::TypeCode, &t.code), (Piece::Service, &t.service)] {
                if let Some(rule) = refuse(piece, value) {
                    return Err(format!(
                        "{file}: type '{}': '{value}' is not {rule}",
                        t.code
                    ));
                }
            }
            if let Some(rule) = refuse(Piece::Title, &t.name) {
                return Err(format!("{file}: type '{}': its name is not {rule}", t.code));
            }
        }
        self.services.extend(parsed.services);
        self.regions.extend(parsed.regions);
        for t in parsed.types {
            self.types.insert(t.code.clone(), t);
        }
        Ok(())
    }

    pub fn get(&self, code: &str) -> Option<&EventType> {
        self.types.get(code)
    }

    /// Every type, by code.
    pub fn all(&self) -> impl Iterator<Item = &EventType> {
        self.types.values()
    }

    /// A service's long name ("Amazon Elastic Compute Cloud"), or its code.
    pub fn service_name<'a>(&'a self, service: &'a str) -> &'a str {
        self.services.get(service).map_or(service, String::as_str)
    }

    /// A region's short name ("N. Virginia"), or its code.
    pub fn region_name<'a>(&'a self, region: &'a str) -> &'a str {
        self.regions.get(region).map_or(region, String::as_str)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_parses_with_awss_codes() {
        let mut t = EventTypes::default();
        t.add(SHIPPED_TYPES, "shipped").unwrap();
        let ec2 = t.get("AWS_EC2_OPERATIONAL_ISSUE").unwrap();
        assert_eq!(
            (ec2.service.as_str(), ec2.category),
            ("EC2", Category::Issue)
        );
        assert_eq!(
            t.get("AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED")
                .map(|t| t.category),
            Some(Category::ScheduledChange)
        );
        assert!(t.all().count() >= 20);
        assert_eq!(t.service_name("EC2"), "Amazon Elastic Compute Cloud");
        assert_eq!(t.region_name("ap-northeast-1"), "Tokyo");
        assert_eq!(t.region_name("xx-west-9"), "xx-west-9");
        assert_eq!(EventTypes::shipped(), t);
    }

    #[test]
    fn a_bad_file_is_named_with_its_line() {
        let mut t = EventTypes::shipped();
        let e = t
            .add(
                "[[type]]\ncode = \"X_Y_Z\"\nservice = \"EC2\"\ncategory = \"outage\"\nactionability = \"INFORMATIONAL\"\nname = \"x\"\n",
                "mine.toml",
            )
            .unwrap_err();
        assert!(e.starts_with("mine.toml:4:"), "{e}");
        assert!(e.contains("outage"), "{e}");
        let e = t
            .add(
                "[[type]]\ncode = \"bad code\"\nservice = \"EC2\"\ncategory = \"issue\"\nactionability = \"INFORMATIONAL\"\nname = \"x\"\n",
                "mine.toml",
            )
            .unwrap_err();
        assert!(e.contains("bad code"), "{e}");
        t.add(
            "[[type]]\ncode = \"ACME_DB_FAILOVER\"\nservice = \"ACMEDB\"\ncategory = \"issue\"\nactionability = \"INFORMATIONAL\"\nname = \"Failover\"\n",
            "mine.toml",
        )
        .unwrap();
        assert!(t.get("ACME_DB_FAILOVER").is_some());
    }
}
