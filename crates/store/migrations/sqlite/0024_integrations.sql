-- Cases opened by monitoring. An integration token belongs to one account: a monitoring
-- system that holds it opens and follows that account's cases, nothing else. Only the
-- token's SHA-256 is kept.
CREATE TABLE integration_tokens (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    token_hash      BLOB NOT NULL UNIQUE,
    -- The alert label that names a severity.
    severity_label  TEXT NOT NULL,
    -- Whether an alert group's resolution resolves its case.
    resolve_cases   BOOLEAN NOT NULL,
    created_us      BIGINT NOT NULL,
    revoked_us      BIGINT
);
CREATE INDEX integration_tokens_account ON integration_tokens(account_id);

-- The case an alert group opened last: while it is open, the group firing again writes
-- on it instead of opening another. The group key is Alertmanager's, hashed (it can be
-- long).
CREATE TABLE alert_cases (
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    group_key        TEXT NOT NULL,
    case_display_id  BIGINT NOT NULL REFERENCES cases(display_id),
    opened_us        BIGINT NOT NULL,
    PRIMARY KEY (account_id, group_key)
);
