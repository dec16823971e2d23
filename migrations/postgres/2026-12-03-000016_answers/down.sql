DROP TABLE case_answers;
