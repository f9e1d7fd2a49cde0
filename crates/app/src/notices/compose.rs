//! What a notice says to each reader: one letter per reader, in their language and zone,
//! written as an outline; a letter becomes a mail (plain text and HTML, threaded on the
//! case, with a link that unsubscribes that reader from what it tells them) or a message
//! to the reader's own webhook (JSON whose `text` reads like the mail, so chat tools that
//! take a `text` field show it as it is).

use std::collections::HashMap;

use jiff::Timestamp;
use rust_decimal::Decimal;
use sha2::Digest;
use tierdesk_core::catalog::TargetKind;
use tierdesk_core::notice::{NoticeKind, Topic};
use tierdesk_core::records::{Account, Case, CaseStatus, Invoice, SlaEvent};
use tierdesk_core::trusted_advisor::CheckStatus;
use tierdesk_store::{ClaimedNotice, NoticeSubject};

use super::people::{self, Reader, Side};
use crate::notify::MailSettings;
use crate::{App, ServiceError};

/// One mail, ready for an SMTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// `<...@domain>`: the same on every attempt, so a copy sent twice shows once.
    pub message_id: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The thread (`<case-id@domain>`, or the account's for its invoices), for
    /// In-Reply-To and References: every mail about a case answers it, so mail clients
    /// group them.
    pub thread: String,
    pub language: &'static str,
    /// When it was written (the Date header).
    pub date: Timestamp,
    /// Where the reader unsubscribes from what the mail tells them (RFC 8058's one-click
    /// List-Unsubscribe), when the console has a public address.
    pub unsubscribe: Option<String>,
}

/// What a notice reports, read when it is sent.
enum News {
    Opened,
    Replied {
        by: String,
        body: String,
        files: Vec<String>,
    },
    Pending {
        since: Timestamp,
    },
    Resolved,
    Sla {
        breach: bool,
        target: TargetKind,
        due: Timestamp,
    },
    Invoice(Invoice),
    Advisor(AdvisorStanding),
    Health(HealthNews),
}

/// A Health event as it reads after the change a notice tells of, and what it does to
/// the reader's account.
struct HealthNews {
    event: tierdesk_core::health::Event,
    description: String,
    /// The account's affected resources: the first ones (as many as a webhook event
    /// lists), and how many in all.
    entities: Vec<tierdesk_core::health::Entity>,
    affected: i64,
}

/// The most affected resources a Health letter names.
const LETTER_ENTITIES: usize = 10;

/// Where an account's Trusted Advisor stands, for its weekly summary.
struct AdvisorStanding {
    /// Checks by status.
    red: usize,
    yellow: usize,
    green: usize,
    /// Resources flagged and not suppressed, across checks.
    flagged: u64,
    savings: Decimal,
    /// Resources newly flagged, and fixed, since the last summary.
    opened: usize,
    fixed: usize,
    since: Timestamp,
    /// The worst checks: the check, its status and resources flagged.
    worst: Vec<(
        &'static tierdesk_core::trusted_advisor::CheckDef,
        CheckStatus,
        u64,
    )>,
}

/// The most checks a summary names.
const SUMMARY_CHECKS: usize = 5;

/// A notice as its readers will read it.
pub(super) struct Letters {
    pub case: Option<Case>,
    pub account: Account,
    pub letters: Vec<Letter>,
    /// What a webhook message carries beside the letter: a Health notice's EventBridge
    /// "AWS Health Event", so tools that read AWS's events read it.
    pub event: Option<serde_json::Value>,
}

/// One reader's letter, before it becomes a mail or a webhook message.
pub(super) struct Letter {
    pub reader: Reader,
    pub subject: String,
    /// Where the console shows what it is about, when the console has a public address.
    pub link: Option<String>,
    /// The outline, without the mail's footer.
    doc: Doc,
}

