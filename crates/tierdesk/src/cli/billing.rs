//! `tierdesk usage`, `tierdesk bill`, `tierdesk account set-payer` and
//! `tierdesk plans advise`: support fees from usage exports, and which plan fits.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tierdesk_app::{Limits, ServiceError};
use tierdesk_core::advisor::{Need, advise};
use tierdesk_core::clock::{Clock, SystemClock};
use tierdesk_core::fees::money;
use tierdesk_core::records::Invoice;
use tierdesk_core::time::today_in;
use tierdesk_core::usage::{self, Format};

use super::{Global, print_json};
use crate::setup;
use tierdesk_server::report_format::quote;

fn e(e: ServiceError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

#[derive(Subcommand)]
pub enum UsageCmd {
    /// Import monthly usage from an AWS Cost and Usage Report (CSV, or .gz) or a generic
    /// CSV (account_id,month,amount,currency). Importing a month again replaces it.
    Import {
        file: PathBuf,
        #[arg(long, default_value = "cur")]
        format: Format,
        /// Currency of rows that name none (CUR files without lineItem/CurrencyCode).
        #[arg(long, default_value = "USD")]
        currency: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum BillCmd {
    /// Compute every account's support fee for a month and store the invoices (running a
    /// month again replaces them).
    Run {
        #[arg(long)]
        month: String,
        #[arg(long)]
        json: bool,
    },
    /// Show an account's invoice for a month, line by line.
    Show {
        #[arg(long)]
        account: String,
        #[arg(long)]
        month: String,
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        #[arg(long)]
        csv: bool,
    },
}

#[derive(Args)]
pub struct AdviseArgs {
    /// Monthly cloud usage the fee is computed on.
    #[arg(long)]
    usage: Decimal,
    #[arg(long, default_value = "USD")]
    currency: String,
    /// What the plan must give: SEVERITY:DURATION (critical:30m), 24x7, api, tam, phone,
    /// chat, email, im_group, language:CODE. Repeatable.
    #[arg(long)]
    need: Vec<Need>,
    /// Consider plans no longer on sale too.
    #[arg(long)]
    include_legacy: bool,
    #[arg(long)]
    json: bool,
}

/// The file, decompressed when it is gzip (by its first bytes, whatever its name).
fn open(path: &PathBuf) -> anyhow::Result<(Box<dyn Read + Send>, u64)> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let gzip = {
        use std::io::BufRead;
        reader.fill_buf()?.starts_with(&[0x1f, 0x8b])
    };
    Ok(if gzip {
        (Box::new(flate2::bufread::MultiGzDecoder::new(reader)), 0)
    } else {
        (Box::new(reader), size)
    })
}

/// `\r[#########           ] 45%  112 of 247 MB`, or bytes only when the size is unknown
/// (a gzip stream).
fn progress_line(bytes: u64, size: u64) -> String {
    const WIDTH: u64 = 30;
    let mb = |b: u64| b / 1_000_000;
    if size == 0 {
        return format!("\r{} MB read", mb(bytes));
    }
    let done = bytes.min(size) * WIDTH / size;
    format!(
        "\r[{}{}] {:>3}%  {} of {} MB",
        "#".repeat(done as usize),
        " ".repeat((WIDTH - done) as usize),
        bytes.min(size) * 100 / size,
        mb(bytes),
        mb(size)
    )
}

pub async fn usage(g: &Global, cmd: UsageCmd) -> anyhow::Result<()> {
    let UsageCmd::Import {
        file,
        format,
        currency,
        json,
    } = cmd;
    let app = setup::app(g, Limits::default()).await?;
    let (input, size) = open(&file)?;
    let tty = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let progress = move |bytes: u64| {
        if tty {
            let _ = std::io::stderr().write_all(progress_line(bytes, size).as_bytes());
        }
    };
    // Parsing is CPU work on a blocking thread; only the summary goes to the database.
    let path = file.display().to_string();
    let summary =
        tokio::task::spawn_blocking(move || usage::read(format, input, &currency, progress))
            .await?
            .map_err(|err| anyhow::anyhow!("{path}:{}: {}", err.line, err.reason))?;
    if tty {
        eprintln!();
    }
    let seconds = started.elapsed().as_secs_f64();
    let source = match format {
        Format::Cur => "cur",
        Format::Generic => "generic",
    };
    let done = app
        .import_usage(&super::operator(), summary, source)
        .await
        .map_err(e)?;
    let s = &done.summary;
    if json {
        return print_json(&json!({
            "rows": s.rows, "counted": s.counted, "excluded": s.excluded,
            "totals": s.totals.iter().map(|u| json!({
                "accountId": u.account_id, "month": u.month, "currency": u.currency,
                "amount": u.amount.to_string(),
            })).collect::<Vec<_>>(),
        }));
    }
    println!(
        "{} rows in {seconds:.1}s: {} counted, {} left out (credits, discounts, taxes, excluded services); {} account-months",
        s.rows,
        s.counted,
        s.excluded,
        s.totals.len()
    );
    for u in s.totals.iter().take(50) {
        println!(
            "  {} {} {} {}",
            u.account_id,
            u.month,
            money(u.amount),
            u.currency
        );
    }
    if s.totals.len() > 50 {
        println!("  ... and {} more", s.totals.len() - 50);
    }
    Ok(())
}

fn invoice_json(i: &Invoice) -> Value {
    json!({
        "accountId": i.account_id,
        "month": i.month,
        "currency": i.currency,
        "total": i.total.to_string(),
        "computedAt": i.computed.to_string(),
        "lines": i.lines.iter().map(|l| json!({
            "planId": l.plan_id, "description": l.description, "amount": l.amount.to_string(),
        })).collect::<Vec<_>>(),
    })
}

pub async fn bill(g: &Global, cmd: BillCmd) -> anyhow::Result<()> {
    // The server's notice worker tells accounts of their invoices.
    let app = setup::app(g, Limits::default())
        .await?
        .with_notices_always();
    match cmd {
        BillCmd::Run { month, json } => {
            let invoices = app.bill_run(&super::operator(), &month).await.map_err(e)?;
            if json {
                return print_json(&json!(
                    invoices.iter().map(invoice_json).collect::<Vec<_>>()
                ));
            }
            for i in &invoices {
                println!(
                    "{} {} {:>16} {}",
                    i.account_id,
                    i.month,
                    money(i.total),
                    i.currency
                );
            }
            println!("{} invoices for {month}", invoices.len());
        }
        BillCmd::Show {
            account,
            month,
            json,
            csv,
        } => {
            let i = app.invoice(&account, &month).await.map_err(e)?;
            if json {
                return print_json(&invoice_json(&i));
            }
            if csv {
                println!("account_id,month,plan_id,description,amount,currency");
                for l in &i.lines {
                    println!(
                        "{},{},{},{},{},{}",
                        i.account_id,
                        i.month,
                        l.plan_id.as_deref().unwrap_or(""),
                        quote(l.description.trim()),
                        l.amount,
                        i.currency
                    );
                }
                println!(
                    "{},{},,total,{},{}",
                    i.account_id, i.month, i.total, i.currency
                );
                return Ok(());
            }
            println!(
                "Support fee, account {}, {} ({})",
                i.account_id, i.month, i.currency
            );
            for l in &i.lines {
                if l.amount.is_zero() && !l.description.starts_with("  ") {
                    println!("{}", l.description);
                } else {
                    println!("{:<76} {:>14}", l.description, money(l.amount));
                }
            }
            println!("{:<76} {:>14}", "total", money(i.total));
        }
    }
    Ok(())
}

pub async fn set_payer(g: &Global, id: &str, payer: Option<&str>) -> anyhow::Result<()> {
    let app = setup::app(g, Limits::default()).await?;
    app.set_payer(&super::operator(), id, payer)
        .await
        .map_err(e)?;
    match payer {
        Some(p) => println!("account {id} is billed through {p} on aggregate plans"),
        None => println!("account {id} pays for itself"),
    }
    Ok(())
}

pub fn advise_cmd(g: &Global, a: AdviseArgs) -> anyhow::Result<()> {
    let catalog = setup::load_catalog(&g.catalog)?;
    let today = today_in(SystemClock.now(), "UTC");
    let advice = advise(
        &catalog,
        a.usage,
        &a.currency,
        &a.need,
        today,
        a.include_legacy,
    );
    if a.json {
        return print_json(&json!({
            "usage": a.usage.to_string(),
            "currency": a.currency,
            "fits": advice.fits.iter().map(|f| json!({
                "planId": f.plan.id, "name": f.plan.name, "currency": f.plan.currency,
                "monthlyFee": f.fee.map(|d| d.to_string()),
                "onSale": f.plan.lifecycle(today).as_str(),
            })).collect::<Vec<_>>(),
            "misfits": advice.misfits.iter().map(|m| json!({
                "planId": m.plan.id, "name": m.plan.name, "reasons": m.reasons.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }));
    }
    if advice.fits.is_empty() {
        println!("No plan meets every need.");
    } else {
        println!(
            "Plans that meet every need, cheapest first (usage {} {}):",
            money(a.usage),
            a.currency
        );
        for f in &advice.fits {
            let fee = f.fee.map_or("priced by contract".to_string(), |d| {
                format!("{} {}/month", money(d), f.plan.currency)
            });
            println!("  {:<26} {:<28} {fee}", f.plan.id, f.plan.name);
        }
    }
    if !advice.misfits.is_empty() {
        println!("Other plans:");
        for m in &advice.misfits {
            println!(
                "  {:<26} {}",
                m.plan.id,
                m.reasons
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::progress_line;

    #[test]
    fn progress_bar() {
        assert_eq!(
            progress_line(0, 100_000_000),
            format!("\r[{}]   0%  0 of 100 MB", " ".repeat(30))
        );
        assert_eq!(
            progress_line(50_000_000, 100_000_000),
            format!(
                "\r[{}{}]  50%  50 of 100 MB",
                "#".repeat(15),
                " ".repeat(15)
            )
        );
        assert_eq!(progress_line(7_000_000, 0), "\r7 MB read");
    }
}
