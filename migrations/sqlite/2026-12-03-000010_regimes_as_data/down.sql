PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql, 'regime TEXT NOT NULL,', 'regime TEXT NOT NULL CHECK (regime IN (''uk-gdpr'', ''eu-gdpr'', ''ccpa'')),')
 WHERE type = 'table' AND name IN ('cases', 'verification_policies');
PRAGMA writable_schema = OFF;
CREATE TABLE regimes_as_data_schema_bump (x INTEGER);
DROP TABLE regimes_as_data_schema_bump;
