//! The deadline engine. Pure: it takes the regime's rules, the date of
//! receipt, the rights asked for, the clock events recorded on a case and
//! "today", and answers when the response is due, whether the clock is
//! running and why, step by step.
//!
//! Every difference between the laws is read from the regime's table
//! (`domain::regime`): the period (a corresponding month, or calendar
//! days), what restarts the period when it arrives (UK GDPR Art. 12A:
//! requested identity proof or a fee), which rights a clarification
//! question pauses (UK: subject access only; EU and CCPA: none), the
//! extension, the acknowledgement and fast-track (CCPA opt-out and limit)
//! periods, and the calendar a due date rolls past.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

use super::calendar::HolidayCalendar;
use super::regime::{Awaited, Period, Regime};
use super::rights::Right;

/// Something that happened on a case and moves its clock, with its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "event", content = "on", rename_all = "snake_case")]
pub enum ClockEvent {
    IdentityRequested(NaiveDate),
    IdentityReceived(NaiveDate),
    FeeRequested(NaiveDate),
    FeeReceived(NaiveDate),
    ClarificationRequested(NaiveDate),
    ClarificationReceived(NaiveDate),
    /// The requester was told of an extension, with reasons, on this date.
    Extended(NaiveDate),
}

impl ClockEvent {
    pub fn date(self) -> NaiveDate {
        match self {
            ClockEvent::IdentityRequested(d)
            | ClockEvent::IdentityReceived(d)
            | ClockEvent::FeeRequested(d)
            | ClockEvent::FeeReceived(d)
            | ClockEvent::ClarificationRequested(d)
            | ClockEvent::ClarificationReceived(d)
            | ClockEvent::Extended(d) => d,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ClockEvent::IdentityRequested(_) => "identity proof requested",
            ClockEvent::IdentityReceived(_) => "identity proof received",
            ClockEvent::FeeRequested(_) => "fee requested",
            ClockEvent::FeeReceived(_) => "fee received",
            ClockEvent::ClarificationRequested(_) => "clarification requested",
            ClockEvent::ClarificationReceived(_) => "clarification received",
            ClockEvent::Extended(_) => "extension notified",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct DeadlineInput<'a> {
    pub regime: Regime,
    /// The day the request reached the organisation.
    pub received: NaiveDate,
    /// The rights asked for: a clarification pauses the clock only where
    /// the regime pauses it for every one of them.
    pub rights: &'a [Right],
    /// In the order they happened.
    pub events: &'a [ClockEvent],
    /// The request holds one of the regime's fast-track rights (a CCPA
    /// opt-out or limit) not yet acted on.
    pub fast_track: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ClockState {
    /// Waiting for identity proof or a fee before the clock can start.
    NotStarted {
        waiting_for: &'static str,
    },
    Running,
    /// Stopped while waiting for the requester's clarification.
    Paused {
        since: NaiveDate,
    },
}

/// The engine's answer for one case on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub regime: Regime,
    pub received: NaiveDate,
    /// The day the clock counts from, once it has started.
    pub clock_start: Option<NaiveDate>,
    /// When the response is due; `None` while the clock has not started.
    pub due: Option<NaiveDate>,
    /// The due date before any extension.
    pub original_due: Option<NaiveDate>,
    pub extended: bool,
    /// Days the clock stood still, up to today.
    pub paused_days: u64,
    /// The acknowledgement deadline, where the regime has one (CCPA).
    pub acknowledge_by: Option<NaiveDate>,
    /// The deadline for acting on a fast-track right (a CCPA opt-out of
    /// sale or sharing, or limit), while one is open.
    pub opt_out_due: Option<NaiveDate>,
    /// Whether a clarification question would stop this request's clock.
    pub clarification_pauses: bool,
    pub clock: ClockState,
    /// Each step of the computation, in words.
    pub derivation: Vec<String>,
}

impl Deadline {
    /// Days from `today` to the due date: negative when overdue, `None` while
    /// the clock has not started.
    pub fn days_left(&self, today: NaiveDate) -> Option<i64> {
        self.due.map(|due| (due - today).num_days())
    }

    pub fn clock_running(&self) -> bool {
        self.clock == ClockState::Running
    }

    /// The first thing due: the fast-track date while such a right is
    /// open, else the response.
    pub fn next_due(&self) -> Option<NaiveDate> {
        match (self.opt_out_due, self.due) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("{what} on {on} is before the request was received on {received}")]
    BeforeReceipt {
        what: &'static str,
        on: NaiveDate,
        received: NaiveDate,
    },
    #[error("{what} on {on} is after today ({today})")]
    InTheFuture {
        what: &'static str,
        on: NaiveDate,
        today: NaiveDate,
    },
    #[error("the request was received on {received}, which is after today ({today})")]
    ReceivedInTheFuture {
        received: NaiveDate,
        today: NaiveDate,
    },
    #[error("{what} on {on} is out of order: an earlier event is dated {previous}")]
    OutOfOrder {
        what: &'static str,
        on: NaiveDate,
        previous: NaiveDate,
    },
    #[error("{what} on {on}, but nothing was requested")]
    NothingRequested { what: &'static str, on: NaiveDate },
    #[error("{what} on {on}, but it was already requested and has not yet arrived")]
    AlreadyRequested { what: &'static str, on: NaiveDate },
    #[error(
        "an extension notified on {extended_on} is too late: the original due date was {due}, \
         and the requester must be told before it"
    )]
    LateExtension {
        extended_on: NaiveDate,
        due: NaiveDate,
    },
    #[error("an extension on {on}, but the clock has not started (waiting for {waiting_for})")]
    ExtensionBeforeStart {
        on: NaiveDate,
        waiting_for: &'static str,
    },
    #[error("the deadline is already extended; it can be extended only once")]
    ExtendedTwice,
    #[error("the dates are out of the range the engine can count")]
    OutOfRange,
    #[error(
        "the case was due on {due} and is already late: asking for {what} now would restart \
         the clock and hide that it is overdue; answer or refuse the request instead"
    )]
    AlreadyLate { due: NaiveDate, what: &'static str },
}

/// Refuses to ask, on `on`, for something that would restart the clock of
/// a case already past its due date (UK GDPR Art. 12A): the request must
/// not quietly drop off the overdue list. Under a regime where asking
/// moves nothing, asking is always allowed.
pub fn check_late_request(
    current: &Deadline,
    what: Awaited,
    on: NaiveDate,
) -> Result<(), DeadlineError> {
    match current.due {
        Some(due) if on > due && current.regime.restarts_on(what) => {
            Err(DeadlineError::AlreadyLate {
                due,
                what: match what {
                    Awaited::Identity => "identity proof",
                    Awaited::Fee => "a fee",
                },
            })
        }
        _ => Ok(()),
    }
}

/// Computes the deadline of a request as it stands on `today`.
pub fn compute(
    input: DeadlineInput<'_>,
    calendar: &HolidayCalendar,
    today: NaiveDate,
) -> Result<Deadline, DeadlineError> {
    if input.received > today {
        return Err(DeadlineError::ReceivedInTheFuture {
            received: input.received,
            today,
        });
    }
    let timeline = Timeline::read(input, today)?;
    let mut steps = Steps::new(calendar);
    steps.push(format!(
        "Received on {} under {}.",
        long(input.received),
        input.regime.short()
    ));
    run(input, &timeline, calendar, today, steps)
}

/// The clock events, checked and folded into what the rules need.
struct Timeline {
    /// Latest arrival of requested proof or fee (ICO: the latest of request, ID, fee).
    start: NaiveDate,
    /// What the clock still waits for before it can start.
    waiting_for: Option<&'static str>,
    /// Clarification pauses: from, and until (today for one still open).
    pauses: Vec<(NaiveDate, NaiveDate)>,
    open_pause: Option<NaiveDate>,
    extended_on: Option<NaiveDate>,
    /// One line per event, in order.
    notes: Vec<(ClockEvent, String)>,
}

impl Timeline {
    fn read(input: DeadlineInput<'_>, today: NaiveDate) -> Result<Timeline, DeadlineError> {
        // Identity, fee and question asked but not moving this clock.
        let mut ignored = [false; 3];
        let mut t = Timeline {
            start: input.received,
            waiting_for: None,
            pauses: Vec::new(),
            open_pause: None,
            extended_on: None,
            notes: Vec::new(),
        };
        let mut identity_pending = false;
        let mut fee_pending = false;
        let mut previous = input.received;
        let rules = input.regime.rules();
        let pauses = input.regime.clarification_pauses(input.rights);
        // Events that do not move this regime's clock are still checked for
        // order and pairing; the derivation says why they change nothing.
        let no_restart = format!(
            "under {} this does not stop or move the clock ({})",
            rules.short, rules.clock.restart_source
        );
        let no_pause = format!("the clock keeps running: {}", rules.clock.pause_source);
        for &event in input.events {
            let on = event.date();
            let what = event.describe();
            if on < input.received {
                return Err(DeadlineError::BeforeReceipt {
                    what,
                    on,
                    received: input.received,
                });
            }
            if on > today {
                return Err(DeadlineError::InTheFuture { what, on, today });
            }
            if on < previous {
                return Err(DeadlineError::OutOfOrder { what, on, previous });
            }
            previous = on;
            let awaited = match event {
                ClockEvent::IdentityRequested(_) | ClockEvent::IdentityReceived(_) => {
                    Some(Awaited::Identity)
                }
                ClockEvent::FeeRequested(_) | ClockEvent::FeeReceived(_) => Some(Awaited::Fee),
                _ => None,
            };
            let moves_clock = match (awaited, event) {
                (Some(a), _) => input.regime.restarts_on(a),
                (
                    None,
                    ClockEvent::ClarificationRequested(_) | ClockEvent::ClarificationReceived(_),
                ) => pauses,
                _ => true,
            };
            if !moves_clock {
                let pending = match awaited {
                    Some(Awaited::Identity) => &mut ignored[0],
                    Some(Awaited::Fee) => &mut ignored[1],
                    None => &mut ignored[2],
                };
                let asks = matches!(
                    event,
                    ClockEvent::IdentityRequested(_)
                        | ClockEvent::FeeRequested(_)
                        | ClockEvent::ClarificationRequested(_)
                );
                if asks && *pending {
                    return Err(DeadlineError::AlreadyRequested { what, on });
                }
                if !asks && !*pending {
                    return Err(DeadlineError::NothingRequested { what, on });
                }
                *pending = asks;
                let why = if awaited.is_some() {
                    &no_restart
                } else {
                    &no_pause
                };
                t.notes.push((event, why.clone()));
                continue;
            }
            match event {
                ClockEvent::IdentityRequested(_) | ClockEvent::FeeRequested(_) => {
                    let pending = if matches!(event, ClockEvent::IdentityRequested(_)) {
                        &mut identity_pending
                    } else {
                        &mut fee_pending
                    };
                    if *pending {
                        return Err(DeadlineError::AlreadyRequested { what, on });
                    }
                    *pending = true;
                    t.notes.push((event, "the clock waits for it".into()));
                }
                ClockEvent::IdentityReceived(_) | ClockEvent::FeeReceived(_) => {
                    let pending = if matches!(event, ClockEvent::IdentityReceived(_)) {
                        &mut identity_pending
                    } else {
                        &mut fee_pending
                    };
                    if !*pending {
                        return Err(DeadlineError::NothingRequested { what, on });
                    }
                    *pending = false;
                    t.start = t.start.max(on);
                    t.notes
                        .push((event, "the clock starts from this day".into()));
                }
                ClockEvent::ClarificationRequested(_) => {
                    if t.open_pause.is_some() {
                        return Err(DeadlineError::AlreadyRequested { what, on });
                    }
                    t.open_pause = Some(on);
                    t.notes.push((event, "the clock stops".into()));
                }
                ClockEvent::ClarificationReceived(_) => {
                    let Some(since) = t.open_pause.take() else {
                        return Err(DeadlineError::NothingRequested { what, on });
                    };
                    t.pauses.push((since, on));
                    t.notes
                        .push((event, "the clock runs on from where it stopped".into()));
                }
                ClockEvent::Extended(_) => {
                    if t.extended_on.is_some() {
                        return Err(DeadlineError::ExtendedTwice);
                    }
                    let waiting = waiting_for(identity_pending, fee_pending);
                    if let Some(waiting_for) = waiting {
                        return Err(DeadlineError::ExtensionBeforeStart { on, waiting_for });
                    }
                    t.extended_on = Some(on);
                    t.notes
                        .push((event, "the requester was told, with reasons".into()));
                }
            }
        }
        t.waiting_for = waiting_for(identity_pending, fee_pending);
        if let Some(since) = t.open_pause {
            t.pauses.push((since, today));
        }
        Ok(t)
    }

