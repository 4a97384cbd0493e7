//! Citizen requests on the web. Without an account: a delegate's public page (the target of
//! the contact card's QR code) takes a request and gives its tracking code; the code shows
//! the status and the replies, and takes the rating. Signed in: the office triages and
//! assigns, the handling unit reports and replies, a delegate sees what was left with them.
//! The requester's name and phone are shown to the office and the handler only.

use super::proposals::{my_delegate, unit_options, unit_scopes};
use super::{opt_id, page, see_other};
use crate::auth::Viewer;
use crate::error::{WebError, WebResult};
use crate::i18n::{label, t as tx};
use crate::view::{fmt_ms, options, qs, xlsx_response, Bar, Cell, Ctx, Field, Form, Link, Page, Pager, Panel, Stat, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form as FormData;
use lianxin_domain::access::Permission;
use lianxin_domain::composition::Share;
use lianxin_domain::lang::Coded;
use lianxin_domain::proposal::{date_of_day, day_number};
use lianxin_domain::request::{normalise_code, Feedback, RequestCategory, RequestChannel, RequestInput, RequestStatus, Role, Step};
use lianxin_domain::Lang;
use lianxin_store::congress::{self, Body};
use lianxin_store::requests::{self, Request, RequestFilter};
use lianxin_store::PageReq;
use serde::Deserialize;

/// Attempts per address per ten minutes: new requests, and code look-ups (codes cannot be
/// guessed, and guessing is slowed further).
const SUBMITS_PER_IP: u32 = 10;
const LOOKUPS_PER_IP: u32 = 30;

fn request_fields(lang: Lang, f: &RequestInput) -> Vec<Field> {
    vec![
        Field::select("category", tx(lang, "category"), f.category.clone(), options::<RequestCategory>(lang, None)).required(),
        Field::new("textarea", "text", lang.pick("您的诉求", "Your request"), f.text.clone()).required(),
        Field::new("text", "place", lang.pick("地点(村组、小区)", "Place (village, estate)"), f.place.clone()),
        Field::new("text", "name", lang.pick("姓名(可不填)", "Name (optional)"), f.name.clone()),
        Field::new("tel", "phone", lang.pick("电话(可不填,便于回访)", "Phone (optional, for a call back)"), f.phone.clone()),
    ]
}

/// A delegate's public page: who they are and a form to leave a request with them.
pub async fn delegate_page(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let d = congress::delegate(&state.store, id).await?;
        if d.status != "active" {
            return Err(WebError::NotFound);
        }
        let term = congress::term(&state.store, d.term_id).await?;
        let body = congress::body(&state.store, term.body_id).await?;
        let lang = v.lang;
        let mut p = Page::new(Ctx::new(&v, &format!("/public/delegates/{id}"), ""), format!("{} · {}", d.name, body.name));
        let mut who = Panel::default();
        who.facts = vec![(lang.pick("代表大会", "Congress").into(), body.name.clone()), (lang.pick("所在单位", "Organisation").into(), d.org_name.clone())];
        if let Some(g) = &d.group_name {
            who.facts.push((tx(lang, "groups").into(), g.clone()));
        }
        p.panels.push(who);
        let mut form = Panel::titled(lang.pick("向代表反映诉求", "Leave a request with this delegate"));
        form.note = lang
            .pick("提交后会得到一个查询码,请记下,用它查看办理情况和答复。姓名和电话只有联络办和承办单位能看到。", "You will get a tracking code: keep it to follow the request and read the reply. Only the liaison office and the handler see your name and phone.")
            .into();
        let mut fields = request_fields(lang, &RequestInput::default());
        fields.push(
            Field::new("file", "photo", lang.pick("现场照片(可不传)", "A photo (optional)"), "")
                .hint(lang.pick("JPG 或 PNG,不超过 5 MB", "JPG or PNG, 5 MB at most")),
        );
        let mut f = Form::post(format!("/public/delegates/{id}/requests"), "", lang.pick("提交", "Send"), fields);
        f.multipart = true;
        form.form = Some(f);
        p.panels.push(form);
        p.panels.push(lookup_panel(lang, ""));
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

fn lookup_panel(lang: Lang, code: &str) -> Panel {
    let mut look = Panel::titled(lang.pick("查询办理情况", "Follow a request"));
    look.form = Some(Form::filter(
        "/public/requests",
        lang.pick("查询", "Look up"),
        vec![Field::new("text", "code", lang.pick("查询码", "Tracking code"), code)],
    ));
    look
}

#[derive(Deserialize, Default)]
pub struct PublicForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

/// The public form, sent as a page sends it (multipart, with an optional photo) or as a plain
/// form.
async fn read_public_form(req: axum::extract::Request) -> WebResult<(PublicForm, Option<(String, Vec<u8>)>)> {
    use axum::extract::FromRequest;
    let multipart =
        req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("multipart/form-data"));
    if !multipart {
        let FormData(f) = FormData::<PublicForm>::from_request(req, &()).await.map_err(|e| WebError::BadRequest(e.body_text()))?;
        return Ok((f, None));
    }
    let broke = |e: axum::extract::multipart::MultipartError| WebError::BadRequest(e.body_text());
    let mut mp = axum::extract::Multipart::from_request(req, &()).await.map_err(|e| WebError::BadRequest(e.body_text()))?;
    let (mut f, mut photo) = (PublicForm::default(), None);
    while let Some(field) = mp.next_field().await.map_err(broke)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "photo" {
            let file = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(broke)?;
            if !bytes.is_empty() {
                photo = Some((file, bytes.to_vec()));
            }
            continue;
        }
        let text = field.text().await.map_err(broke)?;
        match name.as_str() {
            "category" => f.category = text,
            "place" => f.place = text,
            "text" => f.text = text,
            "name" => f.name = text,
            "phone" => f.phone = text,
            _ => {}
        }
    }
    Ok((f, photo))
}

