//! Proposals in the store: drafts, co-signers, the handling steps the domain allows, each
//! with its own event in the proposal's timeline and an entry in the audit log, and the
//! statistics of the handling report.

use crate::audit::append;
use crate::congress::{self, Body, Term};
use crate::db::{like_pattern, q, RowExt, Store, Q, V};
use crate::ids::new_id;
use crate::{Change, Page, PageReq, Result, StoreError};
use lianxin_domain::lang::Coded;
use lianxin_domain::proposal::{day_number, decide, Action, DraftInput, Part, ProposalKind, ProposalSettings, ProposalStatus, Snapshot};
use lianxin_domain::{FieldError, Id};
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Proposal {
    pub tenant_id: Id,
    pub id: Id,
    pub body_id: Id,
    pub term_id: Id,
    pub number: Option<String>,
    pub kind: String,
    pub title: String,
    pub category: String,
    pub reason: String,
    pub grounds: String,
    pub solution: String,
    pub status: String,
    /// The first signer (a delegate id) and their name.
    pub proposer_id: Id,
    pub proposer_name: String,
    pub proposer_person_id: Id,
    pub key_proposal: bool,
    pub merged_into: Option<Id>,
    pub lead_unit_id: Option<Id>,
    pub lead_unit_name: Option<String>,
    pub deadline_day: Option<i64>,
    pub replies: i64,
    pub result: Option<String>,
    pub satisfaction: Option<String>,
    pub is_public: bool,
    pub submitted_at: Option<i64>,
    pub assigned_at: Option<i64>,
    pub replied_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub created_at: i64,
}

macro_rules! proposal_select {
    () => {
        "SELECT pr.*, pp.name AS proposer_name, pp.id AS proposer_person_id, u.name AS lead_unit_name \
         FROM proposals pr \
         JOIN delegates pd ON pd.tenant_id = pr.tenant_id AND pd.id = pr.proposer_id \
         JOIN people pp ON pp.tenant_id = pd.tenant_id AND pp.id = pd.person_id \
         LEFT JOIN orgs u ON u.tenant_id = pr.tenant_id AND u.id = pr.lead_unit_id"
    };
}

