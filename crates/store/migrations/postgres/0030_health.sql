-- AWS Health: the operator's events, every revision of their descriptions, the accounts
-- an account-specific event names, the resources events affect, the regions each account
-- is known to use, and payers' organization view. Keep in step with the other dialect's
-- 0030.
CREATE TABLE health_events (
    arn                TEXT PRIMARY KEY,
    service            TEXT NOT NULL,
    type_code          TEXT NOT NULL,
    category           TEXT NOT NULL,
    region             TEXT NOT NULL,
    availability_zone  TEXT,
    start_us           BIGINT NOT NULL,
    end_us             BIGINT,
    last_updated_us    BIGINT NOT NULL,
    status             TEXT NOT NULL,
    -- 'PUBLIC' or 'ACCOUNT_SPECIFIC'.
    scope              TEXT NOT NULL,
    actionability      TEXT NOT NULL,
    -- Comma-separated, with a comma at each end (',OPERATIONS,SECURITY,').
    personas           TEXT NOT NULL,
    title              TEXT NOT NULL,
    metadata_json      TEXT NOT NULL
);
CREATE INDEX health_events_by_update ON health_events (last_updated_us, arn);

CREATE TABLE health_descriptions (
    event_arn  TEXT NOT NULL REFERENCES health_events(arn),
    revision   BIGINT NOT NULL,
    at_us      BIGINT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (event_arn, revision)
);

CREATE TABLE health_event_accounts (
    event_arn   TEXT NOT NULL REFERENCES health_events(arn),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (event_arn, account_id)
);
CREATE INDEX health_event_accounts_by_account ON health_event_accounts (account_id, event_arn);

CREATE TABLE health_entities (
    event_arn        TEXT NOT NULL REFERENCES health_events(arn),
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    entity_value     TEXT NOT NULL,
    entity_arn       TEXT NOT NULL,
    entity_url       TEXT,
    status           TEXT NOT NULL,
    last_updated_us  BIGINT NOT NULL,
    tags_json        TEXT NOT NULL,
    PRIMARY KEY (event_arn, account_id, entity_value)
);
CREATE INDEX health_entities_by_account ON health_entities (account_id, entity_value);

-- The regions an account uses, as the operator set them (comma-separated); without a row
-- the regions of its imported inventory count.
CREATE TABLE account_regions (
    account_id  TEXT PRIMARY KEY REFERENCES accounts(id),
    regions     TEXT NOT NULL
);

-- A payer that turned on Health's organization view.
CREATE TABLE health_organizations (
    payer_id    TEXT PRIMARY KEY REFERENCES accounts(id),
    enabled_us  BIGINT NOT NULL
);

-- A case a customer opened about an event ("this maintenance breaks my deploy").
CREATE TABLE health_event_cases (
    display_id  BIGINT PRIMARY KEY REFERENCES cases(display_id),
    event_arn   TEXT NOT NULL REFERENCES health_events(arn)
);
CREATE INDEX health_event_cases_by_event ON health_event_cases (event_arn);
