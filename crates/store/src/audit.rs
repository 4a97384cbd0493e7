//! The append-only, hash-chained audit log. Every write in the store calls [`append`] inside
//! its own transaction, so a change and its audit entry commit together or not at all.

use crate::db::{q, RowExt, Store, Q, V};
use crate::{Change, Page, PageReq, Result};
use lianxin_domain::audit::{entry_hash, verify as verify_chain, Break, Entry, GENESIS};
use sqlx::any::AnyRow;
use sqlx::AnyConnection;

/// Records one change. `before`/`after` are JSON snapshots of the entity.
#[allow(clippy::too_many_arguments)]
pub async fn append(
    conn: &mut AnyConnection,
    tenant_id: i64,
    change: &Change,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    before: Option<String>,
    after: Option<String>,
) -> Result<i64> {
    // The UPDATE takes the write lock on the chain head at once, so concurrent writers
    // line up here and the chain stays linear on both databases.
    let row = q("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash", []).fetch_one(&mut *conn).await?;
    let seq = row.i("seq");
    let prev = row.s("hash");
    let hash = entry_hash(
        &prev,
        seq,
        tenant_id,
        change.now_ms,
        change.actor_id,
        &change.actor_name,
        action,
        entity,
        entity_id,
        before.as_deref(),
        after.as_deref(),
    );
    q(
        "INSERT INTO audit_log (seq, tenant_id, at_ms, actor_id, actor_name, action, entity, entity_id, before_data, after_data, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        [
            seq.into(),
            tenant_id.into(),
            change.now_ms.into(),
            change.actor_id.into(),
            change.actor_name.as_str().into(),
            action.into(),
            entity.into(),
            entity_id.into(),
            before.into(),
            after.into(),
            prev.into(),
            hash.as_str().into(),
        ],
    )
    .execute(&mut *conn)
    .await?;
    q("UPDATE audit_head SET hash = $1 WHERE id = 1", [hash.into()]).execute(&mut *conn).await?;
    Ok(seq)
}

fn entry(r: &AnyRow) -> Entry {
    Entry {
        seq: r.i("seq"),
        tenant_id: r.i("tenant_id"),
        at_ms: r.i("at_ms"),
        actor_id: r.oi("actor_id"),
        actor_name: r.s("actor_name"),
        action: r.s("action"),
        entity: r.s("entity"),
        entity_id: r.oi("entity_id"),
        before: r.os("before_data"),
        after: r.os("after_data"),
        prev_hash: r.s("prev_hash"),
        hash: r.s("hash"),
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only these tenants (`None`: all, for administrators).
    pub tenants: Option<Vec<i64>>,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub actor: Option<String>,
}

/// Newest first.
pub async fn list(store: &Store, f: &AuditFilter, page: PageReq) -> Result<Page<Entry>> {
    let mut w = Q::new(" WHERE 1=1");
    if let Some(t) = &f.tenants {
        w.push_raw(" AND tenant_id IN ").push_in(t);
    }
    if let Some(e) = &f.entity {
        w.push(" AND entity = ?", [V::T(e.clone())]);
    }
    if let Some(id) = f.entity_id {
        w.push(" AND entity_id = ?", [V::I(id)]);
    }
    if let Some(a) = &f.actor {
        w.push(" AND actor_name = ?", [V::T(a.clone())]);
    }
    let count = Q::head_where("SELECT COUNT(*) AS n FROM audit_log", &w);
    let total = count.build().fetch_one(&store.pool).await?.i("n");
    let mut sel = Q::head_where("SELECT * FROM audit_log", &w);
    sel.push(" ORDER BY seq DESC LIMIT ? OFFSET ?", [V::I(page.per_page), V::I(page.offset())]);
    let items = sel.build().fetch_all(&store.pool).await?.iter().map(entry).collect();
    Ok(Page { items, total, page: page.page, per_page: page.per_page })
}

/// The result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub entries: i64,
    pub head_hash: String,
}

/// Walks the whole log in order, in batches, and checks every link; the head row must
/// point at the last entry too (so truncating the tail is found).
pub async fn verify(store: &Store) -> Result<Result<Verified, Break>> {
    let mut prev = (GENESIS.to_string(), 0i64);
    loop {
        let rows = q("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000", [prev.1.into()]).fetch_all(&store.pool).await?;
        if rows.is_empty() {
            break;
        }
        let batch: Vec<Entry> = rows.iter().map(entry).collect();
        match verify_chain(&batch, (&prev.0, prev.1)) {
            Ok(p) => prev = p,
            Err(b) => return Ok(Err(b)),
        }
    }
    let head = q("SELECT seq, hash FROM audit_head WHERE id = 1", []).fetch_one(&store.pool).await?;
    if head.i("seq") != prev.1 || head.s("hash") != prev.0 {
        return Ok(Err(Break::Gap { after: prev.1, next: head.i("seq") }));
    }
    Ok(Ok(Verified { entries: prev.1, head_hash: prev.0 }))
}
