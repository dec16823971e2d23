-- The mail worker claims the messages due soonest: pending ones in the
-- order they fell due. With the old index (status, next_attempt_at) and an
-- order by id, each claim read and sorted every due message, so a backlog
-- made every claim slower (17 ms at 7,600 pending); this index gives them
-- in claiming order and a claim reads no more than it takes.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at, id);
