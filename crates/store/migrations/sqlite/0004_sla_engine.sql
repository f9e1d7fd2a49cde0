-- SLA engine: every response target a case runs (first response, next reply, periodic
-- update, urgent escalation) is a row of case_targets, with the events the breach
-- worker recorded for it; agents answer cases; webhooks hear about events through a
-- durable outbox. Keep in step with the other dialect's 0004.

-- Support engineers, TAMs and admins. The API token is stored as its SHA-256: it is
-- random and long, so a hash is enough to check it and useless to a thief.
CREATE TABLE agents (
    id          TEXT PRIMARY KEY,
    email       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    languages   TEXT NOT NULL,
    role        TEXT NOT NULL,
    token_hash  BLOB NOT NULL UNIQUE,
    created_us  BIGINT NOT NULL
);

-- One row per target a case runs. target is first_response, next_reply, update or
-- escalation; seq counts the targets of one kind on a case (0, 1, ...). A target is
-- met by a customer-visible support reply and stopped by that or by other events
-- (resolution; pending-customer-action stops updates). next_event_us is the instant the
-- breach worker must act next (the warning, then the breach), NULL when nothing is left:
-- the worker reads only rows whose instant has come, so its cost follows the cases
-- coming due, not all open cases.
CREATE TABLE case_targets (
    case_display_id  BIGINT NOT NULL REFERENCES cases(display_id),
    target           TEXT NOT NULL,
    seq              BIGINT NOT NULL,
    clock            TEXT NOT NULL,
    minutes          BIGINT NOT NULL,
    started_us       BIGINT NOT NULL,
    due_us           BIGINT NOT NULL,
    warn_us          BIGINT,
    met_us           BIGINT,
    stopped_us       BIGINT,
    warned_us        BIGINT,
    breached_us      BIGINT,
    next_event_us    BIGINT,
    PRIMARY KEY (case_display_id, target, seq)
);
CREATE INDEX case_targets_next_event ON case_targets(next_event_us);

INSERT INTO case_targets (case_display_id, target, seq, clock, minutes, started_us, due_us,
    warn_us, met_us, stopped_us, warned_us, breached_us, next_event_us)
SELECT display_id, 'first_response', 0, sla_clock, sla_minutes, created_us, first_response_due_us,
    NULL, first_responded_us,
    CASE WHEN first_responded_us IS NOT NULL THEN first_responded_us
         WHEN status = 'resolved' THEN updated_us END,
    NULL, NULL,
    CASE WHEN first_responded_us IS NULL AND status <> 'resolved' THEN first_response_due_us END
FROM cases WHERE sla_clock IS NOT NULL;

-- The queue's order: the earliest deadline among a case's running targets, or the
-- largest BIGINT when none runs (a sentinel rather than NULL so that one index serves
-- "ORDER BY sla_due_us" on both engines). The assignee is an agent id.
ALTER TABLE cases ADD COLUMN sla_due_us BIGINT NOT NULL DEFAULT 9223372036854775807;
ALTER TABLE cases ADD COLUMN assignee TEXT;
UPDATE cases SET sla_due_us = first_response_due_us
WHERE first_responded_us IS NULL AND status <> 'resolved' AND first_response_due_us IS NOT NULL;
ALTER TABLE cases DROP COLUMN sla_clock;
ALTER TABLE cases DROP COLUMN sla_minutes;
ALTER TABLE cases DROP COLUMN first_response_due_us;
ALTER TABLE cases DROP COLUMN first_responded_us;
CREATE INDEX cases_queue ON cases(is_open, sla_due_us, display_id);

-- Internal notes live with the conversation but never reach the customer.
ALTER TABLE communications ADD COLUMN internal BOOLEAN NOT NULL DEFAULT FALSE;

-- Warnings and breaches, each recorded once per case, target and kind: the unique key
-- is what makes the worker exactly-once across restarts and replicas.
CREATE TABLE sla_events (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    case_display_id  BIGINT NOT NULL REFERENCES cases(display_id),
    target           TEXT NOT NULL,
    seq              BIGINT NOT NULL,
    kind             TEXT NOT NULL,
    due_us           BIGINT NOT NULL,
    at_us            BIGINT NOT NULL,
    recorded_us      BIGINT NOT NULL,
    UNIQUE (case_display_id, target, seq, kind)
);
-- The SLA dashboard's list of recent breaches.
CREATE INDEX sla_events_kind_at ON sla_events(kind, at_us);

-- Monthly quotas per account and month: `cases` (a plan's case cap, until now in
-- case_quota) and `urgent_escalation`.
CREATE TABLE monthly_quota (
    account_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    month       TEXT NOT NULL,
    used        BIGINT NOT NULL,
    PRIMARY KEY (account_id, kind, month)
);
INSERT INTO monthly_quota (account_id, kind, month, used)
SELECT account_id, 'cases', month, used FROM case_quota;
DROP TABLE case_quota;

-- Webhook endpoints; the signing secret is sealed under the master key like API secrets.
CREATE TABLE webhooks (
    id                 TEXT PRIMARY KEY,
    url                TEXT NOT NULL,
    events             TEXT NOT NULL,
    secret_ciphertext  BLOB NOT NULL,
    created_us         BIGINT NOT NULL,
    disabled_us        BIGINT
);

-- The outbox: a delivery is written in the transaction that records its event, and
-- stays until the endpoint accepted it or the retries ran out. next_attempt_us is NULL
-- once it is settled.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id       TEXT NOT NULL REFERENCES webhooks(id),
    event_key        TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    payload          TEXT NOT NULL,
    created_us       BIGINT NOT NULL,
    attempts         BIGINT NOT NULL,
    next_attempt_us  BIGINT,
    delivered_us     BIGINT,
    failed_us        BIGINT,
    last_error       TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_us);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id);
