-- Public holidays an operator imported from iCalendar files, per country. They close
-- business-hours clocks on top of the holidays Tierdesk ships. Re-importing a file
-- replaces what that file imported before.
CREATE TABLE holidays (
    country      TEXT NOT NULL,
    source       TEXT NOT NULL,
    day          TEXT NOT NULL,
    from_minute  BIGINT NOT NULL,
    to_minute    BIGINT NOT NULL,
    name         TEXT NOT NULL,
    PRIMARY KEY (country, source, day, from_minute)
);
