DROP TABLE links;
DROP TABLE tasks;
DROP TABLE systems;
