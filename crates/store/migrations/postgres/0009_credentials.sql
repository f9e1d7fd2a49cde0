-- Credentials that can be taken away (issue 11): a disabled person signs in and calls
-- the API no more; an agent's token may expire (a revoked one expired when revoked);
-- people made by `serve --demo` say so.
ALTER TABLE agents ADD COLUMN disabled_us BIGINT;
ALTER TABLE agents ADD COLUMN token_expires_us BIGINT;
ALTER TABLE agents ADD COLUMN demo BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN disabled_us BIGINT;
ALTER TABLE users ADD COLUMN demo BOOLEAN NOT NULL DEFAULT FALSE;

-- Support engineers limited to named accounts; an engineer with no row works every
-- account's cases.
CREATE TABLE agent_accounts (
    agent_id    TEXT NOT NULL REFERENCES agents(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (agent_id, account_id)
);
