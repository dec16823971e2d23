-- The regimes are the domain's rules tables, not a list in the schema: a new
-- regime needs no migration. (The code refuses to read an unknown key.)
--
-- SQLite cannot drop a CHECK constraint, and rebuilding `cases` would
-- cascade into every table that references it. Removing a CHECK constraint
-- is one of the schema edits SQLite documents as safe through
-- writable_schema ("Making Other Kinds Of Table Schema Changes"): the stored
-- rows do not change. RESET makes this connection re-read the schema (a
-- later ALTER TABLE in the same connection would otherwise work from the
-- old text); the temporary table afterwards bumps the schema cookie, so
-- every other open connection re-reads it too.
PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql, ' CHECK (regime IN (''uk-gdpr'', ''eu-gdpr'', ''ccpa''))', '')
 WHERE type = 'table' AND name IN ('cases', 'verification_policies');
PRAGMA writable_schema = RESET;
CREATE TABLE regimes_as_data_schema_bump (x INTEGER);
DROP TABLE regimes_as_data_schema_bump;
