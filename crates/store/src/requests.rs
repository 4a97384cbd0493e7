//! Citizen requests in the database: intake with a tracking code, the flow of
//! `lianxin_domain::request` (every step checked against the status it was decided on, so
//! two clerks cannot both act), the timeline, lists for the office and for handlers, and the
//! public view by code, which carries no personal data.

use crate::audit::append;
use crate::congress::Body;
use crate::db::{q, RowExt, Store, Q, V};
use crate::ids::new_id;
use crate::{Change, Page, PageReq, Result, StoreError};
use lianxin_domain::lang::Coded;
use lianxin_domain::proposal::day_number;
use lianxin_domain::request::{decide, tracking_code, RequestChannel, RequestStatus, Role, Settings, State, Step, ValidRequest};
use lianxin_domain::{FieldError, Id};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Request {
    pub tenant_id: Id,
    pub id: Id,
    pub body_id: Id,
    pub code: String,
    pub delegate_id: Option<Id>,
    pub delegate_name: Option<String>,
    pub channel: String,
    pub category: String,
    pub place: String,
    pub text: String,
    pub requester_name: Option<String>,
    pub requester_phone: Option<String>,
    pub status: String,
    pub handler_org_id: Option<Id>,
    pub handler_name: Option<String>,
    pub handler_path: Option<String>,
    pub deadline_day: Option<i64>,
    pub reopened: i64,
    pub feedback: Option<String>,
    pub merged_into: Option<Id>,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
}

impl Request {
    pub fn status(&self) -> RequestStatus {
        RequestStatus::from_code(&self.status).unwrap_or(RequestStatus::Received)
    }
    pub fn overdue(&self, today: i64) -> bool {
        self.status() == RequestStatus::Assigned && self.deadline_day.map(|d| today > d).unwrap_or(false)
    }
}

/// What anyone with the code may see: no name, no phone, no handler's internal notes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PublicView {
    pub code: String,
    pub category: String,
    pub status: String,
    pub created_at: i64,
    /// The handler's replies, in order.
    pub replies: Vec<String>,
    pub feedback: Option<String>,
}

const SELECT: &str = "SELECT r.tenant_id, r.id, r.body_id, r.code, r.delegate_id, dp.name AS delegate_name, r.channel, r.category, r.place, r.text, \
     r.requester_name, r.requester_phone, r.status, r.handler_org_id, o.name AS handler_name, o.path AS handler_path, r.deadline_day, r.reopened, \
     r.feedback, r.merged_into, r.created_at, r.updated_at, r.closed_at \
     FROM requests r LEFT JOIN orgs o ON o.tenant_id = r.tenant_id AND o.id = r.handler_org_id \
     LEFT JOIN delegates d ON d.tenant_id = r.tenant_id AND d.id = r.delegate_id \
     LEFT JOIN people dp ON dp.tenant_id = d.tenant_id AND dp.id = d.person_id";

fn of(r: &sqlx::any::AnyRow) -> Request {
    Request {
        tenant_id: r.i("tenant_id"),
        id: r.i("id"),
        body_id: r.i("body_id"),
        code: r.s("code"),
        delegate_id: r.oi("delegate_id"),
        delegate_name: r.os("delegate_name"),
        channel: r.s("channel"),
        category: r.s("category"),
        place: r.s("place"),
        text: r.s("text"),
        requester_name: r.os("requester_name"),
        requester_phone: r.os("requester_phone"),
        status: r.s("status"),
        handler_org_id: r.oi("handler_org_id"),
        handler_name: r.os("handler_name"),
        handler_path: r.os("handler_path"),
        deadline_day: r.oi("deadline_day"),
        reopened: r.i("reopened"),
        feedback: r.os("feedback"),
        merged_into: r.oi("merged_into"),
        created_at: r.i("created_at"),
        updated_at: r.i("updated_at"),
        closed_at: r.oi("closed_at"),
    }
}

