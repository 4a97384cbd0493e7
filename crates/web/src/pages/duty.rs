//! Delegates at work between meetings: record an activity (a delegate on a phone, or the
//! office for a group), the activities of a term, the office's duty board (who is behind on
//! which rule, the year's totals), a delegate's duty file, and the body's duty rules.

use super::congress::{pick_term, term_label};
use super::proposals::my_delegate;
use super::{form_pairs as pairs, form_value as one, opt_id, page, see_other};
use crate::auth::Viewer;
use crate::error::{WebError, WebResult};
use crate::i18n::{label, t as tx};
use crate::view::{options, qs, xlsx_response, Cell, Ctx, Field, Form, Link, Page, Pager, Panel, Stat, Table};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use lianxin_domain::access::Permission;
use lianxin_domain::duty::{presets, ActivityInput, ActivityKind, AppliesTo, DutyRule, DutyStatus, MediationOutcome, Subject, PERIOD_MONTHS};
use lianxin_domain::error::fmt_date;
use lianxin_domain::lang::Coded;
use lianxin_domain::Lang;
use lianxin_store::congress::{self, Body, Term};
use lianxin_store::duty::{self, Activity, ActivityFilter};
use lianxin_store::PageReq;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What the viewer may do with a body's activities: the office records for anyone and
/// sees the board; a delegate records their own.
struct Access {
    office: bool,
    me: Option<(Term, i64)>,
}

async fn access(state: &AppState, v: &Viewer, body: &Body) -> WebResult<Access> {
    let a = v.user()?;
    let office = a.can(Permission::EditDelegates, &body.org_path);
    let me = my_delegate(state, a, body).await?;
    if !office && me.is_none() && !a.can(Permission::ViewReports, &body.org_path) {
        return Err(WebError::Forbidden);
    }
    Ok(Access { office, me })
}

