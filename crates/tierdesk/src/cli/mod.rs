//! The command line: operator commands and `serve`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};
use tierdesk_app::Limits;
use tierdesk_app::accounts::{AccountView, NewAccount};
use tierdesk_core::audit::{Action, Who};
use tierdesk_core::catalog::{BillingScope, Catalog, FeeModel, FixedIs, Plan};
use tierdesk_core::clock::{Clock, SystemClock};
use tierdesk_core::time::format_millis;
use tierdesk_core::time::today_in;

use crate::setup;

mod advisor;
mod audit;
mod billing;
mod health;
mod mail;
mod operators;
mod watch;

#[derive(Parser)]
#[command(
    name = "tierdesk",
    version,
    about = "Support plans and cases, with an AWS Support API-compatible endpoint"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct Global {
    /// `sqlite://PATH` (the embedded default) or `postgres://USER@HOST:PORT/DB`.
    #[arg(
        long,
        global = true,
        env = "TIERDESK_DATABASE",
        default_value = "sqlite://./tierdesk-data/tierdesk.db"
    )]
    pub database: String,
    /// An operator catalog file (TOML) to load beside the built-in ones; repeatable.
    #[arg(long, global = true, env = "TIERDESK_CATALOG", value_delimiter = ',')]
    pub catalog: Vec<PathBuf>,
    /// A file of AWS Health event types (the shape of data/health-event-types.toml) to add
    /// to the shipped list; repeatable.
    #[arg(
        long,
        global = true,
        env = "TIERDESK_HEALTH_EVENT_TYPES",
        value_delimiter = ','
    )]
    pub health_event_types: Vec<PathBuf>,
    /// File holding the base64 master key that seals API secrets (default, on SQLite:
    /// master.key beside the database). `TIERDESK_MASTER_KEY` takes precedence.
    #[arg(long, global = true, env = "TIERDESK_MASTER_KEY_FILE")]
    pub master_key_file: Option<PathBuf>,
    /// Group-commit writers (PostgreSQL; SQLite always has one).
    #[arg(long, global = true, default_value_t = 4, hide = true)]
    pub db_writers: u32,
    /// Connections for reads.
    #[arg(long, global = true, default_value_t = 8, hide = true)]
    pub db_readers: u32,
    /// SQLite: the page cache of each read connection, in MiB. SQLite's page caches stay
    /// under (readers x this) + the writer's, whatever the number of cases.
    #[arg(
        long,
        global = true,
        env = "TIERDESK_DB_READER_CACHE_MIB",
        default_value_t = tierdesk_store::DEFAULT_READER_CACHE_MIB,
        value_parser = clap::value_parser!(u32).range(1..=4096)
    )]
    pub db_reader_cache_mib: u32,
    /// SQLite: the writer's page cache, in MiB.
    #[arg(
        long,
        global = true,
        env = "TIERDESK_DB_WRITER_CACHE_MIB",
        default_value_t = tierdesk_store::DEFAULT_WRITER_CACHE_MIB,
        value_parser = clap::value_parser!(u32).range(1..=4096)
    )]
    pub db_writer_cache_mib: u32,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the service.
    Serve(Box<Serve>),
    /// Manage customer accounts.
    #[command(subcommand)]
    Account(AccountCmd),
    /// Manage API access keys.
    #[command(subcommand)]
    Key(KeyCmd),
    /// Browse the plan catalogs.
    #[command(subcommand)]
    Plans(PlansCmd),
    /// Service-level arithmetic.
    #[command(subcommand)]
    Sla(SlaCmd),
    /// Public holidays that close business-hours clocks.
    #[command(subcommand)]
    Holidays(HolidaysCmd),
    /// Support engineers, TAMs and admins, with their operator-API tokens.
    #[command(subcommand)]
    Agent(operators::AgentCmd),
    /// Customers' console users.
    #[command(subcommand)]
    User(operators::UserCmd),
    /// Endpoints that receive SLA warnings and breaches.
    #[command(subcommand)]
    Webhook(operators::WebhookCmd),
    /// Monthly cloud usage, the basis of support fees.
    #[command(subcommand)]
    Usage(billing::UsageCmd),
    /// Support-fee invoices.
    #[command(subcommand)]
    Bill(billing::BillCmd),
    /// The audit log: who did what, when and from where.
    #[command(subcommand)]
    Audit(audit::AuditCmd),
    /// Probe a target and open a support case (through the AWS Support API) when it
    /// fails a number of times in a row.
    Watch(watch::Watch),
    /// Mail in: receive a mail from a pipe; list and show what was received.
    #[command(subcommand)]
    Mail(mail::MailCmd),
    /// Monitoring integrations: accounts' Alertmanager tokens.
    #[command(subcommand)]
    Integration(operators::IntegrationCmd),
    /// AWS Health: publish events, revise and close them, and set the resources they
    /// affect.
    #[command(subcommand)]
    Health(health::HealthCmd),
    /// Customers' cloud inventories, for Trusted Advisor.
    #[command(subcommand)]
    Inventory(advisor::InventoryCmd),
    /// Trusted Advisor: results the operator feeds, and a check's history.
    #[command(subcommand)]
    Advisor(advisor::AdvisorCmd),
}

/// A command's end with a status of its own (`mail ingest` speaks sysexits to its MTA).
#[derive(Debug)]
pub struct Exit {
    pub code: u8,
    pub message: String,
}

