//! Black-box tests: each starts the real application on a random port with
//! its own database (SQLite in a temporary directory, or a fresh PostgreSQL
//! database when TEST_DATABASE_URL is set) and reads the real emails it
//! writes.

mod agents;
mod api_fulfilment;
mod api_v1;
mod audit_key;
mod calendars;
mod casework;
mod confirmation;
mod data_points;
mod deadline_cli;
mod documents;
mod drp;
mod fulfilment;
mod health;
mod helpers;
mod inbound;
mod intake;
mod mail_delivery;
mod migrations;
mod nodes;
mod queue;
mod regimes;
mod reports;
mod retention;
mod security;
mod staff_auth;
mod staff_helpers;
mod status_page;
mod uploads;
mod validation;
mod verification_policy;
mod webhooks;
