DROP TABLE identity_questions;
