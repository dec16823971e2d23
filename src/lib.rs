//! Rightsdesk: receive, verify, work and answer data-subject-rights requests.

pub mod domain;
