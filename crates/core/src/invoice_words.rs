//! What an invoice line says, as data. Billing records each line's words with its amount;
//! every surface words them in its reader's language (`Display` is the English kept in the
//! line's `description`, which the CLI and the API show).

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::fees::{money, percent};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LineWords {
    /// A plan's days in the month, and the usage its fee is computed on.
    Period {
        plan: String,
        /// The plan's name when billed, in the catalog's language.
        name: String,
        from: Date,
        /// The last day, inclusive.
        to: Date,
        basis: Basis,
        /// Priced by contract: no fee is computed here.
        contract: bool,
    },
    /// An enrolled account's days: its payer's invoice carries the fee.
    BilledToPayer {
        plan: String,
        name: String,
        from: Date,
        to: Date,
        payer: String,
    },
    /// A rate on a band of usage: `from` up to `to` (open above when `None`).
    Band {
        rate: Decimal,
        from: Decimal,
        to: Option<Decimal>,
        basis: Decimal,
    },
    /// A rate on all the usage.
    Share {
        rate: Decimal,
        basis: Decimal,
    },
    FixedFee,
    /// The usage-based fee raised to the plan's minimum.
    Minimum {
        minimum: Decimal,
    },
    /// The plan ran `days` of the month's `of` days.
    Prorated {
        days: u32,
        of: u32,
    },
    /// Left inside the minimum term: `more` days at the minimum.
    MinimumTerm {
        term: u32,
        more: u32,
        minimum: Decimal,
    },
}

/// The usage a plan's fee is computed on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Basis {
    /// The account's own usage.
    Own { amount: Decimal, currency: String },
    /// The account's and its enrolled accounts' usage.
    Enrolled {
        amount: Decimal,
        currency: String,
        members: Vec<String>,
    },
    /// No usage was imported in the plan's currency.
    Missing { currency: String },
}

impl std::fmt::Display for Basis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Basis::Own { amount, currency } => write!(f, "usage {} {currency}", money(*amount)),
            Basis::Enrolled {
                amount,
                currency,
                members,
            } => write!(
                f,
                "usage {} {currency} of this account and {} enrolled ({})",
                money(*amount),
                members.len(),
                members.join(", ")
            ),
            Basis::Missing { currency } => write!(f, "no {currency} usage imported"),
        }
    }
}

impl LineWords {
    /// A step of a plan's fee (shown indented under its period), not the period itself.
    pub fn is_step(&self) -> bool {
        !matches!(
            self,
            LineWords::Period { .. } | LineWords::BilledToPayer { .. }
        )
    }
}

impl std::fmt::Display for LineWords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineWords::Period {
                plan,
                name,
                from,
                to,
                basis,
                contract,
            } => {
                write!(f, "{name} ({plan}), {from} to {to}: ")?;
                if *contract {
                    write!(f, "priced by contract; ")?;
                }
                write!(f, "{basis}")
            }
            LineWords::BilledToPayer {
                plan,
                name,
                from,
                to,
                payer,
            } => write!(
                f,
                "{name} ({plan}), {from} to {to}: billed to payer account {payer} on the enrolled accounts' usage"
            ),
            LineWords::Band {
                rate,
                from,
                to,
                basis,
            } => {
                let range = match to {
                    Some(u) => format!("from {} to {}", money(*from), money(*u)),
                    None => format!("above {}", money(*from)),
                };
                write!(f, "{} of usage {range} ({})", percent(*rate), money(*basis))
            }
            LineWords::Share { rate, basis } => {
                write!(f, "{} of usage ({})", percent(*rate), money(*basis))
            }
            LineWords::FixedFee => write!(f, "fixed monthly fee"),
            LineWords::Minimum { minimum } => write!(
                f,
                "raised to the minimum monthly fee of {}",
                money(*minimum)
            ),
            LineWords::Prorated { days, of } => write!(f, "prorated: {days} of {of} days"),
            LineWords::MinimumTerm {
                term,
                more,
                minimum,
            } => write!(
                f,
                "minimum term of {term} days: {more} more days at the minimum ({} a month)",
                money(*minimum)
            ),
        }
    }
}