    /// Days the clock stood still after it started and before `limit`.
    fn paused_days_before(&self, limit: NaiveDate) -> u64 {
        self.pauses
            .iter()
            .map(|&(since, until)| {
                let from = since.max(self.start);
                let to = until.min(limit);
                (to - from).num_days().max(0) as u64
            })
            .sum()
    }
}

fn waiting_for(identity: bool, fee: bool) -> Option<&'static str> {
    match (identity, fee) {
        (true, true) => Some("identity proof and fee"),
        (true, false) => Some("identity proof"),
        (false, true) => Some("fee"),
        (false, false) => None,
    }
}

/// The derivation being written, with the calendar it rolls dates by.
struct Steps<'c> {
    calendar: &'c HolidayCalendar,
    lines: Vec<String>,
}

impl<'c> Steps<'c> {
    fn new(calendar: &'c HolidayCalendar) -> Self {
        Steps {
            calendar,
            lines: Vec::new(),
        }
    }

    fn push(&mut self, line: String) {
        self.lines.push(line);
    }

    /// Rolls `raw` to a working day, saying why when it moves.
    fn roll(&mut self, raw: NaiveDate) -> NaiveDate {
        let rolled = self.calendar.roll_forward(raw);
        if rolled != raw {
            let mut reasons = Vec::new();
            let mut d = raw;
            while d < rolled {
                if let Some(why) = self.calendar.why_not_working(d) {
                    reasons.push(format!("{} is {why}", d.format("%-d %B %Y")));
                }
                d = d + Days::new(1);
            }
            self.push(format!(
                "{}: the next working day is {}.",
                reasons.join("; "),
                long(rolled)
            ));
        }
        self.warn_if_uncovered(rolled);
        rolled
    }

