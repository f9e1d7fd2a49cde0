//! Support fees: a plan's fee formula applied to a month's usage, with the arithmetic kept
//! line by line for invoices, and proration by days. Money is `Decimal` throughout.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::catalog::{FeeModel, FixedIs, Plan};
use crate::invoice_words::LineWords;

/// One step of a fee's arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeLine {
    /// What was computed, e.g. "7% of usage from 10,000.00 to 80,000.00 (70,000.00)".
    pub words: LineWords,
    pub amount: Decimal,
}

/// A month's fee for a given usage, before proration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyFee {
    pub usage: Decimal,
    /// The usage-based part, band by band (or the fixed fee and the share of usage).
    pub lines: Vec<FeeLine>,
    /// The sum of `lines`.
    pub from_usage: Decimal,
    /// The plan's minimum monthly fee (zero when it has none).
    pub minimum: Decimal,
    /// Whether the minimum, not the usage-based amount, is the fee.
    pub minimum_applies: bool,
    /// The month's fee: the greater of `from_usage` and `minimum`.
    pub fee: Decimal,
}

/// Amounts in invoices and lines: two decimals, half away from zero.
pub fn cents(d: Decimal) -> Decimal {
    let mut c = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    // Always two decimals when printed: 5000 shows as 5000.00.
    c.rescale(2);
    c
}

/// `1234567.5` as `1,234,567.50`.
pub fn money(d: Decimal) -> String {
    let s = format!("{:.2}", cents(d));
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{frac}")
}

/// `0.07` as `7%`, `0.025` as `2.5%`.
pub fn percent(rate: Decimal) -> String {
    format!("{}%", (rate * Decimal::ONE_HUNDRED).normalize())
}

/// The month's fee on `plan` for `usage`; `None` for plans priced by contract.
pub fn monthly_fee(plan: &Plan, usage: Decimal) -> Option<MonthlyFee> {
    let usage = usage.max(Decimal::ZERO);
    let (lines, minimum) = match &plan.fee.model {
        FeeModel::Contract => return None,
        FeeModel::Free => (Vec::new(), Decimal::ZERO),
        FeeModel::Tiered { minimum, bands } => {
            let mut lines = Vec::new();
            let mut lower = Decimal::ZERO;
            for band in bands {
                if usage <= lower {
                    break;
                }
                let upper = band.up_to.map_or(usage, |u| u.min(usage));
                let basis = upper - lower;
                lines.push(FeeLine {
                    words: LineWords::Band {
                        rate: band.rate,
                        from: lower,
                        to: band.up_to,
                        basis,
                    },
                    amount: cents(basis * band.rate),
                });
                lower = band.up_to.unwrap_or(usage);
            }
            (lines, *minimum)
        }
        FeeModel::FixedPlusUsage {
            fixed,
            rate,
            fixed_is,
        } => {
            let share = FeeLine {
                words: LineWords::Share {
                    rate: *rate,
                    basis: usage,
                },
                amount: cents(usage * rate),
            };
            match fixed_is {
                FixedIs::Base => (
                    vec![
                        FeeLine {
                            words: LineWords::FixedFee,
                            amount: cents(*fixed),
                        },
                        share,
                    ],
                    Decimal::ZERO,
                ),
                FixedIs::Minimum => (vec![share], *fixed),
            }
        }
    };
    let from_usage: Decimal = lines.iter().map(|l| l.amount).sum();
    let minimum_applies = minimum > from_usage;
    Some(MonthlyFee {
        usage,
        fee: cents(from_usage.max(minimum)),
        lines,
        from_usage,
        minimum: cents(minimum),
        minimum_applies,
    })
}

/// `amount` for `days` of a month of `days_in_month` days.
pub fn prorate(amount: Decimal, days: u32, days_in_month: u32) -> Decimal {
    if days_in_month == 0 || days >= days_in_month {
        return cents(amount);
    }
    cents(amount * Decimal::from(days) / Decimal::from(days_in_month))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{builtin_sources, parse_catalog};

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    fn fee(plan: &str, usage: &str) -> Option<MonthlyFee> {
        let c = parse_catalog(&builtin_sources()).ok()?;
        monthly_fee(c.plan(plan)?, dec(usage))
    }

    #[test]
    fn every_worked_example_in_the_reference() {
        for (plan, usage, want) in [
            ("aws.developer", "2000", "60"),
            ("aws.business", "85000", "6150"),
            ("aws.enterprise", "1200000", "70500"),
            ("aws.business_plus", "20000", "1600"),
            ("aws.enterprise_2025", "750000", "52000"),
            ("aws.unified_operations", "1500000", "130000"),
            // Enterprise On-Ramp: a flat 10% with a $5,500 minimum.
            ("aws.enterprise_on_ramp", "10000", "5500"),
            ("aws.enterprise_on_ramp", "80000", "8000"),
            ("aws.business", "0", "100"),
        ] {
            let got = fee(plan, usage).map(|f| f.fee);
            assert_eq!(got, Some(dec(want)), "{plan} at {usage}");
        }
    }

    #[test]
    fn lines_show_the_arithmetic_band_by_band() {
        let Some(f) = fee("aws.business", "85000") else {
            panic!("no fee")
        };
        let lines: Vec<(String, String)> = f
            .lines
            .iter()
            .map(|l| (l.words.to_string(), l.amount.to_string()))
            .collect();
        assert_eq!(
            lines,
            [
                (
                    "10% of usage from 0.00 to 10,000.00 (10,000.00)".to_string(),
                    "1000.00".to_string()
                ),
                (
                    "7% of usage from 10,000.00 to 80,000.00 (70,000.00)".into(),
                    "4900.00".into()
                ),
                (
                    "5% of usage from 80,000.00 to 250,000.00 (5,000.00)".into(),
                    "250.00".into()
                ),
            ]
        );
        assert!(!f.minimum_applies);
        // Small usage: the minimum is the fee.
        let Some(small) = fee("aws.business", "500") else {
            panic!("no fee")
        };
        assert_eq!((small.from_usage, small.fee), (dec("50.00"), dec("100.00")));
        assert!(small.minimum_applies);
    }

    #[test]
    fn fixed_fees_are_a_base_or_a_minimum_as_the_catalog_says() {
        // Alibaba Enterprise: 25,000 CNY a month plus 10% of consumption (as a base).
        let Some(f) = fee("aliyun.enterprise", "100000") else {
            panic!("no fee")
        };
        assert_eq!(f.fee, dec("35000.00"));
        assert_eq!(f.lines.len(), 2);
        assert!(
            fee("aliyun.business", "1000").is_none(),
            "priced by contract"
        );
        assert_eq!(
            fee("aws.basic", "99999").map(|f| f.fee),
            Some(Decimal::ZERO)
        );
    }

    #[test]
    fn proration_by_days() {
        // Business signed up on 16 November (15 of 30 days): half the $100 minimum.
        assert_eq!(prorate(dec("100"), 15, 30), dec("50.00"));
        assert_eq!(prorate(dec("100"), 16, 31), dec("51.61"));
        assert_eq!(prorate(dec("100"), 31, 31), dec("100.00"));
        assert_eq!(prorate(dec("29"), 1, 28), dec("1.04"));
    }

    #[test]
    fn money_is_grouped() {
        assert_eq!(money(dec("1234567.5")), "1,234,567.50");
        assert_eq!(money(dec("0")), "0.00");
        assert_eq!(money(dec("-1000")), "-1,000.00");
        assert_eq!(percent(dec("0.025")), "2.5%");
    }
}
