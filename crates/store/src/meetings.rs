//! Meetings, attendance and secret votes (issue 5). See `lianxin_domain::ballot` for what a
//! ballot is and why it stays secret; here is how the database keeps it so:
//!
//! - `vote_roll` records *that* a delegate voted (its key makes a second ballot impossible,
//!   whatever the concurrency); it has no time and no choice.
//! - `ballots` hold the choices and the receipt's fingerprint under a random key, no voter (for
//!   a secret vote), no time. On SQLite both tables are `WITHOUT ROWID`, so rows lie in key
//!   order (random for ballots, by delegate for the roll), never in the order of voting. On
//!   PostgreSQL the heap keeps insertion order while a vote is open (visible only to a database
//!   administrator through `ctid`); closing rewrites both tables' rows in key order.
//! - Results are computed at the close, from the stored ballots, by the counting engine.

use crate::audit::append;
use crate::congress::{Body, Term};
use crate::db::{q, RowExt, Store, V};
use crate::ids::new_id;
use crate::{Change, Result, StoreError};
use lianxin_domain::ballot::{fingerprint, receipt_code, tally, Choices, Question, VoteKind, VoteStatus, GRADES};
use lianxin_domain::counting::appraisal::{self, AppraisalInput};
use lianxin_domain::counting::decision::{self, DecisionInput, Votes};
use lianxin_domain::lang::Coded;
use lianxin_domain::{FieldError, Id};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Meeting {
    pub tenant_id: Id,
    pub id: Id,
    pub body_id: Id,
    pub term_id: Id,
    pub kind: String,
    pub title: String,
    pub on_date: String,
    pub place: String,
    /// The secret in the door QR code: checking in with it shows one was at the door.
    #[serde(skip)]
    pub checkin_token: String,
    pub created_at: i64,
}

fn meeting_of(r: &sqlx::any::AnyRow) -> Meeting {
    Meeting {
        tenant_id: r.i("tenant_id"),
        id: r.i("id"),
        body_id: r.i("body_id"),
        term_id: r.i("term_id"),
        kind: r.s("kind"),
        title: r.s("title"),
        on_date: r.s("on_date"),
        place: r.s("place"),
        checkin_token: r.s("checkin_token"),
        created_at: r.i("created_at"),
    }
}

pub const KINDS: &[(&str, &str, &str)] = &[
    ("annual", "年会", "Annual meeting"),
    ("plenary", "全委会", "Plenary"),
    ("committee", "常委会/委员会会议", "Committee meeting"),
    ("group", "代表小组会议", "Group meeting"),
    ("hearing", "听证会", "Hearing"),
];

pub async fn get(store: &Store, id: Id) -> Result<Meeting> {
    let r = q("SELECT * FROM meetings WHERE id = $1", [id.into()]).fetch_optional(&store.pool).await?.ok_or_else(StoreError::not_found)?;
    Ok(meeting_of(&r))
}

