DROP TABLE packages;
DROP TABLE task_files;
