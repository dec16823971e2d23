//! The `rightsdesk` command line: `serve` (the default), `migrate` and
//! `deadline`.

use std::io::Write;
use std::sync::Arc;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use serde_json::json;

use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::domain::deadline::{self, ClockEvent, DeadlineInput};
use crate::domain::{Calendars, Regime, Right};
use crate::startup::{open_database, Application};

#[derive(Debug, Parser)]
#[command(
    name = "rightsdesk",
    version,
    about = "Data-subject-rights requests, handled on time"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web application and its background jobs (the default).
    Serve(ServeArgs),
    /// Run only the background jobs (mail delivery, expiry, reminders,
    /// digest, retention purge), for nodes started with `serve --no-jobs`.
    /// Any number may run on one PostgreSQL database.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Compute a statutory deadline and print it as JSON.
    Deadline(DeadlineArgs),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Reduce closed cases past their retention period to their minimal
    /// record, and delete spent links and old staff emails, once (the
    /// server does it hourly).
    Purge,
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Fill an empty database with made-up cases to try the staff workspace.
    Demo(DemoArgs),
    /// Manage the data key (uploads.key).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage tokens for the JSON API under /api/v1.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Record requesters' email replies from a maildir (each message in
    /// DIR/new is matched by the reference in its subject, then moved to
    /// DIR/cur); run it after whatever fills the maildir.
    Inbound(InboundArgs),
}

