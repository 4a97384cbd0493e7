//! Inquiries (询问) and interpellations (质询) at a meeting (issue 5): a delegate asks a
//! committee member or a department, on the spot or in writing; the answer is recorded (on
//! the spot by the office, in writing by the office on the department's behalf) and, once
//! published, shown on the body's public page (seed 004 §4: answers published on the
//! party-affairs site). The asker is told when the answer is in.

use crate::audit::append;
use crate::db::{q, RowExt, Store};
use crate::ids::new_id;
use crate::meetings::Meeting;
use crate::notices::{self, To};
use crate::{Change, Result, StoreError};
use lianxin_domain::lang::Coded;
use lianxin_domain::meeting::{check_answer, InquiryInput, InquiryStatus};
use lianxin_domain::notice::NoticeKind;
use lianxin_domain::Id;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Inquiry {
    pub tenant_id: Id,
    pub id: Id,
    pub meeting_id: Id,
    pub kind: String,
    pub mode: String,
    /// The delegate who asks, and their name.
    pub delegate_id: Id,
    pub asker: String,
    pub addressee: String,
    pub question: String,
    pub status: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    pub published_at: Option<i64>,
    pub created_at: i64,
}

impl Inquiry {
    pub fn status(&self) -> InquiryStatus {
        InquiryStatus::from_code(&self.status).unwrap_or(InquiryStatus::Asked)
    }
}

fn inquiry_of(r: &sqlx::any::AnyRow) -> Inquiry {
    Inquiry {
        tenant_id: r.i("tenant_id"),
        id: r.i("id"),
        meeting_id: r.i("meeting_id"),
        kind: r.s("kind"),
        mode: r.s("mode"),
        delegate_id: r.i("delegate_id"),
        asker: r.s("asker"),
        addressee: r.s("addressee"),
        question: r.s("question"),
        status: r.s("status"),
        answer: r.os("answer"),
        answered_by: r.os("answered_by"),
        answered_at: r.oi("answered_at"),
        published_at: r.oi("published_at"),
        created_at: r.i("created_at"),
    }
}

pub async fn get(store: &Store, id: Id) -> Result<Inquiry> {
    let r = q(GET_SQL, [id.into()]).fetch_optional(&store.pool).await?.ok_or_else(StoreError::not_found)?;
    Ok(inquiry_of(&r))
}

const GET_SQL: &str = "SELECT i.*, p.name AS asker, d.person_id FROM inquiries i \
     JOIN delegates d ON d.tenant_id = i.tenant_id AND d.id = i.delegate_id JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id WHERE i.id = $1";
const LIST_SQL: &str = "SELECT i.*, p.name AS asker, d.person_id FROM inquiries i \
     JOIN delegates d ON d.tenant_id = i.tenant_id AND d.id = i.delegate_id JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id \
     WHERE i.tenant_id = $1 AND i.meeting_id = $2 ORDER BY i.created_at, i.id";

/// The meeting's inquiries in the order they were put.
pub async fn list(store: &Store, m: &Meeting) -> Result<Vec<Inquiry>> {
    Ok(q(LIST_SQL, [m.tenant_id.into(), m.id.into()]).fetch_all(&store.pool).await?.iter().map(inquiry_of).collect())
}

/// A delegate of the meeting's term puts a question.
pub async fn ask(store: &Store, m: &Meeting, delegate: Id, input: &InquiryInput, change: &Change) -> Result<Inquiry> {
    let (kind, mode, addressee, question) = input.validate()?;
    let ok = q(
        "SELECT COUNT(*) AS n FROM delegates WHERE tenant_id = $1 AND term_id = $2 AND id = $3",
        [m.tenant_id.into(), m.term_id.into(), delegate.into()],
    )
    .fetch_one(&store.pool)
    .await?
    .i("n");
    if ok == 0 {
        return Err(StoreError::invalid(lianxin_domain::FieldError::new("delegate", "other_term", "不是本届代表", "not a delegate of this term")));
    }
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO inquiries (tenant_id, id, meeting_id, kind, mode, delegate_id, addressee, question, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'asked', $9)",
        [
            m.tenant_id.into(),
            id.into(),
            m.id.into(),
            kind.code().into(),
            mode.code().into(),
            delegate.into(),
            addressee.as_str().into(),
            question.as_str().into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        m.tenant_id,
        change,
        "create",
        "inquiry",
        Some(id),
        None,
        Some(serde_json::json!({"meeting": m.id, "kind": kind.code(), "addressee": addressee, "question": question}).to_string()),
    )
    .await?;
    tx.commit().await?;
    get(store, id).await
}