impl Proposal {
    fn from_row(r: &AnyRow) -> Proposal {
        Proposal {
            tenant_id: r.i("tenant_id"),
            id: r.i("id"),
            body_id: r.i("body_id"),
            term_id: r.i("term_id"),
            number: r.os("number"),
            kind: r.s("kind"),
            title: r.s("title"),
            category: r.s("category"),
            reason: r.s("reason"),
            grounds: r.s("grounds"),
            solution: r.s("solution"),
            status: r.s("status"),
            proposer_id: r.i("proposer_id"),
            proposer_name: r.s("proposer_name"),
            proposer_person_id: r.i("proposer_person_id"),
            key_proposal: r.i("key_proposal") != 0,
            merged_into: r.oi("merged_into"),
            lead_unit_id: r.oi("lead_unit_id"),
            lead_unit_name: r.os("lead_unit_name"),
            deadline_day: r.oi("deadline_day"),
            replies: r.i("replies"),
            result: r.os("result"),
            satisfaction: r.os("satisfaction"),
            is_public: r.i("is_public") != 0,
            submitted_at: r.oi("submitted_at"),
            assigned_at: r.oi("assigned_at"),
            replied_at: r.oi("replied_at"),
            closed_at: r.oi("closed_at"),
            created_at: r.i("created_at"),
        }
    }
    pub fn status(&self) -> ProposalStatus {
        ProposalStatus::from_code(&self.status).unwrap_or(ProposalStatus::Draft)
    }
    pub fn overdue(&self, today: i64) -> bool {
        self.status().is_handling() && self.deadline_day.map(|d| today > d).unwrap_or(false)
    }
    fn snapshot_json(&self) -> String {
        serde_json::json!({"status": self.status, "kind": self.kind, "title": self.title, "lead_unit_id": self.lead_unit_id, "deadline_day": self.deadline_day, "replies": self.replies, "satisfaction": self.satisfaction}).to_string()
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Signer {
    pub delegate_id: Id,
    pub person_id: Id,
    pub name: String,
    pub role: String,
    pub state: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Event {
    pub at_ms: i64,
    pub actor_name: String,
    pub action: String,
    pub status: String,
    pub text: Option<String>,
    pub result: Option<String>,
    pub satisfaction: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UnitRef {
    pub org_id: Id,
    pub name: String,
    pub path: String,
    pub role: String,
}

pub async fn get(store: &Store, id: Id) -> Result<Proposal> {
    let r = q(concat!(proposal_select!(), " WHERE pr.id = $1"), [id.into()]).fetch_optional(&store.pool).await?;
    r.map(|r| Proposal::from_row(&r)).ok_or_else(StoreError::not_found)
}

pub async fn signers(store: &Store, p: &Proposal) -> Result<Vec<Signer>> {
    let rows = q(
        "SELECT s.delegate_id, d.person_id, pe.name, s.role, s.state FROM proposal_signers s \
         JOIN delegates d ON d.tenant_id = s.tenant_id AND d.id = s.delegate_id \
         JOIN people pe ON pe.tenant_id = d.tenant_id AND pe.id = d.person_id \
         WHERE s.tenant_id = $1 AND s.proposal_id = $2 ORDER BY CASE s.role WHEN 'proposer' THEN 0 ELSE 1 END, s.at_ms",
        [p.tenant_id.into(), p.id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Signer { delegate_id: r.i("delegate_id"), person_id: r.i("person_id"), name: r.s("name"), role: r.s("role"), state: r.s("state") })
        .collect())
}

pub async fn units(store: &Store, p: &Proposal) -> Result<Vec<UnitRef>> {
    let rows = q(
        "SELECT u.org_id, o.name, o.path, u.role FROM proposal_units u JOIN orgs o ON o.tenant_id = u.tenant_id AND o.id = u.org_id \
         WHERE u.tenant_id = $1 AND u.proposal_id = $2 ORDER BY CASE u.role WHEN 'lead' THEN 0 ELSE 1 END, o.name",
        [p.tenant_id.into(), p.id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.iter().map(|r| UnitRef { org_id: r.i("org_id"), name: r.s("name"), path: r.s("path"), role: r.s("role") }).collect())
}

pub async fn events(store: &Store, p: &Proposal) -> Result<Vec<Event>> {
    let rows = q("SELECT * FROM proposal_events WHERE tenant_id = $1 AND proposal_id = $2 ORDER BY at_ms, id", [p.tenant_id.into(), p.id.into()])
        .fetch_all(&store.pool)
        .await?;
    Ok(rows
        .iter()
        .map(|r| Event {
            at_ms: r.i("at_ms"),
            actor_name: r.s("actor_name"),
            action: r.s("action"),
            status: r.s("status"),
            text: r.os("text"),
            result: r.os("result"),
            satisfaction: r.os("satisfaction"),
        })
        .collect())
}

pub fn settings_of(b: &Body) -> ProposalSettings {
    ProposalSettings { min_signers_in_session: b.min_signers.max(1) as u32, deadline_days: b.deadline_days, rehandle_days: b.rehandle_days }
}

/// What an event says besides its action: a text, a reply's result, a rating.
#[derive(Default)]
struct Said<'a> {
    text: Option<String>,
    result: Option<&'a str>,
    satisfaction: Option<&'a str>,
}

async fn event(conn: &mut sqlx::AnyConnection, p: &Proposal, change: &Change, action: &str, status: &str, said: Said<'_>) -> Result<()> {
    q(
        "INSERT INTO proposal_events (tenant_id, id, proposal_id, at_ms, actor_id, actor_name, action, status, text, result, satisfaction) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        [
            p.tenant_id.into(),
            new_id(change.now_ms).into(),
            p.id.into(),
            change.now_ms.into(),
            change.actor_id.into(),
            change.actor_name.as_str().into(),
            action.into(),
            status.into(),
            said.text.into(),
            said.result.into(),
            said.satisfaction.into(),
        ],
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A delegate of the term starts a draft; they are its proposer (first signer).
pub async fn create_draft(store: &Store, body: &Body, term: &Term, proposer_delegate: Id, input: &DraftInput, change: &Change) -> Result<Proposal> {
    let v = input.validate()?;
    let d = congress::delegate(store, proposer_delegate).await?;
    if d.term_id != term.id || d.status != "active" {
        return Err(StoreError::conflict("只有本届在任代表可以提出", "only an active delegate of the term can propose"));
    }
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO proposals (tenant_id, id, body_id, term_id, kind, title, category, reason, grounds, solution, status, proposer_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', $11, $12, $12)",
        [
            term.tenant_id.into(),
            id.into(),
            body.id.into(),
            term.id.into(),
            v.kind.code().into(),
            v.title.as_str().into(),
            v.category.code().into(),
            v.reason.as_str().into(),
            v.grounds.as_str().into(),
            v.solution.as_str().into(),
            proposer_delegate.into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    q(
        "INSERT INTO proposal_signers (tenant_id, proposal_id, delegate_id, role, state, at_ms) VALUES ($1, $2, $3, 'proposer', 'confirmed', $4)",
        [term.tenant_id.into(), id.into(), proposer_delegate.into(), change.now_ms.into()],
    )
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        term.tenant_id,
        change,
        "create",
        "proposal",
        Some(id),
        None,
        Some(serde_json::json!({"title": v.title, "kind": v.kind.code()}).to_string()),
    )
    .await?;
    tx.commit().await?;
    let p = get(store, id).await?;
    let mut tx = store.pool.begin().await?;
    event(&mut tx, &p, change, "create", "draft", Said::default()).await?;
    crate::search::changed(&mut tx, store.backend, p.tenant_id, p.id).await?;
    tx.commit().await?;
    Ok(p)
}

/// The proposer edits a draft (only a draft can be edited).
pub async fn update_draft(store: &Store, id: Id, input: &DraftInput, change: &Change) -> Result<Proposal> {
    let before = get(store, id).await?;
    if before.status() != ProposalStatus::Draft {
        return Err(StoreError::conflict("只有草稿可以修改", "only a draft can be edited"));
    }
    let v = input.validate()?;
    let mut tx = store.pool.begin().await?;
    q(
        "UPDATE proposals SET kind = $1, title = $2, category = $3, reason = $4, grounds = $5, solution = $6, updated_at = $7 WHERE tenant_id = $8 AND id = $9 AND status = 'draft'",
        [
            v.kind.code().into(),
            v.title.as_str().into(),
            v.category.code().into(),
            v.reason.as_str().into(),
            v.grounds.as_str().into(),
            v.solution.as_str().into(),
            change.now_ms.into(),
            before.tenant_id.into(),
            id.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        before.tenant_id,
        change,
        "update",
        "proposal",
        Some(id),
        Some(before.snapshot_json()),
        Some(serde_json::json!({"title": v.title}).to_string()),
    )
    .await?;
    crate::search::changed(&mut tx, store.backend, before.tenant_id, id).await?;
    tx.commit().await?;
    get(store, id).await
}

/// The proposer invites another active delegate of the term to co-sign (联名).
pub async fn invite(store: &Store, id: Id, delegate_id: Id, change: &Change) -> Result<()> {
    let p = get(store, id).await?;
    if p.status() != ProposalStatus::Draft {
        return Err(StoreError::conflict("只能在草稿阶段邀请联名", "co-signers are invited while it is a draft"));
    }
    let d = congress::delegate(store, delegate_id)
        .await
        .map_err(|_| StoreError::invalid(FieldError::new("delegate_id", "not_found", "代表不存在", "no such delegate")))?;
    if d.term_id != p.term_id || d.status != "active" {
        return Err(StoreError::invalid(FieldError::new(
            "delegate_id",
            "not_active",
            "联名人须是本届在任代表",
            "a co-signer must be an active delegate of the term",
        )));
    }
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO proposal_signers (tenant_id, proposal_id, delegate_id, role, state, at_ms) VALUES ($1, $2, $3, 'cosigner', 'invited', $4)",
        [p.tenant_id.into(), id.into(), delegate_id.into(), change.now_ms.into()],
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        StoreError::from(e).duplicate_as(FieldError::new("delegate_id", "duplicate", "已邀请过此代表", "this delegate is already a signer"))
    })?;
    event(&mut tx, &p, change, "invite", &p.status, Said { text: Some(d.name.clone()), ..Default::default() }).await?;
    crate::notices::send(
        &mut tx,
        p.tenant_id,
        &[crate::notices::To::Person(d.person_id)],
        lianxin_domain::notice::NoticeKind::Invited,
        &p.title,
        &format!("/proposals/{id}"),
        change,
    )
    .await?;
    append(&mut tx, p.tenant_id, change, "invite", "proposal", Some(id), None, Some(serde_json::json!({"delegate_id": delegate_id}).to_string()))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Sends the notices of a step (see `lianxin_domain::notice`), inside its transaction.
async fn notify(tx: &mut sqlx::AnyConnection, p: &Proposal, action: &Action, out: &lianxin_domain::proposal::Outcome, change: &Change) -> Result<()> {
    use crate::notices::{send, To};
    use lianxin_domain::notice::{for_step, Audience};
    for (audience, kind) in for_step(action, out) {
        let to: Vec<To> = match audience {
            Audience::Signers => q(
                "SELECT d.person_id FROM proposal_signers s JOIN delegates d ON d.tenant_id = s.tenant_id AND d.id = s.delegate_id \
                 WHERE s.tenant_id = $1 AND s.proposal_id = $2 AND s.state = 'confirmed'",
                [p.tenant_id.into(), p.id.into()],
            )
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| To::Person(r.i("person_id")))
            .collect(),
            Audience::Units => q("SELECT org_id FROM proposal_units WHERE tenant_id = $1 AND proposal_id = $2", [p.tenant_id.into(), p.id.into()])
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| To::Org(r.i("org_id")))
                .collect(),
        };
        // a merged item's proposers are sent to the item it was merged into
        let target = match action {
            Action::MergeInto { lead } => *lead,
            _ => p.id,
        };
        send(tx, p.tenant_id, &to, kind, &p.title, &format!("/proposals/{target}"), change).await?;
    }
    Ok(())
}

/// An invited co-signer confirms or declines.
pub async fn answer_invitation(store: &Store, id: Id, delegate_id: Id, confirm: bool, change: &Change) -> Result<()> {
    let p = get(store, id).await?;
    if p.status() != ProposalStatus::Draft {
        return Err(StoreError::conflict("提案已提交,无需再答复", "the proposal is no longer a draft"));
    }
    let state = if confirm { "confirmed" } else { "declined" };
    let mut tx = store.pool.begin().await?;
    let n = q(
        "UPDATE proposal_signers SET state = $1, at_ms = $2 WHERE tenant_id = $3 AND proposal_id = $4 AND delegate_id = $5 AND role = 'cosigner' AND state = 'invited'",
        [state.into(), change.now_ms.into(), p.tenant_id.into(), id.into(), delegate_id.into()],
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::conflict("没有待答复的联名邀请", "there is no open invitation"));
    }
    event(&mut tx, &p, change, if confirm { "cosign" } else { "decline" }, &p.status, Said::default()).await?;
    append(&mut tx, p.tenant_id, change, state, "proposal_signer", Some(id), None, Some(serde_json::json!({"delegate_id": delegate_id}).to_string()))
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn snapshot(store: &Store, p: &Proposal) -> Result<Snapshot> {
    let ss = signers(store, p).await?;
    Ok(Snapshot {
        status: p.status(),
        kind: ProposalKind::from_code(&p.kind).unwrap_or(ProposalKind::Suggestion),
        signers: ss.iter().filter(|s| s.state == "confirmed").count() as u32,
        pending_signers: ss.iter().filter(|s| s.state == "invited").count() as u32,
        has_reason: !p.reason.trim().is_empty(),
        has_grounds: !p.grounds.trim().is_empty(),
        has_solution: !p.solution.trim().is_empty(),
        replies: p.replies as u32,
        deadline_day: p.deadline_day,
        lead_unit: p.lead_unit_id,
    })
}

/// Takes one step. The status the step was decided on is checked again when it is written,
/// so a double submission or two clerks at once cannot both succeed.
pub async fn act(store: &Store, id: Id, part: Part, action: &Action, change: &Change) -> Result<Proposal> {
    let p = get(store, id).await?;
    let body = congress::body(store, p.body_id).await?;
    let settings = settings_of(&body);
    let snap = snapshot(store, &p).await?;
    let today = day_number(change.today());
    let action = match action {
        // the window is the body's, not the caller's to claim
        Action::Submit { .. } => Action::Submit { window_open: body.session_open },
        other => other.clone(),
    };
    let out = decide(&snap, part, &action, today, &settings)?;
    // the units and the merge target must be real and in this tree
    match &action {
        Action::Assign { lead_unit, co_units, .. } | Action::Reassign { lead_unit, co_units, .. } => {
            for u in std::iter::once(lead_unit).chain(co_units.iter()) {
                let o = crate::orgs::get(store, *u)
                    .await
                    .map_err(|_| StoreError::invalid(FieldError::new("lead_unit", "not_found", "承办单位不存在", "no such handling unit")))?;
                if o.tenant_id != p.tenant_id || o.retired_on.is_some() {
                    return Err(StoreError::invalid(FieldError::new(
                        "lead_unit",
                        "other_tree",
                        "承办单位须是本组织内的在用单位",
                        "the unit must be an active organisation of this tree",
                    )));
                }
            }
            if co_units.contains(lead_unit) {
                return Err(StoreError::invalid(FieldError::new(
                    "co_units",
                    "duplicate",
                    "协办单位不能与主办单位相同",
                    "a co-handler cannot be the lead unit",
                )));
            }
        }
        Action::MergeInto { lead } => {
            let target = get(store, *lead)
                .await
                .map_err(|_| StoreError::invalid(FieldError::new("lead", "not_found", "并入的提案不存在", "no such proposal")))?;
            if target.id == p.id || target.body_id != p.body_id || target.status().is_final() || target.merged_into.is_some() {
                return Err(StoreError::invalid(FieldError::new(
                    "lead",
                    "bad_target",
                    "只能并入本大会未办结的另一件",
                    "merge into another open item of the same congress",
                )));
            }
        }
        _ => {}
    }
    let mut tx = store.pool.begin().await?;
    let mut set = Q::new("UPDATE proposals SET ");
    set.push("status = ?, updated_at = ?", [V::T(out.status.code().into()), V::I(change.now_ms)]);
    if let Some(d) = out.deadline_day {
        set.push(", deadline_day = ?", [V::I(d)]);
    }
    if let Some(k) = out.kind {
        set.push(", kind = ?", [V::T(k.code().into())]);
    }
    let mut text: Option<String> = None;
    let (mut result, mut sat): (Option<&str>, Option<&str>) = (None, None);
    match &action {
        Action::Submit { .. } => {
            let year = change.today().year();
            let n = q(
                "SELECT COUNT(*) AS n FROM proposals WHERE tenant_id = $1 AND body_id = $2 AND number LIKE $3",
                [p.tenant_id.into(), p.body_id.into(), format!("{year}-%").into()],
            )
            .fetch_one(&mut *tx)
            .await?
            .i("n");
            set.push(", number = ?, submitted_at = ?", [V::T(format!("{year}-{:03}", n + 1)), V::I(change.now_ms)]);
        }
        Action::ReturnForCompletion { comment } => text = Some(comment.clone()),
        Action::Reject { reason } => {
            text = Some(reason.clone());
            set.push(", closed_at = ?", [V::I(change.now_ms)]);
        }
        Action::MergeInto { lead } => {
            set.push(", merged_into = ?, closed_at = ?", [V::I(*lead), V::I(change.now_ms)]);
            // R-M3: all proposers are kept: this one's signers follow the lead item
            q(
                "INSERT INTO proposal_signers (tenant_id, proposal_id, delegate_id, role, state, at_ms) \
                 SELECT tenant_id, $1, delegate_id, 'merged', 'confirmed', $2 FROM proposal_signers s \
                 WHERE s.tenant_id = $3 AND s.proposal_id = $4 AND s.state = 'confirmed' \
                   AND NOT EXISTS (SELECT 1 FROM proposal_signers x WHERE x.tenant_id = s.tenant_id AND x.proposal_id = $1 AND x.delegate_id = s.delegate_id)",
                [(*lead).into(), change.now_ms.into(), p.tenant_id.into(), p.id.into()],
            )
            .execute(&mut *tx)
            .await?;
            text = Some(format!("→ {lead}"));
        }
        Action::Assign { lead_unit, co_units, .. } | Action::Reassign { lead_unit, co_units, .. } => {
            set.push(", lead_unit_id = ?, assigned_at = ?", [V::I(*lead_unit), V::I(change.now_ms)]);
            q("DELETE FROM proposal_units WHERE tenant_id = $1 AND proposal_id = $2", [p.tenant_id.into(), p.id.into()]).execute(&mut *tx).await?;
            for (u, role) in std::iter::once((*lead_unit, "lead")).chain(co_units.iter().map(|c| (*c, "co"))) {
                q(
                    "INSERT INTO proposal_units (tenant_id, proposal_id, org_id, role) VALUES ($1, $2, $3, $4)",
                    [p.tenant_id.into(), p.id.into(), u.into(), role.into()],
                )
                .execute(&mut *tx)
                .await?;
            }
        }
        Action::RequestReassignment { reason } => text = Some(reason.clone()),
        Action::Progress { note } => text = Some(note.clone()),
        Action::Reply { result: r, text: t } => {
            let on_time = p.deadline_day.map(|d| today <= d).unwrap_or(true);
            set.push(
                ", replies = replies + 1, result = ?, replied_at = ?, replied_on_time = ?",
                [V::T(r.code().into()), V::I(change.now_ms), V::I(i64::from(on_time))],
            );
            text = Some(t.clone());
            result = Some(r.code());
        }
        Action::Rate { satisfaction, comment } => {
            set.push(", satisfaction = ?", [V::T(satisfaction.code().into())]);
            if out.status == ProposalStatus::Closed {
                set.push(", closed_at = ?", [V::I(change.now_ms)]);
            }
            text = comment.clone();
            sat = Some(satisfaction.code());
        }
        _ => {}
    }
    set.push(" WHERE tenant_id = ? AND id = ? AND status = ?", [V::I(p.tenant_id), V::I(p.id), V::T(p.status.clone())]);
    let n = set.build().execute(&mut *tx).await?.rows_affected();
    if n == 0 {
        return Err(StoreError::conflict("此件刚被他人处理,请刷新后再试", "someone else has just acted on this item; reload and try again"));
    }
    event(&mut tx, &p, change, action.code(), out.status.code(), Said { text, result, satisfaction: sat }).await?;
    notify(&mut tx, &p, &action, &out, change).await?;
    if matches!(action, Action::Reply { .. }) {
        // a reply is searchable as soon as it is given
        crate::search::changed(&mut tx, store.backend, p.tenant_id, p.id).await?;
    }
    append(
        &mut tx,
        p.tenant_id,
        change,
        action.code(),
        "proposal",
        Some(p.id),
        Some(p.snapshot_json()),
        Some(serde_json::json!({"status": out.status.code(), "rule": out.rule, "deadline_day": out.deadline_day}).to_string()),
    )
    .await?;
    tx.commit().await?;
    get(store, id).await
}

/// Marks a proposal key (重点提案) or not, and public or not (committee).
pub async fn set_flags(store: &Store, id: Id, key: bool, public: bool, change: &Change) -> Result<Proposal> {
    let p = get(store, id).await?;
    let mut tx = store.pool.begin().await?;
    q(
        "UPDATE proposals SET key_proposal = $1, is_public = $2, updated_at = $3 WHERE tenant_id = $4 AND id = $5",
        [i64::from(key).into(), i64::from(public).into(), change.now_ms.into(), p.tenant_id.into(), id.into()],
    )
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        p.tenant_id,
        change,
        "flags",
        "proposal",
        Some(id),
        Some(p.snapshot_json()),
        Some(serde_json::json!({"key": key, "public": public}).to_string()),
    )
    .await?;
    tx.commit().await?;
    get(store, id).await
}

#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct ProposalFilter {
    pub q: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub unit: Option<Id>,
    /// Only items with a confirmed signer who is this person (a delegate's own).
    pub signer_person: Option<Id>,
    /// Only items assigned to units inside these subtrees (a unit's inbox).
    pub unit_paths: Option<Vec<String>>,
    /// Only public items, or the viewer's own (delegates).
    pub public_or_person: Option<Id>,
    pub overdue_on: Option<i64>,
    /// Drafts are private to their signers; lists of others leave them out.
    pub include_drafts: bool,
    /// Only what the congress made public (the public pages).
    pub public_only: bool,
    /// Only these proposals (the hits of a full-text search).
    pub ids: Option<Vec<Id>>,
    /// Only those of a term (届).
    pub term: Option<Id>,
    /// Only those submitted in a calendar year (China time).
    pub year: Option<i32>,
}

/// The instants (epoch ms) a calendar year of China time spans: [start, end).
pub fn year_span_ms(year: i32) -> Result<(i64, i64)> {
    let day = |y: i32| time::Date::from_calendar_date(y, time::Month::January, 1).map_err(|e| StoreError::Config(e.to_string()));
    let ms = |d: time::Date| crate::day_start_ms(day_number(d));
    Ok((ms(day(year)?), ms(day(year + 1)?)))
}

pub async fn list(store: &Store, body: &Body, f: &ProposalFilter, page: PageReq) -> Result<Page<Proposal>> {
    let mut w = Q::new("");
    w.push(" WHERE pr.tenant_id = ? AND pr.body_id = ?", [V::I(body.tenant_id), V::I(body.id)]);
    let signer_clause = " EXISTS (SELECT 1 FROM proposal_signers s JOIN delegates sd ON sd.tenant_id = s.tenant_id AND sd.id = s.delegate_id \
                          WHERE s.tenant_id = pr.tenant_id AND s.proposal_id = pr.id AND sd.person_id = ? AND s.state <> 'declined')";
    if let Some(person) = f.signer_person {
        w.push(" AND", []).push(signer_clause, [V::I(person)]);
    }
    if let Some(person) = f.public_or_person {
        w.push(" AND (pr.is_public = 1 OR", []).push(signer_clause, [V::I(person)]).push_raw(")");
    }
    if f.public_only {
        w.push_raw(" AND pr.is_public = 1");
    }
    if let Some(ids) = &f.ids {
        w.push_raw(" AND pr.id IN ").push_in(ids);
    }
    if !f.include_drafts && f.signer_person.is_none() {
        w.push_raw(" AND pr.status <> 'draft'");
    }
    if let Some(paths) = &f.unit_paths {
        if paths.is_empty() {
            w.push_raw(" AND 1=0");
        } else {
            w.push_raw(" AND EXISTS (SELECT 1 FROM proposal_units pu JOIN orgs uo ON uo.tenant_id = pu.tenant_id AND uo.id = pu.org_id WHERE pu.tenant_id = pr.tenant_id AND pu.proposal_id = pr.id AND (");
            for (i, p) in paths.iter().enumerate() {
                if i > 0 {
                    w.push_raw(" OR ");
                }
                w.push("uo.path LIKE ?", [V::T(format!("{p}%"))]);
            }
            w.push_raw("))");
        }
    }
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pat = like_pattern(t);
        w.push(
            " AND (pr.title LIKE ? ESCAPE '\\' OR pr.number LIKE ? ESCAPE '\\' OR pp.name LIKE ? ESCAPE '\\')",
            [V::T(pat.clone()), V::T(pat.clone()), V::T(pat)],
        );
    }
    for (col, val) in [(" AND pr.status = ?", &f.status), (" AND pr.kind = ?", &f.kind), (" AND pr.category = ?", &f.category)] {
        if let Some(v) = val.as_deref().filter(|s| !s.is_empty()) {
            w.push(col, [V::T(v.into())]);
        }
    }
    if let Some(u) = f.unit {
        w.push(" AND pr.lead_unit_id = ?", [V::I(u)]);
    }
    if let Some(t) = f.term {
        w.push(" AND pr.term_id = ?", [V::I(t)]);
    }
    if let Some(y) = f.year {
        let (from, to) = year_span_ms(y)?;
        w.push(" AND pr.submitted_at >= ? AND pr.submitted_at < ?", [V::I(from), V::I(to)]);
    }
    if let Some(today) = f.overdue_on {
        w.push(
            " AND pr.status IN ('assigned', 'reassign_requested', 'acknowledged', 'in_progress', 'rehandling') AND pr.deadline_day < ?",
            [V::I(today)],
        );
    }
    let count = Q::head_where(
        "SELECT COUNT(*) AS n FROM proposals pr JOIN delegates pd ON pd.tenant_id = pr.tenant_id AND pd.id = pr.proposer_id \
         JOIN people pp ON pp.tenant_id = pd.tenant_id AND pp.id = pd.person_id",
        &w,
    );
    let total = count.build().fetch_one(&store.pool).await?.i("n");
    let mut sel = Q::head_where(proposal_select!(), &w);
    // a unit's inbox comes by due date; other lists newest first
    if f.unit_paths.is_some() {
        sel.push_raw(" ORDER BY pr.deadline_day IS NULL, pr.deadline_day, pr.id");
    } else {
        sel.push_raw(" ORDER BY pr.created_at DESC, pr.id DESC");
    }
    sel.push(" LIMIT ? OFFSET ?", [V::I(page.per_page), V::I(page.offset())]);
    let items = sel.build().fetch_all(&store.pool).await?.iter().map(Proposal::from_row).collect();
    Ok(Page { items, total, page: page.page, per_page: page.per_page })
}

/// The handling report's figures for a body (optionally one year of submission).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub total: i64,
    pub by_status: Vec<(String, i64)>,
    pub by_kind: Vec<(String, i64)>,
    pub by_category: Vec<(String, i64)>,
    /// (unit name, assigned, replied, on time)
    pub by_unit: Vec<(String, i64, i64, i64)>,
    pub replied: i64,
    pub on_time: i64,
    pub rated: i64,
    pub satisfied: i64,
    pub basic: i64,
    pub unsatisfied: i64,
    pub overdue: i64,
    /// Average days from assignment to (last) reply, in tenths.
    pub avg_days_tenths: i64,
}