/// The letters a notice owes now (`None` when its news is moot: the case or invoice is
/// gone or changed, the customer answered; no letter when nobody takes it).
pub(super) async fn letters(
    app: &App,
    notice: &ClaimedNotice,
    hooks: &HashMap<String, String>,
) -> Result<Option<Letters>, ServiceError> {
    let (case, account) = match &notice.about {
        NoticeSubject::Case(display_id) => {
            let Some(case) = app.store.case_by_display_id(*display_id).await? else {
                return Ok(None);
            };
            let account = app.account(&case.account_id).await?;
            (Some(case), account)
        }
        NoticeSubject::Account(id) => (None, app.account(id).await?),
    };
    let Some(news) = news(app, notice, case.as_ref(), &account).await? else {
        return Ok(None);
    };
    let mail = app.mail_settings().is_some();
    let readers = people::readers(app, notice.kind, case.as_ref(), &account, mail, hooks).await?;
    let mut letters = Vec::with_capacity(readers.len());
    for reader in readers {
        let w = Writer {
            app,
            account: &account,
            side: reader.side,
            ja: reader.language == "ja",
            zone: &reader.zone,
        };
        let (subject, doc, link) = match (&news, &case) {
            (News::Invoice(invoice), _) => w.invoice(invoice),
            (News::Advisor(standing), _) => w.advisor(standing),
            (News::Health(h), _) => w.health(h),
            (news, Some(case)) => w.case(case, notice.kind, news),
            // A case notice always has its case.
            (_, None) => continue,
        };
        letters.push(Letter {
            reader,
            subject,
            link,
            doc,
        });
    }
    let event = match &news {
        News::Health(h) => Some(crate::payloads::health_event(
            &h.event,
            &h.description,
            &account.id,
            &h.entities,
            &notice.subject_ref,
        )),
        _ => None,
    };
    Ok(Some(Letters {
        case,
        account,
        letters,
        event,
    }))
}

/// A letter as a mail, with its footer: why the reader receives it and the link that
/// stops it.
pub(super) fn mail(
    app: &App,
    settings: &MailSettings,
    notice: &ClaimedNotice,
    letters: &Letters,
    letter: &Letter,
) -> Result<Mail, ServiceError> {
    let r = &letter.reader;
    let unsubscribe = match &app.notice_settings().console_url {
        Some(base) => Some(format!(
            "{}/console/unsubscribe?t={}",
            base.trim_end_matches('/'),
            app.unsubscribe_token(&r.email, r.topic)?
        )),
        None => None,
    };
    let w = Writer {
        app,
        account: &letters.account,
        side: r.side,
        ja: r.language == "ja",
        zone: &r.zone,
    };
    let mut doc = Doc {
        blocks: Vec::with_capacity(letter.doc.blocks.len() + 1),
    };
    doc.blocks.extend(letter.doc.blocks.iter().cloned());
    doc.push(w.footer(r.copied, r.topic, unsubscribe.as_deref()));
    // What the mail is about names its thread; the reader is in the id, so a retry after
    // a partial failure knows its mails.
    let about = match &letters.case {
        Some(case) => case.case_id.clone(),
        None => format!(
            "account-{}",
            hex::encode(&sha2::Sha256::digest(letters.account.id.as_bytes())[..8])
        ),
    };
    let reader = hex::encode(&sha2::Sha256::digest(r.email.to_lowercase().as_bytes())[..6]);
    Ok(Mail {
        message_id: format!("<{about}.n{}.{reader}@{}>", notice.id, settings.domain),
        from: settings.from.clone(),
        to: r.email.clone(),
        subject: letter.subject.clone(),
        text: doc.text(),
        html: doc.html(r.language),
        thread: format!("<{about}@{}>", settings.domain),
        language: r.language,
        date: app.clock.now(),
        unsubscribe,
    })
}

/// A letter as the JSON its reader's own webhook receives.
pub(super) fn hook_message(
    notice: &ClaimedNotice,
    letters: &Letters,
    letter: &Letter,
    at: Timestamp,
) -> String {
    let r = &letter.reader;
    let case = letters.case.as_ref().map(|c| {
        serde_json::json!({
            "caseId": c.case_id,
            "displayId": c.display_id.to_string(),
            "subject": c.subject,
            "severityCode": c.severity_code,
            "status": c.status.as_str(),
        })
    });
    let mut message = serde_json::json!({
        "id": hook_event_key(notice),
        "type": notice.kind.as_str(),
        "topic": r.topic.as_str(),
        "sentAt": at.to_string(),
        "recipient": r.email,
        "language": r.language,
        "account": {"id": letters.account.id, "name": letters.account.name},
        "case": case,
        "url": letter.link,
        "subject": letter.subject,
        "text": format!("{}\n\n{}", letter.subject, letter.doc.text()),
    });
    if let (Some(event), Some(m)) = (&letters.event, message.as_object_mut()) {
        m.insert("event".into(), event.clone());
    }
    message.to_string()
}

