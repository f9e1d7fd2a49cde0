//! The plan catalog as the rest of Tierdesk sees it: validated, resolved, immutable.
//!
//! Everything here was checked by `parse` (severity codes exist in their scale, clocks
//! exist, bands ascend, ...), so code that holds a `Plan` can rely on it.

use jiff::civil::{Date, Time, Weekday};
use rust_decimal::Decimal;

/// The id of the built-in round-the-clock calendar.
pub const CONTINUOUS: &str = "24x7";
/// The channel that support cases (web, API) are answered on.
pub const CASE_CHANNEL: &str = "case";

#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub calendars: Vec<Calendar>,
    pub scales: Vec<SeverityScale>,
    pub plans: Vec<Plan>,
}

/// The clock a response target is counted on.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub id: String,
    pub kind: CalendarKind,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CalendarKind {
    /// Every minute counts.
    Continuous,
    /// Weekly opening hours in a zone, optionally without the public holidays of the
    /// account's country.
    Weekly {
        zone: ZoneRule,
        days: Vec<Weekday>,
        open: Time,
        /// `24:00` is written as `None`: the window runs to the end of the day.
        close: Option<Time>,
        exclude_public_holidays: bool,
        variants: Vec<CalendarVariant>,
    },
}

/// Where a weekly calendar's zone comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ZoneRule {
    /// The account's own time zone (AWS: "business hours in the customer's country").
    Account,
    /// A fixed IANA zone.
    Fixed(String),
}

impl ZoneRule {
    /// The IANA zone for an account whose own zone is `account_zone`.
    pub fn zone<'a>(&'a self, account_zone: &'a str) -> &'a str {
        match self {
            ZoneRule::Account => account_zone,
            ZoneRule::Fixed(z) => z,
        }
    }
}

/// Different hours for cases in one language (AWS: Japanese-language cases 09:00-18:00).
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarVariant {
    pub language: String,
    pub open: Time,
    pub close: Option<Time>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeverityScale {
    pub id: String,
    pub levels: Vec<SeverityLevel>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeverityLevel {
    /// The API code (`low` ... `critical`).
    pub code: String,
    /// The name the API and console show (`General guidance`).
    pub name: String,
    /// 1 is the least severe.
    pub rank: u8,
    pub description: String,
    /// The name and description in other languages (`[translations.ja.severities]`).
    pub translations: Vec<(String, LevelText)>,
}

/// A severity level's words in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelText {
    pub name: String,
    pub description: String,
}

impl SeverityLevel {
    /// The name in `language`, or the catalog's own when it has none.
    pub fn name_in(&self, language: &str) -> &str {
        translated(&self.translations, language).map_or(&self.name, |t| &t.name)
    }

    pub fn description_in(&self, language: &str) -> &str {
        translated(&self.translations, language).map_or(&self.description, |t| &t.description)
    }
}

/// A plan's name and summary in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanText {
    pub name: String,
    pub summary: String,
}

fn translated<'a, T>(texts: &'a [(String, T)], language: &str) -> Option<&'a T> {
    texts.iter().find(|(l, _)| l == language).map(|(_, t)| t)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub id: String,
    pub provider: String,
    pub name: String,
    pub currency: String,
    pub summary: String,
    pub sold_until: Option<Date>,
    pub discontinued_on: Option<Date>,
    pub sources: Vec<String>,
    pub notes: Vec<String>,
    pub channels: Vec<String>,
    /// The languages its cases are answered in.
    pub languages: Vec<String>,
    /// May this plan open technical (not only account and billing) cases?
    pub technical_cases: bool,
    pub case_contacts: String,
    pub monthly_case_cap: Option<u32>,
    pub urgent_escalation: Option<UrgentEscalation>,
    /// Does the plan include the AWS-compatible Support API?
    pub support_api: bool,
    /// What of Trusted Advisor it includes, as the catalog words it (see `advisor_level`).
    pub advisor: String,
    pub tam: String,
    pub engagements: Vec<Engagement>,
    /// The scale the plan's targets use; all of its levels, in rank order.
    pub scale: SeverityScale,
    pub targets: Vec<Target>,
    /// What the plan promises for support's answers to the customer's later messages.
    pub follow_up: FollowUp,
    pub fee: Fee,
    /// The name and summary in other languages (`[translations.ja.plans]`).
    pub translations: Vec<(String, PlanText)>,
}

