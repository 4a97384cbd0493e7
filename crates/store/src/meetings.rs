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
use crate::intake::{Outcome, Submission};
use crate::{Change, Result, StoreError};
use lianxin_domain::ballot::{
    election_patterns, fingerprint, receipt_code, tally_patterns, Choices, Question, VoteKind, VoteMode, VoteStatus, GRADES,
};
use lianxin_domain::counting::appraisal::{self, AppraisalInput};
use lianxin_domain::counting::decision::{self, DecisionInput, Votes};
use lianxin_domain::counting::election::{self, ElectionRule};
use lianxin_domain::lang::Coded;
use lianxin_domain::meeting::{PaperEntry, Reconciled};
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
    attendance_on(&mut *store.pool.acquire().await?, m).await
}

async fn attendance_on(conn: &mut sqlx::AnyConnection, m: &Meeting) -> Result<Attendance> {
    let mut a = Attendance::default();
    for r in q(
        "SELECT role, status, COUNT(*) AS n FROM meeting_attendees WHERE tenant_id = $1 AND meeting_id = $2 GROUP BY role, status",
        [m.tenant_id.into(), m.id.into()],
    )
    .fetch_all(&mut *conn)
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
    attendance_duty(store, m, delegate, change).await
}

/// Attending without a vote (列席) is a duty of its own (seed 000: "列席 at least six times a
/// year"): a delegate present as a non-voting attendee has an activity of that kind in their
/// duty file, made at check-in and set aside (restorably) if they are no longer so.
async fn attendance_duty(store: &Store, m: &Meeting, delegate: Id, change: &Change) -> Result<()> {
    use lianxin_domain::duty::ActivityInput;
    let Some(r) = q(
        "SELECT role, status, activity_id FROM meeting_attendees WHERE tenant_id = $1 AND meeting_id = $2 AND delegate_id = $3",
        [m.tenant_id.into(), m.id.into(), delegate.into()],
    )
    .fetch_optional(&store.pool)
    .await?
    else {
        return Ok(());
    };
    let counts = r.s("role") == "non_voting" && r.s("status") == "present";
    match (r.oi("activity_id"), counts) {
        (Some(a), keep) => {
            let act = crate::duty::get(store, a).await?;
            if act.deleted_at.is_some() == keep {
                crate::duty::set_removed(store, a, !keep, change).await?;
            }
        }
        (None, true) => {
            let body = crate::congress::body(store, m.body_id).await?;
            let term = crate::congress::term(store, m.term_id).await?;
            let input = ActivityInput {
                kind: "attendance".into(),
                on: m.on_date.clone(),
                place: m.place.clone(),
                summary: format!("列席{}", m.title),
                delegates: vec![delegate],
                ..Default::default()
            };
            // a meeting checked into ahead of its day counts from its day
            let v = input.validate(change.today().max(lianxin_domain::error::parse_date(&m.on_date).unwrap_or(change.today())))?;
            let act = crate::duty::record(store, &body, &term, &v, change).await?;
            q(
                "UPDATE meeting_attendees SET activity_id = $1 WHERE tenant_id = $2 AND meeting_id = $3 AND delegate_id = $4",
                [act.id.into(), m.tenant_id.into(), m.id.into(), delegate.into()],
            )
            .execute(&store.pool)
            .await?;
        }
        (None, false) => {}
    }
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
    /// Paper ballots, entered by two tellers (see [`enter_paper`]).
    pub paper: bool,
    pub status: String,
    /// Set at the close: the tally and, per motion item, the decision.
    pub result: Option<serde_json::Value>,
}

