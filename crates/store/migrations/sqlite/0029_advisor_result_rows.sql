-- A Trusted Advisor result's rows, in chunks of at most 1,000: a large account's result
-- (a hundred thousand rows) is written and read a chunk at a time, never as one value of
-- tens of megabytes that the driver and the database each copy. Keep in step with the
-- other dialect's 0029.
CREATE TABLE advisor_result_rows (
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    check_id    TEXT NOT NULL,
    chunk       BIGINT NOT NULL,
    -- JSON: [{resourceId, key, status, region, metadata, savings}].
    rows_json   TEXT NOT NULL,
    PRIMARY KEY (account_id, check_id, chunk)
);
INSERT INTO advisor_result_rows (account_id, check_id, chunk, rows_json)
    SELECT account_id, check_id, 0, rows_json FROM advisor_results;
ALTER TABLE advisor_results DROP COLUMN rows_json;
