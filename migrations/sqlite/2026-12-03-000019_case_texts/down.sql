DROP TABLE case_texts;
