//! `tierdesk audit list`: the audit log, newest first, as a table, JSON or CSV. The log is
//! read-only here as everywhere: no command edits or deletes an entry (old ones go after
//! `serve --audit-retention-days`).

use std::io::Write;

use clap::Subcommand;
use tierdesk_app::Limits;
use tierdesk_app::audit::{AuditFilter, MAX_AUDIT_PAGE, Reader};
use tierdesk_server::audit_format;

use super::Global;
use crate::setup;

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Entries newest first: every state-changing action, sign-ins, and staff reads of
    /// internal notes and files.
    List {
        /// Only entries about this account.
        #[arg(long)]
        account: Option<String>,
        /// Only entries by this actor (an email, an access key id, an OS user).
        #[arg(long)]
        actor: Option<String>,
        /// Only entries at or after this date (YYYY-MM-DD, UTC) or instant.
        #[arg(long)]
        since: Option<String>,
        /// At most this many entries (default: all that match).
        #[arg(long)]
        limit: Option<usize>,
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        #[arg(long)]
        csv: bool,
    },
}

pub async fn audit(g: &Global, cmd: AuditCmd) -> anyhow::Result<()> {
    let AuditCmd::List {
        account,
        actor,
        since,
        limit,
        json,
        csv,
    } = cmd;
    let app = setup::app(g, Limits::default()).await?;
    let mut filter = AuditFilter {
        account,
        actor,
        since,
        next_token: None,
        page_size: Some(MAX_AUDIT_PAGE),
    };
    let mut left = limit.unwrap_or(usize::MAX);
    let mut all = Vec::new();
    let mut out = std::io::stdout().lock();
    if csv {
        out.write_all(audit_format::csv_header().as_bytes())?;
    }
    // Page by page, so an export of a large log is written as it is read.
    loop {
        let page = app
            .audit_log(Reader::Operator, &filter)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut entries = page.entries;
        entries.truncate(left);
        left -= entries.len();
        if csv {
            out.write_all(audit_format::csv_rows(&entries).as_bytes())?;
        } else if json {
            all.extend(entries);
        } else {
            for e in &entries {
                writeln!(
                    out,
                    "{}  {:<20} {:<14} {:<32} {:<16} {}{}",
                    e.at.strftime("%Y-%m-%d %H:%M:%S"),
                    e.action.as_str(),
                    e.who.kind.as_str(),
                    e.who.id,
                    e.who.address.as_deref().unwrap_or("-"),
                    e.target,
                    if e.detail.is_empty() {
                        String::new()
                    } else {
                        format!("  ({})", e.detail)
                    }
                )?;
            }
        }
        match page.next_token {
            Some(t) if left > 0 => filter.next_token = Some(t),
            _ => break,
        }
    }
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&audit_format::json(&all))?
        )?;
    }
    Ok(())
}
