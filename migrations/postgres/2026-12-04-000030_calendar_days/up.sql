-- Days admins changed in a holiday calendar, over the shipped calendars
-- and calendars.file: a holiday declared (its name), or a holiday not kept
-- (holiday NULL: a working day).
CREATE TABLE calendar_days (
    calendar TEXT NOT NULL,
    day DATE NOT NULL,
    holiday TEXT,
    changed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (calendar, day)
);
