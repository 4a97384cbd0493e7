//! A meeting's agenda (issue 5): reports and draft resolutions with their documents, handed
//! out to the participants before the meeting (a notice to each); each group's deliberation
//! of each item, gathered for the presidium; the life of a resolution (R-K4) from draft to
//! review, its vote, and the adopted text published. The rules of that life are the domain's
//! (`lianxin_domain::meeting`); here they are recorded, each step audited.

use crate::audit::append;
use crate::db::{q, RowExt, Store};
use crate::ids::new_id;
use crate::meetings::{self, Meeting};
use crate::notices::{self, To};
use crate::{Change, Result, StoreError};
use lianxin_domain::ballot::{VoteMode, VoteStatus};
use lianxin_domain::lang::Coded;
use lianxin_domain::meeting::{AgendaInput, AgendaKind, DeliberationInput, ResolutionAction, ResolutionStatus};
use lianxin_domain::notice::NoticeKind;
use lianxin_domain::{FieldError, Id};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AgendaItem {
    pub tenant_id: Id,
    pub id: Id,
    pub meeting_id: Id,
    pub position: i64,
    pub kind: String,
    pub title: String,
    pub presenter: String,
    pub body: String,
    /// For a draft resolution, where it is in its life (`ResolutionStatus`); otherwise `draft`.
    pub status: String,
    pub distributed_at: Option<i64>,
    /// The vote it was put to.
    pub vote_id: Option<Id>,
    /// The text as adopted (a draft resolution, once published).
    pub adopted_text: Option<String>,
    pub published_at: Option<i64>,
    /// The implementation report (R-K4 报告) and the review (评议).
    pub report: Option<String>,
    pub review: Option<String>,
    pub updated_at: i64,
}

impl AgendaItem {
    pub fn kind(&self) -> AgendaKind {
        AgendaKind::from_code(&self.kind).unwrap_or(AgendaKind::Other)
    }
    pub fn status(&self) -> ResolutionStatus {
        ResolutionStatus::from_code(&self.status).unwrap_or(ResolutionStatus::Draft)
    }
}

fn item_of(r: &sqlx::any::AnyRow) -> AgendaItem {
    AgendaItem {
        tenant_id: r.i("tenant_id"),
        id: r.i("id"),
        meeting_id: r.i("meeting_id"),
        position: r.i("position"),
        kind: r.s("kind"),
        title: r.s("title"),
        presenter: r.s("presenter"),
        body: r.s("body"),
        status: r.s("status"),
        distributed_at: r.oi("distributed_at"),
        vote_id: r.oi("vote_id"),
        adopted_text: r.os("adopted_text"),
        published_at: r.oi("published_at"),
        report: r.os("report"),
        review: r.os("review"),
        updated_at: r.i("updated_at"),
    }
}

pub async fn get(store: &Store, id: Id) -> Result<AgendaItem> {
    let r = q("SELECT * FROM agenda_items WHERE id = $1", [id.into()]).fetch_optional(&store.pool).await?.ok_or_else(StoreError::not_found)?;
    Ok(item_of(&r))
}

