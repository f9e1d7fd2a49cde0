-- Support fees: monthly usage imported from billing exports, and the invoices computed
-- from it. Amounts are decimal strings (exact on both engines). Keep in step with the
-- other dialect's 0005.

-- The account whose invoice carries this account's fee on plans billed on the aggregate
-- usage of the accounts enrolled together (AWS Enterprise); NULL: itself.
ALTER TABLE accounts ADD COLUMN payer TEXT;

-- Gross usage per account and month (the fee basis). Importing a month for an account
-- again replaces its row.
CREATE TABLE usage (
    account_id   TEXT NOT NULL,
    month        TEXT NOT NULL,
    currency     TEXT NOT NULL,
    amount       TEXT NOT NULL,
    source       TEXT NOT NULL,
    imported_us  BIGINT NOT NULL,
    PRIMARY KEY (account_id, month, currency)
);
CREATE INDEX usage_month ON usage(month);

-- One invoice per account and month; a bill run for a month replaces its invoices.
CREATE TABLE invoices (
    account_id   TEXT NOT NULL,
    month        TEXT NOT NULL,
    currency     TEXT NOT NULL,
    total        TEXT NOT NULL,
    computed_us  BIGINT NOT NULL,
    PRIMARY KEY (account_id, month)
);
CREATE INDEX invoices_month ON invoices(month);

-- The arithmetic behind a total, line by line, in order.
CREATE TABLE invoice_lines (
    account_id   TEXT NOT NULL,
    month        TEXT NOT NULL,
    n            BIGINT NOT NULL,
    plan_id      TEXT,
    description  TEXT NOT NULL,
    amount       TEXT NOT NULL,
    PRIMARY KEY (account_id, month, n)
);
