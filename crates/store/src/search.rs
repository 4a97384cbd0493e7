//! Full-text search and similar proposals. The index (tantivy, see `lianxin_search::index`)
//! is derived from the database and never holds the only copy of anything:
//!
//! - every write that changes what a proposal is found by appends its id to `search_log`
//!   in the same transaction (so a crash cannot lose a change the index has not seen);
//! - before a search the index reads the log past the point its last commit recorded, and
//!   re-reads those proposals from the database;
//! - a new, unreadable or foreign index (another database's, or one ahead of a restored
//!   backup) is rebuilt from the proposals; `lianxin reindex` does the same on demand.
//!
//! A SQLite database keeps its index in a folder beside the file; with PostgreSQL each
//! server keeps its own (in `--index-dir`, or in memory, rebuilt at start) and catches up
//! from the shared log, so any number of servers search the same proposals.

use crate::db::{q, Backend, RowExt, Store, Q, V};
use crate::{Result, StoreError};
use lianxin_domain::Id;
use lianxin_search::index::{Change, Doc, Index};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A title's words count three times: a title says what a proposal is about.
const TITLE_WEIGHT: u32 = 3;

/// The process's handle on the index of one database: opened on first use.
pub struct SearchIndex {
    dir: Option<PathBuf>,
    opened: Mutex<Option<Arc<Index>>>,
    /// One catch-up at a time (a second search waits and then finds nothing to do).
    catching_up: tokio::sync::Mutex<()>,
}

impl SearchIndex {
    /// An index in `dir`, or in memory when `None`.
    pub fn new(dir: Option<PathBuf>) -> SearchIndex {
        SearchIndex { dir, opened: Mutex::new(None), catching_up: tokio::sync::Mutex::new(()) }
    }

    fn get(&self) -> Result<Arc<Index>> {
        let mut g = self.opened.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(ix) = &*g {
            return Ok(ix.clone());
        }
        let ix = Arc::new(Index::open(self.dir.as_deref()).map_err(index_err)?);
        *g = Some(ix.clone());
        Ok(ix)
    }
}

fn index_err(e: lianxin_search::index::IndexError) -> StoreError {
    StoreError::Config(e.to_string())
}

fn join_err(e: tokio::task::JoinError) -> StoreError {
    StoreError::Config(format!("search index task: {e}"))
}

/// Records, inside the caller's transaction, that a proposal's searchable text changed.
pub(crate) async fn changed(conn: &mut sqlx::AnyConnection, backend: Backend, tenant: Id, id: Id) -> Result<()> {
    if backend == Backend::Postgres {
        // writers take turns until commit, so the log's numbers are committed in order and a
        // reader that has seen number n has seen everything before it (SQLite has one writer)
        q("SELECT pg_advisory_xact_lock(7401)", []).execute(&mut *conn).await?;
    }
    q("INSERT INTO search_log (seq, tenant_id, proposal_id) SELECT COALESCE(MAX(seq), 0) + 1, $1, $2 FROM search_log", [tenant.into(), id.into()])
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What an index records of its source: which database (when it was created, by its first
/// migration, which tells two databases apart) and how far into its log: "epoch:seq".
fn position(epoch: i64, seq: i64) -> String {
    format!("{epoch}:{seq}")
}

fn read_position(p: &str) -> Option<(i64, i64)> {
    let (e, s) = p.split_once(':')?;
    Some((e.parse().ok()?, s.parse().ok()?))
}

async fn epoch(store: &Store) -> Result<i64> {
    Ok(q("SELECT applied_at FROM schema_migrations WHERE version = 1", []).fetch_optional(&store.pool).await?.map(|r| r.i("applied_at")).unwrap_or(0))
}

async fn log_end(store: &Store) -> Result<i64> {
    Ok(q("SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS n FROM search_log", []).fetch_one(&store.pool).await?.i("n"))
}

/// The searchable text of proposals of one tenant: (id, body, title, parts and replies and
/// the text of attachments).
async fn texts(store: &Store, tenant: Id, ids: &[Id]) -> Result<Vec<(Id, Id, String, String)>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut b = Q::new("SELECT id, body_id, title, reason, grounds, solution FROM proposals WHERE tenant_id = ");
        b.push("? AND id IN ", [V::I(tenant)]).push_in(chunk);
        let rows = b.build().fetch_all(&store.pool).await?;
        let mut extra: BTreeMap<Id, String> = BTreeMap::new();
        let mut r = Q::new("SELECT proposal_id, text FROM proposal_events WHERE tenant_id = ");
        r.push("? AND action = 'reply' AND proposal_id IN ", [V::I(tenant)]).push_in(chunk);
        for row in r.build().fetch_all(&store.pool).await? {
            let t = extra.entry(row.i("proposal_id")).or_default();
            t.push('\n');
            t.push_str(&row.s("text"));
        }
        let mut a = Q::new("SELECT owner_id AS proposal_id, content_type, data FROM attachments WHERE tenant_id = ");
        a.push("? AND owner = 'proposal' AND owner_id IN ", [V::I(tenant)]).push_in(chunk);
        for row in a.build().fetch_all(&store.pool).await? {
            use sqlx::Row;
            let bytes: Vec<u8> = row.try_get("data").unwrap_or_default();
            let text = lianxin_search::extract::text(&row.s("content_type"), &bytes);
            if !text.is_empty() {
                let t = extra.entry(row.i("proposal_id")).or_default();
                t.push('\n');
                t.push_str(&text);
            }
        }
        for p in rows {
            let id = p.i("id");
            let mut body = format!("{}\n{}\n{}", p.s("reason"), p.s("grounds"), p.s("solution"));
            if let Some(e) = extra.get(&id) {
                body.push_str(e);
            }
            out.push((id, p.i("body_id"), p.s("title"), body));
        }
    }
    Ok(out)
}

