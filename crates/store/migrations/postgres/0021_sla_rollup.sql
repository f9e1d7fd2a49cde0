-- SLA rollups: the reports' figures per day a case was opened (UTC days since 1970),
-- plan, severity, account and assignee ('' for nobody), so that a report over a year
-- sums a few thousand rows instead of reading every case: the cases opened, the
-- first-response verdicts of those with a promise and histograms of their times in whole
-- minutes, and a histogram of the days the resolved ones were resolved on, for the
-- backlog (`tierdesk_core::sla::tally`'s text).
-- Keep in step with the other dialect's 0021.

-- The backlog is counted from the rollup now: nothing reads cases by resolution time.
DROP INDEX cases_resolved;

CREATE TABLE sla_rollup (
    day            BIGINT NOT NULL,
    plan_id        TEXT NOT NULL,
    severity_code  TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    assignee       TEXT NOT NULL,
    opened         BIGINT NOT NULL,
    cases          BIGINT NOT NULL,
    kept           BIGINT NOT NULL,
    missed         BIGINT NOT NULL,
    open           BIGINT NOT NULL,
    answered       TEXT NOT NULL,
    business       TEXT NOT NULL,
    resolved       TEXT NOT NULL,
    resolved_on    TEXT NOT NULL,
    PRIMARY KEY (day, plan_id, severity_code, account_id, assignee)
);

-- The rollup covers the days before covered_before; later days are always read from the
-- cases themselves.
CREATE TABLE sla_rollup_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    covered_before  BIGINT NOT NULL
);
INSERT INTO sla_rollup_state (id, covered_before) VALUES (1, 0);

-- Covered days whose rollup does not hold from from_us on (0: not at all) and must be
-- folded again: a change to one of the day's cases marks it (the triggers below, so no
-- write path can forget), and a fold that leaves a promise still running marks its day
-- from that promise's deadline. version counts the marks: a fold clears only the mark it
-- read, so a change that raced it keeps its day stale.
-- gate: a day that joins the rollup may have been changed by a transaction that read the
-- old covered_before (so marked nothing) and has not committed yet; such a day is folded
-- only once every transaction older than gate (a transaction id; -1 until set, after the
-- covering commits) has ended.
CREATE TABLE sla_rollup_stale (
    day      BIGINT PRIMARY KEY,
    version  BIGINT NOT NULL,
    from_us  BIGINT NOT NULL,
    gate     BIGINT
);
CREATE INDEX sla_rollup_stale_from ON sla_rollup_stale(from_us);

-- The triggers fire only when a column a report reads changes (the WHEN clauses cost no
-- function call), and the functions mark only covered days. Opening a case fires nothing:
-- a case is opened at the store's now, and covered days end the day before yesterday (an
-- SQL import of older cases sets covered_before to 0, and the worker covers them again).
CREATE FUNCTION sla_rollup_case_changed() RETURNS trigger AS $$
BEGIN
    IF NEW.created_us < (SELECT covered_before FROM sla_rollup_state) * 86400000000 THEN
        INSERT INTO sla_rollup_stale (day, version, from_us) VALUES (NEW.created_us / 86400000000, 1, 0)
        ON CONFLICT (day) DO UPDATE SET version = sla_rollup_stale.version + 1, from_us = 0;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION sla_rollup_promise_changed() RETURNS trigger AS $$
DECLARE
    created BIGINT;
BEGIN
    SELECT created_us INTO created FROM cases WHERE display_id = NEW.case_display_id;
    IF created < (SELECT covered_before FROM sla_rollup_state) * 86400000000 THEN
        INSERT INTO sla_rollup_stale (day, version, from_us) VALUES (created / 86400000000, 1, 0)
        ON CONFLICT (day) DO UPDATE SET version = sla_rollup_stale.version + 1, from_us = 0;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER sla_rollup_case_changed AFTER UPDATE ON cases FOR EACH ROW
WHEN (OLD.plan_id IS DISTINCT FROM NEW.plan_id OR OLD.severity_code IS DISTINCT FROM NEW.severity_code
    OR OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.assignee IS DISTINCT FROM NEW.assignee
    OR OLD.resolved_us IS DISTINCT FROM NEW.resolved_us OR OLD.responded_us IS DISTINCT FROM NEW.responded_us
    OR OLD.sla_target IS DISTINCT FROM NEW.sla_target)
EXECUTE FUNCTION sla_rollup_case_changed();
-- A case's first promise starts with the case (its insert marks); a restarted one later.
CREATE TRIGGER sla_rollup_promise_started AFTER INSERT ON case_targets FOR EACH ROW
WHEN (NEW.target = 'first_response' AND NEW.seq > 0)
EXECUTE FUNCTION sla_rollup_promise_changed();
CREATE TRIGGER sla_rollup_promise_changed AFTER UPDATE ON case_targets FOR EACH ROW
WHEN (NEW.target = 'first_response' AND (OLD.met_us IS DISTINCT FROM NEW.met_us
    OR OLD.stopped_us IS DISTINCT FROM NEW.stopped_us OR OLD.due_us IS DISTINCT FROM NEW.due_us))
EXECUTE FUNCTION sla_rollup_promise_changed();
