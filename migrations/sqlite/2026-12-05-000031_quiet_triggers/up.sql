-- Links are looked up by task only for task links: the others (most of
-- them) need no entry.
DROP INDEX links_task;
CREATE INDEX links_task ON links (task_id) WHERE task_id IS NOT NULL;
