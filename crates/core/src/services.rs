//! The services and categories a case is filed under (DescribeServices), as data.

use std::collections::BTreeMap;

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
    /// By language, then the English name: the name in that language.
    translations: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    services: Vec<Service>,
    #[serde(default)]
    translations: BTreeMap<String, BTreeMap<String, String>>,
}

impl Services {
    pub fn parse(name: &str, text: &str) -> Result<Self, String> {
        let f: File = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        for (language, names) in &f.translations {
            crate::account::check_language(language).map_err(|e| format!("{name}: {e}"))?;
            for english in names.keys() {
                let used = f
                    .services
                    .iter()
                    .any(|s| s.name == *english || s.categories.iter().any(|c| c.name == *english));
                if !used {
                    return Err(format!(
                        "{name}: translations.{language} names '{english}', which no service or category is called"
                    ));
                }
            }
        }
        Ok(Self {
            services: f.services,
            translations: f.translations,
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

    /// A service's or category's name in `language` (its English name when the file has
    /// none: product names read the same in every language).
    pub fn name_in<'a>(&'a self, english: &'a str, language: &str) -> &'a str {
        self.translations
            .get(language)
            .and_then(|names| names.get(english))
            .map_or(english, String::as_str)
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

    #[test]
    fn every_category_and_every_non_product_service_reads_in_japanese() {
        let s = Services::builtin();
        for service in &s.services {
            for c in &service.categories {
                assert_ne!(
                    s.name_in(&c.name, "ja"),
                    c.name,
                    "{}/{}",
                    service.code,
                    c.code
                );
            }
        }
        for code in ["general-info", "billing", "customer-account"] {
            let name = s.get(code).map(|x| x.name.as_str()).unwrap_or_default();
            assert_ne!(s.name_in(name, "ja"), name, "{code}");
        }
        assert_eq!(s.name_in("DynamoDB", "ja"), "DynamoDB");
        let stray = "[[services]]\ncode = \"x\"\nname = \"X\"\ncategories = []\n[translations.ja]\n\"Y\" = \"y\"\n";
        let refused = Services::parse("ops.toml", stray).err().unwrap_or_default();
        assert!(refused.contains("'Y', which no service"), "{refused}");
    }
}
