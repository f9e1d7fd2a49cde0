-- Since when the customer awaits support's answer: set by a customer's visible message
-- (the earliest unanswered one), cleared by support's visible reply and by resolution.
-- Every customer message is owed an answer, whether or not the plan times it.
ALTER TABLE cases ADD COLUMN awaiting_since_us BIGINT;
-- Open cases whose newest visible message is the customer's await support since then.
UPDATE cases SET awaiting_since_us = (
    SELECT m.created_us FROM communications m
    WHERE m.case_display_id = cases.display_id AND m.internal = FALSE
    ORDER BY m.created_us DESC, m.id DESC LIMIT 1
)
WHERE is_open = TRUE AND (
    SELECT m.from_support FROM communications m
    WHERE m.case_display_id = cases.display_id AND m.internal = FALSE
    ORDER BY m.created_us DESC, m.id DESC LIMIT 1
) = FALSE;