/// Which proposals statistics count: those submitted in a calendar year, in a term (届), both
/// or all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
pub struct Period {
    pub year: Option<i32>,
    pub term: Option<Id>,
}

impl Period {
    pub fn year(year: Option<i32>) -> Period {
        Period { year, term: None }
    }
}

pub async fn stats(store: &Store, body: &Body, period: &Period, today: i64) -> Result<Stats> {
    let (from, to) = match period.year {
        Some(y) => year_span_ms(y)?,
        None => (i64::MIN / 2, i64::MAX / 2),
    };
    let mut sql = Q::new(
        "SELECT pr.status, pr.kind, pr.category, pr.satisfaction, pr.replied_on_time, pr.assigned_at, pr.replied_at, pr.deadline_day, u.name AS unit \
         FROM proposals pr LEFT JOIN orgs u ON u.tenant_id = pr.tenant_id AND u.id = pr.lead_unit_id WHERE pr.tenant_id = ",
    );
    sql.push(
        "? AND pr.body_id = ? AND pr.status <> 'draft' AND pr.submitted_at >= ? AND pr.submitted_at < ?",
        [V::I(body.tenant_id), V::I(body.id), V::I(from), V::I(to)],
    );
    if let Some(term) = period.term {
        sql.push(" AND pr.term_id = ?", [V::I(term)]);
    }
    let rows = sql.build().fetch_all(&store.pool).await?;
    let mut s = Stats { total: rows.len() as i64, ..Default::default() };
    let bump = |v: &mut Vec<(String, i64)>, k: String| match v.iter_mut().find(|(x, _)| *x == k) {
        Some((_, n)) => *n += 1,
        None => v.push((k, 1)),
    };
    let (mut days_sum, mut days_n) = (0i64, 0i64);
    for r in &rows {
        let status = r.s("status");
        bump(&mut s.by_status, status.clone());
        bump(&mut s.by_kind, r.s("kind"));
        bump(&mut s.by_category, r.s("category"));
        if let Some(unit) = r.os("unit") {
            let e = match s.by_unit.iter_mut().position(|x| x.0 == unit) {
                Some(i) => i,
                None => {
                    s.by_unit.push((unit, 0, 0, 0));
                    s.by_unit.len() - 1
                }
            };
            s.by_unit[e].1 += 1;
            if r.oi("replied_at").is_some() {
                s.by_unit[e].2 += 1;
                if r.oi("replied_on_time") == Some(1) {
                    s.by_unit[e].3 += 1;
                }
            }
        }
        if let (Some(a), Some(rep)) = (r.oi("assigned_at"), r.oi("replied_at")) {
            s.replied += 1;
            days_sum += (rep - a).max(0);
            days_n += 1;
            if r.oi("replied_on_time") == Some(1) {
                s.on_time += 1;
            }
        }
        match r.os("satisfaction").as_deref() {
            Some("satisfied") => s.satisfied += 1,
            Some("basic") => s.basic += 1,
            Some("unsatisfied") => s.unsatisfied += 1,
            _ => {}
        }
        let st = ProposalStatus::from_code(&status).unwrap_or(ProposalStatus::Draft);
        let snap_overdue = st.is_handling() && r.oi("deadline_day").map(|d| today > d).unwrap_or(false);
        if snap_overdue {
            s.overdue += 1;
        }
    }
    s.rated = s.satisfied + s.basic + s.unsatisfied;
    s.avg_days_tenths = if days_n == 0 { 0 } else { (days_sum * 10 / 86_400_000 + days_n / 2) / days_n };
    for v in [&mut s.by_status, &mut s.by_kind, &mut s.by_category] {
        v.sort_by_key(|x| std::cmp::Reverse(x.1));
    }
    s.by_unit.sort_by_key(|x| std::cmp::Reverse(x.1));
    Ok(s)
}

