-- What each invoice line says, as data (JSON of tierdesk_core::invoice_words::LineWords),
-- so the console words it in the reader's language. NULL on lines computed before.
ALTER TABLE invoice_lines ADD COLUMN words TEXT;
