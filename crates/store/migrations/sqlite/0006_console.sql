-- Console sign-in. Customer users belong to one account; agents sign in with the email
-- they were created with. Passwords are argon2id hashes (PHC strings) per email, lower-
-- cased. Sessions live here so that every replica knows them: the cookie carries a random
-- token and this table only its SHA-256. Keep in step with the other dialect's 0006.
CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    email       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    language    TEXT NOT NULL,
    created_us  BIGINT NOT NULL
);
CREATE INDEX users_account ON users(account_id);

CREATE TABLE passwords (
    email   TEXT PRIMARY KEY,
    hash    TEXT NOT NULL,
    set_us  BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash  BLOB PRIMARY KEY,
    email       TEXT NOT NULL,
    csrf        TEXT NOT NULL,
    created_us  BIGINT NOT NULL,
    expires_us  BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_us);