/// The event id of a notice's webhook messages: one per notice and webhook.
pub(super) fn hook_event_key(notice: &ClaimedNotice) -> String {
    format!("notice-{}", notice.id)
}

/// The news a notice reports, or `None` when it no longer holds: a reminder after the
/// customer answered or the status moved on, a warning for a target since met.
async fn news(
    app: &App,
    notice: &ClaimedNotice,
    case: Option<&Case>,
    account: &Account,
) -> Result<Option<News>, ServiceError> {
    if notice.kind == NoticeKind::InvoiceReady {
        return invoice_news(app, notice, account).await;
    }
    if notice.kind == NoticeKind::AdvisorSummary {
        return advisor_news(app, notice, account).await;
    }
    if notice.kind == NoticeKind::HealthEvent {
        return health_news(app, notice, account).await;
    }
    let Some(case) = case else {
        return Ok(None);
    };
    Ok(match notice.kind {
        NoticeKind::InvoiceReady | NoticeKind::AdvisorSummary | NoticeKind::HealthEvent => None,
        NoticeKind::CaseOpened => Some(News::Opened),
        NoticeKind::CaseResolved => Some(News::Resolved),
        NoticeKind::SupportReplied => {
            let id = notice.subject_ref.parse::<i64>().ok();
            match id {
                Some(id) => app.store.communication(id).await?.map(|m| News::Replied {
                    by: m.submitted_by,
                    body: m.body,
                    files: m.attachments.into_iter().map(|a| a.file_name).collect(),
                }),
                None => None,
            }
        }
        NoticeKind::PendingReminder => {
            let since = notice
                .subject_ref
                .parse::<i64>()
                .ok()
                .map(tierdesk_core::time::from_micros);
            let updated = app.store.case_updated(case.display_id).await?;
            match since {
                Some(since)
                    if case.status == CaseStatus::PendingCustomerAction
                        && updated == Some(since) =>
                {
                    Some(News::Pending { since })
                }
                _ => None,
            }
        }
        NoticeKind::SlaWarning | NoticeKind::SlaBreach => {
            let Some((target, seq)) = SlaEvent::target_of_key(&notice.subject_ref) else {
                return Ok(None);
            };
            let breach = notice.kind == NoticeKind::SlaBreach;
            let t = app
                .store
                .case_targets(case.display_id)
                .await?
                .into_iter()
                .find(|t| t.kind == target && t.seq == seq);
            match t {
                // A warning about a target met or stopped since is old news.
                Some(t) if breach || t.stopped.is_none() => Some(News::Sla {
                    breach,
                    target,
                    due: t.due,
                }),
                _ => None,
            }
        }
    })
}

/// The invoice a notice announces, if it still stands as announced (a bill run since may
/// have changed it: its own notice tells of that).
async fn invoice_news(
    app: &App,
    notice: &ClaimedNotice,
    account: &Account,
) -> Result<Option<News>, ServiceError> {
    let mut parts = notice.subject_ref.split(' ');
    let (Some(month), Some(total)) = (parts.next(), parts.next()) else {
        return Ok(None);
    };
    let invoice = app
        .store
        .invoices(Some(&account.id), Some(month))
        .await?
        .into_iter()
        .next();
    Ok(invoice
        .filter(|i| total.parse::<Decimal>().is_ok_and(|t| t == i.total))
        .map(News::Invoice))
}

/// The event a Health notice tells of, as it now reads; `None` when the account has a
/// notice of a later change (that one tells the event as it then reads, so a burst of
/// revisions during an outage is one mail, not one per revision).
async fn health_news(
    app: &App,
    notice: &ClaimedNotice,
    account: &Account,
) -> Result<Option<News>, ServiceError> {
    let Some((arn, _)) = tierdesk_core::health::parse_notice_ref(&notice.subject_ref) else {
        return Ok(None);
    };
    if app
        .store
        .later_health_notice(&account.id, &notice.subject_ref)
        .await?
    {
        return Ok(None);
    }
    let Some(event) = app
        .store
        .health_events_by_arn(&[arn.to_string()])
        .await?
        .pop()
    else {
        return Ok(None);
    };
    let description = app
        .store
        .health_descriptions(arn)
        .await?
        .pop()
        .map(|r| r.text)
        .unwrap_or_default();
    let mine = Some(std::slice::from_ref(&account.id));
    let affected = app
        .store
        .health_entity_counts(&[arn.to_string()], mine)
        .await?
        .iter()
        .map(|c| c.count)
        .sum();
    let entities = app
        .store
        .health_entities(&tierdesk_store::HealthEntityQuery {
            event_arns: vec![arn.to_string()],
            accounts: Some(vec![account.id.clone()]),
            limit: crate::payloads::HOOK_ENTITIES,
            ..Default::default()
        })
        .await?
        .items;
    Ok(Some(News::Health(HealthNews {
        event,
        description,
        entities,
        affected,
    })))
}

