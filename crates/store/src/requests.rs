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
    pub replied_at: Option<i64>,
    pub replied_on_time: Option<i64>,
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
     r.feedback, r.merged_into, r.created_at, r.updated_at, r.closed_at, r.replied_at, r.replied_on_time \
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
        replied_at: r.oi("replied_at"),
        replied_on_time: r.oi("replied_on_time"),
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
        let counted = crate::request_tallies::read(&mut tx, body.tenant_id, id).await?;
        crate::request_tallies::shift(&mut tx, None, counted.as_ref()).await?;
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
        // the version read is the version changed: two clerks cannot both act, and the counts
        // taken out above are the counts of the row being replaced
        " WHERE tenant_id = ? AND id = ? AND status = ? AND reopened = ? AND updated_at = ?",
        [V::I(r.tenant_id), V::I(r.id), V::T(r.status.clone()), V::I(r.reopened), V::I(r.updated_at)],
    );
    if set.build().execute(&mut *tx).await?.rows_affected() == 0 {
        return Err(StoreError::conflict("此件刚被他人处理,请刷新后再试", "someone else has just acted on this request; reload and try again"));
    }
    // the guard above makes `r` the version replaced, so its counts are the ones to take out
    let after = crate::request_tallies::read(&mut tx, r.tenant_id, r.id).await?;
    crate::request_tallies::shift(&mut tx, Some(&crate::request_tallies::of_request(&r)), after.as_ref()).await?;
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

/// Adds a photo or document to a request not yet finished (seen by whoever sees the request).
pub async fn attach(store: &Store, id: Id, filename: &str, bytes: Vec<u8>, change: &Change) -> Result<crate::files::Attachment> {
    let r = get(store, id).await?;
    if r.status().is_final() {
        return Err(StoreError::conflict("已办结的诉求不能再添加附件", "nothing can be attached to a finished request"));
    }
    let file = crate::files::check(filename, bytes)?;
    let name = file.name.clone();
    let mut tx = store.pool.begin().await?;
    let a = crate::files::insert(&mut tx, r.tenant_id, crate::files::Owner::Request, r.id, file, change).await?;
    event(&mut tx, r.tenant_id, r.id, change, "attach", &r.status, Some(&name)).await?;
    append(&mut tx, r.tenant_id, change, "attach", "request", Some(r.id), None, Some(serde_json::json!({"file": name, "size": a.size}).to_string()))
        .await?;
    tx.commit().await?;
    Ok(a)
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
    let total = if f.handler_paths.is_none() && f.delegate.is_none() && f.overdue_on.is_none() && f.q.as_deref().is_none_or(|t| t.trim().is_empty()) {
        // by status and category alone: the running counts know without reading the requests
        let mut c = Q::new("SELECT CAST(SUM(n) AS BIGINT) AS n FROM request_tallies");
        c.push(" WHERE tenant_id = ? AND body_id = ?", [V::I(body.tenant_id), V::I(body.id)]);
        if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
            c.push(" AND status = ?", [V::T(s.into())]);
        }
        if let Some(k) = f.category.as_deref().filter(|s| !s.is_empty()) {
            c.push(" AND category = ?", [V::T(k.into())]);
        }
        crate::orgs::sum_i(&c.build().fetch_one(&store.pool).await?, "n")
    } else {
        let head = if f.handler_paths.is_some() {
            "SELECT COUNT(*) AS n FROM requests r LEFT JOIN orgs o ON o.tenant_id = r.tenant_id AND o.id = r.handler_org_id"
        } else {
            "SELECT COUNT(*) AS n FROM requests r"
        };
        Q::head_where(head, &w).build().fetch_one(&store.pool).await?.i("n")
    };
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

/// The numbers of a body's requests received in a span of months: by status, category,
/// handler, delegate, group and organisation; replied on time; ratings.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Stats {
    pub total: i64,
    pub by_status: Vec<(String, i64)>,
    pub by_category: Vec<(String, i64)>,
    /// (handler, assigned, replied, replied on time)
    pub by_handler: Vec<(String, i64, i64, i64)>,
    /// (delegate, group, organisation, received, closed, satisfied or basically satisfied, rated)
    pub by_delegate: Vec<(String, String, String, i64, i64, i64, i64)>,
    /// (group, received, closed, satisfied or basically satisfied, rated)
    pub by_group: Vec<(String, i64, i64, i64, i64)>,
    /// (organisation, received, closed, satisfied or basically satisfied, rated)
    pub by_org: Vec<(String, i64, i64, i64, i64)>,
    pub replied: i64,
    pub on_time: i64,
    pub rated: i64,
    pub satisfied: i64,
    pub basic: i64,
    pub unsatisfied: i64,
    pub overdue: i64,
}

/// Months as yyyymm, inclusive, for a year or one month of it.
pub fn months_of(year: i32, month: Option<u8>) -> (i64, i64) {
    let y = i64::from(year) * 100;
    match month {
        Some(m) => (y + i64::from(m), y + i64::from(m)),
        None => (y + 1, y + 12),
    }
}

/// The instants [from, to) of months yyyymm [first, last], China Standard Time.
pub fn month_span_ms(first: i64, last: i64) -> Result<(i64, i64)> {
    let start = |ym: i64| {
        let month = time::Month::try_from((ym % 100) as u8).map_err(|e| StoreError::Config(e.to_string()))?;
        let d = time::Date::from_calendar_date((ym / 100) as i32, month, 1).map_err(|e| StoreError::Config(e.to_string()))?;
        Ok::<i64, StoreError>(crate::day_start_ms(day_number(d)))
    };
    let next = if last % 100 == 12 { (last / 100 + 1) * 100 + 1 } else { last + 1 };
    Ok((start(first)?, start(next)?))
}

