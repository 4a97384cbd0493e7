//! Activities, duty rules, standings, duty files and totals (the rules themselves are in
//! `lianxin_domain::duty`). Activities are never erased: removing one marks it removed
//! (it can be restored), and both are audited.

use crate::audit::append;
use crate::congress::{Body, Term};
use crate::db::{q, RowExt, Store, Q, V};
use crate::ids::new_id;
use crate::{Change, Page, PageReq, Result, StoreError};
use lianxin_domain::duty::{self, ActivityKind, AppliesTo, DutyRule, Standing, Subject, ValidActivity};
use lianxin_domain::error::{fmt_date, parse_date};
use lianxin_domain::lang::Coded;
use lianxin_domain::{FieldError, Id};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Activity {
    pub tenant_id: Id,
    pub id: Id,
    pub body_id: Id,
    pub term_id: Id,
    pub kind: String,
    pub on_date: String,
    pub place: String,
    pub summary: String,
    pub notes: String,
    pub outcome: Option<String>,
    pub served: i64,
    pub group_id: Option<Id>,
    pub group_name: Option<String>,
    pub recorded_by: String,
    pub created_at: i64,
    pub deleted_at: Option<i64>,
    /// (delegate id, name) of those who took part.
    pub delegates: Vec<(Id, String)>,
}

impl Activity {
    pub fn kind(&self) -> Option<ActivityKind> {
        ActivityKind::from_code(&self.kind)
    }
}

const ACTIVITY_SELECT: &str = "SELECT a.tenant_id, a.id, a.body_id, a.term_id, a.kind, a.on_date, a.place, a.summary, a.notes, a.outcome, a.served, \
     a.group_id, g.name AS group_name, a.recorded_by, a.created_at, a.deleted_at \
     FROM activities a LEFT JOIN delegate_groups g ON g.tenant_id = a.tenant_id AND g.id = a.group_id";

fn activity_of(r: &sqlx::any::AnyRow) -> Activity {
    Activity {
        tenant_id: r.i("tenant_id"),
        id: r.i("id"),
        body_id: r.i("body_id"),
        term_id: r.i("term_id"),
        kind: r.s("kind"),
        on_date: r.s("on_date"),
        place: r.s("place"),
        summary: r.s("summary"),
        notes: r.s("notes"),
        outcome: r.os("outcome"),
        served: r.i("served"),
        group_id: r.oi("group_id"),
        group_name: r.os("group_name"),
        recorded_by: r.s("recorded_by"),
        created_at: r.i("created_at"),
        deleted_at: r.oi("deleted_at"),
        delegates: Vec::new(),
    }
}

/// Fills in who took part, for a page of activities at once.
async fn with_delegates(store: &Store, mut items: Vec<Activity>) -> Result<Vec<Activity>> {
    let Some(tenant) = items.first().map(|a| a.tenant_id) else { return Ok(items) };
    let ids: Vec<Id> = items.iter().map(|a| a.id).collect();
    let mut by: BTreeMap<Id, Vec<(Id, String)>> = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let mut b = Q::new(
            "SELECT ad.activity_id, d.id, p.name FROM activity_delegates ad JOIN delegates d ON d.tenant_id = ad.tenant_id AND d.id = ad.delegate_id \
             JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id WHERE ad.tenant_id = ",
        );
        b.push("? AND ad.activity_id IN ", [V::I(tenant)]).push_in(chunk);
        for r in b.build().fetch_all(&store.pool).await? {
            by.entry(r.i("activity_id")).or_default().push((r.i("id"), r.s("name")));
        }
    }
    for a in &mut items {
        a.delegates = by.remove(&a.id).unwrap_or_default();
        a.delegates.sort_by(|x, y| x.1.cmp(&y.1));
    }
    Ok(items)
}

pub async fn get(store: &Store, id: Id) -> Result<Activity> {
    let mut b = Q::new(ACTIVITY_SELECT);
    b.push(" WHERE a.id = ?", [V::I(id)]);
    let r = b.build().fetch_optional(&store.pool).await?.ok_or_else(StoreError::not_found)?;
    Ok(with_delegates(store, vec![activity_of(&r)]).await?.remove(0))
}

/// Records an activity of a term: its date must fall within the term, and those who took
/// part must be delegates (or a group) of that term.
/// What an activity dealt with: requests (by tracking code, as a delegate has them on paper)
/// and the research topic it carried out.
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub request_codes: Vec<String>,
    /// Numbers of proposals and suggestions it produced ("2026-003").
    pub proposal_numbers: Vec<String>,
    pub topic: Option<Id>,
    /// The studio where a reception took place (the record of that reception day).
    pub studio: Option<Id>,
}