pub async fn list(store: &Store, body: &Body) -> Result<Vec<Meeting>> {
    Ok(q("SELECT * FROM meetings WHERE tenant_id = $1 AND body_id = $2 ORDER BY on_date DESC, id DESC", [body.tenant_id.into(), body.id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(meeting_of)
        .collect())
}

/// What the office writes to plan a meeting.
#[derive(Debug, Clone, Default)]
pub struct MeetingInput {
    pub kind: String,
    pub title: String,
    /// ISO date.
    pub on: String,
    pub place: String,
}

/// Plans a meeting; every active delegate of the term is expected, with a vote.
pub async fn create(store: &Store, body: &Body, term: &Term, input: &MeetingInput, change: &Change) -> Result<Meeting> {
    let (kind, on, place) = (input.kind.as_str(), input.on.as_str(), input.place.as_str());
    let mut errs = Vec::new();
    if !KINDS.iter().any(|k| k.0 == kind) {
        errs.push(FieldError::new("kind", "unknown", "请选择会议类型", "choose the kind of meeting"));
    }
    let title = input.title.trim();
    if !(2..=120).contains(&title.chars().count()) {
        errs.push(FieldError::new("title", "length", "会议名称须为 2 至 120 个字", "the title takes 2 to 120 characters"));
    }
    if lianxin_domain::error::parse_date(on).is_none() {
        errs.push(FieldError::new("on", "bad_date", "日期格式应为 2026-11-22", "dates look like 2026-11-22"));
    }
    if !errs.is_empty() {
        return Err(StoreError::Domain(lianxin_domain::DomainError::Invalid(errs)));
    }
    let id = new_id(change.now_ms);
    let mut raw = [0u8; 10];
    getrandom::fill(&mut raw).map_err(|e| StoreError::Config(format!("random: {e}")))?;
    let token = lianxin_domain::audit::hex(&raw);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO meetings (tenant_id, id, body_id, term_id, kind, title, on_date, place, checkin_token, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        [
            body.tenant_id.into(),
            id.into(),
            body.id.into(),
            term.id.into(),
            kind.into(),
            title.into(),
            on.into(),
            place.trim().into(),
            token.as_str().into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    q(
        "INSERT INTO meeting_attendees (tenant_id, meeting_id, delegate_id, role, status, note) \
         SELECT tenant_id, $1, id, 'voting', 'expected', '' FROM delegates WHERE tenant_id = $2 AND term_id = $3 AND status = 'active'",
        [id.into(), term.tenant_id.into(), term.id.into()],
    )
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        body.tenant_id,
        change,
        "create",
        "meeting",
        Some(id),
        None,
        Some(serde_json::json!({"kind": kind, "title": title, "on": on}).to_string()),
    )
    .await?;
    tx.commit().await?;
    get(store, id).await
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Attendee {
    pub delegate_id: Id,
    pub name: String,
    /// voting, non_voting (列席), observer
    pub role: String,
    /// expected, present, leave
    pub status: String,
    pub note: String,
}

pub async fn attendees(store: &Store, m: &Meeting) -> Result<Vec<Attendee>> {
    Ok(q(
        "SELECT a.delegate_id, p.name, a.role, a.status, a.note FROM meeting_attendees a \
         JOIN delegates d ON d.tenant_id = a.tenant_id AND d.id = a.delegate_id JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id \
         WHERE a.tenant_id = $1 AND a.meeting_id = $2 ORDER BY p.name, a.delegate_id",
        [m.tenant_id.into(), m.id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| Attendee { delegate_id: r.i("delegate_id"), name: r.s("name"), role: r.s("role"), status: r.s("status"), note: r.s("note") })
    .collect())
}

/// Who is expected with a vote, and who of them is present.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Default)]
pub struct Attendance {
    pub expected: u64,
    pub present: u64,
    pub leave: u64,
    pub non_voting_present: u64,
}

pub async fn attendance(store: &Store, m: &Meeting) -> Result<Attendance> {
    let mut a = Attendance::default();
    for r in q(
        "SELECT role, status, COUNT(*) AS n FROM meeting_attendees WHERE tenant_id = $1 AND meeting_id = $2 GROUP BY role, status",
        [m.tenant_id.into(), m.id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    {
        let n = r.i("n") as u64;
        match (r.s("role").as_str(), r.s("status").as_str()) {
            ("voting", s) => {
                a.expected += n;
                match s {
                    "present" => a.present += n,
                    "leave" => a.leave += n,
                    _ => {}
                }
            }
            (_, "present") => a.non_voting_present += n,
            _ => {}
        }
    }
    Ok(a)
}

/// Marks a delegate present (checked in), on leave (with the reason) or expected again; or
/// sets their role. The clerk does this; a delegate checks in with the door code.
pub async fn set_attendance(store: &Store, m: &Meeting, delegate: Id, status: &str, role: Option<&str>, note: &str, change: &Change) -> Result<()> {
    if !["expected", "present", "leave"].contains(&status) || role.is_some_and(|r| !["voting", "non_voting", "observer"].contains(&r)) {
        return Err(StoreError::invalid(FieldError::new("status", "unknown", "未知的出席状态", "unknown attendance status")));
    }
    if status == "leave" && note.trim().is_empty() {
        return Err(StoreError::invalid(FieldError::new("note", "required", "请假须写明事由", "a leave of absence needs a reason")));
    }
    let mut tx = store.pool.begin().await?;
    let n = q(
        "UPDATE meeting_attendees SET status = $1, note = $2, role = COALESCE($3, role), checked_in_at = $4, checked_in_by = $5 \
         WHERE tenant_id = $6 AND meeting_id = $7 AND delegate_id = $8",
        [
            status.into(),
            note.trim().into(),
            role.into(),
            V::OI((status == "present").then_some(change.now_ms)),
            change.actor_name.as_str().into(),
            m.tenant_id.into(),
            m.id.into(),
            delegate.into(),
        ],
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        // a delegate not on the list (added later to the term) is added as they arrive
        let ok = q(
            "SELECT COUNT(*) AS n FROM delegates WHERE tenant_id = $1 AND term_id = $2 AND id = $3",
            [m.tenant_id.into(), m.term_id.into(), delegate.into()],
        )
        .fetch_one(&mut *tx)
        .await?
        .i("n");
        if ok == 0 {
            return Err(StoreError::invalid(FieldError::new("delegate", "other_term", "不是本届代表", "not a delegate of this term")));
        }
        q(
            "INSERT INTO meeting_attendees (tenant_id, meeting_id, delegate_id, role, status, note, checked_in_at, checked_in_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            [
                m.tenant_id.into(),
                m.id.into(),
                delegate.into(),
                role.unwrap_or("voting").into(),
                status.into(),
                note.trim().into(),
                V::OI((status == "present").then_some(change.now_ms)),
                change.actor_name.as_str().into(),
            ],
        )
        .execute(&mut *tx)
        .await?;
    }
    append(
        &mut tx,
        m.tenant_id,
        change,
        "attendance",
        "meeting",
        Some(m.id),
        None,
        Some(serde_json::json!({"delegate": delegate, "status": status, "role": role}).to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Vote {
    pub tenant_id: Id,
    pub id: Id,
    pub meeting_id: Id,
    pub title: String,
    pub question: Question,
    /// The counting method of a motion (a preset of `counting::decision`); for an appraisal,
    /// its `AppraisalConfig` as JSON (empty: no flag or verdict share).
    pub method: String,
    pub secret: bool,
    pub status: String,
    /// Set at the close: the tally and, per motion item, the decision.
    pub result: Option<serde_json::Value>,
}

impl Vote {
    pub fn status(&self) -> VoteStatus {
        VoteStatus::from_code(&self.status).unwrap_or(VoteStatus::Draft)
    }
}

fn vote_of(r: &sqlx::any::AnyRow) -> Vote {
    let kind = VoteKind::from_code(&r.s("kind")).unwrap_or(VoteKind::Motion);
    Vote {
        tenant_id: r.i("tenant_id"),
        id: r.i("id"),
        meeting_id: r.i("meeting_id"),
        title: r.s("title"),
        question: Question { kind, items: serde_json::from_str(&r.s("items")).unwrap_or_default(), max_choices: r.i("max_choices") as usize },
        method: r.s("method"),
        secret: r.i("secret") == 1,
        status: r.s("status"),
        result: r.os("result").and_then(|s| serde_json::from_str(&s).ok()),
    }
}

pub async fn vote(store: &Store, id: Id) -> Result<Vote> {
    let r = q("SELECT * FROM votes WHERE id = $1", [id.into()]).fetch_optional(&store.pool).await?.ok_or_else(StoreError::not_found)?;
    Ok(vote_of(&r))
}

pub async fn votes(store: &Store, m: &Meeting) -> Result<Vec<Vote>> {
    Ok(q("SELECT * FROM votes WHERE tenant_id = $1 AND meeting_id = $2 ORDER BY created_at, id", [m.tenant_id.into(), m.id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(vote_of)
        .collect())
}

/// Adds a vote to a meeting (not yet open).
pub async fn create_vote(store: &Store, m: &Meeting, title: &str, q_: &Question, method: &str, secret: bool, change: &Change) -> Result<Vote> {
    if q_.kind == VoteKind::Motion && decision::method(method).is_none() {
        return Err(StoreError::invalid(FieldError::new("method", "unknown", "请选择表决规则", "choose the counting rule")));
    }
    // an appraisal keeps its settings (flag and verdict shares) as JSON in `method`
    if q_.kind == VoteKind::Appraisal && !method.is_empty() && serde_json::from_str::<appraisal::AppraisalConfig>(method).is_err() {
        return Err(StoreError::invalid(FieldError::new("method", "bad_config", "测评设置格式不对", "the appraisal settings are malformed")));
    }
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO votes (tenant_id, id, meeting_id, title, kind, items, max_choices, method, secret, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10)",
        [
            m.tenant_id.into(),
            id.into(),
            m.id.into(),
            title.into(),
            q_.kind.code().into(),
            serde_json::to_string(&q_.items).unwrap_or_default().into(),
            (q_.max_choices as i64).into(),
            method.into(),
            i64::from(secret).into(),
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
        "vote",
        Some(id),
        None,
        Some(serde_json::json!({"meeting": m.id, "title": title, "secret": secret}).to_string()),
    )
    .await?;
    tx.commit().await?;
    vote(store, id).await
}

/// Opens a vote (from draft).
pub async fn open_vote(store: &Store, v: &Vote, change: &Change) -> Result<Vote> {
    move_status(store, v, "draft", "open", None, change).await
}

async fn move_status(store: &Store, v: &Vote, from: &str, to: &str, result: Option<String>, change: &Change) -> Result<Vote> {
    let mut tx = store.pool.begin().await?;
    let n = q(
        "UPDATE votes SET status = $1, result = COALESCE($2, result) WHERE tenant_id = $3 AND id = $4 AND status = $5",
        [to.into(), result.into(), v.tenant_id.into(), v.id.into(), from.into()],
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::conflict("表决状态已变化,请刷新", "the vote has changed; reload"));
    }
    if to == "closed" {
        // rewrite the box and the roll in key order, so no physical order is left to match
        for (select, delete, insert) in [
            (
                "SELECT id AS k, fingerprint, choices, voter_id FROM ballots WHERE tenant_id = $1 AND vote_id = $2 ORDER BY id",
                "DELETE FROM ballots WHERE tenant_id = $1 AND vote_id = $2",
                true,
            ),
            (
                "SELECT delegate_id FROM vote_roll WHERE tenant_id = $1 AND vote_id = $2 ORDER BY delegate_id",
                "DELETE FROM vote_roll WHERE tenant_id = $1 AND vote_id = $2",
                false,
            ),
        ] {
            let rows = q(select, [v.tenant_id.into(), v.id.into()]).fetch_all(&mut *tx).await?;
            q(delete, [v.tenant_id.into(), v.id.into()]).execute(&mut *tx).await?;
            for r in rows {
                if insert {
                    q(
                        "INSERT INTO ballots (tenant_id, vote_id, id, fingerprint, choices, voter_id) VALUES ($1, $2, $3, $4, $5, $6)",
                        [v.tenant_id.into(), v.id.into(), r.s("k").into(), r.s("fingerprint").into(), r.s("choices").into(), r.oi("voter_id").into()],
                    )
                    .execute(&mut *tx)
                    .await?;
                } else {
                    q(
                        "INSERT INTO vote_roll (tenant_id, vote_id, delegate_id) VALUES ($1, $2, $3)",
                        [v.tenant_id.into(), v.id.into(), r.i("delegate_id").into()],
                    )
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
    }
    append(
        &mut tx,
        v.tenant_id,
        change,
        to,
        "vote",
        Some(v.id),
        Some(serde_json::json!({"status": from}).to_string()),
        Some(serde_json::json!({"status": to}).to_string()),
    )
    .await?;
    tx.commit().await?;
    vote(store, v.id).await
}

/// How far an open vote is: ballots in, of those who may vote (present with a vote).
pub async fn progress(store: &Store, v: &Vote) -> Result<(u64, u64)> {
    let m = get(store, v.meeting_id).await?;
    Ok((voted(store, v).await?, attendance(store, &m).await?.present))
}

/// How many have voted (the roll's size).
pub async fn voted(store: &Store, v: &Vote) -> Result<u64> {
    Ok(q("SELECT COUNT(*) AS n FROM vote_roll WHERE tenant_id = $1 AND vote_id = $2", [v.tenant_id.into(), v.id.into()])
        .fetch_one(&store.pool)
        .await?
        .i("n") as u64)
}

pub async fn has_voted(store: &Store, v: &Vote, delegate: Id) -> Result<bool> {
    Ok(q(
        "SELECT COUNT(*) AS n FROM vote_roll WHERE tenant_id = $1 AND vote_id = $2 AND delegate_id = $3",
        [v.tenant_id.into(), v.id.into(), delegate.into()],
    )
    .fetch_one(&store.pool)
    .await?
    .i("n")
        > 0)
}

/// What casting answered: the receipt, or that this delegate's ballot is already in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cast {
    Receipt(String),
    AlreadyIn,
}

/// Casts a delegate's ballot: they must be present with a vote and the vote open. The roll
/// entry and the ballot are written in one transaction; the roll's key refuses a second.
pub async fn cast(store: &Store, v: &Vote, delegate: Id, choices: &Choices, change: &Change) -> Result<Cast> {
    let checked = choices.check(&v.question)?;
    let live = vote(store, v.id).await?;
    if live.status() != VoteStatus::Open {
        return Err(StoreError::conflict("表决未开始或已结束", "the vote is not open"));
    }
    let role = q(
        "SELECT role, status FROM meeting_attendees WHERE tenant_id = $1 AND meeting_id = $2 AND delegate_id = $3",
        [v.tenant_id.into(), v.meeting_id.into(), delegate.into()],
    )
    .fetch_optional(&store.pool)
    .await?;
    match role {
        Some(r) if r.s("role") == "voting" && r.s("status") == "present" => {}
        _ => return Err(StoreError::conflict("只有已签到、有表决权的代表可以投票", "only delegates present with a vote may vote")),
    }
    if has_voted(store, v, delegate).await? {
        return Ok(Cast::AlreadyIn);
    }
    let mut raw = [0u8; 26];
    getrandom::fill(&mut raw).map_err(|e| StoreError::Config(format!("random: {e}")))?;
    let receipt = receipt_code(raw[..10].try_into().unwrap_or([0; 10]));
    let key = lianxin_domain::audit::hex(&raw[10..]);
    let mut tx = store.pool.begin().await?;
    // lock the vote first: a close waits for this ballot, or this ballot sees the close
    let open = q("UPDATE votes SET status = status WHERE tenant_id = $1 AND id = $2 AND status = 'open'", [v.tenant_id.into(), v.id.into()])
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if open == 0 {
        return Err(StoreError::conflict("表决已结束", "the vote has closed"));
    }
    let rolled = q("INSERT INTO vote_roll (tenant_id, vote_id, delegate_id) VALUES ($1, $2, $3)", [v.tenant_id.into(), v.id.into(), delegate.into()])
        .execute(&mut *tx)
        .await;
    if let Err(e) = rolled {
        let e = StoreError::from(e);
        return if e.is_unique_violation() { Ok(Cast::AlreadyIn) } else { Err(e) };
    }
    q(
        "INSERT INTO ballots (tenant_id, vote_id, id, fingerprint, choices, voter_id) VALUES ($1, $2, $3, $4, $5, $6)",
        [
            v.tenant_id.into(),
            v.id.into(),
            key.into(),
            fingerprint(&receipt).into(),
            checked.canonical().into(),
            V::OI((!v.secret).then_some(delegate)),
        ],
    )
    .execute(&mut *tx)
    .await?;
    // the audit names the vote, never the voter of a secret ballot
    let who = if v.secret { serde_json::json!({"vote": v.id}) } else { serde_json::json!({"vote": v.id, "delegate": delegate}) };
    let anonymous =
        Change { actor_id: None, actor_name: if v.secret { "投票人 / voter".into() } else { change.actor_name.clone() }, now_ms: change.now_ms };
    append(&mut tx, v.tenant_id, if v.secret { &anonymous } else { change }, "cast", "vote", Some(v.id), None, Some(who.to_string())).await?;
    tx.commit().await?;
    Ok(Cast::Receipt(receipt))
}

/// The stored ballots' choices.
async fn box_of(store: &Store, v: &Vote) -> Result<Vec<(String, String, Option<Id>)>> {
    Ok(q("SELECT fingerprint, choices, voter_id FROM ballots WHERE tenant_id = $1 AND vote_id = $2 ORDER BY id", [v.tenant_id.into(), v.id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| (r.s("fingerprint"), r.s("choices"), r.oi("voter_id")))
        .collect())
}

/// An auditor's recount from the published ballots (after the close); it must equal the
/// stored result.
pub async fn recount(store: &Store, v: &Vote) -> Result<serde_json::Value> {
    if v.status() != VoteStatus::Closed {
        return Err(StoreError::conflict("表决结束后才能计票", "ballots are counted once the vote closes"));
    }
    count(store, v).await
}

/// The result from stored ballots: the tally and, for a motion, each item's decision.
async fn count(store: &Store, v: &Vote) -> Result<serde_json::Value> {
    let ballots = box_of(store, v).await?;
    let t = tally(&v.question, ballots.iter().map(|b| b.1.as_str()));
    let m = get(store, v.meeting_id).await?;
    let att = attendance(store, &m).await?;
    let mut items = Vec::new();
    for (i, item) in v.question.items.iter().enumerate() {
        let [a, b, c, d] = t.per_item[i];
        let row = match v.question.kind {
            VoteKind::Motion => {
                let decided = decision::count(&DecisionInput {
                    method: Some(v.method.clone()),
                    members_expected: Some(att.expected),
                    present: att.present.max(t.ballots),
                    votes: Votes { yes: a, no: b, abstain: c, invalid: 0 },
                    ..Default::default()
                })?;
                serde_json::json!({"item": item, "yes": a, "no": b, "abstain": c, "decision": decided})
            }
            VoteKind::Choice => serde_json::json!({"item": item, "yes": a}),
            // every form grades every target: the participants are those who handed one in
            VoteKind::Appraisal => {
                let forms = GRADES.iter().zip([a, b, c, d]).map(|(g, n)| (g.to_string(), n)).collect();
                let config = serde_json::from_str(&v.method).unwrap_or_default();
                let appraised =
                    appraisal::count(&AppraisalInput { participants: t.ballots, forms, target: Some(item.clone()), config, ..Default::default() })?;
                serde_json::json!({"item": item, "counts": [a, b, c, d], "appraisal": appraised})
            }
        };
        items.push(row);
    }
    Ok(serde_json::json!({"ballots": t.ballots, "expected": att.expected, "present": att.present, "items": items}))
}

/// Closes a vote and stores its result.
pub async fn close_vote(store: &Store, v: &Vote, change: &Change) -> Result<Vote> {
    let live = vote(store, v.id).await?;
    if live.status() != VoteStatus::Open {
        return Err(StoreError::conflict("表决未在进行", "the vote is not open"));
    }
    // first stop new ballots, then count what is in the box
    let closed = move_status(store, &live, "open", "closed", None, change).await?;
    let result = count(store, &closed).await?;
    q("UPDATE votes SET result = $1 WHERE tenant_id = $2 AND id = $3", [result.to_string().into(), v.tenant_id.into(), v.id.into()])
        .execute(&store.pool)
        .await?;
    vote(store, v.id).await
}

/// The published box after the close: (fingerprint, choices, the voter for a named vote).
pub async fn published(store: &Store, v: &Vote) -> Result<Vec<(String, String, Option<Id>)>> {
    if v.status() != VoteStatus::Closed {
        return Err(StoreError::conflict("表决结束后才公布选票", "ballots are published once the vote closes"));
    }
    box_of(store, v).await
}

/// A voter's check: the ballot their receipt fingerprints, after the close.
pub async fn find_receipt(store: &Store, v: &Vote, receipt: &str) -> Result<Option<String>> {
    if v.status() != VoteStatus::Closed {
        return Err(StoreError::conflict("表决结束后才能核对", "receipts can be checked once the vote closes"));
    }
    Ok(q(
        "SELECT choices FROM ballots WHERE tenant_id = $1 AND vote_id = $2 AND fingerprint = $3",
        [v.tenant_id.into(), v.id.into(), fingerprint(receipt).into()],
    )
    .fetch_optional(&store.pool)
    .await?
    .map(|r| r.s("choices")))
}
