//! `tierdesk agent`, `tierdesk webhook` and `tierdesk sla report`: the operator side.

use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::json;
use tierdesk_app::agents::NewAgent;

use super::operator;
use tierdesk_app::reports::ReportFilter;
use tierdesk_app::{Limits, ServiceError};

use super::{Global, print_json};
use crate::setup;
use tierdesk_server::report_format;

fn e(e: ServiceError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// A token just made, shown once.
fn print_token(created: &tierdesk_app::agents::CreatedAgent, json: bool) -> anyhow::Result<()> {
    let a = &created.agent;
    if json {
        print_json(&json!({
            "id": a.id, "email": a.email, "name": a.name, "languages": a.languages,
            "role": a.role.as_str(), "token": created.token,
            "tokenExpiresAt": a.token_expires.map(|t| t.to_string()),
        }))?;
    } else {
        println!("agent id: {}", a.id);
        println!("token:    {}", created.token);
        if let Some(t) = a.token_expires {
            println!("expires:  {t}");
        }
        println!("(the token is not shown again)");
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum AgentCmd {
    /// Create a support engineer, TAM or admin; prints its id and API token (shown once).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Languages the agent answers in, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "en")]
        languages: Vec<String>,
        /// agent, tam or admin.
        #[arg(long, default_value = "agent")]
        role: String,
        /// The API token stops working after this long (e.g. 90d, 12h); default: never.
        #[arg(long, value_parser = parse_lifetime)]
        expires_in: Option<Duration>,
        #[arg(long)]
        json: bool,
    },
    /// List agents.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Set an agent's console password, read from standard input.
    SetPassword(SetPasswordArgs),
    /// Take an agent's access away: console sessions and API token stop at once, on every
    /// replica.
    Disable(EmailArg),
    /// Give a disabled agent their access back.
    Enable(EmailArg),
    /// Change an agent's role (their console sessions end).
    SetRole {
        #[arg(long)]
        email: String,
        /// agent, tam or admin.
        #[arg(long)]
        role: String,
    },
    /// Limit a support engineer to named accounts, or (--all) let them work every account.
    Scope {
        #[arg(long)]
        email: String,
        /// Account ids, comma-separated.
        #[arg(long, value_delimiter = ',', required_unless_present = "all")]
        accounts: Vec<String>,
        #[arg(long, conflicts_with = "accounts")]
        all: bool,
    },
    /// An agent's API token: rotate (prints the new one once) or revoke.
    #[command(subcommand)]
    Token(TokenCmd),
}

#[derive(Subcommand)]
pub enum TokenCmd {
    /// A new token; the old one stops working at once.
    Rotate {
        #[arg(long)]
        email: String,
        /// The new token stops working after this long (e.g. 90d); default: never.
        #[arg(long, value_parser = parse_lifetime)]
        expires_in: Option<Duration>,
        #[arg(long)]
        json: bool,
    },
    /// The token stops working now (console sign-in is not affected).
    Revoke(EmailArg),
}

#[derive(Args)]
pub struct EmailArg {
    #[arg(long)]
    email: String,
}

/// A lifetime such as `90d`, `12h` or `30m`.
fn parse_lifetime(s: &str) -> Result<Duration, String> {
    let bad = || format!("'{s}' is not a lifetime such as 90d, 12h or 30m");
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: u64 = n.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        _ => return Err(bad()),
    };
    // The bounds are the app's to check (`agents::MAX_TOKEN_DAYS`).
    Ok(Duration::from_secs(n.saturating_mul(seconds)))
}

#[derive(Args)]
pub struct SetPasswordArgs {
    #[arg(long)]
    email: String,
    /// Read the password from standard input (the only way: never on the command line).
    #[arg(long, required = true)]
    password_stdin: bool,
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// Create a customer's console user in an account. With --password-stdin the password
    /// is read from standard input; otherwise one is generated and printed once.
    Create {
        #[arg(long)]
        account: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Interface language (default: the account's).
        #[arg(long)]
        language: Option<String>,
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        json: bool,
    },
    /// Set a user's console password, read from standard input.
    SetPassword(SetPasswordArgs),
    /// Take a user's console access away; their sessions end at once.
    Disable(EmailArg),
    /// Give a disabled user their console access back.
    Enable(EmailArg),
    /// Remove a user (the cases they opened stay with the account).
    Delete(EmailArg),
}

/// A password from standard input (one line; the newline is not part of it).
fn password_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn set_password(app: &tierdesk_app::App, args: SetPasswordArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.password_stdin,
        "give the password on standard input with --password-stdin"
    );
    app.set_password(&operator(), &args.email, &password_from_stdin()?)
        .await
        .map_err(e)?;
    println!(
        "password set for {}; their other sessions ended",
        args.email
    );
    Ok(())
}

pub async fn user(g: &Global, cmd: UserCmd) -> anyhow::Result<()> {
    let app = setup::app(g, Limits::default()).await?;
    match cmd {
        UserCmd::Create {
            account,
            email,
            name,
            language,
            password_stdin,
            json,
        } => {
            let (password, generated) = if password_stdin {
                (password_from_stdin()?, false)
            } else {
                (
                    tierdesk_app::secrets::random_password().map_err(|e| anyhow::anyhow!("{e}"))?,
                    true,
                )
            };
            let u = app
                .create_user(
                    &operator(),
                    &account,
                    &email,
                    &name,
                    language.as_deref(),
                    Some(&password),
                )
                .await
                .map_err(e)?;
            if json {
                let mut v = json!({
                    "id": u.id, "accountId": u.account_id, "email": u.email, "name": u.name,
                    "language": u.language,
                });
                if generated {
                    v["password"] = json!(password);
                }
                print_json(&v)?;
            } else {
                println!("user {} ({}) in account {}", u.id, u.email, u.account_id);
                if generated {
                    println!("password: {password}\n(the password is not shown again)");
                }
            }
        }
        UserCmd::SetPassword(args) => set_password(&app, args).await?,
        UserCmd::Disable(a) => {
            app.set_user_disabled(&operator(), &a.email, true)
                .await
                .map_err(e)?;
            println!("{} is disabled; their sessions ended", a.email);
        }
        UserCmd::Enable(a) => {
            app.set_user_disabled(&operator(), &a.email, false)
                .await
                .map_err(e)?;
            println!("{} may sign in again", a.email);
        }
        UserCmd::Delete(a) => {
            app.delete_user(&operator(), &a.email).await.map_err(e)?;
            println!("{} is deleted; their account keeps its cases", a.email);
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum WebhookCmd {
    /// Add an endpoint for the operator's events (SLA warnings and breaches, Trusted
    /// Advisor resources, AWS Health events); prints its id and signing secret (shown once).
    Add {
        #[arg(long)]
        url: String,
        /// Event types, comma-separated (default: all of sla.warning, sla.breach,
        /// advisor.check-item, health.event).
        #[arg(long, value_delimiter = ',')]
        events: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// List endpoints with their delivery counts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Stop delivering to an endpoint (its undelivered events are dropped).
    Disable { id: String },
}

#[derive(Subcommand)]
pub enum IntegrationCmd {
    /// Make an account's Alertmanager token; prints it once. Alertmanager sends it as the
    /// bearer of its webhook to /api/v1/integrations/alertmanager.
    Create {
        #[arg(long)]
        account: String,
        /// What the token is for (e.g. "prometheus-prod").
        #[arg(long)]
        name: String,
        /// The alert label that names a severity.
        #[arg(long, default_value = "severity")]
        severity_label: String,
        /// Resolve the case when Alertmanager reports the group resolved (otherwise a note
        /// is added and support resolves it).
        #[arg(long)]
        resolve_cases: bool,
        #[arg(long)]
        json: bool,
    },
    /// Tokens, with their accounts and whether they are revoked.
    List {
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token: Alertmanager's next notification is refused.
    Revoke { id: String },
}

#[derive(Args)]
pub struct ReportArgs {
    /// First day (UTC), YYYY-MM-DD.
    #[arg(long)]
    from: jiff::civil::Date,
    /// Last day (UTC), inclusive.
    #[arg(long)]
    to: jiff::civil::Date,
    #[arg(long)]
    account: Option<String>,
    #[arg(long)]
    plan: Option<String>,
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    #[arg(long)]
    csv: bool,
}

pub async fn agent(g: &Global, cmd: AgentCmd) -> anyhow::Result<()> {
    let app = setup::app(g, Limits::default()).await?;
    match cmd {
        AgentCmd::Create {
            email,
            name,
            languages,
            role,
            expires_in,
            json,
        } => {
            let created = app
                .create_agent(
                    &operator(),
                    NewAgent {
                        email,
                        name,
                        languages,
                        role,
                        token_lifetime: expires_in,
                        ..Default::default()
                    },
                )
                .await
                .map_err(e)?;
            print_token(&created, json)?;
        }
        AgentCmd::SetPassword(args) => set_password(&app, args).await?,
        AgentCmd::Disable(a) => {
            app.set_agent_disabled(&operator(), &a.email, true)
                .await
                .map_err(e)?;
            println!("{} is disabled: sessions ended, token refused", a.email);
        }
        AgentCmd::Enable(a) => {
            app.set_agent_disabled(&operator(), &a.email, false)
                .await
                .map_err(e)?;
            println!("{} is enabled again", a.email);
        }
        AgentCmd::SetRole { email, role } => {
            let a = app
                .set_agent_role(&operator(), &email, &role)
                .await
                .map_err(e)?;
            println!("{} is now {}", a.email, a.role.as_str());
        }
        AgentCmd::Scope {
            email,
            accounts,
            all,
        } => {
            let accounts = if all { Vec::new() } else { accounts };
            let a = app
                .set_agent_accounts(&operator(), &email, accounts.clone())
                .await
                .map_err(e)?;
            if accounts.is_empty() {
                println!("{} works every account's cases", a.email);
            } else {
                println!("{} works the cases of {}", a.email, accounts.join(", "));
            }
        }
        AgentCmd::Token(TokenCmd::Rotate {
            email,
            expires_in,
            json,
        }) => {
            let created = app
                .rotate_agent_token(&operator(), &email, expires_in)
                .await
                .map_err(e)?;
            print_token(&created, json)?;
        }
        AgentCmd::Token(TokenCmd::Revoke(a)) => {
            app.revoke_agent_token(&operator(), &a.email)
                .await
                .map_err(e)?;
            println!("the token of {} no longer works", a.email);
        }
        AgentCmd::List { json } => {
            let agents = app.agents().await.map_err(e)?;
            if json {
                print_json(&json!(
                    agents
                        .iter()
                        .map(|a| json!({
                            "id": a.id, "email": a.email, "name": a.name, "languages": a.languages,
                            "role": a.role.as_str(), "createdAt": a.created.to_string(),
                            "disabledAt": a.disabled.map(|t| t.to_string()),
                            "tokenExpiresAt": a.token_expires.map(|t| t.to_string()),
                            "demo": a.demo,
                        }))
                        .collect::<Vec<_>>()
                ))?;
            } else {
                for a in agents {
                    let mut notes = Vec::new();
                    if a.disabled.is_some() {
                        notes.push("disabled".to_string());
                    }
                    if let Some(t) = a.token_expires {
                        notes.push(format!("token until {t}"));
                    }
                    if a.demo {
                        notes.push("demo".to_string());
                    }
                    println!(
                        "{:<24} {:<6} {:<32} {} ({}){}",
                        a.id,
                        a.role.as_str(),
                        a.email,
                        a.name,
                        a.languages.join(","),
                        if notes.is_empty() {
                            String::new()
                        } else {
                            format!(" [{}]", notes.join("; "))
                        }
                    );
                }
            }
        }
    }
    Ok(())
}

pub async fn integration(g: &Global, cmd: IntegrationCmd) -> anyhow::Result<()> {
    let app = setup::app(g, Limits::default()).await?;
    match cmd {
        IntegrationCmd::Create {
            account,
            name,
            severity_label,
            resolve_cases,
            json,
        } => {
            let made = app
                .create_integration(
                    &operator(),
                    tierdesk_app::monitoring::NewIntegration {
                        account_id: account,
                        name,
                        severity_label: Some(severity_label),
                        resolve_cases,
                    },
                )
                .await
                .map_err(e)?;
            let t = &made.token;
            if json {
                print_json(&json!({
                    "id": t.id, "account": t.account_id, "name": t.name,
                    "severityLabel": t.severity_label, "resolveCases": t.resolve_cases,
                    "token": made.secret,
                }))?;
            } else {
                println!("integration id: {}", t.id);
                println!("token:          {}", made.secret);
                println!(
                    "(the token is not shown again; Alertmanager sends it as its webhook's bearer)"
                );
            }
        }
        IntegrationCmd::List { account, json } => {
            let tokens = app.integrations(account.as_deref()).await.map_err(e)?;
            if json {
                print_json(&json!(
                    tokens
                        .iter()
                        .map(|t| json!({
                            "id": t.id, "account": t.account_id, "kind": t.kind, "name": t.name,
                            "severityLabel": t.severity_label, "resolveCases": t.resolve_cases,
                            "createdAt": t.created.to_string(),
                            "revokedAt": t.revoked.map(|r| r.to_string()),
                        }))
                        .collect::<Vec<_>>()
                ))?;
            } else {
                for t in tokens {
                    println!(
                        "{} {} {} \"{}\" label {}{}{}",
                        t.id,
                        t.account_id,
                        t.kind,
                        t.name,
                        t.severity_label,
                        if t.resolve_cases {
                            ", resolves cases"
                        } else {
                            ""
                        },
                        if t.revoked.is_some() {
                            " (revoked)"
                        } else {
                            ""
                        }
                    );
                }
            }
        }
        IntegrationCmd::Revoke { id } => {
            app.revoke_integration(&operator(), &id, None)
                .await
                .map_err(e)?;
            println!("revoked {id}");
        }
    }
    Ok(())
}

pub async fn webhook(g: &Global, cmd: WebhookCmd) -> anyhow::Result<()> {
    let app = setup::app(g, Limits::default()).await?;
    match cmd {
        WebhookCmd::Add { url, events, json } => {
            let created = app
                .create_webhook(&operator(), &url, &events)
                .await
                .map_err(e)?;
            let w = &created.webhook;
            if json {
                print_json(&json!({
                    "id": w.id, "url": w.url, "events": w.events, "secret": created.secret,
                }))?;
            } else {
                println!("webhook id: {}", w.id);
                println!("secret:     {}", created.secret);
                println!(
                    "(the secret is not shown again; requests carry Tierdesk-Signature: t=...,v1=HMAC-SHA256(secret, \"t.body\"))"
                );
            }
        }
        WebhookCmd::List { json } => {
            let hooks = app.webhooks().await.map_err(e)?;
            if json {
                print_json(&json!(
                    hooks
                        .iter()
                        .map(|(w, s)| json!({
                            "id": w.id, "url": w.url, "events": w.events,
                            "createdAt": w.created.to_string(),
                            "disabledAt": w.disabled.map(|d| d.to_string()),
                            "pending": s.pending, "delivered": s.delivered, "failed": s.failed,
                            "lastError": s.last_error,
                        }))
                        .collect::<Vec<_>>()
                ))?;
            } else {
                for (w, s) in hooks {
                    println!(
                        "{} {} [{}]{} pending {} delivered {} failed {}{}",
                        w.id,
                        w.url,
                        w.events.join(","),
                        if w.disabled.is_some() {
                            " (disabled)"
                        } else {
                            ""
                        },
                        s.pending,
                        s.delivered,
                        s.failed,
                        s.last_error
                            .map(|e| format!(" (last error: {e})"))
                            .unwrap_or_default()
                    );
                }
            }
        }
        WebhookCmd::Disable { id } => {
            app.disable_webhook(&operator(), &id).await.map_err(e)?;
            println!("disabled {id}");
        }
    }
    Ok(())
}

pub async fn report(g: &Global, a: ReportArgs) -> anyhow::Result<()> {
    let app = setup::app(g, Limits::default()).await?;
    let mut filter = ReportFilter::period(a.from, a.to);
    filter.cases.account = a.account;
    filter.cases.plan = a.plan;
    let lines = app.sla_report(&filter).await.map_err(e)?;
    if a.json {
        return print_json(&report_format::json(&filter, &lines));
    }
    if a.csv {
        print!(
            "{}",
            report_format::csv(filter.by, &lines, report_format::group_ids)
        );
        return Ok(());
    }
    let dur = |s: Option<i64>| match s {
        None => "-".to_string(),
        Some(s) if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        Some(s) => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    };
    println!(
        "first responses to cases opened {} to {} (UTC){}",
        filter.from,
        filter.to,
        filter
            .cases
            .account
            .as_ref()
            .map(|a| format!(", account {a}"))
            .unwrap_or_default()
    );
    println!(
        "{:<26} {:<9} {:>6} {:>9} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "plan", "severity", "cases", "in time", "breaches", "median", "p90", "median*", "p90*"
    );
    for l in &lines {
        println!(
            "{:<26} {:<9} {:>6} {:>9} {:>8} {:>9} {:>9} {:>9} {:>9}",
            l.plan_severity().0,
            l.plan_severity().1,
            l.cases,
            l.within_target_share
                .map(|s| format!("{:.1}%", s * 100.0))
                .unwrap_or_else(|| "-".into()),
            l.breaches,
            dur(l.median_clock_seconds),
            dur(l.p90_clock_seconds),
            dur(l.median_business_seconds),
            dur(l.p90_business_seconds),
        );
    }
    println!("(* business time: counted on each target's own clock)");
    Ok(())
}
