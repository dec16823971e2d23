-- Who we write to about a case (the agent when an agent filed it, else the
-- person), in any letter case: the per-address cap on unconfirmed requests
-- and the "my requests" lookup find their cases through this index instead
-- of scanning every recent case.
CREATE INDEX cases_correspondent ON cases (lower(coalesce(agent_email, requester_email)), state, submitted_at);

-- The last period (minutes or hours since 1970, by job) a periodic job was
-- claimed for: however many workers run, one runs it per period.
ALTER TABLE job_runs ADD COLUMN last_slot BIGINT NOT NULL DEFAULT 0;
