-- Secrets a console form made (a password, an access key's secret, an API token), kept
-- sealed for the one page that shows them after the form redirects (post/redirect/get):
-- taken once by the person who made them, or swept when they expire.
CREATE TABLE shown_once (
    id          TEXT PRIMARY KEY,
    email       TEXT NOT NULL,
    sealed      BYTEA NOT NULL,
    expires_us  BIGINT NOT NULL
);
