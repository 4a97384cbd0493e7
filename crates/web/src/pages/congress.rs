//! Congresses (bodies), their terms, groups, committee, delegates, qualification changes
//! and the liaison links between them.

use super::{opt_id, opt_str, page, see_other};
use crate::auth::Viewer;
use crate::error::{WebError, WebResult};
use crate::i18n::{fill, label, t as tx};
use crate::view::{options, qs, xlsx_response, Cell, Ctx, Field, Form, Link, Page, Pager, Panel, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form as FormData;
use lianxin_domain::access::Permission;
use lianxin_domain::congress::{
    BodyKind, CommitteePost, DelegateCategory, DelegateInput, DelegateOrigin, DelegateStatus, QualificationChangeInput, QualificationReason,
    TermInput,
};
use lianxin_domain::lang::Coded;
use lianxin_domain::person::{mask_phone, Gender};
use lianxin_domain::Lang;
use lianxin_store::congress::{self, Body, BodyInput, CommitteeInput, Delegate, DelegateEdit, DelegateFilter, GroupInput, Term};
use lianxin_store::network::{self, LinkInput, LinkKind};
use lianxin_store::{orgs, PageReq};
use serde::Deserialize;

pub(crate) fn term_label(lang: Lang, t: &Term) -> String {
    format!("{} ({} – {})", fill(tx(lang, "term_no"), &[("n", &t.number.to_string())]), t.starts_on, t.ends_on)
}

/// The term asked for (must belong to the body), else the one in force today.
pub(crate) async fn pick_term(state: &AppState, body: &Body, term: Option<i64>) -> WebResult<Term> {
    match term {
        Some(id) => {
            let t = congress::term(&state.store, id).await?;
            if t.body_id != body.id {
                return Err(WebError::NotFound);
            }
            Ok(t)
        }
        None => congress::current_term(&state.store, body, &lianxin_domain::error::fmt_date(state.today())).await?.ok_or(WebError::NotFound),
    }
}

pub async fn bodies(State(state): State<AppState>, v: Viewer) -> Response {
    let r = async {
        let a = v.require_somewhere(Permission::ViewDelegates)?;
        let lang = v.lang;
        let list = congress::bodies(&state.store, &a.scopes_for(Permission::ViewDelegates)).await?;
        let mut p = Page::new(Ctx::new(&v, "/bodies", "bodies"), tx(lang, "bodies"));
        let mut panel = Panel::default();
        panel.table = Some(Table {
            headers: vec![tx(lang, "name").into(), tx(lang, "kind").into(), tx(lang, "org").into()],
            rows: list
                .iter()
                .map(|b| {
                    vec![Cell::link(&b.name, format!("/bodies/{}", b.id)), Cell::text(label::<BodyKind>(lang, &b.kind)), Cell::text(&b.org_name)]
                })
                .collect(),
            empty: tx(lang, "none").into(),
        });
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct TermQuery {
    term: Option<String>,
}

pub async fn body(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<TermQuery>) -> Response {
    let r = async {
        let b = congress::body(&state.store, id).await?;
        v.require(Permission::ViewDelegates, &b.org_path)?;
        let lang = v.lang;
        let edit = v.can(Permission::EditDelegates, &b.org_path);
        let terms = congress::terms(&state.store, &b).await?;
        let term = pick_term(&state, &b, opt_id(&q.term)).await.ok();
        let mut p = Page::new(Ctx::new(&v, &format!("/bodies/{id}"), "bodies"), &b.name);
        p.crumbs.push(Link::new(format!("/orgs/{}", b.org_id), &b.org_name));
        let mut facts = Panel::default();
        facts.facts = vec![
            (tx(lang, "kind").into(), label::<BodyKind>(lang, &b.kind)),
            (tx(lang, "term_years").into(), b.term_years.to_string()),
            (tx(lang, "min_members").into(), b.min_members_per_delegate.to_string()),
            (tx(lang, "youth_age_max").into(), b.youth_age_max.to_string()),
        ];
        facts.table = Some(Table {
            headers: vec![tx(lang, "terms").into(), tx(lang, "seats").into()],
            rows: terms
                .iter()
                .map(|t| {
                    vec![
                        Cell::link(term_label(lang, t), format!("/bodies/{id}?term={}", t.id)),
                        Cell::text(t.seats.map(|s| s.to_string()).unwrap_or_default()),
                    ]
                })
                .collect(),
            empty: tx(lang, "none").into(),
        });
        p.panels.push(facts);
        if let Some(t) = &term {
            let tq = format!("term={}", t.id);
            p.actions.push(Link::new(format!("/bodies/{id}/delegates?{tq}"), tx(lang, "delegates")));
            p.actions.push(Link::new(format!("/bodies/{id}/proposals"), tx(lang, "proposals")));
            p.actions.push(Link::new(format!("/bodies/{id}/activities?{tq}"), lang.pick("履职活动", "Activities")));
            p.actions.push(Link::new(format!("/bodies/{id}/requests"), lang.pick("群众诉求", "Citizen requests")));
            p.actions.push(Link::new(format!("/bodies/{id}/meetings"), lang.pick("会议与表决", "Meetings and votes")));
            p.actions.push(Link::new(format!("/bodies/{id}/elections"), lang.pick("选举", "Elections")));
            p.actions.push(Link::new(format!("/public/bodies/{id}/reception"), lang.pick("接待日", "Reception days")));
            if v.can(Permission::ViewReports, &b.org_path) {
                p.actions.push(Link::new(format!("/bodies/{id}/studios"), lang.pick("代表工作室", "Studios")));
            }
            if edit {
                p.actions.push(Link::new(format!("/bodies/{id}/cards?{tq}"), lang.pick("联系卡", "Contact cards")));
            }
            if v.can(Permission::ViewReports, &b.org_path) {
                p.actions.push(Link::new(format!("/bodies/{id}/duty?{tq}"), lang.pick("履职情况", "Duty board")));
                p.actions.push(Link::new(format!("/bodies/{id}/composition?{tq}"), tx(lang, "composition")));
                p.actions.push(Link::new(format!("/bodies/{id}/coverage?{tq}"), tx(lang, "coverage")));
            }
            let groups = congress::groups(&state.store, t).await?;
            let mut gp = Panel::titled(format!("{} · {}", tx(lang, "groups"), term_label(lang, t)));
            gp.table = Some(Table {
                headers: vec![tx(lang, "name").into(), tx(lang, "leader").into(), tx(lang, "count").into(), "ID".into()],
                rows: groups
                    .iter()
                    .map(|g| {
                        vec![
                            Cell::link(&g.name, format!("/bodies/{id}/delegates?{tq}&group_id={}", g.id)),
                            Cell::text(g.leader_name.clone().unwrap_or_default()),
                            Cell::text(g.members.to_string()),
                            Cell::text(g.id.to_string()),
                        ]
                    })
                    .collect(),
                empty: tx(lang, "none").into(),
            });
            p.panels.push(gp);
            let committee = congress::committee(&state.store, t).await?;
            let mut cp = Panel::titled(tx(lang, "committee"));
            let mut rows = Vec::new();
            for c in &committee {
                let groups = network::links_from(
                    &state.store,
                    t.tenant_id,
                    LinkKind::CommitteeGroup,
                    c.id,
                    Some(&lianxin_domain::error::fmt_date(state.today())),
                )
                .await?;
                rows.push(vec![
                    Cell::text(&c.name),
                    Cell::text(label::<CommitteePost>(lang, &c.post)),
                    Cell::text(match &c.until {
                        Some(u) => format!("{} – {u}", c.since),
                        None => c.since.clone(),
                    }),
                    Cell::text(groups.iter().map(|g| g.to_name.clone()).collect::<Vec<_>>().join("、")),
                    if edit && c.until.is_none() {
                        Cell::action(format!("{} {}", tx(lang, "end_term_of"), c.id), format!("/committee/{}/end", c.id))
                    } else {
                        Cell::text(c.id.to_string())
                    },
                ]);
            }
            cp.table = Some(Table {
                headers: vec![
                    tx(lang, "person_name").into(),
                    tx(lang, "post").into(),
                    tx(lang, "since").into(),
                    tx(lang, "linked_groups").into(),
                    "ID".into(),
                ],
                rows,
                empty: tx(lang, "none").into(),
            });
            p.panels.push(cp);
            let vac = congress::delegates(
                &state.store,
                t,
                &[None],
                &DelegateFilter { vacant: Some(true), ..Default::default() },
                PageReq::new(None, Some(200)),
            )
            .await?;
            let mut vp = Panel::titled(tx(lang, "vacancies"));
            vp.table = Some(Table {
                headers: vec![
                    tx(lang, "person_name").into(),
                    tx(lang, "constituency").into(),
                    tx(lang, "status").into(),
                    tx(lang, "reason").into(),
                    tx(lang, "decided_on").into(),
                    "ID".into(),
                ],
                rows: vac
                    .items
                    .iter()
                    .map(|d| {
                        vec![
                            Cell::link(&d.name, format!("/delegates/{}", d.id)),
                            Cell::text(d.constituency.clone().unwrap_or_default()),
                            Cell::text(label::<DelegateStatus>(lang, &d.status)),
                            Cell::text(d.status_reason.as_deref().map(|r| label::<QualificationReason>(lang, r)).unwrap_or_default()),
                            Cell::text(d.status_on.clone().unwrap_or_default()),
                            Cell::text(d.id.to_string()),
                        ]
                    })
                    .collect(),
                empty: tx(lang, "none").into(),
            });
            p.panels.push(vp);
            if edit {
                let gopts: Vec<(String, String)> =
                    std::iter::once((String::new(), "—".to_string())).chain(groups.iter().map(|g| (g.id.to_string(), g.name.clone()))).collect();
                p.panels.push(Panel {
                    title: tx(lang, "add_delegate").into(),
                    folded: true,
                    form: Some(Form::post(
                        format!("/terms/{}/delegates", t.id),
                        &v.csrf,
                        tx(lang, "add_delegate"),
                        vec![
                            Field::new("number", "person_id", tx(lang, "person_id"), "").required(),
                            Field::select("category", tx(lang, "sector"), "", options::<DelegateCategory>(lang, None)),
                            Field::new("text", "constituency", tx(lang, "constituency"), ""),
                            Field::select("group_id", tx(lang, "group"), "", gopts),
                            Field::select("origin", tx(lang, "origin"), "election", options::<DelegateOrigin>(lang, None)),
                            Field::new("date", "elected_on", tx(lang, "elected_on"), ""),
                            Field::new("number", "replaces_id", tx(lang, "replaces"), "").hint(tx(lang, "by_election")),
                        ],
                    )),
                    ..Default::default()
                });
                p.panels.push(Panel {
                    title: tx(lang, "new_group").into(),
                    folded: true,
                    form: Some(Form::post(
                        format!("/terms/{}/groups", t.id),
                        &v.csrf,
                        tx(lang, "create"),
                        vec![Field::new("text", "name", tx(lang, "name"), "").required()],
                    )),
                    ..Default::default()
                });
                let dopts: Vec<(String, String)> =
                    std::iter::once((String::new(), "—".to_string())).chain(groups.iter().map(|g| (g.id.to_string(), g.name.clone()))).collect();
                p.panels.push(Panel {
                    title: tx(lang, "set_leader").into(),
                    folded: true,
                    form: Some(Form::post(
                        "/groups/0",
                        &v.csrf,
                        tx(lang, "save"),
                        vec![
                            Field::select("group_id", tx(lang, "group"), "", dopts),
                            Field::new("text", "name", format!("{} ({})", tx(lang, "name"), lang.pick("留空不改", "empty keeps it")), ""),
                            Field::new("number", "leader_id", format!("{} ID", tx(lang, "leader")), "").hint(
                                lang.pick("本组在任代表的编号,见代表页面", "an active delegate of the group; the id is on the delegate's page"),
                            ),
                        ],
                    )),
                    ..Default::default()
                });
                p.panels.push(Panel {
                    title: tx(lang, "add_committee").into(),
                    folded: true,
                    form: Some(Form::post(
                        format!("/terms/{}/committee", t.id),
                        &v.csrf,
                        tx(lang, "add_committee"),
                        vec![
                            Field::new("number", "person_id", tx(lang, "person_id"), "").required(),
                            Field::select("post", tx(lang, "post"), "member", options::<CommitteePost>(lang, None)),
                            Field::new("date", "since", tx(lang, "since"), lianxin_domain::error::fmt_date(state.today())).required(),
                        ],
                    )),
                    ..Default::default()
                });
                p.panels.push(Panel {
                    title: format!("{} ({})", tx(lang, "add_link"), label::<LinkKind>(lang, "committee_group")),
                    folded: true,
                    form: Some(Form::post(
                        "/links",
                        &v.csrf,
                        tx(lang, "add_link"),
                        vec![
                            Field::new("hidden", "kind", "", "committee_group"),
                            Field::new("hidden", "back", "", format!("/bodies/{id}?term={}", t.id)),
                            Field::new("number", "from_id", format!("{} ID", tx(lang, "committee")), "").required(),
                            Field::new("number", "to_id", format!("{} ID", tx(lang, "group")), "").required(),
                            Field::new("date", "starts_on", tx(lang, "starts_on"), lianxin_domain::error::fmt_date(state.today())),
                        ],
                    )),
                    ..Default::default()
                });
            }
        }
        if edit {
            p.panels.push(Panel {
                title: tx(lang, "new_term").into(),
                folded: true,
                form: Some(Form::post(
                    format!("/bodies/{id}/terms"),
                    &v.csrf,
                    tx(lang, "create"),
                    vec![
                        Field::new(
                            "number",
                            "number",
                            tx(lang, "term"),
                            terms.first().map(|t| (t.number + 1).to_string()).unwrap_or_else(|| "1".into()),
                        )
                        .required(),
                        Field::new("date", "starts_on", tx(lang, "starts_on"), terms.first().map(|t| t.ends_on.clone()).unwrap_or_default())
                            .required(),
                        Field::new("date", "ends_on", tx(lang, "ends_on"), "")
                            .hint(fill(lang.pick("默认 {n} 年", "default {n} years"), &[("n", &b.term_years.to_string())])),
                        Field::new("number", "seats", tx(lang, "seats"), ""),
                    ],
                )),
                ..Default::default()
            });
            p.panels.push(Panel {
                title: tx(lang, "settings").into(),
                folded: true,
                form: Some(Form::post(
                    format!("/bodies/{id}"),
                    &v.csrf,
                    tx(lang, "save"),
                    vec![
                        Field::new("text", "name", tx(lang, "name"), &b.name).required(),
                        Field::select("kind", tx(lang, "kind"), &b.kind, options::<BodyKind>(lang, None)),
                        Field::new("number", "term_years", tx(lang, "term_years"), b.term_years.to_string()),
                        Field::new("number", "min_members_per_delegate", tx(lang, "min_members"), b.min_members_per_delegate.to_string()),
                        Field::new("number", "youth_age_max", tx(lang, "youth_age_max"), b.youth_age_max.to_string()),
                        Field::new("number", "min_signers", tx(lang, "min_signers"), b.min_signers.to_string()),
                        Field::new("number", "deadline_days", tx(lang, "deadline_days"), b.deadline_days.to_string()),
                        Field::new("number", "rehandle_days", tx(lang, "rehandle_days"), b.rehandle_days.to_string()),
                        Field::select(
                            "session_open",
                            tx(lang, "session_open"),
                            if b.session_open { "1" } else { "0" },
                            vec![("0".into(), tx(lang, "in_recess").into()), ("1".into(), tx(lang, "in_session").into())],
                        ),
                    ],
                )),
                ..Default::default()
            });
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct BodyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    term_years: Option<String>,
    #[serde(default)]
    min_members_per_delegate: Option<String>,
    #[serde(default)]
    youth_age_max: Option<String>,
    #[serde(default)]
    min_signers: Option<String>,
    #[serde(default)]
    deadline_days: Option<String>,
    #[serde(default)]
    rehandle_days: Option<String>,
    #[serde(default)]
    session_open: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

impl BodyForm {
    fn input(&self, org_id: i64) -> BodyInput {
        BodyInput {
            min_signers: opt_id(&self.min_signers),
            deadline_days: opt_id(&self.deadline_days),
            rehandle_days: opt_id(&self.rehandle_days),
            session_open: opt_str(&self.session_open).map(|v| v == "1"),
            org_id,
            name: self.name.clone(),
            kind: self.kind.clone(),
            term_years: opt_id(&self.term_years),
            min_members_per_delegate: opt_id(&self.min_members_per_delegate),
            youth_age_max: opt_id(&self.youth_age_max),
        }
    }
}

pub async fn create_body(State(state): State<AppState>, v: Viewer, Path(org_id): Path<i64>, FormData(f): FormData<BodyForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let org = orgs::get(&state.store, org_id).await?;
        v.require(Permission::EditDelegates, &org.path)?;
        let b = congress::create_body(&state.store, &f.input(org_id), &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{}", b.id)))
    }
    .await;
    page(&v, r)
}

pub async fn update_body(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<BodyForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let b = congress::body(&state.store, id).await?;
        v.require(Permission::EditDelegates, &b.org_path)?;
        congress::update_body(&state.store, id, &f.input(b.org_id), &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{id}")))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct TermForm {
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: Option<String>,
    #[serde(default)]
    seats: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn create_term(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<TermForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let b = congress::body(&state.store, id).await?;
        v.require(Permission::EditDelegates, &b.org_path)?;
        let input = TermInput {
            number: opt_id(&f.number).unwrap_or(0),
            starts_on: f.starts_on.clone(),
            ends_on: opt_str(&f.ends_on),
            seats: opt_id(&f.seats),
        };
        let t = congress::create_term(&state.store, &b, &input, &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{id}?term={}", t.id)))
    }
    .await;
    page(&v, r)
}

/// The term and its body, checked for `p`.
async fn term_in_scope(state: &AppState, v: &Viewer, term_id: i64, p: Permission) -> WebResult<(Term, Body)> {
    let t = congress::term(&state.store, term_id).await?;
    let b = congress::body(&state.store, t.body_id).await?;
    v.require(p, &b.org_path)?;
    Ok((t, b))
}

#[derive(Deserialize, Default)]
pub struct GroupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    group_id: Option<String>,
    #[serde(default)]
    leader_id: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn create_group(State(state): State<AppState>, v: Viewer, Path(term_id): Path<i64>, FormData(f): FormData<GroupForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let (t, b) = term_in_scope(&state, &v, term_id, Permission::EditDelegates).await?;
        congress::create_group(&state.store, &t, &GroupInput { name: f.name.clone(), leader_id: None }, &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{}?term={}", b.id, t.id)))
    }
    .await;
    page(&v, r)
}

pub async fn update_group(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<GroupForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        // the group comes from the path, or from the form's picker
        let id = if id > 0 { id } else { opt_id(&f.group_id).ok_or(WebError::NotFound)? };
        let g = congress::group(&state.store, id).await?;
        let (t, b) = term_in_scope(&state, &v, g.term_id, Permission::EditDelegates).await?;
        let name = if f.name.trim().is_empty() { g.name.clone() } else { f.name.clone() };
        congress::update_group(&state.store, id, &GroupInput { name, leader_id: opt_id(&f.leader_id) }, &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{}?term={}", b.id, t.id)))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct DelegateForm {
    #[serde(default)]
    person_id: Option<String>,
    #[serde(default)]
    category: String,
    #[serde(default)]
    constituency: Option<String>,
    #[serde(default)]
    group_id: Option<String>,
    #[serde(default)]
    origin: Option<String>,
    #[serde(default)]
    elected_on: Option<String>,
    #[serde(default)]
    replaces_id: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn add_delegate(State(state): State<AppState>, v: Viewer, Path(term_id): Path<i64>, FormData(f): FormData<DelegateForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let (t, _) = term_in_scope(&state, &v, term_id, Permission::EditDelegates).await?;
        // the person must be inside the editor's scope too
        if let Some(pid) = opt_id(&f.person_id) {
            if let Ok(person) = lianxin_store::people::get(&state.store, pid).await {
                v.require(Permission::EditDelegates, &person.org_path)?;
            }
        }
        let input = DelegateInput {
            person_id: opt_id(&f.person_id).unwrap_or(0),
            category: f.category.clone(),
            constituency: opt_str(&f.constituency),
            group_id: opt_id(&f.group_id),
            origin: opt_str(&f.origin),
            elected_on: opt_str(&f.elected_on),
            replaces_id: opt_id(&f.replaces_id),
        };
        let d = congress::add_delegate(&state.store, &t, &input, &v.change(&state)?).await?;
        Ok(see_other(&format!("/delegates/{}", d.id)))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct CommitteeForm {
    #[serde(default)]
    person_id: Option<String>,
    #[serde(default)]
    post: String,
    #[serde(default)]
    since: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn add_committee(State(state): State<AppState>, v: Viewer, Path(term_id): Path<i64>, FormData(f): FormData<CommitteeForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let (t, b) = term_in_scope(&state, &v, term_id, Permission::EditDelegates).await?;
        let input = CommitteeInput { person_id: opt_id(&f.person_id).unwrap_or(0), post: f.post.clone(), since: f.since.clone() };
        congress::add_committee_member(&state.store, &t, &input, &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{}?term={}", b.id, t.id)))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct DelegatesQuery {
    term: Option<String>,
    q: Option<String>,
    category: Option<String>,
    status: Option<String>,
    gender: Option<String>,
    group_id: Option<String>,
    vacant: Option<String>,
    page: Option<i64>,
    format: Option<String>,
}

pub fn delegates_table(lang: Lang, items: &[Delegate], show_phone: bool) -> Table {
    Table {
        headers: vec![
            tx(lang, "person_name").into(),
            tx(lang, "gender").into(),
            tx(lang, "sector").into(),
            tx(lang, "group").into(),
            tx(lang, "constituency").into(),
            tx(lang, "org").into(),
            tx(lang, "status").into(),
            tx(lang, "origin").into(),
            tx(lang, "phone").into(),
        ],
        rows: items
            .iter()
            .map(|d| {
                vec![
                    Cell::link(&d.name, format!("/delegates/{}", d.id)),
                    Cell::text(label::<Gender>(lang, &d.gender)),
                    Cell::text(label::<DelegateCategory>(lang, &d.category)),
                    Cell::text(d.group_name.clone().unwrap_or_default()),
                    Cell::text(d.constituency.clone().unwrap_or_default()),
                    Cell::text(&d.org_name),
                    Cell::text(label::<DelegateStatus>(lang, &d.status)),
                    Cell::text(label::<DelegateOrigin>(lang, &d.origin)),
                    Cell::text(d.phone.as_deref().map(|p| if show_phone { p.to_string() } else { mask_phone(p) }).unwrap_or_default()),
                ]
            })
            .collect(),
        empty: tx(lang, "none").into(),
    }
}

pub async fn delegates(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<DelegatesQuery>) -> Response {
    let r = async {
        let b = congress::body(&state.store, id).await?;
        let a = v.require(Permission::ViewDelegates, &b.org_path)?;
        let lang = v.lang;
        let t = pick_term(&state, &b, opt_id(&q.term)).await?;
        let f = DelegateFilter {
            q: q.q.clone(),
            category: opt_str(&q.category),
            status: opt_str(&q.status),
            group_id: opt_id(&q.group_id),
            gender: opt_str(&q.gender),
            org_id: None,
            vacant: q.vacant.as_deref().map(|x| x == "1"),
        };
        let export = q.format.as_deref() == Some("xlsx");
        let req = if export { PageReq::all() } else { PageReq::new(q.page, Some(50)) };
        // delegates are listed to everyone who may see the body; phones only to those who see people
        let result = congress::delegates(&state.store, &t, &[None], &f, req).await?;
        let show_phone = a.can(Permission::ViewPeople, &b.org_path);
        let table = delegates_table(lang, &result.items, show_phone);
        if export {
            return Ok(xlsx_response(&format!("{}-{}-代表.xlsx", b.name, t.number), "代表", &table));
        }
        let base = format!(
            "/bodies/{id}/delegates?term={}&q={}&category={}&status={}&gender={}&group_id={}",
            t.id,
            qs(q.q.as_deref().unwrap_or("")),
            qs(q.category.as_deref().unwrap_or("")),
            qs(q.status.as_deref().unwrap_or("")),
            qs(q.gender.as_deref().unwrap_or("")),
            qs(q.group_id.as_deref().unwrap_or(""))
        );
        let mut p = Page::new(Ctx::new(&v, &base, "bodies"), format!("{} · {}", b.name, tx(lang, "delegates")));
        p.crumbs.push(Link::new(format!("/bodies/{id}?term={}", t.id), format!("{} {}", b.name, term_label(lang, &t))));
        p.actions.push(Link::new(format!("{base}&format=xlsx"), tx(lang, "export")));
        let groups = congress::groups(&state.store, &t).await?;
        let gopts: Vec<(String, String)> =
            std::iter::once((String::new(), tx(lang, "all").to_string())).chain(groups.iter().map(|g| (g.id.to_string(), g.name.clone()))).collect();
        let mut panel = Panel::default();
        panel.form = Some(Form::filter(
            format!("/bodies/{id}/delegates"),
            tx(lang, "search"),
            vec![
                Field::new("hidden", "term", "", t.id.to_string()),
                Field::new("search", "q", lang.pick("姓名/选区/单位", "name / constituency / unit"), q.q.clone().unwrap_or_default()),
                Field::select(
                    "category",
                    tx(lang, "category"),
                    q.category.clone().unwrap_or_default(),
                    options::<DelegateCategory>(lang, Some(tx(lang, "all"))),
                ),
                Field::select(
                    "status",
                    tx(lang, "status"),
                    q.status.clone().unwrap_or_default(),
                    options::<DelegateStatus>(lang, Some(tx(lang, "all"))),
                ),
                Field::select("gender", tx(lang, "gender"), q.gender.clone().unwrap_or_default(), options::<Gender>(lang, Some(tx(lang, "all")))),
                Field::select("group_id", tx(lang, "group"), q.group_id.clone().unwrap_or_default(), gopts),
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

pub async fn delegate(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let d = congress::delegate(&state.store, id).await?;
        let t = congress::term(&state.store, d.term_id).await?;
        let b = congress::body(&state.store, t.body_id).await?;
        let a = v.require(Permission::ViewDelegates, &b.org_path)?;
        let lang = v.lang;
        let show_people = a.can(Permission::ViewPeople, &d.org_path);
        let is_self = a.person_id == Some(d.person_id);
        let mut p = Page::new(Ctx::new(&v, &format!("/delegates/{id}"), "bodies"), &d.name);
        p.crumbs.push(Link::new(format!("/bodies/{}?term={}", b.id, t.id), format!("{} {}", b.name, term_label(lang, &t))));
        p.crumbs.push(Link::new(format!("/bodies/{}/delegates?term={}", b.id, t.id), tx(lang, "delegates")));
        if is_self || a.can(Permission::ViewReports, &b.org_path) {
            p.actions.push(Link::new(format!("/delegates/{id}/duty"), lang.pick("履职档案", "Duty file")));
        }
        // the page a contact card's QR code opens, where residents leave requests
        p.actions.push(Link::new(format!("/public/delegates/{id}"), lang.pick("公开主页", "Public page")));
        let mut facts = Panel::default();
        facts.facts = vec![
            (tx(lang, "gender").into(), label::<Gender>(lang, &d.gender)),
            (
                tx(lang, "birth_date").into(),
                if show_people || is_self {
                    d.birth_date.clone().unwrap_or_default()
                } else {
                    d.birth_date.as_deref().map(|b| b.chars().take(4).collect()).unwrap_or_default()
                },
            ),
            (tx(lang, "ethnicity").into(), d.ethnicity.clone()),
            (tx(lang, "org").into(), d.org_name.clone()),
            (tx(lang, "sector").into(), label::<DelegateCategory>(lang, &d.category)),
            (tx(lang, "constituency").into(), d.constituency.clone().unwrap_or_default()),
            (tx(lang, "group").into(), d.group_name.clone().unwrap_or_default()),
            (tx(lang, "status").into(), label::<DelegateStatus>(lang, &d.status)),
            (tx(lang, "origin").into(), label::<DelegateOrigin>(lang, &d.origin)),
            (tx(lang, "elected_on").into(), d.elected_on.clone().unwrap_or_default()),
            (
                tx(lang, "phone").into(),
                d.phone.as_deref().map(|ph| if show_people || is_self { ph.to_string() } else { mask_phone(ph) }).unwrap_or_default(),
            ),
        ];
        if let Some(reason) = &d.status_reason {
            facts.facts.push((tx(lang, "reason").into(), label::<QualificationReason>(lang, reason)));
            facts.facts.push((tx(lang, "rule").into(), d.status_rule.clone().unwrap_or_default()));
            facts.facts.push((tx(lang, "decided_on").into(), d.status_on.clone().unwrap_or_default()));
            facts.facts.push((tx(lang, "decided_by").into(), d.status_decided_by.clone().unwrap_or_default()));
            facts.facts.push((tx(lang, "note").into(), d.status_note.clone().unwrap_or_default()));
        }
        if let Some(r) = d.replaces_id {
            facts.links.push(Link::new(format!("/delegates/{r}"), tx(lang, "replaces")));
        }
        if let Some(r) = d.replaced_by {
            facts.links.push(Link::new(format!("/delegates/{r}"), tx(lang, "by_election")));
        }
        if show_people {
            facts.links.push(Link::new(format!("/people/{}", d.person_id), tx(lang, "people")));
        }
        p.panels.push(facts);

        // the members this delegate looks after (names only to those allowed to see people, and to the delegate)
        if show_people || is_self {
            let links = network::links_from(&state.store, d.tenant_id, LinkKind::DelegateMember, id, None).await?;
            let edit = v.can(Permission::EditDelegates, &b.org_path);
            let today = lianxin_domain::error::fmt_date(state.today());
            let mut lp = Panel::titled(tx(lang, "linked_members"));
            lp.table = Some(Table {
                headers: vec![tx(lang, "person_name").into(), tx(lang, "starts_on").into(), tx(lang, "ends_on").into(), "".into()],
                rows: links
                    .iter()
                    .map(|l| {
                        let active = lianxin_domain::coverage::link_active(&l.starts_on, l.ends_on.as_deref(), &today);
                        vec![
                            if show_people { Cell::link(&l.to_name, format!("/people/{}", l.to_id)) } else { Cell::text(&l.to_name) },
                            Cell::text(&l.starts_on),
                            Cell::text(l.ends_on.clone().unwrap_or_default()),
                            if edit && l.ends_on.is_none() {
                                Cell::action(tx(lang, "end_link"), format!("/links/{}/end", l.id))
                            } else if active {
                                Cell::text("✓")
                            } else {
                                Cell::text(tx(lang, "history"))
                            },
                        ]
                    })
                    .collect(),
                empty: tx(lang, "none").into(),
            });
            p.panels.push(lp);
        }
        if v.can(Permission::EditDelegates, &b.org_path) {
            let groups = congress::groups(&state.store, &t).await?;
            let gopts: Vec<(String, String)> =
                std::iter::once((String::new(), "—".to_string())).chain(groups.iter().map(|g| (g.id.to_string(), g.name.clone()))).collect();
            p.panels.push(Panel {
                title: tx(lang, "edit").into(),
                folded: true,
                form: Some(Form::post(
                    format!("/delegates/{id}"),
                    &v.csrf,
                    tx(lang, "save"),
                    vec![
                        Field::select("category", tx(lang, "sector"), &d.category, options::<DelegateCategory>(lang, None)),
                        Field::new("text", "constituency", tx(lang, "constituency"), d.constituency.clone().unwrap_or_default()),
                        Field::select("group_id", tx(lang, "group"), d.group_id.map(|g| g.to_string()).unwrap_or_default(), gopts),
                    ],
                )),
                ..Default::default()
            });
            if d.status == "active" || d.status == "duties_stopped" {
                let mut f = Form::post(
                    format!("/delegates/{id}/qualification"),
                    &v.csrf,
                    tx(lang, "confirm"),
                    vec![
                        Field::select("reason", tx(lang, "reason"), "", options::<QualificationReason>(lang, Some(""))).required(),
                        Field::new("date", "decided_on", tx(lang, "decided_on"), lianxin_domain::error::fmt_date(state.today())).required(),
                        Field::new("text", "proposed_by", tx(lang, "proposed_by"), ""),
                        Field::new("text", "decided_by", tx(lang, "decided_by"), &b.org_name),
                        Field::new("textarea", "note", tx(lang, "note"), ""),
                    ],
                );
                f.confirm = Some(lang.pick("资格变动后该席位将列为待补选空缺,确认?", "The seat will be listed as a vacancy. Continue?").into());
                p.panels.push(Panel {
                    title: tx(lang, "qualification").into(),
                    note: lang.pick("依据《任期制暂行条例》第25–28条(R-J6–R-J9)", "Rules R-J6 to R-J9").into(),
                    folded: true,
                    form: Some(f),
                    ..Default::default()
                });
            }
            if d.status == "active" {
                p.panels.push(Panel {
                    title: format!("{} ({})", tx(lang, "add_link"), label::<LinkKind>(lang, "delegate_member")),
                    folded: true,
                    form: Some(Form::post(
                        "/links",
                        &v.csrf,
                        tx(lang, "add_link"),
                        vec![
                            Field::new("hidden", "kind", "", "delegate_member"),
                            Field::new("hidden", "from_id", "", id.to_string()),
                            Field::new("hidden", "back", "", format!("/delegates/{id}")),
                            Field::new("number", "to_id", format!("{} ID", tx(lang, "members")), "").required(),
                            Field::new("date", "starts_on", tx(lang, "starts_on"), lianxin_domain::error::fmt_date(state.today())),
                        ],
                    )),
                    ..Default::default()
                });
            }
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct DelegateEditForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    constituency: Option<String>,
    #[serde(default)]
    group_id: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn delegate_in_scope(state: &AppState, v: &Viewer, id: i64, p: Permission) -> WebResult<Delegate> {
    let d = congress::delegate(&state.store, id).await?;
    let t = congress::term(&state.store, d.term_id).await?;
    let b = congress::body(&state.store, t.body_id).await?;
    v.require(p, &b.org_path)?;
    Ok(d)
}

pub async fn update_delegate(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<DelegateEditForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        delegate_in_scope(&state, &v, id, Permission::EditDelegates).await?;
        congress::update_delegate(
            &state.store,
            id,
            &DelegateEdit { category: f.category.clone(), constituency: opt_str(&f.constituency), group_id: opt_id(&f.group_id) },
            &v.change(&state)?,
        )
        .await?;
        Ok(see_other(&format!("/delegates/{id}")))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct QualificationForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    proposed_by: Option<String>,
    #[serde(default)]
    decided_by: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn qualification(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<QualificationForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        delegate_in_scope(&state, &v, id, Permission::EditDelegates).await?;
        let input = QualificationChangeInput {
            reason: f.reason.clone(),
            note: opt_str(&f.note),
            decided_on: f.decided_on.clone(),
            proposed_by: opt_str(&f.proposed_by),
            decided_by: opt_str(&f.decided_by),
        };
        congress::change_delegate_qualification(&state.store, id, &input, &v.change(&state)?).await?;
        Ok(see_other(&format!("/delegates/{id}")))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct LinkForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from_id: Option<String>,
    #[serde(default)]
    to_id: Option<String>,
    #[serde(default)]
    starts_on: Option<String>,
    #[serde(default)]
    ends_on: Option<String>,
    #[serde(default)]
    back: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// The organisation path a link's starting end belongs to (for the scope check).
pub(crate) async fn link_scope(state: &AppState, kind: &str, from_id: i64) -> WebResult<String> {
    Ok(match LinkKind::from_code(kind) {
        Some(LinkKind::CommitteeGroup) => {
            let g = lianxin_store::db::q("SELECT term_id FROM committee_members WHERE id = $1", [from_id.into()])
                .fetch_optional(&state.store.pool)
                .await
                .map_err(lianxin_store::StoreError::from)?;
            let term_id = g.map(|r| lianxin_store::db::RowExt::i(&r, "term_id")).ok_or(WebError::NotFound)?;
            let t = congress::term(&state.store, term_id).await?;
            congress::body(&state.store, t.body_id).await?.org_path
        }
        Some(LinkKind::DelegateMember) => {
            let d = congress::delegate(&state.store, from_id).await?;
            let t = congress::term(&state.store, d.term_id).await?;
            congress::body(&state.store, t.body_id).await?.org_path
        }
        Some(LinkKind::MemberResident) => lianxin_store::people::get(&state.store, from_id).await?.org_path,
        None => return Err(WebError::Invalid(vec![lianxin_domain::FieldError::new("kind", "bad_choice", "联系类别无效", "invalid kind of link")])),
    })
}

fn local_back(back: &Option<String>) -> String {
    back.clone().filter(|b| b.starts_with('/') && !b.starts_with("//")).unwrap_or_else(|| "/".into())
}

pub async fn create_link(State(state): State<AppState>, v: Viewer, FormData(f): FormData<LinkForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let from_id = opt_id(&f.from_id).unwrap_or(0);
        let path = link_scope(&state, &f.kind, from_id).await?;
        v.require(Permission::EditDelegates, &path)?;
        if let Some(to) = opt_id(&f.to_id) {
            // the far end must be visible to the editor too
            if f.kind != "committee_group" {
                if let Ok(p) = lianxin_store::people::get(&state.store, to).await {
                    v.require(Permission::EditDelegates, &p.org_path)?;
                }
            }
        }
        network::create(
            &state.store,
            &LinkInput { kind: f.kind.clone(), from_id, to_id: opt_id(&f.to_id).unwrap_or(0), starts_on: opt_str(&f.starts_on) },
            &v.change(&state)?,
        )
        .await?;
        Ok(see_other(&local_back(&f.back)))
    }
    .await;
    page(&v, r)
}

pub async fn end_link(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    FormData(f): FormData<LinkForm>,
) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let l = network::get(&state.store, id).await?;
        let path = link_scope(&state, &l.kind, l.from_id).await?;
        v.require(Permission::EditDelegates, &path)?;
        network::end(&state.store, id, opt_str(&f.ends_on).as_deref(), &v.change(&state)?).await?;
        let back = headers
            .get(axum::http::header::REFERER)
            .and_then(|h| h.to_str().ok())
            .and_then(|r| r.find("://").and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string())));
        Ok(see_other(&local_back(&back.or(f.back.clone()))))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct EndForm {
    #[serde(default)]
    until: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn end_committee(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<EndForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let row = lianxin_store::db::q("SELECT term_id FROM committee_members WHERE id = $1", [id.into()])
            .fetch_optional(&state.store.pool)
            .await
            .map_err(lianxin_store::StoreError::from)?
            .ok_or(WebError::NotFound)?;
        let (t, b) = term_in_scope(&state, &v, lianxin_store::db::RowExt::i(&row, "term_id"), Permission::EditDelegates).await?;
        congress::end_committee_member(&state.store, id, opt_str(&f.until).as_deref(), &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{}?term={}", b.id, t.id)))
    }
    .await;
    page(&v, r)
}
