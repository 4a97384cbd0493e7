//! Elections (issue 6), recorded: define the posts → take nominations (counted per source) →
//! review them → publish the candidate list for public notice (checked against the slate
//! rule, R-H) → vote in rounds → count by the engine (`lianxin_domain::counting::election`)
//! → the next round the result asks for (R-D2, R-F2, R-G) or a recorded reduction of seats
//! (R-G1) → announce: the elected join the term's roster in one transaction.
//!
//! A round on phones is a vote of kind `election` at the election's meeting, so it has the
//! ballot box's secrecy and its receipts; a paper round keeps the tellers' counting request
//! (typed counts and the tally sheet's patterns) and is counted at once.

use crate::audit::append;
use crate::congress::{self, Body, Term};
use crate::db::{q, RowExt, Store, V};
use crate::ids::new_id;
use crate::meetings::{self, Meeting, Vote};
use crate::{Change, Result, StoreError};
use lianxin_domain::ballot::{Question, VoteKind, VoteMode, VoteStatus};
use lianxin_domain::congress::{CommitteePost, DelegateInput};
use lianxin_domain::counting::election::{self, BallotPattern, ElectionInput, ElectionOptions, ElectionResult, ElectionRule, Exclusion, Round};
use lianxin_domain::counting::two_ballot::{self, TrustVote, TwoBallotInput, TwoBallotResult};
use lianxin_domain::election::{
    check_reduction, check_slate, check_targets, next, CompositionTarget, ElectionStatus, ExclusionGround, Next, NominationSource, NominationStatus,
    PostOrder, ReductionApproval, RoundKind, RoundMode, TargetCheck,
};
use lianxin_domain::lang::Coded;
use lianxin_domain::{FieldError, Id};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who the elected become: committee members (by post) or delegates of the term.
pub const TARGETS: &[&str] = &["committee", "delegates"];

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Election {
    pub tenant_id: Id,
    pub id: Id,
    pub body_id: Id,
    pub term_id: Id,
    pub meeting_id: Option<Id>,
    pub title: String,
    pub target: String,
    pub method: String,
    pub options: ElectionOptions,
    pub post_order: String,
    pub by_election: bool,
    pub min_size: u64,
    pub status: String,
    pub notice_until: Option<String>,
    pub announced_at: Option<i64>,
    /// 两票制's stage one (R-I4): the trust vote's result per post id.
    pub trust_vote: BTreeMap<Id, TwoBallotResult>,
    /// Guiding shares of the elected (R-J12), checked on the result sheet.
    pub targets: Vec<CompositionTarget>,
    /// 倒着选: those not elected to a higher post stand for the next one (R-I3's recommended
    /// model; a setting, on by default).
    pub cascade: bool,
    /// Every post on one paper ballot (a village's 主任/副主任/委员), counted together, top
    /// down, with higher-post votes counted down if the options say so (R-I3).
    pub one_ballot: bool,
    pub created_at: i64,
}

impl Election {
    pub fn status(&self) -> ElectionStatus {
        ElectionStatus::from_code(&self.status).unwrap_or(ElectionStatus::Draft)
    }
}

