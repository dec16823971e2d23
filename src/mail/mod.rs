//! Email: the messages the app sends (rendered from templates), the
//! transports that carry them, and the worker that delivers the outbox.

pub mod backlog;
pub mod messages;
pub mod transport;
pub mod worker;

#[cfg(test)]
mod snapshots;

pub use backlog::BacklogGate;
pub use transport::Transport;
pub use worker::{deliver_due, DeliveryReport, MailWaker, Wakeups};
