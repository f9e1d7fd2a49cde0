//! The plan advisor: which plans meet a customer's needs, and what each costs for their
//! usage, cheapest first; for every other plan, why it does not fit.

use rust_decimal::Decimal;

use crate::catalog::parse_duration_minutes;
use crate::catalog::{CalendarKind, Catalog, Lifecycle, Plan};
use crate::fees;

/// One need, as `plans advise --need` spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// `critical:30m`: cases of this severity (or the plan's most severe level, on scales
    /// without it) answered within this many minutes.
    Response { severity: String, minutes: u32 },
    /// `24x7`: that response counted around the clock, not in business hours.
    RoundTheClock,
    /// `api`: the Support API.
    Api,
    /// `phone`, `chat`, `email`, ...: a channel.
    Channel(String),
    /// `tam`: a technical account manager (a pool or a designated one).
    Tam,
    /// `language:ja`: cases answered in this language.
    Language(String),
}

impl std::str::FromStr for Need {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if let Some((sev, within)) = s.split_once(':')
            && sev != "language"
        {
            return Ok(Need::Response {
                severity: sev.to_string(),
                minutes: parse_duration_minutes(within)?,
            });
        }
        Ok(match s {
            "24x7" => Need::RoundTheClock,
            "api" => Need::Api,
            "tam" => Need::Tam,
            _ if s.starts_with("language:") => Need::Language(s["language:".len()..].to_string()),
            "phone" | "chat" | "email" | "web" | "im_group" | "ticket" => {
                Need::Channel(s.to_string())
            }
            other => {
                return Err(format!(
                    "need '{other}' is not one of SEVERITY:DURATION (critical:30m), 24x7, api, tam, \
                     phone, chat, email, web, im_group, language:CODE"
                ));
            }
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fit<'c> {
    pub plan: &'c Plan,
    /// The monthly fee for the usage; `None` when the plan is priced by contract.
    pub fee: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Misfit<'c> {
    pub plan: &'c Plan,
    pub reasons: Vec<Reason>,
}

/// Why a plan does not meet a need: data, so each surface words it in its reader's
/// language (`Display` is the CLI's English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Priced in another currency than the usage was given in.
    Currency {
        plan: String,
        asked: String,
    },
    /// No cases of the asked severity (nor a most severe level to stand in for it).
    NoCasesOf {
        severity: String,
    },
    /// Answered more slowly than asked: the plan's level code and the two times.
    Slower {
        severity: String,
        minutes: u32,
        wanted: u32,
    },
    /// Answered in business hours, on this clock, not around the clock.
    BusinessHours {
        severity: String,
        clock: String,
    },
    /// No cases at all.
    NoCases,
    NoSupportApi,
    NoChannel(String),
    NoTam,
    /// Not in this language; the plan's languages.
    NoLanguage {
        language: String,
        offers: Vec<String>,
    },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Currency { plan, asked } => write!(
                f,
                "priced in {plan}, not {asked} (give usage in {plan} to compare it)"
            ),
            Reason::NoCasesOf { severity } => write!(f, "no {severity} cases"),
            Reason::Slower {
                severity,
                minutes,
                wanted,
            } => write!(
                f,
                "{severity} answered within {}, not {}",
                minutes_text(*minutes),
                minutes_text(*wanted)
            ),
            Reason::BusinessHours { severity, clock } => write!(
                f,
                "{severity} cases are answered in business hours ({clock})"
            ),
            Reason::NoCases => write!(f, "no cases"),
            Reason::NoSupportApi => write!(f, "no Support API"),
            Reason::NoChannel(c) => write!(f, "no {c} channel"),
            Reason::NoTam => write!(f, "no TAM"),
            Reason::NoLanguage { language, offers } => write!(
                f,
                "no cases in language {language} (offers {})",
                offers.join(", ")
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Advice<'c> {
    /// Plans that meet every need, cheapest first (contract-priced ones last).
    pub fits: Vec<Fit<'c>>,
    pub misfits: Vec<Misfit<'c>>,
}

fn minutes_text(m: u32) -> String {
    crate::time::minutes_text(u64::from(m))
}

fn reasons(catalog: &Catalog, plan: &Plan, needs: &[Need], currency: &str) -> Vec<Reason> {
    let mut out = Vec::new();
    if plan.currency != currency {
        out.push(Reason::Currency {
            plan: plan.currency.clone(),
            asked: currency.to_string(),
        });
    }
    // The response need decides which target the 24x7 need is about.
    let response = needs.iter().find_map(|n| match n {
        Need::Response { severity, minutes } => Some((severity.as_str(), *minutes)),
        _ => None,
    });
    let top = plan.case_severities().last().copied();
    let level = response.and_then(|(sev, _)| {
        plan.case_severities()
            .into_iter()
            .find(|l| l.code == sev)
            .or_else(|| {
                (!plan.scale.levels.iter().any(|l| l.code == sev))
                    .then_some(top)
                    .flatten()
            })
    });
    for need in needs {
        match need {
            Need::Response {
                severity,
                minutes: want,
            } => match level.and_then(|l| plan.case_target(&l.code)) {
                None => out.push(Reason::NoCasesOf {
                    severity: severity.clone(),
                }),
                Some(t) if t.minutes > *want => out.push(Reason::Slower {
                    severity: t.severity.clone(),
                    minutes: t.minutes,
                    wanted: *want,
                }),
                Some(_) => {}
            },
            Need::RoundTheClock => {
                let target = level.or(top).and_then(|l| plan.case_target(&l.code));
                let continuous = target
                    .and_then(|t| catalog.calendar(&t.clock))
                    .is_some_and(|c| c.kind == CalendarKind::Continuous);
                if !continuous {
                    out.push(match target {
                        Some(t) => Reason::BusinessHours {
                            severity: t.severity.clone(),
                            clock: t.clock.clone(),
                        },
                        None => Reason::NoCases,
                    });
                }
            }
            Need::Api if !plan.support_api => out.push(Reason::NoSupportApi),
            Need::Channel(c) if !plan.has_channel(c) => out.push(Reason::NoChannel(c.clone())),
            Need::Tam if plan.tam == "none" => out.push(Reason::NoTam),
            Need::Language(l) if !plan.languages.iter().any(|x| x == l) => {
                out.push(Reason::NoLanguage {
                    language: l.clone(),
                    offers: plan.languages.clone(),
                })
            }
            _ => {}
        }
    }
    out
}

/// Plans across `catalog` against `needs`, for `usage` in `currency`. Plans no longer on
/// sale on `today` take part only with `include_legacy`.
pub fn advise<'c>(
    catalog: &'c Catalog,
    usage: Decimal,
    currency: &str,
    needs: &[Need],
    today: jiff::civil::Date,
    include_legacy: bool,
) -> Advice<'c> {
    let mut advice = Advice::default();
    for plan in &catalog.plans {
        if !include_legacy && plan.lifecycle(today) != Lifecycle::OnSale {
            continue;
        }
        let why = reasons(catalog, plan, needs, currency);
        if why.is_empty() {
            advice.fits.push(Fit {
                plan,
                fee: fees::monthly_fee(plan, usage).map(|f| f.fee),
            });
        } else {
            advice.misfits.push(Misfit { plan, reasons: why });
        }
    }
    // Cheapest first; contract-priced plans (no fee to compare) last.
    advice.fits.sort_by_key(|f| (f.fee.is_none(), f.fee));
    advice
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{builtin_sources, parse_catalog};

