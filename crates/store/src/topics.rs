//! Research topics (调研课题): the office turns a hotspot, or one recurring request, into a
//! topic for delegates to research; recording the research activity closes the topic and
//! links the activity to the topic's requests (issue 4, items 9 and 11).

use crate::audit::append;
use crate::congress::Body;
use crate::db::{q, RowExt, Store, Q, V};
use crate::ids::new_id;
use crate::{Change, Page, PageReq, Result, StoreError};
use lianxin_domain::{FieldError, Id};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Topic {
    pub tenant_id: Id,
    pub id: Id,
    pub body_id: Id,
    pub title: String,
    pub note: String,
    /// "open" until an activity researches it, then "done".
    pub status: String,
    pub activity_id: Option<Id>,
    pub created_by: String,
    pub created_at: i64,
    /// How many requests it was made from.
    pub requests: i64,
}

const SELECT: &str = "SELECT t.tenant_id, t.id, t.body_id, t.title, t.note, t.status, t.activity_id, t.created_by, t.created_at, \
     (SELECT COUNT(*) FROM topic_requests x WHERE x.tenant_id = t.tenant_id AND x.topic_id = t.id) AS requests FROM research_topics t";

fn of(r: &sqlx::any::AnyRow) -> Topic {
    Topic {
        tenant_id: r.i("tenant_id"),
        id: r.i("id"),
        body_id: r.i("body_id"),
        title: r.s("title"),
        note: r.s("note"),
        status: r.s("status"),
        activity_id: r.oi("activity_id"),
        created_by: r.s("created_by"),
        created_at: r.i("created_at"),
        requests: r.i("requests"),
    }
}

pub async fn get(store: &Store, id: Id) -> Result<Topic> {
    let mut b = Q::new(SELECT);
    b.push(" WHERE t.id = ?", [V::I(id)]);
    Ok(of(&b.build().fetch_optional(&store.pool).await?.ok_or_else(StoreError::not_found)?))
}

/// A body's topics, open ones first, newest first.
pub async fn list(store: &Store, body: &Body, page: PageReq) -> Result<Page<Topic>> {
    let total = q("SELECT COUNT(*) AS n FROM research_topics WHERE tenant_id = $1 AND body_id = $2", [body.tenant_id.into(), body.id.into()])
        .fetch_one(&store.pool)
        .await?
        .i("n");
    let mut b = Q::new(SELECT);
    b.push(" WHERE t.tenant_id = ? AND t.body_id = ?", [V::I(body.tenant_id), V::I(body.id)]);
    b.push_raw(" ORDER BY t.status DESC, t.created_at DESC, t.id DESC");
    b.push(" LIMIT ? OFFSET ?", [V::I(page.per_page), V::I(page.offset())]);
    let items = b.build().fetch_all(&store.pool).await?.iter().map(of).collect();
    Ok(Page { items, total, page: page.page, per_page: page.per_page })
}

/// The topics a request went into.
pub async fn of_request(store: &Store, tenant: Id, request: Id) -> Result<Vec<Topic>> {
    let mut b = Q::new(SELECT);
    b.push(
        " WHERE t.tenant_id = ? AND t.id IN (SELECT topic_id FROM topic_requests WHERE tenant_id = ? AND request_id = ?) ORDER BY t.created_at",
        [V::I(tenant), V::I(tenant), V::I(request)],
    );
    Ok(b.build().fetch_all(&store.pool).await?.iter().map(of).collect())
}

/// The ids of a topic's requests.
pub async fn request_ids(store: &Store, t: &Topic) -> Result<Vec<Id>> {
    Ok(q("SELECT request_id FROM topic_requests WHERE tenant_id = $1 AND topic_id = $2 ORDER BY request_id", [t.tenant_id.into(), t.id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| r.i("request_id"))
        .collect())
}

/// Makes a topic from requests of the body (at least one).
pub async fn create(store: &Store, body: &Body, title: &str, note: &str, requests: &[Id], change: &Change) -> Result<Topic> {
    let title = title.trim();
    let n = title.chars().count();
    if !(2..=80).contains(&n) {
        return Err(StoreError::invalid(FieldError::new("title", "length", "课题名称须为 2 至 80 个字", "a topic's title takes 2 to 80 characters")));
    }
    if note.chars().count() > 2000 {
        return Err(StoreError::invalid(FieldError::new("note", "too_long", "说明不能超过 2000 字", "the note may be at most 2,000 characters")));
    }
    let mut ids = requests.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() || ids.len() > 1000 {
        return Err(StoreError::invalid(FieldError::new("requests", "count", "请选择 1 至 1000 件诉求", "choose 1 to 1,000 requests")));
    }
    let mut b = Q::new("SELECT COUNT(*) AS n FROM requests WHERE tenant_id = ");
    b.push("? AND body_id = ? AND id IN ", [V::I(body.tenant_id), V::I(body.id)]).push_in(&ids);
    if b.build().fetch_one(&store.pool).await?.i("n") != ids.len() as i64 {
        return Err(StoreError::invalid(FieldError::new(
            "requests",
            "other_body",
            "只能选择本代表大会收到的诉求",
            "only this congress's requests may be chosen",
        )));
    }
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO research_topics (tenant_id, id, body_id, title, note, status, created_by, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7)",
        [body.tenant_id.into(), id.into(), body.id.into(), title.into(), note.trim().into(), change.actor_name.as_str().into(), change.now_ms.into()],
    )
    .execute(&mut *tx)
    .await?;
    for r in &ids {
        q("INSERT INTO topic_requests (tenant_id, topic_id, request_id) VALUES ($1, $2, $3)", [body.tenant_id.into(), id.into(), (*r).into()])
            .execute(&mut *tx)
            .await?;
    }
    append(
        &mut tx,
        body.tenant_id,
        change,
        "create",
        "research_topic",
        Some(id),
        None,
        Some(serde_json::json!({"title": title, "requests": ids}).to_string()),
    )
    .await?;
    tx.commit().await?;
    get(store, id).await
}
