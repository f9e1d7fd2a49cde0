//! `tierdesk mail`: mail in through a pipe (`ingest`, for an MTA's delivery command), and
//! what the service received (`inbox`, `show`).

use std::io::{Read, Write};

use clap::Subcommand;
use serde_json::json;
use tierdesk_app::Limits;
use tierdesk_app::mail_in::{Received, Refused};
use tierdesk_app::notify::MailSettings;
use tierdesk_server::mail_in::{self, Verdict};

use super::{Exit, Global, print_json};
use crate::setup;

/// sysexits.h, as MTAs read a delivery command's status.
const EX_DATAERR: u8 = 65;
const EX_NOUSER: u8 = 67;
const EX_TEMPFAIL: u8 = 75;

#[derive(Subcommand)]
pub enum MailCmd {
    /// Receive one mail from standard input (an MTA's pipe). Exits 0 when it is stored
    /// (or ignored as an auto-reply), 67 for a stranger or an unknown case, 65 for a
    /// malformed mail, 75 when the database is unavailable (the MTA retries).
    Ingest {
        /// The envelope sender (Postfix's ${sender}); empty for a bounce.
        #[arg(long)]
        sender: Option<String>,
        /// The largest mail accepted, in bytes.
        #[arg(long, default_value_t = mail_in::DEFAULT_MAX_BYTES)]
        max_bytes: usize,
        /// Tierdesk's From address: replies are threaded by its domain's Message-IDs.
        #[arg(long)]
        mail_from: Option<String>,
    },
    /// Mails received, newest first, with what became of each.
    Inbox {
        /// Only stored, refused, malformed or ignored mails.
        #[arg(long, value_parser = ["stored", "refused", "malformed", "ignored"])]
        outcome: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// The raw message of a mail not stored, as received.
    Show { id: i64 },
}

pub async fn mail(g: &Global, cmd: MailCmd) -> anyhow::Result<()> {
    match cmd {
        MailCmd::Ingest {
            sender,
            max_bytes,
            mail_from,
        } => ingest(g, sender, max_bytes, mail_from).await,
        MailCmd::Inbox {
            outcome,
            limit,
            json,
        } => {
            let app = setup::app(g, Limits::default()).await?;
            let rows = app
                .inbound_mail(outcome.as_deref(), limit.clamp(1, 10_000))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if json {
                let rows: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        json!({
                            "id": r.id,
                            "receivedAt": r.received.to_string(),
                            "outcome": r.outcome,
                            "reason": r.reason,
                            "sender": r.sender,
                            "subject": r.subject,
                            "messageId": r.message_id,
                            "caseId": r.case_id,
                        })
                    })
                    .collect();
                return print_json(&json!(rows));
            }
            for r in rows {
                println!(
                    "{:>6}  {}  {:<9}  {:<30}  {}  ({})",
                    r.id,
                    r.received.strftime("%Y-%m-%d %H:%M:%S"),
                    r.outcome,
                    r.sender,
                    r.subject,
                    r.reason
                );
            }
            Ok(())
        }
        MailCmd::Show { id } => {
            let app = setup::app(g, Limits::default()).await?;
            let r = app
                .inbound(id)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .ok_or_else(|| anyhow::anyhow!("no mail {id}"))?;
            match r.raw {
                Some(raw) => std::io::stdout().write_all(&raw)?,
                None => anyhow::bail!("mail {id} was {}: its raw message is not kept", r.outcome),
            }
            Ok(())
        }
    }
}

async fn ingest(
    g: &Global,
    sender: Option<String>,
    max_bytes: usize,
    mail_from: Option<String>,
) -> anyhow::Result<()> {
    let mut raw = Vec::new();
    std::io::stdin()
        .take(max_bytes as u64 + 1)
        .read_to_end(&mut raw)?;
    if raw.len() > max_bytes {
        return Err(Exit::new(
            EX_DATAERR,
            format!("the mail is larger than {max_bytes} bytes"),
        )
        .into());
    }
    let mut app = match setup::app(g, Limits::default()).await {
        Ok(app) => app.with_notices_always(),
        Err(e) => {
            return Err(
                Exit::new(EX_TEMPFAIL, format!("the database is unavailable: {e:#}")).into(),
            );
        }
    };
    if let Some(from) = mail_from {
        let settings = MailSettings::new(&from)
            .ok_or_else(|| anyhow::anyhow!("--mail-from '{from}' is not an email address"))?;
        app = app.with_mail(settings);
    }
    match mail_in::deliver(&app, &raw, sender.as_deref()).await {
        Verdict::Stored(Received::Added { case_id }) => eprintln!("stored on {case_id}"),
        Verdict::Stored(Received::Opened { case_id }) => eprintln!("opened {case_id}"),
        Verdict::Stored(Received::AlreadyStored) => eprintln!("already stored"),
        Verdict::Stored(Received::Ignored { reason }) => eprintln!("ignored: {reason}"),
        Verdict::Refused(e) => {
            let code = match e {
                Refused::Stranger(_) | Refused::UnknownCase(_) => EX_NOUSER,
                Refused::Malformed(_) => EX_DATAERR,
                Refused::Unavailable(_) => EX_TEMPFAIL,
            };
            return Err(Exit::new(code, e.to_string()).into());
        }
    }
    Ok(())
}
