DROP TABLE suppression;
DROP TABLE wrapped_keys;
