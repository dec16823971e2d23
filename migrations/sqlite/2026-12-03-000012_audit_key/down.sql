DROP TABLE audit_seal;
