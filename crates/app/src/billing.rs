//! Support fees for a month: each account's plans over the month (from its plan history),
//! the fee each plan's formula gives on the month's usage, prorated by days, minimum terms,
//! and plans billed on the usage of all accounts enrolled together (charged to their
//! payer). The result is an invoice per account with its arithmetic line by line.

use std::collections::HashMap;
use tierdesk_core::notice::NoticeKind;

use jiff::civil::Date;
use rust_decimal::Decimal;
use tierdesk_core::catalog::{BillingScope, Plan};
use tierdesk_core::fees::{self, cents};
use tierdesk_core::invoice_words::{Basis, LineWords};
use tierdesk_core::records::{Account, Invoice, InvoiceLine, PlanAssignment};
use tierdesk_core::usage::{MonthlyUsage, Summary};

use tierdesk_core::audit::{Action, Who};

use crate::error::{Field, Problem};
use crate::{App, ServiceError};

/// A month, `YYYY-MM`, with its first day and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub first: Date,
    pub days: u32,
}

impl Month {
    pub fn parse(s: &str) -> Result<Self, ServiceError> {
        let bad = || ServiceError::invalid(Field::Month, Problem::Malformed(s.to_string()));
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let first = Date::new(
            y.parse().map_err(|_| bad())?,
            m.parse().map_err(|_| bad())?,
            1,
        )
        .map_err(|_| bad())?;
        Ok(Month {
            first,
            days: first.days_in_month() as u32,
        })
    }

    pub fn label(&self) -> String {
        self.first.strftime("%Y-%m").to_string()
    }

    /// The first day after the month.
    fn end(&self) -> Date {
        self.first
            .checked_add(jiff::Span::new().days(i64::from(self.days)))
            .unwrap_or(self.first)
    }
}

/// The stretch of a month one plan covered for an account.
#[derive(Debug, Clone)]
struct Segment<'p> {
    plan: &'p Plan,
    /// First and last-plus-one day within the month.
    from: Date,
    to: Date,
    /// The assignment's whole run (its start and, if it ended, its end), for minimum terms.
    started: Date,
    ended: Option<Date>,
}

fn days_between(a: Date, b: Date) -> u32 {
    a.until(b)
        .ok()
        .and_then(|s| u32::try_from(s.get_days()).ok())
        .unwrap_or(0)
}

/// The plans an account's history puts over `month`, in order.
fn segments<'c>(
    history: &[PlanAssignment],
    month: Month,
    plan: impl Fn(&str) -> Option<&'c Plan>,
) -> Vec<Segment<'c>> {
    let end = month.end();
    let mut out = Vec::new();
    for (i, a) in history.iter().enumerate() {
        let next = history.get(i + 1).map(|n| n.effective_from);
        let from = a.effective_from.max(month.first);
        let to = next.map_or(end, |n| n.min(end));
        if from >= to {
            continue;
        }
        if let Some(p) = plan(&a.plan_id) {
            out.push(Segment {
                plan: p,
                from,
                to,
                started: a.effective_from,
                ended: next,
            });
        }
    }
    out
}

fn line(plan: &Plan, words: LineWords, amount: Decimal) -> InvoiceLine {
    let indent = if words.is_step() { "  " } else { "" };
    InvoiceLine {
        plan_id: Some(plan.id.clone()),
        description: format!("{indent}{words}"),
        amount: cents(amount),
        words: Some(words),
    }
}

/// What one usage import did.
#[derive(Debug, Clone)]
pub struct Imported {
    pub summary: Summary,
}

impl App {
    /// Stores what a usage export summed to (see `tierdesk_core::usage`).
    pub async fn import_usage(
        &self,
        who: &Who,
        summary: Summary,
        source: &str,
    ) -> Result<Imported, ServiceError> {
        let now = self.clock.now();
        let audit = who.did(
            now,
            Action::UsageImport,
            None,
            format!("usage:{source}"),
            format!(
                "{} rows, {} monthly totals",
                summary.rows,
                summary.totals.len()
            ),
        );
        self.store
            .replace_usage(summary.totals.clone(), source, now, audit)
            .await?;
        Ok(Imported { summary })
    }