    fn warn_if_uncovered(&mut self, date: NaiveDate) {
        if !self.calendar.covers(date) {
            self.push(format!(
                "Warning: the holiday calendar ({}) has no data for {}; only weekends were considered.",
                self.calendar.name(),
                date.format("%Y")
            ));
        }
    }

    fn finish(self) -> Vec<String> {
        self.lines
    }
}

/// Applies the regime's rules to the checked timeline.
fn run(
    input: DeadlineInput<'_>,
    t: &Timeline,
    calendar: &HolidayCalendar,
    today: NaiveDate,
    mut steps: Steps<'_>,
) -> Result<Deadline, DeadlineError> {
    let rules = input.regime.rules();
    steps.push(format!(
        "The clock starts on the day of receipt, {}, whatever the day of the week.",
        long(input.received)
    ));
    for (event, effect) in &t.notes {
        steps.push(format!(
            "{}: {} on {}; {effect}.",
            capitalise(event.describe()),
            event.describe(),
            long(event.date())
        ));
    }
    let open_pause = t
        .pauses
        .last()
        .filter(|_| t.open_pause.is_some())
        .map(|p| p.0);
    let mut deadline = Deadline {
        regime: input.regime,
        received: input.received,
        clock_start: None,
        due: None,
        original_due: None,
        extended: false,
        paused_days: 0,
        acknowledge_by: None,
        opt_out_due: None,
        clarification_pauses: input.regime.clarification_pauses(input.rights),
        clock: ClockState::Running,
        derivation: Vec::new(),
    };
    if let Some(waiting_for) = t.waiting_for {
        steps.push(format!(
            "No due date yet: the clock starts when the {waiting_for} arrives ({}).",
            rules.clock.restart_source
        ));
        deadline.clock = ClockState::NotStarted { waiting_for };
    } else {
        if t.start != input.received {
            steps.push(format!("The clock counts from {}.", long(t.start)));
        }
        let period_end = period_from(t.start, rules.clock.period, &mut steps)?;
        let original_due = due_after_pauses(period_end, t, today, &mut steps)?;
        let mut due = original_due;
        if let Some(on) = t.extended_on {
            // Only pauses before the notice count towards the due date it beat.
            let due_when_notified =
                calendar.roll_forward(add_days(period_end, t.paused_days_before(on))?);
            if on > due_when_notified {
                return Err(DeadlineError::LateExtension {
                    extended_on: on,
                    due: due_when_notified,
                });
            }
            let extension = rules.clock.extension;
            steps.push(format!(
                "Extended by {} on {} (before the original due date, {}): the deadline \
                 becomes {} from the start ({}).",
                extension.words.trim_start_matches("up to "),
                long(on),
                long(due_when_notified),
                extension.total.describe(),
                extension.source
            ));
            let extended_end = period_from(t.start, extension.total, &mut steps)?;
            due = due_after_pauses(extended_end, t, today, &mut steps)?;
        }
        steps.push(format!("Due: {}.", long(due)));
        if let Some(since) = open_pause {
            steps.push(format!(
                "The clock has been stopped since {} while we wait for clarification; \
                 the due date moves on by a day for each day it stays stopped.",
                long(since)
            ));
            deadline.clock = ClockState::Paused { since };
        }
        deadline.clock_start = Some(t.start);
        deadline.due = Some(due);
        deadline.original_due = Some(original_due);
        deadline.extended = t.extended_on.is_some();
        deadline.paused_days = t.paused_days_before(today);
    }
    // The acknowledgement is for requests to know, delete and correct: a
    // request of fast-track rights alone (an opt-out) needs none.
    let needs_acknowledgement =
        input.rights.is_empty() || input.rights.iter().any(|r| !input.regime.fast_tracks(*r));
    if let (Some(days), true) = (rules.clock.acknowledge_within, needs_acknowledgement) {
        let by = calendar.add_working_days(input.received, days);
        steps.push(format!(
            "Acknowledge by {} ({days} business days after receipt; {}).",
            long(by),
            rules.clock.acknowledge_source
        ));
        steps.warn_if_uncovered(by);
        deadline.acknowledge_by = Some(by);
    }
    if let (Some(fast), true) = (rules.clock.fast_track, input.fast_track) {
        let by = calendar.add_working_days(input.received, fast.business_days);
        steps.push(format!(
            "Act on the {} by {} ({} business days after receipt, whatever happens to the \
             rest of the request; no verification; {}).",
            fast.what,
            long(by),
            fast.business_days,
            fast.source
        ));
        steps.warn_if_uncovered(by);
        deadline.opt_out_due = Some(by);
    }
    deadline.derivation = steps.finish();
    Ok(deadline)
}

