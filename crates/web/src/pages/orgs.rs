//! The organisation tree: browse, create, edit, move and retire.

use super::{page, see_other};
use crate::auth::Viewer;
use crate::error::{WebError, WebResult};
use crate::i18n::{label, t as tx};
use crate::view::{options, xlsx_response, Cell, Ctx, Field, Form, Link, Page, Panel, Stat, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form as FormData;
use lianxin_domain::access::Permission;
use lianxin_domain::org::{OrgCategory, OrgInput, OrgKind};
use lianxin_domain::{FieldError, Lang};
use lianxin_store::congress;
use lianxin_store::orgs::{self, Org};
use serde::Deserialize;

pub async fn index(State(state): State<AppState>, v: Viewer) -> Response {
    let r = async {
        let a = v.user()?;
        let root = super::home_org(&state, a, Permission::ViewOrgs).await?;
        Ok(see_other(&format!("/orgs/{}", root.id)))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    format: Option<String>,
}

pub async fn show(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<ShowQuery>) -> Response {
    let r = async {
        let org = orgs::get(&state.store, id).await?;
        v.require(Permission::ViewOrgs, &org.path)?;
        if q.format.as_deref() == Some("xlsx") {
            let all = orgs::subtree(&state.store, org.tenant_id, &org.path).await?;
            let t = subtree_table(v.lang, &all, &org);
            return Ok(xlsx_response(&format!("{}-组织.xlsx", org.name), "组织", &t));
        }
        org_page(&state, &v, &org, None, &[]).await
    }
    .await;
    page(&v, r)
}

fn subtree_table(lang: Lang, all: &[Org], root: &Org) -> Table {
    Table {
        headers: vec![
            tx(lang, "name").into(),
            tx(lang, "kind").into(),
            tx(lang, "category").into(),
            tx(lang, "code").into(),
            tx(lang, "parent").into(),
            tx(lang, "status").into(),
            "ID".into(),
        ],
        rows: all
            .iter()
            .map(|o| {
                let indent = "　".repeat((o.depth - root.depth).max(0) as usize);
                let parent = all.iter().find(|p| Some(p.id) == o.parent_id).map(|p| p.name.clone()).unwrap_or_default();
                vec![
                    Cell::link(format!("{indent}{}", o.name), format!("/orgs/{}", o.id)),
                    Cell::text(label::<OrgKind>(lang, &o.kind)),
                    Cell::text(label::<OrgCategory>(lang, &o.category)),
                    Cell::text(o.code.clone().unwrap_or_default()),
                    Cell::text(parent),
                    Cell::text(if o.retired_on.is_some() { tx(lang, "retired") } else { "" }),
                    Cell::text(o.id.to_string()),
                ]
            })
            .collect(),
        empty: tx(lang, "none").into(),
    }
}

fn org_fields(lang: Lang, input: &OrgInput) -> Vec<Field> {
    vec![
        Field::new("text", "name", tx(lang, "name"), &input.name).required(),
        Field::select("kind", tx(lang, "kind"), &input.kind, options::<OrgKind>(lang, None)),
        Field::select("category", tx(lang, "category"), &input.category, options::<OrgCategory>(lang, None)),
        Field::new("text", "code", tx(lang, "code"), input.code.clone().unwrap_or_default())
            .hint(lang.pick("用于 Excel 导入时识别组织(可空)", "identifies the organisation in Excel imports (optional)")),
    ]
}

/// The organisation's page; `errors` (with the form that caused them) are shown inline.
async fn org_page(state: &AppState, v: &Viewer, org: &Org, failed: Option<(&str, OrgInput)>, errors: &[FieldError]) -> WebResult<Response> {
    let lang = v.lang;
    let mut p = Page::new(Ctx::new(v, &format!("/orgs/{}", org.id), "orgs"), &org.name);
    for a in orgs::ancestors(&state.store, org).await? {
        if a.id != org.id && v.can(Permission::ViewOrgs, &a.path) {
            p.crumbs.push(Link::new(format!("/orgs/{}", a.id), a.name));
        }
    }
    let mut facts = Panel::default();
    facts.facts = vec![
        (tx(lang, "kind").into(), label::<OrgKind>(lang, &org.kind)),
        (tx(lang, "category").into(), label::<OrgCategory>(lang, &org.category)),
        (tx(lang, "code").into(), org.code.clone().unwrap_or_default()),
        ("ID".into(), org.id.to_string()),
    ];
    if let Some(r) = &org.retired_on {
        facts.facts.push((tx(lang, "retired").into(), r.clone()));
    }
    let c = orgs::subtree_counts(&state.store, org).await?;
    for (k, n) in &c.orgs_by_kind {
        facts.stats.push(Stat { label: label::<OrgKind>(lang, k), value: n.to_string(), sub: String::new() });
    }
    facts.stats.push(Stat {
        label: tx(lang, "members").into(),
        value: c.members.to_string(),
        sub: format!("{} {} · {} {}", tx(lang, "women"), c.women_members, tx(lang, "minorities"), c.minority_members),
    });
    facts.stats.push(Stat { label: tx(lang, "residents").into(), value: c.residents.to_string(), sub: String::new() });
    if v.can(Permission::ViewPeople, &org.path) {
        facts.links.push(Link::new(format!("/people?org={}", org.id), tx(lang, "people")));
    }
    facts.links.push(Link::new(format!("/orgs/{}?format=xlsx", org.id), tx(lang, "export")));
    if v.can(Permission::ViewReports, &org.path) {
        facts.links.push(Link::new(format!("/orgs/{}/proposals/stats", org.id), tx(lang, "stats")));
        facts.links.push(Link::new(format!("/orgs/{}/duty", org.id), lang.pick("代表履职统计", "Delegates' work")));
    }
    p.panels.push(facts);

    if !c.branches_by_category.is_empty() {
        let mut cats = Panel::titled(label::<OrgKind>(lang, "branch"));
        let total: i64 = c.branches_by_category.iter().map(|x| x.1).sum();
        cats.bars = c
            .branches_by_category
            .iter()
            .map(|(k, n)| {
                let s = lianxin_domain::composition::Share::of(*n, total);
                crate::view::Bar { label: label::<OrgCategory>(lang, k), count: *n, pct: s.percent(), width: s.tenths / 10 }
            })
            .collect();
        p.panels.push(cats);
    }

    let children = orgs::children(&state.store, org).await?;
    let mut kids = Panel::titled(tx(lang, "children"));
    kids.table = Some(Table {
        headers: vec![tx(lang, "name").into(), tx(lang, "kind").into(), tx(lang, "category").into(), tx(lang, "status").into()],
        rows: children
            .iter()
            .map(|o| {
                vec![
                    Cell::link(&o.name, format!("/orgs/{}", o.id)),
                    Cell::text(label::<OrgKind>(lang, &o.kind)),
                    Cell::text(label::<OrgCategory>(lang, &o.category)),
                    Cell::text(o.retired_on.as_ref().map(|_| tx(lang, "retired")).unwrap_or("")),
                ]
            })
            .collect(),
        empty: tx(lang, "none").into(),
    });
    p.panels.push(kids);

    let bodies = congress::bodies(&state.store, &[Some(org.path.clone())]).await?;
    let own: Vec<_> = bodies.iter().filter(|b| b.org_id == org.id).collect();
    if !own.is_empty() {
        let mut bp = Panel::titled(tx(lang, "bodies"));
        bp.table = Some(Table {
            headers: vec![tx(lang, "name").into()],
            rows: own.iter().map(|b| vec![Cell::link(&b.name, format!("/bodies/{}", b.id))]).collect(),
            empty: String::new(),
        });
        p.panels.push(bp);
    }

    if v.can(Permission::EditOrgs, &org.path) && org.retired_on.is_none() {
        let (which, input) = match &failed {
            Some((w, i)) => (*w, i.clone()),
            None => ("", OrgInput::default()),
        };
        // new child
        let child_input =
            if which == "child" { input.clone() } else { OrgInput { kind: "branch".into(), category: org.category.clone(), ..Default::default() } };
        let (form, rest) = Form::post(format!("/orgs/{}/children", org.id), &v.csrf, tx(lang, "create"), org_fields(lang, &child_input))
            .with_errors(if which == "child" { errors } else { &[] }, lang);
        p.panels.push(Panel {
            id: "new-child".into(),
            title: tx(lang, "new_org").into(),
            form: Some(form),
            errors: rest,
            folded: which != "child",
            ..Default::default()
        });
        // edit
        let edit_input = if which == "edit" {
            input.clone()
        } else {
            OrgInput {
                name: org.name.clone(),
                kind: org.kind.clone(),
                category: org.category.clone(),
                parent_id: org.parent_id,
                code: org.code.clone(),
            }
        };
        let (form, rest) = Form::post(format!("/orgs/{}", org.id), &v.csrf, tx(lang, "save"), org_fields(lang, &edit_input))
            .with_errors(if which == "edit" { errors } else { &[] }, lang);
        p.panels.push(Panel {
            id: "edit".into(),
            title: tx(lang, "edit").into(),
            form: Some(form),
            errors: rest,
            folded: which != "edit",
            ..Default::default()
        });
        if org.parent_id.is_some() {
            let mut mv = Form::post(
                format!("/orgs/{}/move", org.id),
                &v.csrf,
                tx(lang, "move"),
                vec![Field::new("number", "parent_id", format!("{} ID", tx(lang, "parent")), "").required()],
            );
            mv.confirm = Some(lang.pick("确认移动该组织及其全部下级组织?", "Move this organisation with everything below it?").into());
            let (mv, rest) = mv.with_errors(if which == "move" { errors } else { &[] }, lang);
            p.panels.push(Panel {
                id: "move".into(),
                title: tx(lang, "move").into(),
                form: Some(mv),
                errors: rest,
                folded: which != "move",
                ..Default::default()
            });
            let mut rt = Form::post(format!("/orgs/{}/retire", org.id), &v.csrf, tx(lang, "retire"), vec![]);
            rt.confirm = Some(lang.pick("确认撤销该组织?记录会保留。", "Retire this organisation? Its records are kept.").into());
            p.panels.push(Panel { id: "retire".into(), title: tx(lang, "retire").into(), form: Some(rt), folded: true, ..Default::default() });
        }
        if v.can(Permission::EditDelegates, &org.path) {
            let f = Form::post(
                format!("/orgs/{}/bodies", org.id),
                &v.csrf,
                tx(lang, "create"),
                vec![
                    Field::new("text", "name", tx(lang, "name"), format!("{}代表大会", org.name.trim_end_matches("委员会"))).required(),
                    Field::select("kind", tx(lang, "kind"), "party_congress", options::<lianxin_domain::congress::BodyKind>(lang, None)),
                    Field::new("number", "term_years", tx(lang, "term_years"), "5"),
                ],
            );
            p.panels.push(Panel { id: "new-body".into(), title: tx(lang, "new_body").into(), form: Some(f), folded: true, ..Default::default() });
        }
    }
    let status = if errors.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    Ok(p.render_status(status))
}

#[derive(Deserialize)]
pub struct OrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

impl OrgForm {
    fn input(&self, parent: Option<i64>) -> OrgInput {
        OrgInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            category: self.category.clone(),
            parent_id: parent,
            code: super::opt_str(&self.code),
        }
    }
}

/// Runs a write; on a validation error shows the organisation page again with the errors
/// next to the fields of the form that was sent.
async fn write_or_reshow<F>(state: &AppState, v: &Viewer, org: &Org, which: &str, input: OrgInput, done: F) -> WebResult<Response>
where
    F: std::future::Future<Output = Result<String, lianxin_store::StoreError>>,
{
    match done.await {
        Ok(to) => Ok(see_other(&to)),
        Err(lianxin_store::StoreError::Domain(lianxin_domain::DomainError::Invalid(errs))) => {
            org_page(state, v, org, Some((which, input)), &errs).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create_child(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<OrgForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let parent = orgs::get(&state.store, id).await?;
        v.require(Permission::EditOrgs, &parent.path)?;
        let input = f.input(Some(parent.id));
        let change = v.change(&state)?;
        write_or_reshow(&state, &v, &parent, "child", input.clone(), async {
            orgs::create(&state.store, &input, &change).await.map(|o| format!("/orgs/{}", o.id))
        })
        .await
    }
    .await;
    page(&v, r)
}

pub async fn update(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<OrgForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let org = orgs::get(&state.store, id).await?;
        v.require(Permission::EditOrgs, &org.path)?;
        let input = f.input(org.parent_id);
        let change = v.change(&state)?;
        write_or_reshow(&state, &v, &org, "edit", input.clone(), async {
            orgs::update(&state.store, id, &input, &change).await.map(|o| format!("/orgs/{}", o.id))
        })
        .await
    }
    .await;
    page(&v, r)
}

pub async fn move_org(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<OrgForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let org = orgs::get(&state.store, id).await?;
        v.require(Permission::EditOrgs, &org.path)?;
        let Some(parent_id) = super::opt_id(&f.parent_id) else {
            return org_page(&state, &v, &org, Some(("move", OrgInput::default())), &[FieldError::required("parent_id", "上级组织")]).await;
        };
        // the new parent must be inside the mover's scope too
        let parent = match orgs::get(&state.store, parent_id).await {
            Ok(p) => p,
            Err(_) => {
                return org_page(
                    &state,
                    &v,
                    &org,
                    Some(("move", OrgInput::default())),
                    &[FieldError::new("parent_id", "not_found", "上级组织不存在", "no such organisation")],
                )
                .await
            }
        };
        v.require(Permission::EditOrgs, &parent.path)?;
        let change = v.change(&state)?;
        write_or_reshow(&state, &v, &org, "move", OrgInput::default(), async {
            orgs::move_to(&state.store, id, parent_id, &change).await.map(|o| format!("/orgs/{}", o.id))
        })
        .await
    }
    .await;
    page(&v, r)
}

pub async fn retire(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<OrgForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let org = orgs::get(&state.store, id).await?;
        v.require(Permission::EditOrgs, &org.path)?;
        orgs::retire(&state.store, id, &v.change(&state)?).await?;
        Ok::<_, WebError>(see_other(&format!("/orgs/{id}")))
    }
    .await;
    page(&v, r)
}