pub async fn stats(store: &Store, body: &Body, months: (i64, i64), today: i64) -> Result<Stats> {
    use crate::request_tallies::{buckets, by_delegate, Measures};
    // read from the running counts (a few rows per month whatever the number of requests),
    // the three parts at once on separate connections
    let (from_ms, to_ms) = month_span_ms(months.0, months.1)?;
    let (t, b) = (body.tenant_id, body.id);
    let overdue = async {
        // "overdue" depends on today, so it is counted from the requests, by the index alone
        Ok::<i64, StoreError>(
            q(
                "SELECT COUNT(*) AS n FROM requests WHERE tenant_id = $1 AND body_id = $2 AND status = 'assigned' \
                 AND created_at >= $3 AND created_at < $4 AND deadline_day < $5",
                [t.into(), b.into(), from_ms.into(), to_ms.into(), today.into()],
            )
            .fetch_one(&store.pool)
            .await?
            .i("n"),
        )
    };
    let (rows, delegates, overdue) =
        tokio::try_join!(buckets(&store.pool, t, b, months.0, months.1), by_delegate(&store.pool, t, b, months.0, months.1), overdue)?;
    let mut s = Stats { overdue, ..Default::default() };
    let bump = |v: &mut Vec<(String, i64)>, k: &str, n: i64| match v.iter_mut().find(|(x, _)| x == k) {
        Some((_, m)) => *m += n,
        None => v.push((k.to_string(), n)),
    };
    let mut all = Measures::default();
    for b in &rows {
        all.add(&b.m);
        bump(&mut s.by_status, &b.status, b.m.n);
        bump(&mut s.by_category, &b.category, b.m.n);
        if let Some(h) = &b.handler {
            match s.by_handler.iter_mut().find(|x| &x.0 == h) {
                Some(x) => {
                    x.1 += b.m.n;
                    x.2 += b.m.replied;
                    x.3 += b.m.on_time;
                }
                None => s.by_handler.push((h.clone(), b.m.n, b.m.replied, b.m.on_time)),
            }
        }
    }
    s.total = all.n;
    s.replied = all.replied;
    s.on_time = all.on_time;
    s.satisfied = all.satisfied;
    s.basic = all.basic;
    s.unsatisfied = all.unsatisfied;
    s.rated = all.rated();
    let roll = |v: &mut Vec<(String, i64, i64, i64, i64)>, k: &str, m: &Measures| match v.iter_mut().find(|x| x.0 == k) {
        Some(x) => {
            x.1 += m.n;
            x.2 += m.closed;
            x.3 += m.satisfied + m.basic;
            x.4 += m.rated();
        }
        None => v.push((k.to_string(), m.n, m.closed, m.satisfied + m.basic, m.rated())),
    };
    for d in &delegates {
        let group = d.group.clone().unwrap_or_default();
        roll(&mut s.by_group, if group.is_empty() { "—" } else { &group }, &d.m);
        roll(&mut s.by_org, &d.org, &d.m);
        s.by_delegate.push((d.name.clone(), group, d.org.clone(), d.m.n, d.m.closed, d.m.satisfied + d.m.basic, d.m.rated()));
    }
    for v in [&mut s.by_status, &mut s.by_category] {
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    s.by_handler.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for v in [&mut s.by_group, &mut s.by_org] {
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    Ok(s)
}

/// The most requests a hotspot search reads (the newest of the span): the clustering compares
/// pairs within a category, so this bounds its time.
pub const HOTSPOT_WINDOW: i64 = 5000;

/// A hotspot with the tracking codes of its requests (in the hotspot's order).
#[derive(Debug, Clone, Serialize)]
pub struct HotspotView {
    pub hotspot: lianxin_domain::hotspot::Hotspot,
    pub codes: Vec<String>,
}

/// Hotspots among a body's requests received on days [from, to] (declined and merged ones
/// left out: they are not problems of their own).
pub async fn hotspots(
    store: &Store,
    body: &Body,
    from_day: i64,
    to_day: i64,
    settings: &lianxin_domain::hotspot::Settings,
) -> Result<Vec<HotspotView>> {
    use lianxin_domain::hotspot::{cluster, Item};
    let rows = q(
        "SELECT id, code, category, place, text, created_at FROM requests WHERE tenant_id = $1 AND body_id = $2 \
         AND created_at >= $3 AND created_at < $4 AND status NOT IN ('declined', 'merged') ORDER BY created_at DESC, id DESC LIMIT $5",
        [body.tenant_id.into(), body.id.into(), crate::day_start_ms(from_day).into(), crate::day_start_ms(to_day + 1).into(), HOTSPOT_WINDOW.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    let mut codes = std::collections::HashMap::new();
    let items: Vec<Item> = rows
        .iter()
        .map(|r| {
            codes.insert(r.i("id"), r.s("code"));
            Item {
                id: r.i("id"),
                category: r.s("category"),
                place: r.s("place"),
                day: crate::day_number_of_ms(r.i("created_at")),
                // words, not character pairs: pairs across word boundaries are noise here
                terms: lianxin_search::query_terms(&r.s("text")).into_iter().filter(|w| w.chars().count() >= 2).collect(),
            }
        })
        .collect();
    Ok(cluster(&items, settings)
        .into_iter()
        .map(|h| {
            let c = h.ids.iter().map(|id| codes.get(id).cloned().unwrap_or_default()).collect();
            HotspotView { hotspot: h, codes: c }
        })
        .collect())
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
