//! Carrying a request out: the organisation's systems, the task each right
//! creates in each system that takes part in it, and what a task's answer
//! may be. Pure rules; the database and the links live elsewhere.

use chrono::{Days, NaiveDate};

use super::casework::Outcome;
use super::email::Email;
use super::rights::{Choice, Right};
use super::text;

/// A system that holds personal data, as an admin describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemSpec {
    pub name: String,
    /// Who carries out its tasks (a person or a team's address).
    pub owner: Email,
    /// The rights it takes part in.
    pub rights: Vec<Right>,
    /// Whether the organisation discloses data to it (an external
    /// recipient, told of rectification, erasure and restriction: Art. 19).
    pub external_recipient: bool,
    /// How long it keeps data, in words (for the access answer).
    pub retention_note: String,
}

/// Why a system description was refused, field by field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SystemError {
    #[error("Enter the system's name (one line, 100 characters at most)")]
    Name,
    #[error("Enter the email address of the system's owner")]
    Owner,
    #[error("Choose at least one right the system takes part in")]
    NoRights,
    #[error("The retention note is too long (1,000 characters at most) or has characters we cannot accept")]
    Retention,
}

impl SystemSpec {
    /// Parses what an admin typed. `rights` are right keys.
    pub fn parse(
        name: &str,
        owner: &str,
        rights: &[String],
        external_recipient: bool,
        retention_note: &str,
    ) -> Result<SystemSpec, SystemError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || !text::is_single_line(name) {
            return Err(SystemError::Name);
        }
        let owner = Email::parse(owner).map_err(|_| SystemError::Owner)?;
        let mut parsed: Vec<Right> = Vec::new();
        for key in rights {
            let right: Right = key.parse().map_err(|_| SystemError::NoRights)?;
            if !parsed.contains(&right) {
                parsed.push(right);
            }
        }
        if parsed.is_empty() {
            return Err(SystemError::NoRights);
        }
        parsed.sort_by_key(|r| Right::ALL.iter().position(|a| a == r));
        let retention_note = retention_note.trim();
        if retention_note.chars().count() > 1000 || !text::is_storable_text(retention_note) {
            return Err(SystemError::Retention);
        }
        Ok(SystemSpec {
            name: name.to_owned(),
            owner,
            rights: parsed,
            external_recipient,
            retention_note: retention_note.to_owned(),
        })
    }
}

/// How a system answered its task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskAnswer {
    /// Carried out (the data found and sent, erased, corrected...).
    Done,
    /// The system holds nothing about the person.
    NoData,
    /// Kept under a legal obligation or other exception, whose basis the
    /// requester is told.
    Kept { basis: String },
    /// It cannot be done (the note says why).
    NotPossible,
}

/// The answer's kind, without its basis: what a form offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    Done,
    NoData,
    Kept,
    NotPossible,
}

impl Choice for AnswerKind {
    const ALL: &'static [AnswerKind] = &[
        AnswerKind::Done,
        AnswerKind::NoData,
        AnswerKind::Kept,
        AnswerKind::NotPossible,
    ];

    fn key(self) -> &'static str {
        match self {
            AnswerKind::Done => "done",
            AnswerKind::NoData => "no_data",
            AnswerKind::Kept => "kept",
            AnswerKind::NotPossible => "not_possible",
        }
    }

    fn label(self) -> &'static str {
        match self {
            AnswerKind::Done => "Done",
            AnswerKind::NoData => "No data found about this person",
            AnswerKind::Kept => "Kept under a legal obligation or exception (give the basis)",
            AnswerKind::NotPossible => "Not possible (say why in the note)",
        }
    }
}

impl AnswerKind {
    /// What the requester reads of a system's answer.
    pub fn requester_text(self) -> &'static str {
        match self {
            AnswerKind::Done => "Done",
            AnswerKind::NoData => "We held no data about you in this system",
            AnswerKind::Kept => "Kept, because the law requires us to keep it",
            AnswerKind::NotPossible => "Could not be done",
        }
    }
}

/// Why a task answer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("Choose what was done")]
    Kind,
    #[error("Give the legal basis for keeping the data (the requester is told it)")]
    Basis,
    #[error("Say in the note why it is not possible")]
    Reason,
    #[error("The text is too long (5,000 characters at most) or has characters we cannot accept")]
    Text,
}

/// A task's answer with its note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    pub answer: TaskAnswer,
    pub note: Option<String>,
}

fn clean(text: &str) -> Result<Option<String>, AnswerError> {
    let t = text.trim();
    if t.chars().count() > 5000 || !text::is_storable_text(t) {
        return Err(AnswerError::Text);
    }
    Ok((!t.is_empty()).then(|| t.to_owned()))
}

