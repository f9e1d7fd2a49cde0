-- Trusted Advisor: each account's last imported inventory (the facts the checks read,
-- as JSON), each check's latest result, the resources a customer suppressed, when each
-- flagged resource was first and last seen (and fixed), and refresh jobs. Keep in step
-- with the other dialect's 0028.
CREATE TABLE advisor_inventories (
    account_id   TEXT PRIMARY KEY REFERENCES accounts(id),
    imported_us  BIGINT NOT NULL,
    -- The regions the inventory covers, comma-separated.
    regions      TEXT NOT NULL,
    files        BIGINT NOT NULL,
    facts        TEXT NOT NULL
);

CREATE TABLE advisor_results (
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    check_id      TEXT NOT NULL,
    evaluated_us  BIGINT NOT NULL,
    available     BOOLEAN NOT NULL,
    processed     BIGINT NOT NULL,
    ignored       BIGINT NOT NULL,
    -- JSON: [{resourceId, status, region, metadata, savings}].
    rows_json     TEXT NOT NULL,
    -- 'inventory' (computed) or 'operator' (fed).
    source        TEXT NOT NULL,
    PRIMARY KEY (account_id, check_id)
);

CREATE TABLE advisor_suppressions (
    account_id     TEXT NOT NULL REFERENCES accounts(id),
    check_id       TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    suppressed_us  BIGINT NOT NULL,
    PRIMARY KEY (account_id, check_id, resource_id)
);

-- A resource's time flagged: it opens when a result first flags the resource and closes
-- (resolved_us) when a later result no longer does.
CREATE TABLE advisor_findings (
    account_id     TEXT NOT NULL REFERENCES accounts(id),
    check_id       TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    first_seen_us  BIGINT NOT NULL,
    last_seen_us   BIGINT NOT NULL,
    status         TEXT NOT NULL,
    region         TEXT,
    -- The row's cells when last seen (JSON), so a fixed finding still says what it was.
    metadata_json  TEXT NOT NULL,
    resolved_us    BIGINT,
    PRIMARY KEY (account_id, check_id, resource_id, first_seen_us)
);
CREATE INDEX advisor_findings_open ON advisor_findings(account_id, check_id, resolved_us);

-- A check's refresh: requested, taken by a worker, finished. One row per account and
-- check, overwritten by the next request.
CREATE TABLE advisor_refreshes (
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    check_id      TEXT NOT NULL,
    requested_us  BIGINT NOT NULL,
    started_us    BIGINT,
    finished_us   BIGINT,
    succeeded     BOOLEAN,
    PRIMARY KEY (account_id, check_id)
);
CREATE INDEX advisor_refreshes_waiting ON advisor_refreshes(started_us, requested_us);