fn activities_table(lang: Lang, items: &[Activity], can_remove: &dyn Fn(&Activity) -> bool) -> Table {
    Table {
        headers: vec![
            lang.pick("日期", "Date").into(),
            tx(lang, "kind").into(),
            lang.pick("内容", "What").into(),
            lang.pick("地点", "Place").into(),
            lang.pick("参加代表", "Delegates").into(),
            lang.pick("服务人数", "Served").into(),
            lang.pick("记录人", "Recorded by").into(),
            String::new(),
        ],
        rows: items
            .iter()
            .map(|a| {
                let who: Vec<String> = a.group_name.iter().cloned().chain(a.delegates.iter().map(|d| d.1.clone())).collect();
                let mut what = a.summary.clone();
                if let Some(o) = a.outcome.as_deref() {
                    what = format!("{what}({})", label::<MediationOutcome>(lang, o));
                }
                vec![
                    Cell::text(&a.on_date),
                    Cell::text(label::<ActivityKind>(lang, &a.kind)),
                    Cell::link(what, format!("/activities/{}", a.id)),
                    Cell::text(&a.place),
                    Cell::text(who.join("、")),
                    Cell::text(a.served.to_string()),
                    Cell::text(&a.recorded_by),
                    if can_remove(a) { Cell::action(lang.pick("删除", "Remove"), format!("/activities/{}/remove", a.id)) } else { Cell::text("") },
                ]
            })
            .collect(),
        empty: lang.pick("暂无活动记录", "No activities recorded").into(),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    term: Option<i64>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
    format: Option<String>,
}

/// The activities of a term (a delegate sees their own).
pub async fn list(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<ListQuery>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        let acc = access(&state, &v, &body).await?;
        let lang = v.lang;
        let term = pick_term(&state, &body, q.term).await?;
        let sees_all = acc.office || v.user()?.can(Permission::ViewReports, &body.org_path);
        let f = ActivityFilter {
            delegate: if sees_all { None } else { acc.me.as_ref().map(|m| m.1) },
            kind: q.kind.clone(),
            from: q.from.clone(),
            to: q.to.clone(),
            ..Default::default()
        };
        let export = q.format.as_deref() == Some("xlsx");
        let result = duty::list(&state.store, &term, &f, if export { PageReq::all() } else { PageReq::new(q.page, Some(50)) }).await?;
        let office = acc.office;
        let table = activities_table(lang, &result.items, &|_| office);
        if export {
            return Ok(xlsx_response(&format!("{}-履职活动.xlsx", body.name), "履职活动", &table));
        }
        let base = format!(
            "/bodies/{id}/activities?term={}&kind={}&from={}&to={}",
            term.id,
            qs(q.kind.as_deref().unwrap_or("")),
            qs(q.from.as_deref().unwrap_or("")),
            qs(q.to.as_deref().unwrap_or(""))
        );
        let mut p = Page::new(Ctx::new(&v, &base, "bodies"), format!("{} · {}", body.name, lang.pick("履职活动", "Activities")));
        p.crumbs.push(Link::new(format!("/bodies/{id}?term={}", term.id), format!("{} {}", body.name, term_label(lang, &term))));
        if acc.office || acc.me.is_some() {
            p.actions.push(Link::new(format!("/bodies/{id}/activities/new"), lang.pick("记录活动", "Record an activity")));
        }
        if sees_all {
            p.actions.push(Link::new(format!("/bodies/{id}/duty?term={}", term.id), lang.pick("履职情况", "Duty board")));
        }
        p.actions.push(Link::new(format!("{base}&format=xlsx"), tx(lang, "export")));
        let mut panel = Panel::default();
        panel.form = Some(Form::filter(
            format!("/bodies/{id}/activities"),
            tx(lang, "search"),
            vec![
                Field::new("hidden", "term", "", term.id.to_string()),
                Field::select("kind", tx(lang, "kind"), q.kind.clone().unwrap_or_default(), options::<ActivityKind>(lang, Some(tx(lang, "all")))),
                Field::new("date", "from", lang.pick("从", "From"), q.from.clone().unwrap_or_default()),
                Field::new("date", "to", lang.pick("到", "To"), q.to.clone().unwrap_or_default()),
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

/// The form: short enough for a phone (kind, date, place, what happened); the office also
/// picks the group or the delegates who took part.
#[derive(Deserialize, Default)]
pub struct NewQuery {
    /// A research topic the activity carries out.
    topic: Option<i64>,
    /// A reception day being recorded: the studio and the day.
    studio: Option<i64>,
    on: Option<String>,
}

pub async fn new_form(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(nq): Query<NewQuery>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        let acc = access(&state, &v, &body).await?;
        if !acc.office && acc.me.is_none() {
            return Err(WebError::Forbidden);
        }
        let lang = v.lang;
        let term = match &acc.me {
            Some((t, _)) => t.clone(),
            None => pick_term(&state, &body, None).await?,
        };
        let today = fmt_date(state.today());
        let mut fields = vec![
            Field::select("kind", tx(lang, "kind"), "visit", options::<ActivityKind>(lang, None)).required(),
            Field::new("date", "on", lang.pick("日期", "Date"), today).required(),
            Field::new("text", "summary", lang.pick("内容", "What was done"), "").required(),
            Field::new("text", "place", lang.pick("地点", "Place"), ""),
            Field::new("number", "served", lang.pick("服务人数(户数)", "People or households served"), ""),
            Field::select(
                "outcome",
                lang.pick("调解结果(调解纠纷时填写)", "Outcome (for a mediation)"),
                "",
                options::<MediationOutcome>(lang, Some("—")),
            ),
            Field::new("textarea", "notes", lang.pick("情况记录", "Notes"), ""),
            Field::new("text", "requests", lang.pick("相关诉求查询码", "Tracking codes of requests it dealt with"), "")
                .hint(lang.pick("多个用空格或逗号分开", "separate several with spaces or commas")),
            Field::new("text", "proposals", lang.pick("形成的提案建议编号", "Numbers of proposals it produced"), "")
                .hint(lang.pick("如 2026-003,多个用空格或逗号分开", "e.g. 2026-003; separate several with spaces or commas")),
        ];
        let topic = match nq.topic {
            Some(t) => Some(lianxin_store::topics::get(&state.store, t).await?).filter(|t| t.body_id == body.id && t.status == "open"),
            None => None,
        };
        if let Some(t) = &topic {
            fields[0].value = "research".into();
            fields.push(Field::new("hidden", "topic", "", t.id.to_string()));
        }
        let studios = lianxin_store::reception::studios(&state.store, &body).await?;
        if !studios.is_empty() {
            let chosen = nq.studio.filter(|s| studios.iter().any(|x| x.id == *s));
            if chosen.is_some() {
                fields[0].value = "reception".into();
                if let Some(on) = nq.on.as_deref().filter(|d| lianxin_domain::error::parse_date(d).is_some()) {
                    fields[1].value = on.to_string();
                }
            }
            fields.push(Field::select(
                "studio",
                lang.pick("接待地点(工作室)", "Studio (for a reception)"),
                chosen.map(|c| c.to_string()).unwrap_or_default(),
                std::iter::once((String::new(), "—".to_string())).chain(studios.iter().map(|s| (s.id.to_string(), s.name.clone()))).collect(),
            ));
        }
        let groups = congress::groups(&state.store, &term).await?;
        fields.push(Field::select(
            "group",
            lang.pick("代表小组", "Group"),
            "",
            std::iter::once((String::new(), "—".to_string())).chain(groups.iter().map(|g| (g.id.to_string(), g.name.clone()))).collect(),
        ));
        if acc.office {
            let all = congress::delegates(&state.store, &term, &[None], &Default::default(), PageReq::all()).await?;
            let mut f = Field::new("checks", "delegates", lang.pick("参加代表", "Delegates who took part"), "");
            f.options = all.items.iter().filter(|d| d.status == "active").map(|d| (d.id.to_string(), d.name.clone())).collect();
            fields.push(f);
        }
        let mut p = Page::new(Ctx::new(&v, &format!("/bodies/{id}/activities/new"), "bodies"), lang.pick("记录履职活动", "Record an activity"));
        p.crumbs.push(Link::new(format!("/bodies/{id}/activities"), format!("{} · {}", body.name, lang.pick("履职活动", "Activities"))));
        let mut panel = Panel::default();
        if acc.me.is_some() && !acc.office {
            panel.note = lang.pick("记录您本人参加的活动。", "Records an activity you took part in.").into();
        }
        if let Some(t) = &topic {
            panel.note = format!("{}{}({} {})", panel.note, t.title, t.requests, lang.pick("件诉求", "requests"));
            panel.title = lang.pick("调研课题", "Research topic").into();
        }
        panel.form = Some(Form::post(format!("/bodies/{id}/activities"), &v.csrf, tx(lang, "save"), fields));
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

pub async fn create(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let b = congress::body(&state.store, id).await?;
        let acc = access(&state, &v, &b).await?;
        let (term, delegates) = match (&acc.me, acc.office) {
            // the office records for whoever took part
            (_, true) => (
                pick_term(&state, &b, None).await?,
                f.iter().filter(|(k, _)| k == "delegates").filter_map(|(_, v)| v.parse().ok()).collect::<Vec<i64>>(),
            ),
            // a delegate records their own
            (Some((t, me)), false) => (t.clone(), vec![*me]),
            (None, false) => return Err(WebError::Forbidden),
        };
        let input = ActivityInput {
            kind: one(&f, "kind").into(),
            on: one(&f, "on").into(),
            place: one(&f, "place").into(),
            summary: one(&f, "summary").into(),
            notes: one(&f, "notes").into(),
            outcome: Some(one(&f, "outcome").to_string()).filter(|s| !s.is_empty()),
            served: one(&f, "served").trim().parse().ok(),
            delegates,
            group: opt_id(&Some(one(&f, "group").to_string())),
        };
        let valid = input.validate(state.today()).map_err(WebError::from)?;
        let links = duty::Links {
            request_codes: duty::Links::parse_codes(one(&f, "requests")).map_err(|e| WebError::from(lianxin_domain::DomainError::invalid(e)))?,
            proposal_numbers: duty::Links::parse_numbers(one(&f, "proposals")),
            topic: opt_id(&Some(one(&f, "topic").to_string())),
            studio: opt_id(&Some(one(&f, "studio").to_string())),
        };
        duty::record_linked(&state.store, &b, &term, &valid, &links, &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{id}/activities?term={}", term.id)))
    }
    .await;
    page(&v, r)
}

/// The activity, who may see it and whether they may add to it (the office, or one who took part).
async fn activity_access(state: &AppState, v: &Viewer, id: i64) -> WebResult<(Activity, Body, bool)> {
    let a = duty::get(&state.store, id).await?;
    let b = congress::body(&state.store, a.body_id).await?;
    let acc = access(state, v, &b).await?;
    let took_part = acc.me.as_ref().map(|m| a.delegates.iter().any(|d| d.0 == m.1)).unwrap_or(false);
    Ok((a, b, acc.office || took_part))
}

/// One activity: what, when, who; the requests, topic and studio it dealt with; its photos
/// and documents.
pub async fn show(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let (a, b, can_add) = activity_access(&state, &v, id).await?;
        let lang = v.lang;
        let mut p =
            Page::new(Ctx::new(&v, &format!("/activities/{id}"), "bodies"), format!("{} · {}", label::<ActivityKind>(lang, &a.kind), a.summary));
        p.crumbs.push(Link::new(
            format!("/bodies/{}/activities?term={}", b.id, a.term_id),
            format!("{} · {}", b.name, lang.pick("履职活动", "Activities")),
        ));
        let mut facts = Panel::default();
        let who: Vec<String> = a.group_name.iter().cloned().chain(a.delegates.iter().map(|d| d.1.clone())).collect();
        facts.facts = vec![
            (lang.pick("日期", "Date").into(), a.on_date.clone()),
            (tx(lang, "kind").into(), label::<ActivityKind>(lang, &a.kind)),
            (lang.pick("地点", "Place").into(), a.place.clone()),
            (lang.pick("参加代表", "Delegates").into(), who.join("、")),
            (lang.pick("服务人数", "Served").into(), a.served.to_string()),
            (lang.pick("记录人", "Recorded by").into(), a.recorded_by.clone()),
        ];
        if let Some(o) = a.outcome.as_deref() {
            facts.facts.push((lang.pick("调解结果", "Outcome").into(), label::<MediationOutcome>(lang, o)));
        }
        if !a.notes.is_empty() {
            facts.facts.push((lang.pick("情况记录", "Notes").into(), a.notes.clone()));
        }
        if a.deleted_at.is_some() {
            facts.errors.push(lang.pick("这条记录已删除,不计入统计。", "This record was removed and is not counted.").into());
        }
        p.panels.push(facts);
        let mut links = Vec::new();
        for t in duty::links(&state.store, &a, "topic").await? {
            let t = lianxin_store::topics::get(&state.store, t).await?;
            links.push(Link::new(format!("/bodies/{}/topics", b.id), format!("{}:{}", lang.pick("调研课题", "Topic"), t.title)));
        }
        for r in duty::links(&state.store, &a, "request").await? {
            let r = lianxin_store::requests::get(&state.store, r).await?;
            links.push(Link::new(format!("/requests/{}", r.id), format!("{} {}", r.code, r.text.chars().take(20).collect::<String>())));
        }
        for pid in duty::links(&state.store, &a, "proposal").await? {
            let pr = lianxin_store::proposals::get(&state.store, pid).await?;
            links.push(Link::new(format!("/proposals/{}", pr.id), format!("{} {}", pr.number.clone().unwrap_or_default(), pr.title)));
        }
        if !links.is_empty() {
            let mut lp = Panel::titled(lang.pick("相关诉求、课题与提案建议", "Requests, topics and proposals"));
            lp.links = links;
            p.panels.push(lp);
        }
        let files = lianxin_store::files::list(&state.store.pool, a.tenant_id, lianxin_store::files::Owner::Activity, a.id).await?;
        p.panels.push(super::files::panel(lang, &v.csrf, &files, &format!("/activities/{id}/attachments"), can_add && a.deleted_at.is_none()));
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

pub async fn upload(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, mp: axum::extract::Multipart) -> Response {
    let r = async {
        let (_, _, can_add) = activity_access(&state, &v, id).await?;
        let (name, bytes) = super::files::read_upload(&v, mp).await?;
        if !can_add {
            return Err(WebError::Forbidden);
        }
        duty::attach(&state.store, id, &name, bytes, &v.change(&state)?).await?;
        Ok(see_other(&format!("/activities/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn download(State(state): State<AppState>, v: Viewer, Path((id, aid)): Path<(i64, i64)>) -> Response {
    let r = async {
        let (a, _, _) = activity_access(&state, &v, id).await?;
        Ok(super::files::download(
            lianxin_store::files::data(&state.store.pool, a.tenant_id, lianxin_store::files::Owner::Activity, a.id, aid).await?,
        ))
    }
    .await;
    page(&v, r)
}

/// Removes an activity from the counts (the office, or the delegate who recorded it alone).
pub async fn remove(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        v.check_csrf(one(&pairs(&body), "_csrf"))?;
        let a = duty::get(&state.store, id).await?;
        let b = congress::body(&state.store, a.body_id).await?;
        let acc = access(&state, &v, &b).await?;
        let own = acc.me.as_ref().map(|m| a.delegates.len() == 1 && a.delegates[0].0 == m.1).unwrap_or(false);
        if !acc.office && !own {
            return Err(WebError::Forbidden);
        }
        duty::set_removed(&state.store, id, true, &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{}/activities?term={}", b.id, a.term_id)))
    }
    .await;
    page(&v, r)
}

fn status_cell(lang: Lang, s: DutyStatus) -> Cell {
    Cell::text(s.label().get(lang))
}

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    term: Option<i64>,
    year: Option<i32>,
    format: Option<String>,
}

/// The office's board: each rule with who is behind, and the year's totals.
pub async fn board(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<BoardQuery>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        v.require(Permission::ViewReports, &body.org_path)?;
        let lang = v.lang;
        let term = pick_term(&state, &body, q.term).await?;
        let today = state.today();
        let year = q.year.unwrap_or(today.year());
        let report = duty::report(&state.store, &body, &term, today).await?;
        // the list of who is behind, for the office to call or remind
        let behind = Table {
            headers: vec![
                lang.pick("规则", "Rule").into(),
                lang.pick("代表/小组", "Delegate / group").into(),
                tx(lang, "status").into(),
                lang.pick("本期完成", "Done this period").into(),
                lang.pick("本期截止", "Period ends").into(),
            ],
            rows: report
                .iter()
                .flat_map(|rr| {
                    let desc = rr.rule.describe(lang);
                    let who_link = rr.rule.applies_to == AppliesTo::Delegate;
                    rr.rows.iter().filter(|r| matches!(r.2.status, DutyStatus::Overdue | DutyStatus::DueSoon)).map(move |(wid, name, s)| {
                        vec![
                            Cell::text(desc.clone()),
                            if who_link { Cell::link(name, format!("/delegates/{wid}/duty")) } else { Cell::text(name) },
                            status_cell(lang, s.status),
                            Cell::text(format!("{}/{}", s.done, s.needed)),
                            Cell::text(fmt_date(s.period_end.previous_day().unwrap_or(s.period_end))),
                        ]
                    })
                })
                .collect(),
            empty: lang.pick("没有落后的代表", "Nobody is behind").into(),
        };
        if q.format.as_deref() == Some("xlsx") {
            return Ok(xlsx_response(&format!("{}-履职提醒.xlsx", body.name), "履职提醒", &behind));
        }
        let from = format!("{year}-01-01");
        let to = format!("{year}-12-31");
        let t = duty::totals(&state.store, &term, &from, &to).await?;
        let mut p =
            Page::new(Ctx::new(&v, &format!("/bodies/{id}/duty"), "bodies"), format!("{} · {}", body.name, lang.pick("履职情况", "Duty board")));
        p.crumbs.push(Link::new(format!("/bodies/{id}?term={}", term.id), format!("{} {}", body.name, term_label(lang, &term))));
        p.actions.push(Link::new(format!("/bodies/{id}/activities?term={}", term.id), lang.pick("履职活动", "Activities")));
        p.actions.push(Link::new(format!("/bodies/{id}/duty/rules"), lang.pick("履职规则", "Duty rules")));
        p.actions.push(Link::new(format!("/bodies/{id}/evaluation?year={year}"), lang.pick("群众评议", "Residents' evaluation")));
        p.actions.push(Link::new(format!("/bodies/{id}/duty?term={}&format=xlsx", term.id), tx(lang, "export")));
        let mut head = Panel::titled(format!("{year} {}", lang.pick("年履职统计", "totals")));
        head.form = Some(Form::filter(
            format!("/bodies/{id}/duty"),
            tx(lang, "search"),
            vec![Field::new("hidden", "term", "", term.id.to_string()), Field::new("number", "year", lang.pick("年度", "Year"), year.to_string())],
        ));
        head.stats = vec![
            Stat {
                label: lang.pick("履职活动", "Activities").into(),
                value: t.activities.to_string(),
                sub: format!("{} {}", t.delegates_active, lang.pick("名代表参加", "delegates took part")),
            },
            Stat { label: lang.pick("提案建议", "Proposals").into(), value: t.proposals.to_string(), sub: String::new() },
            Stat { label: lang.pick("服务群众(人/户)", "People served").into(), value: t.served.to_string(), sub: String::new() },
            Stat { label: lang.pick("调解成功纠纷", "Disputes resolved").into(), value: t.mediations_resolved.to_string(), sub: String::new() },
        ];
        // seed 000's sentence: "调研走访400余次 … 调解矛盾纠纷221起"
        let parts: Vec<String> = t.by_kind.iter().map(|(k, n)| format!("{}{n}{}", label::<ActivityKind>(lang, k), lang.pick("次", ""))).collect();
        head.note = match lang {
            Lang::Zh => {
                format!("{year}年,{}名代表开展{}(共{}次),提出提案建议{}件。", t.delegates_active, parts.join("、"), t.activities, t.proposals)
            }
            Lang::En => {
                format!("{year}: {} delegates, {} activities ({}), {} proposals.", t.delegates_active, t.activities, parts.join(", "), t.proposals)
            }
        };
        p.panels.push(head);
        if report.is_empty() {
            let mut none = Panel::titled(lang.pick("履职规则", "Duty rules"));
            none.note = lang.pick("本代表大会还没有设置履职规则。", "This congress has no duty rules yet.").into();
            p.panels.push(none);
        }
        for rr in &report {
            let mut panel = Panel::titled(rr.rule.describe(lang));
            panel.stats =
                [(DutyStatus::Met, rr.met), (DutyStatus::Open, rr.open), (DutyStatus::DueSoon, rr.due_soon), (DutyStatus::Overdue, rr.overdue)]
                    .iter()
                    .map(|(s, n)| Stat { label: s.label().get(lang).into(), value: n.to_string(), sub: String::new() })
                    .collect();
            p.panels.push(panel);
        }
        let mut b = Panel::titled(lang.pick("需要提醒的代表和小组", "Behind or due soon"));
        b.table = Some(behind);
        p.panels.push(b);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct FileQuery {
    year: Option<i32>,
    format: Option<String>,
}

/// A delegate's duty file (履职档案): the year's counts and score, the standing against each
/// rule, and the activities. The delegate sees their own; the office and committee anyone's.
pub async fn file(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<FileQuery>) -> Response {
    let r = async {
        let d = congress::delegate(&state.store, id).await?;
        let term = congress::term(&state.store, d.term_id).await?;
        let body = congress::body(&state.store, term.body_id).await?;
        let a = v.user()?;
        if !(a.can(Permission::ViewReports, &body.org_path) || a.person_id == Some(d.person_id)) {
            return Err(WebError::Forbidden);
        }
        let lang = v.lang;
        let today = state.today();
        let year = q.year.unwrap_or(today.year());
        let f = duty::file(&state.store, &body, &term, id, &format!("{year}-01-01"), &format!("{year}-12-31"), today).await?;
        let acts = activities_table(lang, &f.activities, &|_| false);
        if q.format.as_deref() == Some("xlsx") {
            return Ok(xlsx_response(&format!("{}-履职档案-{year}.xlsx", d.name), "履职档案", &acts));
        }
        let mut p = Page::new(
            Ctx::new(&v, &format!("/delegates/{id}/duty"), "bodies"),
            format!("{} · {} {year}", d.name, lang.pick("履职档案", "Duty file")),
        );
        p.crumbs.push(Link::new(format!("/delegates/{id}"), &d.name));
        p.actions.push(Link::new(format!("/delegates/{id}/duty?year={year}&format=xlsx"), tx(lang, "export")));
        let mut head = Panel::default();
        head.form = Some(Form::filter(
            format!("/delegates/{id}/duty"),
            tx(lang, "search"),
            vec![Field::new("number", "year", lang.pick("年度", "Year"), year.to_string())],
        ));
        head.stats = std::iter::once(Stat { label: lang.pick("履职积分", "Score").into(), value: f.score.to_string(), sub: String::new() })
            .chain(f.counts.iter().map(|(s, n)| Stat { label: s.label(lang).into(), value: n.to_string(), sub: String::new() }))
            .collect();
        if let Some(round) = lianxin_store::evaluations::round(&state.store, &body, i64::from(year)).await? {
            let t = lianxin_store::evaluations::results(&state.store, &round).await?.remove(&id).unwrap_or_default();
            head.stats.push(Stat {
                label: lang.pick("群众评议满意率", "Residents' satisfaction").into(),
                value: t.satisfaction().percent(),
                sub: format!("{} {}", t.responses(), lang.pick("人评议", "ratings")),
            });
        }
        p.panels.push(head);
        if !f.standings.is_empty() {
            let mut st = Panel::titled(lang.pick("履职要求", "Duty rules"));
            st.table = Some(Table {
                headers: vec![
                    lang.pick("规则", "Rule").into(),
                    tx(lang, "status").into(),
                    lang.pick("本期完成", "Done this period").into(),
                    lang.pick("剩余天数", "Days left").into(),
                ],
                rows: f
                    .standings
                    .iter()
                    .map(|(r, s)| {
                        vec![
                            Cell::text(r.describe(lang)),
                            status_cell(lang, s.status),
                            Cell::text(format!("{}/{}", s.done, s.needed)),
                            Cell::text(s.days_left.to_string()),
                        ]
                    })
                    .collect(),
                empty: String::new(),
            });
            p.panels.push(st);
        }
        let mut list = Panel::titled(lang.pick("履职活动", "Activities"));
        list.table = Some(acts);
        p.panels.push(list);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

/// The body's duty rules and points: add one, start from a seed's set, remove one, set points.
pub async fn rules(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        v.require(Permission::ViewReports, &body.org_path)?;
        let edit = v.user()?.can(Permission::EditDelegates, &body.org_path);
        let lang = v.lang;
        let rules = duty::rules(&state.store, &body).await?;
        let mut p = Page::new(
            Ctx::new(&v, &format!("/bodies/{id}/duty/rules"), "bodies"),
            format!("{} · {}", body.name, lang.pick("履职规则", "Duty rules")),
        );
        p.crumbs.push(Link::new(format!("/bodies/{id}/duty"), lang.pick("履职情况", "Duty board")));
        let mut list = Panel::default();
        list.table = Some(Table {
            headers: vec![lang.pick("规则", "Rule").into(), lang.pick("提前提醒(天)", "Reminder (days)").into(), String::new()],
            rows: rules
                .iter()
                .map(|(rid, r)| {
                    vec![
                        Cell::text(r.describe(lang)),
                        Cell::text(r.warn_days.to_string()),
                        if edit {
                            Cell::action(lang.pick("删除", "Remove"), format!("/bodies/{id}/duty/rules/{rid}/remove"))
                        } else {
                            Cell::text("")
                        },
                    ]
                })
                .collect(),
            empty: lang.pick("还没有规则", "No rules yet").into(),
        });
        p.panels.push(list);
        if edit {
            let mut add = Panel::titled(lang.pick("增加规则", "Add a rule"));
            add.form = Some(Form::post(
                format!("/bodies/{id}/duty/rules"),
                &v.csrf,
                tx(lang, "save"),
                vec![
                    Field::select("applies_to", lang.pick("适用对象", "Applies to"), "delegate", options::<AppliesTo>(lang, None)),
                    Field::select(
                        "months",
                        lang.pick("周期", "Period"),
                        "12",
                        PERIOD_MONTHS.iter().map(|m| (m.to_string(), format!("{m} {}", lang.pick("个月", "months")))).collect(),
                    ),
                    Field::new("number", "min", lang.pick("不少于(次)", "At least (times)"), "1"),
                    Field::select(
                        "subject",
                        lang.pick("履职事项", "What counts"),
                        "",
                        Subject::all().into_iter().map(|s| (s.code().to_string(), s.label(lang).to_string())).collect(),
                    ),
                    Field::new("number", "warn_days", lang.pick("提前提醒(天)", "Reminder (days before)"), "14"),
                ],
            ));
            p.panels.push(add);
            let mut pre = Panel::titled(lang.pick("使用示范规则", "Start from a model"));
            pre.form = Some(Form::post(
                format!("/bodies/{id}/duty/rules/preset"),
                &v.csrf,
                lang.pick("添加", "Add"),
                vec![Field::select(
                    "preset",
                    lang.pick("示范规则", "Model"),
                    "nanhai",
                    presets().iter().map(|p| (p.0.to_string(), p.1.to_string())).collect(),
                )],
            ));
            p.panels.push(pre);
            let points = duty::points(&state.store, &body).await?;
            let mut pts = Panel::titled(lang.pick("履职积分分值", "Points per item"));
            pts.form = Some(Form::post(
                format!("/bodies/{id}/duty/points"),
                &v.csrf,
                tx(lang, "save"),
                Subject::all()
                    .into_iter()
                    .map(|s| Field::new("number", s.code(), s.label(lang), points.get(&s).copied().unwrap_or(0).to_string()))
                    .collect(),
            ));
            p.panels.push(pts);
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

async fn editable(state: &AppState, v: &Viewer, id: i64) -> WebResult<Body> {
    let body = congress::body(&state.store, id).await?;
    v.require(Permission::EditDelegates, &body.org_path)?;
    Ok(body)
}

pub async fn add_rule(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let b = editable(&state, &v, id).await?;
        let num = |k: &str| one(&f, k).trim().parse::<i64>().unwrap_or(-1);
        let rule = DutyRule::new(one(&f, "subject"), one(&f, "applies_to"), num("min"), num("months"), num("warn_days")).map_err(WebError::from)?;
        duty::add_rule(&state.store, &b, &rule, &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{id}/duty/rules")))
    }
    .await;
    page(&v, r)
}

pub async fn apply_preset(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let b = editable(&state, &v, id).await?;
        duty::apply_preset(&state.store, &b, one(&f, "preset"), &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{id}/duty/rules")))
    }
    .await;
    page(&v, r)
}

pub async fn remove_rule(State(state): State<AppState>, v: Viewer, Path((id, rid)): Path<(i64, i64)>, body: Bytes) -> Response {
    let r = async {
        v.check_csrf(one(&pairs(&body), "_csrf"))?;
        let b = editable(&state, &v, id).await?;
        duty::remove_rule(&state.store, &b, rid, &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{id}/duty/rules")))
    }
    .await;
    page(&v, r)
}

pub async fn set_points(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let b = editable(&state, &v, id).await?;
        let mut points = BTreeMap::new();
        for s in Subject::all() {
            let raw = one(&f, s.code()).trim();
            let n: i64 = if raw.is_empty() {
                0
            } else {
                raw.parse().map_err(|_| {
                    WebError::from(lianxin_domain::DomainError::invalid(lianxin_domain::FieldError::new(
                        s.code(),
                        "not_a_number",
                        "分值须是整数",
                        "points must be a whole number",
                    )))
                })?
            };
            points.insert(s, n);
        }
        duty::set_points(&state.store, &b, &points, &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{id}/duty/rules")))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct SpanQuery {
    /// A first and a last year (one year when they are the same; five for a term's report).
    from: Option<i32>,
    to: Option<i32>,
    format: Option<String>,
}

/// Delegates' work rolled up the tree: every congress inside an organisation, each with its
/// totals for the years asked, and the sum.
pub async fn rollup(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<SpanQuery>) -> Response {
    let r = async {
        let org = lianxin_store::orgs::get(&state.store, id).await?;
        v.require(Permission::ViewReports, &org.path)?;
        let lang = v.lang;
        let this_year = state.today().year();
        let (y1, y2) = (q.from.unwrap_or(this_year), q.to.unwrap_or(q.from.unwrap_or(this_year)));
        let (y1, y2) = (y1.min(y2), y1.max(y2));
        let (each, sum) = duty::totals_rollup(&state.store, &org.path, &format!("{y1}-01-01"), &format!("{y2}-12-31")).await?;
        let row = |name: Cell, t: &duty::Totals| {
            vec![
                name,
                Cell::text(t.delegates_active.to_string()),
                Cell::text(t.activities.to_string()),
                Cell::text(t.served.to_string()),
                Cell::text(t.mediations_resolved.to_string()),
                Cell::text(t.proposals.to_string()),
            ]
        };
        let mut rows: Vec<Vec<Cell>> = each.iter().map(|(b, t)| row(Cell::link(&b.name, format!("/bodies/{}/duty", b.id)), t)).collect();
        rows.push(row(Cell::text(lang.pick("合计", "Total")), &sum));
        let table = Table {
            headers: vec![
                lang.pick("代表大会", "Congress").into(),
                lang.pick("参加代表", "Delegates active").into(),
                lang.pick("履职活动", "Activities").into(),
                lang.pick("服务群众(人/户)", "People served").into(),
                lang.pick("调解成功纠纷", "Disputes resolved").into(),
                lang.pick("提案建议", "Proposals").into(),
            ],
            rows,
            empty: tx(lang, "none").into(),
        };
        if q.format.as_deref() == Some("xlsx") {
            return Ok(xlsx_response(&format!("{}-履职统计-{y1}-{y2}.xlsx", org.name), "履职统计", &table));
        }
        let span = if y1 == y2 { format!("{y1}") } else { format!("{y1}–{y2}") };
        let mut p = Page::new(
            Ctx::new(&v, &format!("/orgs/{id}/duty"), "orgs"),
            format!("{} · {} {span}", org.name, lang.pick("代表履职统计", "Delegates' work")),
        );
        p.crumbs.push(Link::new(format!("/orgs/{id}"), &org.name));
        p.actions.push(Link::new(format!("/orgs/{id}/duty?from={y1}&to={y2}&format=xlsx"), tx(lang, "export")));
        let mut head = Panel::default();
        head.form = Some(Form::filter(
            format!("/orgs/{id}/duty"),
            tx(lang, "search"),
            vec![
                Field::new("number", "from", lang.pick("起始年度", "From year"), y1.to_string()),
                Field::new("number", "to", lang.pick("截止年度", "To year"), y2.to_string()),
            ],
        ));
        let parts: Vec<String> = sum.by_kind.iter().map(|(k, n)| format!("{}{n}{}", label::<ActivityKind>(lang, k), lang.pick("次", ""))).collect();
        head.note = match lang {
            Lang::Zh => format!(
                "{span}年,{}个代表大会的代表开展{}(共{}次),服务群众{}人(户),调解成功纠纷{}起,提出提案建议{}件。",
                each.len(),
                parts.join("、"),
                sum.activities,
                sum.served,
                sum.mediations_resolved,
                sum.proposals
            ),
            Lang::En => format!(
                "{span}: {} congresses, {} activities ({}), {} people served, {} disputes resolved, {} proposals.",
                each.len(),
                sum.activities,
                parts.join(", "),
                sum.served,
                sum.mediations_resolved,
                sum.proposals
            ),
        };
        head.table = Some(table);
        p.panels.push(head);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}
