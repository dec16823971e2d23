DROP TABLE org_texts;
