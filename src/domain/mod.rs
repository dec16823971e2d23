//! The pure heart of Rightsdesk: rights, regimes, holiday calendars, the
//! deadline engine, the case state machine and the validated shape of a new
//! request. Nothing in here does I/O or reads the clock; "today" is always a
//! parameter, so every rule can be tested exhaustively.

pub mod answer;
pub mod api_token;
pub mod audit;
pub mod calendar;
pub mod casework;
pub mod deadline;
pub mod drp;
pub mod email;
pub mod fulfilment;
pub mod intake;
pub mod lifecycle;
pub mod portability;
pub mod reference;
pub mod regime;
pub mod reports;
pub mod retention;
pub mod rights;
pub mod staff;
pub mod text;
pub mod verification;
pub mod webhook;

pub use calendar::{Calendars, HolidayCalendar};
pub use deadline::{ClockEvent, Deadline, DeadlineError, DeadlineInput};
pub use email::Email;
pub use intake::{FieldError, IntakeInput, NewRequest};
pub use lifecycle::{CaseState, IllegalTransition, Transition};
pub use reference::Reference;
pub use regime::{Jurisdiction, Location, Regime};
pub use rights::{Right, RightRequest};
pub use staff::Role;