impl Exit {
    fn new(code: u8, message: impl Into<String>) -> Exit {
        Exit {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

#[derive(Subcommand)]
pub enum HolidaysCmd {
    /// Import a country's holidays from an iCalendar (.ics) file; importing the same file
    /// again replaces what it brought before.
    Import {
        file: PathBuf,
        #[arg(long)]
        country: String,
    },
    /// The holidays that close clocks in a country: shipped ones and imported ones.
    List {
        #[arg(long)]
        country: String,
        #[arg(long)]
        json: bool,
    },
}

/// Where and how a customer is served: their clock and language.
#[derive(Args)]
pub struct CustomerArgs {
    /// IANA time zone; business hours count in it, and monthly caps follow its months.
    #[arg(long, default_value = "UTC")]
    timezone: String,
    /// ISO 3166 country code; its public holidays close business-hours clocks.
    #[arg(long, default_value = "US")]
    country: String,
    /// Language (en, ja, zh, ko); some clocks keep other hours per language.
    #[arg(long, default_value = "en")]
    language: String,
}

#[derive(Subcommand)]
pub enum SlaCmd {
    /// When will a case get its first response? Prints the deadline a plan promises.
    Due(DueArgs),
    /// First-response attainment per plan and severity for cases opened in a period.
    Report(operators::ReportArgs),
}

#[derive(Args)]
pub struct DueArgs {
    #[arg(long)]
    plan: String,
    /// Severity code (e.g. low, normal, high, urgent, critical).
    #[arg(long)]
    severity: String,
    /// The channel answered: `case` (tickets, the API) or another channel a plan
    /// promises times for (Alibaba's `im_group`).
    #[arg(long, default_value = "case")]
    channel: String,
    /// The case is escalated under the plan's urgent-escalation quota.
    #[arg(long)]
    escalated: bool,
    /// When the case is opened (RFC 3339, e.g. 2026-11-20T16:00:00+09:00).
    #[arg(long)]
    opened_at: String,
    #[command(flatten)]
    customer: CustomerArgs,
    /// Extra closed days from an iCalendar file; repeatable.
    #[arg(long)]
    holidays: Vec<PathBuf>,
    #[arg(long)]
    json: bool,
}

/// The origin (scheme, host and port) of a URL such as `https://support.example.com/`.
/// `500ms`, `30s`, `2m`, `1h`, `3d`.
pub(crate) fn parse_span(s: &str) -> Result<Duration, String> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("'{s}': a number and ms, s, m, h or d"))?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "s" | "" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        "d" => Duration::from_secs(n * 86_400),
        _ => return Err(format!("'{s}': a number and ms, s, m, h or d")),
    };
    if d.is_zero() {
        return Err(format!("'{s}' is no time at all"));
    }
    Ok(d)
}

fn parse_origin(url: &str) -> Result<String, String> {
    let bad =
        || format!("'{url}' is not an http:// or https:// URL such as https://support.example.com");
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    if !matches!(scheme, "http" | "https") {
        return Err(bad());
    }
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.contains(['@', ' ']) {
        return Err(bad());
    }
    Ok(format!("{scheme}://{host}"))
}

