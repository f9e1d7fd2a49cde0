-- One reading of a case's clock (tierdesk_core::sla::clock): the kind of the running
-- target due first beside its deadline, when support first answered whatever targets
-- ran, and the key the staff queue sorts by (tierdesk_core::sla::targets::queue_key).
ALTER TABLE cases ADD COLUMN sla_target TEXT;
ALTER TABLE cases ADD COLUMN responded_us BIGINT;
ALTER TABLE cases ADD COLUMN queue_us BIGINT NOT NULL DEFAULT 9223372036854775807;

UPDATE cases SET responded_us = (
    SELECT MIN(m.created_us) FROM communications m
    WHERE m.case_display_id = cases.display_id AND m.from_support = TRUE AND m.internal = FALSE
);
UPDATE cases SET sla_target = (
    SELECT t.target FROM case_targets t
    WHERE t.case_display_id = cases.display_id AND t.stopped_us IS NULL
    ORDER BY t.due_us, t.target LIMIT 1
)
WHERE is_open = TRUE;
-- A customer awaiting an untimed answer sorts as a new case of its severity opened when
-- they wrote: its first-response length (a day without one) after the wait began.
UPDATE cases SET queue_us = CASE
    WHEN sla_due_us <> 9223372036854775807 THEN sla_due_us
    WHEN awaiting_since_us IS NOT NULL THEN awaiting_since_us + CAST(60000000 AS BIGINT) * COALESCE((
        SELECT f.minutes FROM case_targets f
        WHERE f.case_display_id = cases.display_id AND f.target = 'first_response' AND f.seq = 0
    ), 1440)
    ELSE sla_due_us END
WHERE is_open = TRUE;
CREATE INDEX cases_queue_order ON cases(is_open, queue_us, display_id);