impl Vote {
    pub fn status(&self) -> VoteStatus {
        VoteStatus::from_code(&self.status).unwrap_or(VoteStatus::Draft)
    }
    /// An appraisal's grades, best first, by the scale it was set up with (R-L1: cadres'
    /// 优秀/称职/基本称职/不称职, or members' 优秀/合格/基本合格/不合格).
    pub fn grades(&self) -> [&'static str; 4] {
        serde_json::from_str::<appraisal::AppraisalConfig>(&self.method).map(|c| c.scale.grades()).unwrap_or(GRADES)
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
        paper: r.s("mode") == "paper",
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
pub async fn create_vote(store: &Store, m: &Meeting, title: &str, q_: &Question, method: &str, mode: VoteMode, change: &Change) -> Result<Vote> {
    let secret = mode != VoteMode::Named;
    if q_.kind == VoteKind::Motion && decision::method(method).is_none() {
        return Err(StoreError::invalid(FieldError::new("method", "unknown", "请选择表决规则", "choose the counting rule")));
    }
    // an appraisal keeps its settings (flag and verdict shares) as JSON in `method`
    if q_.kind == VoteKind::Election {
        ElectionRule::parse(method)?;
    }
    if q_.kind == VoteKind::Appraisal && !method.is_empty() && serde_json::from_str::<appraisal::AppraisalConfig>(method).is_err() {
        return Err(StoreError::invalid(FieldError::new("method", "bad_config", "测评设置格式不对", "the appraisal settings are malformed")));
    }
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO votes (tenant_id, id, meeting_id, title, kind, items, max_choices, method, secret, mode, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', $11)",
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
            if mode == VoteMode::Paper { "paper" } else { "electronic" }.into(),
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
        Some(serde_json::json!({"meeting": m.id, "title": title, "mode": mode.code()}).to_string()),
    )
    .await?;
    tx.commit().await?;
    vote(store, id).await
}

/// Opens a vote (from draft).
pub async fn open_vote(store: &Store, v: &Vote, change: &Change) -> Result<Vote> {
    move_status(store, v, "draft", "open", change).await
}

/// Moves a vote on (opening it; the close is `close_vote`).
async fn move_status(store: &Store, v: &Vote, from: &str, to: &str, change: &Change) -> Result<Vote> {
    let mut tx = store.pool.begin().await?;
    let n =
        q("UPDATE votes SET status = $1 WHERE tenant_id = $2 AND id = $3 AND status = $4", [to.into(), v.tenant_id.into(), v.id.into(), from.into()])
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if n == 0 {
        return Err(StoreError::conflict("表决状态已变化,请刷新", "the vote has changed; reload"));
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

/// How many have voted in each of a meeting's votes, in one query (the hall screen asks
/// several times a second).
pub async fn voted_per_vote(store: &Store, m: &Meeting) -> Result<std::collections::HashMap<Id, u64>> {
    Ok(q(
        "SELECT r.vote_id, COUNT(*) AS n FROM vote_roll r JOIN votes v ON v.tenant_id = r.tenant_id AND v.id = r.vote_id \
         WHERE v.tenant_id = $1 AND v.meeting_id = $2 GROUP BY r.vote_id",
        [m.tenant_id.into(), m.id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| (r.i("vote_id"), r.i("n") as u64))
    .collect())
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

/// Casts a delegate's ballot: they must be present with a vote and the vote open. The ballot
/// goes to the store's writer (`intake.rs`), which writes the roll entry and the ballot in one
/// transaction with whatever else is waiting, and answers after the commit; the roll's key
/// refuses a second ballot, whatever the concurrency.
pub async fn cast(store: &Store, v: &Vote, delegate: Id, choices: &Choices, change: &Change) -> Result<Cast> {
    if v.paper {
        return Err(StoreError::conflict("这是纸质投票:请在会场投票箱投票", "this vote is on paper: use the ballot box in the hall"));
    }
    let checked = choices.check(&v.question)?;
    let mut raw = [0u8; 26];
    getrandom::fill(&mut raw).map_err(|e| StoreError::Config(format!("random: {e}")))?;
    let receipt = receipt_code(raw[..10].try_into().unwrap_or([0; 10]));
    let submission = Submission {
        tenant_id: v.tenant_id,
        vote_id: v.id,
        meeting_id: v.meeting_id,
        secret: v.secret,
        delegate,
        key: lianxin_domain::audit::hex(&raw[10..]),
        fingerprint: fingerprint(&receipt),
        choices: checked.canonical(),
        now_ms: change.now_ms,
    };
    match store.intake().submit(submission).await? {
        Outcome::In => Ok(Cast::Receipt(receipt)),
        Outcome::AlreadyIn => Ok(Cast::AlreadyIn),
        Outcome::NotOpen => Err(StoreError::conflict("表决未开始或已结束", "the vote is not open")),
        Outcome::NotEligible => Err(StoreError::conflict("只有已签到、有表决权的代表可以投票", "only delegates present with a vote may vote")),
    }
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
    let stored = v.result.clone().unwrap_or_default();
    let mut again = count(store, v, stored["paper"]["void"].as_u64().unwrap_or(0)).await?;
    // what the tellers entered is part of the record, not recounted from the box
    for k in ["paper", "void", "reason", "reason_zh"] {
        if let Some(x) = stored.get(k) {
            again[k] = x.clone();
        }
    }
    Ok(again)
}

/// The result from stored ballots: the tally and, for a motion, each item's decision.
/// `invalid`: the void paper ballots (never any on phones: a phone ballot is checked before
/// it is taken).
async fn count(store: &Store, v: &Vote, invalid: u64) -> Result<serde_json::Value> {
    let m = get(store, v.meeting_id).await?;
    count_on(&mut *store.pool.acquire().await?, v, &m, invalid).await
}

/// The count on one connection (the close counts inside its own transaction).
async fn count_on(conn: &mut sqlx::AnyConnection, v: &Vote, m: &Meeting, invalid: u64) -> Result<serde_json::Value> {
    // the database groups identical ballots, so a million ballots come back as their patterns
    let patterns: Vec<(String, u64)> =
        q("SELECT choices, COUNT(*) AS n FROM ballots WHERE tenant_id = $1 AND vote_id = $2 GROUP BY choices", [v.tenant_id.into(), v.id.into()])
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| (r.s("choices"), r.i("n") as u64))
            .collect();
    let t = tally_patterns(&v.question, patterns.iter().map(|(c, n)| (c.as_str(), *n)));
    let att = attendance_on(&mut *conn, m).await?;
    if v.question.kind == VoteKind::Election {
        // one count over the whole ballot (R-C2 couples the candidates); void paper ballots go in
        // as void patterns, so they stay in the bases that count them (R-E4)
        let rule = ElectionRule::parse(&v.method)?;
        let mut ballots = election_patterns(&v.question, patterns.iter().map(|(c, n)| (c.as_str(), *n)));
        if invalid > 0 {
            ballots.push(lianxin_domain::counting::election::BallotPattern { count: invalid as i64, void: true, ..Default::default() });
        }
        let present = att.present.max(t.ballots + invalid);
        // the roll still lists those excluded (R-A2); one who came after all is due again
        let lawful = rule.exclusions.iter().filter(|x| x.higher_approved && x.meeting_approved).count() as u64;
        let on_roll = att.expected.max(present + lawful);
        let r = election::count(&rule.input(v.question.max_choices as u64, &v.question.items, on_roll, present, ballots))?;
        let items: Vec<serde_json::Value> = v
            .question
            .items
            .iter()
            .enumerate()
            .map(|(i, c)| serde_json::json!({"item": c, "yes": t.per_item[i][0], "no": t.per_item[i][1], "abstain": t.per_item[i][2]}))
            .collect();
        return Ok(serde_json::json!({"ballots": t.ballots, "expected": att.expected, "present": att.present, "items": items, "election": r}));
    }
    let mut items = Vec::new();
    for (i, item) in v.question.items.iter().enumerate() {
        let [a, b, c, d] = t.per_item[i];
        let row = match v.question.kind {
            VoteKind::Motion => {
                let decided = decision::count(&DecisionInput {
                    method: Some(v.method.clone()),
                    members_expected: Some(att.expected),
                    // every ballot handed in, void ones too, was handed in by someone present
                    present: att.present.max(t.ballots + invalid),
                    votes: Votes { yes: a, no: b, abstain: c, invalid },
                    ..Default::default()
                })?;
                serde_json::json!({"item": item, "yes": a, "no": b, "abstain": c, "decision": decided})
            }
            VoteKind::Choice | VoteKind::Election => serde_json::json!({"item": item, "yes": a}),
            // every form grades every target: the participants are those who handed one in
            VoteKind::Appraisal => {
                let forms = v.grades().iter().zip([a, b, c, d]).map(|(g, n)| (g.to_string(), n)).collect();
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

/// Closes a vote and stores its result, in one transaction: the status (which waits for a
/// batch of ballots being written and turns later ones away), a paper vote's agreed ballots
/// into the box, the count, the box rewritten in key order where the database needs it, the
/// result. A crash leaves the vote open or closed with its result, never closed without one.
pub async fn close_vote(store: &Store, v: &Vote, change: &Change) -> Result<Vote> {
    let live = vote(store, v.id).await?;
    if live.status() != VoteStatus::Open {
        return Err(StoreError::conflict("表决未在进行", "the vote is not open"));
    }
    let paper = if live.paper { Some(agreed(store, &live).await?) } else { None };
    let m = get(store, live.meeting_id).await?;
    let mut tx = store.pool.begin().await?;
    let n = q("UPDATE votes SET status = 'closed' WHERE tenant_id = $1 AND id = $2 AND status = 'open'", [v.tenant_id.into(), v.id.into()])
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::conflict("表决状态已变化,请刷新", "the vote has changed; reload"));
    }
    if let Some((p, _)) = paper.as_ref().filter(|p| !p.1.vote_void) {
        put_paper_ballots(&mut tx, &live, p).await?;
    }
    // counted before the rewrite below, while the box holds no dead rows
    let mut result = count_on(&mut tx, &live, &m, paper.as_ref().map_or(0, |p| p.1.void)).await?;
    if let Some((_, rec)) = &paper {
        result["paper"] = serde_json::json!(rec);
        if rec.vote_void {
            // R-D1: more ballots found than handed out; nothing is counted, the vote is held again
            result["void"] = serde_json::json!(true);
            result["reason_zh"] = serde_json::json!(format!("收回 {} 张,多于发出的 {} 张,表决无效,应重新投票(R-D1)", rec.returned, rec.issued));
            result["reason"] = serde_json::json!(format!(
                "{} ballots returned, more than the {} handed out: the vote is void and is held again (R-D1)",
                rec.returned, rec.issued
            ));
        }
    }
    rewrite_in_key_order(store, &mut tx, &live).await?;
    q("UPDATE votes SET result = $1 WHERE tenant_id = $2 AND id = $3", [result.to_string().into(), v.tenant_id.into(), v.id.into()])
        .execute(&mut *tx)
        .await?;
    append(
        &mut tx,
        v.tenant_id,
        change,
        "closed",
        "vote",
        Some(v.id),
        Some(serde_json::json!({"status": "open"}).to_string()),
        Some(serde_json::json!({"status": "closed"}).to_string()),
    )
    .await?;
    tx.commit().await?;
    // the rewrite left the box's old rows dead: clear them now, not at autovacuum's leisure,
    // so the published list and a recount read only the live ones
    store.vacuum_box();
    vote(store, v.id).await
}

/// A paper vote's agreed ballots, one row each under a random key, no receipt (an empty
/// fingerprint), in key order.
async fn put_paper_ballots(conn: &mut sqlx::AnyConnection, v: &Vote, p: &PaperEntry) -> Result<()> {
    let mut rows: Vec<(String, [V; 6])> = Vec::new();
    for (choices, n) in &p.patterns {
        for _ in 0..*n {
            let mut raw = [0u8; 16];
            getrandom::fill(&mut raw).map_err(|e| StoreError::Config(format!("random: {e}")))?;
            let key = lianxin_domain::audit::hex(&raw);
            rows.push((key.clone(), [v.tenant_id.into(), v.id.into(), key.into(), "".into(), choices.as_str().into(), V::OI(None)]));
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let rows: Vec<[V; 6]> = rows.into_iter().map(|r| r.1).collect();
    crate::db::insert_rows(conn, "INSERT INTO ballots (tenant_id, vote_id, id, fingerprint, choices, voter_id) VALUES", &rows, 100).await
}

/// PostgreSQL's heap keeps the order rows came in: rewrite the box and the roll in key order,
/// inside the database, so no physical order is left to match (SQLite keeps both `WITHOUT
/// ROWID`, in key order already). Dead rows stay until vacuum (see the module's note).
async fn rewrite_in_key_order(store: &Store, conn: &mut sqlx::AnyConnection, v: &Vote) -> Result<()> {
    if store.backend != crate::db::Backend::Postgres {
        return Ok(());
    }
    for sql in [
        "WITH moved AS (DELETE FROM ballots WHERE tenant_id = $1 AND vote_id = $2 RETURNING *) \
         INSERT INTO ballots (tenant_id, vote_id, id, fingerprint, choices, voter_id) \
         SELECT tenant_id, vote_id, id, fingerprint, choices, voter_id FROM moved ORDER BY id",
        "WITH moved AS (DELETE FROM vote_roll WHERE tenant_id = $1 AND vote_id = $2 RETURNING *) \
         INSERT INTO vote_roll (tenant_id, vote_id, delegate_id) SELECT tenant_id, vote_id, delegate_id FROM moved ORDER BY delegate_id",
    ] {
        q(sql, [v.tenant_id.into(), v.id.into()]).execute(&mut *conn).await?;
    }
    Ok(())
}

/// One teller's entry of a paper vote.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PaperSlot {
    /// `a` (first entry) or `b` (second).
    pub slot: String,
    pub teller_id: Option<Id>,
    pub teller_name: String,
    pub entry: PaperEntry,
    pub entered_at: i64,
}

/// The tellers' entries of a paper vote, first then second.
pub async fn paper_entries(store: &Store, v: &Vote) -> Result<Vec<PaperSlot>> {
    Ok(q("SELECT * FROM paper_entries WHERE tenant_id = $1 AND vote_id = $2 ORDER BY entry", [v.tenant_id.into(), v.id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| PaperSlot {
            slot: r.s("entry"),
            teller_id: r.oi("teller_id"),
            teller_name: r.s("teller_name"),
            entry: serde_json::from_str(&r.s("data")).unwrap_or_default(),
            entered_at: r.i("entered_at"),
        })
        .collect())
}

/// A teller enters the paper ballots of an open paper vote: the first teller's entry, or the
/// second teller's, made without seeing the first (double entry); a teller may correct their
/// own entry, never the other's. Returns where the two entries differ (empty when they agree,
/// or while there is one).
pub async fn enter_paper(store: &Store, v: &Vote, teller_id: Id, entry: &PaperEntry, change: &Change) -> Result<Vec<String>> {
    if !v.paper {
        return Err(StoreError::conflict("这不是纸质投票", "this vote is not on paper"));
    }
    let live = vote(store, v.id).await?;
    if live.status() != VoteStatus::Open {
        return Err(StoreError::conflict(
            "投票开始后、计票结束前才能录入纸质选票",
            "paper ballots are entered while the vote is open, before the count",
        ));
    }
    let (entry, _) = entry.reconcile(&v.question)?;
    let slots = paper_entries(store, v).await?;
    let mine = slots.iter().find(|s| s.teller_id == Some(teller_id));
    let slot = match (mine, slots.len()) {
        (Some(s), _) => s.slot.clone(),
        (None, 0) => "a".to_string(),
        (None, 1) => if slots[0].slot == "a" { "b" } else { "a" }.to_string(),
        _ => return Err(StoreError::conflict("两位计票人都已录入", "both tellers have entered their counts")),
    };
    let data = serde_json::to_string(&entry).unwrap_or_default();
    let mut tx = store.pool.begin().await?;
    q(
        "DELETE FROM paper_entries WHERE tenant_id = $1 AND vote_id = $2 AND entry = $3 AND teller_id = $4",
        [v.tenant_id.into(), v.id.into(), slot.as_str().into(), teller_id.into()],
    )
    .execute(&mut *tx)
    .await?;
    q(
        "INSERT INTO paper_entries (tenant_id, vote_id, entry, teller_id, teller_name, data, entered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            v.tenant_id.into(),
            v.id.into(),
            slot.as_str().into(),
            teller_id.into(),
            change.actor_name.as_str().into(),
            data.as_str().into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)
    .map_err(|e| {
        if e.is_unique_violation() {
            StoreError::conflict("另一位计票人刚刚录入,请刷新", "the other teller has just entered: reload")
        } else {
            e
        }
    })?;
    append(
        &mut tx,
        v.tenant_id,
        change,
        "paper_entry",
        "vote",
        Some(v.id),
        None,
        Some(serde_json::json!({"entry": slot, "count": entry}).to_string()),
    )
    .await?;
    tx.commit().await?;
    let other = slots.iter().find(|s| s.slot != slot);
    Ok(other.map(|o| entry.differences(&o.entry)).unwrap_or_default())
}

/// The tellers' agreed count: two entries by two tellers, equal pile by pile.
async fn agreed(store: &Store, v: &Vote) -> Result<(PaperEntry, Reconciled)> {
    let slots = paper_entries(store, v).await?;
    if slots.len() < 2 {
        return Err(StoreError::conflict("两位计票人分别录入后才能计票", "two tellers must each enter the count first"));
    }
    let diff = slots[0].entry.differences(&slots[1].entry);
    if !diff.is_empty() {
        return Err(StoreError::conflict(
            format!("两次录入不一致,请核对后更正:{}", diff.join(";")),
            format!("the two entries differ; check and correct: {}", diff.join("; ")),
        ));
    }
    Ok(slots[0].entry.reconcile(&v.question)?)
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

/// Every person appraised at the body's meetings, with each closed appraisal's verdict in date
/// order (R-L2: two 不称职 in a row end a village or residents' committee member's office; the
/// verdict share is the appraisal's own setting).
pub async fn appraisal_history(store: &Store, body: &Body) -> Result<std::collections::BTreeMap<String, Vec<appraisal::Verdict>>> {
    let rows = q(
        "SELECT v.title, v.result, m.on_date FROM votes v JOIN meetings m ON m.tenant_id = v.tenant_id AND m.id = v.meeting_id \
         WHERE v.tenant_id = $1 AND m.body_id = $2 AND v.kind = 'appraisal' AND v.status = 'closed' ORDER BY m.on_date, v.created_at",
        [body.tenant_id.into(), body.id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    let mut out: std::collections::BTreeMap<String, Vec<appraisal::Verdict>> = Default::default();
    for r in &rows {
        let Some(result) = r.os("result").and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok()) else { continue };
        for item in result["items"].as_array().into_iter().flatten() {
            let Some(name) = item["item"].as_str() else { continue };
            out.entry(name.to_string()).or_default().push(appraisal::Verdict {
                on: r.s("on_date"),
                appraisal: r.s("title"),
                buchengzhi: item["appraisal"]["verdict_buchengzhi"].as_bool().unwrap_or(false),
            });
        }
    }
    Ok(out)
}