/// Where the account's advisor stands now, and what changed since the time the notice
/// names (the results the weekly pass replaced). Nothing when no check has a result.
async fn advisor_news(
    app: &App,
    notice: &ClaimedNotice,
    account: &Account,
) -> Result<Option<News>, ServiceError> {
    let since = notice
        .subject_ref
        .parse::<i64>()
        .ok()
        .and_then(|us| Timestamp::from_microsecond(us).ok())
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let (views, changes) = app.advisor_standing(account, since).await?;
    if views.iter().all(|v| v.result.is_none()) {
        return Ok(None);
    }
    let mut s = AdvisorStanding {
        red: 0,
        yellow: 0,
        green: 0,
        flagged: 0,
        savings: Decimal::ZERO,
        opened: changes.iter().filter(|f| f.first_seen >= since).count(),
        fixed: changes.iter().filter(|f| f.resolved.is_some()).count(),
        since,
        worst: Vec::new(),
    };
    let mut worst = Vec::new();
    for v in &views {
        let status = v.status();
        let counts = v.counts();
        match status {
            CheckStatus::Error => s.red += 1,
            CheckStatus::Warning => s.yellow += 1,
            CheckStatus::Ok => s.green += 1,
            CheckStatus::NotAvailable => continue,
        }
        s.flagged += counts.flagged;
        s.savings += counts.savings;
        if matches!(status, CheckStatus::Error | CheckStatus::Warning) {
            worst.push((v.check, status, counts.flagged));
        }
    }
    worst.sort_by_key(|(check, status, flagged)| {
        (
            *status != CheckStatus::Error,
            std::cmp::Reverse(*flagged),
            check.name,
        )
    });
    worst.truncate(SUMMARY_CHECKS);
    s.worst = worst;
    Ok(Some(News::Advisor(s)))
}

/// Writes one reader's letter.
struct Writer<'a> {
    app: &'a App,
    account: &'a Account,
    side: Side,
    ja: bool,
    zone: &'a str,
}

