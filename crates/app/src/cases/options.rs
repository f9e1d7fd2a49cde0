//! What a plan offers a new case: severities, services and categories, languages, and the
//! channels' hours with their upcoming closures (DescribeCreateCaseOptions).

use tierdesk_core::account::CASE_LANGUAGES;
use tierdesk_core::catalog::{CalendarKind, SeverityLevel};
use tierdesk_core::services::{Category, Service};

use crate::auth::Caller;
use crate::error::{Field, Problem};
use crate::validate::{check_issue_type, check_language, required};
use crate::{App, ServiceError};

/// A communication channel's hours for DescribeCreateCaseOptions.
#[derive(Debug, Clone)]
pub struct ChannelHours {
    /// `web`, `chat` or `call`.
    pub kind: &'static str,
    /// Daily opening and closing times in the calendar's zone (`None`: end of day).
    pub hours: Vec<(jiff::civil::Time, Option<jiff::civil::Time>)>,
    /// Upcoming closed stretches (public holidays), start and end.
    pub closed: Vec<(jiff::Zoned, jiff::Zoned)>,
}

impl App {
    pub fn severity_levels<'c>(
        &self,
        caller: &'c Caller,
        language: Option<&str>,
    ) -> Result<Vec<&'c SeverityLevel>, ServiceError> {
        self.require_api(caller)?;
        if let Some(l) = language {
            check_language(Field::Language, l)?;
        }
        Ok(caller.plan.case_severities())
    }

    pub fn describe_services(
        &self,
        caller: &Caller,
        codes: &[String],
        language: Option<&str>,
    ) -> Result<Vec<Service>, ServiceError> {
        self.require_api(caller)?;
        if codes.len() > 100 {
            return Err(ServiceError::invalid(
                Field::ServiceList,
                Problem::TooMany {
                    max: 100,
                    got: codes.len(),
                },
            ));
        }
        if let Some(l) = language {
            check_language(Field::Language, l)?;
        }
        // Named in the language asked for, as AWS does (English when none is).
        let language = language.unwrap_or("en");
        let named = |name: &str| self.services.name_in(name, language).to_string();
        Ok(self
            .services
            .services
            .iter()
            .filter(|s| codes.is_empty() || codes.contains(&s.code))
            .map(|s| Service {
                code: s.code.clone(),
                name: named(&s.name),
                categories: s
                    .categories
                    .iter()
                    .map(|c| Category {
                        code: c.code.clone(),
                        name: named(&c.name),
                    })
                    .collect(),
            })
            .collect())
    }

    fn check_service_category(
        &self,
        issue_type: &Option<String>,
        service: &Option<String>,
        category: &Option<String>,
    ) -> Result<(), ServiceError> {
        let it = required(Field::IssueType, issue_type)?;
        check_issue_type(it)?;
        let s = required(Field::Service, service)?;
        let c = required(Field::Category, category)?;
        for (field, code) in [(Field::Service, s), (Field::Category, c)] {
            let got = code.chars().count();
            if got > 100 {
                return Err(ServiceError::invalid(
                    field,
                    Problem::Length {
                        min: 1,
                        max: 100,
                        got,
                    },
                ));
            }
        }
        self.service_and_category(Some(s), Some(c)).map(|_| ())
    }

    /// `(code, language, display)` of each language cases can be handled in.
    pub fn supported_languages(
        &self,
        caller: &Caller,
        issue_type: Option<String>,
        service: Option<String>,
        category: Option<String>,
    ) -> Result<Vec<(&'static str, &'static str, &'static str)>, ServiceError> {
        self.require_api(caller)?;
        self.check_service_category(&issue_type, &service, &category)?;
        Ok(CASE_LANGUAGES.to_vec())
    }

    /// Language availability and the channels (with hours) a new case may use.
    pub async fn create_case_options(
        &self,
        caller: &Caller,
        issue_type: Option<String>,
        service: Option<String>,
        language: Option<String>,
        category: Option<String>,
    ) -> Result<(&'static str, Vec<ChannelHours>), ServiceError> {
        self.require_api(caller)?;
        self.check_service_category(&issue_type, &service, &category)?;
        let language = required(Field::Language, &language)?;
        check_language(Field::Language, language)?;
        let plan = &caller.plan;
        let clock = plan
            .case_severities()
            .first()
            .and_then(|l| plan.case_target(&l.code))
            .map(|t| t.clock.clone())
            .unwrap_or_else(|| tierdesk_core::catalog::CONTINUOUS.to_string());
        let calendar = self.catalog.calendar(&clock);
        let closed = match calendar {
            Some(c) => self.upcoming_closures(c, caller).await?,
            None => Vec::new(),
        };
        let hours = match calendar.map(|c| &c.kind) {
            Some(CalendarKind::Weekly {
                open,
                close,
                variants,
                ..
            }) => {
                let (o, c) = variants
                    .iter()
                    .find(|v| v.language == language)
                    .map_or((*open, *close), |v| (v.open, v.close));
                vec![(o, c)]
            }
            _ => vec![(jiff::civil::Time::MIN, None)],
        };
        let channels = [
            ("web", true),
            ("chat", plan.has_channel("chat")),
            ("call", plan.has_channel("phone")),
        ]
        .into_iter()
        .filter(|(_, offered)| *offered)
        .map(|(kind, _)| ChannelHours {
            kind,
            hours: hours.clone(),
            closed: closed.clone(),
        })
        .collect();
        let availability = if language == "en" || plan.provider == "aliyun" && language == "zh" {
            "available"
        } else {
            "best_effort"
        };
        Ok((availability, channels))
    }
}

impl App {
    /// The public holidays ahead (a year's worth) that close a business-hours calendar for
    /// this caller's country, shipped and imported, in the calendar's zone.
    async fn upcoming_closures(
        &self,
        calendar: &tierdesk_core::catalog::Calendar,
        caller: &Caller,
    ) -> Result<Vec<(jiff::Zoned, jiff::Zoned)>, ServiceError> {
        let CalendarKind::Weekly {
            zone,
            exclude_public_holidays: true,
            ..
        } = &calendar.kind
        else {
            return Ok(Vec::new());
        };
        let zone = zone.zone(&caller.account.timezone);
        let tz = tierdesk_core::time::zone(zone);
        let today = tierdesk_core::time::today_in(self.clock.now(), zone);
        let horizon = today.saturating_add(jiff::Span::new().days(366));
        let at = |d: jiff::civil::Date, minute: u16| {
            let dt = d.to_datetime(jiff::civil::Time::MIN)
                + jiff::Span::new().minutes(i64::from(minute));
            dt.to_zoned(tz.clone()).ok()
        };
        let country = &caller.account.country;
        let mut closed = tierdesk_core::holidays::shipped(country).unwrap_or_default();
        closed.extend(
            self.store
                .holidays(country)
                .await?
                .into_iter()
                .map(|(_, h)| h),
        );
        closed.sort_by_key(|h| (h.date, h.from));
        Ok(closed
            .into_iter()
            .filter(|h| h.date >= today && h.date <= horizon)
            .take(100)
            .filter_map(|h| Some((at(h.date, h.from)?, at(h.date, h.to)?)))
            .collect())
    }
}