impl Links {
    /// Proposal numbers as typed, separated like codes.
    pub fn parse_numbers(raw: &str) -> Vec<String> {
        let mut out: Vec<String> = raw
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '\u{FF0C}' | ';' | '\u{FF1B}' | '\u{3001}'))
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Codes as typed: separated by spaces, commas or new lines; any case, with or without dashes.
    pub fn parse_codes(raw: &str) -> std::result::Result<Vec<String>, FieldError> {
        let mut out = Vec::new();
        for part in raw.split(|c: char| c.is_whitespace() || matches!(c, ',' | '\u{FF0C}' | ';' | '\u{FF1B}' | '\u{3001}')).filter(|p| !p.is_empty())
        {
            match lianxin_domain::request::normalise_code(part) {
                Some(c) => out.push(c),
                None => {
                    return Err(FieldError::new(
                        "requests",
                        "bad_code",
                        format!("查询码“{part}”格式不对"),
                        format!("“{part}” is not a tracking code"),
                    ));
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

pub async fn record(store: &Store, body: &Body, term: &Term, v: &ValidActivity, change: &Change) -> Result<Activity> {
    record_linked(store, body, term, v, &Links::default(), change).await
}

/// Records an activity with what it dealt with: the requests must be this congress's, the
/// topic an open one of it (it is then done, and its requests are linked too).
pub async fn record_linked(store: &Store, body: &Body, term: &Term, v: &ValidActivity, links: &Links, change: &Change) -> Result<Activity> {
    let on = fmt_date(v.on);
    if on < term.starts_on || on >= term.ends_on {
        return Err(StoreError::invalid(FieldError::new(
            "on",
            "outside_term",
            format!("活动日期须在本届任期内({} 至 {})", term.starts_on, term.ends_on),
            format!("the date must fall within the term ({} to {})", term.starts_on, term.ends_on),
        )));
    }
    if !v.delegates.is_empty() {
        let mut b = Q::new("SELECT COUNT(*) AS n FROM delegates WHERE tenant_id = ");
        b.push("? AND term_id = ? AND id IN ", [V::I(term.tenant_id), V::I(term.id)]).push_in(&v.delegates);
        if b.build().fetch_one(&store.pool).await?.i("n") != v.delegates.len() as i64 {
            return Err(StoreError::invalid(FieldError::new(
                "delegates",
                "other_term",
                "参加的代表须是本届代表",
                "those taking part must be delegates of this term",
            )));
        }
    }
    if let Some(g) = v.group {
        let n = q(
            "SELECT COUNT(*) AS n FROM delegate_groups WHERE tenant_id = $1 AND term_id = $2 AND id = $3",
            [term.tenant_id.into(), term.id.into(), g.into()],
        )
        .fetch_one(&store.pool)
        .await?
        .i("n");
        if n == 0 {
            return Err(StoreError::invalid(FieldError::new("group", "other_term", "代表小组须属于本届", "the group must belong to this term")));
        }
    }
    let mut requests: Vec<Id> = Vec::new();
    for code in &links.request_codes {
        match crate::requests::by_code(store, code).await? {
            Some(r) if r.body_id == body.id => requests.push(r.id),
            _ => {
                return Err(StoreError::invalid(FieldError::new(
                    "requests",
                    "not_found",
                    format!("本代表大会没有查询码为 {code} 的诉求"),
                    format!("this congress has no request {code}"),
                )))
            }
        }
    }
    let mut proposals: Vec<Id> = Vec::new();
    for number in &links.proposal_numbers {
        let found = q(
            "SELECT id FROM proposals WHERE tenant_id = $1 AND body_id = $2 AND number = $3",
            [body.tenant_id.into(), body.id.into(), number.as_str().into()],
        )
        .fetch_optional(&store.pool)
        .await?;
        match found {
            Some(r) => proposals.push(r.i("id")),
            None => {
                return Err(StoreError::invalid(FieldError::new(
                    "proposals",
                    "not_found",
                    format!("本代表大会没有编号为 {number} 的提案或建议"),
                    format!("this congress has no proposal numbered {number}"),
                )))
            }
        }
    }
    let topic = match links.topic {
        Some(t) => {
            let topic = crate::topics::get(store, t).await?;
            if topic.body_id != body.id || topic.status != "open" {
                return Err(StoreError::invalid(FieldError::new(
                    "topic",
                    "closed",
                    "这个调研课题已完成或不属于本代表大会",
                    "this topic is done or not this congress's",
                )));
            }
            requests.extend(crate::topics::request_ids(store, &topic).await?);
            Some(topic)
        }
        None => None,
    };
    requests.sort_unstable();
    requests.dedup();
    if let Some(st) = links.studio {
        if !crate::reception::studios(store, body).await?.iter().any(|s| s.id == st) {
            return Err(StoreError::invalid(FieldError::new("studio", "other_body", "工作室须属于本代表大会", "the studio must be this congress's")));
        }
    }
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    if let Some(t) = &topic {
        // the topic is taken by one activity only: the status guard makes a second one fail
        let done = q(
            "UPDATE research_topics SET status = 'done', activity_id = $1 WHERE tenant_id = $2 AND id = $3 AND status = 'open'",
            [id.into(), t.tenant_id.into(), t.id.into()],
        )
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::conflict("这个调研课题刚被记录完成", "this topic has just been recorded as done"));
        }
        q(
            "INSERT INTO activity_links (tenant_id, activity_id, subject, subject_id) VALUES ($1, $2, 'topic', $3)",
            [t.tenant_id.into(), id.into(), t.id.into()],
        )
        .execute(&mut *tx)
        .await?;
    }
    if let Some(st) = links.studio {
        q(
            "INSERT INTO activity_links (tenant_id, activity_id, subject, subject_id) VALUES ($1, $2, 'studio', $3)",
            [term.tenant_id.into(), id.into(), st.into()],
        )
        .execute(&mut *tx)
        .await?;
    }
    for p in &proposals {
        q(
            "INSERT INTO activity_links (tenant_id, activity_id, subject, subject_id) VALUES ($1, $2, 'proposal', $3)",
            [term.tenant_id.into(), id.into(), (*p).into()],
        )
        .execute(&mut *tx)
        .await?;
    }
    for r in &requests {
        q(
            "INSERT INTO activity_links (tenant_id, activity_id, subject, subject_id) VALUES ($1, $2, 'request', $3)",
            [term.tenant_id.into(), id.into(), (*r).into()],
        )
        .execute(&mut *tx)
        .await?;
    }
    q(
        "INSERT INTO activities (tenant_id, id, body_id, term_id, kind, on_date, place, summary, notes, outcome, served, group_id, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        [
            term.tenant_id.into(),
            id.into(),
            body.id.into(),
            term.id.into(),
            v.kind.code().into(),
            on.as_str().into(),
            v.place.as_str().into(),
            v.summary.as_str().into(),
            v.notes.as_str().into(),
            v.outcome.map(|o| o.code()).into(),
            v.served.into(),
            v.group.into(),
            change.actor_name.as_str().into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    for d in &v.delegates {
        q(
            "INSERT INTO activity_delegates (tenant_id, activity_id, delegate_id) VALUES ($1, $2, $3)",
            [term.tenant_id.into(), id.into(), (*d).into()],
        )
        .execute(&mut *tx)
        .await?;
    }
    append(
        &mut tx,
        term.tenant_id,
        change,
        "record",
        "activity",
        Some(id),
        None,
        Some(
            serde_json::json!({"kind": v.kind.code(), "on": on, "summary": v.summary, "delegates": v.delegates, "group": v.group,
                "requests": requests, "proposals": proposals, "topic": links.topic, "studio": links.studio})
            .to_string(),
        ),
    )
    .await?;
    tx.commit().await?;
    get(store, id).await
}

/// Adds a photo or document to an activity that is not removed.
pub async fn attach(store: &Store, id: Id, filename: &str, bytes: Vec<u8>, change: &Change) -> Result<crate::files::Attachment> {
    let a = get(store, id).await?;
    if a.deleted_at.is_some() {
        return Err(StoreError::conflict("已删除的活动不能添加附件", "nothing can be attached to a removed activity"));
    }
    let file = crate::files::check(filename, bytes)?;
    let name = file.name.clone();
    let mut tx = store.pool.begin().await?;
    let f = crate::files::insert(&mut tx, a.tenant_id, crate::files::Owner::Activity, a.id, file, change).await?;
    append(&mut tx, a.tenant_id, change, "attach", "activity", Some(a.id), None, Some(serde_json::json!({"file": name, "size": f.size}).to_string()))
        .await?;
    tx.commit().await?;
    Ok(f)
}

/// The ids an activity is linked to, by kind of subject ("request", "topic").
pub async fn links(store: &Store, a: &Activity, subject: &str) -> Result<Vec<Id>> {
    Ok(q(
        "SELECT subject_id FROM activity_links WHERE tenant_id = $1 AND activity_id = $2 AND subject = $3 ORDER BY subject_id",
        [a.tenant_id.into(), a.id.into(), subject.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| r.i("subject_id"))
    .collect())
}

/// The (live) activities that dealt with a subject, newest first.
pub async fn linked_to(store: &Store, tenant: Id, subject: &str, id: Id) -> Result<Vec<Activity>> {
    let ids: Vec<Id> = q(
        "SELECT l.activity_id FROM activity_links l JOIN activities a ON a.tenant_id = l.tenant_id AND a.id = l.activity_id \
         WHERE l.tenant_id = $1 AND l.subject = $2 AND l.subject_id = $3 AND a.deleted_at IS NULL ORDER BY a.on_date DESC, a.id DESC",
        [tenant.into(), subject.into(), id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| r.i("activity_id"))
    .collect();
    let mut out = Vec::with_capacity(ids.len());
    for a in ids {
        out.push(get(store, a).await?);
    }
    Ok(out)
}

/// Removes an activity from the counts (or, with `removed = false`, restores it).
pub async fn set_removed(store: &Store, id: Id, removed: bool, change: &Change) -> Result<Activity> {
    let a = get(store, id).await?;
    let mut tx = store.pool.begin().await?;
    let at: Option<i64> = removed.then_some(change.now_ms);
    q("UPDATE activities SET deleted_at = $1 WHERE tenant_id = $2 AND id = $3", [at.into(), a.tenant_id.into(), id.into()]).execute(&mut *tx).await?;
    // a research topic it carried out is open again while it is removed
    if removed {
        q(
            "UPDATE research_topics SET status = 'open', activity_id = NULL WHERE tenant_id = $1 AND activity_id = $2",
            [a.tenant_id.into(), id.into()],
        )
        .execute(&mut *tx)
        .await?;
    } else {
        q(
            "UPDATE research_topics SET status = 'done', activity_id = $1 WHERE tenant_id = $2 AND status = 'open' \
             AND id IN (SELECT subject_id FROM activity_links WHERE tenant_id = $2 AND activity_id = $1 AND subject = 'topic')",
            [id.into(), a.tenant_id.into()],
        )
        .execute(&mut *tx)
        .await?;
    }
    append(&mut tx, a.tenant_id, change, if removed { "remove" } else { "restore" }, "activity", Some(id), None, None).await?;
    tx.commit().await?;
    get(store, id).await
}

#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub delegate: Option<Id>,
    pub group: Option<Id>,
    pub kind: Option<String>,
    /// ISO dates, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    pub include_removed: bool,
}

/// The activities of a term, newest first.
pub async fn list(store: &Store, term: &Term, f: &ActivityFilter, page: PageReq) -> Result<Page<Activity>> {
    let mut w = Q::new("");
    w.push(" WHERE a.tenant_id = ? AND a.term_id = ?", [V::I(term.tenant_id), V::I(term.id)]);
    if !f.include_removed {
        w.push_raw(" AND a.deleted_at IS NULL");
    }
    if let Some(d) = f.delegate {
        w.push(
            " AND EXISTS (SELECT 1 FROM activity_delegates x WHERE x.tenant_id = a.tenant_id AND x.activity_id = a.id AND x.delegate_id = ?)",
            [V::I(d)],
        );
    }
    if let Some(g) = f.group {
        w.push(" AND a.group_id = ?", [V::I(g)]);
    }
    if let Some(k) = f.kind.as_deref().filter(|k| !k.is_empty()) {
        w.push(" AND a.kind = ?", [V::T(k.into())]);
    }
    if let Some(d) = f.from.as_deref().filter(|d| !d.is_empty()) {
        w.push(" AND a.on_date >= ?", [V::T(d.into())]);
    }
    if let Some(d) = f.to.as_deref().filter(|d| !d.is_empty()) {
        w.push(" AND a.on_date <= ?", [V::T(d.into())]);
    }
    let total = Q::head_where("SELECT COUNT(*) AS n FROM activities a", &w).build().fetch_one(&store.pool).await?.i("n");
    let mut sel = Q::head_where(ACTIVITY_SELECT, &w);
    sel.push(" ORDER BY a.on_date DESC, a.id DESC LIMIT ? OFFSET ?", [V::I(page.per_page), V::I(page.offset())]);
    let items: Vec<Activity> = sel.build().fetch_all(&store.pool).await?.iter().map(activity_of).collect();
    Ok(Page { items: with_delegates(store, items).await?, total, page: page.page, per_page: page.per_page })
}

// ---- rules and points ----

/// A body's rules, with their ids, in the order they were made.
pub async fn rules(store: &Store, body: &Body) -> Result<Vec<(Id, DutyRule)>> {
    let rows = q(
        "SELECT id, subject, applies_to, min_count, months, warn_days FROM duty_rules WHERE tenant_id = $1 AND body_id = $2 ORDER BY created_at, id",
        [body.tenant_id.into(), body.id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    // a rule that no longer reads (a kind removed in a later version) is left out, not fatal
    Ok(rows
        .iter()
        .filter_map(|r| {
            DutyRule::new(&r.s("subject"), &r.s("applies_to"), r.i("min_count"), r.i("months"), r.i("warn_days")).ok().map(|x| (r.i("id"), x))
        })
        .collect())
}

pub async fn add_rule(store: &Store, body: &Body, rule: &DutyRule, change: &Change) -> Result<Id> {
    let mut tx = store.pool.begin().await?;
    let id = insert_rule(&mut tx, body, rule, change).await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_rule(tx: &mut sqlx::AnyConnection, body: &Body, rule: &DutyRule, change: &Change) -> Result<Id> {
    let id = new_id(change.now_ms);
    q(
        "INSERT INTO duty_rules (tenant_id, id, body_id, subject, applies_to, min_count, months, warn_days, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            body.tenant_id.into(),
            id.into(),
            body.id.into(),
            rule.subject.code().into(),
            rule.applies_to.code().into(),
            rule.min.into(),
            i64::from(rule.months).into(),
            rule.warn_days.into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    append(tx, body.tenant_id, change, "add_rule", "body", Some(body.id), None, Some(serde_json::to_string(rule).unwrap_or_default())).await?;
    Ok(id)
}

/// Adds the rules of a preset (see `lianxin_domain::duty::presets`) that the body lacks.
pub async fn apply_preset(store: &Store, body: &Body, key: &str, change: &Change) -> Result<usize> {
    let Some((_, _, preset)) = duty::presets().into_iter().find(|p| p.0 == key) else {
        return Err(StoreError::invalid(FieldError::new("preset", "unknown", "没有这套规则", "no such rule set")));
    };
    let have: Vec<DutyRule> = rules(store, body).await?.into_iter().map(|r| r.1).collect();
    let mut tx = store.pool.begin().await?;
    let mut n = 0;
    for r in preset.iter().filter(|r| !have.iter().any(|h| h.subject == r.subject && h.applies_to == r.applies_to && h.months == r.months)) {
        insert_rule(&mut tx, body, r, change).await?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}

pub async fn remove_rule(store: &Store, body: &Body, id: Id, change: &Change) -> Result<()> {
    let mut tx = store.pool.begin().await?;
    let n = q("DELETE FROM duty_rules WHERE tenant_id = $1 AND body_id = $2 AND id = $3", [body.tenant_id.into(), body.id.into(), id.into()])
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::not_found());
    }
    append(&mut tx, body.tenant_id, change, "remove_rule", "body", Some(body.id), Some(id.to_string()), None).await?;
    tx.commit().await?;
    Ok(())
}

/// The body's points per subject: its own where set, the defaults elsewhere.
pub async fn points(store: &Store, body: &Body) -> Result<BTreeMap<Subject, i64>> {
    let mut p = duty::default_points();
    for r in q("SELECT subject, points FROM duty_points WHERE tenant_id = $1 AND body_id = $2", [body.tenant_id.into(), body.id.into()])
        .fetch_all(&store.pool)
        .await?
    {
        if let Some(s) = Subject::parse(&r.s("subject")) {
            p.insert(s, r.i("points"));
        }
    }
    Ok(p)
}

pub async fn set_points(store: &Store, body: &Body, points: &BTreeMap<Subject, i64>, change: &Change) -> Result<()> {
    if let Some((s, _)) = points.iter().find(|(_, p)| !(0..=100).contains(*p)) {
        return Err(StoreError::invalid(FieldError::new(s.code(), "range", "分值应在0到100之间", "points must be 0 to 100")));
    }
    let mut tx = store.pool.begin().await?;
    q("DELETE FROM duty_points WHERE tenant_id = $1 AND body_id = $2", [body.tenant_id.into(), body.id.into()]).execute(&mut *tx).await?;
    for (s, p) in points {
        q(
            "INSERT INTO duty_points (tenant_id, body_id, subject, points) VALUES ($1, $2, $3, $4)",
            [body.tenant_id.into(), body.id.into(), s.code().into(), (*p).into()],
        )
        .execute(&mut *tx)
        .await?;
    }
    let after: BTreeMap<&str, i64> = points.iter().map(|(s, p)| (s.code(), *p)).collect();
    append(&mut tx, body.tenant_id, change, "set_points", "body", Some(body.id), None, Some(serde_json::to_string(&after).unwrap_or_default()))
        .await?;
    tx.commit().await?;
    Ok(())
}

// ---- counting ----

/// Dated events per delegate and per group since `since`: (subject, ISO date).
struct Events {
    by_delegate: BTreeMap<Id, Vec<(Subject, String)>>,
    by_group: BTreeMap<Id, Vec<(Subject, String)>>,
}

/// Proposal submission instants are epoch ms; as China dates they compare with activity dates.
fn china_date(ms: i64) -> String {
    fmt_date(crate::day_of_ms(ms))
}

async fn events(store: &Store, term: &Term, since: &str, delegate: Option<Id>) -> Result<Events> {
    let mut ev = Events { by_delegate: BTreeMap::new(), by_group: BTreeMap::new() };
    let mut a = Q::new(
        "SELECT ad.delegate_id, a.kind, a.on_date FROM activity_delegates ad JOIN activities a ON a.tenant_id = ad.tenant_id AND a.id = ad.activity_id \
         WHERE a.tenant_id = ",
    );
    a.push("? AND a.term_id = ? AND a.deleted_at IS NULL AND a.on_date >= ?", [V::I(term.tenant_id), V::I(term.id), V::T(since.into())]);
    if let Some(d) = delegate {
        a.push(" AND ad.delegate_id = ?", [V::I(d)]);
    }
    for r in a.build().fetch_all(&store.pool).await? {
        if let Some(k) = ActivityKind::from_code(&r.s("kind")) {
            ev.by_delegate.entry(r.i("delegate_id")).or_default().push((Subject::Activity(k), r.s("on_date")));
        }
    }
    if delegate.is_none() {
        for r in q(
            "SELECT group_id, kind, on_date FROM activities WHERE tenant_id = $1 AND term_id = $2 AND deleted_at IS NULL AND group_id IS NOT NULL AND on_date >= $3",
            [term.tenant_id.into(), term.id.into(), since.into()],
        )
        .fetch_all(&store.pool)
        .await?
        {
            if let Some(k) = ActivityKind::from_code(&r.s("kind")) {
                ev.by_group.entry(r.i("group_id")).or_default().push((Subject::Activity(k), r.s("on_date")));
            }
        }
    }
    // proposals and suggestions the delegate signed (as proposer or confirmed co-signer)
    let since_ms = parse_date(since).map(|d| crate::day_start_ms(lianxin_domain::proposal::day_number(d))).unwrap_or(0);
    let mut p = Q::new(
        "SELECT s.delegate_id, pr.submitted_at FROM proposal_signers s JOIN proposals pr ON pr.tenant_id = s.tenant_id AND pr.id = s.proposal_id \
         WHERE s.tenant_id = ",
    );
    p.push(
        "? AND pr.term_id = ? AND s.state = 'confirmed' AND s.role <> 'merged' AND pr.submitted_at IS NOT NULL AND pr.submitted_at >= ? AND pr.status <> 'withdrawn'",
        [V::I(term.tenant_id), V::I(term.id), V::I(since_ms)],
    );
    if let Some(d) = delegate {
        p.push(" AND s.delegate_id = ?", [V::I(d)]);
    }
    for r in p.build().fetch_all(&store.pool).await? {
        ev.by_delegate.entry(r.i("delegate_id")).or_default().push((Subject::Proposal, china_date(r.i("submitted_at"))));
    }
    Ok(ev)
}

fn count_between(list: Option<&Vec<(Subject, String)>>, subject: Subject, from: &str, to: &str) -> i64 {
    list.map(|l| l.iter().filter(|(s, d)| *s == subject && d.as_str() >= from && d.as_str() < to).count() as i64).unwrap_or(0)
}

/// One rule's standings for everyone it applies to.
#[derive(Debug, Clone, Serialize)]
pub struct RuleReport {
    pub rule_id: Id,
    pub rule: DutyRule,
    /// (delegate or group id, name, standing), those behind first.
    pub rows: Vec<(Id, String, Standing)>,
    pub met: i64,
    pub open: i64,
    pub due_soon: i64,
    pub overdue: i64,
}

fn standing_for(rule: &DutyRule, term: &Term, today: time::Date, list: Option<&Vec<(Subject, String)>>) -> Standing {
    let (cs, ce) = duty::period_of(today, rule.months);
    let (ps, pe) = duty::previous_period(today, rule.months);
    let current = count_between(list, rule.subject, &fmt_date(cs), &fmt_date(ce));
    // a period that began before the term could not have been kept by this term's delegates
    let previous = (fmt_date(ps) >= term.starts_on).then(|| count_between(list, rule.subject, &fmt_date(ps), &fmt_date(pe)));
    duty::standing(rule, today, current, previous)
}

fn earliest_needed(rules: &[(Id, DutyRule)], today: time::Date) -> String {
    rules.iter().map(|(_, r)| fmt_date(duty::previous_period(today, r.months).0)).min().unwrap_or_else(|| fmt_date(today))
}

/// Every rule of the body, with the standing of every active delegate and group of the term.
pub async fn report(store: &Store, body: &Body, term: &Term, today: time::Date) -> Result<Vec<RuleReport>> {
    let rules = rules(store, body).await?;
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let ev = events(store, term, &earliest_needed(&rules, today), None).await?;
    let delegates: Vec<(Id, String)> = q(
        "SELECT d.id, p.name FROM delegates d JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id \
         WHERE d.tenant_id = $1 AND d.term_id = $2 AND d.status = 'active' ORDER BY p.name, d.id",
        [term.tenant_id.into(), term.id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| (r.i("id"), r.s("name")))
    .collect();
    let groups: Vec<(Id, String)> = crate::congress::groups(store, term).await?.into_iter().map(|g| (g.id, g.name)).collect();
    let mut out = Vec::new();
    for (rule_id, rule) in rules {
        let (who, map) = match rule.applies_to {
            AppliesTo::Delegate => (&delegates, &ev.by_delegate),
            AppliesTo::Group => (&groups, &ev.by_group),
        };
        let mut rows: Vec<(Id, String, Standing)> =
            who.iter().map(|(id, name)| (*id, name.clone(), standing_for(&rule, term, today, map.get(id)))).collect();
        let rank = |s: &Standing| match s.status {
            duty::DutyStatus::Overdue => 0,
            duty::DutyStatus::DueSoon => 1,
            duty::DutyStatus::Open => 2,
            duty::DutyStatus::Met => 3,
        };
        rows.sort_by(|a, b| rank(&a.2).cmp(&rank(&b.2)).then(a.1.cmp(&b.1)));
        let n = |st: duty::DutyStatus| rows.iter().filter(|r| r.2.status == st).count() as i64;
        out.push(RuleReport {
            rule_id,
            met: n(duty::DutyStatus::Met),
            open: n(duty::DutyStatus::Open),
            due_soon: n(duty::DutyStatus::DueSoon),
            overdue: n(duty::DutyStatus::Overdue),
            rule,
            rows,
        });
    }
    Ok(out)
}

/// A delegate's duty file for a span of dates: counts per subject, the score, the standing
/// against each rule and the activities.
#[derive(Debug, Clone, Serialize)]
pub struct DutyFile {
    pub from: String,
    pub to: String,
    pub counts: Vec<(Subject, i64)>,
    pub score: i64,
    pub standings: Vec<(DutyRule, Standing)>,
    pub activities: Vec<Activity>,
}

/// `from`..=`to` are ISO dates (a year, or the term).
pub async fn file(store: &Store, body: &Body, term: &Term, delegate: Id, from: &str, to: &str, today: time::Date) -> Result<DutyFile> {
    let rules = rules(store, body).await?;
    let since = earliest_needed(&rules, today).min(from.to_string());
    let ev = events(store, term, &since, Some(delegate)).await?;
    let mine = ev.by_delegate.get(&delegate);
    let mut counts: BTreeMap<Subject, i64> = BTreeMap::new();
    for (s, d) in mine.into_iter().flatten() {
        if d.as_str() >= from && d.as_str() <= to {
            *counts.entry(*s).or_insert(0) += 1;
        }
    }
    let score = duty::score(&counts, &points(store, body).await?);
    let standings = rules
        .into_iter()
        .filter(|(_, r)| r.applies_to == AppliesTo::Delegate)
        .map(|(_, r)| (r.clone(), standing_for(&r, term, today, mine)))
        .collect();
    let f = ActivityFilter { delegate: Some(delegate), from: Some(from.into()), to: Some(to.into()), ..Default::default() };
    let activities = list(store, term, &f, PageReq::all()).await?.items;
    Ok(DutyFile { from: from.into(), to: to.into(), counts: counts.into_iter().collect(), score, standings, activities })
}

/// Totals of a term's work over a span (seed 000: "调研走访400余次 … 调解矛盾纠纷221起"):
/// activities per kind (each counted once, however many took part), people served, disputes
/// resolved, and proposals submitted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub by_kind: Vec<(String, i64)>,
    pub activities: i64,
    pub served: i64,
    pub mediations_resolved: i64,
    pub proposals: i64,
    pub delegates_active: i64,
}

pub async fn totals(store: &Store, term: &Term, from: &str, to: &str) -> Result<Totals> {
    let mut t = Totals::default();
    for r in q(
        "SELECT kind, COUNT(*) AS n, CAST(COALESCE(SUM(served), 0) AS BIGINT) AS served, \
                CAST(SUM(CASE WHEN outcome = 'resolved' THEN 1 ELSE 0 END) AS BIGINT) AS resolved \
         FROM activities WHERE tenant_id = $1 AND term_id = $2 AND deleted_at IS NULL AND on_date >= $3 AND on_date <= $4 GROUP BY kind ORDER BY kind",
        [term.tenant_id.into(), term.id.into(), from.into(), to.into()],
    )
    .fetch_all(&store.pool)
    .await?
    {
        let n = r.i("n");
        t.activities += n;
        t.served += r.i("served");
        t.mediations_resolved += crate::orgs::sum_i(&r, "resolved");
        t.by_kind.push((r.s("kind"), n));
    }
    t.by_kind.sort_by_key(|x| std::cmp::Reverse(x.1));
    let span = |d: &str, end: bool| {
        parse_date(d).map(|x| crate::day_start_ms(lianxin_domain::proposal::day_number(x) + i64::from(end))).unwrap_or(if end {
            i64::MAX / 2
        } else {
            0
        })
    };
    t.proposals = q(
        "SELECT COUNT(*) AS n FROM proposals WHERE tenant_id = $1 AND term_id = $2 AND submitted_at >= $3 AND submitted_at < $4 AND status <> 'withdrawn'",
        [term.tenant_id.into(), term.id.into(), span(from, false).into(), span(to, true).into()],
    )
    .fetch_one(&store.pool)
    .await?
    .i("n");
    t.delegates_active = q(
        "SELECT COUNT(DISTINCT ad.delegate_id) AS n FROM activity_delegates ad JOIN activities a ON a.tenant_id = ad.tenant_id AND a.id = ad.activity_id \
         WHERE a.tenant_id = $1 AND a.term_id = $2 AND a.deleted_at IS NULL AND a.on_date >= $3 AND a.on_date <= $4",
        [term.tenant_id.into(), term.id.into(), from.into(), to.into()],
    )
    .fetch_one(&store.pool)
    .await?
    .i("n");
    Ok(t)
}

impl Totals {
    /// Adds another congress's totals (a delegate of two congresses counts in each).
    pub fn add(&mut self, o: &Totals) {
        self.activities += o.activities;
        self.served += o.served;
        self.mediations_resolved += o.mediations_resolved;
        self.proposals += o.proposals;
        self.delegates_active += o.delegates_active;
        for (k, n) in &o.by_kind {
            match self.by_kind.iter_mut().find(|x| &x.0 == k) {
                Some(x) => x.1 += n,
                None => self.by_kind.push((k.clone(), *n)),
            }
        }
        self.by_kind.sort_by_key(|x| std::cmp::Reverse(x.1));
    }
}

/// The totals rolled up a subtree: every congress whose organisation is inside `org_path`,
/// over the terms that overlap `[from, to]` (a year, or five), each with its figures, and
/// the sum (seed 000's five-year sentence for a town; the county's for all its towns).
pub async fn totals_rollup(store: &Store, org_path: &str, from: &str, to: &str) -> Result<(Vec<(Body, Totals)>, Totals)> {
    let mut each = Vec::new();
    let mut sum = Totals::default();
    for b in crate::congress::bodies(store, &[Some(org_path.to_string())]).await? {
        let mut t = Totals::default();
        for term in crate::congress::terms(store, &b).await?.into_iter().filter(|t| t.starts_on.as_str() <= to && from < t.ends_on.as_str()) {
            t.add(&totals(store, &term, from, to).await?);
        }
        sum.add(&t);
        each.push((b, t));
    }
    Ok((each, sum))
}

/// Tells each delegate behind on a rule (due soon or overdue), once per rule and period:
/// a notice on their 消息 page. Run daily (the server does, and `lianxin remind`).
pub async fn remind(store: &Store, today: time::Date, change: &Change) -> Result<usize> {
    use lianxin_domain::notice::NoticeKind;
    let mut sent = 0;
    for body in crate::congress::bodies(store, &[None]).await? {
        let Some(term) = crate::congress::current_term(store, &body, &fmt_date(today)).await? else { continue };
        // whose notices: each delegate's person, read once per term rather than per row
        let person_of: BTreeMap<Id, Id> =
            q("SELECT id, person_id FROM delegates WHERE tenant_id = $1 AND term_id = $2", [term.tenant_id.into(), term.id.into()])
                .fetch_all(&store.pool)
                .await?
                .iter()
                .map(|r| (r.i("id"), r.i("person_id")))
                .collect();
        for rr in report(store, &body, &term, today).await? {
            if rr.rule.applies_to != AppliesTo::Delegate {
                continue;
            }
            let subject = rr.rule.describe(lianxin_domain::Lang::Zh);
            for (did, _, st) in &rr.rows {
                let kind = match st.status {
                    duty::DutyStatus::DueSoon => NoticeKind::DutyDueSoon,
                    duty::DutyStatus::Overdue => NoticeKind::DutyOverdue,
                    _ => continue,
                };
                let Some(&person) = person_of.get(did) else { continue };
                let since = crate::day_start_ms(lianxin_domain::proposal::day_number(st.period_start));
                let already = q(
                    "SELECT COUNT(*) AS n FROM notices WHERE person_id = $1 AND kind = $2 AND subject = $3 AND created_at >= $4",
                    [person.into(), kind.code().into(), subject.as_str().into(), since.into()],
                )
                .fetch_one(&store.pool)
                .await?
                .i("n");
                if already > 0 {
                    continue;
                }
                let mut tx = store.pool.begin().await?;
                crate::notices::send(
                    &mut tx,
                    body.tenant_id,
                    &[crate::notices::To::Person(person)],
                    kind,
                    &subject,
                    &format!("/delegates/{did}/duty"),
                    change,
                )
                .await?;
                tx.commit().await?;
                sent += 1;
            }
        }
    }
    Ok(sent)
}
