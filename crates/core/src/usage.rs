//! Monthly usage from billing exports: the basis of usage-priced support fees.
//!
//! Two formats. The AWS Cost and Usage Report (CUR) CSV, one row per line item, is summed
//! into gross charges per account and month: usage and purchase fees count, while
//! discounts, credits, refunds and taxes do not ("gross monthly charges before discounts
//! and credits", reference A12), nor do the services AWS excludes from the basis (AWS
//! Support itself, Managed Services, Marketplace, Professional Services: `EXCLUDED`). The
//! generic CSV (`account_id,month,amount,currency`) is already a monthly total.
//!
//! Rows are streamed and folded into one total per (account, month, currency), so memory
//! stays flat however large the file. The reader is any `Read` (a file, a gzip stream);
//! this module does no IO of its own.

use std::collections::BTreeMap;
use std::io::Read;
use std::str::FromStr;

use rust_decimal::Decimal;

/// Line item types that count: usage and what was bought (reserved instances and savings
/// plans count to the account that bought them, reference A16).
pub const COUNTED_LINE_ITEMS: [&str; 7] = [
    "Usage",
    "DiscountedUsage",
    "SavingsPlanCoveredUsage",
    "Fee",
    "RIFee",
    "SavingsPlanRecurringFee",
    "SavingsPlanUpfrontFee",
];

/// Products whose charges are not part of the fee basis (reference A12), matched on the
/// start of `product/ProductName`; Marketplace charges are recognised by their billing
/// entity.
pub const EXCLUDED: [&str; 4] = [
    "AWS Support",
    "AWS Managed Services",
    "AWS Professional Services",
    "AWS Marketplace",
];

/// The largest charge, row or monthly total, that an export may hold: a thousand
/// trillion. No real bill comes near it, and keeping amounts far below `Decimal`'s 28
/// digits means a sum of rows, a fee's percentage or a proration can never overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Cur,
    Generic,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "cur" => Ok(Format::Cur),
            "generic" => Ok(Format::Generic),
            other => Err(format!("format '{other}' is not cur or generic")),
        }
    }
}

/// One account's usage in one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyUsage {
    pub account_id: String,
    /// `YYYY-MM`.
    pub month: String,
    pub currency: String,
    pub amount: Decimal,
}

/// What a file held: totals, and how many rows were read, counted and left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub totals: Vec<MonthlyUsage>,
    pub rows: u64,
    pub counted: u64,
    /// Rows of line item types or products that are not part of the basis.
    pub excluded: u64,
}

/// A bad row: its line number in the file (the header is line 1) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

struct Columns {
    account: usize,
    month: usize,
    amount: usize,
    currency: Option<usize>,
    line_type: Option<usize>,
    product: Option<usize>,
    entity: Option<usize>,
}

fn find(headers: &csv::ByteRecord, names: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n.as_bytes())))
}

fn columns(format: Format, headers: &csv::ByteRecord) -> Result<Columns, RowError> {
    let need = |names: &[&str]| {
        find(headers, names).ok_or_else(|| RowError {
            line: 1,
            reason: format!("the header has no {} column", names[0]),
        })
    };
    Ok(match format {
        Format::Cur => Columns {
            account: need(&["lineItem/UsageAccountId", "line_item_usage_account_id"])?,
            month: need(&[
                "bill/BillingPeriodStartDate",
                "bill_billing_period_start_date",
            ])?,
            amount: need(&["lineItem/UnblendedCost", "line_item_unblended_cost"])?,
            currency: find(
                headers,
                &["lineItem/CurrencyCode", "line_item_currency_code"],
            ),
            line_type: Some(need(&[
                "lineItem/LineItemType",
                "line_item_line_item_type",
            ])?),
            product: find(headers, &["product/ProductName", "product_product_name"]),
            entity: find(headers, &["bill/BillingEntity", "bill_billing_entity"]),
        },
        Format::Generic => Columns {
            account: need(&["account_id"])?,
            month: need(&["month"])?,
            amount: need(&["amount"])?,
            currency: Some(need(&["currency"])?),
            line_type: None,
            product: None,
            entity: None,
        },
    })
}