pub async fn get(store: &Store, id: Id) -> Result<Request> {
    let mut b = Q::new(SELECT);
    b.push(" WHERE r.id = ?", [V::I(id)]);
    Ok(of(&b.build().fetch_optional(&store.pool).await?.ok_or_else(StoreError::not_found)?))
}

pub async fn by_code(store: &Store, code: &str) -> Result<Option<Request>> {
    let mut b = Q::new(SELECT);
    b.push(" WHERE r.code = ?", [V::T(code.into())]);
    Ok(b.build().fetch_optional(&store.pool).await?.map(|r| of(&r)))
}

/// Takes a request for a body (left with one of its delegates, or with the office) and gives
/// it a tracking code.
pub async fn submit(store: &Store, body: &Body, delegate: Option<Id>, channel: RequestChannel, v: &ValidRequest, change: &Change) -> Result<Request> {
    if let Some(d) = delegate {
        let d = crate::congress::delegate(store, d)
            .await
            .map_err(|_| StoreError::invalid(FieldError::new("delegate", "not_found", "没有这位代表", "no such delegate")))?;
        let term = crate::congress::term(store, d.term_id).await?;
        if term.body_id != body.id || d.status != "active" {
            return Err(StoreError::invalid(FieldError::new(
                "delegate",
                "other_body",
                "这位代表不在本代表大会任职",
                "this delegate does not serve this congress",
            )));
        }
    }
    let id = new_id(change.now_ms);
    // a code collision is astronomically rare; the unique index turns one into a retry
    for _ in 0..5 {
        let mut raw = [0u8; 8];
        getrandom::fill(&mut raw).map_err(|e| StoreError::Config(format!("random: {e}")))?;
        let code = tracking_code(raw);
        let mut tx = store.pool.begin().await?;
        let inserted = q(
            "INSERT INTO requests (tenant_id, id, body_id, code, delegate_id, channel, category, place, text, requester_name, requester_phone, status, reopened, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'received', 0, $12, $12)",
            [
                body.tenant_id.into(),
                id.into(),
                body.id.into(),
                code.as_str().into(),
                delegate.into(),
                channel.code().into(),
                v.category.code().into(),
                v.place.as_str().into(),
                v.text.as_str().into(),
                v.name.clone().into(),
                v.phone.clone().into(),
                change.now_ms.into(),
            ],
        )
        .execute(&mut *tx)
        .await;
        if let Err(e) = inserted {
            let e = StoreError::from(e);
            if e.is_unique_violation() {
                continue;
            }
            return Err(e);
        }
        event(&mut tx, body.tenant_id, id, change, "submit", "received", None).await?;
        // the audit names the request, not the requester
        append(
            &mut tx,
            body.tenant_id,
            change,
            "submit",
            "request",
            Some(id),
            None,
            Some(serde_json::json!({"category": v.category.code(), "channel": channel.code()}).to_string()),
        )
        .await?;
        tx.commit().await?;
        return get(store, id).await;
    }
    Err(StoreError::Config("could not make a tracking code".into()))
}