/// The meeting's agenda in order.
pub async fn items(store: &Store, m: &Meeting) -> Result<Vec<AgendaItem>> {
    Ok(q("SELECT * FROM agenda_items WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY position, id", [m.tenant_id.into(), m.id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(item_of)
        .collect())
}

/// Adds an item at the end of the agenda.
pub async fn add(store: &Store, m: &Meeting, input: &AgendaInput, change: &Change) -> Result<AgendaItem> {
    let (kind, title, presenter, body) = input.validate()?;
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    let pos =
        q("SELECT COALESCE(MAX(position), 0) AS n FROM agenda_items WHERE tenant_id = $1 AND meeting_id = $2", [m.tenant_id.into(), m.id.into()])
            .fetch_one(&mut *tx)
            .await?
            .i("n")
            + 1;
    q(
        "INSERT INTO agenda_items (tenant_id, id, meeting_id, position, kind, title, presenter, body, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $9)",
        [
            m.tenant_id.into(),
            id.into(),
            m.id.into(),
            pos.into(),
            kind.code().into(),
            title.as_str().into(),
            presenter.into(),
            body.into(),
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
        "agenda_item",
        Some(id),
        None,
        Some(serde_json::json!({"meeting": m.id, "kind": kind.code(), "title": title}).to_string()),
    )
    .await?;
    tx.commit().await?;
    get(store, id).await
}

/// Attaches a document (the report, the draft) to an item.
pub async fn attach(store: &Store, item: &AgendaItem, file: crate::files::Checked, change: &Change) -> Result<crate::files::Attachment> {
    let mut tx = store.pool.begin().await?;
    let name = file.name.clone();
    let a = crate::files::insert(&mut tx, item.tenant_id, crate::files::Owner::AgendaItem, item.id, file, change).await?;
    append(&mut tx, item.tenant_id, change, "attach", "agenda_item", Some(item.id), None, Some(serde_json::json!({"file": name}).to_string()))
        .await?;
    tx.commit().await?;
    Ok(a)
}

/// Hands the item's documents out: every participant expected at the meeting (voting or not)
/// gets a notice linking to them. Handing out again (a revised draft) tells them again.
pub async fn distribute(store: &Store, m: &Meeting, item: &AgendaItem, change: &Change) -> Result<usize> {
    let people: Vec<Id> = q(
        "SELECT d.person_id FROM meeting_attendees a JOIN delegates d ON d.tenant_id = a.tenant_id AND d.id = a.delegate_id \
         WHERE a.tenant_id = $1 AND a.meeting_id = $2 ORDER BY d.person_id",
        [m.tenant_id.into(), m.id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| r.i("person_id"))
    .collect();
    let to: Vec<To> = people.iter().map(|p| To::Person(*p)).collect();
    let mut tx = store.pool.begin().await?;
    q(
        "UPDATE agenda_items SET distributed_at = $1, updated_at = $1 WHERE tenant_id = $2 AND id = $3",
        [change.now_ms.into(), item.tenant_id.into(), item.id.into()],
    )
    .execute(&mut *tx)
    .await?;
    let subject = format!("{} · {}", m.title, item.title);
    notices::send(&mut tx, m.tenant_id, &to, NoticeKind::MeetingDocuments, &subject, &format!("/meetings/{}/agenda/{}", m.id, item.id), change)
        .await?;
    append(
        &mut tx,
        m.tenant_id,
        change,
        "distribute",
        "agenda_item",
        Some(item.id),
        None,
        Some(serde_json::json!({"participants": to.len()}).to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(to.len())
}

/// One group's deliberation of one item.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Deliberation {
    pub id: Id,
    pub item_id: Id,
    pub group_name: String,
    pub minutes: String,
    pub opinions: Vec<String>,
    pub recorded_by: String,
    pub updated_at: i64,
}

fn deliberation_of(r: &sqlx::any::AnyRow) -> Deliberation {
    Deliberation {
        id: r.i("id"),
        item_id: r.i("item_id"),
        group_name: r.s("group_name"),
        minutes: r.s("minutes"),
        opinions: serde_json::from_str(&r.s("opinions")).unwrap_or_default(),
        recorded_by: r.s("recorded_by"),
        updated_at: r.i("updated_at"),
    }
}

/// Records (or, for the same group and item, replaces) a group's deliberation.
pub async fn record_deliberation(store: &Store, item: &AgendaItem, input: &DeliberationInput, change: &Change) -> Result<Deliberation> {
    let (group, minutes, opinions) = input.validate()?;
    let opinions_json = serde_json::to_string(&opinions).unwrap_or_default();
    let mut tx = store.pool.begin().await?;
    let before = q(
        "SELECT * FROM deliberations WHERE tenant_id = $1 AND item_id = $2 AND group_name = $3",
        [item.tenant_id.into(), item.id.into(), group.as_str().into()],
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| deliberation_of(&r));
    let id = match &before {
        Some(b) => {
            q(
                "UPDATE deliberations SET minutes = $1, opinions = $2, recorded_by = $3, updated_at = $4 WHERE tenant_id = $5 AND id = $6",
                [
                    minutes.as_str().into(),
                    opinions_json.as_str().into(),
                    change.actor_name.as_str().into(),
                    change.now_ms.into(),
                    item.tenant_id.into(),
                    b.id.into(),
                ],
            )
            .execute(&mut *tx)
            .await?;
            b.id
        }
        None => {
            let id = new_id(change.now_ms);
            q(
                "INSERT INTO deliberations (tenant_id, id, meeting_id, item_id, group_name, minutes, opinions, recorded_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                [
                    item.tenant_id.into(),
                    id.into(),
                    item.meeting_id.into(),
                    item.id.into(),
                    group.as_str().into(),
                    minutes.as_str().into(),
                    opinions_json.as_str().into(),
                    change.actor_name.as_str().into(),
                    change.now_ms.into(),
                ],
            )
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from)
            .map_err(|e| e.duplicate_as(FieldError::new("group", "duplicate", "该组已有审议记录,请刷新", "this group's record exists: reload")))?;
            id
        }
    };
    append(
        &mut tx,
        item.tenant_id,
        change,
        if before.is_some() { "update" } else { "create" },
        "deliberation",
        Some(id),
        before.map(|b| serde_json::json!({"minutes": b.minutes, "opinions": b.opinions}).to_string()),
        Some(serde_json::json!({"item": item.id, "group": group, "minutes": minutes, "opinions": opinions}).to_string()),
    )
    .await?;
    tx.commit().await?;
    let r = q("SELECT * FROM deliberations WHERE tenant_id = $1 AND id = $2", [item.tenant_id.into(), id.into()]).fetch_one(&store.pool).await?;
    Ok(deliberation_of(&r))
}

/// Every group's deliberation of the meeting's items (for the presidium), by item and group.
pub async fn deliberations(store: &Store, m: &Meeting) -> Result<Vec<Deliberation>> {
    Ok(q("SELECT * FROM deliberations WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY item_id, group_name", [m.tenant_id.into(), m.id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(deliberation_of)
        .collect())
}

/// A step in a resolution's life. `PutToVote` makes the vote (a yes/no/abstain motion by the
/// counting rule given, secret unless `named`); `Passed`/`Failed` are taken from that vote's
/// result once it is closed, never typed; `Publish` needs the adopted text (the draft as
/// amended), `Report` and `Review` their texts.
pub async fn step(
    store: &Store,
    m: &Meeting,
    item: &AgendaItem,
    action: ResolutionAction,
    text: &str,
    method: &str,
    change: &Change,
) -> Result<AgendaItem> {
    if item.kind() != AgendaKind::DraftResolution {
        return Err(StoreError::conflict("只有决议草案按决议程序办理", "only a draft resolution has these steps"));
    }
    let to = item.status().next(action)?;
    let text = text.trim();
    let needs_text = matches!(action, ResolutionAction::Publish | ResolutionAction::Report | ResolutionAction::Review);
    if needs_text && !(2..=20_000).contains(&text.chars().count()) {
        return Err(StoreError::invalid(FieldError::new("text", "length", "请填写正文(2 至 20000 字)", "write the text (2 to 20,000 characters)")));
    }
    let mut vote_id = item.vote_id;
    if action == ResolutionAction::PutToVote {
        let (title, question) = lianxin_domain::ballot::Question::validate(&item.title, "motion", "", None)?;
        let v = meetings::create_vote(store, m, &title, &question, method, VoteMode::Secret, change).await?;
        vote_id = Some(v.id);
    }
    if matches!(action, ResolutionAction::Passed | ResolutionAction::Failed) {
        let v = meetings::vote(store, item.vote_id.ok_or_else(|| StoreError::conflict("尚未提交表决", "not put to the vote yet"))?).await?;
        let passed = v.result.as_ref().and_then(|r| r["items"][0]["decision"]["passed"].as_bool());
        let want = action == ResolutionAction::Passed;
        if v.status() != VoteStatus::Closed || passed != Some(want) {
            return Err(StoreError::conflict("以表决结果为准:表决结束后据结果登记", "the vote decides: record its result once it is closed"));
        }
    }
    let mut tx = store.pool.begin().await?;
    let n = q(
        "UPDATE agenda_items SET status = $1, vote_id = $2, \
         adopted_text = CASE WHEN $3 = 'publish' THEN $4 ELSE adopted_text END, \
         published_at = CASE WHEN $3 = 'publish' THEN $5 ELSE published_at END, \
         report = CASE WHEN $3 = 'report' THEN $4 ELSE report END, \
         review = CASE WHEN $3 = 'review' THEN $4 ELSE review END, updated_at = $5 \
         WHERE tenant_id = $6 AND id = $7 AND status = $8",
        [
            to.code().into(),
            vote_id.into(),
            action.code().into(),
            text.into(),
            change.now_ms.into(),
            item.tenant_id.into(),
            item.id.into(),
            item.status.as_str().into(),
        ],
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::conflict("议程已被他人更新,请刷新", "the item has changed; reload"));
    }
    append(
        &mut tx,
        item.tenant_id,
        change,
        action.code(),
        "agenda_item",
        Some(item.id),
        Some(serde_json::json!({"status": item.status}).to_string()),
        Some(serde_json::json!({"status": to.code(), "vote": vote_id, "text": (!text.is_empty()).then_some(text)}).to_string()),
    )
    .await?;
    tx.commit().await?;
    get(store, item.id).await
}

/// The body's published resolutions, newest first: (the meeting's title, item), for the
/// public page.
pub async fn published(store: &Store, tenant: Id, body: Id) -> Result<Vec<(String, AgendaItem)>> {
    Ok(q(
        "SELECT a.*, m.title AS meeting_title FROM agenda_items a JOIN meetings m ON m.tenant_id = a.tenant_id AND m.id = a.meeting_id \
         WHERE a.tenant_id = $1 AND m.body_id = $2 AND a.published_at IS NOT NULL ORDER BY a.published_at DESC LIMIT 200",
        [tenant.into(), body.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| (r.s("meeting_title"), item_of(r)))
    .collect())
}
