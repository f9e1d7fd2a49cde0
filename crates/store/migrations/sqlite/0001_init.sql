-- Tierdesk schema, SQLite dialect. Keep in step with ../postgres/0001_init.sql: the
-- conformance suite runs the same queries on both.
-- Instants are BIGINT microseconds since the Unix epoch (UTC); dates are TEXT YYYY-MM-DD.

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    country     TEXT NOT NULL,
    language    TEXT NOT NULL,
    created_us  BIGINT NOT NULL
);

CREATE TABLE plan_assignments (
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    effective_from  TEXT NOT NULL,
    plan_id         TEXT NOT NULL,
    assigned_us     BIGINT NOT NULL,
    forced          BOOLEAN NOT NULL,
    PRIMARY KEY (account_id, effective_from)
);

CREATE TABLE access_keys (
    access_key_id     TEXT PRIMARY KEY,
    account_id        TEXT NOT NULL REFERENCES accounts(id),
    principal         TEXT NOT NULL,
    secret_ciphertext BLOB NOT NULL,
    created_us        BIGINT NOT NULL,
    revoked_us        BIGINT
);
CREATE INDEX access_keys_account ON access_keys(account_id);

-- display_id is the case's numeric, human-facing id; AUTOINCREMENT never reuses one.
CREATE TABLE cases (
    display_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id        TEXT NOT NULL UNIQUE,
    account_id     TEXT NOT NULL REFERENCES accounts(id),
    subject        TEXT NOT NULL,
    status         TEXT NOT NULL,
    service_code   TEXT NOT NULL,
    category_code  TEXT NOT NULL,
    severity_code  TEXT NOT NULL,
    issue_type     TEXT NOT NULL,
    language       TEXT NOT NULL,
    submitted_by   TEXT NOT NULL,
    cc_emails      TEXT NOT NULL,
    plan_id        TEXT NOT NULL,
    created_us     BIGINT NOT NULL,
    updated_us     BIGINT NOT NULL,
    -- Derived, for the open-cases index. A partial index (WHERE status <> 'resolved')
    -- would do the same, but made SQLite re-prepare every statement on this table.
    is_open        INTEGER GENERATED ALWAYS AS (status <> 'resolved') STORED
);
INSERT INTO sqlite_sequence (name, seq) VALUES ('cases', 1000000000);
CREATE INDEX cases_account_created ON cases(account_id, created_us, display_id);
CREATE INDEX cases_account_open ON cases(account_id, is_open, created_us, display_id);

CREATE TABLE communications (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    case_display_id  BIGINT NOT NULL REFERENCES cases(display_id),
    body             TEXT NOT NULL,
    submitted_by     TEXT NOT NULL,
    from_support     BOOLEAN NOT NULL,
    created_us       BIGINT NOT NULL
);
CREATE INDEX communications_case ON communications(case_display_id, created_us, id);

CREATE TABLE attachment_sets (
    set_id      TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    created_us  BIGINT NOT NULL,
    expires_us  BIGINT NOT NULL,
    used_us     BIGINT
);

CREATE TABLE attachments (
    attachment_id     TEXT PRIMARY KEY,
    set_id            TEXT NOT NULL REFERENCES attachment_sets(set_id),
    account_id        TEXT NOT NULL REFERENCES accounts(id),
    file_name         TEXT NOT NULL,
    size_bytes        BIGINT NOT NULL,
    data              BLOB NOT NULL,
    communication_id  BIGINT REFERENCES communications(id),
    created_us        BIGINT NOT NULL
);
CREATE INDEX attachments_set ON attachments(set_id);
CREATE INDEX attachments_communication ON attachments(communication_id);

-- Cases opened per account and month, for plans with a monthly cap.
CREATE TABLE case_quota (
    account_id  TEXT NOT NULL,
    month       TEXT NOT NULL,
    used        BIGINT NOT NULL,
    PRIMARY KEY (account_id, month)
);

-- Fixed-window counters shared by every replica (attachment rate limits).
CREATE TABLE rate_windows (
    account_id    TEXT NOT NULL,
    kind          TEXT NOT NULL,
    window_start  BIGINT NOT NULL,
    hits          BIGINT NOT NULL,
    PRIMARY KEY (account_id, kind, window_start)
);

CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  BLOB NOT NULL
);