async fn event(conn: &mut sqlx::AnyConnection, tenant: Id, request: Id, change: &Change, step: &str, status: &str, text: Option<&str>) -> Result<()> {
    q(
        "INSERT INTO request_events (tenant_id, id, request_id, at_ms, actor_name, step, status, text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            tenant.into(),
            new_id(change.now_ms).into(),
            request.into(),
            change.now_ms.into(),
            change.actor_name.as_str().into(),
            step.into(),
            status.into(),
            text.into(),
        ],
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes a step; the handler org of an assignment must be an active organisation of the
/// body's tree, a merge target another open request of the body.
pub async fn act(store: &Store, id: Id, role: Role, step: &Step, change: &Change) -> Result<Request> {
    let r = get(store, id).await?;
    let today = day_number(change.today());
    let out = decide(&State { status: r.status(), reopened: r.reopened }, role, step, today, &Settings::default())?;
    match step {
        Step::Assign { to, .. } => {
            let o = crate::orgs::get(store, *to)
                .await
                .map_err(|_| StoreError::invalid(FieldError::new("to", "not_found", "承办单位不存在", "no such organisation")))?;
            if o.tenant_id != r.tenant_id || o.retired_on.is_some() {
                return Err(StoreError::invalid(FieldError::new(
                    "to",
                    "other_tree",
                    "承办单位须是本组织内的在用单位",
                    "the handler must be an active organisation of this tree",
                )));
            }
        }
        Step::Merge { into } => {
            let t = get(store, *into)
                .await
                .map_err(|_| StoreError::invalid(FieldError::new("into", "not_found", "要合并到的诉求不存在", "no such request")))?;
            if t.id == r.id || t.body_id != r.body_id || t.status().is_final() {
                return Err(StoreError::invalid(FieldError::new(
                    "into",
                    "bad_target",
                    "只能合并到本代表大会另一件未办结的诉求",
                    "merge into another open request of the same congress",
                )));
            }
        }
        _ => {}
    }
    let mut tx = store.pool.begin().await?;
    let mut set = Q::new("UPDATE requests SET ");
    set.push("status = ?, updated_at = ?, reopened = ?", [V::T(out.status.code().into()), V::I(change.now_ms), V::I(out.reopened)]);
    if let Some(d) = out.deadline_day {
        set.push(", deadline_day = ?", [V::I(d)]);
    }
    let mut text: Option<String> = None;
    match step {
        Step::Assign { to, .. } => {
            set.push(", handler_org_id = ?", [V::I(*to)]);
        }
        Step::Progress { note } => text = Some(note.clone()),
        Step::Reply { text: t, solved } => {
            text = Some(format!("{}{t}", if *solved { "" } else { "【未能解决】" }));
            let on_time = r.deadline_day.map(|d| today <= d).unwrap_or(true);
            set.push(", replied_at = ?, replied_on_time = ?", [V::I(change.now_ms), V::I(i64::from(on_time))]);
        }
        Step::Rate { feedback, comment } => {
            set.push(", feedback = ?", [V::T(feedback.code().into())]);
            text = comment.clone();
        }
        Step::Merge { into } => {
            set.push(", merged_into = ?", [V::I(*into)]);
            text = Some(format!("→ {into}"));
        }
        Step::Decline { reason } => text = Some(reason.clone()),
        Step::Close => {}
    }
    if out.status.is_final() {
        set.push(", closed_at = ?", [V::I(change.now_ms)]);
    }
    set.push(
        " WHERE tenant_id = ? AND id = ? AND status = ? AND reopened = ?",
        [V::I(r.tenant_id), V::I(r.id), V::T(r.status.clone()), V::I(r.reopened)],
    );
    if set.build().execute(&mut *tx).await?.rows_affected() == 0 {
        return Err(StoreError::conflict("此件刚被他人处理,请刷新后再试", "someone else has just acted on this request; reload and try again"));
    }
    event(&mut tx, r.tenant_id, r.id, change, step.code(), out.status.code(), text.as_deref()).await?;
    append(
        &mut tx,
        r.tenant_id,
        change,
        step.code(),
        "request",
        Some(r.id),
        Some(serde_json::json!({"status": r.status}).to_string()),
        Some(serde_json::json!({"status": out.status.code(), "deadline_day": out.deadline_day}).to_string()),
    )
    .await?;
    tx.commit().await?;
    get(store, id).await
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Event {
    pub at_ms: i64,
    pub actor_name: String,
    pub step: String,
    pub status: String,
    pub text: Option<String>,
}

pub async fn events(store: &Store, r: &Request) -> Result<Vec<Event>> {
    Ok(q(
        "SELECT at_ms, actor_name, step, status, text FROM request_events WHERE tenant_id = $1 AND request_id = $2 ORDER BY at_ms, id",
        [r.tenant_id.into(), r.id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|e| Event { at_ms: e.i("at_ms"), actor_name: e.s("actor_name"), step: e.s("step"), status: e.s("status"), text: e.os("text") })
    .collect())
}

/// The public's view of a request, by its code.
pub async fn public_view(store: &Store, code: &str) -> Result<Option<PublicView>> {
    let Some(r) = by_code(store, code).await? else { return Ok(None) };
    let replies = events(store, &r).await?.into_iter().filter(|e| e.step == "reply").filter_map(|e| e.text).collect();
    Ok(Some(PublicView { code: r.code, category: r.category, status: r.status, created_at: r.created_at, replies, feedback: r.feedback }))
}

#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub status: Option<String>,
    pub category: Option<String>,
    /// Only those assigned to organisations inside these subtrees (a handler's inbox).
    pub handler_paths: Option<Vec<String>>,
    /// Only those left with this delegate.
    pub delegate: Option<Id>,
    /// Only those past their deadline on this day.
    pub overdue_on: Option<i64>,
    /// Words in the text or the place.
    pub q: Option<String>,
}

/// A body's requests, newest first (a handler's inbox by due date).
pub async fn list(store: &Store, body: &Body, f: &RequestFilter, page: PageReq) -> Result<Page<Request>> {
    let mut w = Q::new("");
    w.push(" WHERE r.tenant_id = ? AND r.body_id = ?", [V::I(body.tenant_id), V::I(body.id)]);
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND r.status = ?", [V::T(s.into())]);
    }
    if let Some(c) = f.category.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND r.category = ?", [V::T(c.into())]);
    }
    if let Some(paths) = &f.handler_paths {
        w.push_raw(" AND (1 = 0");
        for p in paths {
            w.push(" OR o.path LIKE ?", [V::T(format!("{p}%"))]);
        }
        w.push_raw(")");
    }
    if let Some(d) = f.delegate {
        w.push(" AND r.delegate_id = ?", [V::I(d)]);
    }
    if let Some(day) = f.overdue_on {
        w.push(" AND r.status = 'assigned' AND r.deadline_day < ?", [V::I(day)]);
    }
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let like = format!("%{}%", crate::db::like_pattern(t));
        w.push(" AND (r.text LIKE ? ESCAPE '\\' OR r.place LIKE ? ESCAPE '\\')", [V::T(like.clone()), V::T(like)]);
    }
    let total = Q::head_where("SELECT COUNT(*) AS n FROM requests r LEFT JOIN orgs o ON o.tenant_id = r.tenant_id AND o.id = r.handler_org_id", &w)
        .build()
        .fetch_one(&store.pool)
        .await?
        .i("n");
    let mut sel = Q::head_where(SELECT, &w);
    if f.handler_paths.is_some() {
        sel.push_raw(" ORDER BY r.deadline_day IS NULL, r.deadline_day, r.id");
    } else {
        sel.push_raw(" ORDER BY r.created_at DESC, r.id DESC");
    }
    sel.push(" LIMIT ? OFFSET ?", [V::I(page.per_page), V::I(page.offset())]);
    let items = sel.build().fetch_all(&store.pool).await?.iter().map(of).collect();
    Ok(Page { items, total, page: page.page, per_page: page.per_page })
}