fn election_of(r: &sqlx::any::AnyRow) -> Election {
    Election {
        tenant_id: r.i("tenant_id"),
        id: r.i("id"),
        body_id: r.i("body_id"),
        term_id: r.i("term_id"),
        meeting_id: r.oi("meeting_id"),
        title: r.s("title"),
        target: r.s("target"),
        method: r.s("method"),
        options: serde_json::from_str(&r.s("options")).unwrap_or_default(),
        post_order: r.s("post_order"),
        by_election: r.i("by_election") == 1,
        min_size: r.i("min_size") as u64,
        status: r.s("status"),
        notice_until: r.os("notice_until"),
        announced_at: r.oi("announced_at"),
        trust_vote: r.os("trust_vote").and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default(),
        targets: r.os("targets").and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default(),
        cascade: r.i("cascade") == 1,
        one_ballot: r.i("one_ballot") == 1,
        created_at: r.i("created_at"),
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Post {
    pub id: Id,
    pub election_id: Id,
    pub position: i64,
    pub name: String,
    /// `secretary`, `deputy`, `member` (committee) or `delegate`.
    pub roster_post: String,
    pub seats: u64,
    /// The slate rule (a post of `counting::surplus`).
    pub slate: String,
    pub constituency: Option<String>,
    /// Set when the seats were reduced instead of another round (R-G1).
    pub reduced_from: Option<u64>,
    pub reduced_by: Option<String>,
    pub reduced_note: Option<String>,
}

fn post_of(r: &sqlx::any::AnyRow) -> Post {
    Post {
        id: r.i("id"),
        election_id: r.i("election_id"),
        position: r.i("position"),
        name: r.s("name"),
        roster_post: r.s("roster_post"),
        seats: r.i("seats") as u64,
        slate: r.s("slate"),
        constituency: r.os("constituency"),
        reduced_from: r.oi("reduced_from").map(|x| x as u64),
        reduced_by: r.os("reduced_by"),
        reduced_note: r.os("reduced_note"),
    }
}

/// One post of a new election.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PostInput {
    pub name: String,
    pub roster_post: String,
    pub seats: i64,
    pub slate: String,
    #[serde(default)]
    pub constituency: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ElectionDraft {
    pub title: String,
    pub target: String,
    pub method: String,
    #[serde(default)]
    pub options: ElectionOptions,
    #[serde(default)]
    pub post_order: String,
    #[serde(default)]
    pub by_election: bool,
    /// The fewest members the body may have after a reduction of seats (R-G1).
    #[serde(default)]
    pub min_size: Option<i64>,
    #[serde(default)]
    pub meeting_id: Option<Id>,
    pub posts: Vec<PostInput>,
    #[serde(default)]
    pub targets: Vec<CompositionTarget>,
    /// For 倒着选 (default: yes).
    #[serde(default)]
    pub cascade: Option<bool>,
    /// Every post on one paper ballot (default: a ballot per post).
    #[serde(default)]
    pub one_ballot: bool,
}

fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> StoreError {
    StoreError::invalid(FieldError::new(field, "invalid", zh, en))
}

fn conflict_status(e: &Election, want: ElectionStatus) -> StoreError {
    StoreError::conflict(
        format!("选举当前为“{}”,此操作须在“{}”阶段", e.status().label().zh, want.label().zh),
        format!("the election is “{}”; this needs “{}”", e.status().label().en, want.label().en),
    )
}

/// Defines an election of `body` for `term`.
pub async fn create(store: &Store, body: &Body, term: &Term, d: &ElectionDraft, change: &Change) -> Result<Election> {
    let mut errs = Vec::new();
    let title = d.title.trim();
    if !(2..=120).contains(&title.chars().count()) {
        errs.push(FieldError::new("title", "length", "选举名称须为 2 至 120 个字", "the title takes 2 to 120 characters"));
    }
    if !TARGETS.contains(&d.target.as_str()) {
        errs.push(FieldError::new("target", "bad_choice", "请选择当选后进入委员会还是代表名单", "choose committee or delegates"));
    }
    if election::method(&d.method).is_none() {
        errs.push(FieldError::new("method", "bad_choice", "请选择选举办法", "choose the election method"));
    }
    let order = if d.post_order.is_empty() { Some(PostOrder::Normal) } else { PostOrder::from_code(&d.post_order) };
    if order.is_none() {
        errs.push(FieldError::new("post_order", "bad_choice", "请选择选举顺序", "choose the order of posts"));
    }
    if d.posts.is_empty() {
        errs.push(FieldError::new("posts", "required", "至少要有一个职务", "at least one post"));
    }
    let mut names = std::collections::BTreeSet::new();
    for (i, p) in d.posts.iter().enumerate() {
        let at = format!("posts[{i}]");
        if p.name.trim().is_empty() || !names.insert(p.name.trim().to_string()) {
            errs.push(FieldError::new(&at, "name", "职务名称为空或重复", "a post's name is empty or repeated"));
        }
        if !(1..=500).contains(&p.seats) {
            errs.push(FieldError::new(&at, "seats", "应选名额须在 1 至 500 之间", "seats must be 1 to 500"));
        }
        let roster_ok = match d.target.as_str() {
            "committee" => CommitteePost::from_code(&p.roster_post).is_some(),
            _ => p.roster_post == "delegate",
        };
        if !roster_ok {
            errs.push(FieldError::new(&at, "roster_post", "职务与当选后的去向不符", "the post does not fit the roster it fills"));
        }
        if lianxin_domain::counting::surplus::post(&p.slate).is_none() {
            errs.push(FieldError::new(&at, "slate", "请选择差额规则", "choose the slate rule"));
        }
    }
    for t in &d.targets {
        if !lianxin_domain::election::target_key_ok(&t.key) || t.min_percent > 100 {
            errs.push(FieldError::new("targets", "invalid", "结构比例须为 0 至 100 之间的百分数", "a guiding share is a percentage from 0 to 100"));
        }
    }
    if d.one_ballot && d.posts.len() < 2 {
        errs.push(FieldError::new(
            "one_ballot",
            "invalid",
            "一张选票选多个职务,须设两个以上职务",
            "one ballot for several posts needs two posts at least",
        ));
    }
    let min_size = d.min_size.unwrap_or(if d.target == "committee" { 3 } else { 1 });
    if min_size < 0 {
        errs.push(FieldError::new("min_size", "range", "最少职数不能为负", "the minimum size cannot be negative"));
    }
    if let Some(m) = d.meeting_id {
        match meetings::get(store, m).await {
            Ok(mt) if mt.body_id == body.id => {}
            _ => errs.push(FieldError::new("meeting_id", "not_found", "会议不属于本机构", "the meeting is not this body's")),
        }
    }
    if term.body_id != body.id {
        errs.push(FieldError::new("term_id", "other", "届次不属于本机构", "the term is not this body's"));
    }
    if !errs.is_empty() {
        return Err(StoreError::Domain(lianxin_domain::DomainError::Invalid(errs)));
    }
    let id = new_id(change.now_ms);
    let options = serde_json::to_string(&d.options).unwrap_or_else(|_| "{}".into());
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO elections (tenant_id, id, body_id, term_id, meeting_id, title, target, method, options, post_order, by_election, min_size, status, targets, cascade, one_ballot, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'draft', $14, $15, $16, $13, $13)",
        [
            body.tenant_id.into(),
            id.into(),
            body.id.into(),
            term.id.into(),
            d.meeting_id.into(),
            title.into(),
            d.target.as_str().into(),
            d.method.as_str().into(),
            options.into(),
            order.unwrap_or(PostOrder::Normal).code().into(),
            i64::from(d.by_election).into(),
            min_size.into(),
            change.now_ms.into(),
            serde_json::to_string(&d.targets).unwrap_or_else(|_| "[]".into()).into(),
            i64::from(d.cascade.unwrap_or(true)).into(),
            i64::from(d.one_ballot).into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    for (i, p) in d.posts.iter().enumerate() {
        q(
            "INSERT INTO election_posts (tenant_id, id, election_id, position, name, roster_post, seats, slate, constituency) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            [
                body.tenant_id.into(),
                (id + 1 + i as i64).into(),
                id.into(),
                (i as i64).into(),
                p.name.trim().into(),
                p.roster_post.as_str().into(),
                p.seats.into(),
                p.slate.as_str().into(),
                p.constituency.clone().filter(|c| !c.trim().is_empty()).into(),
            ],
        )
        .execute(&mut *tx)
        .await?;
    }
    append(
        &mut tx,
        body.tenant_id,
        change,
        "create",
        "election",
        Some(id),
        None,
        Some(serde_json::json!({"title": title, "method": d.method, "posts": d.posts}).to_string()),
    )
    .await?;
    tx.commit().await?;
    get(store, id).await
}

pub async fn get(store: &Store, id: Id) -> Result<Election> {
    let r = q("SELECT * FROM elections WHERE id = $1", [id.into()]).fetch_optional(&store.pool).await?.ok_or_else(StoreError::not_found)?;
    Ok(election_of(&r))
}

pub async fn list(store: &Store, body: &Body) -> Result<Vec<Election>> {
    Ok(q("SELECT * FROM elections WHERE tenant_id = $1 AND body_id = $2 ORDER BY created_at DESC, id DESC", [body.tenant_id.into(), body.id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(election_of)
        .collect())
}

pub async fn posts(store: &Store, e: &Election) -> Result<Vec<Post>> {
    Ok(q("SELECT * FROM election_posts WHERE tenant_id = $1 AND election_id = $2 ORDER BY position", [e.tenant_id.into(), e.id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(post_of)
        .collect())
}

async fn post(store: &Store, e: &Election, post_id: Id) -> Result<Post> {
    posts(store, e).await?.into_iter().find(|p| p.id == post_id).ok_or_else(StoreError::not_found)
}

/// Moves an election on one status, recorded.
async fn set_status(
    store: &Store,
    e: &Election,
    from: ElectionStatus,
    to: ElectionStatus,
    extra: Option<(&str, V)>,
    change: &Change,
) -> Result<Election> {
    let mut tx = store.pool.begin().await?;
    let n = q(
        "UPDATE elections SET status = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4 AND status = $5",
        [to.code().into(), change.now_ms.into(), e.tenant_id.into(), e.id.into(), from.code().into()],
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(conflict_status(e, from));
    }
    if let Some((col, v)) = extra {
        let sql = match col {
            "notice_until" => "UPDATE elections SET notice_until = $1 WHERE tenant_id = $2 AND id = $3",
            _ => "UPDATE elections SET announced_at = $1 WHERE tenant_id = $2 AND id = $3",
        };
        q(sql, [v, e.tenant_id.into(), e.id.into()]).execute(&mut *tx).await?;
    }
    append(
        &mut tx,
        e.tenant_id,
        change,
        to.code(),
        "election",
        Some(e.id),
        Some(serde_json::json!({"status": from.code()}).to_string()),
        Some(serde_json::json!({"status": to.code()}).to_string()),
    )
    .await?;
    tx.commit().await?;
    get(store, e.id).await
}

pub async fn open_nominations(store: &Store, e: &Election, change: &Change) -> Result<Election> {
    set_status(store, e, ElectionStatus::Draft, ElectionStatus::Nominating, None, change).await
}

// ---------------------------------------------------------------- exclusions (R-A2)

/// Records an absentee left out of those due to attend, with the two approvals R-A2 asks for
/// (the higher organisation's and the meeting's); one without both stays in the base, and the
/// count says so. Recorded before voting starts.
pub async fn add_exclusion(store: &Store, e: &Election, x: &Exclusion, change: &Change) -> Result<()> {
    if !matches!(e.status(), ElectionStatus::Draft | ElectionStatus::Nominating | ElectionStatus::Notice) {
        return Err(StoreError::conflict("投票开始后不能再改应到会人数", "those due to attend cannot change once voting starts"));
    }
    if x.name.trim().is_empty() || x.name.chars().count() > 40 {
        return Err(invalid("name", "请填写姓名", "give the name"));
    }
    if ExclusionGround::from_code(&x.ground).is_none() {
        return Err(invalid("ground", "请选择不计入应到会的情形(R-A2)", "choose the ground (R-A2)"));
    }
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO election_exclusions (tenant_id, election_id, id, name, ground, higher_approved, meeting_approved, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            e.tenant_id.into(),
            e.id.into(),
            id.into(),
            x.name.trim().into(),
            x.ground.as_str().into(),
            i64::from(x.higher_approved).into(),
            i64::from(x.meeting_approved).into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    append(&mut tx, e.tenant_id, change, "exclude", "election", Some(e.id), None, Some(serde_json::to_string(x).unwrap_or_default())).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn exclusions(store: &Store, e: &Election) -> Result<Vec<Exclusion>> {
    Ok(q("SELECT * FROM election_exclusions WHERE tenant_id = $1 AND election_id = $2 ORDER BY id", [e.tenant_id.into(), e.id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| Exclusion {
            name: r.s("name"),
            ground: r.s("ground"),
            higher_approved: r.i("higher_approved") == 1,
            meeting_approved: r.i("meeting_approved") == 1,
        })
        .collect())
}

// ---------------------------------------------------------------- nominations

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Nomination {
    pub id: Id,
    pub election_id: Id,
    pub post_id: Id,
    pub person_id: Option<Id>,
    pub name: String,
    pub category: Option<String>,
    pub source: String,
    /// Recommendation votes or signatures behind it.
    pub support: u64,
    pub status: String,
    pub review_note: Option<String>,
    pub profile: String,
    pub statement: String,
}

fn nomination_of(r: &sqlx::any::AnyRow) -> Nomination {
    Nomination {
        id: r.i("id"),
        election_id: r.i("election_id"),
        post_id: r.i("post_id"),
        person_id: r.oi("person_id"),
        name: r.s("name"),
        category: r.os("category"),
        source: r.s("source"),
        support: r.i("support") as u64,
        status: r.s("status"),
        review_note: r.os("review_note"),
        profile: r.s("profile"),
        statement: r.s("statement"),
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct NominationInput {
    pub post_id: Id,
    #[serde(default)]
    pub person_id: Option<Id>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub category: Option<String>,
    pub source: String,
    #[serde(default)]
    pub support: i64,
    #[serde(default)]
    pub profile: String,
    #[serde(default)]
    pub statement: String,
}

/// Records a nomination (open while the election takes nominations). A person on the roster
/// is named by id (their name comes from the roster); someone not on it by name.
pub async fn nominate(store: &Store, e: &Election, n: &NominationInput, change: &Change) -> Result<Nomination> {
    if e.status() != ElectionStatus::Nominating {
        return Err(conflict_status(e, ElectionStatus::Nominating));
    }
    let p = post(store, e, n.post_id).await.map_err(|_| invalid("post_id", "请选择职务", "choose the post"))?;
    let source = NominationSource::from_code(&n.source).ok_or_else(|| invalid("source", "请选择提名方式", "choose who nominates"))?;
    if n.support < 0 || n.support > 10_000_000 {
        return Err(invalid("support", "推荐票数须为非负整数", "the support must be a whole number, not negative"));
    }
    let name = match n.person_id {
        Some(pid) => {
            let person = crate::people::get(store, pid).await.map_err(|_| invalid("person_id", "人员不存在", "no such person"))?;
            if person.tenant_id != e.tenant_id {
                return Err(invalid("person_id", "该人员不属于本组织", "the person belongs to another tree"));
            }
            person.name
        }
        None => n.name.trim().to_string(),
    };
    if !(1..=20).contains(&name.chars().count()) || name.contains([',', '|', ';']) {
        return Err(invalid("name", "姓名须为 1 至 20 个字,不含逗号、分号或竖线", "a name takes 1 to 20 characters, without , ; or |"));
    }
    if let Some(c) = n.category.as_deref().filter(|c| !c.is_empty()) {
        if lianxin_domain::congress::DelegateCategory::from_code(c).is_none() {
            return Err(invalid("category", "代表界别无效", "no such category"));
        }
    }
    if n.profile.chars().count() > 2000 || n.statement.chars().count() > 5000 {
        return Err(invalid(
            "profile",
            "简介不超过 2000 字,竞职演讲不超过 5000 字",
            "the profile takes at most 2,000 characters, the statement 5,000",
        ));
    }
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO nominations (tenant_id, id, election_id, post_id, person_id, name, category, source, support, status, profile, statement, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'nominated', $10, $11, $12, $12)",
        [
            e.tenant_id.into(),
            id.into(),
            e.id.into(),
            p.id.into(),
            n.person_id.into(),
            name.as_str().into(),
            n.category.clone().filter(|c| !c.is_empty()).into(),
            source.code().into(),
            n.support.into(),
            n.profile.trim().into(),
            n.statement.trim().into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        e.tenant_id,
        change,
        "create",
        "nomination",
        Some(id),
        None,
        Some(serde_json::json!({"election": e.id, "post": p.name, "name": name, "source": source.code(), "support": n.support}).to_string()),
    )
    .await?;
    tx.commit().await?;
    nomination(store, id).await
}

pub async fn nomination(store: &Store, id: Id) -> Result<Nomination> {
    let r = q("SELECT * FROM nominations WHERE id = $1", [id.into()]).fetch_optional(&store.pool).await?.ok_or_else(StoreError::not_found)?;
    Ok(nomination_of(&r))
}

pub async fn nominations(store: &Store, e: &Election) -> Result<Vec<Nomination>> {
    Ok(q("SELECT * FROM nominations WHERE tenant_id = $1 AND election_id = $2 ORDER BY post_id, created_at, id", [e.tenant_id.into(), e.id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(nomination_of)
        .collect())
}

/// The qualification review of a nomination: qualified, not qualified (with the reason), or
/// withdrawn. It can be decided again until the list is published.
pub async fn review(store: &Store, e: &Election, id: Id, status: NominationStatus, note: &str, change: &Change) -> Result<Nomination> {
    if e.status() != ElectionStatus::Nominating {
        return Err(conflict_status(e, ElectionStatus::Nominating));
    }
    let before = nomination(store, id).await?;
    if before.election_id != e.id {
        return Err(StoreError::not_found());
    }
    if status == NominationStatus::Rejected && note.trim().is_empty() {
        return Err(invalid("note", "不通过须写明理由", "give the reason for not qualifying"));
    }
    let mut tx = store.pool.begin().await?;
    q(
        "UPDATE nominations SET status = $1, review_note = $2, updated_at = $3 WHERE tenant_id = $4 AND id = $5",
        [status.code().into(), Some(note.trim().to_string()).filter(|n| !n.is_empty()).into(), change.now_ms.into(), e.tenant_id.into(), id.into()],
    )
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        e.tenant_id,
        change,
        "review",
        "nomination",
        Some(id),
        Some(serde_json::json!({"status": before.status}).to_string()),
        Some(serde_json::json!({"status": status.code(), "note": note.trim()}).to_string()),
    )
    .await?;
    tx.commit().await?;
    nomination(store, id).await
}

/// 两票制, stage one (R-I4, seed 004 §3): the villagers' trust vote on a post's nominees. Only
/// those with more than half the trust votes may stand, and the preliminary list is taken from
/// them by votes, `per_seat` for each seat (1∶2 by default). Nominees not trusted, or trusted
/// but outside the list, are marked not qualified with the reason; the result is kept with the
/// election for the members' election that follows.
pub async fn record_trust_vote(
    store: &Store,
    e: &Election,
    post_id: Id,
    trust: TrustVote,
    per_seat: Option<i64>,
    change: &Change,
) -> Result<TwoBallotResult> {
    if e.status() != ElectionStatus::Nominating {
        return Err(conflict_status(e, ElectionStatus::Nominating));
    }
    let p = post(store, e, post_id).await?;
    let noms: Vec<Nomination> = nominations(store, e).await?.into_iter().filter(|n| n.post_id == p.id && n.status != "withdrawn").collect();
    for name in trust.votes.keys() {
        if !noms.iter().any(|n| &n.name == name) {
            return Err(invalid("votes", format!("“{name}”不是此职务的被提名人"), format!("“{name}” is not nominated for this post")));
        }
    }
    let r = two_ballot::count(&TwoBallotInput { seats: p.seats as i64, per_seat, trust, ..Default::default() })?;
    let mut all = e.trust_vote.clone();
    all.insert(p.id, r.clone());
    let mut tx = store.pool.begin().await?;
    for n in &noms {
        let (status, note) = if !r.trusted.contains(&n.name) {
            ("rejected", Some("信任投票未过半数(R-I4)"))
        } else if !r.preliminary_candidates.contains(&n.name) {
            ("rejected", Some("未进入预备候选人名单(R-I4)"))
        } else {
            (n.status.as_str(), None)
        };
        if let Some(note) = note {
            q(
                "UPDATE nominations SET status = $1, review_note = $2, updated_at = $3 WHERE tenant_id = $4 AND id = $5",
                [status.into(), note.into(), change.now_ms.into(), e.tenant_id.into(), n.id.into()],
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    q(
        "UPDATE elections SET trust_vote = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4",
        [serde_json::to_string(&all).unwrap_or_default().into(), change.now_ms.into(), e.tenant_id.into(), e.id.into()],
    )
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        e.tenant_id,
        change,
        "trust_vote",
        "election",
        Some(e.id),
        None,
        Some(serde_json::json!({"post": p.name, "trusted": r.trusted, "preliminary": r.preliminary_candidates}).to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(r)
}

// ---------------------------------------------------------------- the candidate list

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Candidate {
    pub post_id: Id,
    pub position: i64,
    pub name: String,
    pub person_id: Option<Id>,
}

pub async fn candidates(store: &Store, e: &Election) -> Result<Vec<Candidate>> {
    Ok(q(
        "SELECT post_id, position, name, person_id FROM election_candidates WHERE tenant_id = $1 AND election_id = $2 ORDER BY post_id, position",
        [e.tenant_id.into(), e.id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| Candidate { post_id: r.i("post_id"), position: r.i("position"), name: r.s("name"), person_id: r.oi("person_id") })
    .collect())
}

/// Publishes the candidate list for public notice (公示) until `notice_until`: per post, the
/// qualified nominees named, in ballot order (R-C6: the clerk orders them, by surname strokes
/// for members and delegates). Every list is checked against its slate rule (R-H) first.
pub async fn publish_list(store: &Store, e: &Election, lists: &[(Id, Vec<String>)], notice_until: &str, change: &Change) -> Result<Election> {
    if e.status() != ElectionStatus::Nominating {
        return Err(conflict_status(e, ElectionStatus::Nominating));
    }
    let until = lianxin_domain::error::parse_date(notice_until.trim())
        .ok_or_else(|| invalid("notice_until", "请填写公示截止日期", "give the last day of the public notice"))?;
    if until < change.today() {
        return Err(invalid("notice_until", "公示截止日期不能早于今天", "the notice cannot end before today"));
    }
    let ps = posts(store, e).await?;
    let noms = nominations(store, e).await?;
    let mut rows = Vec::new();
    for p in &ps {
        let list = lists.iter().find(|(id, _)| *id == p.id).map(|(_, l)| l.clone()).unwrap_or_default();
        for name in &list {
            if !noms.iter().any(|n| n.post_id == p.id && &n.name == name && n.status == "qualified") {
                return Err(invalid(
                    "candidates",
                    format!("{}:“{name}”未通过资格审查", p.name),
                    format!("{}: “{name}” is not a qualified nominee", p.name),
                ));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        if !list.iter().all(|n| seen.insert(n)) {
            return Err(invalid("candidates", format!("{}:候选人重复", p.name), format!("{}: a candidate is listed twice", p.name)));
        }
        check_slate(&p.name, &p.slate, p.seats, list.len(), e.by_election)?;
        for (i, name) in list.iter().enumerate() {
            let person = noms.iter().find(|n| n.post_id == p.id && &n.name == name).and_then(|n| n.person_id);
            rows.push((p.id, i as i64, name.clone(), person));
        }
    }
    let mut tx = store.pool.begin().await?;
    q("DELETE FROM election_candidates WHERE tenant_id = $1 AND election_id = $2", [e.tenant_id.into(), e.id.into()]).execute(&mut *tx).await?;
    for (post_id, pos, name, person) in &rows {
        q(
            "INSERT INTO election_candidates (tenant_id, election_id, post_id, position, name, person_id) VALUES ($1, $2, $3, $4, $5, $6)",
            [e.tenant_id.into(), e.id.into(), (*post_id).into(), (*pos).into(), name.as_str().into(), (*person).into()],
        )
        .execute(&mut *tx)
        .await?;
    }
    append(
        &mut tx,
        e.tenant_id,
        change,
        "publish_list",
        "election",
        Some(e.id),
        None,
        Some(
            serde_json::json!({"candidates": rows.iter().map(|r| &r.2).collect::<Vec<_>>(), "notice_until": lianxin_domain::error::fmt_date(until)})
                .to_string(),
        ),
    )
    .await?;
    tx.commit().await?;
    set_status(
        store,
        e,
        ElectionStatus::Nominating,
        ElectionStatus::Notice,
        Some(("notice_until", lianxin_domain::error::fmt_date(until).into())),
        change,
    )
    .await
}

// ---------------------------------------------------------------- objections in the notice

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Objection {
    pub id: Id,
    pub candidate: String,
    pub text: String,
    pub contact: String,
    /// `received`, `upheld` or `dismissed`.
    pub status: String,
    pub response: Option<String>,
    pub created_at: i64,
}

/// An objection to a candidate, sent during the public notice (anyone may send one; no
/// account). It must name a listed candidate and give its grounds.
pub async fn object(store: &Store, e: &Election, candidate: &str, text: &str, contact: &str, change: &Change) -> Result<Objection> {
    let open = e.status() == ElectionStatus::Notice
        && e.notice_until.as_deref().and_then(lianxin_domain::error::parse_date).is_some_and(|u| change.today() <= u);
    if !open {
        return Err(StoreError::conflict("公示期已过或尚未公示,不能再提出异议", "the public notice is not open for objections"));
    }
    if !candidates(store, e).await?.iter().any(|c| c.name == candidate) {
        return Err(invalid("candidate", "请选择候选人", "choose the candidate"));
    }
    let (text, contact) = (text.trim(), contact.trim());
    if !(5..=2000).contains(&text.chars().count()) {
        return Err(invalid("text", "请写明异议的事实和理由(5 至 2000 字)", "give the facts and grounds (5 to 2,000 characters)"));
    }
    if contact.chars().count() > 60 {
        return Err(invalid("contact", "联系方式不超过 60 字", "the contact takes at most 60 characters"));
    }
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO election_objections (tenant_id, election_id, id, candidate, text, contact, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'received', $7)",
        [e.tenant_id.into(), e.id.into(), id.into(), candidate.into(), text.into(), contact.into(), change.now_ms.into()],
    )
    .execute(&mut *tx)
    .await?;
    // who objected is kept with the objection, not in the audit log's text
    append(
        &mut tx,
        e.tenant_id,
        change,
        "objection",
        "election",
        Some(e.id),
        None,
        Some(serde_json::json!({"objection": id, "candidate": candidate}).to_string()),
    )
    .await?;
    tx.commit().await?;
    objections(store, e).await?.into_iter().find(|o| o.id == id).ok_or_else(StoreError::not_found)
}

pub async fn objections(store: &Store, e: &Election) -> Result<Vec<Objection>> {
    Ok(q("SELECT * FROM election_objections WHERE tenant_id = $1 AND election_id = $2 ORDER BY id", [e.tenant_id.into(), e.id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| Objection {
            id: r.i("id"),
            candidate: r.s("candidate"),
            text: r.s("text"),
            contact: r.s("contact"),
            status: r.s("status"),
            response: r.os("response"),
            created_at: r.i("created_at"),
        })
        .collect())
}

/// The office decides an objection after looking into it. Upheld, the candidate leaves the
/// list (their nomination is marked not qualified); if the list then falls short of its slate
/// (R-H), the election goes back to nominations for a new list and a new notice.
pub async fn decide_objection(store: &Store, e: &Election, id: Id, upheld: bool, response: &str, change: &Change) -> Result<Election> {
    if e.status() != ElectionStatus::Notice {
        return Err(conflict_status(e, ElectionStatus::Notice));
    }
    let o = objections(store, e).await?.into_iter().find(|o| o.id == id).ok_or_else(StoreError::not_found)?;
    if o.status != "received" {
        return Err(StoreError::conflict("此异议已处理", "this objection is decided already"));
    }
    if response.trim().chars().count() < 2 {
        return Err(invalid("response", "请写明核查结果", "record what was found"));
    }
    let cands = candidates(store, e).await?;
    let ps = posts(store, e).await?;
    let mut tx = store.pool.begin().await?;
    q(
        "UPDATE election_objections SET status = $1, response = $2, decided_at = $3 WHERE tenant_id = $4 AND election_id = $5 AND id = $6",
        [
            if upheld { "upheld" } else { "dismissed" }.into(),
            response.trim().into(),
            change.now_ms.into(),
            e.tenant_id.into(),
            e.id.into(),
            id.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    let mut back = false;
    if upheld {
        for c in cands.iter().filter(|c| c.name == o.candidate) {
            q(
                "DELETE FROM election_candidates WHERE tenant_id = $1 AND election_id = $2 AND post_id = $3 AND position = $4",
                [e.tenant_id.into(), e.id.into(), c.post_id.into(), c.position.into()],
            )
            .execute(&mut *tx)
            .await?;
            let left = cands.iter().filter(|x| x.post_id == c.post_id && x.name != o.candidate).count();
            if let Some(p) = ps.iter().find(|p| p.id == c.post_id) {
                back |= check_slate(&p.name, &p.slate, p.seats, left, e.by_election).is_err();
            }
        }
        q(
            "UPDATE nominations SET status = 'rejected', review_note = $1, updated_at = $2 WHERE tenant_id = $3 AND election_id = $4 AND name = $5",
            [
                format!("公示期间异议成立:{}", response.trim()).into(),
                change.now_ms.into(),
                e.tenant_id.into(),
                e.id.into(),
                o.candidate.as_str().into(),
            ],
        )
        .execute(&mut *tx)
        .await?;
        if back {
            q(
                "UPDATE elections SET status = 'nominating', notice_until = NULL, updated_at = $1 WHERE tenant_id = $2 AND id = $3",
                [change.now_ms.into(), e.tenant_id.into(), e.id.into()],
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    append(
        &mut tx,
        e.tenant_id,
        change,
        "decide_objection",
        "election",
        Some(e.id),
        None,
        Some(serde_json::json!({"objection": id, "candidate": o.candidate, "upheld": upheld, "response": response.trim(), "back_to_nominations": back}).to_string()),
    )
    .await?;
    tx.commit().await?;
    get(store, e.id).await
}

// ---------------------------------------------------------------- rounds

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoundRec {
    pub id: Id,
    pub election_id: Id,
    pub post_id: Id,
    pub number: i64,
    pub kind: String,
    pub mode: String,
    pub seats: u64,
    pub candidates: Vec<String>,
    pub vote_id: Option<Id>,
    pub request: Option<serde_json::Value>,
    pub result: Option<ElectionResultJson>,
    pub status: String,
}

/// A round's stored result: the engine's answer as JSON (kept as it came, for the record).
pub type ElectionResultJson = serde_json::Value;

fn round_of(r: &sqlx::any::AnyRow) -> RoundRec {
    RoundRec {
        id: r.i("id"),
        election_id: r.i("election_id"),
        post_id: r.i("post_id"),
        number: r.i("number"),
        kind: r.s("kind"),
        mode: r.s("mode"),
        seats: r.i("seats") as u64,
        candidates: serde_json::from_str(&r.s("candidates")).unwrap_or_default(),
        vote_id: r.oi("vote_id"),
        request: r.os("request").and_then(|s| serde_json::from_str(&s).ok()),
        result: r.os("result").and_then(|s| serde_json::from_str(&s).ok()),
        status: r.s("status"),
    }
}

pub async fn rounds(store: &Store, e: &Election) -> Result<Vec<RoundRec>> {
    Ok(q("SELECT * FROM election_rounds WHERE tenant_id = $1 AND election_id = $2 ORDER BY post_id, number", [e.tenant_id.into(), e.id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(round_of)
        .collect())
}

pub async fn round(store: &Store, id: Id) -> Result<RoundRec> {
    let r = q("SELECT * FROM election_rounds WHERE id = $1", [id.into()]).fetch_optional(&store.pool).await?.ok_or_else(StoreError::not_found)?;
    Ok(round_of(&r))
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Elected {
    pub post_id: Id,
    pub name: String,
    pub votes: u64,
    pub round_id: Id,
    pub person_id: Option<Id>,
}

pub async fn elected(store: &Store, e: &Election) -> Result<Vec<Elected>> {
    Ok(q(
        "SELECT post_id, name, votes, round_id, person_id FROM election_elected WHERE tenant_id = $1 AND election_id = $2 ORDER BY post_id, votes DESC, name",
        [e.tenant_id.into(), e.id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| Elected { post_id: r.i("post_id"), name: r.s("name"), votes: r.i("votes") as u64, round_id: r.i("round_id"), person_id: r.oi("person_id") })
    .collect())
}

/// Where a post stands: the seats still to fill and what its last round asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostState {
    pub remaining: u64,
    /// The next round the rules ask for (None: nothing open, nothing asked).
    pub next: Option<(RoundKind, u64, Vec<String>)>,
    /// A round not yet counted.
    pub open_round: Option<Id>,
    pub vacant: u64,
}

/// The state of each post from its rounds.
pub async fn post_state(store: &Store, e: &Election, p: &Post) -> Result<PostState> {
    // a one-ballot round stands for every post: its result has each post's own part
    let rs: Vec<RoundRec> =
        rounds(store, e).await?.into_iter().filter(|r| r.post_id == p.id || r.is_one_ballot()).map(|r| r.for_post(&p.name)).collect();
    let done: u64 = elected(store, e).await?.iter().filter(|x| x.post_id == p.id).count() as u64;
    let remaining = p.seats.saturating_sub(done);
    let open_round = rs.iter().find(|r| r.status == "open").map(|r| r.id);
    let mut st = PostState { remaining, next: None, open_round, vacant: 0 };
    if open_round.is_some() || remaining == 0 {
        return Ok(st);
    }
    match rs.last() {
        None => {
            let list: Vec<String> = candidates(store, e).await?.into_iter().filter(|c| c.post_id == p.id).map(|c| c.name).collect();
            st.next = Some((RoundKind::First, remaining, list));
        }
        Some(last) => {
            if let Some(r) = last.result.as_ref().and_then(|v| serde_json::from_value::<ElectionResult>(v.clone()).ok()) {
                match next(&r, last.seats, &last.candidates) {
                    Next::Round { kind, seats, candidates } => st.next = Some((kind, seats.min(remaining), candidates)),
                    Next::Vacant(n) => st.vacant = n,
                    Next::Done => {}
                }
            }
        }
    }
    Ok(st)
}

/// Starts the next round of a post: the first after the notice, or the one the last result
/// asks for. A supplementary list may be changed after further discussion (R-G2), but must
/// still have more candidates than seats unless the rules allow an equal slate (R-G2's
/// recommended default); a tie revote is among the tied only (R-F2). On phones it is a vote at
/// the election's meeting (opened at once); on paper the tellers' counts come with [`count_paper`].
pub async fn start_round(store: &Store, e: &Election, post_id: Id, mode: RoundMode, list: Option<Vec<String>>, change: &Change) -> Result<RoundRec> {
    if !matches!(e.status(), ElectionStatus::Notice | ElectionStatus::Voting) {
        return Err(conflict_status(e, ElectionStatus::Voting));
    }
    if let Some(until) = e.notice_until.as_deref().and_then(lianxin_domain::error::parse_date) {
        if e.status() == ElectionStatus::Notice && change.today() <= until {
            return Err(StoreError::conflict(
                format!("候选人公示至 {until},公示期满后才能投票"),
                format!("the candidates are in public notice until {until}; voting starts after it"),
            ));
        }
    }
    if objections(store, e).await?.iter().any(|o| o.status == "received") {
        return Err(StoreError::conflict("公示期间的异议尚未处理完", "objections from the public notice are still to be decided"));
    }
    if e.one_ballot && rounds(store, e).await?.is_empty() {
        return start_one_ballot_round(store, e, mode, change).await;
    }
    let ps = posts(store, e).await?;
    let p = ps.iter().find(|p| p.id == post_id).ok_or_else(StoreError::not_found)?;
    // posts are elected in their order (R-I1, R-I3): every earlier post finished first
    for earlier in ps.iter().filter(|x| x.position < p.position) {
        let s = post_state(store, e, earlier).await?;
        if s.open_round.is_some() || s.next.is_some() {
            return Err(StoreError::conflict(
                format!("请先完成“{}”的选举", earlier.name),
                format!("finish the election of “{}” first", earlier.name),
            ));
        }
    }
    let st = post_state(store, e, p).await?;
    if st.open_round.is_some() {
        return Err(StoreError::conflict("这一职务还有未计票的轮次", "this post has a round not yet counted"));
    }
    let Some((kind, seats, suggested)) = st.next else {
        return Err(StoreError::conflict("这一职务已选举完毕", "this post's election is complete"));
    };
    // 倒着选 (R-I3): whoever is elected to a higher post is off the lower slates
    let higher: Vec<String> = elected(store, e).await?.into_iter().filter(|x| x.post_id != p.id).map(|x| x.name).collect();
    let mut list: Vec<String> = match (kind, list) {
        (RoundKind::Supplementary, Some(l)) if !l.is_empty() => l.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
        _ => suggested,
    };
    // 倒着选 with cascade: whoever stood for a higher post and was not elected joins this
    // post's first round, after its own candidates
    if kind == RoundKind::First && e.post_order == PostOrder::TopDown.code() && e.cascade {
        let listed = candidates(store, e).await?;
        for x in listed.iter().filter(|c| ps.iter().any(|q| q.id == c.post_id && q.position < p.position)) {
            if !list.contains(&x.name) {
                list.push(x.name.clone());
            }
        }
    }
    list.retain(|n| !higher.contains(n));
    let mut seen = std::collections::BTreeSet::new();
    if list.is_empty() || !list.iter().all(|n| seen.insert(n.clone())) || list.iter().any(|n| n.chars().count() > 20 || n.contains([',', '|', ';'])) {
        return Err(invalid("candidates", "候选人名单为空、重复或姓名不合规", "the list is empty, repeats a name or has a bad name"));
    }
    if kind == RoundKind::Supplementary && list.len() as u64 <= seats && !e.options.write_ins_can_be_elected.unwrap_or(true) {
        return Err(invalid("candidates", "另行选举候选人应多于剩余名额(R-G2)", "a supplementary election needs more candidates than seats (R-G2)"));
    }
    let number = q(
        "SELECT COUNT(*) AS n FROM election_rounds WHERE tenant_id = $1 AND election_id = $2 AND post_id = $3",
        [e.tenant_id.into(), e.id.into(), p.id.into()],
    )
    .fetch_one(&store.pool)
    .await?
    .i("n")
        + 1;
    let counted_as = match kind {
        RoundKind::TieRevote => Round::TieRevote,
        RoundKind::Supplementary => Round::Supplementary,
        _ => Round::First,
    };
    // village and residents' 另行选举 count by R-G3's own method
    let method = match (kind, e.method.as_str()) {
        (RoundKind::Supplementary, "village_committee") => "village_committee_supplementary".to_string(),
        (RoundKind::Supplementary, m) if m.starts_with("residents_committee") => "residents_committee_supplementary".to_string(),
        (_, m) => m.to_string(),
    };
    let rule = ElectionRule { method, round: counted_as, options: e.options.clone(), exclusions: exclusions(store, e).await? };
    let vote_id = if mode == RoundMode::Phones {
        let m = meeting_of(store, e).await?;
        let title = format!("{} · {} · {}", e.title, p.name, kind.label().zh);
        let qn = Question { kind: VoteKind::Election, items: list.clone(), max_choices: seats as usize };
        let v = meetings::create_vote(
            store,
            &m,
            &title.chars().take(120).collect::<String>(),
            &qn,
            &serde_json::to_string(&rule).unwrap_or_default(),
            VoteMode::Secret,
            change,
        )
        .await?;
        meetings::open_vote(store, &v, change).await?;
        Some(v.id)
    } else {
        None
    };
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO election_rounds (tenant_id, id, election_id, post_id, number, kind, mode, seats, candidates, vote_id, request, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12)",
        [
            e.tenant_id.into(),
            id.into(),
            e.id.into(),
            p.id.into(),
            number.into(),
            kind.code().into(),
            mode.code().into(),
            (seats as i64).into(),
            serde_json::to_string(&list).unwrap_or_default().into(),
            vote_id.into(),
            Some(serde_json::to_string(&rule).unwrap_or_default()).into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| StoreError::from(e).duplicate_as(FieldError::new("round", "duplicate", "轮次已存在,请刷新", "that round exists already; reload")))?;
    if e.status() == ElectionStatus::Notice {
        q(
            "UPDATE elections SET status = 'voting', updated_at = $1 WHERE tenant_id = $2 AND id = $3",
            [change.now_ms.into(), e.tenant_id.into(), e.id.into()],
        )
        .execute(&mut *tx)
        .await?;
    }
    append(
        &mut tx,
        e.tenant_id,
        change,
        "start_round",
        "election",
        Some(e.id),
        None,
        Some(
            serde_json::json!({"post": p.name, "round": number, "kind": kind.code(), "mode": mode.code(), "seats": seats, "candidates": list})
                .to_string(),
        ),
    )
    .await?;
    tx.commit().await?;
    round(store, id).await
}

/// The first round of a one-ballot election: every post and its published list on one paper
/// ballot, counted together (R-I3); later rounds go post by post.
async fn start_one_ballot_round(store: &Store, e: &Election, mode: RoundMode, change: &Change) -> Result<RoundRec> {
    if mode != RoundMode::Paper {
        return Err(invalid("mode", "一张选票选多个职务时用纸质选票", "one ballot for several posts is a paper ballot"));
    }
    let ps = posts(store, e).await?;
    let listed = candidates(store, e).await?;
    let ballot: Vec<(Id, String, u64, Vec<String>)> =
        ps.iter().map(|p| (p.id, p.name.clone(), p.seats, listed.iter().filter(|c| c.post_id == p.id).map(|c| c.name.clone()).collect())).collect();
    let mut all: Vec<String> = Vec::new();
    for (_, _, _, l) in &ballot {
        for n in l {
            if !all.contains(n) {
                all.push(n.clone());
            }
        }
    }
    let rule = ElectionRule { method: e.method.clone(), round: Round::First, options: e.options.clone(), exclusions: exclusions(store, e).await? };
    let request = serde_json::json!({"rule": rule, "posts": ballot});
    let id = new_id(change.now_ms);
    let first = &ps[0];
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO election_rounds (tenant_id, id, election_id, post_id, number, kind, mode, seats, candidates, vote_id, request, status, created_at) \
         VALUES ($1, $2, $3, $4, 1, 'first', 'paper', $5, $6, NULL, $7, 'open', $8)",
        [
            e.tenant_id.into(),
            id.into(),
            e.id.into(),
            first.id.into(),
            (first.seats as i64).into(),
            serde_json::to_string(&all).unwrap_or_default().into(),
            request.to_string().into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    q(
        "UPDATE elections SET status = 'voting', updated_at = $1 WHERE tenant_id = $2 AND id = $3 AND status = 'notice'",
        [change.now_ms.into(), e.tenant_id.into(), e.id.into()],
    )
    .execute(&mut *tx)
    .await?;
    append(&mut tx, e.tenant_id, change, "start_round", "election", Some(e.id), None, Some(serde_json::json!({"one_ballot": ballot}).to_string()))
        .await?;
    tx.commit().await?;
    round(store, id).await
}

async fn meeting_of(store: &Store, e: &Election) -> Result<Meeting> {
    let id = e.meeting_id.ok_or_else(|| invalid("mode", "此选举未指定会议,只能用纸质选票", "this election has no meeting: use paper ballots"))?;
    meetings::get(store, id).await
}

/// The tellers' counts of a paper round: what the hall counted (voters due, present, ballots
/// issued and returned) and the valid and void ballots as patterns (typed, or read from a tally
/// sheet). Counted at once, by the same engine.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PaperCount {
    pub eligible_voters: i64,
    pub voters_present: i64,
    #[serde(default)]
    pub ballots_issued: Option<i64>,
    pub ballots: Vec<BallotPattern>,
}

pub async fn count_paper(store: &Store, e: &Election, r: &RoundRec, c: &PaperCount, change: &Change) -> Result<RoundRec> {
    if r.mode != RoundMode::Paper.code() || r.status != "open" {
        return Err(StoreError::conflict("这一轮不是待录入的纸质选票", "this round is not a paper round waiting for its count"));
    }
    let rule: ElectionRule = ElectionRule::parse(&r.request_rule())?;
    let mut input: ElectionInput = rule.input(r.seats, &r.candidates, 0, 0, c.ballots.clone());
    input.eligible_voters = c.eligible_voters;
    input.voters_present = c.voters_present;
    input.ballots_issued = c.ballots_issued;
    let ballot_posts = r.ballot_posts();
    if !ballot_posts.is_empty() {
        input.seats = None;
        input.candidates = vec![];
        input.posts = ballot_posts
            .iter()
            .map(|(_, name, seats, cands)| election::PostInput { post: name.clone(), seats: *seats as i64, candidates: cands.clone() })
            .collect();
    }
    let result = election::count(&input)?;
    let mut request = serde_json::json!({"rule": rule, "count": c});
    if !ballot_posts.is_empty() {
        request["posts"] = serde_json::to_value(&ballot_posts).unwrap_or_default();
    }
    finish_round(store, e, r, &result, Some(request), change).await
}

impl RoundRec {
    /// A round that put every post on one ballot (its request names the posts).
    pub fn is_one_ballot(&self) -> bool {
        self.request.as_ref().is_some_and(|r| r.get("posts").is_some())
    }
    /// The posts of a one-ballot round: (post id, name, seats, candidates).
    pub fn ballot_posts(&self) -> Vec<(Id, String, u64, Vec<String>)> {
        self.request.as_ref().and_then(|r| serde_json::from_value(r["posts"].clone()).ok()).unwrap_or_default()
    }
    /// This round as one post sees it: a one-ballot round's seats, candidates and result cut
    /// down to the post's part (what `next` reads).
    fn for_post(mut self, post: &str) -> RoundRec {
        if !self.is_one_ballot() {
            return self;
        }
        if let Some((_, _, seats, cands)) = self.ballot_posts().into_iter().find(|x| x.1 == post) {
            self.seats = seats;
            self.candidates = cands;
        }
        if let Some(res) = self.result.as_ref().and_then(|v| serde_json::from_value::<ElectionResult>(v.clone()).ok()) {
            if let Some(part) = res.posts.iter().find(|x| x.post == post) {
                let mut one = res.clone();
                one.runoff_type = part.runoff_type;
                one.runoff_needed_for = part.runoff_needed_for.clone();
                one.remaining_seats = part.remaining_seats;
                one.elected = part.elected.clone();
                self.result = serde_json::to_value(&one).ok();
            }
        }
        self
    }
    /// The round's counting rule as stored when it started.
    fn request_rule(&self) -> String {
        match &self.request {
            Some(v) if v.get("rule").is_some() => v["rule"].to_string(),
            Some(v) => v.to_string(),
            None => String::new(),
        }
    }
}

/// Counts a phone round once its vote is closed (the close counted it; this records it).
pub async fn count_phones(store: &Store, e: &Election, r: &RoundRec, change: &Change) -> Result<RoundRec> {
    let vote_id = r.vote_id.ok_or_else(|| StoreError::conflict("这一轮不是手机投票", "this round is not on phones"))?;
    if r.status != "open" {
        return Err(StoreError::conflict("这一轮已计票", "this round is counted already"));
    }
    let mut v: Vote = meetings::vote(store, vote_id).await?;
    if v.status() == VoteStatus::Open {
        v = meetings::close_vote(store, &v, change).await?;
    }
    let result: ElectionResult = serde_json::from_value(v.result.as_ref().map(|x| x["election"].clone()).unwrap_or_default())
        .map_err(|_| StoreError::conflict("表决结果缺少选举计票", "the vote's result has no election count"))?;
    finish_round(store, e, r, &result, None, change).await
}

/// Records a counted round: its result, the elected (R-F1), the round closed, in one transaction.
async fn finish_round(
    store: &Store,
    e: &Election,
    r: &RoundRec,
    result: &ElectionResult,
    request: Option<serde_json::Value>,
    change: &Change,
) -> Result<RoundRec> {
    let votes = |name: &str| result.tally.get(name).and_then(|v| v.as_u64()).unwrap_or(0) as i64;
    let noms = nominations(store, e).await?;
    let mut tx = store.pool.begin().await?;
    let n = q(
        "UPDATE election_rounds SET status = 'counted', result = $1, counted_at = $2, request = COALESCE($3, request) WHERE tenant_id = $4 AND id = $5 AND status = 'open'",
        [
            serde_json::to_string(result).unwrap_or_default().into(),
            change.now_ms.into(),
            request.map(|x| x.to_string()).into(),
            e.tenant_id.into(),
            r.id.into(),
        ],
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::conflict("这一轮已计票", "this round is counted already"));
    }
    // (post id, name, votes) of everyone elected: one post, or each post of a one-ballot round
    let mut winners: Vec<(Id, String, i64)> = result.elected.iter().map(|n| (r.post_id, n.clone(), votes(n))).collect();
    if r.is_one_ballot() {
        winners = r
            .ballot_posts()
            .iter()
            .filter_map(|(pid, name, _, _)| result.posts.iter().find(|x| &x.post == name).map(|part| (*pid, part)))
            .flat_map(|(pid, part)| part.elected.iter().map(move |n| (pid, n.clone(), part.tally.get(n).copied().unwrap_or(0) as i64)))
            .collect();
    }
    for (post_id, name, got) in &winners {
        // a nominee of this post, or one who came down from a higher post (倒着选)
        let person = noms
            .iter()
            .find(|x| x.post_id == *post_id && &x.name == name)
            .or_else(|| noms.iter().find(|x| &x.name == name && x.person_id.is_some()))
            .and_then(|x| x.person_id);
        q(
            "INSERT INTO election_elected (tenant_id, election_id, post_id, name, votes, round_id, person_id) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [e.tenant_id.into(), e.id.into(), (*post_id).into(), name.as_str().into(), (*got).into(), r.id.into(), person.into()],
        )
        .execute(&mut *tx)
        .await?;
    }
    append(
        &mut tx,
        e.tenant_id,
        change,
        "count_round",
        "election",
        Some(e.id),
        None,
        Some(serde_json::json!({"round": r.id, "elected": result.elected, "runoff_type": result.runoff_type, "remaining_seats": result.remaining_seats}).to_string()),
    )
    .await?;
    tx.commit().await?;
    round(store, r.id).await
}

/// R-G1: reduces a post's seats to `new_seats` instead of another round, with the electors'
/// consent or the presidium's decision recorded; never below those elected or the body's
/// minimum size.
pub async fn reduce_seats(
    store: &Store,
    e: &Election,
    post_id: Id,
    new_seats: u64,
    by: ReductionApproval,
    note: &str,
    change: &Change,
) -> Result<Post> {
    if e.status() != ElectionStatus::Voting {
        return Err(conflict_status(e, ElectionStatus::Voting));
    }
    let p = post(store, e, post_id).await?;
    let st = post_state(store, e, &p).await?;
    if st.open_round.is_some() || !matches!(st.next, Some((RoundKind::Supplementary, _, _))) {
        return Err(StoreError::conflict(
            "只有在需要另行选举时才能减少名额(R-G1)",
            "seats are reduced only when a supplementary election is due (R-G1)",
        ));
    }
    let done = p.seats - st.remaining;
    let other: u64 = posts(store, e).await?.iter().filter(|x| x.id != p.id).map(|x| x.seats).sum();
    check_reduction(done, p.seats, new_seats, e.min_size.saturating_sub(other))?;
    if note.trim().is_empty() {
        return Err(invalid("note", "请写明同意或决定的情况", "record how it was approved"));
    }
    let mut tx = store.pool.begin().await?;
    q(
        "UPDATE election_posts SET seats = $1, reduced_from = $2, reduced_by = $3, reduced_note = $4 WHERE tenant_id = $5 AND id = $6",
        [(new_seats as i64).into(), (p.seats as i64).into(), by.code().into(), note.trim().into(), e.tenant_id.into(), p.id.into()],
    )
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        e.tenant_id,
        change,
        "reduce_seats",
        "election",
        Some(e.id),
        Some(serde_json::json!({"post": p.name, "seats": p.seats}).to_string()),
        Some(serde_json::json!({"post": p.name, "seats": new_seats, "approved_by": by.code(), "note": note.trim()}).to_string()),
    )
    .await?;
    tx.commit().await?;
    post(store, e, post_id).await
}

/// Links an elected person who is not on the roster by id (a write-in, or a nominee named by
/// name) to a person, after the eligibility check (R-G3).
pub async fn link_elected(store: &Store, e: &Election, post_id: Id, name: &str, person_id: Id, change: &Change) -> Result<()> {
    let person = crate::people::get(store, person_id).await.map_err(|_| invalid("person_id", "人员不存在", "no such person"))?;
    if person.tenant_id != e.tenant_id {
        return Err(invalid("person_id", "该人员不属于本组织", "the person belongs to another tree"));
    }
    let mut tx = store.pool.begin().await?;
    let n = q(
        "UPDATE election_elected SET person_id = $1 WHERE tenant_id = $2 AND election_id = $3 AND post_id = $4 AND name = $5",
        [person_id.into(), e.tenant_id.into(), e.id.into(), post_id.into(), name.into()],
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::not_found());
    }
    append(
        &mut tx,
        e.tenant_id,
        change,
        "link_elected",
        "election",
        Some(e.id),
        None,
        Some(serde_json::json!({"name": name, "person_id": person_id}).to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Announces the result: every post complete (filled, reduced, or left vacant by the rules'
/// setting), every elected person linked to the roster; the elected become committee members
/// or delegates of the term (R-J1: their term is the congress's), then the election is marked
/// announced. Each roster entry is its own recorded write, so announcing again after a crash
/// adds only whoever is missing.
pub async fn announce(store: &Store, e: &Election, change: &Change) -> Result<Election> {
    if e.status() != ElectionStatus::Voting {
        return Err(conflict_status(e, ElectionStatus::Voting));
    }
    let ps = posts(store, e).await?;
    for p in &ps {
        let st = post_state(store, e, p).await?;
        if st.open_round.is_some() || st.next.is_some() {
            return Err(StoreError::conflict(format!("“{}”的选举尚未完成", p.name), format!("the election of “{}” is not complete", p.name)));
        }
    }
    let all = elected(store, e).await?;
    if let Some(x) = all.iter().find(|x| x.person_id.is_none()) {
        return Err(invalid(
            "person_id",
            format!("“{}”尚未对应到花名册中的人员(资格审查后关联)", x.name),
            format!("“{}” is not linked to a person on the roster yet", x.name),
        ));
    }
    let term = congress::term(store, e.term_id).await?;
    let noms = nominations(store, e).await?;
    // R-J9: a by-election of delegates fills the term's vacant seats, the post's constituency first
    let mut vacant = if e.by_election && e.target == "delegates" { congress::vacancies(store, &term).await? } else { Vec::new() };
    if e.by_election && e.target == "delegates" && vacant.len() < all.len() {
        return Err(StoreError::conflict(
            format!("补选 {} 人,但本届只有 {} 个空缺席位", all.len(), vacant.len()),
            format!("{} by-elected but the term has only {} vacant seats", all.len(), vacant.len()),
        ));
    }
    let today = lianxin_domain::error::fmt_date(change.today());
    for x in &all {
        let p = ps.iter().find(|p| p.id == x.post_id).ok_or_else(StoreError::not_found)?;
        let person = x.person_id.unwrap_or_default();
        let added = if e.target == "committee" {
            congress::add_committee_member(
                store,
                &term,
                &congress::CommitteeInput { person_id: person, post: p.roster_post.clone(), since: today.clone() },
                change,
            )
            .await
            .map(|_| ())
        } else {
            let category =
                noms.iter().find(|n| n.post_id == p.id && n.name == x.name).and_then(|n| n.category.clone()).unwrap_or_else(|| "other".into());
            let seat = vacant
                .iter()
                .position(|d| p.constituency.is_some() && d.constituency == p.constituency)
                .or(if vacant.is_empty() { None } else { Some(0) })
                .map(|k| vacant.remove(k));
            let input = DelegateInput {
                person_id: person,
                category,
                constituency: p.constituency.clone().or_else(|| seat.as_ref().and_then(|d| d.constituency.clone())),
                origin: Some(if e.by_election { "by_election" } else { "election" }.into()),
                elected_on: Some(today.clone()),
                replaces_id: seat.map(|d| d.id),
                ..Default::default()
            };
            congress::add_delegate(store, &term, &input, change).await.map(|_| ())
        };
        match added {
            Ok(()) => {}
            // on the roster already: an earlier announce got this far
            Err(StoreError::Domain(lianxin_domain::DomainError::Invalid(errs))) if errs.iter().any(|f| f.code == "duplicate") => {}
            Err(err) => return Err(err),
        }
    }
    set_status(store, e, ElectionStatus::Voting, ElectionStatus::Announced, Some(("announced_at", change.now_ms.into())), change).await
}

/// The elected's composition (R-J12) on `on`, and each guiding share against it.
pub async fn composition_of_elected(
    store: &Store,
    e: &Election,
    on: time::Date,
    lang: lianxin_domain::Lang,
) -> Result<(lianxin_domain::composition::Composition, Vec<TargetCheck>)> {
    use lianxin_domain::congress::DelegateCategory;
    let body = congress::body(store, e.body_id).await?;
    let noms = nominations(store, e).await?;
    let people: Vec<(Id, DelegateCategory)> = elected(store, e)
        .await?
        .iter()
        .filter_map(|x| {
            let cat = noms
                .iter()
                .find(|n| n.post_id == x.post_id && n.name == x.name)
                .and_then(|n| n.category.as_deref())
                .and_then(DelegateCategory::from_code);
            x.person_id.map(|p| (p, cat.unwrap_or(DelegateCategory::Other)))
        })
        .collect();
    let profiles = crate::reports::profiles_of(store, e.tenant_id, &people).await?;
    let c = lianxin_domain::composition::compose(
        &profiles,
        on,
        lianxin_domain::composition::CompositionSettings { youth_age_max: body.youth_age_max as i32 },
        lang,
    );
    let checks = check_targets(&c, &e.targets);
    Ok((c, checks))
}
