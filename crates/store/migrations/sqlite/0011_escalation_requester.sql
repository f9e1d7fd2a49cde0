-- Who asked for an urgent escalation: the customer, or an agent on the customer's behalf
-- (it spends the account's quota either way). Empty for other targets.
ALTER TABLE case_targets ADD COLUMN requested_by TEXT;
