-- Console preferences and technical account managers. Keep in step with the other
-- dialect's 0007.

-- What a person chose for the console, per email (a customer user's or an agent's; one
-- email is one person). NULL means not chosen: the browser's language, and the account's
-- zone (customers) or UTC (agents).
CREATE TABLE preferences (
    email        TEXT PRIMARY KEY,
    ui_language  TEXT,
    timezone     TEXT
);

-- An account's technical account manager: one agent per account, any number of accounts
-- per agent.
CREATE TABLE account_tams (
    account_id   TEXT PRIMARY KEY REFERENCES accounts(id),
    agent_id     TEXT NOT NULL REFERENCES agents(id),
    assigned_us  BIGINT NOT NULL
);
CREATE INDEX account_tams_agent ON account_tams(agent_id);
