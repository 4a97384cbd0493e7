//! Full-text search and similar proposals, in the database itself: the terms of each proposal
//! (jieba words and Chinese character pairs, see `lianxin_search`) are rows of
//! `proposal_terms`, ranked with BM25 at query time. The same SQL serves SQLite and
//! PostgreSQL, every application server sees the same index, and `lianxin reindex` rebuilds
//! it from the proposals, so it never holds the only copy of anything.

use crate::db::{q, RowExt, Store, Q, V};
use crate::Result;
use lianxin_domain::Id;
use std::collections::{BTreeMap, HashMap};

/// A title's words count three times: a title says what a proposal is about.
const TITLE_WEIGHT: u32 = 3;

/// The text a proposal is found by: its title, its three parts and every reply.
async fn text_of(conn: &mut sqlx::AnyConnection, tenant: Id, id: Id) -> Result<Option<(String, String)>> {
    let Some(p) = q("SELECT title, reason, grounds, solution FROM proposals WHERE tenant_id = $1 AND id = $2", [tenant.into(), id.into()])
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(None);
    };
    let replies = q("SELECT text FROM proposal_events WHERE tenant_id = $1 AND proposal_id = $2 AND action = 'reply'", [tenant.into(), id.into()])
        .fetch_all(&mut *conn)
        .await?;
    let mut body = format!("{}\n{}\n{}", p.s("reason"), p.s("grounds"), p.s("solution"));
    for r in replies {
        body.push('\n');
        body.push_str(&r.s("text"));
    }
    // text attachments are searchable too (other types are kept, not read)
    let files = q(
        "SELECT data FROM proposal_attachments WHERE tenant_id = $1 AND proposal_id = $2 AND content_type LIKE 'text/plain%'",
        [tenant.into(), id.into()],
    )
    .fetch_all(&mut *conn)
    .await?;
    for f in files {
        use sqlx::Row;
        if let Ok(bytes) = f.try_get::<Vec<u8>, _>("data") {
            body.push('\n');
            body.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    Ok(Some((p.s("title"), body)))
}

/// Re-indexes one proposal, inside the caller's transaction.
pub async fn index_one(conn: &mut sqlx::AnyConnection, tenant: Id, id: Id) -> Result<()> {
    q("DELETE FROM proposal_terms WHERE tenant_id = $1 AND proposal_id = $2", [tenant.into(), id.into()]).execute(&mut *conn).await?;
    q("DELETE FROM proposal_docs WHERE tenant_id = $1 AND proposal_id = $2", [tenant.into(), id.into()]).execute(&mut *conn).await?;
    let Some((title, body)) = text_of(conn, tenant, id).await? else { return Ok(()) };
    let mut terms: BTreeMap<String, u32> = lianxin_search::terms(&body);
    for (t, n) in lianxin_search::terms(&title) {
        *terms.entry(t).or_insert(0) += n * TITLE_WEIGHT;
    }
    let len: u32 = terms.values().sum();
    q("INSERT INTO proposal_docs (tenant_id, proposal_id, len) VALUES ($1, $2, $3)", [tenant.into(), id.into(), i64::from(len).into()])
        .execute(&mut *conn)
        .await?;
    let rows: Vec<(String, u32)> = terms.into_iter().collect();
    for chunk in rows.chunks(200) {
        let mut ins = Q::new("INSERT INTO proposal_terms (tenant_id, term, proposal_id, tf) VALUES");
        for (i, (t, n)) in chunk.iter().enumerate() {
            ins.push(if i == 0 { " (?, ?, ?, ?)" } else { ", (?, ?, ?, ?)" }, [V::I(tenant), V::T(t.clone()), V::I(id), V::I(i64::from(*n))]);
        }
        ins.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Rebuilds the index of every proposal (of one tenant, or all); returns how many.
pub async fn reindex(store: &Store, tenant: Option<Id>, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<usize> {
    let rows = match tenant {
        Some(t) => q("SELECT tenant_id, id FROM proposals WHERE tenant_id = $1 ORDER BY id", [t.into()]).fetch_all(&store.pool).await?,
        None => q("SELECT tenant_id, id FROM proposals ORDER BY tenant_id, id", []).fetch_all(&store.pool).await?,
    };
    let total = rows.len();
    // in batches, so a large rebuild neither holds one huge transaction nor commits per row
    for (k, chunk) in rows.chunks(200).enumerate() {
        let mut tx = store.pool.begin().await?;
        for r in chunk {
            index_one(&mut tx, r.i("tenant_id"), r.i("id")).await?;
        }
        tx.commit().await?;
        progress(((k + 1) * 200).min(total), total);
    }
    Ok(total)
}

/// A hit: the proposal and its score.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Hit {
    pub id: Id,
    pub score: f64,
}

/// Ranks the proposals of a body for `terms` with BM25 (k1 = 1.2, b = 0.75).
async fn rank(store: &Store, tenant: Id, body: Id, terms: &[String], exclude: Option<Id>, limit: usize) -> Result<Vec<Hit>> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let terms: Vec<String> = terms.iter().take(16).cloned().collect();
    let stats = q("SELECT COUNT(*) AS n, CAST(COALESCE(SUM(len), 0) AS BIGINT) AS total FROM proposal_docs WHERE tenant_id = $1", [tenant.into()])
        .fetch_one(&store.pool)
        .await?;
    let n_docs = stats.i("n").max(1) as f64;
    let avg_len = (stats.i("total") as f64 / n_docs).max(1.0);
    let mut qq = Q::new("SELECT t.term, t.tf, t.proposal_id, d.len FROM proposal_terms t JOIN proposal_docs d ON d.tenant_id = t.tenant_id AND d.proposal_id = t.proposal_id \
                         JOIN proposals p ON p.tenant_id = t.tenant_id AND p.id = t.proposal_id WHERE t.tenant_id = ");
    qq.push("? AND p.body_id = ? AND t.term IN (", [V::I(tenant), V::I(body)]);
    for (i, t) in terms.iter().enumerate() {
        qq.push(if i == 0 { "?" } else { ", ?" }, [V::T(t.clone())]);
    }
    qq.push_raw(")");
    let rows = qq.build().fetch_all(&store.pool).await?;
    let mut df: HashMap<String, f64> = HashMap::new();
    for r in &rows {
        *df.entry(r.s("term")).or_insert(0.0) += 1.0;
    }
    let (k1, b) = (1.2, 0.75);
    let mut scores: HashMap<Id, f64> = HashMap::new();
    for r in &rows {
        let id = r.i("proposal_id");
        if Some(id) == exclude {
            continue;
        }
        let term = r.s("term");
        let n = df.get(&term).copied().unwrap_or(1.0);
        let idf = ((n_docs - n + 0.5) / (n + 0.5) + 1.0).ln();
        let tf = r.i("tf") as f64;
        let len = r.i("len") as f64;
        *scores.entry(id).or_insert(0.0) += idf * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * len / avg_len));
    }
    let mut hits: Vec<Hit> = scores.into_iter().map(|(id, score)| Hit { id, score }).collect();
    hits.sort_by(|a, b| b.score.partial_cmp(&a.score).unwrap_or(std::cmp::Ordering::Equal).then(b.id.cmp(&a.id)));
    hits.truncate(limit);
    Ok(hits)
}

