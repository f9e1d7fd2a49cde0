-- Mail in. A message written from a customer's mail keeps its Message-ID: an MTA that
-- delivers the same mail twice (it retries when it hears no answer) adds it once.
ALTER TABLE communications ADD COLUMN mail_message_id TEXT;
CREATE UNIQUE INDEX communications_mail_message_id ON communications(mail_message_id);

-- Every mail received and what became of it; the raw message of those refused,
-- malformed or ignored, for the operator to inspect.
CREATE TABLE inbound_mail (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    received_us  BIGINT NOT NULL,
    -- stored, refused, malformed, ignored
    outcome      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    sender       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    case_id      TEXT,
    raw          BLOB
);
CREATE INDEX inbound_mail_received ON inbound_mail(received_us);
