-- The mail outbox: one notice per event that people are told of by mail (a case opened,
-- support's reply, a reminder, a resolution, an SLA warning or breach), written in the
-- same transaction as its event. The sender turns a notice into its mails when it sends
-- them (recipients, language, words), so the write path only adds this row.
CREATE TABLE mail_notices (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT NOT NULL,
    case_display_id  BIGINT NOT NULL REFERENCES cases(display_id),
    -- What the notice is about within the case: a communication's id, an SLA event's
    -- key, a status change's instant; '' for the case's opening.
    subject_ref      TEXT NOT NULL,
    created_us       BIGINT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    -- When it is due (or its claim lapses); NULL once sent, skipped or given up.
    next_attempt_us  BIGINT,
    -- The Message-IDs its SMTP server has already accepted, one per line: a retry sends
    -- only the rest.
    sent_ids         TEXT NOT NULL DEFAULT '',
    sent_us          BIGINT,
    failed_us        BIGINT,
    last_error       TEXT,
    UNIQUE (kind, case_display_id, subject_ref)
);
CREATE INDEX mail_notices_due ON mail_notices(next_attempt_us);
