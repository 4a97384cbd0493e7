//! Notices: written in the same transaction as the step that causes them, read on the
//! 消息 / Notices page. A person's notices follow them (by person id, whichever tree); an
//! organisation's are read by those who handle for it.

use crate::db::{q, RowExt, Store, Q, V};
use crate::ids::new_id;
use crate::{Change, Page, PageReq, Result};
use lianxin_domain::access::{Actor, Role};
use lianxin_domain::notice::NoticeKind;
use lianxin_domain::Id;
use serde::Serialize;

/// To whom a notice goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    Person(Id),
    Org(Id),
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Notice {
    pub tenant_id: Id,
    pub id: Id,
    pub kind: String,
    pub subject: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

impl Notice {
    pub fn kind(&self) -> Option<NoticeKind> {
        <NoticeKind as lianxin_domain::lang::Coded>::from_code(&self.kind)
    }
}

/// Writes notices inside the caller's transaction.
pub(crate) async fn send(
    conn: &mut sqlx::AnyConnection,
    tenant: Id,
    to: &[To],
    kind: NoticeKind,
    subject: &str,
    link: &str,
    change: &Change,
) -> Result<()> {
    use lianxin_domain::lang::Coded;
    let mut seen = Vec::new();
    for t in to {
        if seen.contains(t) {
            continue;
        }
        seen.push(*t);
        let (person, org) = match t {
            To::Person(p) => (Some(*p), None),
            To::Org(o) => (None, Some(*o)),
        };
        q(
            "INSERT INTO notices (tenant_id, id, person_id, org_id, kind, subject, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            [
                tenant.into(),
                new_id(change.now_ms).into(),
                person.into(),
                org.into(),
                kind.code().into(),
                subject.into(),
                link.into(),
                change.now_ms.into(),
            ],
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The conditions that pick an actor's notices: their own (as a person) and those of the
/// organisations they handle for.
fn mine(actor: &Actor) -> Option<Q> {
    let units: Vec<&str> = actor.grants.iter().filter(|g| g.role == Role::HandlingUnit).filter_map(|g| g.scope_path.as_deref()).collect();
    if actor.person_id.is_none() && units.is_empty() {
        return None;
    }
    let mut w = Q::new(" WHERE (");
    match actor.person_id {
        Some(p) => w.push("n.person_id = ?", [V::I(p)]),
        None => w.push_raw("1 = 0"),
    };
    for path in units {
        w.push(
            " OR n.org_id IN (SELECT o.id FROM orgs o WHERE o.tenant_id = n.tenant_id AND o.path LIKE ?)",
            // paths are digits and slashes: no LIKE wildcards to escape
            [V::T(format!("{path}%"))],
        );
    }
    w.push_raw(")");
    Some(w)
}

fn notice_of(r: &sqlx::any::AnyRow) -> Notice {
    Notice {
        tenant_id: r.i("tenant_id"),
        id: r.i("id"),
        kind: r.s("kind"),
        subject: r.s("subject"),
        link: r.s("link"),
        created_at: r.i("created_at"),
        read_at: r.oi("read_at"),
    }
}

/// An actor's notices, newest first.
pub async fn list(store: &Store, actor: &Actor, page: PageReq) -> Result<Page<Notice>> {
    let Some(w) = mine(actor) else { return Ok(Page { items: Vec::new(), total: 0, page: page.page, per_page: page.per_page }) };
    let total = Q::head_where("SELECT COUNT(*) AS n FROM notices n", &w).build().fetch_one(&store.pool).await?.i("n");
    let mut l = Q::head_where("SELECT n.tenant_id, n.id, n.kind, n.subject, n.link, n.created_at, n.read_at FROM notices n", &w);
    l.push(" ORDER BY n.created_at DESC, n.id DESC LIMIT ? OFFSET ?", [V::I(page.per_page), V::I(page.offset())]);
    let items = l.build().fetch_all(&store.pool).await?.iter().map(notice_of).collect();
    Ok(Page { items, total, page: page.page, per_page: page.per_page })
}

/// How many of an actor's notices are unread.
pub async fn unread(store: &Store, actor: &Actor) -> Result<i64> {
    let Some(mut w) = mine(actor) else { return Ok(0) };
    w.push_raw(" AND n.read_at IS NULL");
    Ok(Q::head_where("SELECT COUNT(*) AS n FROM notices n", &w).build().fetch_one(&store.pool).await?.i("n"))
}

/// Marks one notice read (if it is the actor's) and returns it; `None` if it is not theirs.
pub async fn open(store: &Store, actor: &Actor, id: Id, now_ms: i64) -> Result<Option<Notice>> {
    let Some(mut w) = mine(actor) else { return Ok(None) };
    w.push(" AND n.id = ?", [V::I(id)]);
    let found = Q::head_where("SELECT n.tenant_id, n.id, n.kind, n.subject, n.link, n.created_at, n.read_at FROM notices n", &w)
        .build()
        .fetch_optional(&store.pool)
        .await?;
    let Some(r) = found else { return Ok(None) };
    let n = notice_of(&r);
    if n.read_at.is_none() {
        q("UPDATE notices SET read_at = $1 WHERE tenant_id = $2 AND id = $3", [now_ms.into(), n.tenant_id.into(), n.id.into()])
            .execute(&store.pool)
            .await?;
    }
    Ok(Some(n))
}

/// Marks all of an actor's notices read; returns how many were unread.
pub async fn read_all(store: &Store, actor: &Actor, now_ms: i64) -> Result<u64> {
    let Some(mut w) = mine(actor) else { return Ok(0) };
    w.push_raw(" AND n.read_at IS NULL");
    let ids: Vec<(Id, Id)> = Q::head_where("SELECT n.tenant_id, n.id FROM notices n", &w)
        .build()
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| (r.i("tenant_id"), r.i("id")))
        .collect();
    let mut tx = store.pool.begin().await?;
    for (tenant, id) in &ids {
        q("UPDATE notices SET read_at = $1 WHERE tenant_id = $2 AND id = $3", [now_ms.into(), (*tenant).into(), (*id).into()])
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(ids.len() as u64)
}
