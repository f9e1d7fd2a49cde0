-- Full-text search over cases: one document per message (its rowid is the message's id),
-- holding the case's subject and the message's terms (the opening message also the
-- account, case id and the people on the case). Terms come from tierdesk_core::search
-- (bigrams for Japanese and Chinese); FTS5 indexes them as given. Contentless and without
-- positions: a search asks only which messages hold every term, so the index keeps
-- nothing else, which keeps a message's write cheap. The store fills it for existing
-- messages right after this file (`backfill`), in the same transaction.
CREATE VIRTUAL TABLE case_text USING fts5(terms, content = '', detail = none, columnsize = 0);