/// The weighted terms of a proposal's title and text.
pub fn weighted_terms(title: &str, body: &str) -> BTreeMap<String, u32> {
    let mut terms = lianxin_search::terms(body);
    for (t, n) in lianxin_search::terms(title) {
        *terms.entry(t).or_insert(0) += n * TITLE_WEIGHT;
    }
    terms
}

/// Documents for the given proposals (removals for those no longer in the database).
async fn changes(store: &Store, tenant: Id, ids: &[Id]) -> Result<Vec<Change>> {
    let found = texts(store, tenant, ids).await?;
    let present: BTreeSet<Id> = found.iter().map(|f| f.0).collect();
    let mut out: Vec<Change> = ids.iter().filter(|id| !present.contains(id)).map(|id| Change::Remove { tenant, id: *id }).collect();
    // segmentation is CPU work: off the async threads
    let docs = tokio::task::spawn_blocking(move || {
        found
            .into_iter()
            .map(|(id, scope, title, body)| Change::Put(Doc { tenant, scope, id, terms: weighted_terms(&title, &body) }))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(join_err)?;
    out.extend(docs);
    Ok(out)
}

/// Brings the index up to date with the database: reads the log past the index's position,
/// or rebuilds when the index is new or belongs to another database. Called before searches.
pub async fn catch_up(store: &Store) -> Result<()> {
    let ix = store.search.get()?;
    let _turn = store.search.catching_up.lock().await;
    let epoch = epoch(store).await?;
    let end = log_end(store).await?;
    // a new index, another database's, or one ahead of this database (a restored backup)
    let seq = match read_position(&ix.applied().map_err(index_err)?) {
        Some((e, seq)) if e == epoch && seq <= end && !ix.is_fresh() => seq,
        _ => {
            drop(_turn);
            rebuild(store, &|_, _| {}).await?;
            return Ok(());
        }
    };
    let mut seq = seq;
    while seq < end {
        let rows = q("SELECT seq, tenant_id, proposal_id FROM search_log WHERE seq > $1 ORDER BY seq LIMIT 2000", [seq.into()])
            .fetch_all(&store.pool)
            .await?;
        let Some(last) = rows.last().map(|r| r.i("seq")) else { break };
        let mut by_tenant: BTreeMap<Id, BTreeSet<Id>> = BTreeMap::new();
        for r in &rows {
            by_tenant.entry(r.i("tenant_id")).or_default().insert(r.i("proposal_id"));
        }
        let mut all = Vec::new();
        for (tenant, ids) in by_tenant {
            all.extend(changes(store, tenant, &ids.into_iter().collect::<Vec<_>>()).await?);
        }
        let ix2 = ix.clone();
        tokio::task::spawn_blocking(move || ix2.apply(all, &position(epoch, last))).await.map_err(join_err)?.map_err(index_err)?;
        seq = last;
    }
    Ok(())
}

/// Rebuilds the whole index from the proposals; returns how many were indexed.
pub async fn rebuild(store: &Store, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<usize> {
    let ix = store.search.get()?;
    let _turn = store.search.catching_up.lock().await;
    let epoch = epoch(store).await?;
    // the log's end first: changes made during the rebuild are read again afterwards
    let end = log_end(store).await?;
    let total = q("SELECT COUNT(*) AS n FROM proposals", []).fetch_one(&store.pool).await?.i("n") as usize;
    ix.clear().map_err(index_err)?;
    let mut writer = Some(ix.writer(1, 50_000_000).map_err(index_err)?);
    let (mut last_tenant, mut last_id, mut done) = (i64::MIN, i64::MIN, 0usize);
    loop {
        let page = q(
            "SELECT tenant_id, id FROM proposals WHERE tenant_id > $1 OR (tenant_id = $1 AND id > $2) ORDER BY tenant_id, id LIMIT 500",
            [last_tenant.into(), last_id.into()],
        )
        .fetch_all(&store.pool)
        .await?;
        let Some(last) = page.last() else { break };
        (last_tenant, last_id) = (last.i("tenant_id"), last.i("id"));
        let mut by_tenant: BTreeMap<Id, Vec<Id>> = BTreeMap::new();
        for r in &page {
            by_tenant.entry(r.i("tenant_id")).or_default().push(r.i("id"));
        }
        for (tenant, ids) in by_tenant {
            let docs = changes(store, tenant, &ids).await?;
            let w = writer.take().ok_or_else(|| StoreError::Config("search index writer lost".into()))?;
            let w = tokio::task::spawn_blocking(move || -> lianxin_search::index::Result<_> {
                for d in docs {
                    if let Change::Put(d) = d {
                        w.add(d)?;
                    }
                }
                Ok(w)
            })
            .await
            .map_err(join_err)?
            .map_err(index_err)?;
            writer = Some(w);
        }
        done += page.len();
        progress(done.min(total), total);
    }
    if let Some(w) = writer {
        tokio::task::spawn_blocking(move || w.commit(&position(epoch, end))).await.map_err(join_err)?.map_err(index_err)?;
    }
    ix.reload().map_err(index_err)?;
    ix.mark_built();
    Ok(done)
}

/// A hit: the proposal and its score.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Hit {
    pub id: Id,
    pub score: f64,
}

fn hits(v: Vec<(i64, f32)>) -> Vec<Hit> {
    v.into_iter().map(|(id, s)| Hit { id, score: f64::from(s) }).collect()
}

/// Proposals of a body matching a query, best first.
pub async fn search(store: &Store, tenant: Id, body: Id, query: &str, limit: usize) -> Result<Vec<Hit>> {
    catch_up(store).await?;
    let terms: Vec<String> = lianxin_search::query_terms(query).into_iter().take(16).collect();
    Ok(hits(store.search.get()?.search(tenant, body, &terms, None, limit).map_err(index_err)?))
}

/// Proposals of the same body most like this one (its own most distinctive terms, searched
/// among the others), for the committee to merge duplicates and see what was answered.
pub async fn similar(store: &Store, tenant: Id, body: Id, id: Id, limit: usize) -> Result<Vec<Hit>> {
    catch_up(store).await?;
    let Some((_, _, title, text)) = texts(store, tenant, &[id]).await?.pop() else { return Ok(Vec::new()) };
    let ix = store.search.get()?;
    let own = weighted_terms(&title, &text);
    Ok(hits(similar_in(&ix, tenant, body, id, &own, limit).map_err(index_err)?))
}

/// The similarity rule, on an index: the eight terms of `own` that are most frequent in it
/// and rarest elsewhere are searched for; a hit must score at least a third of the best.
pub fn similar_in(
    ix: &Index,
    tenant: Id,
    body: Id,
    id: Id,
    own: &BTreeMap<String, u32>,
    limit: usize,
) -> lianxin_search::index::Result<Vec<(i64, f32)>> {
    if own.is_empty() {
        return Ok(Vec::new());
    }
    let terms: Vec<String> = own.keys().cloned().collect();
    let df = ix.doc_freqs(&terms)?;
    let mut weighted: Vec<(f64, &String)> = terms.iter().zip(&df).map(|(t, n)| (f64::from(own[t]) / (*n).max(1) as f64, t)).collect();
    weighted.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal).then(a.1.cmp(b.1)));
    let top: Vec<String> = weighted.into_iter().take(8).map(|(_, t)| t.clone()).collect();
    let found = ix.search(tenant, body, &top, Some(id), limit * 2)?;
    let best = found.first().map(|h| h.1).unwrap_or(0.0);
    Ok(found.into_iter().filter(|h| h.1 >= best / 3.0 && h.1 > 1.0).take(limit).collect())
}
