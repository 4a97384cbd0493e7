//! Bodies, terms, delegate groups, delegates and committee members.

use crate::audit::append;
use crate::db::{like_pattern, q, RowExt, Store, Q, V};
use crate::ids::new_id;
use crate::orgs::{self, Org};
use crate::people::{self, scope_clause};
use crate::{Change, Page, PageReq, Result, StoreError};
use lianxin_domain::congress::{
    change_qualification, validate_term, BodyKind, CommitteePost, DelegateInput, DelegateStatus, QualificationChange, QualificationChangeInput,
    TermInput,
};
use lianxin_domain::error::{parse_date, Errors};
use lianxin_domain::lang::Coded;
use lianxin_domain::{FieldError, Id};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

// ---------------------------------------------------------------- bodies

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Body {
    pub tenant_id: Id,
    pub id: Id,
    pub org_id: Id,
    pub org_path: String,
    pub org_name: String,
    pub name: String,
    pub kind: String,
    pub term_years: i64,
    /// Coverage counts a delegate as linked with at least this many members (default 3).
    pub min_members_per_delegate: i64,
    /// "35岁以下" in the composition table counts ages up to and including this.
    pub youth_age_max: i64,
    /// Signers a proposal or motion needs (R-J4: local; default 2, "联名").
    pub min_signers: i64,
    /// Days a handling unit has to reply (R-M4; default 90).
    pub deadline_days: i64,
    /// Days to handle again after an unsatisfied rating (R-M5; default 30).
    pub rehandle_days: i64,
    /// The congress is in session: proposals and motions are taken (R-J5).
    pub session_open: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct BodyInput {
    pub org_id: Id,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub term_years: Option<i64>,
    #[serde(default)]
    pub min_members_per_delegate: Option<i64>,
    #[serde(default)]
    pub youth_age_max: Option<i64>,
    #[serde(default)]
    pub min_signers: Option<i64>,
    #[serde(default)]
    pub deadline_days: Option<i64>,
    #[serde(default)]
    pub rehandle_days: Option<i64>,
    #[serde(default)]
    pub session_open: Option<bool>,
}

macro_rules! body_select {
    () => {
        "SELECT b.tenant_id, b.id, b.org_id, o.path AS org_path, o.name AS org_name, b.name, b.kind, b.term_years, b.min_members_per_delegate, b.youth_age_max, \
                b.min_signers, b.deadline_days, b.rehandle_days, b.session_open \
         FROM bodies b JOIN orgs o ON o.tenant_id = b.tenant_id AND o.id = b.org_id"
    };
}

impl Body {
    fn from_row(r: &AnyRow) -> Body {
        Body {
            tenant_id: r.i("tenant_id"),
            id: r.i("id"),
            org_id: r.i("org_id"),
            org_path: r.s("org_path"),
            org_name: r.s("org_name"),
            name: r.s("name"),
            kind: r.s("kind"),
            term_years: r.i("term_years"),
            min_members_per_delegate: r.i("min_members_per_delegate"),
            youth_age_max: r.i("youth_age_max"),
            min_signers: r.i("min_signers"),
            deadline_days: r.i("deadline_days"),
            rehandle_days: r.i("rehandle_days"),
            session_open: r.i("session_open") != 0,
        }
    }
    fn snapshot(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

pub async fn body(store: &Store, id: Id) -> Result<Body> {
    let r = q(concat!(body_select!(), " WHERE b.id = $1"), [id.into()]).fetch_optional(&store.pool).await?;
    r.map(|r| Body::from_row(&r)).ok_or_else(StoreError::not_found)
}

/// All bodies whose organisation is inside one of the scopes (all, for `[None]`).
pub async fn bodies(store: &Store, scopes: &[Option<String>]) -> Result<Vec<Body>> {
    let mut w = Q::new(concat!(body_select!(), " WHERE 1=1"));
    scope_clause(&mut w, scopes);
    w.push_raw(" ORDER BY o.path, b.name");
    Ok(w.build().fetch_all(&store.pool).await?.iter().map(Body::from_row).collect())
}

fn validate_body(input: &BodyInput) -> Result<(String, BodyKind, i64, i64, i64)> {
    let mut e = Errors::new();
    let name = e.text("name", "名称", &input.name, 60);
    let kind = BodyKind::from_code(input.kind.trim());
    if kind.is_none() {
        e.push(FieldError::new("kind", "bad_choice", "请选择会议类别", "choose the kind of body"));
    }
    let years = input.term_years.unwrap_or(5);
    if !(1..=10).contains(&years) {
        e.push(FieldError::new("term_years", "out_of_range", "每届年限应为 1 到 10 年", "term length must be 1 to 10 years"));
    }
    let min = input.min_members_per_delegate.unwrap_or(3);
    if !(1..=100).contains(&min) {
        e.push(FieldError::new("min_members_per_delegate", "out_of_range", "每名代表联系党员数应为 1 到 100", "must be 1 to 100"));
    }
    let youth = input.youth_age_max.unwrap_or(35);
    if !(18..=60).contains(&youth) {
        e.push(FieldError::new("youth_age_max", "out_of_range", "青年年龄界限应为 18 到 60", "must be 18 to 60"));
    }
    e.finish()?;
    Ok((name, kind.unwrap_or(BodyKind::PartyCongress), years, min, youth))
}

pub async fn create_body(store: &Store, input: &BodyInput, change: &Change) -> Result<Body> {
    create_body_with_id(store, input, new_id(change.now_ms), change).await
}

pub async fn create_body_with_id(store: &Store, input: &BodyInput, id: Id, change: &Change) -> Result<Body> {
    let (name, kind, years, min, youth) = validate_body(input)?;
    let org = orgs::get(store, input.org_id).await?;
    let b = Body {
        tenant_id: org.tenant_id,
        id,
        org_id: org.id,
        org_path: org.path.clone(),
        org_name: org.name.clone(),
        name,
        kind: kind.code().into(),
        term_years: years,
        min_members_per_delegate: min,
        youth_age_max: youth,
        min_signers: 2,
        deadline_days: 90,
        rehandle_days: 30,
        session_open: false,
    };
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO bodies (tenant_id, id, org_id, name, kind, term_years, min_members_per_delegate, youth_age_max, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        [
            b.tenant_id.into(),
            id.into(),
            org.id.into(),
            b.name.as_str().into(),
            b.kind.as_str().into(),
            years.into(),
            min.into(),
            youth.into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    append(&mut tx, b.tenant_id, change, "create", "body", Some(id), None, Some(b.snapshot())).await?;
    tx.commit().await?;
    crate::reports::network_changed();
    Ok(b)
}

/// Changes a body's name and settings (not its organisation). Settings left out keep their value.
pub async fn update_body(store: &Store, id: Id, input: &BodyInput, change: &Change) -> Result<Body> {
    let before = body(store, id).await?;
    let (name, kind, years, min, youth) = validate_body(input)?;
    let mut e = Errors::new();
    let mut range = |field: &str, zh: &str, v: Option<i64>, lo: i64, hi: i64, current: i64| match v {
        Some(x) if !(lo..=hi).contains(&x) => {
            e.push(FieldError::new(field, "out_of_range", format!("{zh}应为 {lo} 到 {hi}"), format!("{field} must be {lo} to {hi}")));
            current
        }
        Some(x) => x,
        None => current,
    };
    let min_signers = range("min_signers", "联名人数", input.min_signers, 1, 100, before.min_signers);
    let deadline_days = range("deadline_days", "办理期限天数", input.deadline_days, 1, 366, before.deadline_days);
    let rehandle_days = range("rehandle_days", "再次办理天数", input.rehandle_days, 1, 366, before.rehandle_days);
    e.finish()?;
    let mut after = before.clone();
    after.name = name;
    after.kind = kind.code().into();
    after.term_years = years;
    after.min_members_per_delegate = min;
    after.youth_age_max = youth;
    after.min_signers = min_signers;
    after.deadline_days = deadline_days;
    after.rehandle_days = rehandle_days;
    after.session_open = input.session_open.unwrap_or(before.session_open);
    let mut tx = store.pool.begin().await?;
    q(
        "UPDATE bodies SET name = $1, kind = $2, term_years = $3, min_members_per_delegate = $4, youth_age_max = $5, min_signers = $6, \
         deadline_days = $7, rehandle_days = $8, session_open = $9, updated_at = $10 WHERE tenant_id = $11 AND id = $12",
        [
            after.name.as_str().into(),
            after.kind.as_str().into(),
            years.into(),
            min.into(),
            youth.into(),
            min_signers.into(),
            deadline_days.into(),
            rehandle_days.into(),
            i64::from(after.session_open).into(),
            change.now_ms.into(),
            before.tenant_id.into(),
            id.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    append(&mut tx, before.tenant_id, change, "update", "body", Some(id), Some(before.snapshot()), Some(after.snapshot())).await?;
    tx.commit().await?;
    crate::reports::network_changed();
    Ok(after)
}

// ---------------------------------------------------------------- terms

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Term {
    pub tenant_id: Id,
    pub id: Id,
    pub body_id: Id,
    pub number: i64,
    pub starts_on: String,
    pub ends_on: String,
    pub seats: Option<i64>,
}

impl Term {
    fn from_row(r: &AnyRow) -> Term {
        Term {
            tenant_id: r.i("tenant_id"),
            id: r.i("id"),
            body_id: r.i("body_id"),
            number: r.i("number"),
            starts_on: r.s("starts_on"),
            ends_on: r.s("ends_on"),
            seats: r.oi("seats"),
        }
    }
    pub fn dates(&self) -> (time::Date, time::Date) {
        (parse_date(&self.starts_on).unwrap_or(time::Date::MIN), parse_date(&self.ends_on).unwrap_or(time::Date::MAX))
    }
}

pub async fn term(store: &Store, id: Id) -> Result<Term> {
    let r = q("SELECT * FROM terms WHERE id = $1", [id.into()]).fetch_optional(&store.pool).await?;
    r.map(|r| Term::from_row(&r)).ok_or_else(StoreError::not_found)
}

/// Terms of a body, newest first.
pub async fn terms(store: &Store, body: &Body) -> Result<Vec<Term>> {
    let rows = q("SELECT * FROM terms WHERE tenant_id = $1 AND body_id = $2 ORDER BY number DESC", [body.tenant_id.into(), body.id.into()])
        .fetch_all(&store.pool)
        .await?;
    Ok(rows.iter().map(Term::from_row).collect())
}

/// The term in force on `on` (ISO date), else the latest.
pub async fn current_term(store: &Store, body: &Body, on: &str) -> Result<Option<Term>> {
    let all = terms(store, body).await?;
    let current = all.iter().find(|t| t.starts_on.as_str() <= on && on < t.ends_on.as_str()).cloned();
    Ok(current.or_else(|| all.into_iter().next()))
}

pub async fn create_term(store: &Store, body: &Body, input: &TermInput, change: &Change) -> Result<Term> {
    create_term_with_id(store, body, input, new_id(change.now_ms), change).await
}

pub async fn create_term_with_id(store: &Store, body: &Body, input: &TermInput, id: Id, change: &Change) -> Result<Term> {
    let others: Vec<(i64, time::Date, time::Date)> = terms(store, body)
        .await?
        .iter()
        .map(|t| {
            let (s, e) = t.dates();
            (t.number, s, e)
        })
        .collect();
    let v = validate_term(input, body.term_years as i32, &others)?;
    let t = Term {
        tenant_id: body.tenant_id,
        id,
        body_id: body.id,
        number: v.number,
        starts_on: lianxin_domain::error::fmt_date(v.starts_on),
        ends_on: lianxin_domain::error::fmt_date(v.ends_on),
        seats: v.seats,
    };
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO terms (tenant_id, id, body_id, number, starts_on, ends_on, seats, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            t.tenant_id.into(),
            id.into(),
            body.id.into(),
            t.number.into(),
            t.starts_on.as_str().into(),
            t.ends_on.as_str().into(),
            t.seats.into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    append(&mut tx, t.tenant_id, change, "create", "term", Some(id), None, serde_json::to_string(&t).ok()).await?;
    tx.commit().await?;
    crate::reports::network_changed();
    Ok(t)
}

// ---------------------------------------------------------------- groups

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Group {
    pub tenant_id: Id,
    pub id: Id,
    pub term_id: Id,
    pub name: String,
    pub leader_id: Option<Id>,
    pub leader_name: Option<String>,
    pub members: i64,
}

pub async fn groups(store: &Store, term: &Term) -> Result<Vec<Group>> {
    let rows = q(
        "SELECT g.tenant_id, g.id, g.term_id, g.name, g.leader_id, lp.name AS leader_name, \
                (SELECT COUNT(*) FROM delegates d WHERE d.tenant_id = g.tenant_id AND d.group_id = g.id AND d.status = 'active') AS members \
         FROM delegate_groups g \
         LEFT JOIN delegates ld ON ld.tenant_id = g.tenant_id AND ld.id = g.leader_id \
         LEFT JOIN people lp ON lp.tenant_id = ld.tenant_id AND lp.id = ld.person_id \
         WHERE g.tenant_id = $1 AND g.term_id = $2 ORDER BY g.name",
        [term.tenant_id.into(), term.id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Group {
            tenant_id: r.i("tenant_id"),
            id: r.i("id"),
            term_id: r.i("term_id"),
            name: r.s("name"),
            leader_id: r.oi("leader_id"),
            leader_name: r.os("leader_name"),
            members: r.i("members"),
        })
        .collect())
}

pub async fn group(store: &Store, id: Id) -> Result<Group> {
    let r = q("SELECT tenant_id, term_id FROM delegate_groups WHERE id = $1", [id.into()])
        .fetch_optional(&store.pool)
        .await?
        .ok_or_else(StoreError::not_found)?;
    let t = term(store, r.i("term_id")).await?;
    groups(store, &t).await?.into_iter().find(|g| g.id == id).ok_or_else(StoreError::not_found)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct GroupInput {
    pub name: String,
    #[serde(default)]
    pub leader_id: Option<Id>,
}

pub async fn create_group(store: &Store, term: &Term, input: &GroupInput, change: &Change) -> Result<Group> {
    create_group_with_id(store, term, input, new_id(change.now_ms), change).await
}

pub async fn create_group_with_id(store: &Store, term: &Term, input: &GroupInput, id: Id, change: &Change) -> Result<Group> {
    let mut e = Errors::new();
    let name = e.text("name", "小组名称", &input.name, 40);
    e.finish()?;
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO delegate_groups (tenant_id, id, term_id, name, leader_id, created_at) VALUES ($1, $2, $3, $4, NULL, $5)",
        [term.tenant_id.into(), id.into(), term.id.into(), name.as_str().into(), change.now_ms.into()],
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| dup_group(e.into()))?;
    append(
        &mut tx,
        term.tenant_id,
        change,
        "create",
        "group",
        Some(id),
        None,
        Some(serde_json::json!({"name": name, "term_id": term.id}).to_string()),
    )
    .await?;
    tx.commit().await?;
    crate::reports::network_changed();
    Ok(Group { tenant_id: term.tenant_id, id, term_id: term.id, name, leader_id: None, leader_name: None, members: 0 })
}

fn dup_group(e: StoreError) -> StoreError {
    e.duplicate_as(FieldError::new("name", "duplicate", "本届已有同名代表小组", "a group of this name already exists in the term"))
}

/// Renames a group and sets its leader, who must be an active delegate of the group.
pub async fn update_group(store: &Store, id: Id, input: &GroupInput, change: &Change) -> Result<Group> {
    let before = group(store, id).await?;
    let mut e = Errors::new();
    let name = e.text("name", "小组名称", &input.name, 40);
    e.finish()?;
    if let Some(l) = input.leader_id {
        let d = delegate(store, l).await?;
        if d.group_id != Some(id) || d.status != "active" {
            return Err(StoreError::invalid(FieldError::new(
                "leader_id",
                "not_member",
                "组长须是本组在任代表",
                "the leader must be an active delegate of the group",
            )));
        }
    }
    let mut tx = store.pool.begin().await?;
    q(
        "UPDATE delegate_groups SET name = $1, leader_id = $2 WHERE tenant_id = $3 AND id = $4",
        [name.as_str().into(), input.leader_id.into(), before.tenant_id.into(), id.into()],
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| dup_group(e.into()))?;
    append(
        &mut tx,
        before.tenant_id,
        change,
        "update",
        "group",
        Some(id),
        serde_json::to_string(&before).ok(),
        Some(serde_json::json!({"name": name, "leader_id": input.leader_id}).to_string()),
    )
    .await?;
    tx.commit().await?;
    crate::reports::network_changed();
    group(store, id).await
}

// ---------------------------------------------------------------- delegates

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Delegate {
    pub tenant_id: Id,
    pub id: Id,
    pub term_id: Id,
    pub person_id: Id,
    pub name: String,
    pub gender: String,
    pub birth_date: Option<String>,
    pub ethnicity: String,
    pub education: Option<String>,
    pub phone: Option<String>,
    pub org_id: Id,
    pub org_name: String,
    pub org_path: String,
    pub category: String,
    pub constituency: Option<String>,
    pub group_id: Option<Id>,
    pub group_name: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub status_rule: Option<String>,
    pub status_note: Option<String>,
    pub status_on: Option<String>,
    pub status_proposed_by: Option<String>,
    pub status_decided_by: Option<String>,
    pub origin: String,
    pub elected_on: Option<String>,
    pub replaces_id: Option<Id>,
    /// For a vacated seat: the by-elected delegate who filled it.
    pub replaced_by: Option<Id>,
}

macro_rules! delegate_select {
    () => {
        "SELECT d.tenant_id, d.id, d.term_id, d.person_id, p.name, p.gender, p.birth_date, p.ethnicity, p.education, p.phone, \
                p.org_id, o.name AS org_name, o.path AS org_path, d.category, d.constituency, d.group_id, g.name AS group_name, \
                d.status, d.status_reason, d.status_rule, d.status_note, d.status_on, d.status_proposed_by, d.status_decided_by, \
                d.origin, d.elected_on, d.replaces_id, r.id AS replaced_by \
         FROM delegates d \
         JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id \
         JOIN orgs o ON o.tenant_id = p.tenant_id AND o.id = p.org_id \
         LEFT JOIN delegate_groups g ON g.tenant_id = d.tenant_id AND g.id = d.group_id \
         LEFT JOIN delegates r ON r.tenant_id = d.tenant_id AND r.replaces_id = d.id"
    };
}

impl Delegate {
    fn from_row(r: &AnyRow) -> Delegate {
        Delegate {
            tenant_id: r.i("tenant_id"),
            id: r.i("id"),
            term_id: r.i("term_id"),
            person_id: r.i("person_id"),
            name: r.s("name"),
            gender: r.s("gender"),
            birth_date: r.os("birth_date"),
            ethnicity: r.s("ethnicity"),
            education: r.os("education"),
            phone: r.os("phone"),
            org_id: r.i("org_id"),
            org_name: r.s("org_name"),
            org_path: r.s("org_path"),
            category: r.s("category"),
            constituency: r.os("constituency"),
            group_id: r.oi("group_id"),
            group_name: r.os("group_name"),
            status: r.s("status"),
            status_reason: r.os("status_reason"),
            status_rule: r.os("status_rule"),
            status_note: r.os("status_note"),
            status_on: r.os("status_on"),
            status_proposed_by: r.os("status_proposed_by"),
            status_decided_by: r.os("status_decided_by"),
            origin: r.s("origin"),
            elected_on: r.os("elected_on"),
            replaces_id: r.oi("replaces_id"),
            replaced_by: r.oi("replaced_by"),
        }
    }
    fn snapshot(&self) -> String {
        serde_json::json!({
            "person_id": self.person_id, "name": self.name, "category": self.category, "constituency": self.constituency,
            "group_id": self.group_id, "status": self.status, "status_reason": self.status_reason, "status_rule": self.status_rule,
            "status_on": self.status_on, "origin": self.origin, "replaces_id": self.replaces_id,
        })
        .to_string()
    }
    /// A seat left by this delegate and not yet filled by a by-election (R-J9).
    pub fn is_vacancy(&self) -> bool {
        DelegateStatus::from_code(&self.status).map(|s| s.leaves_seat_vacant()).unwrap_or(false) && self.replaced_by.is_none()
    }
}

pub async fn delegate(store: &Store, id: Id) -> Result<Delegate> {
    let r = q(concat!(delegate_select!(), " WHERE d.id = $1"), [id.into()]).fetch_optional(&store.pool).await?;
    r.map(|r| Delegate::from_row(&r)).ok_or_else(StoreError::not_found)
}

/// The delegate records of one person (a person may sit in several bodies and terms).
/// The seats of a term left vacant and not yet filled by a by-election (R-J9), oldest first.
pub async fn vacancies(store: &Store, term: &Term) -> Result<Vec<Delegate>> {
    let rows = q(
        concat!(delegate_select!(), " WHERE d.tenant_id = $1 AND d.term_id = $2 AND d.status <> 'active' ORDER BY d.status_on, d.id"),
        [term.tenant_id.into(), term.id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.iter().map(Delegate::from_row).filter(Delegate::is_vacancy).collect())
}

pub async fn delegates_of_person(store: &Store, tenant_id: Id, person_id: Id) -> Result<Vec<Delegate>> {
    let rows = q(
        concat!(delegate_select!(), " WHERE d.tenant_id = $1 AND d.person_id = $2 ORDER BY d.created_at DESC"),
        [tenant_id.into(), person_id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.iter().map(Delegate::from_row).collect())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct DelegateFilter {
    pub q: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub group_id: Option<Id>,
    pub gender: Option<String>,
    pub org_id: Option<Id>,
    /// Only vacated seats not yet filled.
    #[serde(default)]
    pub vacant: Option<bool>,
}

pub async fn delegates(store: &Store, term: &Term, scopes: &[Option<String>], f: &DelegateFilter, page: PageReq) -> Result<Page<Delegate>> {
    let mut w = Q::new("");
    w.push(" WHERE d.tenant_id = ? AND d.term_id = ?", [V::I(term.tenant_id), V::I(term.id)]);
    scope_clause(&mut w, scopes);
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pat = like_pattern(t);
        w.push(
            " AND (p.name LIKE ? ESCAPE '\\' OR d.constituency LIKE ? ESCAPE '\\' OR o.name LIKE ? ESCAPE '\\')",
            [V::T(pat.clone()), V::T(pat.clone()), V::T(pat)],
        );
    }
    if let Some(c) = f.category.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND d.category = ?", [V::T(c.into())]);
    }
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND d.status = ?", [V::T(s.into())]);
    }
    if let Some(g) = f.group_id {
        w.push(" AND d.group_id = ?", [V::I(g)]);
    }
    if let Some(g) = f.gender.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND p.gender = ?", [V::T(g.into())]);
    }
    if let Some(org_id) = f.org_id {
        let org = orgs::get(store, org_id).await?;
        w.push(" AND o.path LIKE ?", [V::T(format!("{}%", org.path))]);
    }
    if f.vacant == Some(true) {
        w.push_raw(" AND d.status <> 'active' AND r.id IS NULL");
    }
    let count = Q::head_where(
        "SELECT COUNT(*) AS n FROM delegates d JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id \
         JOIN orgs o ON o.tenant_id = p.tenant_id AND o.id = p.org_id \
         LEFT JOIN delegates r ON r.tenant_id = d.tenant_id AND r.replaces_id = d.id",
        &w,
    );
    let total = count.build().fetch_one(&store.pool).await?.i("n");
    let mut sel = Q::head_where(delegate_select!(), &w);
    sel.push(" ORDER BY g.name, o.path, p.name, d.id LIMIT ? OFFSET ?", [V::I(page.per_page), V::I(page.offset())]);
    let items = sel.build().fetch_all(&store.pool).await?.iter().map(Delegate::from_row).collect();
    Ok(Page { items, total, page: page.page, per_page: page.per_page })
}

async fn check_group(store: &Store, term: &Term, group_id: Option<Id>) -> Result<()> {
    if let Some(g) = group_id {
        let grp =
            group(store, g).await.map_err(|_| StoreError::invalid(FieldError::new("group_id", "not_found", "代表小组不存在", "no such group")))?;
        if grp.term_id != term.id {
            return Err(StoreError::invalid(FieldError::new("group_id", "other_term", "代表小组不属于本届", "the group belongs to another term")));
        }
    }
    Ok(())
}

/// Makes a person a delegate of a term; a by-election fills a vacant seat (R-J9).
pub async fn add_delegate(store: &Store, term: &Term, input: &DelegateInput, change: &Change) -> Result<Delegate> {
    add_delegate_with_id(store, term, input, new_id(change.now_ms), change).await
}

pub async fn add_delegate_with_id(store: &Store, term: &Term, input: &DelegateInput, id: Id, change: &Change) -> Result<Delegate> {
    let v = input.validate(term.dates())?;
    let person = people::get(store, v.person_id)
        .await
        .map_err(|_| StoreError::invalid(FieldError::new("person_id", "not_found", "人员不存在", "no such person")))?;
    if person.tenant_id != term.tenant_id {
        return Err(StoreError::invalid(FieldError::new("person_id", "other_tree", "该人员不属于本组织", "the person belongs to another tree")));
    }
    if !person.is_member() {
        return Err(StoreError::invalid(FieldError::new("person_id", "not_member", "党代表须是正式或预备党员", "a delegate must be a party member")));
    }
    check_group(store, term, v.group_id).await?;
    if let Some(r) = v.replaces_id {
        let old = delegate(store, r).await?;
        if old.term_id != term.id || !old.is_vacancy() {
            return Err(StoreError::invalid(FieldError::new(
                "replaces_id",
                "not_vacant",
                "所补席位不是本届的空缺",
                "that seat is not a vacancy of this term",
            )));
        }
    }
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO delegates (tenant_id, id, term_id, person_id, category, constituency, group_id, status, origin, elected_on, replaces_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $11, $11)",
        [
            term.tenant_id.into(),
            id.into(),
            term.id.into(),
            person.id.into(),
            v.category.code().into(),
            v.constituency.clone().into(),
            v.group_id.into(),
            v.origin.code().into(),
            v.elected_on.clone().into(),
            v.replaces_id.into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| StoreError::from(e).duplicate_as(FieldError::new("person_id", "duplicate", "此人已是本届代表(或该空缺已补)", "already a delegate of this term, or the seat is filled")))?;
    append(
        &mut tx,
        term.tenant_id,
        change,
        "create",
        "delegate",
        Some(id),
        None,
        Some(serde_json::json!({"person_id": person.id, "name": person.name, "term_id": term.id, "category": v.category.code(), "origin": v.origin.code(), "replaces_id": v.replaces_id}).to_string()),
    )
    .await?;
    tx.commit().await?;
    crate::reports::network_changed();
    delegate(store, id).await
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct DelegateEdit {
    pub category: String,
    #[serde(default)]
    pub constituency: Option<String>,
    #[serde(default)]
    pub group_id: Option<Id>,
}

/// Edits a delegate's category, constituency and group.
pub async fn update_delegate(store: &Store, id: Id, input: &DelegateEdit, change: &Change) -> Result<Delegate> {
    let before = delegate(store, id).await?;
    let term = term(store, before.term_id).await?;
    let v = DelegateInput {
        person_id: before.person_id,
        category: input.category.clone(),
        constituency: input.constituency.clone(),
        group_id: input.group_id,
        ..Default::default()
    }
    .validate(term.dates())?;
    check_group(store, &term, v.group_id).await?;
    let mut tx = store.pool.begin().await?;
    q(
        "UPDATE delegates SET category = $1, constituency = $2, group_id = $3, updated_at = $4 WHERE tenant_id = $5 AND id = $6",
        [v.category.code().into(), v.constituency.clone().into(), v.group_id.into(), change.now_ms.into(), before.tenant_id.into(), id.into()],
    )
    .execute(&mut *tx)
    .await?;
    // a leader who leaves the group stops leading it
    if before.group_id != v.group_id {
        if let Some(g) = before.group_id {
            q(
                "UPDATE delegate_groups SET leader_id = NULL WHERE tenant_id = $1 AND id = $2 AND leader_id = $3",
                [before.tenant_id.into(), g.into(), id.into()],
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    let mut after = before.clone();
    after.category = v.category.code().into();
    after.constituency = v.constituency;
    after.group_id = v.group_id;
    append(&mut tx, before.tenant_id, change, "update", "delegate", Some(id), Some(before.snapshot()), Some(after.snapshot())).await?;
    tx.commit().await?;
    crate::reports::network_changed();
    delegate(store, id).await
}

/// Terminates a qualification or stops duties (R-J6 … R-J9). Nothing is deleted: the seat
/// becomes vacant and is listed for a by-election.
pub async fn change_delegate_qualification(
    store: &Store,
    id: Id,
    input: &QualificationChangeInput,
    change: &Change,
) -> Result<(Delegate, QualificationChange)> {
    let before = delegate(store, id).await?;
    let term = term(store, before.term_id).await?;
    let status = DelegateStatus::from_code(&before.status).unwrap_or(DelegateStatus::Active);
    let c = change_qualification(status, term.dates().0, input, change.today())?;
    let mut tx = store.pool.begin().await?;
    q(
        "UPDATE delegates SET status = $1, status_reason = $2, status_rule = $3, status_note = $4, status_on = $5, status_proposed_by = $6, \
         status_decided_by = $7, updated_at = $8 WHERE tenant_id = $9 AND id = $10 AND status = $11",
        [
            c.new_status.code().into(),
            c.reason.code().into(),
            c.rule.into(),
            c.note.clone().into(),
            c.decided_on.as_str().into(),
            c.proposed_by.clone().into(),
            c.decided_by.clone().into(),
            change.now_ms.into(),
            before.tenant_id.into(),
            id.into(),
            before.status.as_str().into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    if let Some(g) = before.group_id {
        q(
            "UPDATE delegate_groups SET leader_id = NULL WHERE tenant_id = $1 AND id = $2 AND leader_id = $3",
            [before.tenant_id.into(), g.into(), id.into()],
        )
        .execute(&mut *tx)
        .await?;
    }
    let mut after = before.clone();
    after.status = c.new_status.code().into();
    after.status_reason = Some(c.reason.code().into());
    after.status_rule = Some(c.rule.into());
    after.status_on = Some(c.decided_on.clone());
    append(&mut tx, before.tenant_id, change, "qualification", "delegate", Some(id), Some(before.snapshot()), Some(after.snapshot())).await?;
    tx.commit().await?;
    crate::reports::network_changed();
    Ok((delegate(store, id).await?, c))
}

// ---------------------------------------------------------------- committee members

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CommitteeMember {
    pub tenant_id: Id,
    pub id: Id,
    pub term_id: Id,
    pub person_id: Id,
    pub name: String,
    pub post: String,
    pub since: String,
    pub until: Option<String>,
}

pub async fn committee(store: &Store, term: &Term) -> Result<Vec<CommitteeMember>> {
    let rows = q(
        "SELECT c.tenant_id, c.id, c.term_id, c.person_id, p.name, c.post, c.since, c.until FROM committee_members c \
         JOIN people p ON p.tenant_id = c.tenant_id AND p.id = c.person_id \
         WHERE c.tenant_id = $1 AND c.term_id = $2 \
         ORDER BY CASE c.post WHEN 'secretary' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, c.since, p.name",
        [term.tenant_id.into(), term.id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| CommitteeMember {
            tenant_id: r.i("tenant_id"),
            id: r.i("id"),
            term_id: r.i("term_id"),
            person_id: r.i("person_id"),
            name: r.s("name"),
            post: r.s("post"),
            since: r.s("since"),
            until: r.os("until"),
        })
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct CommitteeInput {
    pub person_id: Id,
    pub post: String,
    pub since: String,
}

pub async fn add_committee_member(store: &Store, term: &Term, input: &CommitteeInput, change: &Change) -> Result<CommitteeMember> {
    let mut e = Errors::new();
    let post = CommitteePost::from_code(input.post.trim());
    if post.is_none() {
        e.push(FieldError::new("post", "bad_choice", "请选择职务", "choose the post"));
    }
    let since = e.date("since", "任职日期", &input.since);
    e.finish()?;
    let person = people::get(store, input.person_id)
        .await
        .map_err(|_| StoreError::invalid(FieldError::new("person_id", "not_found", "人员不存在", "no such person")))?;
    if person.tenant_id != term.tenant_id {
        return Err(StoreError::invalid(FieldError::new("person_id", "other_tree", "该人员不属于本组织", "the person belongs to another tree")));
    }
    let existing = committee(store, term).await?;
    if existing.iter().any(|c| c.person_id == person.id && c.until.is_none()) {
        return Err(StoreError::invalid(FieldError::new("person_id", "duplicate", "此人已是本届委员", "already a committee member in this term")));
    }
    let id = new_id(change.now_ms);
    let since = lianxin_domain::error::fmt_date(since.unwrap_or(change.today()));
    let post = post.unwrap_or(CommitteePost::Member);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO committee_members (tenant_id, id, term_id, person_id, post, since, until, created_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
        [term.tenant_id.into(), id.into(), term.id.into(), person.id.into(), post.code().into(), since.as_str().into(), change.now_ms.into()],
    )
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        term.tenant_id,
        change,
        "create",
        "committee_member",
        Some(id),
        None,
        Some(serde_json::json!({"person_id": person.id, "name": person.name, "post": post.code(), "since": since}).to_string()),
    )
    .await?;
    tx.commit().await?;
    crate::reports::network_changed();
    Ok(CommitteeMember {
        tenant_id: term.tenant_id,
        id,
        term_id: term.id,
        person_id: person.id,
        name: person.name,
        post: post.code().into(),
        since,
        until: None,
    })
}

/// Records that a committee member left on `until` (default today). The record stays, so
/// the committee's history for the term is kept; their group links end the same day.
pub async fn end_committee_member(store: &Store, id: Id, until: Option<&str>, change: &Change) -> Result<CommitteeMember> {
    let r = q("SELECT tenant_id, term_id FROM committee_members WHERE id = $1", [id.into()])
        .fetch_optional(&store.pool)
        .await?
        .ok_or_else(StoreError::not_found)?;
    let t = term(store, r.i("term_id")).await?;
    let before = committee(store, &t).await?.into_iter().find(|c| c.id == id).ok_or_else(StoreError::not_found)?;
    if before.until.is_some() {
        return Err(StoreError::conflict("该委员已离任", "already left"));
    }
    let mut e = Errors::new();
    let until = e.opt_date("until", "离任日期", until).unwrap_or(change.today());
    e.finish()?;
    let until = lianxin_domain::error::fmt_date(until);
    if until < before.since {
        return Err(StoreError::invalid(FieldError::new("until", "out_of_range", "离任日期不能早于任职日期", "cannot leave before starting")));
    }
    let mut tx = store.pool.begin().await?;
    q("UPDATE committee_members SET until = $1 WHERE tenant_id = $2 AND id = $3", [until.as_str().into(), t.tenant_id.into(), id.into()])
        .execute(&mut *tx)
        .await?;
    q(
        "UPDATE liaison_links SET ends_on = $1 WHERE tenant_id = $2 AND kind = 'committee_group' AND from_id = $3 AND ends_on IS NULL",
        [until.as_str().into(), t.tenant_id.into(), id.into()],
    )
    .execute(&mut *tx)
    .await?;
    let mut after = before.clone();
    after.until = Some(until);
    append(
        &mut tx,
        t.tenant_id,
        change,
        "end",
        "committee_member",
        Some(id),
        serde_json::to_string(&before).ok(),
        serde_json::to_string(&after).ok(),
    )
    .await?;
    tx.commit().await?;
    crate::reports::network_changed();
    Ok(after)
}

/// The organisation a body belongs to (for scope checks on everything inside the body).
pub async fn body_org(store: &Store, body: &Body) -> Result<Org> {
    orgs::get(store, body.org_id).await
}
