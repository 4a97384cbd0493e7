//! Storage for Lianxin: one set of migrations and one code path for SQLite and PostgreSQL.
//!
//! All SQL is portable (sqlx's `Any` driver, `$n` placeholders, BIGINT/TEXT columns, dates
//! as ISO text, instants as epoch milliseconds), so every query is written once and the
//! conformance tests in `tests/` run the same story against both databases.
//!
//! Map:
//! - [`db`]: connecting by URL, the backend, SQLite pragmas, the query builder.
//! - [`migrate`]: the one migration set.
//! - [`ids`]: application-generated ids (no central sequence, ready for sharding).
//! - [`audit`]: the append-only, hash-chained audit log; every write goes through it.
//! - [`orgs`], [`people`], [`congress`], [`network`]: the roster.
//! - [`proposals`]: proposals and their handling (the domain's state machine, recorded).
//! - [`reports`]: the queries behind composition and coverage.
//! - [`search`]: full-text search and similar proposals, indexed in the database.
//! - [`users`]: users, grants, sessions, API tokens.
//! - [`meetings`], [`intake`]: meetings, votes and the secret ballot box; ballots written by group commit; paper ballots.
//! - [`agenda`], [`inquiries`]: a meeting's agenda, documents, group deliberation, resolutions; inquiries and their answers.
//! - [`elections`]: elections: posts, nominations, the candidate list in notice, rounds on phones or paper, announcing into the roster.
//! - [`demo`]: the deterministic town and county of the seeds.

pub mod agenda;
pub mod audit;
pub mod congress;
pub mod db;
pub mod demo;
mod demo_duty;
mod demo_elections;
mod demo_meetings;
mod demo_proposals;
pub mod duty;
pub mod elections;
pub mod evaluations;
pub mod files;
pub mod ids;
pub mod import;
pub mod inquiries;
pub mod intake;
pub mod meetings;
pub mod migrate;
pub mod network;
pub mod notices;
pub mod orgs;
pub mod people;
pub mod proposals;
pub mod reception;
pub mod reports;
pub mod request_tallies;
pub mod requests;
pub mod search;
pub mod testkit;
pub mod topics;
pub mod users;

pub use db::{Backend, DbUrl, Store};
pub use lianxin_domain::{DomainError, Id};

/// An error from the store: either the domain said no, or the database failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Config(String),
}

impl StoreError {
    pub fn not_found() -> Self {
        StoreError::Domain(DomainError::NotFound)
    }
    pub fn conflict(zh: impl Into<String>, en: impl Into<String>) -> Self {
        StoreError::Domain(DomainError::conflict(zh, en))
    }
    pub fn invalid(e: lianxin_domain::FieldError) -> Self {
        StoreError::Domain(DomainError::invalid(e))
    }
    /// A duplicate refused by a unique index, told as the given field error; any other
    /// error stays as it is.
    pub fn duplicate_as(self, e: lianxin_domain::FieldError) -> Self {
        if self.is_unique_violation() {
            StoreError::invalid(e)
        } else {
            self
        }
    }
    /// Whether the database refused a duplicate.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Db(e) => e.as_database_error().map(|d| d.is_unique_violation()).unwrap_or(false),
            _ => false,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Who makes a change and when: every write carries it into the audit log.
#[derive(Debug, Clone)]
pub struct Change {
    pub actor_id: Option<Id>,
    pub actor_name: String,
    /// Milliseconds since the Unix epoch.
    pub now_ms: i64,
}

impl Change {
    pub fn new(actor_id: Option<Id>, actor_name: impl Into<String>, now_ms: i64) -> Self {
        Change { actor_id, actor_name: actor_name.into(), now_ms }
    }
    /// The day of the change, in China Standard Time (UTC+8), where the congresses sit.
    pub fn today(&self) -> time::Date {
        day_of_ms(self.now_ms)
    }
}

/// The calendar day (UTC+8) of an instant.
pub fn day_of_ms(ms: i64) -> time::Date {
    let secs = ms.div_euclid(1000) + 8 * 3600;
    time::OffsetDateTime::from_unix_timestamp(secs).map(|t| t.date()).unwrap_or(time::Date::MIN)
}

/// The instant (epoch ms) a day number (days since 1970-01-01) begins, UTC+8.
pub fn day_start_ms(day: i64) -> i64 {
    day * 86_400_000 - 8 * 3_600_000
}

/// The day number (UTC+8) of an instant.
pub fn day_number_of_ms(ms: i64) -> i64 {
    (ms + 8 * 3_600_000).div_euclid(86_400_000)
}

/// A page of results.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        if self.per_page <= 0 {
            1
        } else {
            ((self.total + self.per_page - 1) / self.per_page).max(1)
        }
    }
}

/// Page number and size as asked for, clamped to sane bounds.
#[derive(Debug, Clone, Copy)]
pub struct PageReq {
    pub page: i64,
    pub per_page: i64,
}

impl PageReq {
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> Self {
        PageReq { page: page.unwrap_or(1).max(1), per_page: per_page.unwrap_or(50).clamp(1, 500) }
    }
    /// Everything at once (exports).
    pub fn all() -> Self {
        PageReq { page: 1, per_page: i64::MAX / 4 }
    }
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}
