-- Notices reach people by mail and by their own webhooks, and may be about an account
-- rather than a case (an invoice is ready): the outbox becomes `notices`, whose subject is
-- a case or an account. Keep in step with the other dialect's 0027.
ALTER TABLE mail_notices RENAME TO notices;
ALTER INDEX mail_notices_due RENAME TO notices_due;
ALTER TABLE notices ALTER COLUMN case_display_id DROP NOT NULL;
ALTER TABLE notices ADD COLUMN account_id TEXT;
ALTER TABLE notices ADD CHECK ((case_display_id IS NULL) <> (account_id IS NULL));
-- NULLs are distinct: each key binds only the notices about its kind of subject.
ALTER TABLE notices ADD UNIQUE (kind, account_id, subject_ref);

-- A person's own webhook: the notices they subscribe to on the webhook channel are
-- delivered there. NULL: an operator's endpoint for SLA events. Setting one disables the
-- person's others in the same transaction (no partial unique index: see ARCHITECTURE.md).
ALTER TABLE webhooks ADD COLUMN owner_email TEXT;
CREATE INDEX webhooks_owner ON webhooks(owner_email);
-- A delivery per endpoint and event: queuing a notice's deliveries again (a retried
-- claim) adds nothing.
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries(webhook_id, event_key);