impl Writer<'_> {
    fn w(&self, en: impl Into<String>, ja: impl Into<String>) -> String {
        if self.ja { ja.into() } else { en.into() }
    }

    fn when(&self, t: Timestamp) -> String {
        tierdesk_core::time::local_text(t, self.zone)
    }

    fn severity(&self, case: &Case) -> String {
        let language = if self.ja { "ja" } else { "en" };
        self.app
            .catalog
            .severity_name(&case.plan_id, &case.severity_code, language)
    }

    fn target(&self, t: TargetKind) -> String {
        match t {
            TargetKind::FirstResponse => self.w("first response", "初回応答"),
            TargetKind::NextReply => self.w("next reply", "次の返信"),
            TargetKind::Update => self.w("periodic update", "定期更新"),
            TargetKind::Escalation => self.w("urgent escalation", "緊急エスカレーション"),
        }
    }

    /// The console's page at `path`, when the console has a public address.
    fn url(&self, path: &str) -> Option<String> {
        let base = self.app.notice_settings().console_url.as_deref()?;
        Some(format!("{}/console/{path}", base.trim_end_matches('/')))
    }

    fn case_url(&self, case: &Case) -> Option<String> {
        let section = match self.side {
            Side::Customer => "cases",
            Side::Staff => "queue",
        };
        self.url(&format!("{section}/{}", case.case_id))
    }

    fn facts(&self, case: &Case) -> Block {
        let mut facts = vec![
            (
                self.w("Case", "ケース"),
                format!("{} ({})", case.display_id, case.case_id),
            ),
            (self.w("Subject", "件名"), case.subject.clone()),
            (self.w("Severity", "重大度"), self.severity(case)),
        ];
        if self.side == Side::Staff {
            facts.push((
                self.w("Account", "アカウント"),
                format!("{} ({})", self.account.name, self.account.id),
            ));
            facts.push((self.w("Language", "言語"), case.language.clone()));
        }
        Block::Facts(facts)
    }

    /// The subject, outline and link of an invoice's letter.
    fn invoice(&self, invoice: &Invoice) -> (String, Doc, Option<String>) {
        let mut doc = Doc::default();
        doc.p(self.w(
            format!(
                "The support invoice of account {} for {} is ready.",
                self.account.name, invoice.month
            ),
            format!(
                "アカウント {} の {} 分のサポート請求書を発行しました。",
                self.account.name, invoice.month
            ),
        ));
        doc.push(Block::Facts(vec![
            (
                self.w("Account", "アカウント"),
                format!("{} ({})", self.account.name, self.account.id),
            ),
            (self.w("Month", "対象月"), invoice.month.clone()),
            (
                self.w("Total", "合計"),
                format!("{} {}", invoice.total, invoice.currency),
            ),
        ]));
        let link = self.url(&format!("invoices?month={}", invoice.month));
        if let Some(url) = &link {
            doc.push(Block::Link {
                label: self.w("See the invoice in the console", "コンソールで請求書を見る"),
                url: url.clone(),
            });
        }
        let subject = self.w(
            format!("Your support invoice for {} is ready", invoice.month),
            format!("{} 分のサポート請求書を発行しました", invoice.month),
        );
        (subject, doc, link)
    }

    /// The weekly Trusted Advisor summary.
    fn advisor(&self, s: &AdvisorStanding) -> (String, Doc, Option<String>) {
        let mut doc = Doc::default();
        doc.p(self.w(
            format!(
                "Trusted Advisor checked account {} again this week. Where it stands:",
                self.account.name
            ),
            format!(
                "今週、アカウント {} の Trusted Advisor チェックを再評価しました。現在の状況:",
                self.account.name
            ),
        ));
        let mut facts = vec![
            (
                self.w("Action recommended (red)", "推奨アクションあり (赤)"),
                s.red.to_string(),
            ),
            (
                self.w("Investigation recommended (yellow)", "調査を推奨 (黄)"),
                s.yellow.to_string(),
            ),
            (
                self.w("No problems detected", "問題なし"),
                s.green.to_string(),
            ),
            (
                self.w("Resources flagged", "検出されたリソース"),
                s.flagged.to_string(),
            ),
            (
                self.w(
                    format!("Newly flagged since {}", self.when(s.since)),
                    format!("{} 以降の新規検出", self.when(s.since)),
                ),
                s.opened.to_string(),
            ),
            (
                self.w(
                    format!("Fixed since {}", self.when(s.since)),
                    format!("{} 以降の解決", self.when(s.since)),
                ),
                s.fixed.to_string(),
            ),
        ];
        if !s.savings.is_zero() {
            facts.push((
                self.w("Estimated monthly savings", "月間の推定節約額"),
                format!("${:.2}", s.savings.round_dp(2)),
            ));
        }
        doc.push(Block::Facts(facts));
        if !s.worst.is_empty() {
            doc.p(self.w("Checks to look at first:", "優先して確認するチェック:"));
            doc.push(Block::Facts(
                s.worst
                    .iter()
                    .map(|(check, status, flagged)| {
                        let colour = if *status == CheckStatus::Error {
                            self.w("red", "赤")
                        } else {
                            self.w("yellow", "黄")
                        };
                        (
                            check.name_in(if self.ja { "ja" } else { "en" }).to_string(),
                            self.w(
                                format!("{colour}, {flagged} resources"),
                                format!("{colour}、{flagged} 件のリソース"),
                            ),
                        )
                    })
                    .collect(),
            ));
        }
        let link = self.url("trusted-advisor");
        if let Some(url) = &link {
            doc.push(Block::Link {
                label: self.w(
                    "Open Trusted Advisor in the console",
                    "コンソールで Trusted Advisor を開く",
                ),
                url: url.clone(),
            });
        }
        let subject = self.w(
            format!(
                "Trusted Advisor weekly summary for {}: {} red, {} yellow",
                self.account.name, s.red, s.yellow
            ),
            format!(
                "{} の Trusted Advisor 週次サマリー: 赤 {} 件、黄 {} 件",
                self.account.name, s.red, s.yellow
            ),
        );
        (subject, doc, link)
    }

    /// A Health event that names the account: what it is, where it stands, the newest
    /// description and the account's affected resources.
    fn health(&self, h: &HealthNews) -> (String, Doc, Option<String>) {
        use tierdesk_core::health::{Category, EventStatus};
        let e = &h.event;
        let types = self.app.health_types();
        let state = match e.status {
            EventStatus::Open => self.w("open", "対応中"),
            EventStatus::Upcoming => self.w("upcoming", "予定"),
            EventStatus::Closed => self.w("closed", "終了"),
        };
        let category = match e.category {
            Category::Issue => self.w("Issue", "障害"),
            Category::ScheduledChange => self.w("Scheduled change", "予定されている変更"),
            Category::AccountNotification => self.w("Account notification", "アカウント通知"),
            Category::Investigation => self.w("Investigation", "調査"),
        };
        let mut doc = Doc::default();
        doc.p(self.w(
            format!(
                "An AWS Health event affects account {} ({}). It is {state}.",
                self.account.name, self.account.id
            ),
            format!(
                "アカウント {} ({}) に影響する AWS Health イベントがあります。状態: {state}",
                self.account.name, self.account.id
            ),
        ));
        if !h.description.is_empty() {
            doc.push(Block::Quote(h.description.clone()));
        }
        let mut region = match types.region_name(&e.region) {
            name if name == e.region => name.to_string(),
            name => format!("{name} ({})", e.region),
        };
        if let Some(zone) = &e.availability_zone {
            region = format!("{region}, {zone}");
        }
        let mut facts = vec![
            (self.w("Event", "イベント"), e.title.clone()),
            (self.w("Category", "カテゴリ"), category),
            (
                self.w("Service", "サービス"),
                types.service_name(&e.service).to_string(),
            ),
            (self.w("Region", "リージョン"), region),
            (self.w("Event type", "イベントタイプ"), e.type_code.clone()),
            (self.w("Start", "開始"), self.when(e.start)),
        ];
        if let Some(end) = e.end {
            facts.push((self.w("End", "終了"), self.when(end)));
        }
        if h.affected > 0 {
            let mut named: Vec<String> = h
                .entities
                .iter()
                .take(LETTER_ENTITIES)
                .map(|x| format!("{} ({})", x.value, x.status.as_str()))
                .collect();
            let more = h.affected - named.len() as i64;
            if more > 0 {
                named.push(self.w(format!("and {more} more"), format!("ほか {more} 件")));
            }
            facts.push((
                self.w(
                    format!("Affected resources ({})", h.affected),
                    format!("影響を受けるリソース ({} 件)", h.affected),
                ),
                named.join(", "),
            ));
        }
        facts.push((self.w("Event ARN", "イベント ARN"), e.arn.clone()));
        doc.push(Block::Facts(facts));
        let link = self.url("health");
        if let Some(url) = &link {
            doc.push(Block::Link {
                label: self.w("Open Health in the console", "コンソールで Health を開く"),
                url: url.clone(),
            });
        }
        let subject = self.w(
            format!("[AWS Health] {} ({state})", e.title),
            format!("[AWS Health] {} ({state})", e.title),
        );
        (subject, doc, link)
    }

    /// The subject, outline and link of a case's letter.
    fn case(&self, case: &Case, kind: NoticeKind, news: &News) -> (String, Doc, Option<String>) {
        let tag = format!("[Case {}]", case.display_id);
        let s = &case.subject;
        let mut doc = Doc::default();
        let subject = match (self.side, news) {
            (Side::Customer, News::Opened) => {
                doc.p(self.w(
                    "We have received your support case. An engineer will answer it here and by mail.",
                    "サポートケースを受け付けました。エンジニアがコンソールとメールでご回答します。",
                ));
                doc.push(self.facts(case));
                match &case.first_response {
                    Some(fr) => doc.p(self.w(
                        format!(
                            "Your plan promises a first response by {}.",
                            self.when(fr.due)
                        ),
                        format!("初回応答の期限は {} です。", self.when(fr.due)),
                    )),
                    None => doc.p(self.w(
                        "Your plan promises no first-response time for this severity.",
                        "ご契約のプランでは、この重大度の初回応答時間は定められていません。",
                    )),
                }
                format!("{tag} {s}")
            }
            (Side::Customer, News::Replied { by, body, files }) => {
                doc.p(self.w(
                    format!("{by} from support replied to your case:"),
                    format!("サポートの {by} がケースに返信しました:"),
                ));
                doc.push(Block::Quote(body.clone()));
                if !files.is_empty() {
                    doc.push(Block::Facts(vec![(
                        self.w("Attached files", "添付ファイル"),
                        files.join(", "),
                    )]));
                }
                doc.push(self.facts(case));
                format!("Re: {tag} {s}")
            }
            (Side::Customer, News::Pending { since }) => {
                doc.p(self.w(
                    format!(
                        "Support has been waiting for your answer since {}. Please reply so that we can go on with your case.",
                        self.when(*since)
                    ),
                    format!(
                        "{} から、サポートはお客様のご返信をお待ちしています。ケースを進めるため、ご返信ください。",
                        self.when(*since)
                    ),
                ));
                doc.push(self.facts(case));
                format!("Re: {tag} {s}")
            }
            (Side::Customer, News::Resolved) => {
                doc.p(self.w(
                    "Your case has been resolved. If the problem comes back, write on the case and it reopens.",
                    "ケースは解決済みになりました。問題が再発した場合は、ケースに書き込むと再開されます。",
                ));
                doc.push(self.facts(case));
                format!("Re: {tag} {s}")
            }
            (Side::Staff, News::Opened) => {
                doc.p(self.w(
                    "A new case awaits an engineer who reads its language.",
                    "対応言語の合う新しいケースが届きました。",
                ));
                doc.push(self.facts(case));
                if let Some(fr) = &case.first_response {
                    doc.p(self.w(
                        format!("First response due {}.", self.when(fr.due)),
                        format!("初回応答の期限: {}", self.when(fr.due)),
                    ));
                }
                format!("{tag} {}{s}", self.w("New case: ", "新しいケース: "))
            }
            (
                Side::Staff,
                News::Sla {
                    breach,
                    target,
                    due,
                },
            ) => {
                let what = self.target(*target);
                if *breach {
                    doc.p(self.w(
                        format!(
                            "The case's {what} was due {} and is overdue.",
                            self.when(*due)
                        ),
                        format!(
                            "このケースの{what}は {} が期限でしたが、期限を過ぎています。",
                            self.when(*due)
                        ),
                    ));
                } else {
                    doc.p(self.w(
                        format!("The case's {what} is due {}.", self.when(*due)),
                        format!("このケースの{what}の期限は {} です。", self.when(*due)),
                    ));
                }
                doc.push(self.facts(case));
                let label = if *breach {
                    self.w("SLA breach: ", "SLA 違反: ")
                } else {
                    self.w("SLA warning: ", "SLA 警告: ")
                };
                format!("{tag} {label}{s}")
            }
            // The audiences keep customers and staff to their own news.
            (Side::Staff, _)
            | (
                Side::Customer,
                News::Sla { .. } | News::Invoice(_) | News::Advisor(_) | News::Health(_),
            ) => {
                doc.push(self.facts(case));
                format!("{tag} {s} ({})", kind.as_str())
            }
        };
        let link = self.case_url(case);
        if let Some(url) = &link {
            doc.push(Block::Link {
                label: self.w("Open the case in the console", "コンソールでケースを開く"),
                url: url.clone(),
            });
        }
        (subject, doc, link)
    }

    /// Why the reader receives the mail, and the link that stops it.
    fn footer(&self, copied: bool, topic: Topic, unsubscribe: Option<&str>) -> Block {
        let why = match (self.side, copied) {
            (Side::Customer, false) => self.w(
                format!(
                    "You receive this as a user of account {}.",
                    self.account.name
                ),
                format!(
                    "アカウント {} のユーザーとしてお送りしています。",
                    self.account.name
                ),
            ),
            (Side::Customer, true) => self.w(
                "You receive this because the case copies your address.",
                "ケースの CC 宛先としてお送りしています。",
            ),
            (Side::Staff, _) => self.w(
                "You receive this as a member of the support team.",
                "サポートチームのメンバーとしてお送りしています。",
            ),
        };
        let what = match topic {
            Topic::CaseUpdates => self.w("updates on cases", "ケースの更新"),
            Topic::NewCases => self.w("new cases in your languages", "対応言語の新しいケース"),
            Topic::SlaAlerts => self.w("SLA warnings and breaches", "SLA の警告と違反"),
            Topic::Billing => self.w("invoices", "請求書"),
            Topic::TrustedAdvisor => self.w(
                "weekly Trusted Advisor summaries",
                "Trusted Advisor の週次サマリー",
            ),
            Topic::Health => self.w(
                "AWS Health events on your account",
                "アカウントの AWS Health イベント",
            ),
        };
        let footer = match unsubscribe {
            Some(url) => format!(
                "{why} {}",
                self.w(
                    format!("Stop mail about {what}: {url}"),
                    format!("{what}のメールを停止: {url}"),
                )
            ),
            None => why,
        };
        Block::Footer(footer)
    }
}