pub async fn public_submit(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, request: axum::extract::Request) -> Response {
    let r = async {
        // no account, so no session token: the origin check guards the form, and each address
        // may send only so many
        if !state.throttle.allow(&format!("request:{}", v.client), state.now_ms(), SUBMITS_PER_IP) {
            return Err(WebError::TooMany);
        }
        let (f, photo) = read_public_form(request).await?;
        // a bad photo is refused before anything is written
        if let Some((name, bytes)) = &photo {
            lianxin_store::files::check(name, bytes.clone())?;
        }
        let d = congress::delegate(&state.store, id).await?;
        let term = congress::term(&state.store, d.term_id).await?;
        let body = congress::body(&state.store, term.body_id).await?;
        let input = RequestInput { category: f.category, place: f.place, text: f.text, name: f.name, phone: f.phone };
        let valid = input.validate().map_err(WebError::from)?;
        let change = lianxin_store::Change::new(None, "群众 / resident", state.now_ms());
        let req = requests::submit(&state.store, &body, Some(d.id), RequestChannel::PublicPage, &valid, &change).await?;
        if let Some((name, bytes)) = photo {
            requests::attach(&state.store, req.id, &name, bytes, &change).await?;
        }
        Ok(see_other(&format!("/public/requests?code={}&new=1", req.code)))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct CodeQuery {
    code: Option<String>,
    new: Option<String>,
}

/// Status by tracking code: the status, the replies, and the rating form once replied.
pub async fn public_status(State(state): State<AppState>, v: Viewer, Query(q): Query<CodeQuery>) -> Response {
    let r = async {
        let lang = v.lang;
        let typed = q.code.clone().unwrap_or_default();
        let mut p = Page::new(Ctx::new(&v, "/public/requests", ""), lang.pick("诉求办理情况", "Request status"));
        if typed.trim().is_empty() {
            p.panels.push(lookup_panel(lang, ""));
            return Ok(p.render());
        }
        if !state.throttle.allow(&format!("code:{}", v.client), state.now_ms(), LOOKUPS_PER_IP) {
            return Err(WebError::TooMany);
        }
        // a malformed code and an unknown one look the same
        let view = match normalise_code(&typed) {
            Some(code) => requests::public_view(&state.store, &code).await?,
            None => None,
        };
        let Some(view) = view else { return Err(WebError::NotFound) };
        let mut head = Panel::default();
        if q.new.is_some() {
            head.note =
                lang.pick("已收到您的诉求。请记下查询码:", "Your request has been received. Keep this tracking code: ").to_string() + &view.code;
        }
        head.facts = vec![
            (lang.pick("查询码", "Tracking code").into(), view.code.clone()),
            (tx(lang, "category").into(), label::<RequestCategory>(lang, &view.category)),
            (tx(lang, "status").into(), label::<RequestStatus>(lang, &view.status)),
            (lang.pick("提交时间", "Received").into(), fmt_ms(view.created_at)),
        ];
        if let Some(fb) = &view.feedback {
            head.facts.push((lang.pick("您的评价", "Your rating").into(), label::<Feedback>(lang, fb)));
        }
        p.panels.push(head);
        for (k, reply) in view.replies.iter().enumerate() {
            p.panels.push(Panel { title: format!("{} {}", tx(lang, "reply"), k + 1), note: reply.clone(), ..Default::default() });
        }
        if view.status == "replied" {
            let mut rate = Panel::titled(lang.pick("评价办理结果", "Rate the reply"));
            rate.form = Some(Form::post(
                "/public/requests/rate",
                "",
                tx(lang, "save"),
                vec![
                    Field::new("hidden", "code", "", view.code.clone()),
                    Field::select("feedback", lang.pick("评价", "Rating"), "satisfied", options::<Feedback>(lang, None)),
                    Field::new("text", "comment", lang.pick("意见(可不填)", "Comment (optional)"), ""),
                ],
            ));
            p.panels.push(rate);
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct RateForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    feedback: String,
    #[serde(default)]
    comment: String,
}

pub async fn public_rate(State(state): State<AppState>, v: Viewer, FormData(f): FormData<RateForm>) -> Response {
    let r = async {
        if !state.throttle.allow(&format!("code:{}", v.client), state.now_ms(), LOOKUPS_PER_IP) {
            return Err(WebError::TooMany);
        }
        let code = normalise_code(&f.code).ok_or(WebError::NotFound)?;
        let req = requests::by_code(&state.store, &code).await?.ok_or(WebError::NotFound)?;
        let feedback = Feedback::from_code(&f.feedback).ok_or_else(|| WebError::BadRequest("feedback".into()))?;
        let comment = Some(f.comment.trim().chars().take(500).collect::<String>()).filter(|c| !c.is_empty());
        let change = lianxin_store::Change::new(None, "群众 / resident", state.now_ms());
        requests::act(&state.store, req.id, Role::Requester, &Step::Rate { feedback, comment }, &change).await?;
        Ok(see_other(&format!("/public/requests?code={code}")))
    }
    .await;
    page(&v, r)
}

/// The parts a signed-in viewer plays on a body's requests.
/// The viewer's parts in a body's requests: the office, a handling unit, a delegate.
pub(crate) struct Parts {
    pub(crate) office: bool,
    pub(crate) handler_paths: Vec<String>,
    pub(crate) delegate: Option<i64>,
}

pub(crate) async fn parts(state: &AppState, v: &Viewer, body: &Body) -> WebResult<Parts> {
    let a = v.user()?;
    let office = a.can(Permission::EditDelegates, &body.org_path);
    let handler_paths: Vec<String> = unit_scopes(a).into_iter().filter(|p| p.starts_with(&format!("/{}/", body.tenant_id))).collect();
    let delegate = my_delegate(state, a, body).await?.map(|m| m.1);
    if !office && handler_paths.is_empty() && delegate.is_none() {
        return Err(WebError::Forbidden);
    }
    Ok(Parts { office, handler_paths, delegate })
}

fn deadline(lang: Lang, r: &Request, today: i64) -> String {
    match r.deadline_day {
        Some(d) => {
            let date = lianxin_domain::error::fmt_date(date_of_day(d));
            if r.overdue(today) {
                format!("{date}({})", tx(lang, "overdue"))
            } else {
                date
            }
        }
        None => String::new(),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    category: Option<String>,
    overdue: Option<String>,
    q: Option<String>,
    page: Option<i64>,
    format: Option<String>,
}

pub async fn list(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<ListQuery>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        let pt = parts(&state, &v, &body).await?;
        let lang = v.lang;
        let today = day_number(state.today());
        let mut f = RequestFilter {
            status: q.status.clone(),
            category: q.category.clone(),
            overdue_on: q.overdue.as_deref().filter(|o| *o == "1").map(|_| today),
            q: q.q.clone(),
            ..Default::default()
        };
        if !pt.office {
            if !pt.handler_paths.is_empty() {
                f.handler_paths = Some(pt.handler_paths.clone());
            } else {
                f.delegate = pt.delegate;
            }
        }
        let export = q.format.as_deref() == Some("xlsx");
        let result = requests::list(&state.store, &body, &f, if export { PageReq::all() } else { PageReq::new(q.page, Some(50)) }).await?;
        let table = Table {
            headers: vec![
                lang.pick("查询码", "Code").into(),
                lang.pick("受理时间", "Received").into(),
                tx(lang, "category").into(),
                lang.pick("诉求", "Request").into(),
                lang.pick("地点", "Place").into(),
                lang.pick("反映给", "Left with").into(),
                lang.pick("承办单位", "Handler").into(),
                tx(lang, "status").into(),
                lang.pick("期限", "Due").into(),
            ],
            rows: result
                .items
                .iter()
                .map(|r| {
                    vec![
                        Cell::link(&r.code, format!("/requests/{}", r.id)),
                        Cell::text(fmt_ms(r.created_at)),
                        Cell::text(label::<RequestCategory>(lang, &r.category)),
                        Cell::text(r.text.chars().take(40).collect::<String>()),
                        Cell::text(&r.place),
                        Cell::text(r.delegate_name.clone().unwrap_or_else(|| label::<RequestChannel>(lang, &r.channel))),
                        Cell::text(r.handler_name.clone().unwrap_or_default()),
                        Cell::text(label::<RequestStatus>(lang, &r.status)),
                        Cell::text(deadline(lang, r, today)),
                    ]
                })
                .collect(),
            empty: lang.pick("暂无诉求", "No requests").into(),
        };
        if export {
            return Ok(xlsx_response(&format!("{}-群众诉求.xlsx", body.name), "群众诉求", &table));
        }
        let base = format!(
            "/bodies/{id}/requests?status={}&category={}&overdue={}&q={}",
            qs(q.status.as_deref().unwrap_or("")),
            qs(q.category.as_deref().unwrap_or("")),
            qs(q.overdue.as_deref().unwrap_or("")),
            qs(q.q.as_deref().unwrap_or(""))
        );
        let mut p = Page::new(Ctx::new(&v, &base, "bodies"), format!("{} · {}", body.name, lang.pick("群众诉求", "Citizen requests")));
        p.crumbs.push(Link::new(format!("/bodies/{id}"), &body.name));
        if pt.office {
            p.actions.push(Link::new(format!("/bodies/{id}/requests/new"), lang.pick("登记来电来访", "Record a call or visit")));
            p.actions.push(Link::new(format!("/bodies/{id}/requests/hotspots"), lang.pick("热点难点", "Hotspots")));
        } else if pt.delegate.is_some() {
            p.actions.push(Link::new(format!("/bodies/{id}/requests/new"), lang.pick("登记群众诉求", "Record a resident's request")));
        }
        if v.user()?.can(Permission::ViewReports, &body.org_path) {
            p.actions.push(Link::new(format!("/bodies/{id}/requests/stats"), tx(lang, "stats")));
        }
        p.actions.push(Link::new(format!("{base}&format=xlsx"), tx(lang, "export")));
        let mut panel = Panel::default();
        panel.form = Some(Form::filter(
            format!("/bodies/{id}/requests"),
            tx(lang, "search"),
            vec![
                Field::new("search", "q", lang.pick("内容/地点", "text / place"), q.q.clone().unwrap_or_default()),
                Field::select(
                    "status",
                    tx(lang, "status"),
                    q.status.clone().unwrap_or_default(),
                    options::<RequestStatus>(lang, Some(tx(lang, "all"))),
                ),
                Field::select(
                    "category",
                    tx(lang, "category"),
                    q.category.clone().unwrap_or_default(),
                    options::<RequestCategory>(lang, Some(tx(lang, "all"))),
                ),
                Field::select(
                    "overdue",
                    tx(lang, "overdue"),
                    q.overdue.clone().unwrap_or_default(),
                    vec![(String::new(), tx(lang, "all").into()), ("1".into(), tx(lang, "overdue").into())],
                ),
            ],
        ));
        panel.table = Some(table);
        panel.pager = Some(Pager::new(lang, &result, &base));
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

/// The office records a request that came by phone; a delegate one they were given on a
/// visit or at a reception.
pub async fn new_form(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        let pt = parts(&state, &v, &body).await?;
        if !pt.office && pt.delegate.is_none() {
            return Err(WebError::Forbidden);
        }
        let lang = v.lang;
        let title = if pt.office {
            lang.pick("登记来电来访", "Record a call or visit")
        } else {
            lang.pick("登记群众诉求", "Record a resident's request")
        };
        let mut p = Page::new(Ctx::new(&v, &format!("/bodies/{id}/requests/new"), "bodies"), title);
        p.crumbs.push(Link::new(format!("/bodies/{id}/requests"), lang.pick("群众诉求", "Citizen requests")));
        let mut panel = Panel::default();
        panel.form = Some(Form::post(format!("/bodies/{id}/requests"), &v.csrf, tx(lang, "save"), request_fields(lang, &RequestInput::default())));
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct OfficeForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(flatten)]
    f: PublicForm,
}

pub async fn office_submit(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(o): FormData<OfficeForm>) -> Response {
    let r = async {
        v.check_csrf(&o.csrf)?;
        let body = congress::body(&state.store, id).await?;
        let pt = parts(&state, &v, &body).await?;
        // a delegate records it as theirs; the office as a call
        let (delegate, channel) = match (pt.office, pt.delegate) {
            (false, Some(d)) => (Some(d), RequestChannel::Delegate),
            (true, _) => (None, RequestChannel::Phone),
            (false, None) => return Err(WebError::Forbidden),
        };
        let f = o.f;
        let input = RequestInput { category: f.category, place: f.place, text: f.text, name: f.name, phone: f.phone };
        let valid = input.validate().map_err(WebError::from)?;
        let req = requests::submit(&state.store, &body, delegate, channel, &valid, &v.change(&state)?).await?;
        Ok(see_other(&format!("/requests/{}", req.id)))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct StatsQuery {
    year: Option<i32>,
    format: Option<String>,
    /// which table the export holds: handler (default), delegate, group, org
    by: Option<String>,
}

/// The numbers of a year's requests: by status, category and handler, on-time and
/// satisfaction rates (issue 4, item 12).
pub async fn stats(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<StatsQuery>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        v.require(Permission::ViewReports, &body.org_path)?;
        let lang = v.lang;
        let year = q.year.unwrap_or(state.today().year());
        let s = requests::stats(&state.store, &body, requests::months_of(year, None), day_number(state.today())).await?;
        let by_handler = Table {
            headers: vec![
                lang.pick("承办单位", "Handler").into(),
                lang.pick("交办", "Assigned").into(),
                tx(lang, "reply").into(),
                tx(lang, "on_time_rate").into(),
            ],
            rows: s
                .by_handler
                .iter()
                .map(|(h, a, r, o)| {
                    vec![Cell::text(h), Cell::text(a.to_string()), Cell::text(r.to_string()), Cell::text(Share::of(*o, *r).percent())]
                })
                .collect(),
            empty: tx(lang, "none").into(),
        };
        // the same columns for a delegate, a group and an organisation
        let served = |first: Vec<String>, rows: Vec<(Vec<String>, i64, i64, i64, i64)>| Table {
            headers: first
                .into_iter()
                .chain([lang.pick("受理", "Received").to_string(), label::<RequestStatus>(lang, "closed"), tx(lang, "satisfaction_rate").to_string()])
                .collect(),
            rows: rows
                .into_iter()
                .map(|(names, n, closed, ok, rated)| {
                    names
                        .into_iter()
                        .map(Cell::text)
                        .chain([Cell::text(n.to_string()), Cell::text(closed.to_string()), Cell::text(Share::of(ok, rated).percent())])
                        .collect()
                })
                .collect(),
            empty: tx(lang, "none").into(),
        };
        let (group_h, org_h) = (lang.pick("代表小组", "Group").to_string(), tx(lang, "org").to_string());
        let by_delegate = served(
            vec![lang.pick("代表", "Delegate").into(), group_h.clone(), org_h.clone()],
            s.by_delegate.iter().map(|d| (vec![d.0.clone(), d.1.clone(), d.2.clone()], d.3, d.4, d.5, d.6)).collect(),
        );
        let by_group = served(vec![group_h], s.by_group.iter().map(|g| (vec![g.0.clone()], g.1, g.2, g.3, g.4)).collect());
        let by_org = served(vec![org_h], s.by_org.iter().map(|g| (vec![g.0.clone()], g.1, g.2, g.3, g.4)).collect());
        if q.format.as_deref() == Some("xlsx") {
            let (sheet, table) = match q.by.as_deref() {
                Some("delegate") => ("按代表", &by_delegate),
                Some("group") => ("按代表小组", &by_group),
                Some("org") => ("按组织", &by_org),
                _ => ("按承办单位", &by_handler),
            };
            return Ok(xlsx_response(&format!("{}-群众诉求统计-{sheet}-{year}.xlsx", body.name), sheet, table));
        }
        let mut p = Page::new(
            Ctx::new(&v, &format!("/bodies/{id}/requests/stats"), "bodies"),
            format!("{} · {} {year}", body.name, lang.pick("群众诉求统计", "Request numbers")),
        );
        p.crumbs.push(Link::new(format!("/bodies/{id}/requests"), lang.pick("群众诉求", "Citizen requests")));
        p.actions.push(Link::new(format!("/bodies/{id}/requests/stats?year={year}&format=xlsx"), tx(lang, "export")));
        let closed = s.by_status.iter().find(|x| x.0 == "closed").map(|x| x.1).unwrap_or(0);
        let mut head = Panel::default();
        head.form = Some(Form::filter(
            format!("/bodies/{id}/requests/stats"),
            tx(lang, "search"),
            vec![Field::new("number", "year", lang.pick("年度", "Year"), year.to_string())],
        ));
        head.stats = vec![
            Stat {
                label: lang.pick("受理", "Received").into(),
                value: s.total.to_string(),
                sub: format!("{} {closed}", label::<RequestStatus>(lang, "closed")),
            },
            Stat {
                label: tx(lang, "on_time_rate").into(),
                value: Share::of(s.on_time, s.replied).percent(),
                sub: format!("{} / {}", s.on_time, s.replied),
            },
            Stat {
                label: tx(lang, "satisfaction_rate").into(),
                value: Share::of(s.satisfied + s.basic, s.rated).percent(),
                sub: format!("{} / {}", s.satisfied + s.basic, s.rated),
            },
            Stat { label: tx(lang, "overdue").into(), value: s.overdue.to_string(), sub: String::new() },
        ];
        p.panels.push(head);
        let bars = |v: &Vec<(String, i64)>, lbl: &dyn Fn(&str) -> String| -> Vec<Bar> {
            v.iter()
                .map(|(k, n)| {
                    let sh = Share::of(*n, s.total);
                    Bar { label: lbl(k), count: *n, pct: sh.percent(), width: sh.tenths / 10 }
                })
                .collect()
        };
        p.panels.push(Panel {
            title: tx(lang, "status").into(),
            bars: bars(&s.by_status, &|k| label::<RequestStatus>(lang, k)),
            ..Default::default()
        });
        p.panels.push(Panel {
            title: tx(lang, "category").into(),
            bars: bars(&s.by_category, &|k| label::<RequestCategory>(lang, k)),
            ..Default::default()
        });
        for (title, by, table) in [
            (lang.pick("承办单位", "Handlers"), "handler", by_handler),
            (lang.pick("按代表小组", "By delegate group"), "group", by_group),
            (lang.pick("按组织", "By organisation"), "org", by_org),
            (lang.pick("按代表", "By delegate"), "delegate", by_delegate),
        ] {
            let mut panel = Panel { title: title.into(), table: Some(table), ..Default::default() };
            panel.links.push(Link::new(format!("/bodies/{id}/requests/stats?year={year}&format=xlsx&by={by}"), tx(lang, "export")));
            p.panels.push(panel);
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

/// One request: facts (the requester's details for the office and the handler), the
/// timeline, and the forms of the steps that are the viewer's.
pub async fn show(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let (req, body, pt) = readable(&state, &v, id).await?;
        let lang = v.lang;
        let today = day_number(state.today());
        let is_handler = handles(&pt, &req);
        let mut p = Page::new(Ctx::new(&v, &format!("/requests/{id}"), "bodies"), format!("{} {}", lang.pick("诉求", "Request"), req.code));
        p.crumbs.push(Link::new(format!("/bodies/{}/requests", body.id), format!("{} · {}", body.name, lang.pick("群众诉求", "Citizen requests"))));
        let mut facts = Panel::default();
        facts.facts = vec![
            (tx(lang, "category").into(), label::<RequestCategory>(lang, &req.category)),
            (tx(lang, "status").into(), label::<RequestStatus>(lang, &req.status)),
            (lang.pick("地点", "Place").into(), req.place.clone()),
            (lang.pick("反映给", "Left with").into(), req.delegate_name.clone().unwrap_or_else(|| label::<RequestChannel>(lang, &req.channel))),
            (lang.pick("承办单位", "Handler").into(), req.handler_name.clone().unwrap_or_default()),
            (lang.pick("期限", "Due").into(), deadline(lang, &req, today)),
        ];
        if pt.office || is_handler {
            facts.facts.push((
                lang.pick("反映人", "Requester").into(),
                req.requester_name.clone().unwrap_or_else(|| lang.pick("(匿名)", "(anonymous)").into()),
            ));
            facts.facts.push((tx(lang, "phone").into(), req.requester_phone.clone().unwrap_or_default()));
        }
        if let Some(fb) = &req.feedback {
            facts.facts.push((lang.pick("评价", "Rating").into(), label::<Feedback>(lang, fb)));
        }
        facts.note = req.text.clone();
        p.panels.push(facts);
        let mut tl = Panel::titled(lang.pick("办理过程", "Timeline"));
        tl.table = Some(Table {
            headers: vec![
                tx(lang, "time").into(),
                lang.pick("经办", "By").into(),
                lang.pick("操作", "Step").into(),
                tx(lang, "status").into(),
                lang.pick("说明", "Note").into(),
            ],
            rows: requests::events(&state.store, &req)
                .await?
                .into_iter()
                .map(|e| {
                    vec![
                        Cell::text(fmt_ms(e.at_ms)),
                        Cell::text(e.actor_name),
                        Cell::text(e.step),
                        Cell::text(label::<RequestStatus>(lang, &e.status)),
                        Cell::text(e.text.unwrap_or_default()),
                    ]
                })
                .collect(),
            empty: String::new(),
        });
        p.panels.push(tl);
        let files = lianxin_store::files::list(&state.store.pool, req.tenant_id, lianxin_store::files::Owner::Request, req.id).await?;
        p.panels.push(super::files::panel(lang, &v.csrf, &files, &format!("/requests/{id}/attachments"), !req.status().is_final()));
        // what came of it: research topics it went into, activities that dealt with it
        let topics = lianxin_store::topics::of_request(&state.store, req.tenant_id, req.id).await?;
        let acts = lianxin_store::duty::linked_to(&state.store, req.tenant_id, "request", req.id).await?;
        if !topics.is_empty() || !acts.is_empty() {
            let mut rel = Panel::titled(lang.pick("调研与活动", "Research and activities"));
            rel.links = topics
                .iter()
                .map(|t| Link::new(format!("/bodies/{}/topics", body.id), format!("{}:{}", lang.pick("调研课题", "Topic"), t.title)))
                .chain(
                    acts.iter()
                        .map(|a| Link::new(format!("/bodies/{}/activities?term={}", body.id, a.term_id), format!("{} {}", a.on_date, a.summary))),
                )
                .collect();
            p.panels.push(rel);
        }
        if pt.office && !matches!(req.status(), RequestStatus::Declined | RequestStatus::Merged) {
            let mut f = Form::post(
                format!("/bodies/{}/topics", body.id),
                &v.csrf,
                lang.pick("立为调研课题", "Make it a research topic"),
                vec![
                    Field::new("text", "title", lang.pick("课题名称", "Topic"), req.text.chars().take(30).collect::<String>()).required(),
                    Field::new("hidden", "requests", "", req.id.to_string()),
                ],
            );
            f.inline = true;
            p.panels.push(Panel {
                title: lang.pick("转为调研课题", "Turn into a research topic").into(),
                folded: true,
                form: Some(f),
                ..Default::default()
            });
        }
        let form = |step: &str, submit: &str, mut fields: Vec<Field>| {
            fields.insert(0, Field::new("hidden", "step", "", step));
            Some(Form::post(format!("/requests/{id}/act"), &v.csrf, submit, fields))
        };
        let status = req.status();
        if pt.office && matches!(status, RequestStatus::Received | RequestStatus::Assigned) {
            p.panels.push(Panel {
                title: lang.pick("交办", "Assign").into(),
                form: form(
                    "assign",
                    lang.pick("交办", "Assign"),
                    vec![
                        Field::select(
                            "to",
                            lang.pick("承办单位", "Handler"),
                            req.handler_org_id.map(|h| h.to_string()).unwrap_or_default(),
                            unit_options(&state, &body, "—").await?,
                        )
                        .required(),
                        Field::new("number", "deadline_days", lang.pick("办理期限(天)", "Days to reply"), "15"),
                    ],
                ),
                ..Default::default()
            });
            p.panels.push(Panel {
                title: lang.pick("合并到另一件", "Merge into another").into(),
                folded: true,
                form: form(
                    "merge",
                    lang.pick("合并", "Merge"),
                    vec![Field::new("number", "into", lang.pick("另一件诉求的ID", "the other request's id"), "").required()],
                ),
                ..Default::default()
            });
        }
        if pt.office && status == RequestStatus::Received {
            p.panels.push(Panel {
                title: lang.pick("不予受理", "Decline").into(),
                folded: true,
                form: form("decline", lang.pick("不予受理", "Decline"), vec![Field::new("text", "text", lang.pick("理由", "Reason"), "").required()]),
                ..Default::default()
            });
        }
        if pt.office && status == RequestStatus::Replied {
            p.panels.push(Panel {
                title: lang.pick("办结(群众未评价)", "Close (not rated)").into(),
                form: form("close", lang.pick("办结", "Close"), vec![]),
                ..Default::default()
            });
        }
        // a recurring problem becomes the delegate's suggestion (a draft they complete)
        if pt.delegate.is_some() && pt.delegate == req.delegate_id {
            p.panels.push(Panel {
                title: lang.pick("转为建议", "Turn into a suggestion").into(),
                folded: true,
                note: lang
                    .pick(
                        "以这件诉求为案由起草一件建议,在提案建议中补充后提交。",
                        "Drafts a suggestion from this request; complete and submit it under proposals.",
                    )
                    .into(),
                form: Some(Form::post(format!("/requests/{id}/to-proposal"), &v.csrf, lang.pick("起草建议", "Draft a suggestion"), vec![])),
                ..Default::default()
            });
        }
        if (is_handler || pt.office) && status == RequestStatus::Assigned {
            p.panels.push(Panel {
                title: lang.pick("办理进展", "Progress").into(),
                form: form("progress", tx(lang, "save"), vec![Field::new("textarea", "text", lang.pick("进展", "Progress"), "").required()]),
                ..Default::default()
            });
        }
        if is_handler && status == RequestStatus::Assigned {
            p.panels.push(Panel {
                title: tx(lang, "reply").into(),
                form: form(
                    "reply",
                    tx(lang, "reply"),
                    vec![
                        Field::new("textarea", "text", lang.pick("答复内容(群众可见)", "Reply (the requester sees it)"), "").required(),
                        Field::select(
                            "solved",
                            lang.pick("是否解决", "Solved"),
                            "1",
                            vec![("1".into(), lang.pick("已解决", "Solved").into()), ("0".into(), lang.pick("未能解决", "Not solved").into())],
                        ),
                    ],
                ),
                ..Default::default()
            });
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

/// Adds a photo or document (whoever may see the request: the office, its handler, its delegate).
pub async fn upload(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, mp: axum::extract::Multipart) -> Response {
    let r = async {
        readable(&state, &v, id).await?;
        let (name, bytes) = super::files::read_upload(&v, mp).await?;
        requests::attach(&state.store, id, &name, bytes, &v.change(&state)?).await?;
        Ok(see_other(&format!("/requests/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn download(State(state): State<AppState>, v: Viewer, Path((id, aid)): Path<(i64, i64)>) -> Response {
    let r = async {
        let (req, _, _) = readable(&state, &v, id).await?;
        Ok(super::files::download(
            lianxin_store::files::data(&state.store.pool, req.tenant_id, lianxin_store::files::Owner::Request, req.id, aid).await?,
        ))
    }
    .await;
    page(&v, r)
}

fn handles(pt: &Parts, r: &Request) -> bool {
    r.handler_path.as_deref().map(|hp| pt.handler_paths.iter().any(|p| hp.starts_with(p.as_str()))).unwrap_or(false)
}

/// The request, if the viewer may see it: the office all of the body's; a handler those
/// assigned to it; a delegate those left with them.
async fn readable(state: &AppState, v: &Viewer, id: i64) -> WebResult<(Request, Body, Parts)> {
    let req = requests::get(&state.store, id).await?;
    let body = congress::body(&state.store, req.body_id).await?;
    let pt = parts(state, v, &body).await?;
    let ok = pt.office || handles(&pt, &req) || (pt.delegate.is_some() && pt.delegate == req.delegate_id);
    if !ok {
        return Err(WebError::Forbidden);
    }
    Ok((req, body, pt))
}

#[derive(Deserialize, Default)]
pub struct ActForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    deadline_days: Option<String>,
    #[serde(default)]
    into: Option<String>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    solved: Option<String>,
}

pub async fn act(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<ActForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let (req, _, pt) = readable(&state, &v, id).await?;
        let missing = |field: &str, zh: &str, en: &str| {
            WebError::from(lianxin_domain::DomainError::invalid(lianxin_domain::FieldError::new(field, "required", zh, en)))
        };
        let (role, step) = match f.step.as_str() {
            "assign" => {
                let to = opt_id(&f.to).ok_or_else(|| missing("to", "请选择承办单位", "choose the handler"))?;
                let days = f.deadline_days.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(|d| d.parse::<i64>().unwrap_or(0));
                (Role::Office, Step::Assign { to, deadline_days: days })
            }
            "merge" => (
                Role::Office,
                Step::Merge { into: opt_id(&f.into).ok_or_else(|| missing("into", "请填写另一件诉求的ID", "give the other request's id"))? },
            ),
            "decline" => (Role::Office, Step::Decline { reason: f.text.clone() }),
            "close" => (Role::Office, Step::Close),
            "progress" => (if handles(&pt, &req) { Role::Handler } else { Role::Office }, Step::Progress { note: f.text.clone() }),
            "reply" => (Role::Handler, Step::Reply { text: f.text.clone(), solved: f.solved.as_deref() != Some("0") }),
            _ => return Err(WebError::BadRequest("step".into())),
        };
        // the role must be the viewer's own
        let allowed = match role {
            Role::Office => pt.office,
            Role::Handler => handles(&pt, &req),
            Role::Requester => false,
        };
        if !allowed {
            return Err(WebError::Forbidden);
        }
        requests::act(&state.store, id, role, &step, &v.change(&state)?).await?;
        Ok(see_other(&format!("/requests/{id}")))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// The delegate a request was left with drafts a suggestion from it (issue 4, item 9): the
/// request's text is the reason (案由); the draft is theirs to complete and submit.
pub async fn to_proposal(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<CsrfForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let (req, body, pt) = readable(&state, &v, id).await?;
        let Some(me) = pt.delegate.filter(|d| Some(*d) == req.delegate_id) else { return Err(WebError::Forbidden) };
        let term = congress::term(&state.store, congress::delegate(&state.store, me).await?.term_id).await?;
        let category = match req.category.as_str() {
            "infrastructure" => "infrastructure",
            "education" => "education",
            "environment" => "environment",
            "safety" | "dispute" => "safety",
            "land" => "agriculture",
            "livelihood" => "society",
            _ => "other",
        };
        let title: String = format!("关于{}的建议", req.text.chars().take(24).collect::<String>().trim_end_matches(['，', ',', '。']));
        let draft = lianxin_domain::proposal::DraftInput {
            kind: "suggestion".into(),
            title,
            category: category.into(),
            reason: format!("{}(群众诉求 {},{})", req.text, req.code, req.place),
            grounds: String::new(),
            solution: String::new(),
        };
        let p = lianxin_store::proposals::create_draft(&state.store, &body, &term, me, &draft, &v.change(&state)?).await?;
        Ok(see_other(&format!("/proposals/{}", p.id)))
    }
    .await;
    page(&v, r)
}
