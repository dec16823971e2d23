DROP TABLE case_replies;
DROP TABLE status_links;