/// The handling report rolled up a subtree: every congress whose organisation is inside
/// `org_path`, each with its own figures, and the sum.
pub async fn stats_rollup(store: &Store, org_path: &str, year: Option<i32>, today: i64) -> Result<(Vec<(Body, Stats)>, Stats)> {
    let bodies = congress::bodies(store, &[Some(org_path.to_string())]).await?;
    let mut each = Vec::new();
    let mut sum = Stats::default();
    for b in bodies {
        let s = stats(store, &b, &Period::year(year), today).await?;
        sum.total += s.total;
        sum.replied += s.replied;
        sum.on_time += s.on_time;
        sum.rated += s.rated;
        sum.satisfied += s.satisfied;
        sum.basic += s.basic;
        sum.unsatisfied += s.unsatisfied;
        sum.overdue += s.overdue;
        for (k, n) in &s.by_status {
            match sum.by_status.iter_mut().find(|x| &x.0 == k) {
                Some(x) => x.1 += n,
                None => sum.by_status.push((k.clone(), *n)),
            }
        }
        // the average of averages would be wrong: weight each congress by its replies
        sum.avg_days_tenths += s.avg_days_tenths * s.replied;
        each.push((b, s));
    }
    if sum.replied > 0 {
        sum.avg_days_tenths = (sum.avg_days_tenths + sum.replied / 2) / sum.replied;
    }
    sum.by_status.sort_by_key(|x| std::cmp::Reverse(x.1));
    Ok((each, sum))
}