/// The numbers of a body's requests received in a span (epoch ms, [from, to)): by status,
/// category and handler; replied on time; ratings.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Stats {
    pub total: i64,
    pub by_status: Vec<(String, i64)>,
    pub by_category: Vec<(String, i64)>,
    /// (handler, assigned, replied, replied on time)
    pub by_handler: Vec<(String, i64, i64, i64)>,
    pub replied: i64,
    pub on_time: i64,
    pub rated: i64,
    pub satisfied: i64,
    pub basic: i64,
    pub unsatisfied: i64,
    pub overdue: i64,
}

pub async fn stats(store: &Store, body: &Body, from_ms: i64, to_ms: i64, today: i64) -> Result<Stats> {
    // counted by the database in groups (a province has millions of requests); the groups
    // are few: statuses × categories × ratings × handlers
    let rows = q(
        "SELECT r.status, r.category, r.feedback, o.name AS handler, COUNT(*) AS n, \
                SUM(CASE WHEN r.replied_at IS NOT NULL THEN 1 ELSE 0 END) AS replied, \
                SUM(CASE WHEN r.replied_at IS NOT NULL AND r.replied_on_time = 1 THEN 1 ELSE 0 END) AS on_time, \
                SUM(CASE WHEN r.status = 'assigned' AND r.deadline_day < $5 THEN 1 ELSE 0 END) AS overdue \
         FROM requests r LEFT JOIN orgs o ON o.tenant_id = r.tenant_id AND o.id = r.handler_org_id \
         WHERE r.tenant_id = $1 AND r.body_id = $2 AND r.created_at >= $3 AND r.created_at < $4 \
         GROUP BY r.status, r.category, r.feedback, o.name",
        [body.tenant_id.into(), body.id.into(), from_ms.into(), to_ms.into(), today.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    let mut s = Stats::default();
    let bump = |v: &mut Vec<(String, i64)>, k: String, n: i64| match v.iter_mut().find(|(x, _)| *x == k) {
        Some((_, m)) => *m += n,
        None => v.push((k, n)),
    };
    use crate::orgs::sum_i;
    for r in &rows {
        let n = r.i("n");
        let (replied, on_time) = (sum_i(r, "replied"), sum_i(r, "on_time"));
        s.total += n;
        s.replied += replied;
        s.on_time += on_time;
        s.overdue += sum_i(r, "overdue");
        bump(&mut s.by_status, r.s("status"), n);
        bump(&mut s.by_category, r.s("category"), n);
        match r.os("feedback").as_deref() {
            Some("satisfied") => s.satisfied += n,
            Some("basic") => s.basic += n,
            Some("unsatisfied") => s.unsatisfied += n,
            _ => {}
        }
        if let Some(h) = r.os("handler") {
            match s.by_handler.iter_mut().find(|x| x.0 == h) {
                Some(x) => {
                    x.1 += n;
                    x.2 += replied;
                    x.3 += on_time;
                }
                None => s.by_handler.push((h, n, replied, on_time)),
            }
        }
    }
    s.rated = s.satisfied + s.basic + s.unsatisfied;
    for v in [&mut s.by_status, &mut s.by_category] {
        v.sort_by_key(|x| std::cmp::Reverse(x.1));
    }
    s.by_handler.sort_by_key(|x| std::cmp::Reverse(x.1));
    Ok(s)
}

/// Escalates requests past their time limit: the handling unit is told once per deadline
/// (a reopened request has a new one). Run daily with the duty reminders.
pub async fn escalate(store: &Store, today: i64, change: &Change) -> Result<usize> {
    use lianxin_domain::notice::NoticeKind;
    let late = q(
        "SELECT tenant_id, id, code, handler_org_id, deadline_day FROM requests WHERE status = 'assigned' AND deadline_day < $1 AND handler_org_id IS NOT NULL",
        [today.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    let mut sent = 0;
    for r in late {
        // the subject names the deadline, so a reopened request (a new deadline) is told again
        let due = lianxin_domain::error::fmt_date(lianxin_domain::proposal::date_of_day(r.i("deadline_day")));
        let (tenant, org, subject) = (r.i("tenant_id"), r.i("handler_org_id"), format!("诉求 {}(期限 {due})", r.s("code")));
        let told = q(
            "SELECT COUNT(*) AS n FROM notices WHERE tenant_id = $1 AND org_id = $2 AND kind = $3 AND subject = $4",
            [tenant.into(), org.into(), NoticeKind::RequestOverdue.code().into(), subject.as_str().into()],
        )
        .fetch_one(&store.pool)
        .await?
        .i("n");
        if told > 0 {
            continue;
        }
        let mut tx = store.pool.begin().await?;
        crate::notices::send(
            &mut tx,
            tenant,
            &[crate::notices::To::Org(org)],
            NoticeKind::RequestOverdue,
            &subject,
            &format!("/requests/{}", r.i("id")),
            change,
        )
        .await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}