/// The end of `period` counted from `start`, before rolling.
fn period_from(
    start: NaiveDate,
    period: Period,
    steps: &mut Steps<'_>,
) -> Result<NaiveDate, DeadlineError> {
    match period {
        Period::Months(n) => corresponding_date(start, n, steps),
        Period::Days(n) => {
            let end = add_days(start, n.into())?;
            steps.push(format!(
                "{n} calendar days from {} is {}.",
                long(start),
                long(end)
            ));
            Ok(end)
        }
    }
}

/// `raw` moved on by the days the clock stood still, then rolled to a working day.
fn due_after_pauses(
    raw: NaiveDate,
    t: &Timeline,
    today: NaiveDate,
    steps: &mut Steps<'_>,
) -> Result<NaiveDate, DeadlineError> {
    let paused = t.paused_days_before(today);
    let moved = add_days(raw, paused)?;
    if paused > 0 {
        steps.push(format!(
            "The clock stood still for {paused} day{} while we waited for clarification: \
             {} moves to {}.",
            if paused == 1 { "" } else { "s" },
            long(raw),
            long(moved)
        ));
    }
    Ok(steps.roll(moved))
}

/// The corresponding date `months` later, or the last day of a shorter month.
fn corresponding_date(
    start: NaiveDate,
    months: u32,
    steps: &mut Steps<'_>,
) -> Result<NaiveDate, DeadlineError> {
    let date = start
        .checked_add_months(Months::new(months))
        .ok_or(DeadlineError::OutOfRange)?;
    let span = if months == 1 {
        "One month".to_owned()
    } else {
        format!("{months} months")
    };
    if date.day() == start.day() {
        steps.push(format!(
            "{span} from {} is the corresponding date, {}.",
            long(start),
            long(date)
        ));
    } else {
        steps.push(format!(
            "{span} from {}: {} has no day {}, so the last day of that month, {}.",
            long(start),
            date.format("%B %Y"),
            start.format("%-d"),
            long(date)
        ));
    }
    Ok(date)
}

fn add_days(date: NaiveDate, days: u64) -> Result<NaiveDate, DeadlineError> {
    date.checked_add_days(Days::new(days))
        .ok_or(DeadlineError::OutOfRange)
}

/// A date as a person reads it: "Thursday 3 September 2026".
pub fn long(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;