impl Answered {
    /// Parses a task form: the answer's key, the basis (for `kept`) and a note.
    pub fn parse(kind: &str, basis: &str, note: &str) -> Result<Answered, AnswerError> {
        let kind = AnswerKind::parse(kind).ok_or(AnswerError::Kind)?;
        let basis = clean(basis)?;
        let note = clean(note)?;
        let answer = match kind {
            AnswerKind::Done => TaskAnswer::Done,
            AnswerKind::NoData => TaskAnswer::NoData,
            AnswerKind::Kept => TaskAnswer::Kept {
                basis: basis.ok_or(AnswerError::Basis)?,
            },
            AnswerKind::NotPossible => {
                if note.is_none() {
                    return Err(AnswerError::Reason);
                }
                TaskAnswer::NotPossible
            }
        };
        Ok(Answered { answer, note })
    }
}

impl TaskAnswer {
    pub fn kind(&self) -> AnswerKind {
        match self {
            TaskAnswer::Done => AnswerKind::Done,
            TaskAnswer::NoData => AnswerKind::NoData,
            TaskAnswer::Kept { .. } => AnswerKind::Kept,
            TaskAnswer::NotPossible => AnswerKind::NotPossible,
        }
    }

    /// The stored key of its kind.
    pub fn kind_key(&self) -> &'static str {
        self.kind().key()
    }

    pub fn basis(&self) -> Option<&str> {
        match self {
            TaskAnswer::Kept { basis } => Some(basis),
            _ => None,
        }
    }

    /// Reads a stored answer back.
    pub fn from_stored(kind: &str, basis: Option<&str>) -> Option<TaskAnswer> {
        Some(match AnswerKind::parse(kind)? {
            AnswerKind::Done => TaskAnswer::Done,
            AnswerKind::NoData => TaskAnswer::NoData,
            AnswerKind::Kept => TaskAnswer::Kept {
                basis: basis.unwrap_or_default().to_owned(),
            },
            AnswerKind::NotPossible => TaskAnswer::NotPossible,
        })
    }
}

/// What a system owner must do for a right, in a few words.
pub fn instruction(right: Right) -> &'static str {
    match right {
        Right::Access => "find the personal data you hold about the person and send a copy",
        Right::Rectification => "correct the data the person says is wrong or incomplete",
        Right::Erasure => "delete the person's data, unless the law requires you to keep it",
        Right::Restriction => "stop using the person's data (keep it, but do nothing else with it)",
        Right::Portability => "export the data the person gave you in a machine-readable format",
        Right::Objection => "stop using the person's data for the purpose they object to (for direct marketing: always)",
        Right::AutomatedDecision => "have a person review the automated decision about them",
        Right::WithdrawConsent => "stop the processing the person had consented to",
        Right::OptOut => "stop selling or sharing the person's personal information",
        Right::Limit => "limit the use of the person's sensitive personal information",
    }
}

/// The rights whose carrying out must be passed on to the recipients the
/// data was disclosed to (GDPR Art. 19; the CCPA's service providers and
/// third parties told of a deletion, §1798.105(c)).
pub fn passed_on_to_recipients(right: Right) -> bool {
    matches!(
        right,
        Right::Rectification | Right::Erasure | Right::Restriction
    )
}

/// What was done, as a past participle for a recipient ("erased").
pub fn done_to_data(right: Right) -> &'static str {
    match right {
        Right::Erasure => "erased",
        Right::Rectification => "corrected",
        Right::Restriction => "restricted the use of",
        _ => "acted on",
    }
}

/// The rights of a completed case to pass on to recipients: those above
/// that were carried out, in whole or in part.
pub fn notices_due(rights: &[(Right, Option<Outcome>)]) -> Vec<Right> {
    rights
        .iter()
        .filter(|(right, outcome)| {
            passed_on_to_recipients(*right)
                && matches!(
                    outcome,
                    Some(Outcome::Fulfilled | Outcome::PartiallyFulfilled)
                )
        })
        .map(|(right, _)| *right)
        .collect()
}

/// Why a completed right puts the person's address on the suppression
/// list, if it does: an erasure carried out (their address must not come
/// back through an import), an objection to direct marketing, a CCPA
/// opt-out of sale or sharing.
pub fn suppression_reason(
    request: &super::RightRequest,
    outcome: Option<Outcome>,
) -> Option<&'static str> {
    use super::rights::ObjectionGround;
    use super::RightRequest as R;
    if !matches!(
        outcome,
        Some(Outcome::Fulfilled | Outcome::PartiallyFulfilled)
    ) {
        return None;
    }
    match request {
        R::Erasure { .. } => Some("erasure"),
        R::Objection {
            ground: ObjectionGround::DirectMarketing,
            ..
        } => Some("objection_to_direct_marketing"),
        R::OptOut => Some("opt_out_of_sale_or_sharing"),
        _ => None,
    }
}

