//! Catalog files (TOML) to a validated [`Catalog`]. Every error names the file, the line and
//! what is wrong; nothing half-valid gets through.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use jiff::civil::{Date, Time, Weekday};
use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::model::*;

/// A catalog problem, located in its file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CatalogError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// One catalog file's text and the name to report errors under.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    provider: Option<String>,
    /// The case languages of the file's plans, unless a plan says otherwise.
    languages: Option<Vec<String>>,
    #[serde(default)]
    calendars: Vec<Spanned<RawCalendar>>,
    #[serde(default)]
    severity_scales: Vec<Spanned<RawScale>>,
    #[serde(default)]
    plans: Vec<Spanned<RawPlan>>,
    /// Words in other languages, by language code: `[translations.ja.plans."aws.basic"]`
    /// and `[translations.ja.severities.aws]`. A file may translate any file's plans.
    #[serde(default)]
    translations: std::collections::BTreeMap<String, RawTranslation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTranslation {
    #[serde(default)]
    plans: std::collections::BTreeMap<String, Spanned<RawPlanText>>,
    /// By scale id, then level code.
    #[serde(default)]
    severities: std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<String, Spanned<RawLevelText>>,
    >,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlanText {
    name: String,
    summary: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevelText {
    name: String,
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    id: String,
    kind: String,
    zone: Option<String>,
    days: Option<Vec<String>>,
    open: Option<String>,
    close: Option<String>,
    #[serde(default)]
    exclude_public_holidays: bool,
    #[serde(default)]
    variants: Vec<RawVariant>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVariant {
    language: String,
    open: String,
    close: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScale {
    id: String,
    levels: Vec<RawLevel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    code: String,
    name: String,
    rank: u8,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    id: String,
    languages: Option<Vec<String>>,
    provider: Option<String>,
    name: String,
    currency: String,
    #[serde(default)]
    summary: String,
    sold_until: Option<toml::value::Datetime>,
    discontinued_on: Option<toml::value::Datetime>,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    notes: Vec<String>,
    channels: Vec<String>,
    technical_cases: bool,
    case_contacts: String,
    monthly_case_cap: Option<u32>,
    urgent_escalation: Option<RawEscalation>,
    support_api: bool,
    advisor: String,
    tam: String,
    #[serde(default)]
    engagements: Vec<RawEngagement>,
    severity_scale: String,
    #[serde(default)]
    targets: Vec<Spanned<RawTarget>>,
    /// `untimed` or `next_reply`; when absent, read from the targets.
    follow_up: Option<String>,
    fee: Spanned<RawFee>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEscalation {
    per_month: u32,
    within: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEngagement {
    name: String,
    mode: String,
    per_year: Option<u32>,
    per_month: Option<u32>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    /// `first_response` (the default), `next_reply` or `update`.
    kind: Option<String>,
    #[serde(default = "default_channel")]
    channel: String,
    severity: String,
    within: String,
    clock: String,
    confidence: Option<String>,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    disputed_by: Vec<String>,
    note: Option<String>,
}

fn default_channel() -> String {
    CASE_CHANNEL.to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFee {
    model: String,
    minimum: Option<String>,
    #[serde(default)]
    bands: Vec<RawBand>,
    fixed: Option<String>,
    rate: Option<String>,
    fixed_is: Option<String>,
    #[serde(default = "default_scope")]
    scope: String,
    #[serde(default)]
    min_term_days: u32,
    #[serde(default)]
    refundable: bool,
    note: Option<String>,
}

fn default_scope() -> String {
    "per_account".to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    up_to: Option<String>,
    rate: String,
}

struct Ctx<'a> {
    name: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: Option<Range<usize>>, message: impl Into<String>) -> CatalogError {
        let offset = span.map_or(0, |s| s.start).min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        CatalogError {
            file: self.name.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// Parses and validates catalog files together: ids must be unique across all of them, and
/// plans may use calendars and scales from any of them.
pub fn parse_catalog(sources: &[Source<'_>]) -> Result<Catalog, CatalogError> {
    let mut files = Vec::new();
    for src in sources {
        let ctx = Ctx {
            name: src.name,
            text: src.text,
        };
        let raw: RawFile = toml::from_str(src.text)
            .map_err(|e| ctx.err(e.span(), e.message().trim().to_string()))?;
        files.push((ctx, raw));
    }

    let mut calendars = vec![Calendar {
        id: CONTINUOUS.to_string(),
        kind: CalendarKind::Continuous,
        note: Some("built in: every minute counts".into()),
    }];
    let mut scales = Vec::new();
    for (ctx, raw) in &files {
        for cal in &raw.calendars {
            let span = Some(cal.span());
            let cal = calendar(ctx, cal.get_ref()).map_err(|m| ctx.err(span.clone(), m))?;
            if calendars.iter().any(|c: &Calendar| c.id == cal.id) {
                return Err(ctx.err(span, format!("calendar '{}' is defined twice", cal.id)));
            }
            calendars.push(cal);
        }
        for scale in &raw.severity_scales {
            let span = Some(scale.span());
            let s = severity_scale(scale.get_ref()).map_err(|m| ctx.err(span.clone(), m))?;
            if scales.iter().any(|x: &SeverityScale| x.id == s.id) {
                return Err(ctx.err(span, format!("severity scale '{}' is defined twice", s.id)));
            }
            scales.push(s);
        }
    }

    // Scales are copied into the plans that use them: translate them first.
    for (ctx, raw) in &files {
        for (language, t) in &raw.translations {
            translate_severities(ctx, language, t, &mut scales)?;
        }
    }

    let mut plans: Vec<Plan> = Vec::new();
    for (ctx, raw) in &files {
        for p in &raw.plans {
            let defaults = FileDefaults {
                provider: raw.provider.as_deref(),
                languages: raw.languages.as_deref(),
            };
            let plan = plan(ctx, defaults, p, &calendars, &scales)?;
            if plans.iter().any(|x| x.id == plan.id) {
                return Err(ctx.err(
                    Some(p.span()),
                    format!("plan '{}' is defined twice", plan.id),
                ));
            }
            plans.push(plan);
        }
    }
    for (ctx, raw) in &files {
        for (language, t) in &raw.translations {
            translate_plans(ctx, language, t, &mut plans)?;
        }
    }
    Ok(Catalog {
        calendars,
        scales,
        plans,
    })
}

fn translation_language(
    ctx: &Ctx<'_>,
    language: &str,
    t: &RawTranslation,
) -> Result<(), CatalogError> {
    crate::account::check_language(language).map_err(|m| {
        let first = t.plans.values().map(|p| p.span()).next();
        ctx.err(first, format!("translations.{language}: {m}"))
    })
}

fn translate_severities(
    ctx: &Ctx<'_>,
    language: &str,
    t: &RawTranslation,
    scales: &mut [SeverityScale],
) -> Result<(), CatalogError> {
    translation_language(ctx, language, t)?;
    for (scale_id, levels) in &t.severities {
        for (code, text) in levels {
            let at =
                |m: String| ctx.err(Some(text.span()), format!("translations.{language}: {m}"));
            let scale = scales
                .iter_mut()
                .find(|s| &s.id == scale_id)
                .ok_or_else(|| at(format!("unknown severity scale '{scale_id}'")))?;
            let level = scale
                .levels
                .iter_mut()
                .find(|l| &l.code == code)
                .ok_or_else(|| at(format!("scale '{scale_id}' has no level '{code}'")))?;
            if level.translations.iter().any(|(l, _)| l == language) {
                return Err(at(format!("level '{scale_id}.{code}' is translated twice")));
            }
            let text = text.get_ref();
            level.translations.push((
                language.to_string(),
                LevelText {
                    name: text.name.clone(),
                    description: text.description.clone(),
                },
            ));
        }
    }
    Ok(())
}

fn translate_plans(
    ctx: &Ctx<'_>,
    language: &str,
    t: &RawTranslation,
    plans: &mut [Plan],
) -> Result<(), CatalogError> {
    for (id, text) in &t.plans {
        let at = |m: String| ctx.err(Some(text.span()), format!("translations.{language}: {m}"));
        let plan = plans
            .iter_mut()
            .find(|p| &p.id == id)
            .ok_or_else(|| at(format!("unknown plan '{id}'")))?;
        if plan.translations.iter().any(|(l, _)| l == language) {
            return Err(at(format!("plan '{id}' is translated twice")));
        }
        let text = text.get_ref();
        plan.translations.push((
            language.to_string(),
            PlanText {
                name: text.name.clone(),
                summary: text.summary.clone(),
            },
        ));
    }
    Ok(())
}

fn calendar(_ctx: &Ctx<'_>, raw: &RawCalendar) -> Result<Calendar, String> {
    check_id(&raw.id)?;
    let kind = match raw.kind.as_str() {
        "continuous" => CalendarKind::Continuous,
        "weekly" => {
            let zone = match raw.zone.as_deref() {
                None | Some("account") => ZoneRule::Account,
                Some(z) => {
                    jiff::tz::TimeZone::get(z)
                        .map_err(|_| format!("calendar '{}': unknown time zone '{z}'", raw.id))?;
                    ZoneRule::Fixed(z.to_string())
                }
            };
            let days = raw
                .days
                .as_ref()
                .ok_or_else(|| format!("calendar '{}': a weekly calendar needs days", raw.id))?
                .iter()
                .map(|d| weekday(d))
                .collect::<Result<Vec<_>, _>>()?;
            if days.is_empty() {
                return Err(format!("calendar '{}': days is empty", raw.id));
            }
            let (open, close) = hours(
                &raw.id,
                raw.open.as_deref().unwrap_or(""),
                raw.close.as_deref().unwrap_or(""),
            )?;
            let variants = raw
                .variants
                .iter()
                .map(|v| {
                    let (open, close) = hours(&raw.id, &v.open, &v.close)?;
                    Ok(CalendarVariant {
                        language: v.language.clone(),
                        open,
                        close,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            CalendarKind::Weekly {
                zone,
                days,
                open,
                close,
                exclude_public_holidays: raw.exclude_public_holidays,
                variants,
            }
        }
        other => {
            return Err(format!(
                "calendar '{}': kind must be 'continuous' or 'weekly', not '{other}'",
                raw.id
            ));
        }
    };
    Ok(Calendar {
        id: raw.id.clone(),
        kind,
        note: raw.note.clone(),
    })
}

fn hours(id: &str, open: &str, close: &str) -> Result<(Time, Option<Time>), String> {
    let parse = |s: &str| {
        Time::strptime("%H:%M", s)
            .map_err(|_| format!("calendar '{id}': '{s}' is not a time of day (HH:MM)"))
    };
    let open_t = parse(open)?;
    let close_t = if close == "24:00" {
        None
    } else {
        Some(parse(close)?)
    };
    if close_t.is_some_and(|c| c <= open_t) {
        return Err(format!(
            "calendar '{id}': closes at {close}, not after it opens at {open}"
        ));
    }
    Ok((open_t, close_t))
}

fn weekday(s: &str) -> Result<Weekday, String> {
    Ok(match s {
        "mon" => Weekday::Monday,
        "tue" => Weekday::Tuesday,
        "wed" => Weekday::Wednesday,
        "thu" => Weekday::Thursday,
        "fri" => Weekday::Friday,
        "sat" => Weekday::Saturday,
        "sun" => Weekday::Sunday,
        other => return Err(format!("'{other}' is not a day (mon, tue, ... sun)")),
    })
}

fn severity_scale(raw: &RawScale) -> Result<SeverityScale, String> {
    check_id(&raw.id)?;
    if raw.levels.is_empty() {
        return Err(format!("severity scale '{}' has no levels", raw.id));
    }
    let mut levels: Vec<SeverityLevel> = Vec::new();
    for l in &raw.levels {
        if l.code.is_empty()
            || !l
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "severity scale '{}': bad code '{}'",
                raw.id, l.code
            ));
        }
        if levels.iter().any(|x| x.code == l.code || x.rank == l.rank) {
            return Err(format!(
                "severity scale '{}': code '{}' or rank {} is used twice",
                raw.id, l.code, l.rank
            ));
        }
        levels.push(SeverityLevel {
            code: l.code.clone(),
            name: l.name.clone(),
            rank: l.rank,
            description: l.description.clone(),
            translations: Vec::new(),
        });
    }
    levels.sort_by_key(|l| l.rank);
    Ok(SeverityScale {
        id: raw.id.clone(),
        levels,
    })
}

/// What a catalog file sets for all its plans.
#[derive(Clone, Copy)]
struct FileDefaults<'a> {
    provider: Option<&'a str>,
    languages: Option<&'a [String]>,
}

fn plan(
    ctx: &Ctx<'_>,
    defaults: FileDefaults<'_>,
    spanned: &Spanned<RawPlan>,
    calendars: &[Calendar],
    scales: &[SeverityScale],
) -> Result<Plan, CatalogError> {
    let raw = spanned.get_ref();
    let here = |m: String| ctx.err(Some(spanned.span()), format!("plan '{}': {m}", raw.id));
    check_plan_id(&raw.id).map_err(here)?;
    let provider = raw
        .provider
        .as_deref()
        .or(defaults.provider)
        .ok_or_else(|| here("no provider (set it in the plan or at the top of the file)".into()))?
        .to_string();
    let languages: Vec<String> = raw
        .languages
        .as_deref()
        .or(defaults.languages)
        .map_or_else(|| vec!["en".to_string()], <[String]>::to_vec);
    for l in &languages {
        crate::account::check_language(l).map_err(&here)?;
    }
    if raw.currency.len() != 3 || !raw.currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(here(format!(
            "currency '{}' is not an ISO 4217 code",
            raw.currency
        )));
    }
    let scale = scales
        .iter()
        .find(|s| s.id == raw.severity_scale)
        .ok_or_else(|| here(format!("unknown severity scale '{}'", raw.severity_scale)))?
        .clone();
    let sold_until = raw
        .sold_until
        .as_ref()
        .map(date)
        .transpose()
        .map_err(here)?;
    let discontinued_on = raw
        .discontinued_on
        .as_ref()
        .map(date)
        .transpose()
        .map_err(here)?;
    if let (Some(s), Some(d)) = (sold_until, discontinued_on)
        && s > d
    {
        return Err(here(format!("sold_until {s} is after discontinued_on {d}")));
    }
    if raw.channels.is_empty() {
        return Err(here("channels is empty".into()));
    }
    if AdvisorLevel::parse(&raw.advisor).is_none() {
        return Err(here(format!(
            "unknown advisor '{}' (none, core, full, full_priority, free or free_plus_tam_plans)",
            raw.advisor
        )));
    }

    let mut targets: Vec<Target> = Vec::new();
    for t in &raw.targets {
        let tr = t.get_ref();
        let at = |m: String| ctx.err(Some(t.span()), format!("plan '{}': {m}", raw.id));
        if !scale.levels.iter().any(|l| l.code == tr.severity) {
            return Err(at(format!(
                "severity '{}' is not in scale '{}' ({})",
                tr.severity,
                scale.id,
                scale
                    .levels
                    .iter()
                    .map(|l| l.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if !calendars.iter().any(|c| c.id == tr.clock) {
            return Err(at(format!("unknown clock '{}'", tr.clock)));
        }
        let minutes = parse_duration_minutes(&tr.within).map_err(&at)?;
        let kind = match tr.kind.as_deref() {
            None => TargetKind::FirstResponse,
            Some(k) => TargetKind::parse(k)
                .filter(|k| TargetKind::IN_CATALOG.contains(k))
                .ok_or_else(|| {
                    at(format!(
                        "target kind '{k}' is not one of first_response, next_reply, update"
                    ))
                })?,
        };
        if kind != TargetKind::FirstResponse && tr.channel != CASE_CHANNEL {
            return Err(at(format!(
                "{} targets apply to cases only, not to channel '{}'",
                kind.as_str(),
                tr.channel
            )));
        }
        if targets
            .iter()
            .any(|x| x.kind == kind && x.channel == tr.channel && x.severity == tr.severity)
        {
            return Err(at(format!(
                "two {} targets for severity '{}' on channel '{}'",
                kind.as_str(),
                tr.severity,
                tr.channel
            )));
        }
        if kind != TargetKind::FirstResponse
            && !targets.iter().any(|x| {
                x.kind == TargetKind::FirstResponse
                    && x.channel == CASE_CHANNEL
                    && x.severity == tr.severity
            })
        {
            return Err(at(format!(
                "a {} target for severity '{}' needs a first_response target for it, listed before",
                kind.as_str(),
                tr.severity
            )));
        }
        targets.push(Target {
            kind,
            channel: tr.channel.clone(),
            severity: tr.severity.clone(),
            minutes,
            clock: tr.clock.clone(),
            confidence: tr.confidence.clone(),
            sources: tr.sources.clone(),
            disputed_by: tr.disputed_by.clone(),
            note: tr.note.clone(),
        });
    }
    let follow_up = follow_up(raw.follow_up.as_deref(), &targets).map_err(&here)?;
    let urgent_escalation = raw
        .urgent_escalation
        .as_ref()
        .map(|e| {
            Ok::<_, String>(UrgentEscalation {
                per_month: e.per_month,
                within_minutes: parse_duration_minutes(&e.within)?,
            })
        })
        .transpose()
        .map_err(here)?;
    let fee = fee(raw.fee.get_ref())
        .map_err(|m| ctx.err(Some(raw.fee.span()), format!("plan '{}': fee: {m}", raw.id)))?;

    Ok(Plan {
        id: raw.id.clone(),
        provider,
        name: raw.name.clone(),
        currency: raw.currency.clone(),
        summary: raw.summary.clone(),
        sold_until,
        discontinued_on,
        sources: raw.sources.clone(),
        notes: raw.notes.clone(),
        channels: raw.channels.clone(),
        languages,
        technical_cases: raw.technical_cases,
        case_contacts: raw.case_contacts.clone(),
        monthly_case_cap: raw.monthly_case_cap,
        urgent_escalation,
        support_api: raw.support_api,
        advisor: raw.advisor.clone(),
        tam: raw.tam.clone(),
        engagements: raw
            .engagements
            .iter()
            .map(|e| Engagement {
                name: e.name.clone(),
                mode: e.mode.clone(),
                per_year: e.per_year,
                per_month: e.per_month,
                note: e.note.clone(),
            })
            .collect(),
        scale,
        targets,
        follow_up,
        fee,
        translations: Vec::new(),
    })
}

/// The plan's stated follow-up promise, checked against its targets: a catalog that says
/// "untimed" beside next-reply targets (or the reverse) contradicts itself.
fn follow_up(stated: Option<&str>, targets: &[Target]) -> Result<FollowUp, String> {
    let timed = targets.iter().any(|t| t.kind == TargetKind::NextReply);
    match (stated, timed) {
        (None | Some("next_reply"), true) => Ok(FollowUp::NextReply),
        (None | Some("untimed"), false) => Ok(FollowUp::Untimed),
        (Some("untimed"), true) => Err(
            "follow_up is 'untimed' but the plan lists next_reply targets: remove one or the other"
                .into(),
        ),
        (Some("next_reply"), false) => {
            Err("follow_up is 'next_reply' but the plan lists no next_reply target".into())
        }
        (Some(other), _) => Err(format!(
            "follow_up '{other}' is not one of untimed, next_reply"
        )),
    }
}

fn fee(raw: &RawFee) -> Result<Fee, String> {
    let money = |field: &str, v: &Option<String>| -> Result<Decimal, String> {
        let s = v
            .as_deref()
            .ok_or_else(|| format!("{field} is required for model '{}'", raw.model))?;
        decimal(s)
    };
    let model = match raw.model.as_str() {
        "free" => FeeModel::Free,
        "contract" => FeeModel::Contract,
        "tiered" => {
            let minimum = money("minimum", &raw.minimum)?;
            if raw.bands.is_empty() {
                return Err("a tiered fee needs bands".into());
            }
            let mut bands = Vec::new();
            let mut last = Decimal::ZERO;
            for (i, b) in raw.bands.iter().enumerate() {
                let up_to = b.up_to.as_deref().map(decimal).transpose()?;
                let is_last = i + 1 == raw.bands.len();
                match up_to {
                    None if !is_last => return Err("only the last band may be open-ended".into()),
                    Some(_) if is_last => {
                        return Err("the last band must be open-ended (no up_to)".into());
                    }
                    Some(u) if u <= last => {
                        return Err(format!("band edges must ascend ({u} after {last})"));
                    }
                    _ => {}
                }
                last = up_to.unwrap_or(last);
                bands.push(Band {
                    up_to,
                    rate: rate(&b.rate)?,
                });
            }
            FeeModel::Tiered { minimum, bands }
        }
        "fixed_plus_usage" => FeeModel::FixedPlusUsage {
            fixed: money("fixed", &raw.fixed)?,
            rate: rate(
                raw.rate
                    .as_deref()
                    .ok_or("rate is required for model 'fixed_plus_usage'")?,
            )?,
            fixed_is: match raw.fixed_is.as_deref() {
                Some("base") => FixedIs::Base,
                Some("minimum") => FixedIs::Minimum,
                _ => return Err("fixed_is must be 'base' or 'minimum'".into()),
            },
        },
        other => {
            return Err(format!(
                "model must be free, contract, tiered or fixed_plus_usage, not '{other}'"
            ));
        }
    };
    let scope = match raw.scope.as_str() {
        "per_account" => BillingScope::PerAccount,
        "aggregate_enrolled" => BillingScope::AggregateEnrolled,
        other => {
            return Err(format!(
                "scope must be per_account or aggregate_enrolled, not '{other}'"
            ));
        }
    };
    Ok(Fee {
        model,
        scope,
        min_term_days: raw.min_term_days,
        refundable: raw.refundable,
        note: raw.note.clone(),
    })
}

fn decimal(s: &str) -> Result<Decimal, String> {
    let d = Decimal::from_str(s).map_err(|_| format!("'{s}' is not a decimal amount"))?;
    if d.is_sign_negative() {
        return Err(format!("'{s}' is negative"));
    }
    Ok(d)
}

fn rate(s: &str) -> Result<Decimal, String> {
    let r = decimal(s)?;
    if r > Decimal::ONE {
        return Err(format!("rate '{s}' is above 1 (write 10% as \"0.10\")"));
    }
    Ok(r)
}

fn date(d: &toml::value::Datetime) -> Result<Date, String> {
    match (d.date, d.time) {
        (Some(dt), None) => Date::new(dt.year as i16, dt.month as i8, dt.day as i8)
            .map_err(|e| format!("bad date {d}: {e}")),
        _ => Err(format!("{d} must be a plain date (YYYY-MM-DD)")),
    }
}

fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
    {
        return Err(format!("id '{id}' may use only a-z, 0-9, '.', '_' and '-'"));
    }
    Ok(())
}

fn check_plan_id(id: &str) -> Result<(), String> {
    check_id(id)?;
    if !id.contains('.') {
        return Err(format!("id '{id}' must be '<provider>.<plan>'"));
    }
    Ok(())
}

/// Parses target lengths such as `15m`, `1h`, `24h`, `1h30m`, `2d`.
pub fn parse_duration_minutes(s: &str) -> Result<u32, String> {
    let mut total: u64 = 0;
    let mut num = String::new();
    let mut any = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num
            .parse()
            .map_err(|_| format!("'{s}' is not a duration like 15m, 4h or 1h30m"))?;
        num.clear();
        total += n * match c {
            'm' => 1,
            'h' => 60,
            'd' => 1440,
            _ => return Err(format!("'{s}' is not a duration like 15m, 4h or 1h30m")),
        };
        any = true;
    }
    if !num.is_empty() || !any || total == 0 || total > u64::from(u32::MAX) {
        return Err(format!("'{s}' is not a duration like 15m, 4h or 1h30m"));
    }
    Ok(total as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_minutes("15m"), Ok(15));
        assert_eq!(parse_duration_minutes("24h"), Ok(1440));
        assert_eq!(parse_duration_minutes("1h30m"), Ok(90));
        assert_eq!(parse_duration_minutes("2d"), Ok(2880));
        for bad in ["", "15", "m", "1x", "0m", "-5m", "1.5h"] {
            assert!(parse_duration_minutes(bad).is_err(), "{bad}");
        }
    }
}
