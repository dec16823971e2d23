DROP INDEX links_task;
CREATE INDEX links_task ON links (task_id);