/// A mail's outline, written out as text and as HTML.
#[derive(Debug, Default)]
struct Doc {
    blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
enum Block {
    Para(String),
    /// A message quoted whole.
    Quote(String),
    Facts(Vec<(String, String)>),
    Link {
        label: String,
        url: String,
    },
    Footer(String),
}

impl Doc {
    fn p(&mut self, text: String) {
        self.blocks.push(Block::Para(text));
    }

    fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }

    fn text(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            match b {
                Block::Para(t) => out += t,
                Block::Quote(t) => {
                    for line in t.lines() {
                        out += if line.is_empty() { ">" } else { "> " };
                        out += line;
                        out.push('\n');
                    }
                    out.pop();
                }
                Block::Facts(facts) => {
                    let lines: Vec<String> =
                        facts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    out += &lines.join("\n");
                }
                Block::Link { label, url } => out += &format!("{label}: {url}"),
                // "-- " starts a signature: mail clients grey it, and replies drop it.
                Block::Footer(t) => out += &format!("-- \n{t}"),
            }
            out += "\n\n";
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }

    fn html(&self, language: &str) -> String {
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"{language}\"><head><meta charset=\"utf-8\"></head>\
             <body style=\"font-family:sans-serif;line-height:1.5;color:#1a1a1a\">\n"
        );
        for b in &self.blocks {
            match b {
                Block::Para(t) => out += &format!("<p>{}</p>\n", escape(t)),
                Block::Quote(t) => {
                    out += &format!(
                        "<blockquote style=\"margin:0 0 1em;padding:0 1em;border-left:3px solid #c8c8c8;white-space:pre-wrap\">{}</blockquote>\n",
                        escape(t)
                    )
                }
                Block::Facts(facts) => {
                    out += "<table style=\"border-collapse:collapse;margin-bottom:1em\">\n";
                    for (k, v) in facts {
                        out += &format!(
                            "<tr><th style=\"text-align:left;padding:2px 12px 2px 0;font-weight:600\">{}</th><td>{}</td></tr>\n",
                            escape(k),
                            escape(v)
                        );
                    }
                    out += "</table>\n";
                }
                Block::Link { label, url } => {
                    out += &format!("<p><a href=\"{}\">{}</a></p>\n", escape(url), escape(label))
                }
                Block::Footer(t) => {
                    out += &format!(
                        "<p style=\"color:#666;font-size:small\">{}</p>\n",
                        escape(t)
                    )
                }
            }
        }
        out += "</body></html>\n";
        out
    }
}

/// Text as HTML: what a customer or engineer wrote never becomes markup.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out += "&amp;",
            '<' => out += "&lt;",
            '>' => out += "&gt;",
            '"' => out += "&quot;",
            '\'' => out += "&#39;",
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_quotes_messages_and_html_escapes_them() {
        let mut d = Doc::default();
        d.p("Hello <b>".into());
        d.push(Block::Quote("line one\n\nline <script>".into()));
        d.push(Block::Footer("why".into()));
        assert_eq!(
            d.text(),
            "Hello <b>\n\n> line one\n>\n> line <script>\n\n-- \nwhy\n"
        );
        let html = d.html("en");
        assert!(html.contains("<p>Hello &lt;b&gt;</p>"));
        assert!(html.contains("line &lt;script&gt;</blockquote>"));
        assert!(!html.contains("<script>"));
    }
}
