//! The systems inventory (`systems`): where the organisation holds personal
//! data, who owns each system and which rights it takes part in.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::systems;
use super::{DbConn, DbError};
use crate::domain::fulfilment::SystemSpec;
use crate::domain::{Email, Right};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SystemId(pub i64);

#[derive(Debug, Clone)]
pub struct System {
    pub id: SystemId,
    pub spec: SystemSpec,
    pub active: bool,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = systems)]
struct Row {
    id: i64,
    name: String,
    owner_email: String,
    rights: String,
    external_recipient: bool,
    retention_note: String,
    active: bool,
}

impl TryFrom<Row> for System {
    type Error = DbError;

    fn try_from(r: Row) -> Result<Self, DbError> {
        let corrupt = |what: &str| DbError::Corrupt(format!("system {}: {what}", r.id));
        let rights = r
            .rights
            .split(',')
            .filter(|k| !k.is_empty())
            .map(|k| k.parse::<Right>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| corrupt(&e.to_string()))?;
        Ok(System {
            id: SystemId(r.id),
            active: r.active,
            spec: SystemSpec {
                owner: Email::parse(&r.owner_email).map_err(|_| corrupt("owner address"))?,
                name: r.name,
                rights,
                external_recipient: r.external_recipient,
                retention_note: r.retention_note,
            },
        })
    }
}

fn rights_text(spec: &SystemSpec) -> String {
    spec.rights
        .iter()
        .map(|r| r.key())
        .collect::<Vec<_>>()
        .join(",")
}

/// Every system, active first, by name.
pub fn all(conn: &mut DbConn) -> Result<Vec<System>, DbError> {
    let rows: Vec<Row> = systems::table
        .order((systems::active.desc(), systems::name))
        .select(Row::as_select())
        .load(conn)?;
    rows.into_iter().map(System::try_from).collect()
}

pub fn find(conn: &mut DbConn, id: SystemId) -> Result<Option<System>, DbError> {
    let row: Option<Row> = systems::table
        .find(id.0)
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    row.map(System::try_from).transpose()
}

/// Whether another system already has this name (any letter case).
pub fn name_taken(
    conn: &mut DbConn,
    name: &str,
    except: Option<SystemId>,
) -> Result<bool, DbError> {
    let lower = name.to_lowercase();
    Ok(all(conn)?
        .iter()
        .any(|s| s.spec.name.to_lowercase() == lower && Some(s.id) != except))
}

pub fn insert(
    conn: &mut DbConn,
    spec: &SystemSpec,
    now: NaiveDateTime,
) -> Result<SystemId, DbError> {
    let id = diesel::insert_into(systems::table)
        .values((
            systems::name.eq(&spec.name),
            systems::owner_email.eq(spec.owner.as_str()),
            systems::rights.eq(rights_text(spec)),
            systems::external_recipient.eq(spec.external_recipient),
            systems::retention_note.eq(&spec.retention_note),
            systems::active.eq(true),
            systems::created_at.eq(now),
            systems::updated_at.eq(now),
        ))
        .returning(systems::id)
        .get_result(conn)?;
    Ok(SystemId(id))
}

/// Changes a system; whether it existed.
pub fn update(
    conn: &mut DbConn,
    id: SystemId,
    spec: &SystemSpec,
    active: bool,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let n = diesel::update(systems::table.find(id.0))
        .set((
            systems::name.eq(&spec.name),
            systems::owner_email.eq(spec.owner.as_str()),
            systems::rights.eq(rights_text(spec)),
            systems::external_recipient.eq(spec.external_recipient),
            systems::retention_note.eq(&spec.retention_note),
            systems::active.eq(active),
            systems::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(n == 1)
}