impl Plan {
    /// The plan's name in `language`, or the catalog's own when it has none.
    pub fn name_in(&self, language: &str) -> &str {
        translated(&self.translations, language).map_or(&self.name, |t| &t.name)
    }

    pub fn summary_in(&self, language: &str) -> &str {
        translated(&self.translations, language).map_or(&self.summary, |t| &t.summary)
    }
}

/// A plan's promise for the answers after the first response: the catalog says it in
/// so many words (`follow_up = "untimed"` or `"next_reply"`), so a reader of a plan never
/// has to infer it from targets that are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUp {
    /// No time is promised (every AWS and Alibaba Cloud plan: the providers publish
    /// first-response times only). The queue still orders a waiting customer as a new case
    /// of the same severity, so their message is never left below the deadlines.
    Untimed,
    /// The plan's `next_reply` targets time them; severities without one are untimed.
    NextReply,
}

impl FollowUp {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Untimed => "untimed",
            Self::NextReply => "next_reply",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UrgentEscalation {
    pub per_month: u32,
    pub within_minutes: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Engagement {
    pub name: String,
    pub mode: String,
    pub per_year: Option<u32>,
    pub per_month: Option<u32>,
    pub note: Option<String>,
}

/// A response promise: on `channel`, a case of `severity` is answered within `minutes`
/// counted on calendar `clock`. Provider plans promise first responses only; an
/// operator's plans may also promise next replies and periodic updates.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub kind: TargetKind,
    pub channel: String,
    pub severity: String,
    pub minutes: u32,
    pub clock: String,
    pub confidence: Option<String>,
    pub sources: Vec<String>,
    pub disputed_by: Vec<String>,
    pub note: Option<String>,
}

/// What a target times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// From opening to support's first customer-visible reply.
    FirstResponse,
    /// From a customer's message to support's reply, once the first response is given.
    NextReply,
    /// From support's reply to its next one while the ball is in support's court (stopped
    /// while the case waits on the customer).
    Update,
    /// From an urgent escalation (counted against the plan's monthly quota) to support's
    /// next reply. Set by `urgent_escalation`, not listed among a plan's targets.
    Escalation,
}

impl TargetKind {
    pub const ALL: [TargetKind; 4] = [
        Self::FirstResponse,
        Self::NextReply,
        Self::Update,
        Self::Escalation,
    ];
    /// The kinds a catalog may list among a plan's targets.
    pub const IN_CATALOG: [TargetKind; 3] = [Self::FirstResponse, Self::NextReply, Self::Update];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::NextReply => "next_reply",
            Self::Update => "update",
            Self::Escalation => "escalation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fee {
    pub model: FeeModel,
    pub scope: BillingScope,
    pub min_term_days: u32,
    pub refundable: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FeeModel {
    Free,
    /// Priced by contract; nothing to compute.
    Contract,
    /// The greater of `minimum` and the sum over marginal bands of usage.
    Tiered {
        minimum: Decimal,
        bands: Vec<Band>,
    },
    /// A fixed monthly amount and a share of usage. Sources disagree whether the fixed
    /// amount is a base the share is added to, or a minimum; the catalog says which.
    FixedPlusUsage {
        fixed: Decimal,
        rate: Decimal,
        fixed_is: FixedIs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixedIs {
    Base,
    Minimum,
}

/// A marginal band: `rate` applies to the usage between the previous band's `up_to` and
/// this one's (`None` = no upper edge).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub up_to: Option<Decimal>,
    pub rate: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingScope {
    PerAccount,
    AggregateEnrolled,
}

/// Where a plan stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    OnSale,
    /// Past its sold-until date: existing customers may stay or be migrated onto it.
    NoLongerSold,
    /// Past its discontinued-on date.
    Discontinued,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::OnSale => "on-sale",
            Lifecycle::NoLongerSold => "no-longer-sold",
            Lifecycle::Discontinued => "discontinued",
        }
    }
}

impl Plan {
    pub fn lifecycle(&self, today: Date) -> Lifecycle {
        if self.discontinued_on.is_some_and(|d| today >= d) {
            Lifecycle::Discontinued
        } else if self.sold_until.is_some_and(|d| today > d) {
            Lifecycle::NoLongerSold
        } else {
            Lifecycle::OnSale
        }
    }

    /// The severities a case may be opened with, least severe first.
    pub fn case_severities(&self) -> Vec<&SeverityLevel> {
        self.scale
            .levels
            .iter()
            .filter(|l| self.case_target(&l.code).is_some())
            .collect()
    }

