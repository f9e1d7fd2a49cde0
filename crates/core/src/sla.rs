//! First-response deadlines: a plan's target for a severity, counted on the target's clock
//! made concrete for one customer (zone, country holidays, case language).

pub mod clock;
pub mod tally;
pub mod targets;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::catalog::{Calendar, CalendarKind, Catalog};
use crate::holidays::{self, Holiday};
use crate::schedule::{Minute, Schedule};

/// Whose clock: the customer's zone, country and case language.
#[derive(Debug, Clone)]
pub struct Customer<'a> {
    pub timezone: &'a str,
    pub country: &'a str,
    pub language: &'a str,
}

/// A computed deadline and how it was reached.
#[derive(Debug, Clone)]
pub struct Deadline {
    pub plan: String,
    pub severity: String,
    pub severity_name: String,
    pub minutes: u32,
    pub clock: String,
    /// The zone the clock counts in (the customer's, for 24x7 clocks).
    pub zone: String,
    /// Whether the clock is business hours (not 24x7).
    pub business_hours: bool,
    /// The country whose public holidays close the clock, if it excludes them.
    pub holidays_of: Option<String>,
    pub opened_at: Timestamp,
    pub due: Timestamp,
    /// Things the caller should know (e.g. no holiday data for the country).
    pub warnings: Vec<String>,
}

/// The concrete schedule of `calendar` for `customer`, closed on the country's shipped
/// holidays (when the calendar excludes them) and on `extra` holidays.
pub fn schedule_for(
    calendar: &Calendar,
    customer: &Customer<'_>,
    extra: &[Holiday],
) -> Result<(Schedule, String, Option<String>, Vec<String>), String> {
    let CalendarKind::Weekly {
        zone,
        days,
        open,
        close,
        exclude_public_holidays,
        variants,
    } = &calendar.kind
    else {
        // Every minute counts; show times in the customer's zone.
        return Ok((
            Schedule::continuous(),
            customer.timezone.to_string(),
            None,
            Vec::new(),
        ));
    };
    let zone_name = zone.zone(customer.timezone).to_string();
    let tz =
        TimeZone::get(&zone_name).map_err(|_| format!("'{zone_name}' is not an IANA time zone"))?;
    let (open, close) = variants
        .iter()
        .find(|v| v.language == customer.language)
        .map_or((*open, *close), |v| (v.open, v.close));
    let minute =
        |t: jiff::civil::Time| (i32::from(t.hour()) * 60 + i32::from(t.minute())) as Minute;
    let window = (minute(open), close.map_or(1440, minute));
    let week: [Vec<(Minute, Minute)>; 7] = std::array::from_fn(|i| {
        if days.iter().any(|d| d.to_monday_zero_offset() as usize == i) {
            vec![window]
        } else {
            Vec::new()
        }
    });
    let mut warnings = Vec::new();
    let mut closed: Vec<Holiday> = extra.to_vec();
    let mut holidays_of = None;
    if *exclude_public_holidays {
        match holidays::shipped(customer.country) {
            Some(h) => {
                closed.extend(h);
                holidays_of = Some(customer.country.to_string());
            }
            None => warnings.push(format!(
                "Tierdesk ships no public holidays for country {}; only weekends are excluded \
                 (import the country's holidays from an .ics file)",
                customer.country
            )),
        }
    }
    let schedule =
        Schedule::weekly(tz, week, holidays::closures(&closed)).map_err(|e| e.to_string())?;
    Ok((schedule, zone_name, holidays_of, warnings))
}

/// When a case of `severity`, opened at `opened_at` on `plan_id`, is due its first
/// response.
/// What is being answered: a case, or a message on another channel (Alibaba's IM group),
/// and whether the case was escalated under the plan's urgent-escalation quota.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub channel: &'a str,
    pub severity: &'a str,
    pub escalated: bool,
}

