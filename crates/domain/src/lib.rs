//! The pure core of Lianxin.
//!
//! Everything here is plain data and rules: no database, no network, no clock.
//! Time is always a parameter, so deadlines, terms and ages are reproducible in tests.
//!
//! Map:
//! - [`error`]: validation errors that carry their Chinese and English text.
//! - [`org`]: the organisation tree (kinds, categories, materialised paths, moves).
//! - [`person`]: people on the roster, their validation and the masked ID number.
//! - [`congress`]: bodies, terms and delegates; qualification changes (rules R-J).
//! - [`composition`]: the composition table of a body's delegates (seed 001).
//! - [`coverage`]: the liaison network's coverage and its gaps (seeds 000, 001).
//! - [`access`]: roles scoped to a subtree and what each may do.
//! - [`audit`]: the hash chain of the append-only audit log.
//! - [`lang`]: the two interface languages.
//! - [`proposal`]: proposals, motions, suggestions and opinions: the handling state machine (R-J4, R-M).
//! - [`notice`]: who is told what when a step is taken on their work.
//! - [`request`]: citizen requests (诉求): intake, the handling flow, tracking codes.
//! - [`evaluation`]: residents' yearly anonymous rating of delegates (seed 002).
//! - [`reception`]: delegate studios, recurring reception days and the duty rota (逢四说事).
//! - [`duty`]: activities between meetings, duty rules and standings, the duty file's points (seeds 000, 002).
//! - [`election`]: an election's life: nominations, ranking, the slate (R-H), next rounds, reducing seats (R-G1); the counting is [`counting::election`].
//! - [`ballot`]: votes, ballots, receipts, tallies and the ballot pass; [`meeting`]: agenda, deliberation, inquiries, resolutions (R-K4), paper ballots (R-D1).

pub mod access;
pub mod audit;
pub mod ballot;
pub mod composition;
pub mod congress;
pub mod counting;
pub mod coverage;
pub mod duty;
pub mod election;
pub mod error;
pub mod evaluation;
pub mod hotspot;
pub mod lang;
pub mod meeting;
pub mod notice;
pub mod org;
pub mod person;
pub mod proposal;
pub mod reception;
pub mod request;

pub use error::{DomainError, FieldError};
pub use lang::Lang;

/// Every stored thing is keyed by an application-generated 64-bit id, so no central
/// sequence is needed when the store is sharded (see the store's `ids` module).
pub type Id = i64;
