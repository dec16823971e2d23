-- The regimes are the domain's rules tables, not a list in the schema: a new
-- regime needs no migration. (The code refuses to read an unknown key.)
ALTER TABLE cases DROP CONSTRAINT IF EXISTS cases_regime_check;
ALTER TABLE verification_policies DROP CONSTRAINT IF EXISTS verification_policies_regime_check;
