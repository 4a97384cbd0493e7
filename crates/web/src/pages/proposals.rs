//! Proposals on the web: a delegate drafts and gathers co-signers, the review committee
//! (the liaison office) accepts, merges or converts and assigns, the handling unit replies,
//! the proposer rates. Each viewer sees the forms of the steps that are theirs.

use super::{opt_id, opt_str, page, see_other};
use crate::auth::Viewer;
use crate::error::{WebError, WebResult};
use crate::i18n::{label, t as tx};
use crate::view::{fmt_ms, options, qs, xlsx_response, Bar, Cell, Ctx, Field, Form, Link, Page, Pager, Panel, Stat, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form as FormData;
use lianxin_domain::access::{Actor, Permission, Role};
use lianxin_domain::composition::Share;
use lianxin_domain::lang::Coded;
use lianxin_domain::org::in_subtree;
use lianxin_domain::proposal::{
    date_of_day, day_number, Action, DraftInput, Part, ProposalCategory, ProposalKind, ProposalStatus, ReplyResult, Satisfaction,
};
use lianxin_domain::Lang;
use lianxin_store::congress::{self, Body};
use lianxin_store::proposals::{self, Proposal, ProposalFilter};
use lianxin_store::{orgs, PageReq};
use serde::Deserialize;

/// The parts a viewer plays on one proposal.
async fn parts_of(state: &AppState, a: &Actor, p: &Proposal, body: &Body) -> WebResult<Vec<Part>> {
    let mut parts = Vec::new();
    if a.person_id == Some(p.proposer_person_id) {
        parts.push(Part::Proposer);
    }
    if let Some(pid) = a.person_id {
        let ss = proposals::signers(&state.store, p).await?;
        if ss.iter().any(|s| s.person_id == pid && s.role == "cosigner") {
            parts.push(Part::CoSigner);
        }
    }
    if a.can(Permission::EditDelegates, &body.org_path) {
        parts.push(Part::Committee);
    }
    if let Some(u) = p.lead_unit_id {
        let unit = orgs::get(&state.store, u).await?;
        if unit_scopes(a).iter().any(|s| in_subtree(&unit.path, s)) {
            parts.push(Part::LeadUnit);
        }
    }
    Ok(parts)
}

/// The subtrees a viewer handles as a handling unit.
pub(crate) fn unit_scopes(a: &Actor) -> Vec<String> {
    a.grants.iter().filter(|g| g.role == Role::HandlingUnit).filter_map(|g| g.scope_path.clone()).collect()
}

/// Who may read a proposal: the office and committee members of the body, its signers, the
/// units it is assigned to (once assigned), and everyone once it is public.
pub(crate) async fn can_read(state: &AppState, a: &Actor, p: &Proposal, body: &Body) -> WebResult<bool> {
    if a.can(Permission::ViewReports, &body.org_path) || p.is_public && a.can(Permission::ViewDelegates, &body.org_path) {
        return Ok(true);
    }
    if let Some(pid) = a.person_id {
        if proposals::signers(&state.store, p).await?.iter().any(|s| s.person_id == pid && s.state != "declined") {
            return Ok(true);
        }
    }
    let scopes = unit_scopes(a);
    if !scopes.is_empty() && p.status().is_handling() || matches!(p.status(), ProposalStatus::Replied | ProposalStatus::Closed) {
        for u in proposals::units(&state.store, p).await? {
            if scopes.iter().any(|s| in_subtree(&u.path, s)) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The delegate record of the viewer in the body's current term, if they are an active delegate.
pub(crate) async fn my_delegate(state: &AppState, a: &Actor, body: &Body) -> WebResult<Option<(congress::Term, i64)>> {
    let Some(pid) = a.person_id else { return Ok(None) };
    let Some(t) = congress::current_term(&state.store, body, &lianxin_domain::error::fmt_date(state.today())).await? else { return Ok(None) };
    let mine = congress::delegates_of_person(&state.store, body.tenant_id, pid).await?;
    Ok(mine.into_iter().find(|d| d.term_id == t.id && d.status == "active").map(|d| (t, d.id)))
}

fn deadline_text(lang: Lang, p: &Proposal, today: i64) -> String {
    match p.deadline_day {
        Some(d) => {
            let date = lianxin_domain::error::fmt_date(date_of_day(d));
            if p.overdue(today) {
                format!("{date}({})", tx(lang, "overdue"))
            } else {
                date
            }
        }
        None => String::new(),
    }
}

pub fn proposals_table(lang: Lang, items: &[Proposal], today: i64) -> Table {
    Table {
        headers: vec![
            tx(lang, "number").into(),
            tx(lang, "title").into(),
            tx(lang, "kind").into(),
            tx(lang, "category").into(),
            tx(lang, "proposer").into(),
            tx(lang, "status").into(),
            tx(lang, "lead_unit").into(),
            tx(lang, "deadline").into(),
            tx(lang, "satisfaction").into(),
        ],
        rows: items
            .iter()
            .map(|p| {
                vec![
                    Cell::text(p.number.clone().unwrap_or_default()),
                    Cell::link(format!("{}{}", if p.key_proposal { "★ " } else { "" }, p.title), format!("/proposals/{}", p.id)),
                    Cell::text(label::<ProposalKind>(lang, &p.kind)),
                    Cell::text(label::<ProposalCategory>(lang, &p.category)),
                    Cell::text(&p.proposer_name),
                    Cell::text(label::<ProposalStatus>(lang, &p.status)),
                    Cell::text(p.lead_unit_name.clone().unwrap_or_default()),
                    Cell::text(deadline_text(lang, p, today)),
                    Cell::text(p.satisfaction.as_deref().map(|s| label::<Satisfaction>(lang, s)).unwrap_or_default()),
                ]
            })
            .collect(),
        empty: tx(lang, "none").into(),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    category: Option<String>,
    overdue: Option<String>,
    /// a term id, a year, a lead unit id (empty: any)
    term: Option<String>,
    year: Option<String>,
    unit: Option<String>,
    page: Option<i64>,
    format: Option<String>,
}

pub async fn list(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<ListQuery>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        let a = v.user()?.clone();
        let lang = v.lang;
        let today = day_number(state.today());
        let office = a.can(Permission::ViewReports, &body.org_path);
        let units = unit_scopes(&a);
        let mine = my_delegate(&state, &a, &body).await?;
        if !office && units.is_empty() && !a.can(Permission::ViewDelegates, &body.org_path) {
            return Err(WebError::Forbidden);
        }
        let mut f = ProposalFilter {
            q: q.q.clone(),
            status: opt_str(&q.status),
            kind: opt_str(&q.kind),
            category: opt_str(&q.category),
            overdue_on: q.overdue.as_deref().filter(|o| *o == "1").map(|_| today),
            term: opt_id(&q.term),
            year: q.year.as_deref().and_then(|y| y.trim().parse().ok()),
            unit: opt_id(&q.unit),
            ..Default::default()
        };
        let title = if office {
            tx(lang, "proposals")
        } else if !units.is_empty() {
            f.unit_paths = Some(units.clone());
            tx(lang, "inbox")
        } else {
            // a delegate: their own, and the public ones
            f.public_or_person = Some(a.person_id.unwrap_or(-1));
            f.include_drafts = true;
            tx(lang, "my_proposals")
        };
        let export = q.format.as_deref() == Some("xlsx");
        // words search the full text (titles, parts, replies) and rank by relevance
        let hits = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty() && !s.chars().all(|c| c.is_ascii_digit() || c == '-')) {
            Some(text) => {
                f.q = None;
                let hits = lianxin_store::search::search(&state.store, body.tenant_id, body.id, text, 500).await?;
                f.ids = Some(hits.iter().map(|h| h.id).collect());
                Some((text.to_string(), hits))
            }
            None => None,
        };
        let req = if export || hits.is_some() { PageReq::all() } else { PageReq::new(q.page, Some(50)) };
        let mut result = proposals::list(&state.store, &body, &f, req).await?;
        if let Some((_, hits)) = &hits {
            let rank = |id: i64| hits.iter().position(|h| h.id == id).unwrap_or(usize::MAX);
            result.items.sort_by_key(|p| rank(p.id));
            if !export {
                let page = q.page.unwrap_or(1).max(1);
                result.items = result.items.into_iter().skip(((page - 1) * 50) as usize).take(50).collect();
                result.page = page;
                result.per_page = 50;
            }
        }
        let mut table = proposals_table(lang, &result.items, today);
        if let Some((text, _)) = &hits {
            // a highlighted excerpt shows why each one matched
            let terms = lianxin_search::query_terms(text);
            table.headers.push(lang.pick("摘要", "Excerpt").into());
            for (row, p) in table.rows.iter_mut().zip(&result.items) {
                let full = format!("{} {} {} {}", p.title, p.reason, p.grounds, p.solution);
                row.push(Cell::text(lianxin_search::snippet(&full, &terms, 12)));
            }
        }
        if export {
            return Ok(xlsx_response(&format!("{}-提案.xlsx", body.name), "提案", &table));
        }
        let base = format!(
            "/bodies/{id}/proposals?q={}&status={}&kind={}&category={}&overdue={}&term={}&year={}&unit={}",
            qs(q.q.as_deref().unwrap_or("")),
            qs(q.status.as_deref().unwrap_or("")),
            qs(q.kind.as_deref().unwrap_or("")),
            qs(q.category.as_deref().unwrap_or("")),
            qs(q.overdue.as_deref().unwrap_or("")),
            qs(q.term.as_deref().unwrap_or("")),
            qs(q.year.as_deref().unwrap_or("")),
            qs(q.unit.as_deref().unwrap_or(""))
        );
        let mut p = Page::new(Ctx::new(&v, &base, "bodies"), format!("{} · {title}", body.name));
        p.crumbs.push(Link::new(format!("/bodies/{id}"), &body.name));
        if mine.is_some() {
            p.actions.push(Link::new(format!("/bodies/{id}/proposals/new"), tx(lang, "new_proposal")));
        }
        if office {
            p.actions.push(Link::new(format!("/bodies/{id}/proposals/stats"), tx(lang, "stats")));
        }
        p.actions.push(Link::new(format!("{base}&format=xlsx"), tx(lang, "export")));
        p.actions.push(Link::new(format!("/public/bodies/{id}/proposals"), tx(lang, "public")));
        let mut panel = Panel::default();
        panel.form = Some(Form::filter(
            format!("/bodies/{id}/proposals"),
            tx(lang, "search"),
            vec![
                Field::new("search", "q", lang.pick("标题/编号/提出人", "title / number / proposer"), q.q.clone().unwrap_or_default()),
                Field::select(
                    "status",
                    tx(lang, "status"),
                    q.status.clone().unwrap_or_default(),
                    options::<ProposalStatus>(lang, Some(tx(lang, "all"))),
                ),
                Field::select("kind", tx(lang, "kind"), q.kind.clone().unwrap_or_default(), options::<ProposalKind>(lang, Some(tx(lang, "all")))),
                Field::select(
                    "category",
                    tx(lang, "category"),
                    q.category.clone().unwrap_or_default(),
                    options::<ProposalCategory>(lang, Some(tx(lang, "all"))),
                ),
                Field::select(
                    "overdue",
                    tx(lang, "overdue"),
                    q.overdue.clone().unwrap_or_default(),
                    vec![(String::new(), tx(lang, "all").into()), ("1".into(), tx(lang, "overdue").into())],
                ),
                Field::select(
                    "term",
                    lang.pick("届次", "Term"),
                    q.term.clone().unwrap_or_default(),
                    std::iter::once((String::new(), tx(lang, "all").to_string()))
                        .chain(congress::terms(&state.store, &body).await?.iter().map(|t| (t.id.to_string(), super::congress::term_label(lang, t))))
                        .collect(),
                ),
                Field::new("number", "year", lang.pick("提交年度", "Year submitted"), q.year.clone().unwrap_or_default()),
                Field::select("unit", tx(lang, "lead_unit"), q.unit.clone().unwrap_or_default(), unit_options(&state, &body, tx(lang, "all")).await?),
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

fn draft_fields(lang: Lang, d: &DraftInput) -> Vec<Field> {
    vec![
        Field::select("kind", tx(lang, "kind"), &d.kind, options::<ProposalKind>(lang, None)),
        Field::new("text", "title", tx(lang, "title"), &d.title).required(),
        Field::select("category", tx(lang, "category"), &d.category, options::<ProposalCategory>(lang, None)),
        Field::new("textarea", "reason", tx(lang, "reason_part"), &d.reason),
        Field::new("textarea", "grounds", tx(lang, "grounds_part"), &d.grounds),
        Field::new("textarea", "solution", tx(lang, "solution_part"), &d.solution),
    ]
}

pub async fn new_form(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        let a = v.user()?.clone();
        if my_delegate(&state, &a, &body).await?.is_none() {
            return Err(WebError::Forbidden);
        }
        let lang = v.lang;
        let mut p = Page::new(Ctx::new(&v, &format!("/bodies/{id}/proposals/new"), "bodies"), tx(lang, "new_proposal"));
        p.crumbs.push(Link::new(format!("/bodies/{id}/proposals"), tx(lang, "proposals")));
        let kind = if body.session_open { "proposal" } else { "suggestion" };
        let d = DraftInput { kind: kind.into(), category: "other".into(), ..Default::default() };
        p.panels.push(Panel {
            note: lang.pick("提案、提议须写明案由、案据、方案,并由代表联名(R-J4);闭会期间可提建议或书面意见(R-J5)。先存为草稿,邀请联名后再提交。", "Proposals and motions need reason, grounds and solution and joint signers (R-J4); in recess make suggestions or opinions (R-J5). Save a draft, invite co-signers, then submit.").into(),
            form: Some(Form::post(format!("/bodies/{id}/proposals"), &v.csrf, tx(lang, "save"), draft_fields(lang, &d))),
            ..Default::default()
        });
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct DraftForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    grounds: String,
    #[serde(default)]
    solution: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

impl DraftForm {
    fn input(&self) -> DraftInput {
        DraftInput {
            kind: self.kind.clone(),
            title: self.title.clone(),
            category: self.category.clone(),
            reason: self.reason.clone(),
            grounds: self.grounds.clone(),
            solution: self.solution.clone(),
        }
    }
}

pub async fn create(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<DraftForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let body = congress::body(&state.store, id).await?;
        let a = v.user()?.clone();
        let Some((term, delegate_id)) = my_delegate(&state, &a, &body).await? else { return Err(WebError::Forbidden) };
        let p = proposals::create_draft(&state.store, &body, &term, delegate_id, &f.input(), &v.change(&state)?).await?;
        Ok(see_other(&format!("/proposals/{}", p.id)))
    }
    .await;
    page(&v, r)
}

/// The proposal and its body, if the viewer may read it.
pub(crate) async fn readable(state: &AppState, v: &Viewer, id: i64) -> WebResult<(Proposal, Body, Vec<Part>)> {
    let p = proposals::get(&state.store, id).await?;
    let body = congress::body(&state.store, p.body_id).await?;
    let a = v.user()?;
    if !can_read(state, a, &p, &body).await? {
        return Err(WebError::Forbidden);
    }
    let parts = parts_of(state, a, &p, &body).await?;
    Ok((p, body, parts))
}

pub async fn show(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let (p, body, parts) = readable(&state, &v, id).await?;
        let lang = v.lang;
        let today = day_number(state.today());
        let status = p.status();
        let mut page_ =
            Page::new(Ctx::new(&v, &format!("/proposals/{id}"), "bodies"), format!("{}{}", if p.key_proposal { "★ " } else { "" }, p.title));
        page_.crumbs.push(Link::new(format!("/bodies/{}/proposals", body.id), format!("{} · {}", body.name, tx(lang, "proposals"))));
        let signers = proposals::signers(&state.store, &p).await?;
        let units = proposals::units(&state.store, &p).await?;
        let mut facts = Panel::default();
        facts.facts = vec![
            (tx(lang, "number").into(), p.number.clone().unwrap_or_else(|| "—".into())),
            (tx(lang, "kind").into(), label::<ProposalKind>(lang, &p.kind)),
            (tx(lang, "category").into(), label::<ProposalCategory>(lang, &p.category)),
            (tx(lang, "status").into(), label::<ProposalStatus>(lang, &p.status)),
            (tx(lang, "proposer").into(), p.proposer_name.clone()),
            (
                tx(lang, "signers").into(),
                signers
                    .iter()
                    .map(|s| {
                        format!(
                            "{}({})",
                            s.name,
                            match s.state.as_str() {
                                "invited" => lang.pick("待确认", "invited"),
                                "declined" => lang.pick("不同意", "declined"),
                                _ => lang.pick("已确认", "confirmed"),
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            (
                tx(lang, "units").into(),
                units
                    .iter()
                    .map(|u| format!("{}({})", u.name, if u.role == "lead" { tx(lang, "lead_unit") } else { tx(lang, "co_units") }))
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            (tx(lang, "deadline").into(), deadline_text(lang, &p, today)),
            (tx(lang, "result").into(), p.result.as_deref().map(|r| label::<ReplyResult>(lang, r)).unwrap_or_default()),
            (tx(lang, "satisfaction").into(), p.satisfaction.as_deref().map(|s| label::<Satisfaction>(lang, s)).unwrap_or_default()),
        ];
        if let Some(m) = p.merged_into {
            facts.links.push(Link::new(format!("/proposals/{m}"), tx(lang, "merge")));
        }
        page_.panels.push(facts);
        // what was proposed or answered before: the committee merges duplicates with it
        if parts.contains(&Part::Committee) || (parts.contains(&Part::Proposer) && status == ProposalStatus::Draft) {
            let sim = lianxin_store::search::similar(&state.store, p.tenant_id, p.body_id, p.id, 5).await?;
            if !sim.is_empty() {
                let ids: Vec<i64> = sim.iter().map(|h| h.id).collect();
                let found = proposals::list(
                    &state.store,
                    &body,
                    &ProposalFilter { ids: Some(ids.clone()), include_drafts: false, ..Default::default() },
                    PageReq::all(),
                )
                .await?;
                let rows = ids
                    .iter()
                    .filter_map(|i| found.items.iter().find(|x| x.id == *i))
                    .map(|x| {
                        vec![
                            Cell::text(x.id.to_string()),
                            Cell::link(&x.title, format!("/proposals/{}", x.id)),
                            Cell::text(label::<ProposalStatus>(lang, &x.status)),
                            Cell::text(x.result.as_deref().map(|r| label::<ReplyResult>(lang, r)).unwrap_or_default()),
                        ]
                    })
                    .collect();
                page_.panels.push(Panel {
                    title: lang.pick("相似的提案建议", "Similar proposals").into(),
                    table: Some(Table {
                        headers: vec!["ID".into(), tx(lang, "title").into(), tx(lang, "status").into(), tx(lang, "result").into()],
                        rows,
                        empty: String::new(),
                    }),
                    ..Default::default()
                });
            }
        }
        for (key, text) in [("reason_part", &p.reason), ("grounds_part", &p.grounds), ("solution_part", &p.solution)] {
            if !text.is_empty() {
                page_.panels.push(Panel { title: tx(lang, key).into(), note: text.clone(), ..Default::default() });
            }
        }
        let events = proposals::events(&state.store, &p).await?;
        page_.panels.push(Panel {
            title: tx(lang, "timeline").into(),
            table: Some(Table {
                headers: vec![
                    tx(lang, "time").into(),
                    tx(lang, "actor").into(),
                    tx(lang, "action").into(),
                    tx(lang, "status").into(),
                    tx(lang, "note").into(),
                ],
                rows: events
                    .iter()
                    .map(|e| {
                        let extra = [
                            e.result.as_deref().map(|r| label::<ReplyResult>(lang, r)),
                            e.satisfaction.as_deref().map(|s| label::<Satisfaction>(lang, s)),
                            e.text.clone(),
                        ]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" · ");
                        vec![
                            Cell::text(fmt_ms(e.at_ms)),
                            Cell::text(&e.actor_name),
                            Cell::text(if crate::i18n::exists(&e.action) { tx(lang, &e.action).to_string() } else { e.action.clone() }),
                            Cell::text(label::<ProposalStatus>(lang, &e.status)),
                            Cell::text(extra),
                        ]
                    })
                    .collect(),
                empty: tx(lang, "none").into(),
            }),
            ..Default::default()
        });

        let files = proposals::attachments(&state.store, &p).await?;
        let fp = super::files::panel(lang, &v.csrf, &files, &format!("/proposals/{id}/attachments"), !status.is_final() && !parts.is_empty());
        page_.panels.push(fp);
        let act = format!("/proposals/{id}/act");
        let form = |action: &str, submit: &str, mut fields: Vec<Field>| {
            fields.insert(0, Field::new("hidden", "action", "", action));
            Form::post(&act, &v.csrf, submit, fields)
        };
        let has = |x: Part| parts.contains(&x);
        let mut actions: Vec<Panel> = Vec::new();
        let panel = |title: &str, form: Form, folded: bool| Panel { title: title.into(), form: Some(form), folded, ..Default::default() };
        if has(Part::Proposer) && status == ProposalStatus::Draft {
            let d = DraftInput {
                kind: p.kind.clone(),
                title: p.title.clone(),
                category: p.category.clone(),
                reason: p.reason.clone(),
                grounds: p.grounds.clone(),
                solution: p.solution.clone(),
            };
            actions.push(panel(
                tx(lang, "edit"),
                Form::post(format!("/proposals/{id}/edit"), &v.csrf, tx(lang, "save"), draft_fields(lang, &d)),
                true,
            ));
            actions.push(panel(
                tx(lang, "invite"),
                Form::post(
                    format!("/proposals/{id}/invite"),
                    &v.csrf,
                    tx(lang, "invite"),
                    vec![Field::new("text", "delegate_id", tx(lang, "delegate_id"), "").required()],
                ),
                true,
            ));
            actions.push(panel(tx(lang, "submit"), form("submit", tx(lang, "submit"), vec![]), false));
        }
        if has(Part::Proposer) && matches!(status, ProposalStatus::Draft | ProposalStatus::Submitted) {
            let mut f = form("withdraw", tx(lang, "withdraw"), vec![]);
            f.confirm = Some(lang.pick("确认撤回?", "Withdraw it?").into());
            actions.push(panel(tx(lang, "withdraw"), f, true));
        }
        if has(Part::CoSigner) && status == ProposalStatus::Draft {
            if let Some(pid) = v.actor.as_ref().and_then(|a| a.person_id) {
                if signers.iter().any(|s| s.person_id == pid && s.state == "invited") {
                    let f = Form::post(
                        format!("/proposals/{id}/answer"),
                        &v.csrf,
                        tx(lang, "confirm"),
                        vec![Field::select(
                            "answer",
                            tx(lang, "signers"),
                            "confirm",
                            vec![("confirm".into(), tx(lang, "cosign").into()), ("decline".into(), tx(lang, "decline").into())],
                        )],
                    );
                    actions.push(panel(tx(lang, "cosign"), f, false));
                }
            }
        }
        if has(Part::Committee) {
            if status == ProposalStatus::Submitted {
                actions.push(panel(tx(lang, "accept"), form("accept", tx(lang, "accept"), vec![]), false));
                actions.push(panel(
                    tx(lang, "return"),
                    form("return", tx(lang, "return"), vec![Field::new("textarea", "text", tx(lang, "comment"), "").required()]),
                    true,
                ));
                actions.push(panel(
                    tx(lang, "reject"),
                    form("reject", tx(lang, "reject"), vec![Field::new("textarea", "text", tx(lang, "reason"), "").required()]),
                    true,
                ));
                actions.push(panel(
                    tx(lang, "convert"),
                    form(
                        "convert",
                        tx(lang, "convert"),
                        vec![Field::select(
                            "to",
                            tx(lang, "kind"),
                            "suggestion",
                            vec![
                                ("suggestion".into(), label::<ProposalKind>(lang, "suggestion")),
                                ("opinion".into(), label::<ProposalKind>(lang, "opinion")),
                            ],
                        )],
                    ),
                    true,
                ));
                actions.push(panel(
                    tx(lang, "merge"),
                    form(
                        "merge",
                        tx(lang, "merge"),
                        vec![Field::new("number", "lead", lang.pick("并入的提案编号(ID)", "merge into (id)"), "").required()],
                    ),
                    true,
                ));
            }
            let unit_opts = unit_options(&state, &body, "—").await?;
            let assign_fields = |opts: &Vec<(String, String)>| {
                vec![
                    Field::select("lead_unit", tx(lang, "lead_unit"), "", opts.clone()).required(),
                    Field::new("text", "co_units", format!("{} ID", tx(lang, "co_units")), "").hint(lang.pick("多个用逗号分隔", "comma-separated")),
                    Field::new("number", "deadline_days", tx(lang, "deadline_days"), body.deadline_days.to_string()),
                ]
            };
            if status == ProposalStatus::Accepted {
                actions.push(panel(tx(lang, "assign"), form("assign", tx(lang, "assign"), assign_fields(&unit_opts)), false));
            }
            if matches!(status, ProposalStatus::ReassignRequested | ProposalStatus::Assigned | ProposalStatus::Acknowledged) {
                actions.push(panel(
                    tx(lang, "reassign"),
                    form("reassign", tx(lang, "reassign"), assign_fields(&unit_opts)),
                    status != ProposalStatus::ReassignRequested,
                ));
            }
            if !status.is_final() || status == ProposalStatus::Closed {
                let f = Form::post(
                    format!("/proposals/{id}/flags"),
                    &v.csrf,
                    tx(lang, "save"),
                    vec![
                        Field::select(
                            "key",
                            tx(lang, "key_proposal"),
                            if p.key_proposal { "1" } else { "0" },
                            vec![("0".into(), "—".into()), ("1".into(), tx(lang, "key_proposal").into())],
                        ),
                        Field::select(
                            "public",
                            tx(lang, "public"),
                            if p.is_public { "1" } else { "0" },
                            vec![("0".into(), "—".into()), ("1".into(), tx(lang, "public").into())],
                        ),
                    ],
                );
                actions.push(panel(tx(lang, "flags"), f, true));
            }
        }
        if has(Part::LeadUnit) {
            if status == ProposalStatus::Assigned {
                actions.push(panel(tx(lang, "acknowledge"), form("acknowledge", tx(lang, "acknowledge"), vec![]), false));
            }
            if matches!(status, ProposalStatus::Assigned | ProposalStatus::Acknowledged) {
                actions.push(panel(
                    tx(lang, "request_reassignment"),
                    form(
                        "request_reassignment",
                        tx(lang, "request_reassignment"),
                        vec![Field::new("textarea", "text", tx(lang, "reason"), "").required()],
                    ),
                    true,
                ));
            }
            if matches!(status, ProposalStatus::Acknowledged | ProposalStatus::InProgress | ProposalStatus::Rehandling) {
                actions.push(panel(
                    tx(lang, "progress"),
                    form("progress", tx(lang, "save"), vec![Field::new("textarea", "text", tx(lang, "progress"), "").required()]),
                    true,
                ));
                actions.push(panel(
                    tx(lang, "reply"),
                    form(
                        "reply",
                        tx(lang, "reply"),
                        vec![
                            Field::select("result", tx(lang, "result"), "solved", options::<ReplyResult>(lang, None)),
                            Field::new("textarea", "text", tx(lang, "reply"), "").required(),
                        ],
                    ),
                    false,
                ));
            }
        }
        if has(Part::Proposer) && status == ProposalStatus::Replied {
            actions.push(panel(
                tx(lang, "rate"),
                form(
                    "rate",
                    tx(lang, "rate"),
                    vec![
                        Field::select("satisfaction", tx(lang, "satisfaction"), "satisfied", options::<Satisfaction>(lang, None)),
                        Field::new("textarea", "text", tx(lang, "comment"), ""),
                    ],
                ),
                false,
            ));
        }
        page_.panels.extend(actions);
        Ok(page_.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default, Clone)]
pub struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    lead: Option<String>,
    #[serde(default)]
    lead_unit: Option<String>,
    #[serde(default)]
    co_units: Option<String>,
    #[serde(default)]
    deadline_days: Option<String>,
    #[serde(default)]
    result: Option<String>,
    #[serde(default)]
    satisfaction: Option<String>,
    #[serde(default, rename = "_csrf")]
    pub csrf: String,
}

/// Turns a form into the domain's action and the part it needs.
pub fn action_of(f: &ActForm) -> WebResult<(Part, Action)> {
    let text = f.text.clone().unwrap_or_default();
    let bad = |field: &str, zh: &str, en: &str| WebError::Invalid(vec![lianxin_domain::FieldError::new(field, "bad_choice", zh, en)]);
    let units = |f: &ActForm| -> WebResult<(i64, Vec<i64>, Option<i64>)> {
        let lead = opt_id(&f.lead_unit).ok_or_else(|| bad("lead_unit", "请选择主办单位", "choose the lead unit"))?;
        let mut co = Vec::new();
        for s in f.co_units.as_deref().unwrap_or("").split([',', ',', ' ', '、']).filter(|s| !s.trim().is_empty()) {
            co.push(
                s.trim()
                    .parse::<i64>()
                    .map_err(|_| bad("co_units", "协办单位须填编号,多个用逗号分隔", "co-handling units are ids, comma-separated"))?,
            );
        }
        Ok((lead, co, opt_id(&f.deadline_days)))
    };
    Ok(match f.action.as_str() {
        "submit" => (Part::Proposer, Action::Submit { window_open: false }),
        "withdraw" => (Part::Proposer, Action::Withdraw),
        "return" => (Part::Committee, Action::ReturnForCompletion { comment: text }),
        "accept" => (Part::Committee, Action::Accept),
        "reject" => (Part::Committee, Action::Reject { reason: text }),
        "convert" => (
            Part::Committee,
            Action::Convert {
                to: f
                    .to
                    .as_deref()
                    .and_then(ProposalKind::from_code)
                    .ok_or_else(|| bad("to", "请选择转为建议或书面意见", "choose suggestion or opinion"))?,
            },
        ),
        "merge" => (
            Part::Committee,
            Action::MergeInto { lead: opt_id(&f.lead).ok_or_else(|| bad("lead", "请填写并入的提案编号", "give the item to merge into"))? },
        ),
        "assign" => {
            let (lead_unit, co_units, deadline_days) = units(f)?;
            (Part::Committee, Action::Assign { lead_unit, co_units, deadline_days })
        }
        "reassign" => {
            let (lead_unit, co_units, deadline_days) = units(f)?;
            (Part::Committee, Action::Reassign { lead_unit, co_units, deadline_days })
        }
        "acknowledge" => (Part::LeadUnit, Action::Acknowledge),
        "request_reassignment" => (Part::LeadUnit, Action::RequestReassignment { reason: text }),
        "progress" => (Part::LeadUnit, Action::Progress { note: text }),
        "reply" => (
            Part::LeadUnit,
            Action::Reply {
                result: f.result.as_deref().and_then(ReplyResult::from_code).ok_or_else(|| bad("result", "请选择办理结果", "choose the result"))?,
                text,
            },
        ),
        "rate" => (
            Part::Proposer,
            Action::Rate {
                satisfaction: f
                    .satisfaction
                    .as_deref()
                    .and_then(Satisfaction::from_code)
                    .ok_or_else(|| bad("satisfaction", "请选择满意度", "choose a rating"))?,
                comment: opt_str(&f.text),
            },
        ),
        _ => return Err(bad("action", "未知的操作", "unknown action")),
    })
}

pub async fn act(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<ActForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let (_, _, parts) = readable(&state, &v, id).await?;
        let (part, action) = action_of(&f)?;
        if !parts.contains(&part) {
            return Err(WebError::Forbidden);
        }
        proposals::act(&state.store, id, part, &action, &v.change(&state)?).await?;
        Ok(see_other(&format!("/proposals/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn edit(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<DraftForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let (_, _, parts) = readable(&state, &v, id).await?;
        if !parts.contains(&Part::Proposer) {
            return Err(WebError::Forbidden);
        }
        proposals::update_draft(&state.store, id, &f.input(), &v.change(&state)?).await?;
        Ok(see_other(&format!("/proposals/{id}")))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct InviteForm {
    #[serde(default)]
    delegate_id: Option<String>,
    #[serde(default)]
    answer: Option<String>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    public: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn invite(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<InviteForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let (p, _, parts) = readable(&state, &v, id).await?;
        if !parts.contains(&Part::Proposer) {
            return Err(WebError::Forbidden);
        }
        // a delegate is named as people know them: by name, or by number when names repeat
        let wanted =
            opt_str(&f.delegate_id).ok_or_else(|| WebError::Invalid(vec![lianxin_domain::FieldError::required("delegate_id", "代表姓名或编号")]))?;
        let d = match wanted.parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                let term = congress::term(&state.store, p.term_id).await?;
                let found = congress::delegates(
                    &state.store,
                    &term,
                    &[None],
                    &congress::DelegateFilter { q: Some(wanted.clone()), status: Some("active".into()), ..Default::default() },
                    PageReq::new(None, Some(20)),
                )
                .await?;
                let exact: Vec<_> = found.items.iter().filter(|d| d.name == wanted).collect();
                match exact.as_slice() {
                    [one] => one.id,
                    [] => {
                        return Err(WebError::Invalid(vec![lianxin_domain::FieldError::new(
                            "delegate_id",
                            "not_found",
                            format!("本届在任代表中没有“{wanted}”"),
                            format!("no active delegate named '{wanted}'"),
                        )]))
                    }
                    _ => {
                        return Err(WebError::Invalid(vec![lianxin_domain::FieldError::new(
                            "delegate_id",
                            "ambiguous",
                            format!("有{}位代表叫“{wanted}”,请填代表编号", exact.len()),
                            format!("{} delegates are named '{wanted}'; give the number", exact.len()),
                        )]))
                    }
                }
            }
        };
        proposals::invite(&state.store, id, d, &v.change(&state)?).await?;
        Ok(see_other(&format!("/proposals/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn answer(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<InviteForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let (p, _, parts) = readable(&state, &v, id).await?;
        if !parts.contains(&Part::CoSigner) {
            return Err(WebError::Forbidden);
        }
        let pid = v.user()?.person_id.ok_or(WebError::Forbidden)?;
        let me = proposals::signers(&state.store, &p).await?.into_iter().find(|s| s.person_id == pid).ok_or(WebError::Forbidden)?;
        proposals::answer_invitation(&state.store, id, me.delegate_id, f.answer.as_deref() != Some("decline"), &v.change(&state)?).await?;
        Ok(see_other(&format!("/proposals/{id}")))
    }
    .await;
    page(&v, r)
}

pub async fn flags(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<InviteForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let (_, _, parts) = readable(&state, &v, id).await?;
        if !parts.contains(&Part::Committee) {
            return Err(WebError::Forbidden);
        }
        proposals::set_flags(&state.store, id, f.key.as_deref() == Some("1"), f.public.as_deref() == Some("1"), &v.change(&state)?).await?;
        Ok(see_other(&format!("/proposals/{id}")))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct StatsQuery {
    year: Option<i32>,
    /// a term (届) id; empty means every term
    term: Option<String>,
    format: Option<String>,
}

pub async fn stats(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<StatsQuery>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        v.require(Permission::ViewReports, &body.org_path)?;
        let lang = v.lang;
        let terms = congress::terms(&state.store, &body).await?;
        let term = q.term.as_deref().and_then(|t| t.parse::<i64>().ok()).filter(|t| terms.iter().any(|x| x.id == *t));
        let period = proposals::Period { year: q.year, term };
        let s = proposals::stats(&state.store, &body, &period, day_number(state.today())).await?;
        let rows = |v: &Vec<(String, i64)>, lbl: &dyn Fn(&str) -> String| -> Vec<Bar> {
            v.iter()
                .map(|(k, n)| {
                    let sh = Share::of(*n, s.total);
                    Bar { label: lbl(k), count: *n, pct: sh.percent(), width: sh.tenths / 10 }
                })
                .collect()
        };
        let by_unit = Table {
            headers: vec![tx(lang, "lead_unit").into(), tx(lang, "assign").into(), tx(lang, "reply").into(), tx(lang, "on_time_rate").into()],
            rows: s
                .by_unit
                .iter()
                .map(|(u, a, r, o)| {
                    vec![Cell::text(u), Cell::text(a.to_string()), Cell::text(r.to_string()), Cell::text(Share::of(*o, *r).percent())]
                })
                .collect(),
            empty: tx(lang, "none").into(),
        };
        if q.format.as_deref() == Some("xlsx") {
            return Ok(xlsx_response(&format!("{}-提案办理统计.xlsx", body.name), "办理统计", &by_unit));
        }
        let query: Vec<String> = q.year.map(|y| format!("year={y}")).into_iter().chain(term.map(|t| format!("term={t}"))).collect();
        let here = format!("/bodies/{id}/proposals/stats{}", if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) });
        let mut p = Page::new(Ctx::new(&v, &here, "bodies"), format!("{} · {}", body.name, tx(lang, "stats")));
        p.crumbs.push(Link::new(format!("/bodies/{id}/proposals"), tx(lang, "proposals")));
        p.actions.push(Link::new(
            format!("/bodies/{id}/proposals/stats?format=xlsx{}", query.iter().map(|x| format!("&{x}")).collect::<String>()),
            tx(lang, "export"),
        ));
        let closed = s.by_status.iter().find(|x| x.0 == "closed").map(|x| x.1).unwrap_or(0);
        let mut head = Panel::default();
        head.form = Some(Form::filter(
            format!("/bodies/{id}/proposals/stats"),
            tx(lang, "search"),
            vec![
                Field::new("number", "year", lang.pick("年度", "Year"), q.year.map(|y| y.to_string()).unwrap_or_default()),
                Field::select(
                    "term",
                    lang.pick("届次", "Term"),
                    term.map(|t| t.to_string()).unwrap_or_default(),
                    std::iter::once((String::new(), lang.pick("全部", "All").to_string()))
                        .chain(terms.iter().map(|t| (t.id.to_string(), super::congress::term_label(lang, t))))
                        .collect(),
                ),
            ],
        ));
        head.stats = vec![
            Stat {
                label: tx(lang, "proposals").into(),
                value: s.total.to_string(),
                sub: format!("{} {closed}", label::<ProposalStatus>(lang, "closed")),
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
            Stat { label: tx(lang, "avg_days").into(), value: format!("{}.{}", s.avg_days_tenths / 10, s.avg_days_tenths % 10), sub: String::new() },
            Stat { label: tx(lang, "overdue").into(), value: s.overdue.to_string(), sub: String::new() },
        ];
        // the sentence of the handling report (seed 001: "69 proposals, 69 completed, satisfaction 100 %")
        head.note = match lang {
            Lang::Zh => format!("共收到提案、建议{}件,已办结{}件,满意率{}。", s.total, closed, Share::of(s.satisfied + s.basic, s.rated).percent()),
            Lang::En => {
                format!("{} items received, {} closed, satisfaction {}.", s.total, closed, Share::of(s.satisfied + s.basic, s.rated).percent())
            }
        };
        p.panels.push(head);
        p.panels.push(Panel {
            title: tx(lang, "status").into(),
            bars: rows(&s.by_status, &|k| label::<ProposalStatus>(lang, k)),
            ..Default::default()
        });
        p.panels.push(Panel { title: tx(lang, "kind").into(), bars: rows(&s.by_kind, &|k| label::<ProposalKind>(lang, k)), ..Default::default() });
        p.panels.push(Panel {
            title: tx(lang, "category").into(),
            bars: rows(&s.by_category, &|k| label::<ProposalCategory>(lang, k)),
            ..Default::default()
        });
        p.panels.push(Panel { title: tx(lang, "units").into(), table: Some(by_unit), ..Default::default() });
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

/// The handling units of a congress's tree, for a select (first option: `none`).
pub(crate) async fn unit_options(state: &AppState, body: &Body, none: &str) -> WebResult<Vec<(String, String)>> {
    let root = orgs::get(&state.store, body.org_id).await?;
    let all = orgs::subtree(&state.store, root.tenant_id, &root.path).await?;
    Ok(std::iter::once((String::new(), none.to_string()))
        .chain(all.into_iter().filter(|o| o.kind == "unit" && o.retired_on.is_none()).map(|o| (o.id.to_string(), o.name)))
        .collect())
}

/// The congresses whose proposals the viewer works with: those they may see, and those whose
/// tree holds the unit they handle for. One goes straight to its list.
pub async fn index(State(state): State<AppState>, v: Viewer) -> Response {
    let r = async {
        let a = v.user()?.clone();
        let lang = v.lang;
        let mut found: Vec<Body> = congress::bodies(&state.store, &a.scopes_for(Permission::ViewDelegates)).await?;
        for scope in unit_scopes(&a) {
            if let Some(root) = lianxin_domain::org::root_of(&scope) {
                let root_org = orgs::get(&state.store, root).await?;
                for b in congress::bodies(&state.store, &[Some(root_org.path.clone())]).await? {
                    if in_subtree(&scope, &b.org_path) && !found.iter().any(|x| x.id == b.id) {
                        found.push(b);
                    }
                }
            }
        }
        if found.len() == 1 {
            return Ok(see_other(&format!("/bodies/{}/proposals", found[0].id)));
        }
        let mut p = Page::new(Ctx::new(&v, "/proposals", "proposals"), tx(lang, "proposals"));
        p.panels.push(Panel {
            table: Some(Table {
                headers: vec![tx(lang, "bodies").into(), tx(lang, "org").into()],
                rows: found.iter().map(|b| vec![Cell::link(&b.name, format!("/bodies/{}/proposals", b.id)), Cell::text(&b.org_name)]).collect(),
                empty: tx(lang, "none").into(),
            }),
            ..Default::default()
        });
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

/// Public pages (no sign-in): the proposals a congress has made public, with their replies.
/// Nothing personal is shown beyond the proposer's name, which the handling report prints too.
pub async fn public_list(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<ListQuery>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        let lang = v.lang;
        let f = ProposalFilter { q: q.q.clone(), public_only: true, ..Default::default() };
        let result = proposals::list(&state.store, &body, &f, PageReq::new(q.page, Some(50))).await?;
        let base = format!("/public/bodies/{id}/proposals?q={}", qs(q.q.as_deref().unwrap_or("")));
        let mut p = Page::new(Ctx::new(&v, &base, ""), format!("{} · {} ({})", body.name, tx(lang, "proposals"), tx(lang, "public")));
        let mut panel = Panel::default();
        panel.form = Some(Form::filter(
            format!("/public/bodies/{id}/proposals"),
            tx(lang, "search"),
            vec![Field::new("search", "q", tx(lang, "title"), q.q.clone().unwrap_or_default())],
        ));
        panel.table = Some(Table {
            headers: vec![
                tx(lang, "number").into(),
                tx(lang, "title").into(),
                tx(lang, "kind").into(),
                tx(lang, "status").into(),
                tx(lang, "result").into(),
            ],
            rows: result
                .items
                .iter()
                .map(|x| {
                    vec![
                        Cell::text(x.number.clone().unwrap_or_default()),
                        Cell::link(&x.title, format!("/public/proposals/{}", x.id)),
                        Cell::text(label::<ProposalKind>(lang, &x.kind)),
                        Cell::text(label::<ProposalStatus>(lang, &x.status)),
                        Cell::text(x.result.as_deref().map(|r| label::<ReplyResult>(lang, r)).unwrap_or_default()),
                    ]
                })
                .collect(),
            empty: tx(lang, "none").into(),
        });
        panel.pager = Some(Pager::new(lang, &result, &base));
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

pub async fn public_show(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let p = proposals::get(&state.store, id).await?;
        // a proposal that is not public does not exist for the public
        if !p.is_public {
            return Err(WebError::NotFound);
        }
        let lang = v.lang;
        let mut page_ = Page::new(Ctx::new(&v, &format!("/public/proposals/{id}"), ""), &p.title);
        page_.crumbs.push(Link::new(format!("/public/bodies/{}/proposals", p.body_id), tx(lang, "proposals")));
        let mut facts = Panel::default();
        facts.facts = vec![
            (tx(lang, "number").into(), p.number.clone().unwrap_or_default()),
            (tx(lang, "kind").into(), label::<ProposalKind>(lang, &p.kind)),
            (tx(lang, "category").into(), label::<ProposalCategory>(lang, &p.category)),
            (tx(lang, "proposer").into(), p.proposer_name.clone()),
            (tx(lang, "lead_unit").into(), p.lead_unit_name.clone().unwrap_or_default()),
            (tx(lang, "status").into(), label::<ProposalStatus>(lang, &p.status)),
            (tx(lang, "result").into(), p.result.as_deref().map(|r| label::<ReplyResult>(lang, r)).unwrap_or_default()),
        ];
        page_.panels.push(facts);
        for (key, text) in [("reason_part", &p.reason), ("grounds_part", &p.grounds), ("solution_part", &p.solution)] {
            if !text.is_empty() {
                page_.panels.push(Panel { title: tx(lang, key).into(), note: text.clone(), ..Default::default() });
            }
        }
        for e in proposals::events(&state.store, &p).await?.into_iter().filter(|e| e.action == "reply") {
            page_.panels.push(Panel {
                title: format!("{} · {}", tx(lang, "reply"), fmt_ms(e.at_ms)),
                note: e.text.unwrap_or_default(),
                ..Default::default()
            });
        }
        Ok(page_.render())
    }
    .await;
    page(&v, r)
}

/// The handling report of every congress below an organisation, with the totals
/// (a county sees its own congress and its towns' side by side).
pub async fn rollup(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<StatsQuery>) -> Response {
    let r = async {
        let org = orgs::get(&state.store, id).await?;
        v.require(Permission::ViewReports, &org.path)?;
        let lang = v.lang;
        let (each, sum) = proposals::stats_rollup(&state.store, &org.path, q.year, day_number(state.today())).await?;
        let closed = |s: &proposals::Stats| s.by_status.iter().find(|x| x.0 == "closed").map(|x| x.1).unwrap_or(0);
        let row = |name: Cell, s: &proposals::Stats| {
            vec![
                name,
                Cell::text(s.total.to_string()),
                Cell::text(closed(s).to_string()),
                Cell::text(Share::of(s.on_time, s.replied).percent()),
                Cell::text(Share::of(s.satisfied + s.basic, s.rated).percent()),
                Cell::text(format!("{}.{}", s.avg_days_tenths / 10, s.avg_days_tenths % 10)),
                Cell::text(s.overdue.to_string()),
            ]
        };
        let mut rows: Vec<Vec<Cell>> = each
            .iter()
            .map(|(b, s)| {
                row(Cell::link(&b.name, format!("/bodies/{}/proposals/stats{}", b.id, q.year.map(|y| format!("?year={y}")).unwrap_or_default())), s)
            })
            .collect();
        rows.push(row(Cell::text(tx(lang, "total")), &sum));
        let table = Table {
            headers: vec![
                tx(lang, "bodies").into(),
                tx(lang, "proposals").into(),
                label::<ProposalStatus>(lang, "closed"),
                tx(lang, "on_time_rate").into(),
                tx(lang, "satisfaction_rate").into(),
                tx(lang, "avg_days").into(),
                tx(lang, "overdue").into(),
            ],
            rows,
            empty: tx(lang, "none").into(),
        };
        if q.format.as_deref() == Some("xlsx") {
            return Ok(xlsx_response(&format!("{}-提案办理汇总.xlsx", org.name), "汇总", &table));
        }
        let year_q = q.year.map(|y| format!("year={y}&")).unwrap_or_default();
        let mut p = Page::new(Ctx::new(&v, &format!("/orgs/{id}/proposals/stats"), "orgs"), format!("{} · {}", org.name, tx(lang, "stats")));
        p.crumbs.push(Link::new(format!("/orgs/{id}"), &org.name));
        p.actions.push(Link::new(format!("/orgs/{id}/proposals/stats?{year_q}format=xlsx"), tx(lang, "export")));
        let mut head = Panel::default();
        head.form = Some(Form::filter(
            format!("/orgs/{id}/proposals/stats"),
            tx(lang, "search"),
            vec![Field::new("number", "year", lang.pick("年度", "Year"), q.year.map(|y| y.to_string()).unwrap_or_default())],
        ));
        head.table = Some(table);
        p.panels.push(head);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

/// Adds a file to a proposal: its signers, the committee or its lead unit, while it is open.
pub async fn upload(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, mp: axum::extract::Multipart) -> Response {
    let r = async {
        let (_, _, parts) = readable(&state, &v, id).await?;
        let (name, bytes) = super::files::read_upload(&v, mp).await?;
        if parts.is_empty() {
            return Err(WebError::Forbidden);
        }
        proposals::attach(&state.store, id, &name, bytes, &v.change(&state)?).await?;
        Ok(see_other(&format!("/proposals/{id}")))
    }
    .await;
    page(&v, r)
}

/// Sends a file to whoever may read the proposal; never shown inline, so an uploaded page
/// cannot run in Lianxin's origin.
pub async fn download(State(state): State<AppState>, v: Viewer, Path((id, aid)): Path<(i64, i64)>) -> Response {
    let r = async {
        let (p, _, _) = readable(&state, &v, id).await?;
        Ok(super::files::download(proposals::attachment_data(&state.store, &p, aid).await?))
    }
    .await;
    page(&v, r)
}
