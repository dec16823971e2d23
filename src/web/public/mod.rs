//! The public pages: no account needed.

pub mod authority;
pub mod confirm;
pub mod documents;
pub mod home;
pub mod receipt;
pub mod request_form;
pub mod status;
pub mod task;
