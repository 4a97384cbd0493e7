//! Ballot intake by group commit (issue 5): a meeting hall's delegates vote within seconds
//! of each other, and a transaction with its own disk flush per ballot would put them in a
//! queue. So every cast goes to one writer task per store, which takes all the casts waiting
//! at that moment and writes them in one transaction: the vote's lock, the roll entries (only
//! for delegates present with a vote, and only once each: the roll's key), the ballots, one
//! audit entry per vote, one commit. Each cast is answered only after that commit, so an
//! acknowledged ballot is on disk. While a batch commits the next one gathers, so the batches
//! grow with the load and a quiet hall still gets an answer at once.
//!
//! Secrecy within a batch: roll rows are written in delegate order and ballots in the order
//! of their random keys, so not even the order inside one statement follows the order of
//! arrival; the audit entry of a secret vote counts ballots and names nobody.

use crate::audit::append;
use crate::db::{q, Backend};
use crate::{Change, Result, StoreError};
use lianxin_domain::Id;
use sqlx::{AnyConnection, AnyPool};
use std::collections::{BTreeMap, BTreeSet};
use tokio::sync::{mpsc, oneshot};

/// The most casts written in one transaction (bounded so one commit stays short).
const MAX_BATCH: usize = 2048;

/// The batch's statements. Each list (the batch's delegates, roll rows, ballots) goes to the
/// database as one JSON text parameter that the database takes apart itself: binding values
/// one by one through sqlx cost about 15 µs a row, most of the writer's time at 10,000
/// ballots a second. The two dialects differ only in how they read a JSON array.
struct Sql {
    exceptions: &'static str,
    roll: &'static str,
    ballots: &'static str,
}

const SQLITE: Sql = Sql {
    exceptions: "WITH b (d) AS (SELECT CAST(value AS BIGINT) FROM json_each($1)) \
        SELECT b.d, CAST(CASE WHEN r.delegate_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS already FROM b \
        LEFT JOIN meeting_attendees a ON a.tenant_id = $2 AND a.meeting_id = $3 AND a.delegate_id = b.d AND a.role = 'voting' AND a.status = 'present' \
        LEFT JOIN vote_roll r ON r.tenant_id = $2 AND r.vote_id = $4 AND r.delegate_id = b.d \
        WHERE a.delegate_id IS NULL OR r.delegate_id IS NOT NULL",
    roll: "INSERT INTO vote_roll (tenant_id, vote_id, delegate_id) SELECT $1, $2, CAST(value AS BIGINT) FROM json_each($3) ORDER BY key",
    ballots: "INSERT INTO ballots (tenant_id, vote_id, id, fingerprint, choices, voter_id) \
        SELECT $1, $2, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]') \
        FROM json_each($3) ORDER BY key",
};

const POSTGRES: Sql = Sql {
    exceptions: "WITH b (d) AS (SELECT x::bigint FROM json_array_elements_text($1::json) AS t(x)) \
        SELECT b.d, CAST(CASE WHEN r.delegate_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS already FROM b \
        LEFT JOIN meeting_attendees a ON a.tenant_id = $2 AND a.meeting_id = $3 AND a.delegate_id = b.d AND a.role = 'voting' AND a.status = 'present' \
        LEFT JOIN vote_roll r ON r.tenant_id = $2 AND r.vote_id = $4 AND r.delegate_id = b.d \
        WHERE a.delegate_id IS NULL OR r.delegate_id IS NOT NULL",
    roll: "INSERT INTO vote_roll (tenant_id, vote_id, delegate_id) \
        SELECT $1, $2, x::bigint FROM json_array_elements_text($3::json) WITH ORDINALITY AS t(x, n) ORDER BY n",
    ballots: "INSERT INTO ballots (tenant_id, vote_id, id, fingerprint, choices, voter_id) \
        SELECT $1, $2, x->>0, x->>1, x->>2, (x->>3)::bigint FROM json_array_elements($3::json) WITH ORDINALITY AS t(x, n) ORDER BY n",
};

/// How a cast ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The ballot is in the box (committed).
    In,
    /// This delegate's ballot was already in; nothing was written.
    AlreadyIn,
    /// The vote is not open (not yet, or closed).
    NotOpen,
    /// The delegate is not present with a vote at this meeting.
    NotEligible,
}

/// One ballot to be written, with everything the writer needs and nothing it has to look up.
#[derive(Debug, Clone)]
pub struct Submission {
    pub tenant_id: Id,
    pub vote_id: Id,
    pub meeting_id: Id,
    pub secret: bool,
    pub delegate: Id,
    /// The box's random key.
    pub key: String,
    /// The receipt's fingerprint.
    pub fingerprint: String,
    /// The checked choices, canonical.
    pub choices: String,
    pub now_ms: i64,
}

struct Job {
    s: Submission,
    reply: oneshot::Sender<Result<Outcome>>,
}

/// The handle to a store's writer task.
pub struct Intake {
    tx: mpsc::Sender<Job>,
}

impl Intake {
    /// Starts the writer on the current runtime. It holds only the pool, so it ends when the
    /// last handle is dropped or the pool is closed.
    pub(crate) fn start(pool: AnyPool, backend: Backend) -> Intake {
        let (tx, rx) = mpsc::channel(1 << 16);
        tokio::spawn(run(pool, backend, rx));
        Intake { tx }
    }