    pub fn case_target(&self, severity: &str) -> Option<&Target> {
        self.target(CASE_CHANNEL, severity)
    }

    /// The first-response target for `severity` on `channel` (cases, or e.g. Alibaba's
    /// IM group).
    pub fn target(&self, channel: &str, severity: &str) -> Option<&Target> {
        self.targets.iter().find(|t| {
            t.kind == TargetKind::FirstResponse && t.channel == channel && t.severity == severity
        })
    }

    /// A case target of another kind (next reply, periodic update) for `severity`.
    pub fn follow_up_target(&self, kind: TargetKind, severity: &str) -> Option<&Target> {
        self.targets
            .iter()
            .find(|t| t.kind == kind && t.channel == CASE_CHANNEL && t.severity == severity)
    }

    pub fn has_channel(&self, channel: &str) -> bool {
        self.channels.iter().any(|c| c == channel)
    }

    /// The monthly support fee for `usage` (in the plan's currency), before proration.
    /// `None` for contract-priced plans. `fees::monthly_fee` shows the arithmetic.
    pub fn monthly_fee(&self, usage: Decimal) -> Option<Decimal> {
        crate::fees::monthly_fee(self, usage).map(|f| f.fee)
    }
}

/// A calendar's opening hours as facts (each surface words them): the days, the window
/// and the zone it counts in, and whether public holidays are closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hours {
    pub days: Vec<Weekday>,
    pub open: Time,
    /// `None`: to the end of the day.
    pub close: Option<Time>,
    /// The IANA zone: the calendar's own, or the account's for calendars that follow it
    /// (`None` when no account is given: "the customer's time zone").
    pub zone: Option<String>,
    pub closed_on_public_holidays: bool,
}

impl Calendar {
    /// The hours the calendar counts for an account in `account_zone` (if one is meant)
    /// whose cases are in `language` (a language may have hours of its own); `None` when
    /// every minute counts.
    pub fn hours(&self, language: &str, account_zone: Option<&str>) -> Option<Hours> {
        let CalendarKind::Weekly {
            zone,
            days,
            open,
            close,
            exclude_public_holidays,
            variants,
        } = &self.kind
        else {
            return None;
        };
        let (open, close) = variants
            .iter()
            .find(|v| v.language == language)
            .map_or((*open, *close), |v| (v.open, v.close));
        Some(Hours {
            days: days.clone(),
            open,
            close,
            zone: match zone {
                ZoneRule::Account => account_zone.map(str::to_string),
                ZoneRule::Fixed(z) => Some(z.clone()),
            },
            closed_on_public_holidays: *exclude_public_holidays,
        })
    }
}

impl Catalog {
    pub fn plan(&self, id: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }

    /// The name of severity `code` on plan `plan_id`'s scale, in `language`; the code
    /// itself when the plan has left the catalog (a case keeps the plan it was opened on).
    pub fn severity_name(&self, plan_id: &str, code: &str, language: &str) -> String {
        self.plan(plan_id)
            .and_then(|p| p.scale.levels.iter().find(|l| l.code == code))
            .map_or_else(|| code.to_string(), |l| l.name_in(language).to_string())
    }

    pub fn calendar(&self, id: &str) -> Option<&Calendar> {
        self.calendars.iter().find(|c| c.id == id)
    }
}

/// How much of Trusted Advisor a plan includes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AdvisorLevel {
    None,
    /// The core checks (security basics and service limits), in the console.
    Core,
    /// Every check.
    Full,
}

impl AdvisorLevel {
    /// A catalog's `advisor` word: `none`, `core`, `full` (or `full_priority`, with AWS's
    /// prioritized recommendations), Alibaba's `free` (its Advisor for every plan) and
    /// `free_plus_tam_plans`.
    pub fn parse(word: &str) -> Option<AdvisorLevel> {
        match word {
            "none" => Some(AdvisorLevel::None),
            "core" => Some(AdvisorLevel::Core),
            "full" | "full_priority" | "free" | "free_plus_tam_plans" => Some(AdvisorLevel::Full),
            _ => None,
        }
    }
}

impl Plan {
    pub fn advisor_level(&self) -> AdvisorLevel {
        AdvisorLevel::parse(&self.advisor).unwrap_or(AdvisorLevel::None)
    }
}