#[derive(Debug, clap::Args)]
pub struct InboundArgs {
    /// The maildir (with new/ and cur/) the replies arrive in.
    #[arg(long)]
    pub maildir: std::path::PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token and print it on standard output, once: it is stored
    /// only as a hash.
    Create {
        /// What uses it ("Website privacy centre").
        #[arg(long)]
        name: String,
        /// read, act, intake or systems; repeat the option for several.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Calls a minute it may make.
        #[arg(long, default_value_t = crate::service::api_tokens::DEFAULT_RATE_PER_MINUTE)]
        rate: u32,
    },
    /// List the tokens (never the tokens themselves).
    List,
    /// Revoke a token for good.
    Revoke {
        /// The token's id, as `token list` shows it.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Re-encrypt every identity document and stored email body under a new
    /// data key, read from standard input (base64 of 32 random bytes, e.g.
    /// `openssl rand -base64 32`). Stop every node first; then set
    /// uploads.key to the new key and start them again.
    Rotate,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff account. The password is read from standard input (one
    /// line; piped input works, e.g. `printf '%s' "$PW" | rightsdesk user add ...`).
    Add {
        #[arg(long)]
        email: String,
        /// admin, agent or viewer.
        #[arg(long)]
        role: crate::domain::Role,
        /// The person's name (defaults to the part of the address before @).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check every case's hash chain; report the first broken link.
    Verify,
    /// Re-seal every audit trail under a new audit key, read from standard
    /// input (base64 of 32 random bytes, e.g. `openssl rand -base64 32`),
    /// after checking each under the configured one. Stop every node first;
    /// then set audit.key to the new key and start them again.
    Rekey,
}

#[derive(Debug, Default, clap::Args)]
pub struct ServeArgs {
    /// Serve the web application only; leave mail and the scheduled jobs
    /// to `rightsdesk worker` processes.
    #[arg(long)]
    pub no_jobs: bool,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// How many cases to make.
    #[arg(long, default_value_t = 300)]
    pub cases: u32,
}

#[derive(Debug, clap::Args)]
pub struct DeadlineArgs {
    /// uk-gdpr, eu-gdpr or ccpa.
    #[arg(long)]
    pub regime: Regime,
    /// The date the request was received (YYYY-MM-DD).
    #[arg(long)]
    pub received: NaiveDate,
    /// The deadline is extended; the requester was told on --today, or on
    /// the day of receipt when --today is not given.
    #[arg(long)]
    pub extended: bool,
    /// The request includes a fast-track right (CCPA opt-out of sale or
    /// sharing, or limit): prints `opt_out_due`.
    #[arg(long)]
    pub opt_out: bool,
    /// The right asked for (access, erasure, rectification, ...): whether a
    /// clarification pauses the clock depends on it.
    #[arg(long, default_value = "access")]
    pub right: Right,
    /// A clarification asked on ASKED and answered on ANSWERED
    /// (YYYY-MM-DD:YYYY-MM-DD; leave ANSWERED empty while unanswered). The
    /// due date moves by the days between, only where the law and the right
    /// allow a pause; the derivation says why or why not. Repeatable.
    #[arg(long, value_parser = parse_clarification)]
    pub clarification: Vec<(NaiveDate, Option<NaiveDate>)>,
    /// The day to compute for (YYYY-MM-DD); defaults to the current date.
    #[arg(long)]
    pub today: Option<NaiveDate>,
}

fn parse_clarification(text: &str) -> Result<(NaiveDate, Option<NaiveDate>), String> {
    let date = |s: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| format!("'{s}' is not a date (YYYY-MM-DD)"))
    };
    let Some((asked, answered)) = text.split_once(':') else {
        return Err(format!(
            "'{text}' is not ASKED:ANSWERED (e.g. 2026-01-05:2026-01-12, or 2026-01-05: while unanswered)"
        ));
    };
    let asked = date(asked)?;
    let answered = match answered.trim() {
        "" => None,
        a => Some(date(a)?),
    };
    if answered.is_some_and(|a| a < asked) {
        return Err(format!("'{text}': answered before it was asked"));
    }
    Ok((asked, answered))
}

/// Runs the deadline command; returns the JSON to print, or a message for
/// stderr.
pub fn deadline_json(
    args: &DeadlineArgs,
    current_date: NaiveDate,
    calendars: &Calendars,
) -> Result<String, String> {
    let today = args.today.unwrap_or(current_date);
    let mut events = Vec::new();
    for (asked, answered) in &args.clarification {
        events.push(ClockEvent::ClarificationRequested(*asked));
        if let Some(answered) = answered {
            events.push(ClockEvent::ClarificationReceived(*answered));
        }
    }
    if args.extended {
        events.push(ClockEvent::Extended(args.today.unwrap_or(args.received)));
    }
    // In the order they happened; on one day, a question before its answer.
    events.sort_by_key(|e| e.date());
    let rights = [args.right];
    let d = deadline::compute(
        DeadlineInput {
            regime: args.regime,
            received: args.received,
            rights: &rights,
            events: &events,
            fast_track: args.opt_out,
        },
        calendars.for_regime(args.regime),
        today,
    )
    .map_err(|e| e.to_string())?;
    let out = json!({
        "regime": d.regime,
        "received": d.received,
        "today": today,
        "due": d.due,
        "original_due": d.original_due,
        "extended": d.extended,
        "days_left": d.days_left(today),
        "clock_running": d.clock_running(),
        "acknowledge_by": d.acknowledge_by,
        "opt_out_due": d.opt_out_due,
        "right": args.right,
        "clarification_pauses": d.clarification_pauses,
        "paused_days": d.paused_days,
        "derivation": d.derivation,
    });
    serde_json::to_string_pretty(&out).map_err(|e| e.to_string())
}

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Deadline(args) => {
            // The configured time zone says what "today" is; the configured
            // calendars say which days are holidays.
            let settings = match Settings::load() {
                Ok(s) => s,
                Err(e) => {
                    print_error(&e.to_string());
                    return 2;
                }
            };
            let calendars = match settings.calendars() {
                Ok(c) => c,
                Err(e) => {
                    print_error(&e.to_string());
                    return 2;
                }
            };
            let current = SystemClock.today(settings.organisation.timezone);
            match deadline_json(&args, current, &calendars) {
                Ok(json) => {
                    let mut out = std::io::stdout().lock();
                    if writeln!(out, "{json}").is_err() {
                        return 1;
                    }
                    0
                }
                Err(message) => {
                    print_error(&message);
                    2
                }
            }
        }
        Command::Migrate => match Settings::load()
            .map_err(anyhow::Error::from)
            .and_then(|s| open_database(&s))
        {
            Ok(_) => {
                eprintln!("database is up to date");
                0
            }
            Err(e) => {
                print_error(&format!("{e:#}"));
                1
            }
        },
        Command::User(UserCommand::Add { email, role, name }) => {
            report(crate::admin::add_user(&email, role, name.as_deref()))
        }
        Command::Audit(AuditCommand::Verify) => match crate::admin::audit_verify() {
            Ok(None) => 0,
            Ok(Some(broken)) => {
                eprintln!("{broken}");
                3
            }
            Err(e) => {
                print_error(&format!("{e:#}"));
                1
            }
        },
        Command::Demo(args) => report(crate::admin::demo(args.cases)),
        Command::Keys(KeysCommand::Rotate) => report(crate::admin::rotate_key()),
        Command::Audit(AuditCommand::Rekey) => report(crate::admin::rekey_audit()),
        Command::Purge => report(crate::admin::purge()),
        Command::Inbound(args) => report(crate::admin::inbound(&args.maildir)),
        Command::Token(TokenCommand::Create { name, scopes, rate }) => {
            report(crate::admin::create_token(&name, &scopes.join(" "), rate))
        }
        Command::Token(TokenCommand::List) => report(crate::admin::list_tokens()),
        Command::Token(TokenCommand::Revoke { id }) => report(crate::admin::revoke_token(id)),
        Command::Serve(args) => match serve(&args) {
            Ok(()) => 0,
            Err(e) => {
                print_error(&format!("{e:#}"));
                1
            }
        },
        Command::Worker => match Settings::load()
            .map_err(anyhow::Error::from)
            .and_then(|settings| crate::startup::run_worker(settings, Arc::new(SystemClock)))
        {
            Ok(()) => 0,
            Err(e) => {
                print_error(&format!("{e:#}"));
                1
            }
        },
    }
}

/// Prints a command's error on stderr; returns the exit code.
fn report(result: anyhow::Result<()>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            print_error(&format!("{e:#}"));
            2
        }
    }
}

fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let base_url = settings.base_url().to_owned();
    let role = if args.no_jobs {
        crate::startup::Role::WebOnly
    } else {
        crate::startup::Role::All
    };
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build_as(settings, Arc::new(SystemClock), role)?;
        log::info!("Rightsdesk is serving at {base_url} (port {})", app.port());
        app.run_until_stopped().await?;
        Ok(())
    })
}

/// Prints a command's error as one line on stderr (a library's message may
/// span several, e.g. libpq's for each address it tried).
fn print_error(message: &str) {
    let line = message
        .lines()
        .map(|l| l.trim().trim_start_matches(':').trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    eprintln!("error: {line}");
}
