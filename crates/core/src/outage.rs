//! One probe target's outage, for `tierdesk watch` (seed 004: "ping fails a threshold
//! number of times across the Direct Connect link, open a case automatically"): failures
//! in a row are counted, the threshold opens one case that lists them, later failures of
//! the same outage open nothing more, and the first success after it reports the
//! recovery on that case. Pure state: the caller probes, calls the API and keeps it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The most failures a case's text lists (the first ones and the count after them).
const LISTED: usize = 20;

/// What the caller should do after a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Nothing,
    /// Open a case with this subject and text, then call [`Outage::opened`].
    Open {
        subject: String,
        body: String,
    },
    /// Add this text to the case, then call [`Outage::closed`].
    Recovered {
        case_id: String,
        body: String,
    },
}

/// A target's state between probes (kept in the `--state` file across restarts).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outage {
    /// The failures in a row, oldest first, with why (up to `LISTED` kept).
    pub failures: Vec<(Timestamp, String)>,
    /// How many failures in a row, listed or not.
    pub count: u64,
    /// The case this outage opened, while it lasts.
    pub case_id: Option<String>,
}

impl Outage {
    /// A failed probe of `target` at `at`, `threshold` failures in a row opening a case.
    pub fn failed(&mut self, target: &str, at: Timestamp, why: &str, threshold: u32) -> Step {
        self.count += 1;
        if self.failures.len() < LISTED {
            self.failures.push((at, why.to_string()));
        }
        if self.case_id.is_some() || self.count < u64::from(threshold.max(1)) {
            return Step::Nothing;
        }
        let mut body = format!(
            "{target} has failed {} probes in a row, the first at {}.\n\n",
            self.count,
            self.failures.first().map_or(at, |f| f.0)
        );
        for (when, why) in &self.failures {
            body += &format!("- {when}: {why}\n");
        }
        if self.count > self.failures.len() as u64 {
            body += &format!(
                "- ... and {} more\n",
                self.count - self.failures.len() as u64
            );
        }
        body += "\nOpened by tierdesk watch; times are UTC. A message follows on this case when the target answers again.";
        Step::Open {
            subject: format!("{target} is not answering"),
            body,
        }
    }

    /// The case the outage opened.
    pub fn opened(&mut self, case_id: String) {
        self.case_id = Some(case_id);
    }

    /// A successful probe at `at`: the failures end, and an open case hears of it.
    pub fn answered(&mut self, target: &str, at: Timestamp) -> Step {
        let step = match &self.case_id {
            Some(case_id) => Step::Recovered {
                case_id: case_id.clone(),
                body: format!(
                    "{target} answers again at {at}, after {} failed probes since {}.",
                    self.count,
                    self.failures.first().map_or(at, |f| f.0)
                ),
            },
            None => Step::Nothing,
        };
        if step == Step::Nothing {
            self.failures.clear();
            self.count = 0;
        }
        step
    }

    /// The recovery was reported: the outage is over.
    pub fn closed(&mut self) {
        *self = Outage::default();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(s: u32) -> Timestamp {
        Timestamp::from_second(1_795_000_000 + i64::from(s)).unwrap()
    }

    #[test]
    fn one_case_per_outage_and_one_recovery_message() {
        let t = "tcp://10.0.0.5:443";
        let mut o = Outage::default();
        // Four failures then an answer: no outage.
        for s in 0..4 {
            assert_eq!(o.failed(t, at(s), "refused", 5), Step::Nothing);
        }
        assert_eq!(o.answered(t, at(4)), Step::Nothing);
        assert_eq!(o.count, 0);
        // Five in a row open one case listing them.
        for s in 10..14 {
            assert_eq!(o.failed(t, at(s), "refused", 5), Step::Nothing);
        }
        let Step::Open { subject, body } = o.failed(t, at(14), "timed out", 5) else {
            panic!("no case opened");
        };
        assert_eq!(subject, "tcp://10.0.0.5:443 is not answering");
        assert!(body.contains("failed 5 probes in a row"), "{body}");
        assert_eq!(body.matches("\n- ").count(), 5, "{body}");
        assert!(body.contains(": timed out"));
        // Until the case is opened (the API call may fail), each failure asks again; once
        // it is, failures open nothing more.
        assert!(matches!(
            o.failed(t, at(15), "refused", 5),
            Step::Open { .. }
        ));
        o.opened("case-1".into());
        for s in 16..60 {
            assert_eq!(o.failed(t, at(s), "refused", 5), Step::Nothing);
        }
        let Step::Recovered { case_id, body } = o.answered(t, at(60)) else {
            panic!("no recovery");
        };
        assert_eq!(case_id, "case-1");
        assert!(body.contains("after 50 failed probes"), "{body}");
        // Until the recovery is reported, it is reported again.
        assert!(matches!(o.answered(t, at(61)), Step::Recovered { .. }));
        o.closed();
        assert_eq!(o, Outage::default());
    }

    #[test]
    fn a_long_outage_lists_its_first_failures_and_counts_the_rest() {
        let mut o = Outage::default();
        let mut last = Step::Nothing;
        for s in 0..30 {
            last = o.failed("http://x/", at(s), "503", 30);
        }
        let Step::Open { body, .. } = last else {
            panic!()
        };
        assert_eq!(body.matches("\n- ").count(), LISTED + 1, "{body}");
        assert!(body.contains("... and 10 more"));
    }
}
