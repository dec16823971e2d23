//! Several inserts sent to PostgreSQL as one statement.
//!
//! Over a network every statement costs a round trip, and on the server a
//! turn of its protocol loop, whatever it does: a filing's six statements
//! and their BEGIN and COMMIT cost PostgreSQL more than the rows they
//! write. Gathered into one statement, each insert a data-modifying `WITH`
//! part (`WITH w0 AS (INSERT ...), w1 AS (INSERT ...) SELECT 1`), they are
//! one round trip and, a single statement being atomic, need no
//! transaction around them: all the rows are stored or none is. Every part
//! sees the same snapshot, so none may read what another writes; rows that
//! refer to each other are given their ids beforehand (foreign keys are
//! checked at the end of the statement, when all are written).

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::{PgConnection, QueryResult, RunQueryDsl};

use super::DbError;

/// Inserts gathered to run as one statement.
#[derive(Default)]
pub struct Batch<'a> {
    parts: Vec<Box<dyn QueryFragment<Pg> + 'a>>,
}

impl<'a> Batch<'a> {
    pub fn new() -> Batch<'a> {
        Batch::default()
    }

    /// Adds a write (an insert, update or delete) to the statement.
    pub fn push(&mut self, part: impl QueryFragment<Pg> + 'a) {
        self.parts.push(Box::new(part));
    }

    /// Runs every write, in one round trip, all or none.
    pub fn run(self, conn: &mut PgConnection) -> Result<(), DbError> {
        if !self.parts.is_empty() {
            self.execute(conn)?;
        }
        Ok(())
    }
}

impl QueryFragment<Pg> for Batch<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH ");
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_sql(&format!("w{i} AS ("));
            part.walk_ast(out.reborrow())?;
            out.push_sql(")");
        }
        out.push_sql(" SELECT 1");
        Ok(())
    }
}

/// No static id: prepared statements are cached by their text (the same
/// parts in the same order give the same text), when every part allows it.
impl QueryId for Batch<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl RunQueryDsl<PgConnection> for Batch<'_> {}