    /// Computes and stores every account's invoice for `month`; running it again for the
    /// same month replaces them (same usage, same invoices).
    pub async fn bill_run(&self, who: &Who, month: &str) -> Result<Vec<Invoice>, ServiceError> {
        let month = Month::parse(month)?;
        let label = month.label();
        let accounts = self.store.accounts().await?;
        let usage: HashMap<(String, String), Decimal> = self
            .store
            .usage_in(&label)
            .await?
            .into_iter()
            .map(
                |MonthlyUsage {
                     account_id,
                     currency,
                     amount,
                     ..
                 }| ((account_id, currency), amount),
            )
            .collect();
        let payer_of: HashMap<String, String> = self.store.payers().await?.into_iter().collect();
        let payer = |id: &str| payer_of.get(id).cloned().unwrap_or_else(|| id.to_string());
        let mut histories = HashMap::new();
        for a in &accounts {
            histories.insert(a.id.clone(), self.store.plan_history(&a.id).await?);
        }
        let catalog = &self.catalog;
        let segs: HashMap<&str, Vec<Segment<'_>>> = accounts
            .iter()
            .map(|a| {
                let h = histories.get(&a.id).map(Vec::as_slice).unwrap_or_default();
                (a.id.as_str(), segments(h, month, |id| catalog.plan(id)))
            })
            .collect();
        let used =
            |id: &str, currency: &str| usage.get(&(id.to_string(), currency.to_string())).copied();
        let now = self.clock.now();
        let mut invoices = Vec::new();
        for a in &accounts {
            let mut lines = Vec::new();
            let mut currency = None;
            for seg in segs
                .get(a.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let plan = seg.plan;
                currency.get_or_insert_with(|| plan.currency.clone());
                let days = days_between(seg.from, seg.to);
                let (from, to) = (seg.from, seg.to.yesterday().unwrap_or(seg.to));
                // Aggregate plans: the payer's invoice carries the fee on the usage of every
                // account it pays for on the same plan; the others show where it went.
                let aggregate = plan.fee.scope == BillingScope::AggregateEnrolled;
                if aggregate && payer(&a.id) != a.id {
                    let words = LineWords::BilledToPayer {
                        plan: plan.id.clone(),
                        name: plan.name.clone(),
                        from,
                        to,
                        payer: payer(&a.id).to_string(),
                    };
                    lines.push(line(plan, words, Decimal::ZERO));
                    continue;
                }
                let mut basis = used(&a.id, &plan.currency);
                let mut members = Vec::new();
                if aggregate {
                    for other in &accounts {
                        let same_plan = segs
                            .get(other.id.as_str())
                            .is_some_and(|s| s.iter().any(|x| x.plan.id == plan.id));
                        if other.id != a.id && payer(&other.id) == a.id && same_plan {
                            members.push(other.id.clone());
                            if let Some(u) = used(&other.id, &plan.currency) {
                                *basis.get_or_insert(Decimal::ZERO) += u;
                            }
                        }
                    }
                }
                let currency = plan.currency.clone();
                let usage = match (basis, members.is_empty()) {
                    (Some(amount), true) => Basis::Own { amount, currency },
                    (Some(amount), false) => Basis::Enrolled {
                        amount,
                        currency,
                        members,
                    },
                    (None, _) => Basis::Missing { currency },
                };
                let fee = fees::monthly_fee(plan, basis.unwrap_or_default());
                let period = LineWords::Period {
                    plan: plan.id.clone(),
                    name: plan.name.clone(),
                    from,
                    to,
                    basis: usage,
                    contract: fee.is_none(),
                };
                lines.push(line(plan, period, Decimal::ZERO));
                let Some(fee) = fee else { continue };
                for l in &fee.lines {
                    lines.push(line(plan, l.words.clone(), l.amount));
                }
                if fee.minimum_applies {
                    lines.push(line(
                        plan,
                        LineWords::Minimum {
                            minimum: fee.minimum,
                        },
                        fee.minimum - fee.from_usage,
                    ));
                }
                let charged = fees::prorate(fee.fee, days, month.days);
                if days < month.days {
                    lines.push(line(
                        plan,
                        LineWords::Prorated {
                            days,
                            of: month.days,
                        },
                        charged - fee.fee,
                    ));
                }
                // Leaving a plan inside its minimum term: the rest of the term is due at
                // the plan's minimum (fees are not refunded).
                if let Some(ended) = seg.ended.filter(|e| *e <= month.end()) {
                    let ran = days_between(seg.started, ended);
                    let term = plan.fee.min_term_days;
                    if ran < term {
                        let short = term - ran;
                        lines.push(line(
                            plan,
                            LineWords::MinimumTerm {
                                term,
                                more: short,
                                minimum: fee.minimum,
                            },
                            fees::prorate(fee.minimum, short, month.days),
                        ));
                    }
                }
            }
            let Some(currency) = currency else { continue };
            let total = cents(lines.iter().map(|l| l.amount).sum());
            invoices.push(Invoice {
                account_id: a.id.clone(),
                month: label.clone(),
                currency,
                total,
                lines,
                computed: now,
            });
        }
        let audit = who.did(
            now,
            Action::BillRun,
            None,
            format!("invoices:{label}"),
            format!("{} invoices", invoices.len()),
        );
        // Each account is told of an invoice that charges something (a free plan's is
        // not news), once per month and total: a run that changes a total tells again.
        let notices = match self.notice(NoticeKind::InvoiceReady, now) {
            Some(n) => invoices
                .iter()
                .filter(|i| !i.total.is_zero())
                .map(|i| {
                    (
                        i.account_id.clone(),
                        tierdesk_core::notice::invoice_ref(i),
                        n,
                    )
                })
                .collect(),
            None => Vec::new(),
        };
        self.store
            .replace_invoices(&label, invoices.clone(), notices, audit)
            .await?;
        Ok(invoices)
    }