/// Records the answer (again, until it is published); the asker is told.
pub async fn answer(store: &Store, i: &Inquiry, answer: &str, answered_by: &str, change: &Change) -> Result<Inquiry> {
    let text = check_answer(i.status(), answer)?;
    let by = answered_by.trim();
    let by = if by.is_empty() { i.addressee.as_str() } else { by };
    let mut tx = store.pool.begin().await?;
    let n = q(
        "UPDATE inquiries SET answer = $1, answered_by = $2, answered_at = $3, status = 'answered' WHERE tenant_id = $4 AND id = $5 AND status <> 'published'",
        [text.as_str().into(), by.into(), change.now_ms.into(), i.tenant_id.into(), i.id.into()],
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::conflict("答复已公开,不能再改", "the answer is published and can no longer change"));
    }
    let person = q("SELECT person_id FROM delegates WHERE tenant_id = $1 AND id = $2", [i.tenant_id.into(), i.delegate_id.into()])
        .fetch_one(&mut *tx)
        .await?
        .i("person_id");
    let subject: String = i.question.chars().take(30).collect();
    notices::send(
        &mut tx,
        i.tenant_id,
        &[To::Person(person)],
        NoticeKind::InquiryAnswered,
        &subject,
        &format!("/meetings/{}/inquiries", i.meeting_id),
        change,
    )
    .await?;
    append(
        &mut tx,
        i.tenant_id,
        change,
        "answer",
        "inquiry",
        Some(i.id),
        i.answer.as_ref().map(|a| serde_json::json!({"answer": a}).to_string()),
        Some(serde_json::json!({"answer": text, "by": by}).to_string()),
    )
    .await?;
    tx.commit().await?;
    get(store, i.id).await
}

/// Publishes an answered inquiry: from now on it is on the public page and cannot change.
pub async fn publish(store: &Store, i: &Inquiry, change: &Change) -> Result<Inquiry> {
    if i.status() != InquiryStatus::Answered {
        return Err(StoreError::conflict("答复后才能公开", "only an answered inquiry can be published"));
    }
    let mut tx = store.pool.begin().await?;
    let n = q(
        "UPDATE inquiries SET status = 'published', published_at = $1 WHERE tenant_id = $2 AND id = $3 AND status = 'answered'",
        [change.now_ms.into(), i.tenant_id.into(), i.id.into()],
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::conflict("状态已变化,请刷新", "it has changed; reload"));
    }
    append(&mut tx, i.tenant_id, change, "publish", "inquiry", Some(i.id), None, None).await?;
    tx.commit().await?;
    get(store, i.id).await
}

/// The body's published inquiries, newest first (the public page: no personal data beyond
/// the asker's name, which a delegate's public role makes public).
pub async fn published(store: &Store, tenant: Id, body: Id) -> Result<Vec<(String, Inquiry)>> {
    Ok(q(
        "SELECT i.*, p.name AS asker, m.title AS meeting_title FROM inquiries i \
         JOIN meetings m ON m.tenant_id = i.tenant_id AND m.id = i.meeting_id \
         JOIN delegates d ON d.tenant_id = i.tenant_id AND d.id = i.delegate_id JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id \
         WHERE i.tenant_id = $1 AND m.body_id = $2 AND i.status = 'published' ORDER BY i.published_at DESC LIMIT 200",
        [tenant.into(), body.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| (r.s("meeting_title"), inquiry_of(r)))
    .collect())
}
