//! The services and categories a case is filed under (DescribeServices), as data.

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub code: String,
    pub name: String,
    pub categories: Vec<Category>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Default)]
pub struct Services {
    pub services: Vec<Service>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    services: Vec<Service>,
}

impl Services {
    pub fn parse(name: &str, text: &str) -> Result<Self, String> {
        let f: File = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        Ok(Self {
            services: f.services,
        })
    }

    /// The list shipped in the binary.
    pub fn builtin() -> Self {
        // The shipped file is checked by a test; an empty list would only hide that failure.
        Self::parse(
            "data/aws-services.toml",
            include_str!("../../../data/aws-services.toml"),
        )
        .unwrap_or_default()
    }

    pub fn get(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_list_parses_and_has_general_info() {
        let s = Services::parse(
            "data/aws-services.toml",
            include_str!("../../../data/aws-services.toml"),
        );
        let s = match s {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        assert!(s.services.len() > 25);
        let gi = s
            .get("general-info")
            .map(|g| g.categories.iter().any(|c| c.code == "using-aws"));
        assert_eq!(gi, Some(true));
    }
}