/// The form of an address that is hashed for the suppression list: trimmed
/// and in lower case, so any spelling of the same address matches.
pub fn suppression_form(address: &str) -> String {
    address.trim().to_lowercase()
}

/// Why an attached file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileRefused {
    #[error("{0} is an archive: attach the files themselves, not a zip or similar")]
    Archive(String),
    #[error("{0} is empty")]
    Empty(String),
    #[error("{0}: data for portability must be machine-readable: a .csv or .json file (JSON that parses, CSV as UTF-8 text)")]
    NotMachineReadable(String),
}

/// Checks a file for a portability answer, whose data must reach the
/// requester in a structured, machine-readable format: JSON that parses or
/// CSV text.
pub fn portable_file(name: &str, bytes: &[u8]) -> Result<(), FileRefused> {
    let lower = name.to_ascii_lowercase();
    let ok = if lower.ends_with(".json") {
        serde_json::from_slice::<serde_json::Value>(bytes).is_ok()
    } else if lower.ends_with(".csv") {
        std::str::from_utf8(bytes).is_ok()
    } else {
        false
    };
    if ok {
        Ok(())
    } else {
        Err(FileRefused::NotMachineReadable(name.to_owned()))
    }
}

/// Checks a file a system's owner attaches and gives the name it is stored
/// under (letters, digits, dot, dash and underscore; at most 80). Archives
/// are refused: a package never unpacks what it is given (no zip bombs).
pub fn accept_file(name: &str, bytes: &[u8]) -> Result<String, FileRefused> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut clean: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    clean = clean.trim_start_matches('.').chars().take(80).collect();
    if clean.is_empty() {
        clean = "file".into();
    }
    if bytes.is_empty() {
        return Err(FileRefused::Empty(clean));
    }
    const ARCHIVES: [&[u8]; 6] = [
        b"PK\x03\x04",
        b"PK\x05\x06",
        b"\x1f\x8b",
        b"7z\xbc\xaf\x27\x1c",
        b"Rar!",
        b"BZh",
    ];
    if ARCHIVES.iter().any(|magic| bytes.starts_with(magic)) {
        return Err(FileRefused::Archive(clean));
    }
    Ok(clean)
}

/// The tasks a verified case creates: one per right and per system that
/// takes part in it (systems given as id and the rights they take part in).
pub fn tasks_for<Id: Copy>(rights: &[Right], systems: &[(Id, Vec<Right>)]) -> Vec<(Id, Right)> {
    rights
        .iter()
        .flat_map(|right| {
            systems
                .iter()
                .filter(move |(_, takes)| takes.contains(right))
                .map(move |(id, _)| (*id, *right))
        })
        .collect()
}