/// `YYYY-MM` from `2026-10`, `2026-10-01` or `2026-10-01T00:00:00Z`.
fn month_of(field: &str) -> Option<String> {
    let m = field.get(..7)?;
    let b = m.as_bytes();
    let ok = b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..].iter().all(u8::is_ascii_digit)
        && (1..=12).contains(&m[5..].parse::<u8>().ok()?);
    let rest = &field[7..];
    (ok && (rest.is_empty() || rest.starts_with('-'))).then(|| m.to_string())
}

fn text<'r>(record: &'r csv::ByteRecord, i: usize, what: &str) -> Result<&'r str, String> {
    let raw = record
        .get(i)
        .ok_or_else(|| format!("the row has no {what} column"))?;
    std::str::from_utf8(raw)
        .map(str::trim)
        .map_err(|_| format!("{what} is not UTF-8"))
}

/// Reads a whole export; the first bad row stops it (nothing is half-imported: the caller
/// stores the summary only when this succeeds). `progress` is called with the bytes read
/// so far every 64k rows.
pub fn read(
    format: Format,
    input: impl Read,
    default_currency: &str,
    mut progress: impl FnMut(u64),
) -> Result<Summary, RowError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(input);
    let headers = reader
        .byte_headers()
        .map_err(|e| RowError {
            line: 1,
            reason: e.to_string(),
        })?
        .clone();
    let cols = columns(format, &headers)?;
    let mut totals: BTreeMap<(String, String, String), Decimal> = BTreeMap::new();
    let mut summary = Summary::default();
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(RowError {
                    line: e.position().map_or(line, |p| p.line()),
                    reason: e.to_string(),
                });
            }
        }
        summary.rows += 1;
        if summary.rows.is_multiple_of(65_536) {
            progress(reader.position().byte());
        }
        let row = |reason: String| RowError { line, reason };
        if let Some(i) = cols.line_type {
            let kind = text(&record, i, "lineItem/LineItemType").map_err(row)?;
            if !COUNTED_LINE_ITEMS.contains(&kind) {
                summary.excluded += 1;
                continue;
            }
        }
        let product = match cols.product {
            Some(i) => text(&record, i, "product/ProductName").map_err(row)?,
            None => "",
        };
        let entity = match cols.entity {
            Some(i) => text(&record, i, "bill/BillingEntity").map_err(row)?,
            None => "",
        };
        if EXCLUDED.iter().any(|p| product.starts_with(p)) || entity == "AWS Marketplace" {
            summary.excluded += 1;
            continue;
        }
        let account = text(&record, cols.account, "account").map_err(row)?;
        if account.is_empty() || account.len() > 64 || account.chars().any(char::is_whitespace) {
            return Err(row(format!("'{account}' is not an account id")));
        }
        let month_field = text(&record, cols.month, "month").map_err(row)?;
        let month = month_of(month_field).ok_or_else(|| {
            row(format!(
                "'{month_field}' is not a month such as 2026-10 or 2026-10-01"
            ))
        })?;
        let amount_field = text(&record, cols.amount, "amount").map_err(row)?;
        let amount = Decimal::from_str(amount_field)
            .or_else(|_| Decimal::from_scientific(amount_field))
            .map_err(|_| row(format!("'{amount_field}' is not an amount")))?;
        let currency = match cols.currency {
            Some(i) => text(&record, i, "currency").map_err(row)?,
            None => "",
        };
        let currency = if currency.is_empty() {
            default_currency
        } else {
            currency
        };
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(row(format!(
                "'{currency}' is not an ISO 4217 currency code"
            )));
        }
        summary.counted += 1;
        let key = (account.to_string(), month, currency.to_string());
        if amount.abs() > MAX_AMOUNT {
            return Err(row(format!("'{amount_field}' is too large to be a charge")));
        }
        let total = totals.entry(key).or_insert(Decimal::ZERO);
        *total += amount;
        if total.abs() > MAX_AMOUNT {
            return Err(row("the month's total is too large to be a charge".into()));
        }
    }
    summary.totals = totals
        .into_iter()
        .map(|((account_id, month, currency), amount)| MonthlyUsage {
            account_id,
            month,
            currency,
            amount,
        })
        .collect();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    const CUR: &str = "\
identity/LineItemId,bill/BillingEntity,bill/BillingPeriodStartDate,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UnblendedCost,lineItem/CurrencyCode,product/ProductName
a,AWS,2026-10-01T00:00:00Z,111122223333,Usage,1000.50,USD,Amazon Elastic Compute Cloud
b,AWS,2026-10-01T00:00:00Z,111122223333,Usage,0.0000001,USD,Amazon Simple Storage Service
c,AWS,2026-10-01T00:00:00Z,111122223333,Credit,-200,USD,Amazon Elastic Compute Cloud
d,AWS,2026-10-01T00:00:00Z,111122223333,Tax,80,USD,Amazon Elastic Compute Cloud
e,AWS,2026-10-01T00:00:00Z,111122223333,Fee,100,USD,AWS Support (Business)
f,AWS Marketplace,2026-10-01T00:00:00Z,111122223333,Usage,999,USD,Some Vendor Appliance
g,AWS,2026-10-01T00:00:00Z,111122223333,RIFee,300,USD,Amazon Relational Database Service
h,AWS,2026-10-01T00:00:00Z,111122223333,EdpDiscount,-50,USD,Amazon Elastic Compute Cloud
i,AWS,2026-11-01T00:00:00Z,111122223333,Usage,5,USD,Amazon Elastic Compute Cloud
j,AWS,2026-10-01T00:00:00Z,444455556666,Usage,2.5E+2,USD,AWS Lambda
";

    #[test]
    fn cur_rows_sum_to_gross_usage_per_account_and_month() {
        let s = match read(Format::Cur, CUR.as_bytes(), "USD", |_| {}) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        let got: Vec<(&str, &str, Decimal)> = s
            .totals
            .iter()
            .map(|u| (u.account_id.as_str(), u.month.as_str(), u.amount))
            .collect();
        assert_eq!(
            got,
            [
                ("111122223333", "2026-10", dec("1300.5000001")),
                ("111122223333", "2026-11", dec("5")),
                ("444455556666", "2026-10", dec("250")),
            ]
        );
        assert_eq!((s.rows, s.counted, s.excluded), (10, 5, 5));
    }

    #[test]
    fn generic_files_and_bad_rows_with_their_line() {
        let good = "account_id,month,amount,currency\n123456789012,2026-10,42000.00,USD\n";
        let s = read(Format::Generic, good.as_bytes(), "USD", |_| {});
        assert_eq!(s.map(|s| s.totals[0].amount), Ok(dec("42000.00")));
        for (text, line, needle) in [
            (
                "account_id,month,amount,currency\n1,2026-13,5,USD\n",
                2,
                "not a month",
            ),
            (
                "account_id,month,amount,currency\n1,2026-10,5,USD\n1,2026-10,five,USD\n",
                3,
                "not an amount",
            ),
            (
                "account_id,month,amount,currency\n1,2026-10,5,usd\n",
                2,
                "ISO 4217",
            ),
            (
                "account_id,month,amount,currency\n1,2026-10,5\n",
                2,
                "found record with 3 fields",
            ),
            ("account,month,amount,currency\n", 1, "no account_id column"),
            (
                "account_id,month,amount,currency\n1,2026-10,700000000000000,USD\n1,2026-10,700000000000000,USD\n",
                3,
                "total is too large",
            ),
            (
                "account_id,month,amount,currency\n1,2026-10,79228162514264337593543950335,USD\n",
                2,
                "too large",
            ),
        ] {
            match read(Format::Generic, text.as_bytes(), "USD", |_| {}) {
                Ok(_) => panic!("accepted {text}"),
                Err(e) => {
                    assert_eq!(e.line, line, "{e}");
                    assert!(e.reason.contains(needle), "{e}");
                }
            }
        }
    }

    #[test]
    fn the_amount_limit_is_a_thousand_trillion() {
        assert_eq!(MAX_AMOUNT, dec("1000000000000000"));
    }

    #[test]
    fn months_are_checked() {
        assert_eq!(month_of("2026-10"), Some("2026-10".into()));
        assert_eq!(month_of("2026-10-01T00:00:00Z"), Some("2026-10".into()));
        for bad in ["2026-1", "2026/10", "26-10-01", "2026-00", "2026-10x"] {
            assert_eq!(month_of(bad), None, "{bad}");
        }
    }
}