#[derive(Args)]
pub struct Serve {
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Create (or reuse) a demo account and print its access keys.
    #[arg(long)]
    demo: bool,
    /// API requests per second per account and replica (0 = unlimited).
    #[arg(long, default_value_t = 0)]
    rate_limit: u32,
    /// Attachments per attachment set.
    #[arg(long, default_value_t = 3)]
    attachments_per_set: usize,
    /// Largest attachment, in bytes.
    #[arg(long, default_value_t = 5 * 1024 * 1024)]
    attachment_max_bytes: usize,
    /// Seconds an attachment set stays usable.
    #[arg(long, default_value_t = 3600)]
    attachment_set_lifetime: u64,
    /// Attachment sets an account may create per minute.
    #[arg(long, default_value_t = 60)]
    attachment_sets_per_minute: i64,
    /// DescribeAttachment calls per account per minute.
    #[arg(long, default_value_t = 120)]
    describe_attachment_per_minute: i64,
    /// Milliseconds a replica keeps a looked-up access key; a revocation takes this long
    /// to reach every replica.
    #[arg(long, default_value_t = 2000)]
    key_cache_ms: u64,
    /// Warn when this percentage of a target's time has passed (0: no warnings).
    #[arg(long, default_value_t = 75, value_parser = clap::value_parser!(u32).range(0..=100))]
    sla_warn_percent: u32,
    /// Milliseconds between the breach worker's passes (a breach is recorded at most this
    /// long after its deadline, plus the pass itself).
    #[arg(long, default_value_t = 250)]
    sla_tick_ms: u64,
    /// Extra CA certificates (PEM) that HTTPS webhook endpoints may be signed by, beside
    /// the public roots.
    #[arg(long, env = "TIERDESK_WEBHOOK_CA_FILE")]
    webhook_ca_file: Option<PathBuf>,
    /// Mark console cookies Secure on every response (set it when users reach Tierdesk over
    /// HTTPS; behind a proxy that sends X-Forwarded-Proto: https they are Secure anyway).
    #[arg(long)]
    secure_cookies: bool,
    /// The address people type to reach Tierdesk (e.g. https://support.example.com), when a
    /// reverse proxy in front rewrites the Host header: the console's Origin check uses it.
    #[arg(long, value_parser = parse_origin)]
    public_url: Option<String>,
    /// A reverse proxy in front of Tierdesk whose X-Forwarded-For names the client (for
    /// per-address limits); repeatable. From anyone else the header is ignored.
    #[arg(long)]
    trusted_proxy: Vec<std::net::IpAddr>,
    /// The most messages one case holds (its opening included).
    #[arg(long, default_value_t = 1000)]
    max_messages_per_case: i64,
    /// The most megabytes of attached files one account holds (default: no quota).
    #[arg(long)]
    account_storage_mb: Option<u64>,
    /// Days the audit log keeps an entry; 0 keeps every entry for ever.
    #[arg(long, default_value_t = tierdesk_app::limits::DEFAULT_AUDIT_RETENTION_DAYS)]
    audit_retention_days: u64,
    /// Connections served at once; more are closed as they arrive.
    #[arg(long, default_value_t = 1024)]
    max_connections: usize,
    /// Seconds a client has to send a request's headers.
    #[arg(long, default_value_t = 10)]
    header_timeout: u64,
    /// Seconds a whole request may take, its upload included.
    #[arg(long, default_value_t = 120)]
    request_timeout: u64,
    /// Log level: error, warn, info, debug, trace.
    #[arg(long, env = "TIERDESK_LOG", default_value = "info")]
    log: tracing::Level,
    /// Log lines as text or as JSON objects (each with the request id of the request that
    /// caused it).
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Serve `GET /metrics` (Prometheus's text format) on the main listener to requests
    /// that carry this bearer token.
    #[arg(long, env = "TIERDESK_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// Serve `GET /metrics` on this address too, without a token (keep it private).
    #[arg(long)]
    metrics_listen: Option<SocketAddr>,
    /// Mail people of their cases through this SMTP server: smtp://[user:pass@]host[:port]
    /// (STARTTLS when offered), with ?tls=required (STARTTLS or nothing), or smtps://
    /// (TLS from the start). Needs --mail-from, and --public-url for the links every mail
    /// carries (the case, and unsubscribing).
    #[arg(
        long,
        env = "TIERDESK_SMTP_URL",
        hide_env_values = true,
        requires_all = ["mail_from", "public_url"]
    )]
    smtp_url: Option<String>,
    /// The From address of Tierdesk's mail (`Example Support <support@example.com>`).
    #[arg(long, requires = "smtp_url")]
    mail_from: Option<String>,
    /// Extra CA certificates (PEM) the SMTP server's certificate may be signed by.
    #[arg(long, env = "TIERDESK_SMTP_CA_FILE")]
    smtp_ca_file: Option<PathBuf>,
    /// Receive customers' mail over LMTP on this address (for an MTA to deliver to; keep
    /// it private).
    #[arg(long)]
    lmtp_listen: Option<SocketAddr>,
    /// The largest mail received, in bytes.
    #[arg(long, default_value_t = tierdesk_server::mail_in::DEFAULT_MAX_BYTES)]
    mail_max_bytes: usize,
    /// How long a case waits on its customer before they are reminded by mail.
    #[arg(long, default_value = "3d", value_parser = parse_span)]
    pending_reminder: Duration,
    /// Let people's own webhooks (set in the console) reach loopback, private and
    /// link-local addresses. Off, a customer cannot make the server call into its own
    /// network; turn it on only where every console user is trusted.
    #[arg(long)]
    allow_private_webhooks: bool,
    /// How often accounts on plans with every Trusted Advisor check are evaluated again on
    /// their latest inventory (AWS refreshes weekly).
    #[arg(long, default_value = "7d", value_parser = parse_span)]
    advisor_refresh_every: Duration,
    /// How far back closed Health events are shown on the dashboard, the status page and
    /// its feeds.
    #[arg(long, default_value = "90d", value_parser = parse_span)]
    health_history: Duration,
    /// A price table for the cost checks' savings, replacing the shipped one
    /// (data/advisor-prices.toml).
    #[arg(long)]
    advisor_prices: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum AccountCmd {
    /// Create an account on a plan.
    Create {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        plan: String,
        #[command(flatten)]
        customer: CustomerArgs,
        /// Allow a discontinued plan.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    /// Move an account to another plan (the history is kept).
    SetPlan {
        #[arg(long)]
        id: String,
        #[arg(long)]
        plan: String,
        /// First day on the new plan (YYYY-MM-DD, default today in the account's zone).
        #[arg(long)]
        effective: Option<jiff::civil::Date>,
        /// Allow a discontinued plan.
        #[arg(long)]
        force: bool,
    },
    /// Set the regions an account uses: it sees AWS Health's public events of those
    /// regions (without, those of its imported inventory's regions, else of every region).
    SetRegions {
        #[arg(long)]
        id: String,
        /// Comma-separated (us-east-1,ap-northeast-1); empty to forget them.
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        regions: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Bill this account's fee on aggregate plans (Enterprise) through a payer account,
    /// on the summed usage of the accounts enrolled under it.
    SetPayer {
        #[arg(long)]
        id: String,
        #[arg(long, required_unless_present = "none")]
        payer: Option<String>,
        /// The account pays for itself again.
        #[arg(long, conflicts_with = "payer")]
        none: bool,
    },
    /// Make an agent with the tam role the account's technical account manager.
    SetTam {
        #[arg(long)]
        id: String,
        /// The TAM's email.
        #[arg(long, required_unless_present = "none")]
        tam: Option<String>,
        /// The account has no TAM any more.
        #[arg(long, conflicts_with = "tam")]
        none: bool,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum KeyCmd {
    /// Create an access key; the secret is shown this once.
    Create {
        #[arg(long)]
        account: String,
        /// Who uses the key; shown as the submitter of cases and replies.
        #[arg(long, default_value = "api")]
        principal: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke an access key.
    Revoke { access_key_id: String },
}

#[derive(Subcommand)]
pub enum PlansCmd {
    List {
        #[arg(long)]
        json: bool,
    },
    /// Which plans meet these needs, and what each costs for this usage.
    Advise(billing::AdviseArgs),
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

fn init_logging(level: tracing::Level) {
    init_logging_as(level, LogFormat::Text);
}

/// How `serve` writes its log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per event.
    Text,
    /// One JSON object per line, with the request's id and surface in `span`.
    Json,
}

fn init_logging_as(level: tracing::Level, format: LogFormat) {
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

fn print_json(v: &Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn warn_all(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let g = cli.global;
    match cli.command {
        Command::Serve(s) => serve(&g, *s).await,
        Command::Plans(cmd) => plans(&g, cmd),
        Command::Sla(cmd) => sla(&g, cmd).await,
        Command::Holidays(cmd) => holidays(&g, cmd).await,
        Command::Account(cmd) => {
            init_logging(tracing::Level::WARN);
            account(&g, cmd).await
        }
        Command::Key(cmd) => {
            init_logging(tracing::Level::WARN);
            key(&g, cmd).await
        }
        Command::Agent(cmd) => {
            init_logging(tracing::Level::WARN);
            operators::agent(&g, cmd).await
        }
        Command::User(cmd) => {
            init_logging(tracing::Level::WARN);
            operators::user(&g, cmd).await
        }
        Command::Webhook(cmd) => {
            init_logging(tracing::Level::WARN);
            operators::webhook(&g, cmd).await
        }
        Command::Usage(cmd) => {
            init_logging(tracing::Level::WARN);
            billing::usage(&g, cmd).await
        }
        Command::Bill(cmd) => {
            init_logging(tracing::Level::WARN);
            billing::bill(&g, cmd).await
        }
        Command::Audit(cmd) => audit::audit(&g, cmd).await,
        Command::Watch(w) => {
            init_logging(tracing::Level::WARN);
            watch::watch(w).await
        }
        Command::Integration(cmd) => {
            init_logging(tracing::Level::WARN);
            operators::integration(&g, cmd).await
        }
        Command::Mail(cmd) => {
            init_logging(tracing::Level::WARN);
            mail::mail(&g, cmd).await
        }
        Command::Inventory(cmd) => {
            init_logging(tracing::Level::WARN);
            advisor::inventory(&g, cmd).await
        }
        Command::Advisor(cmd) => {
            init_logging(tracing::Level::WARN);
            advisor::advisor(&g, cmd).await
        }
        Command::Health(cmd) => {
            init_logging(tracing::Level::WARN);
            health::health(&g, cmd).await
        }
    }
}

/// Who the audit log names for commands run here: the operating-system user (the one
/// behind `sudo` when there is one).
pub(crate) fn operator() -> Who {
    let user = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .ok()
        .filter(|u| !u.is_empty());
    tierdesk_app::actor::cli_who(user)
}

async fn serve(g: &Global, s: Serve) -> anyhow::Result<()> {
    init_logging_as(s.log, s.log_format);
    let limits = Limits {
        attachments_per_set: s.attachments_per_set,
        attachment_bytes: s.attachment_max_bytes,
        attachment_set_lifetime: Duration::from_secs(s.attachment_set_lifetime),
        attachment_sets_per_minute: s.attachment_sets_per_minute,
        describe_attachment_per_minute: s.describe_attachment_per_minute,
        requests_per_second: s.rate_limit,
        key_cache_ttl: Duration::from_millis(s.key_cache_ms),
        sla_warn_percent: s.sla_warn_percent,
        messages_per_case: s.max_messages_per_case.max(1),
        account_storage_bytes: s
            .account_storage_mb
            .map(|mb| i64::try_from(mb.saturating_mul(1024 * 1024)).unwrap_or(i64::MAX)),
        audit_retention: (s.audit_retention_days > 0)
            .then(|| Duration::from_secs(s.audit_retention_days.saturating_mul(86_400))),
    };
    let mut app = setup::app(g, limits)
        .await?
        .with_notices(tierdesk_app::notify::NoticeSettings {
            console_url: s.public_url.clone(),
            pending_reminder: s.pending_reminder,
            private_webhooks: s.allow_private_webhooks,
        });
    if let Some(path) = &s.advisor_prices {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let prices = tierdesk_core::trusted_advisor::Prices::parse(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        app = app.with_advisor_prices(prices);
    }
    app = app.with_health_history(s.health_history);
    // Mail: notices are written only when someone takes them (see `notify`).
    let smtp = match (&s.smtp_url, &s.mail_from) {
        (Some(url), Some(from)) => {
            let transport =
                tierdesk_server::mail_sender::transport(url, s.smtp_ca_file.as_deref())?;
            let settings = tierdesk_app::notify::MailSettings::new(from)
                .ok_or_else(|| anyhow::anyhow!("--mail-from '{from}' is not an email address"))?;
            app = app.with_mail(settings);
            Some(transport)
        }
        _ => None,
    };
    let demo = if s.demo {
        let key = app
            .ensure_demo()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let people = app
            .ensure_demo_people()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Some((key, people))
    } else {
        None
    };
    app.check_rollup_basis()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Every replica runs the workers: the breach worker's events happen once by
    // construction, and the rollup and housekeeping passes are idempotent.
    tokio::spawn(
        app.clone()
            .run_sla_worker(Duration::from_millis(s.sla_tick_ms.max(10))),
    );
    // A changed day is read from its cases until folded: a second is soon enough.
    tokio::spawn(app.clone().run_rollup_worker(Duration::from_secs(1)));
    tokio::spawn(app.clone().run_housekeeping(Duration::from_secs(60)));
    tokio::spawn(
        app.clone()
            .run_advisor_worker(Duration::from_secs(1), s.advisor_refresh_every),
    );
    let webhooks = tierdesk_server::webhook_sender::Clients::new(s.webhook_ca_file.as_deref())?;
    tokio::spawn(tierdesk_server::webhook_sender::run(
        app.clone(),
        webhooks,
        Duration::from_millis(500),
    ));
    if let Some(addr) = s.lmtp_listen {
        let listener = tierdesk_server::bind(addr).await?;
        println!("Receiving mail over LMTP at {}", listener.local_addr()?);
        tokio::spawn(tierdesk_server::mail_in::serve_lmtp(
            listener,
            app.clone(),
            s.mail_max_bytes,
        ));
    }
    // Notices go out by mail when there is an SMTP server, and to people's own webhooks.
    tokio::spawn(tierdesk_server::mail_sender::run(
        app.clone(),
        smtp,
        Duration::from_millis(500),
    ));
    let mut state = tierdesk_server::AppState::new(app);
    state.secure_cookies = s.secure_cookies;
    state.trusted_proxies = s.trusted_proxy;
    state.public_origin = s.public_url;
    state.metrics_token = s.metrics_token.filter(|t| !t.is_empty());
    let db = setup::redact(&g.database);
    let connections = tierdesk_server::ConnectionLimits {
        max_connections: s.max_connections.max(1),
        header_read: Duration::from_secs(s.header_timeout.max(1)),
        request: Duration::from_secs(s.request_timeout.max(1)),
    };
    if let Some(addr) = s.metrics_listen {
        let listener = tierdesk_server::bind(addr).await?;
        println!("Metrics at http://{}/metrics", listener.local_addr()?);
        tokio::spawn(tierdesk_server::serve_router(
            listener,
            tierdesk_server::metrics_router(state.clone()),
            connections,
        ));
    }
    tierdesk_server::serve(state, s.listen, connections, |addr| {
        println!("Tierdesk is listening on http://{addr} (database {db})");
        if let Some((k, people)) = &demo {
            println!(
                "\nDemo account {} (Demo Corp, plan aws.enterprise_2025). Its access key:\n\n  \
                 export AWS_ACCESS_KEY_ID={} AWS_SECRET_ACCESS_KEY={} AWS_DEFAULT_REGION=us-east-1\n  \
                 aws support describe-severity-levels --endpoint-url http://{addr}\n",
                k.account_id, k.access_key_id, k.secret_access_key
            );
            println!("The console, http://{addr}/console, with these demo people:\n");
            for p in people {
                println!("  {:<9} {:<26} password {}", p.role, p.email, p.password);
            }
            println!();
        }
    })
    .await
}

async fn account(g: &Global, cmd: AccountCmd) -> anyhow::Result<()> {
    let app = setup::app(g, Limits::default()).await?;
    let e = |e: tierdesk_app::ServiceError| anyhow::anyhow!("{e}");
    match cmd {
        AccountCmd::Create {
            id,
            name,
            plan,
            customer,
            force,
            json,
        } => {
            let CustomerArgs {
                timezone,
                country,
                language,
            } = customer;
            let warnings = app
                .create_account(
                    &operator(),
                    NewAccount {
                        id: id.clone(),
                        name,
                        plan,
                        timezone,
                        country,
                        language,
                        force,
                    },
                )
                .await
                .map_err(e)?;
            warn_all(&warnings);
            let view = app.account_view(&id).await.map_err(e)?;
            if json {
                print_json(&account_json(&view))?;
            } else {
                println!(
                    "created account {} ({}) on plan {}",
                    view.account.id, view.account.name, view.plan_id
                );
            }
        }
        AccountCmd::SetPlan {
            id,
            plan,
            effective,
            force,
        } => {
            let warnings = app
                .set_plan(&operator(), &id, &plan, effective, force)
                .await
                .map_err(e)?;
            warn_all(&warnings);
            let view = app.account_view(&id).await.map_err(e)?;
            println!(
                "account {} is on {} today; plan history: {}",
                id,
                view.plan_id,
                view.history
                    .iter()
                    .map(|h| format!("{} from {}", h.plan_id, h.effective_from))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        AccountCmd::List { json } => {
            let views = app.account_views().await.map_err(e)?;
            if json {
                print_json(&Value::Array(views.iter().map(account_json).collect()))?;
            } else {
                println!(
                    "{:<20} {:<28} {:<26} {:<20} KEYS",
                    "ID", "NAME", "PLAN", "TIMEZONE"
                );
                for v in &views {
                    let active = v.keys.iter().filter(|k| k.revoked.is_none()).count();
                    println!(
                        "{:<20} {:<28} {:<26} {:<20} {}",
                        v.account.id, v.account.name, v.plan_id, v.account.timezone, active
                    );
                }
            }
        }
        AccountCmd::SetRegions { id, regions, json } => {
            app.set_account_regions(&operator(), &id, &regions)
                .await
                .map_err(e)?;
            let now = app.account_regions(&id).await.map_err(e)?;
            if json {
                print_json(&serde_json::json!({"accountId": id, "regions": now}))?;
            } else {
                match now {
                    Some(r) => println!("account {id}: regions {}", r.join(",")),
                    None => {
                        println!("account {id}: regions not known (every region's public events)")
                    }
                }
            }
        }
        AccountCmd::SetPayer { id, payer, none: _ } => {
            return billing::set_payer(g, &id, payer.as_deref()).await;
        }
        AccountCmd::SetTam { id, tam, none: _ } => {
            app.set_tam(&operator(), &id, tam.as_deref())
                .await
                .map_err(e)?;
            match app.tam_of(&id).await.map_err(e)? {
                Some(t) => println!("account {id}: TAM {} <{}>", t.name, t.email),
                None => println!("account {id}: no TAM"),
            }
        }
        AccountCmd::Show { id, json } => {
            let v = app.account_view(&id).await.map_err(e)?;
            if json {
                print_json(&account_json(&v))?;
            } else {
                let a = &v.account;
                println!(
                    "{} {}\n  plan: {} ({})",
                    a.id,
                    a.name,
                    v.plan_id,
                    v.plan
                        .as_ref()
                        .map_or("not in the loaded catalogs", |p| p.name.as_str())
                );
                println!(
                    "  zone: {}, country: {}, language: {}",
                    a.timezone, a.country, a.language
                );
                println!("  plan history:");
                for h in &v.history {
                    println!(
                        "    {} from {}{}",
                        h.plan_id,
                        h.effective_from,
                        if h.forced { " (forced)" } else { "" }
                    );
                }
                println!("  keys:");
                for k in &v.keys {
                    let state = k.revoked.map_or("active".to_string(), |t| {
                        format!("revoked {}", format_millis(t))
                    });
                    println!("    {} {} ({state})", k.access_key_id, k.principal);
                }
            }
        }
    }
    Ok(())
}

fn account_json(v: &AccountView) -> Value {
    json!({
        "id": v.account.id,
        "name": v.account.name,
        "plan": v.plan_id,
        "plan_known": v.plan.is_some(),
        "timezone": v.account.timezone,
        "country": v.account.country,
        "language": v.account.language,
        "created": format_millis(v.account.created),
        "plan_history": v.history.iter().map(|h| json!({
            "plan": h.plan_id,
            "effective_from": h.effective_from.to_string(),
            "assigned_at": format_millis(h.assigned_at),
            "forced": h.forced,
        })).collect::<Vec<_>>(),
        "keys": v.keys.iter().map(|k| json!({
            "access_key_id": k.access_key_id,
            "principal": k.principal,
            "created": format_millis(k.created),
            "revoked": k.revoked.map(format_millis),
        })).collect::<Vec<_>>(),
    })
}

async fn key(g: &Global, cmd: KeyCmd) -> anyhow::Result<()> {
    let app = setup::app(g, Limits::default()).await?;
    let e = |e: tierdesk_app::ServiceError| anyhow::anyhow!("{e}");
    match cmd {
        KeyCmd::Create {
            account,
            principal,
            json,
        } => {
            let k = app
                .create_key(&operator(), &account, &principal)
                .await
                .map_err(e)?;
            if json {
                print_json(&json!({
                    "access_key_id": k.access_key_id,
                    "secret_access_key": k.secret_access_key,
                }))?;
            } else {
                println!("access key id:     {}", k.access_key_id);
                println!("secret access key: {}", k.secret_access_key);
                println!("(the secret is not shown again)");
            }
        }
        KeyCmd::Revoke { access_key_id } => {
            app.revoke_key(&operator(), &access_key_id)
                .await
                .map_err(e)?;
            println!("revoked {access_key_id}");
        }
    }
    Ok(())
}

fn plans(g: &Global, cmd: PlansCmd) -> anyhow::Result<()> {
    let catalog = setup::load_catalog(&g.catalog)?;
    let today = today_in(SystemClock.now(), "UTC");
    match cmd {
        PlansCmd::Advise(args) => billing::advise_cmd(g, args)?,
        PlansCmd::List { json } => {
            if json {
                print_json(&Value::Array(
                    catalog
                        .plans
                        .iter()
                        .map(|p| plan_json(&catalog, p, today))
                        .collect(),
                ))?;
            } else {
                println!(
                    "{:<26} {:<38} {:<15} {:<4} FIRST RESPONSE",
                    "ID", "NAME", "STATUS", "API"
                );
                for p in &catalog.plans {
                    let targets: Vec<String> = p
                        .case_severities()
                        .iter()
                        .filter_map(|l| {
                            p.case_target(&l.code)
                                .map(|t| format!("{} {}", l.code, minutes(t.minutes)))
                        })
                        .collect();
                    println!(
                        "{:<26} {:<38} {:<15} {:<4} {}",
                        p.id,
                        truncate(&p.name, 38),
                        p.lifecycle(today).as_str(),
                        if p.support_api { "yes" } else { "no" },
                        if targets.is_empty() {
                            "-".into()
                        } else {
                            targets.join(", ")
                        }
                    );
                }
            }
        }
        PlansCmd::Show { id, json } => {
            let p = catalog
                .plan(&id)
                .with_context(|| format!("no plan '{id}' (see `tierdesk plans list`)"))?;
            let v = plan_json(&catalog, p, today);
            if json {
                print_json(&v)?;
            } else {
                println!("{} — {} [{}]", p.id, p.name, p.lifecycle(today).as_str());
                if !p.summary.is_empty() {
                    println!("  {}", p.summary);
                }
                println!("  channels: {}", p.channels.join(", "));
                println!("  first response:");
                for t in &p.targets {
                    let level = p.scale.levels.iter().find(|l| l.code == t.severity);
                    println!(
                        "    {:<10} {:<32} {:>7}  {} on {} ({}){}",
                        t.severity,
                        level.map_or("", |l| l.name.as_str()),
                        minutes(t.minutes),
                        t.kind.as_str().replace('_', " "),
                        t.clock,
                        t.channel,
                        if t.disputed_by.is_empty() {
                            String::new()
                        } else {
                            format!(" disputed by {}", t.disputed_by.join(", "))
                        }
                    );
                }
                println!(
                    "  Support API: {}; TAM: {}; advisor: {}",
                    if p.support_api { "yes" } else { "no" },
                    p.tam,
                    p.advisor
                );
                if let Some(cap) = p.monthly_case_cap {
                    println!("  at most {cap} cases a month");
                }
                if let Some(e) = &p.urgent_escalation {
                    println!(
                        "  {} urgent escalations a month, answered within {}",
                        e.per_month,
                        minutes(e.within_minutes)
                    );
                }
                println!("  fee: {}", v["fee"]["description"].as_str().unwrap_or(""));
                for n in &p.notes {
                    println!("  note: {n}");
                }
            }
        }
    }
    Ok(())
}

/// False for an embedded database that has not been created yet (PostgreSQL: always true).
fn database_exists(g: &Global) -> bool {
    setup::sqlite_path(&g.database).is_none_or(|p| p.exists())
}

/// The holidays imported into the database for `country`; none when the embedded
/// database does not exist yet (a what-if needs no database).
async fn imported_holidays(
    g: &Global,
    country: &str,
) -> anyhow::Result<Vec<tierdesk_core::holidays::Holiday>> {
    if !database_exists(g) {
        return Ok(Vec::new());
    }
    let store = setup::open_store(g).await?;
    Ok(store
        .holidays(country)
        .await?
        .into_iter()
        .map(|(_, h)| h)
        .collect())
}

async fn holidays(g: &Global, cmd: HolidaysCmd) -> anyhow::Result<()> {
    init_logging(tracing::Level::WARN);
    match cmd {
        HolidaysCmd::Import { file, country } => {
            tierdesk_core::account::check_country(&country).map_err(anyhow::Error::msg)?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let source = file.display().to_string();
            let parsed = tierdesk_core::holidays::parse_ics(&source, &text)?;
            if parsed.is_empty() {
                anyhow::bail!("{source} holds no events");
            }
            let (first, last) = (
                parsed.iter().map(|h| h.date).min(),
                parsed.iter().map(|h| h.date).max(),
            );
            let n = parsed.len();
            let name = file
                .file_name()
                .map_or(source.clone(), |n| n.to_string_lossy().into_owned());
            let audit = operator().did(
                SystemClock.now(),
                Action::HolidaysImport,
                None,
                format!("holidays:{country}"),
                format!("{n} closed days from {name}"),
            );
            setup::open_store(g)
                .await?
                .replace_holidays(&country, &name, parsed, audit)
                .await?;
            println!(
                "imported {n} closed days for {country} from {name} ({} to {})",
                first.map(|d| d.to_string()).unwrap_or_default(),
                last.map(|d| d.to_string()).unwrap_or_default()
            );
        }
        HolidaysCmd::List { country, json } => {
            tierdesk_core::account::check_country(&country).map_err(anyhow::Error::msg)?;
            let mut all: Vec<(String, tierdesk_core::holidays::Holiday)> =
                tierdesk_core::holidays::shipped(&country)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|h| ("shipped".to_string(), h))
                    .collect();
            if database_exists(g) {
                all.extend(setup::open_store(g).await?.holidays(&country).await?);
            }
            all.sort_by_key(|(_, h)| (h.date, h.from));
            let hhmm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
            if json {
                print_json(&Value::Array(
                    all.iter()
                        .map(|(src, h)| json!({"date": h.date.to_string(), "from": hhmm(h.from), "to": hhmm(h.to), "name": h.name, "source": src}))
                        .collect(),
                ))?;
            } else {
                for (src, h) in &all {
                    println!(
                        "{}  {}-{}  {}  ({src})",
                        h.date,
                        hhmm(h.from),
                        hhmm(h.to),
                        h.name
                    );
                }
            }
        }
    }
    Ok(())
}

async fn sla(g: &Global, cmd: SlaCmd) -> anyhow::Result<()> {
    match cmd {
        SlaCmd::Report(args) => {
            init_logging(tracing::Level::WARN);
            operators::report(g, args).await
        }
        SlaCmd::Due(args) => sla_due(g, args).await,
    }
}

async fn sla_due(g: &Global, args: DueArgs) -> anyhow::Result<()> {
    let DueArgs {
        plan,
        severity,
        channel,
        escalated,
        opened_at,
        customer,
        holidays,
        json,
    } = args;
    let CustomerArgs {
        timezone,
        country,
        language,
    } = customer;
    let catalog = setup::load_catalog(&g.catalog)?;
    tierdesk_core::account::check_timezone(&timezone).map_err(anyhow::Error::msg)?;
    tierdesk_core::account::check_country(&country).map_err(anyhow::Error::msg)?;
    let opened = tierdesk_core::time::parse_instant(&opened_at).with_context(|| {
        format!(
            "--opened-at '{opened_at}' is not an RFC 3339 time such as 2026-11-20T16:00:00+09:00"
        )
    })?;
    let mut extra = imported_holidays(g, &country).await?;
    for path in &holidays {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        extra.extend(tierdesk_core::holidays::parse_ics(
            &path.display().to_string(),
            &text,
        )?);
    }
    let customer = tierdesk_core::sla::Customer {
        timezone: &timezone,
        country: &country,
        language: &language,
    };
    let request = tierdesk_core::sla::Request {
        channel: &channel,
        severity: &severity,
        escalated,
    };
    let d =
        tierdesk_core::sla::first_response_due(&catalog, &plan, request, opened, &customer, &extra)
            .map_err(anyhow::Error::msg)?;
    warn_all(&d.warnings);
    let zone = tierdesk_core::time::zone(&d.zone);
    let local = |t: jiff::Timestamp| {
        t.to_zoned(zone.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    };
    if json {
        print_json(&json!({
            "plan": d.plan,
            "severity": d.severity,
            "severity_name": d.severity_name,
            "target_minutes": d.minutes,
            "clock": d.clock,
            "business_hours": d.business_hours,
            "zone": d.zone,
            "holidays_of": d.holidays_of,
            "opened_at": format_millis(d.opened_at),
            "due": format_millis(d.due),
            "due_local": local(d.due),
            "warnings": d.warnings,
        }))?;
    } else {
        let clock = if d.business_hours {
            format!(
                "business hours on {} in {}{}",
                d.clock,
                d.zone,
                d.holidays_of
                    .as_ref()
                    .map_or(String::new(), |c| format!(", {c} public holidays closed"))
            )
        } else {
            "24x7".to_string()
        };
        println!(
            "first response due {} ({}): {} for {} ({}), counted {clock}",
            local(d.due),
            format_millis(d.due),
            minutes(d.minutes),
            d.severity,
            d.severity_name
        );
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

fn minutes(m: u32) -> String {
    match (m / 60, m % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

fn fee_description(p: &Plan) -> String {
    match &p.fee.model {
        FeeModel::Free => "free".into(),
        FeeModel::Contract => "by contract".into(),
        FeeModel::Tiered { minimum, bands } => {
            let mut lower = rust_decimal::Decimal::ZERO;
            let parts: Vec<String> = bands
                .iter()
                .map(|b| {
                    let pct = b.rate * rust_decimal::Decimal::ONE_HUNDRED;
                    let s = match b.up_to {
                        Some(u) => format!("{}% of {}–{}", pct.normalize(), lower, u),
                        None if lower.is_zero() => format!("{}% of usage", pct.normalize()),
                        None => format!("{}% above {}", pct.normalize(), lower),
                    };
                    if let Some(u) = b.up_to {
                        lower = u;
                    }
                    s
                })
                .collect();
            format!(
                "greater of {} {} or {}",
                minimum,
                p.currency,
                parts.join(" + ")
            )
        }
        FeeModel::FixedPlusUsage {
            fixed,
            rate,
            fixed_is,
        } => {
            let pct = (*rate * rust_decimal::Decimal::ONE_HUNDRED).normalize();
            match fixed_is {
                FixedIs::Base => format!("{fixed} {} a month plus {pct}% of usage", p.currency),
                FixedIs::Minimum => format!("greater of {fixed} {} or {pct}% of usage", p.currency),
            }
        }
    }
}

fn plan_json(catalog: &Catalog, p: &Plan, today: jiff::civil::Date) -> Value {
    let clock = |id: &str| {
        catalog.calendar(id).map_or(json!(id), |c| match &c.kind {
            tierdesk_core::catalog::CalendarKind::Continuous => json!({"id": c.id, "kind": "24x7"}),
            tierdesk_core::catalog::CalendarKind::Weekly {
                open, close, days, ..
            } => json!({
                "id": c.id, "kind": "business_hours",
                "days": days.iter().map(|d| format!("{d:?}")).collect::<Vec<_>>(),
                "open": open.strftime("%H:%M").to_string(),
                "close": close.map_or("24:00".to_string(), |c| c.strftime("%H:%M").to_string()),
            }),
        })
    };
    json!({
        "id": p.id,
        "provider": p.provider,
        "name": p.name,
        "summary": p.summary,
        "currency": p.currency,
        "status": p.lifecycle(today).as_str(),
        "on_sale": p.lifecycle(today) == tierdesk_core::catalog::Lifecycle::OnSale,
        "sold_until": p.sold_until.map(|d| d.to_string()),
        "discontinued_on": p.discontinued_on.map(|d| d.to_string()),
        "channels": p.channels,
        "technical_cases": p.technical_cases,
        "case_contacts": p.case_contacts,
        "monthly_case_cap": p.monthly_case_cap,
        "urgent_escalation": p.urgent_escalation.as_ref().map(|e| json!({"per_month": e.per_month, "within_minutes": e.within_minutes})),
        "support_api": p.support_api,
        "advisor": p.advisor,
        "tam": p.tam,
        "engagements": p.engagements.iter().map(|e| json!({"name": e.name, "mode": e.mode, "per_year": e.per_year, "per_month": e.per_month, "note": e.note})).collect::<Vec<_>>(),
        "severities": p.case_severities().iter().map(|l| json!({"code": l.code, "name": l.name, "rank": l.rank, "description": l.description})).collect::<Vec<_>>(),
        "targets": p.targets.iter().map(|t| json!({
            "kind": t.kind.as_str(), "channel": t.channel, "severity": t.severity, "minutes": t.minutes, "clock": clock(&t.clock),
            "confidence": t.confidence, "sources": t.sources, "disputed_by": t.disputed_by, "note": t.note,
        })).collect::<Vec<_>>(),
        "fee": {
            "description": fee_description(p),
            "scope": match p.fee.scope { BillingScope::PerAccount => "per_account", BillingScope::AggregateEnrolled => "aggregate_enrolled" },
            "min_term_days": p.fee.min_term_days,
            "refundable": p.fee.refundable,
            "note": p.fee.note,
        },
        "sources": p.sources,
        "notes": p.notes,
    })
}
