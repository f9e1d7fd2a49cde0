-- The first-response promise a case was opened under: the clock and target taken from
-- its plan at creation, the deadline computed then, and when support first answered.
-- A later plan or calendar change does not rewrite these.
ALTER TABLE cases ADD COLUMN sla_clock TEXT;
ALTER TABLE cases ADD COLUMN sla_minutes BIGINT;
ALTER TABLE cases ADD COLUMN first_response_due_us BIGINT;
ALTER TABLE cases ADD COLUMN first_responded_us BIGINT;