    /// Hands a ballot to the writer and waits for its commit.
    pub(crate) async fn submit(&self, s: Submission) -> Result<Outcome> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(Job { s, reply }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Config("the ballot writer has stopped (the server is shutting down) / 计票写入已停止".into())
}

async fn run(pool: AnyPool, backend: Backend, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let subs: Vec<&Submission> = batch.iter().map(|j| &j.s).collect();
        let started = std::time::Instant::now();
        let written = write_batch(&pool, backend, &subs).await;
        tracing::debug!(ballots = subs.len(), ms = started.elapsed().as_secs_f64() * 1000.0, "ballot batch committed");
        match written {
            Ok(outcomes) => {
                for (j, o) in batch.into_iter().zip(outcomes) {
                    let _ = j.reply.send(Ok(o));
                }
            }
            // one bad ballot must not fail the others: write each alone and answer each
            Err(_) if batch.len() > 1 => {
                for j in batch {
                    let r = write_batch(&pool, backend, &[&j.s]).await.map(|o| o[0]);
                    let _ = j.reply.send(r);
                }
            }
            Err(e) => {
                if let Some(j) = batch.pop() {
                    let _ = j.reply.send(Err(e));
                }
            }
        }
    }
}

/// Writes a batch in one transaction; the outcomes are in the batch's order.
async fn write_batch(pool: &AnyPool, backend: Backend, batch: &[&Submission]) -> Result<Vec<Outcome>> {
    let sql = if backend == Backend::Postgres { &POSTGRES } else { &SQLITE };
    let mut by_vote: BTreeMap<(Id, Id), Vec<usize>> = BTreeMap::new();
    for (i, s) in batch.iter().enumerate() {
        by_vote.entry((s.tenant_id, s.vote_id)).or_default().push(i);
    }
    let mut outcomes = vec![Outcome::NotOpen; batch.len()];
    let mut tx = pool.begin().await?;
    for idx in by_vote.values() {
        let group: Vec<&Submission> = idx.iter().map(|i| batch[*i]).collect();
        for (i, o) in idx.iter().zip(write_vote(&mut tx, sql, &group).await?) {
            outcomes[*i] = o;
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// Writes one vote's part of a batch.
async fn write_vote(conn: &mut AnyConnection, sql: &Sql, group: &[&Submission]) -> Result<Vec<Outcome>> {
    let first = group[0];
    let (tenant, vote) = (first.tenant_id, first.vote_id);
    // lock the vote first: a close waits for this batch, or this batch sees the close
    let open = crate::db::q("UPDATE votes SET status = status WHERE tenant_id = $1 AND id = $2 AND status = 'open'", [tenant.into(), vote.into()])
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if open == 0 {
        return Ok(vec![Outcome::NotOpen; group.len()]);
    }
    // a delegate twice in one batch (a phone that sent again): the first one counts
    let mut first_of: BTreeMap<Id, usize> = BTreeMap::new();
    for (i, s) in group.iter().enumerate() {
        first_of.entry(s.delegate).or_insert(i);
    }
    let delegates: Vec<Id> = first_of.keys().copied().collect();
    // who of the batch may not vote now: already on the roll, or not present with a vote.
    // Only these exceptions come back (usually none); the vote's lock taken above keeps
    // every other batch of this vote waiting, so what is checked here holds at the insert.
    let (mut already, mut barred) = (BTreeSet::new(), BTreeSet::new());
    let ids = serde_json::to_string(&delegates).unwrap_or_default();
    for r in q(sql.exceptions, [ids.into(), tenant.into(), first.meeting_id.into(), vote.into()]).fetch_all(&mut *conn).await? {
        let d = crate::db::RowExt::i(&r, "d");
        if crate::db::RowExt::i(&r, "already") == 1 {
            already.insert(d);
        } else {
            barred.insert(d);
        }
    }
    let rolled: BTreeSet<Id> = delegates.iter().copied().filter(|d| !already.contains(d) && !barred.contains(d)).collect();
    // the roll in delegate order; its key refuses a second entry, so a slip here fails the
    // whole batch rather than let a ballot in without its roll entry
    if !rolled.is_empty() {
        let roll = serde_json::to_string(&rolled.iter().collect::<Vec<_>>()).unwrap_or_default();
        q(sql.roll, [tenant.into(), vote.into(), roll.into()]).execute(&mut *conn).await?;
    }
    // the ballots in the order of their random keys: [key, fingerprint, choices, voter or null]
    let mut rows: Vec<(&str, &str, &str, Option<Id>)> = first_of
        .iter()
        .filter(|(d, _)| rolled.contains(*d))
        .map(|(_, i)| {
            let s = group[*i];
            (s.key.as_str(), s.fingerprint.as_str(), s.choices.as_str(), (!s.secret).then_some(s.delegate))
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(b.0));
    if !rows.is_empty() {
        let box_rows = serde_json::to_string(&rows.iter().map(|r| serde_json::json!([r.0, r.1, r.2, r.3])).collect::<Vec<_>>()).unwrap_or_default();
        q(sql.ballots, [tenant.into(), vote.into(), box_rows.into()]).execute(&mut *conn).await?;
    }
    if !rows.is_empty() {
        // the audit counts a secret vote's ballots and names nobody; a named vote names its voters
        let after = if first.secret {
            serde_json::json!({"vote": vote, "ballots": rows.len()})
        } else {
            serde_json::json!({"vote": vote, "ballots": rows.len(), "delegates": rolled.iter().collect::<Vec<_>>()})
        };
        let now = group.iter().map(|s| s.now_ms).max().unwrap_or_default();
        let who = Change::new(None, if first.secret { "投票人 / voters" } else { "记名投票 / named voters" }, now);
        append(&mut *conn, tenant, &who, "cast", "vote", Some(vote), None, Some(after.to_string())).await?;
    }
    Ok(group
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mine = first_of[&s.delegate] == i;
            match (rolled.contains(&s.delegate), already.contains(&s.delegate)) {
                (true, _) if mine => Outcome::In,
                (true, _) => Outcome::AlreadyIn,
                (false, true) => Outcome::AlreadyIn,
                (false, false) => Outcome::NotEligible,
            }
        })
        .collect())
}
