//! `tierdesk inventory import` and `tierdesk advisor`: a customer's cloud inventory in,
//! Trusted Advisor results out; results the operator feeds; a check's history.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use serde_json::{Value, json};
use tierdesk_app::trusted_advisor::bundle;
use tierdesk_app::{Limits, ServiceError};
use tierdesk_core::trusted_advisor::ResultRow;

use super::{Global, print_json};
use crate::setup;

fn e(e: ServiceError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

#[derive(Subcommand)]
pub enum InventoryCmd {
    /// Import an account's inventory (a directory, or a .tar.gz of one, of AWS CLI JSON
    /// output: see scripts/collect-inventory) and evaluate every check its plan includes.
    /// It replaces the account's inventory; a bad file refuses the whole bundle.
    Import {
        #[arg(long)]
        account: String,
        path: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum AdvisorCmd {
    /// Set a check's results for an account (checks no inventory computes: Exposed Access
    /// Keys, reservations). rows.json is a JSON array of resources as the Support API
    /// returns them: status, region, resourceId, isSuppressed, metadata in column order.
    SetResult {
        #[arg(long)]
        account: String,
        #[arg(long)]
        check: String,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// When a check flagged each resource, and when it was fixed.
    History {
        #[arg(long)]
        account: String,
        #[arg(long)]
        check: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn inventory(g: &Global, cmd: InventoryCmd) -> anyhow::Result<()> {
    match cmd {
        InventoryCmd::Import {
            account,
            path,
            json,
        } => {
            let read = bundle::read_path(&path)
                .map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
            let app = setup::app(g, Limits::default()).await?;
            let s = app
                .import_inventory(&super::operator(), &account, read)
                .await
                .map_err(e)?;
            if json {
                return print_json(&tierdesk_server::api::import_summary_json(&s));
            }
            println!(
                "Imported {} files for account {} ({} ignored), regions {}.",
                s.files,
                s.account_id,
                s.ignored_files,
                s.regions.join(", ")
            );
            println!(
                "{} checks run, {} resources processed, {} flagged.",
                s.checks, s.processed, s.flagged
            );
            for (status, n) in &s.by_status {
                println!("  {status:<14} {n}");
            }
            Ok(())
        }
    }
}

/// A resource row as rows.json gives it.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RowIn {
    status: String,
    region: Option<String>,
    resource_id: String,
    #[serde(default)]
    is_suppressed: bool,
    #[serde(default)]
    metadata: Vec<Option<String>>,
}

pub async fn advisor(g: &Global, cmd: AdvisorCmd) -> anyhow::Result<()> {
    let app = setup::app(g, Limits::default()).await?;
    match cmd {
        AdvisorCmd::SetResult {
            account,
            check,
            file,
            json,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let rows: Vec<RowIn> = serde_json::from_str(&text)
                .map_err(|err| anyhow::anyhow!("{}:{}: {err}", file.display(), err.line()))?;
            let mut out = Vec::with_capacity(rows.len());
            for (n, r) in rows.into_iter().enumerate() {
                let status =
                    tierdesk_core::trusted_advisor::Status::parse(&r.status).ok_or_else(|| {
                        anyhow::anyhow!(
                            "{}: row {}: status '{}' is not ok, warning or error",
                            file.display(),
                            n + 1,
                            r.status
                        )
                    })?;
                // isSuppressed is the customer's to set; it is read and left alone.
                let _ = r.is_suppressed;
                out.push(ResultRow {
                    resource_id: r.resource_id,
                    key: String::new(),
                    status,
                    region: r.region,
                    metadata: r.metadata,
                    savings: rust_decimal::Decimal::ZERO,
                });
            }
            let result = app
                .set_advisor_result(&super::operator(), &account, &check, out)
                .await
                .map_err(e)?;
            if json {
                return print_json(&json!({
                    "accountId": account,
                    "checkId": result.check_id,
                    "resources": result.rows.len(),
                    "status": result.status(|_| false).as_str(),
                }));
            }
            println!(
                "Set {} resource(s) of {} for account {}: {}.",
                result.rows.len(),
                result.check_id,
                account,
                result.status(|_| false).as_str()
            );
            Ok(())
        }
        AdvisorCmd::History {
            account,
            check,
            json,
        } => {
            let findings = app.advisor_history(&account, &check).await.map_err(e)?;
            if json {
                let v: Vec<Value> = findings
                    .iter()
                    .map(|f| {
                        json!({
                            "resourceId": f.resource_id,
                            "status": f.status.as_str(),
                            "region": f.region,
                            "metadata": f.metadata,
                            "firstSeen": f.first_seen.to_string(),
                            "lastSeen": f.last_seen.to_string(),
                            "resolved": f.resolved.map(|t| t.to_string()),
                        })
                    })
                    .collect();
                return print_json(
                    &json!({ "accountId": account, "checkId": check, "findings": v }),
                );
            }
            for f in &findings {
                let cells: Vec<&str> = f
                    .metadata
                    .iter()
                    .map(|m| m.as_deref().unwrap_or("-"))
                    .collect();
                println!(
                    "{:<8} {} → {}  {}",
                    f.status.as_str(),
                    f.first_seen,
                    f.resolved.map_or("open".to_string(), |t| t.to_string()),
                    cells.join(" · ")
                );
            }
            Ok(())
        }
    }
}
