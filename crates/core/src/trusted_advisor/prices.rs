//! The prices cost checks estimate savings with: a shipped table
//! (`data/advisor-prices.toml`, AWS's us-east-1 list prices) that an operator may replace
//! with their own rates.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;

/// The shipped table.
pub const SHIPPED: &str = include_str!("../../../../data/advisor-prices.toml");

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    pub currency: String,
    pub hours_per_month: u32,
    pub elastic_ip_hour: Decimal,
    pub classic_load_balancer_hour: Decimal,
    /// Per GB-month by volume type (`gp3`).
    pub ebs_gb_month: BTreeMap<String, Decimal>,
}

impl Prices {
    /// Reads a price table; errors name the line.
    pub fn parse(text: &str) -> Result<Prices, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The shipped table.
    pub fn shipped() -> Prices {
        // Checked by a test: the shipped file parses.
        Prices::parse(SHIPPED).unwrap_or_else(|_| Prices {
            currency: "USD".into(),
            hours_per_month: 730,
            elastic_ip_hour: Decimal::ZERO,
            classic_load_balancer_hour: Decimal::ZERO,
            ebs_gb_month: BTreeMap::new(),
        })
    }

    /// A month of something billed by the hour.
    pub fn monthly(&self, hourly: Decimal) -> Decimal {
        (hourly * Decimal::from(self.hours_per_month)).round_dp(2)
    }

    /// A month of `gb` of EBS storage of `kind` (zero for a type the table lacks).
    pub fn ebs_month(&self, kind: &str, gb: i64) -> Decimal {
        (self.ebs_gb_month.get(kind).copied().unwrap_or_default() * Decimal::from(gb)).round_dp(2)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_parses_and_prices_a_month() {
        let p = Prices::parse(SHIPPED).expect("shipped prices");
        assert_eq!(
            p.monthly(p.elastic_ip_hour),
            "3.65".parse::<Decimal>().unwrap_or_default()
        );
        assert_eq!(p.ebs_month("gp2", 100), Decimal::from(10));
        assert_eq!(p.ebs_month("unknown", 100), Decimal::ZERO);
        let e = Prices::parse("currency = \"USD\"\nhours = 3\n").unwrap_err();
        assert!(e.contains("line"), "{e}");
    }
}