/// Proposals of a body matching a query, best first.
pub async fn search(store: &Store, tenant: Id, body: Id, query: &str, limit: usize) -> Result<Vec<Hit>> {
    rank(store, tenant, body, &lianxin_search::query_terms(query), None, limit).await
}

/// Proposals of the same body most like this one (its own most distinctive terms, searched
/// among the others), for the committee to merge duplicates and see what was answered.
pub async fn similar(store: &Store, tenant: Id, body: Id, id: Id, limit: usize) -> Result<Vec<Hit>> {
    let own =
        q("SELECT term, tf FROM proposal_terms WHERE tenant_id = $1 AND proposal_id = $2", [tenant.into(), id.into()]).fetch_all(&store.pool).await?;
    if own.is_empty() {
        return Ok(Vec::new());
    }
    let terms: Vec<String> = own.iter().map(|r| r.s("term")).collect();
    // document frequencies pick the distinctive ones: rare terms say more than common ones
    let mut qq = Q::new("SELECT term, COUNT(*) AS n FROM proposal_terms WHERE tenant_id = ");
    qq.push("? AND term IN (", [V::I(tenant)]);
    for (i, t) in terms.iter().enumerate() {
        qq.push(if i == 0 { "?" } else { ", ?" }, [V::T(t.clone())]);
    }
    qq.push_raw(") GROUP BY term");
    let df: HashMap<String, i64> = qq.build().fetch_all(&store.pool).await?.iter().map(|r| (r.s("term"), r.i("n"))).collect();
    let mut weighted: Vec<(f64, String)> = own
        .iter()
        .map(|r| {
            let t = r.s("term");
            (r.i("tf") as f64 / df.get(&t).copied().unwrap_or(1).max(1) as f64, t)
        })
        .collect();
    weighted.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal).then(a.1.cmp(&b.1)));
    let top: Vec<String> = weighted.into_iter().take(8).map(|(_, t)| t).collect();
    let hits = rank(store, tenant, body, &top, Some(id), limit * 2).await?;
    // keep only real likeness: at least a third of the best possible score
    let best = hits.first().map(|h| h.score).unwrap_or(0.0);
    Ok(hits.into_iter().filter(|h| h.score >= best / 3.0 && h.score > 1.0).take(limit).collect())
}
