-- The regimes are the domain's rules tables, not a list in the schema: a new
-- regime needs no migration. (The code refuses to read an unknown key.)
--
-- SQLite cannot drop a CHECK constraint, and rebuilding `cases` would
-- cascade into every table that references it. Removing a CHECK constraint
-- is one of the schema edits SQLite documents as safe through
-- writable_schema ("Making Other Kinds Of Table Schema Changes"): the stored
-- rows do not change. The temporary table afterwards bumps the schema
-- cookie, so every open connection re-reads the schema.
PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql, ' CHECK (regime IN (''uk-gdpr'', ''eu-gdpr'', ''ccpa''))', '')
 WHERE type = 'table' AND name IN ('cases', 'verification_policies');
PRAGMA writable_schema = OFF;
CREATE TABLE regimes_as_data_schema_bump (x INTEGER);
DROP TABLE regimes_as_data_schema_bump;
