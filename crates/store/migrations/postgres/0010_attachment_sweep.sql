-- Attachment sets that expire unused are deleted by the housekeeping pass; this index
-- finds them.
CREATE INDEX attachment_sets_expiry ON attachment_sets(expires_us);
