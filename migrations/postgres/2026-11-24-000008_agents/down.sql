DROP TABLE agent_confirmations;
ALTER TABLE cases DROP COLUMN agent_email;