/// The day a task is due inside the organisation: `target_days` after it
/// was created, or for an objection (to direct marketing, which must stop
/// and is never refused) `marketing_days` after.
pub fn task_target(
    created: NaiveDate,
    right: Right,
    target_days: u32,
    marketing_days: u32,
) -> NaiveDate {
    let days = if right == Right::Objection {
        marketing_days
    } else {
        target_days
    };
    created
        .checked_add_days(Days::new(days.into()))
        .unwrap_or(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(rights: &[&str]) -> Vec<String> {
        rights.iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn a_system_needs_a_name_an_owner_and_a_right() {
        let ok = SystemSpec::parse(
            " CRM ",
            "crm@example.org",
            &keys(&["erasure", "access", "access"]),
            true,
            "6 years",
        )
        .unwrap();
        assert_eq!(ok.name, "CRM");
        assert_eq!(ok.rights, [Right::Access, Right::Erasure]);
        assert_eq!(
            SystemSpec::parse("", "a@b.org", &keys(&["access"]), false, ""),
            Err(SystemError::Name)
        );
        assert_eq!(
            SystemSpec::parse("CRM\r\nBcc: x", "a@b.org", &keys(&["access"]), false, ""),
            Err(SystemError::Name)
        );
        assert_eq!(
            SystemSpec::parse("CRM", "nobody", &keys(&["access"]), false, ""),
            Err(SystemError::Owner)
        );
        assert_eq!(
            SystemSpec::parse("CRM", "a@b.org", &[], false, ""),
            Err(SystemError::NoRights)
        );
        assert_eq!(
            SystemSpec::parse("CRM", "a@b.org", &keys(&["flying"]), false, ""),
            Err(SystemError::NoRights)
        );
    }

    #[test]
    fn keeping_data_needs_a_basis_and_impossibility_a_reason() {
        assert_eq!(
            Answered::parse("kept", "", "").unwrap_err(),
            AnswerError::Basis
        );
        let kept = Answered::parse("kept", "Tax law: invoices kept 6 years", "").unwrap();
        assert_eq!(kept.answer.basis(), Some("Tax law: invoices kept 6 years"));
        assert_eq!(
            Answered::parse("not_possible", "", " ").unwrap_err(),
            AnswerError::Reason
        );
        assert_eq!(
            Answered::parse("maybe", "", "").unwrap_err(),
            AnswerError::Kind
        );
        assert_eq!(
            Answered::parse("done", "", "").unwrap().answer,
            TaskAnswer::Done
        );
        assert_eq!(
            Answered::parse("done", "", "nul\0").unwrap_err(),
            AnswerError::Text
        );
    }

    #[test]
    fn each_right_creates_a_task_in_each_system_that_takes_part_in_it() {
        let systems = vec![
            (1, vec![Right::Access, Right::Erasure]),
            (2, vec![Right::Erasure, Right::Objection]),
            (3, vec![Right::Portability]),
        ];
        assert_eq!(
            tasks_for(&[Right::Erasure, Right::Objection], &systems),
            [
                (1, Right::Erasure),
                (2, Right::Erasure),
                (2, Right::Objection)
            ]
        );
        assert!(tasks_for(&[Right::Rectification], &systems).is_empty());
    }

    #[test]
    fn recipients_hear_of_erasure_rectification_and_restriction_carried_out() {
        let rights = [
            (Right::Erasure, Some(Outcome::Fulfilled)),
            (Right::Rectification, Some(Outcome::Refused)),
            (Right::Restriction, Some(Outcome::PartiallyFulfilled)),
            (Right::Access, Some(Outcome::Fulfilled)),
            (Right::Objection, Some(Outcome::Fulfilled)),
        ];
        assert_eq!(notices_due(&rights), [Right::Erasure, Right::Restriction]);
    }

    #[test]
    fn erasure_marketing_objection_and_opt_out_are_suppressed_once_done() {
        use crate::domain::rights::ObjectionGround;
        use crate::domain::RightRequest as R;
        let done = Some(Outcome::Fulfilled);
        assert_eq!(
            suppression_reason(&R::Erasure { ground: None }, done),
            Some("erasure")
        );
        assert_eq!(
            suppression_reason(&R::Erasure { ground: None }, Some(Outcome::Refused)),
            None
        );
        assert_eq!(suppression_reason(&R::Erasure { ground: None }, None), None);
        let marketing = R::Objection {
            ground: ObjectionGround::DirectMarketing,
            reasons: None,
        };
        assert_eq!(
            suppression_reason(&marketing, done),
            Some("objection_to_direct_marketing")
        );
        let other = R::Objection {
            ground: ObjectionGround::LegitimateInterests,
            reasons: None,
        };
        assert_eq!(suppression_reason(&other, done), None);
        assert_eq!(
            suppression_reason(&R::OptOut, done),
            Some("opt_out_of_sale_or_sharing")
        );
        assert_eq!(suppression_reason(&R::Access { scope: None }, done), None);
        assert_eq!(suppression_form("  Ada@Example.COM "), "ada@example.com");
    }

    #[test]
    fn attached_files_get_safe_names_and_archives_are_refused() {
        assert_eq!(accept_file("../../etc/passwd", b"x").unwrap(), "passwd");
        assert_eq!(
            accept_file("C:\\data\\Orders 2025.csv", b"x").unwrap(),
            "Orders_2025.csv"
        );
        assert_eq!(accept_file(".hidden", b"x").unwrap(), "hidden");
        assert_eq!(accept_file("", b"x").unwrap(), "file");
        assert!(matches!(
            accept_file("bomb.zip", b"PK\x03\x04rest"),
            Err(FileRefused::Archive(_))
        ));
        assert!(matches!(
            accept_file("x.gz", b"\x1f\x8b\x08"),
            Err(FileRefused::Archive(_))
        ));
        assert!(matches!(
            accept_file("x.csv", b""),
            Err(FileRefused::Empty(_))
        ));
    }

    #[test]
    fn an_objection_gets_the_marketing_deadline() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(
            task_target(d, Right::Erasure, 7, 10),
            NaiveDate::from_ymd_opt(2026, 3, 9).unwrap()
        );
        assert_eq!(
            task_target(d, Right::Objection, 7, 10),
            NaiveDate::from_ymd_opt(2026, 3, 12).unwrap()
        );
        assert_eq!(
            task_target(d, Right::Objection, 7, 3),
            NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()
        );
    }
}