pub use crate::files::Attachment;

pub async fn attachments(store: &Store, p: &Proposal) -> Result<Vec<Attachment>> {
    crate::files::list(&store.pool, p.tenant_id, crate::files::Owner::Proposal, p.id).await
}

/// Adds a file to a proposal that is still open. A text file's words become searchable.
pub async fn attach(store: &Store, id: Id, filename: &str, bytes: Vec<u8>, change: &Change) -> Result<Attachment> {
    let p = get(store, id).await?;
    if p.status().is_final() {
        return Err(StoreError::conflict("已办结或已撤回的不能再添加附件", "nothing can be attached to a finished item"));
    }
    let file = crate::files::check(filename, bytes)?;
    let (name, size) = (file.name.clone(), file.bytes.len() as i64);
    let mut tx = store.pool.begin().await?;
    let attached = crate::files::insert(&mut tx, p.tenant_id, crate::files::Owner::Proposal, id, file, change).await?;
    event(&mut tx, &p, change, "attach", &p.status, Said { text: Some(name.clone()), ..Default::default() }).await?;
    append(&mut tx, p.tenant_id, change, "attach", "proposal", Some(id), None, Some(serde_json::json!({"file": name, "size": size}).to_string()))
        .await?;
    // the text of a document attachment is searchable with the proposal
    crate::search::changed(&mut tx, store.backend, p.tenant_id, id).await?;
    tx.commit().await?;
    Ok(attached)
}

/// One attachment's bytes, with its name and type.
pub async fn attachment_data(store: &Store, p: &Proposal, attachment: Id) -> Result<(String, String, Vec<u8>)> {
    crate::files::data(&store.pool, p.tenant_id, crate::files::Owner::Proposal, p.id, attachment).await
}