    pub async fn invoice(&self, account_id: &str, month: &str) -> Result<Invoice, ServiceError> {
        let label = Month::parse(month)?.label();
        self.account(account_id).await?;
        self.store
            .invoices(Some(account_id), Some(&label))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                ServiceError::NotFound(format!(
                    "no invoice for account {account_id} in {label}; run `tierdesk bill run --month {label}`"
                ))
            })
    }

    /// Makes `payer` the account that pays `account_id`'s fee on aggregate plans.
    pub async fn set_payer(
        &self,
        who: &Who,
        account_id: &str,
        payer: Option<&str>,
    ) -> Result<(), ServiceError> {
        let audit = who.did(
            self.clock.now(),
            Action::AccountPayer,
            Some(account_id),
            format!("account:{account_id}"),
            match payer {
                Some(p) => format!("paid by {p}"),
                None => "pays its own fee".into(),
            },
        );
        match self.store.set_payer(account_id, payer, audit).await {
            Err(tierdesk_store::StoreError::NotFound) => Err(ServiceError::NotFound(format!(
                "no account {account_id}{}",
                payer
                    .map(|p| format!(" or no account {p}"))
                    .unwrap_or_default()
            ))),
            other => Ok(other?),
        }
    }

    /// Every account's invoices, for admins.
    pub async fn all_invoices(&self) -> Result<Vec<Invoice>, ServiceError> {
        Ok(self.store.invoices(None, None).await?)
    }

    pub async fn invoices_of(&self, account: &Account) -> Result<Vec<Invoice>, ServiceError> {
        Ok(self.store.invoices(Some(&account.id), None).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months() {
        let m = Month::parse("2026-02").unwrap_or(Month {
            first: Date::constant(2000, 1, 1),
            days: 0,
        });
        assert_eq!((m.days, m.label()), (28, "2026-02".to_string()));
        for bad in ["2026-13", "2026-1", "202610", "x-10"] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
    }
}
