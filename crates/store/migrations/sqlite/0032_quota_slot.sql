-- The write that took a month's last slot names itself here (a case's id), so opening a
-- case can raise the count under the cap and insert the case only where the count was
-- raised for it, in one call and without a savepoint: a refused case writes nothing.
ALTER TABLE monthly_quota ADD COLUMN last_ref TEXT;
