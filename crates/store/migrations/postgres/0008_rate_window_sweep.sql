-- Old rate windows of every key are swept on each hit of their kind; this index finds
-- them without reading the table.
CREATE INDEX rate_windows_age ON rate_windows(kind, window_start);