pub fn first_response_due(
    catalog: &Catalog,
    plan_id: &str,
    request: Request<'_>,
    opened_at: Timestamp,
    customer: &Customer<'_>,
    extra: &[Holiday],
) -> Result<Deadline, String> {
    let Request {
        channel,
        severity,
        escalated,
    } = request;
    let plan = catalog
        .plan(plan_id)
        .ok_or_else(|| format!("no plan '{plan_id}'"))?;
    let target = plan.target(channel, severity).ok_or_else(|| {
            let offered: Vec<&str> = plan
                .targets
                .iter()
                .filter(|t| t.channel == channel)
                .map(|t| t.severity.as_str())
                .collect();
            if offered.is_empty() {
                format!("plan {plan_id} has no first-response targets on channel '{channel}'")
            } else {
                format!(
                    "plan {plan_id} offers no severity '{severity}' on channel '{channel}' (it offers {})",
                    offered.join(", ")
                )
            }
        })?;
    // An escalated case is answered within the escalation's time, on the case's clock.
    let minutes = match (escalated, &plan.urgent_escalation) {
        (false, _) => target.minutes,
        (true, Some(e)) => e.within_minutes.min(target.minutes),
        (true, None) => return Err(format!("plan {plan_id} has no urgent escalations")),
    };
    let calendar = catalog
        .calendar(&target.clock)
        .ok_or_else(|| format!("plan {plan_id} counts on unknown clock '{}'", target.clock))?;
    let (schedule, zone, holidays_of, warnings) = schedule_for(calendar, customer, extra)?;
    let due = schedule
        .due(opened_at, i64::from(minutes) * 60)
        .map_err(|e| e.to_string())?;
    let severity_name = plan
        .scale
        .levels
        .iter()
        .find(|l| l.code == severity)
        .map(|l| l.name.clone())
        .unwrap_or_default();
    Ok(Deadline {
        plan: plan.id.clone(),
        severity: severity.to_string(),
        severity_name,
        minutes,
        clock: calendar.id.clone(),
        zone,
        business_hours: matches!(calendar.kind, CalendarKind::Weekly { .. }),
        holidays_of,
        opened_at,
        due,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{builtin_sources, parse_catalog};

    fn due(plan: &str, sev: &str, opened: &str, tz: &str, cc: &str, lang: &str) -> String {
        let catalog = match parse_catalog(&builtin_sources()) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        let customer = Customer {
            timezone: tz,
            country: cc,
            language: lang,
        };
        let opened: Timestamp = opened.parse().unwrap_or_default();
        let (channel, sev, escalated) = match sev.split_once('/') {
            Some((ch, "escalated")) => ("case", ch, true),
            Some((ch, sev)) => (ch, sev, false),
            None => ("case", sev, false),
        };
        let request = Request {
            channel,
            severity: sev,
            escalated,
        };
        match first_response_due(&catalog, plan, request, opened, &customer, &[]) {
            Ok(d) => d
                .due
                .to_zoned(crate::time::zone(tz))
                .strftime("%Y-%m-%d %H:%M")
                .to_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn developer_plan_counts_business_hours_with_holidays() {
        let friday_4pm_tokyo = "2026-11-20T07:00:00Z";
        for (plan, severity, tz, country, lang, want) in [
            // Japanese case: 09:00-18:00 on weekdays; Monday 23 Nov is Labour Thanksgiving
            // Day. 12 hours = 2 (Fri) + 9 (Tue) + 1 (Wed).
            (
                "aws.developer",
                "normal",
                "Asia/Tokyo",
                "JP",
                "ja",
                "2026-11-25 10:00",
            ),
            // The same case in English counts 08:00-18:00: 2 + 10 (Tue).
            (
                "aws.developer",
                "normal",
                "Asia/Tokyo",
                "JP",
                "en",
                "2026-11-24 18:00",
            ),
            // Business plan, urgent: one hour, 24x7.
            (
                "aws.business",
                "urgent",
                "Asia/Tokyo",
                "JP",
                "ja",
                "2026-11-20 17:00",
            ),
        ] {
            assert_eq!(
                due(plan, severity, friday_4pm_tokyo, tz, country, lang),
                want,
                "{plan} {severity} {lang}"
            );
        }
        let refused = due(
            "aws.developer",
            "urgent",
            friday_4pm_tokyo,
            "UTC",
            "US",
            "en",
        );
        assert!(
            refused.starts_with("error: plan aws.developer offers no severity 'urgent'"),
            "{refused}"
        );
        let basic = due("aws.basic", "low", friday_4pm_tokyo, "UTC", "US", "en");
        assert!(basic.contains("no first-response targets"), "{basic}");
        let no_quota = due(
            "aws.business",
            "urgent/escalated",
            friday_4pm_tokyo,
            "UTC",
            "US",
            "en",
        );
        assert!(no_quota.contains("no urgent escalations"), "{no_quota}");
    }
}
