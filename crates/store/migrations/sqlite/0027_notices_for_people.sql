-- Notices reach people by mail and by their own webhooks, and may be about an account
-- rather than a case (an invoice is ready): the outbox becomes `notices`, whose subject is
-- a case or an account. SQLite cannot drop a NOT NULL, so the table is rebuilt.
-- Keep in step with the other dialect's 0027.
CREATE TABLE notices (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT NOT NULL,
    -- What the notice is about: a case, or (when NULL) the account named below.
    case_display_id  BIGINT REFERENCES cases(display_id),
    account_id       TEXT,
    -- What the notice is about within its case or account: a communication's id, an SLA
    -- event's key, a status change's instant, an invoice's month and total; '' for a
    -- case's opening.
    subject_ref      TEXT NOT NULL,
    created_us       BIGINT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_us  BIGINT,
    sent_ids         TEXT NOT NULL DEFAULT '',
    sent_us          BIGINT,
    failed_us        BIGINT,
    last_error       TEXT,
    CHECK ((case_display_id IS NULL) <> (account_id IS NULL)),
    -- NULLs are distinct: each key binds only the notices about its kind of subject.
    UNIQUE (kind, case_display_id, subject_ref),
    UNIQUE (kind, account_id, subject_ref)
);
INSERT INTO notices (id, kind, case_display_id, account_id, subject_ref, created_us, attempts,
    next_attempt_us, sent_ids, sent_us, failed_us, last_error)
SELECT id, kind, case_display_id, NULL, subject_ref, created_us, attempts,
    next_attempt_us, sent_ids, sent_us, failed_us, last_error FROM mail_notices;
DROP TABLE mail_notices;
CREATE INDEX notices_due ON notices(next_attempt_us);

-- A person's own webhook: the notices they subscribe to on the webhook channel are
-- delivered there. NULL: an operator's endpoint for SLA events. Setting one disables the
-- person's others in the same transaction (no partial unique index: see ARCHITECTURE.md).
ALTER TABLE webhooks ADD COLUMN owner_email TEXT;
CREATE INDEX webhooks_owner ON webhooks(owner_email);
-- A delivery per endpoint and event: queuing a notice's deliveries again (a retried
-- claim) adds nothing.
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries(webhook_id, event_key);
