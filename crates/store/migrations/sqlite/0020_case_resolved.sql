-- When a case was last resolved (NULL while it is open), for the SLA reports' resolution
-- times and backlog over time. A resolved case's last status change was its resolution.
ALTER TABLE cases ADD COLUMN resolved_us BIGINT;
UPDATE cases SET resolved_us = updated_us WHERE status = 'resolved';
-- Reports read cases by when they were opened and when they were resolved.
CREATE INDEX cases_created ON cases(created_us);
CREATE INDEX cases_resolved ON cases(resolved_us) WHERE resolved_us IS NOT NULL;