    /// (plan, fee) for fits and (plan, reasons) for misfits.
    type Outcome = (Vec<(String, Option<String>)>, Vec<(String, Vec<String>)>);

    fn advice_ids(needs: &[&str], usage: &str, legacy: bool) -> Outcome {
        let catalog = match parse_catalog(&builtin_sources()) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        let needs: Vec<Need> = needs
            .iter()
            .map(|n| n.parse().unwrap_or(Need::Api))
            .collect();
        let a = advise(
            &catalog,
            usage.parse().unwrap_or_default(),
            "USD",
            &needs,
            jiff::civil::date(2026, 11, 22),
            legacy,
        );
        (
            a.fits
                .iter()
                .map(|f| (f.plan.id.clone(), f.fee.map(|d| d.to_string())))
                .collect(),
            a.misfits
                .iter()
                .map(|m| {
                    (
                        m.plan.id.clone(),
                        m.reasons.iter().map(Reason::to_string).collect(),
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn a_critical_half_hour_with_the_api_on_42000_of_usage() {
        let (fits, misfits) = advice_ids(&["critical:30m", "api"], "42000", false);
        assert_eq!(
            fits,
            [
                ("aws.business_plus".to_string(), Some("3140.00".to_string())),
                ("aws.enterprise_2025".into(), Some("5000.00".into())),
                ("aws.unified_operations".into(), Some("50000.00".into())),
            ]
        );
        let basic = misfits
            .iter()
            .find(|(id, _)| id == "aws.basic")
            .map(|(_, r)| r.clone());
        assert_eq!(
            basic,
            Some(vec![
                "no critical cases".to_string(),
                "no Support API".to_string()
            ])
        );
        let aliyun = misfits
            .iter()
            .find(|(id, _)| id == "aliyun.enterprise")
            .map(|(_, r)| r.clone());
        assert!(aliyun.is_some_and(|r| r[0].contains("priced in CNY")));
    }

    #[test]
    fn faster_answers_a_tam_and_legacy_plans() {
        let (fits, _) = advice_ids(&["critical:15m", "tam"], "42000", false);
        let ids: Vec<&str> = fits.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["aws.enterprise_2025", "aws.unified_operations"]);
        let (fits, misfits) = advice_ids(&["normal:12h"], "2000", true);
        assert_eq!(
            fits[0],
            ("aws.developer".to_string(), Some("60.00".to_string()))
        );
        let (_, misfits_24) = advice_ids(&["normal:12h", "24x7"], "2000", true);
        let dev = misfits_24
            .iter()
            .find(|(id, _)| id == "aws.developer")
            .map(|(_, r)| r.clone());
        assert!(dev.is_some_and(|r| r[0].contains("business hours")));
        assert!(!misfits.iter().any(|(id, _)| id == "aws.developer"));
        // Without --include-legacy, plans no longer sold are left out altogether.
        let (fits, misfits) = advice_ids(&["normal:12h"], "2000", false);
        assert!(
            !fits
                .iter()
                .chain(
                    misfits
                        .iter()
                        .map(|(id, _)| (id.clone(), None))
                        .collect::<Vec<_>>()
                        .iter()
                )
                .any(|(id, _)| id == "aws.developer")
        );
    }

    #[test]
    fn needs_parse_with_clear_errors() {
        assert_eq!(
            "critical:30m".parse::<Need>(),
            Ok(Need::Response {
                severity: "critical".into(),
                minutes: 30
            })
        );
        assert_eq!(
            "language:ja".parse::<Need>(),
            Ok(Need::Language("ja".into()))
        );
        assert!(
            "fast"
                .parse::<Need>()
                .is_err_and(|e| e.contains("SEVERITY:DURATION"))
        );
        assert!("critical:soon".parse::<Need>().is_err());
    }
}
