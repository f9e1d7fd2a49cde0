-- Full-text search over cases: one document per message, holding the case's subject and
-- the message's terms (the opening message also the account, case id and the people on
-- the case). Terms come from tierdesk_core::search (bigrams for Japanese and Chinese);
-- FTS5 indexes them as given. The store fills it for existing messages right after this
-- file (`backfill`), in the same transaction.
CREATE VIRTUAL TABLE case_text USING fts5(terms, case_display_id UNINDEXED, internal UNINDEXED);
