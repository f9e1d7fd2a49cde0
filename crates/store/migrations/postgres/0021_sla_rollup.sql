-- SLA rollups: the reports' figures per day a case was opened (UTC days since 1970),
-- plan, severity, account and assignee ('' for nobody), so that a report over a year
-- sums a few thousand rows instead of reading every case: the cases opened, the
-- first-response verdicts of those with a promise and histograms of their times in whole
-- minutes, and a histogram of the days the resolved ones were resolved on, for the
-- backlog (`tierdesk_core::sla::tally`'s text).
-- Keep in step with the other dialect's 0021.
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

CREATE FUNCTION sla_rollup_mark(created BIGINT) RETURNS void AS $$
BEGIN
    IF created < (SELECT covered_before FROM sla_rollup_state) * 86400000000 THEN
        INSERT INTO sla_rollup_stale (day, version, from_us) VALUES (created / 86400000000, 1, 0)
        ON CONFLICT (day) DO UPDATE SET version = sla_rollup_stale.version + 1, from_us = 0;
    END IF;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION sla_rollup_case_changed() RETURNS trigger AS $$
BEGIN
    PERFORM sla_rollup_mark(NEW.created_us);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION sla_rollup_promise_changed() RETURNS trigger AS $$
BEGIN
    IF NEW.target = 'first_response' THEN
        PERFORM sla_rollup_mark((SELECT created_us FROM cases WHERE display_id = NEW.case_display_id));
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER sla_rollup_case_inserted AFTER INSERT ON cases
FOR EACH ROW EXECUTE FUNCTION sla_rollup_case_changed();
CREATE TRIGGER sla_rollup_case_changed
AFTER UPDATE OF plan_id, severity_code, account_id, assignee, resolved_us, responded_us, sla_due_us, sla_target
ON cases FOR EACH ROW EXECUTE FUNCTION sla_rollup_case_changed();
CREATE TRIGGER sla_rollup_promise_started AFTER INSERT ON case_targets
FOR EACH ROW EXECUTE FUNCTION sla_rollup_promise_changed();
CREATE TRIGGER sla_rollup_promise_changed AFTER UPDATE OF met_us, stopped_us, due_us ON case_targets
FOR EACH ROW EXECUTE FUNCTION sla_rollup_promise_changed();
