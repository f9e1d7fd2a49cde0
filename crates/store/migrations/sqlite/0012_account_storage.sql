-- The per-account storage quota (serve --account-storage-mb) sums an account's files.
CREATE INDEX attachments_account ON attachments(account_id);
