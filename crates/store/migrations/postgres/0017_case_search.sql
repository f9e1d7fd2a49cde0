-- Full-text search over cases: one document per message, holding the case's subject and
-- the message's terms (the opening message also the account, case id and the people on
-- the case). Terms come from tierdesk_core::search (bigrams for Japanese and Chinese) and
-- are stored as lexemes verbatim (a tsvector literal, no parser or dictionary), under a
-- GIN index. The store fills it for existing messages right after this file
-- (`backfill`), in the same transaction.
CREATE TABLE case_text (
    communication_id BIGINT PRIMARY KEY,
    case_display_id  BIGINT NOT NULL,
    internal         BOOLEAN NOT NULL,
    terms            TSVECTOR NOT NULL
);
CREATE INDEX case_text_terms ON case_text USING GIN (terms);
