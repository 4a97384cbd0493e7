//! The roster of people: search, filter, page, export; view; create and edit with the
//! validation messages next to each field.

use super::{page, see_other};
use crate::auth::Viewer;
use crate::error::{WebError, WebResult};
use crate::i18n::{label, t as tx};
use crate::view::{options, qs, xlsx_response, Cell, Ctx, Field, Form, Link, Page, Pager, Panel, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form as FormData;
use lianxin_domain::access::Permission;
use lianxin_domain::congress::{DelegateCategory, DelegateStatus};
use lianxin_domain::person::{mask_id_number, Education, Gender, PersonInput, PersonKind};
use lianxin_domain::{FieldError, Lang};
use lianxin_store::network::LinkKind;
use lianxin_store::people::{self, PeopleFilter, Person};
use lianxin_store::{congress, network, orgs, PageReq};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    org: Option<String>,
    q: Option<String>,
    kind: Option<String>,
    gender: Option<String>,
    education: Option<String>,
    page: Option<i64>,
    format: Option<String>,
}

pub fn people_table(lang: Lang, items: &[Person]) -> Table {
    Table {
        headers: vec![
            tx(lang, "person_name").into(),
            tx(lang, "gender").into(),
            tx(lang, "birth_date").into(),
            tx(lang, "ethnicity").into(),
            tx(lang, "education").into(),
            tx(lang, "person_kind").into(),
            tx(lang, "org").into(),
            tx(lang, "phone").into(),
            tx(lang, "id_number").into(),
        ],
        rows: items
            .iter()
            .map(|p| {
                vec![
                    Cell::link(&p.name, format!("/people/{}", p.id)),
                    Cell::text(label::<Gender>(lang, &p.gender)),
                    Cell::text(p.birth_date.clone().unwrap_or_default()),
                    Cell::text(&p.ethnicity),
                    Cell::text(p.education.as_deref().map(|e| label::<Education>(lang, e)).unwrap_or_default()),
                    Cell::text(label::<PersonKind>(lang, &p.kind)),
                    Cell::link(&p.org_name, format!("/orgs/{}", p.org_id)),
                    Cell::text(p.phone.clone().unwrap_or_default()),
                    Cell::text(p.id_number.as_deref().map(mask_id_number).unwrap_or_default()),
                ]
            })
            .collect(),
        empty: tx(lang, "none").into(),
    }
}

pub async fn list(State(state): State<AppState>, v: Viewer, Query(q): Query<ListQuery>) -> Response {
    let r = async {
        let a = v.user()?;
        let lang = v.lang;
        let org = match super::opt_id(&q.org) {
            Some(id) => orgs::get(&state.store, id).await?,
            None => super::home_org(&state, a, Permission::ViewPeople).await?,
        };
        v.require(Permission::ViewPeople, &org.path)?;
        let f = PeopleFilter {
            q: q.q.clone(),
            org_id: Some(org.id),
            kind: super::opt_str(&q.kind),
            gender: super::opt_str(&q.gender),
            education: super::opt_str(&q.education),
            ethnicity: None,
        };
        let scopes = a.scopes_for(Permission::ViewPeople);
        let export = q.format.as_deref() == Some("xlsx");
        let req = if export { PageReq::all() } else { PageReq::new(q.page, Some(50)) };
        let result = people::list(&state.store, org.tenant_id, &scopes, &f, req).await?;
        if export {
            return Ok(xlsx_response(&format!("{}-人员.xlsx", org.name), "人员", &people_table(lang, &result.items)));
        }
        let base = format!(
            "/people?org={}&q={}&kind={}&gender={}&education={}",
            org.id,
            qs(q.q.as_deref().unwrap_or("")),
            qs(q.kind.as_deref().unwrap_or("")),
            qs(q.gender.as_deref().unwrap_or("")),
            qs(q.education.as_deref().unwrap_or(""))
        );
        let mut p = Page::new(Ctx::new(&v, &base, "people"), format!("{} · {}", tx(lang, "people"), org.name));
        p.crumbs.push(Link::new(format!("/orgs/{}", org.id), &org.name));
        if v.can(Permission::EditPeople, &org.path) {
            p.actions.push(Link::new(format!("/people/new?org={}", org.id), tx(lang, "new_person")));
        }
        p.actions.push(Link::new(format!("{base}&format=xlsx"), tx(lang, "export")));
        let mut panel = Panel::default();
        panel.form = Some(Form::filter(
            "/people",
            tx(lang, "search"),
            vec![
                Field::new("hidden", "org", "", org.id.to_string()),
                Field::new("search", "q", lang.pick("姓名/电话/身份证后几位", "name / phone / ID digits"), q.q.clone().unwrap_or_default()),
                Field::select(
                    "kind",
                    tx(lang, "person_kind"),
                    q.kind.clone().unwrap_or_default(),
                    options::<PersonKind>(lang, Some(tx(lang, "all"))),
                ),
                Field::select("gender", tx(lang, "gender"), q.gender.clone().unwrap_or_default(), options::<Gender>(lang, Some(tx(lang, "all")))),
                Field::select(
                    "education",
                    tx(lang, "education"),
                    q.education.clone().unwrap_or_default(),
                    options::<Education>(lang, Some(tx(lang, "all"))),
                ),
            ],
        ));
        panel.table = Some(people_table(lang, &result.items));
        panel.pager = Some(Pager::new(lang, &result, &base));
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

pub async fn show(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let person = people::get(&state.store, id).await?;
        v.require(Permission::ViewPeople, &person.org_path)?;
        let lang = v.lang;
        let mut p = Page::new(Ctx::new(&v, &format!("/people/{id}"), "people"), &person.name);
        p.crumbs.push(Link::new(format!("/orgs/{}", person.org_id), &person.org_name));
        p.crumbs.push(Link::new(format!("/people?org={}", person.org_id), tx(lang, "people")));
        if v.can(Permission::EditPeople, &person.org_path) {
            p.actions.push(Link::new(format!("/people/{id}/edit"), tx(lang, "edit")));
        }
        let mut facts = Panel::default();
        facts.facts = vec![
            (tx(lang, "gender").into(), label::<Gender>(lang, &person.gender)),
            (tx(lang, "birth_date").into(), person.birth_date.clone().unwrap_or_default()),
            (tx(lang, "ethnicity").into(), person.ethnicity.clone()),
            (tx(lang, "education").into(), person.education.as_deref().map(|e| label::<Education>(lang, e)).unwrap_or_default()),
            (tx(lang, "occupation").into(), person.occupation.clone().unwrap_or_default()),
            (tx(lang, "person_kind").into(), label::<PersonKind>(lang, &person.kind)),
            (tx(lang, "joined_on").into(), person.joined_on.clone().unwrap_or_default()),
            (tx(lang, "phone").into(), person.phone.clone().unwrap_or_default()),
            (tx(lang, "address").into(), person.address.clone().unwrap_or_default()),
            (tx(lang, "id_number").into(), person.id_number.as_deref().map(mask_id_number).unwrap_or_default()),
            (tx(lang, "org").into(), person.org_name.clone()),
            ("ID".into(), person.id.to_string()),
        ];
        p.panels.push(facts);
        let seats = congress::delegates_of_person(&state.store, person.tenant_id, id).await?;
        if !seats.is_empty() {
            let mut sp = Panel::titled(tx(lang, "my_delegate"));
            sp.table = Some(Table {
                headers: vec![tx(lang, "category").into(), tx(lang, "group").into(), tx(lang, "status").into()],
                rows: seats
                    .iter()
                    .map(|d| {
                        vec![
                            Cell::link(label::<DelegateCategory>(lang, &d.category), format!("/delegates/{}", d.id)),
                            Cell::text(d.group_name.clone().unwrap_or_default()),
                            Cell::text(label::<DelegateStatus>(lang, &d.status)),
                        ]
                    })
                    .collect(),
                empty: String::new(),
            });
            p.panels.push(sp);
        }
        // links in both directions: residents this member looks after, delegates who look after them
        let today = lianxin_domain::error::fmt_date(state.today());
        let residents = network::links_from(&state.store, person.tenant_id, LinkKind::MemberResident, id, None).await?;
        let by_delegates = network::links_to(&state.store, person.tenant_id, LinkKind::DelegateMember, id).await?;
        let by_members = network::links_to(&state.store, person.tenant_id, LinkKind::MemberResident, id).await?;
        let mut lp = Panel::titled(tx(lang, "links"));
        let mut rows = Vec::new();
        for (l, who, kind) in residents
            .iter()
            .map(|l| (l, l.to_name.clone(), tx(lang, "linked_residents")))
            .chain(by_delegates.iter().map(|l| (l, l.from_name.clone(), tx(lang, "delegates"))))
            .chain(by_members.iter().map(|l| (l, l.from_name.clone(), tx(lang, "members"))))
        {
            let active = lianxin_domain::coverage::link_active(&l.starts_on, l.ends_on.as_deref(), &today);
            rows.push(vec![
                Cell::text(kind),
                Cell::text(who),
                Cell::text(&l.starts_on),
                Cell::text(l.ends_on.clone().unwrap_or_default()),
                Cell::text(if active { "✓" } else { "" }),
            ]);
        }
        lp.table = Some(Table {
            headers: vec![
                tx(lang, "kind").into(),
                tx(lang, "person_name").into(),
                tx(lang, "starts_on").into(),
                tx(lang, "ends_on").into(),
                "".into(),
            ],
            rows,
            empty: tx(lang, "none").into(),
        });
        p.panels.push(lp);
        if person.is_member() && v.can(Permission::EditDelegates, &person.org_path) {
            let f = Form::post(
                "/links",
                &v.csrf,
                tx(lang, "add_link"),
                vec![
                    Field::new("hidden", "kind", "", "member_resident"),
                    Field::new("hidden", "from_id", "", id.to_string()),
                    Field::new("hidden", "back", "", format!("/people/{id}")),
                    Field::new("number", "to_id", format!("{} ID", tx(lang, "residents")), "").required(),
                    Field::new("date", "starts_on", tx(lang, "starts_on"), &today),
                ],
            );
            p.panels.push(Panel { title: tx(lang, "add_link").into(), form: Some(f), folded: true, ..Default::default() });
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

fn person_fields(lang: Lang, i: &PersonInput) -> Vec<Field> {
    vec![
        Field::new("text", "name", tx(lang, "person_name"), &i.name).required(),
        Field::select("gender", tx(lang, "gender"), &i.gender, options::<Gender>(lang, Some(""))).required(),
        Field::new("date", "birth_date", tx(lang, "birth_date"), i.birth_date.clone().unwrap_or_default()),
        Field::new("text", "ethnicity", tx(lang, "ethnicity"), i.ethnicity.clone().unwrap_or_else(|| "汉族".into())),
        Field::select("education", tx(lang, "education"), i.education.clone().unwrap_or_default(), options::<Education>(lang, Some(""))),
        Field::new("text", "occupation", tx(lang, "occupation"), i.occupation.clone().unwrap_or_default()),
        Field::new("text", "phone", tx(lang, "phone"), i.phone.clone().unwrap_or_default()),
        Field::new("text", "address", tx(lang, "address"), i.address.clone().unwrap_or_default()),
        Field::select("kind", tx(lang, "person_kind"), &i.kind, options::<PersonKind>(lang, None)),
        Field::new("date", "joined_on", tx(lang, "joined_on"), i.joined_on.clone().unwrap_or_default()),
        Field::new("text", "id_number", tx(lang, "id_number"), i.id_number.clone().unwrap_or_default())
            .hint(lang.pick("保存后只显示前 6 位和后 4 位", "shown masked after saving")),
        Field::new("number", "org_id", format!("{} ID", tx(lang, "org")), if i.org_id > 0 { i.org_id.to_string() } else { String::new() }).required(),
    ]
}

fn form_page(v: &Viewer, title: String, action: String, input: &PersonInput, errors: &[FieldError]) -> Response {
    let lang = v.lang;
    let mut p = Page::new(Ctx::new(v, &action, "people"), title);
    let (form, rest) = Form::post(&action, &v.csrf, tx(lang, "save"), person_fields(lang, input)).with_errors(errors, lang);
    p.panels.push(Panel { form: Some(form), errors: rest, ..Default::default() });
    p.render_status(if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY })
}

#[derive(Deserialize)]
pub struct NewQuery {
    org: Option<String>,
}

pub async fn new_form(State(state): State<AppState>, v: Viewer, Query(q): Query<NewQuery>) -> Response {
    let r = async {
        let a = v.user()?;
        let org = match super::opt_id(&q.org) {
            Some(id) => orgs::get(&state.store, id).await?,
            None => super::home_org(&state, a, Permission::EditPeople).await?,
        };
        v.require(Permission::EditPeople, &org.path)?;
        let input = PersonInput { org_id: org.id, kind: "member".into(), ..Default::default() };
        Ok(form_page(&v, tx(v.lang, "new_person").into(), "/people".into(), &input, &[]))
    }
    .await;
    page(&v, r)
}

pub async fn edit_form(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let person = people::get(&state.store, id).await?;
        v.require(Permission::EditPeople, &person.org_path)?;
        let input = PersonInput {
            name: person.name.clone(),
            gender: person.gender.clone(),
            birth_date: person.birth_date.clone(),
            ethnicity: Some(person.ethnicity.clone()),
            education: person.education.clone(),
            occupation: person.occupation.clone(),
            phone: person.phone.clone(),
            address: person.address.clone(),
            org_id: person.org_id,
            kind: person.kind.clone(),
            joined_on: person.joined_on.clone(),
            // never sent back to the browser in full
            id_number: None,
        };
        Ok(form_page(&v, format!("{} · {}", tx(v.lang, "edit"), person.name), format!("/people/{id}"), &input, &[]))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize)]
pub struct PersonForm {
    #[serde(flatten)]
    input: PersonFormFields,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// Form fields arrive as text; the org id is parsed here so a bad value is a field error.
#[derive(Deserialize, Default)]
pub struct PersonFormFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    birth_date: Option<String>,
    #[serde(default)]
    ethnicity: Option<String>,
    #[serde(default)]
    education: Option<String>,
    #[serde(default)]
    occupation: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    joined_on: Option<String>,
    #[serde(default)]
    id_number: Option<String>,
    #[serde(default)]
    org_id: Option<String>,
}

impl PersonFormFields {
    fn input(&self) -> PersonInput {
        PersonInput {
            name: self.name.clone(),
            gender: self.gender.clone(),
            birth_date: self.birth_date.clone(),
            ethnicity: self.ethnicity.clone(),
            education: self.education.clone(),
            occupation: self.occupation.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            org_id: super::opt_id(&self.org_id).unwrap_or(0),
            kind: self.kind.clone(),
            joined_on: self.joined_on.clone(),
            id_number: self.id_number.clone(),
        }
    }
}

async fn save(state: &AppState, v: &Viewer, id: Option<i64>, f: PersonForm) -> WebResult<Response> {
    v.check_csrf(&f.csrf)?;
    let input = f.input.input();
    // both the person's current organisation and the one they go to must be in scope
    if let Some(id) = id {
        let before = people::get(&state.store, id).await?;
        v.require(Permission::EditPeople, &before.org_path)?;
    }
    if input.org_id > 0 {
        let org = orgs::get(&state.store, input.org_id)
            .await
            .map_err(|_| WebError::Invalid(vec![FieldError::new("org_id", "not_found", "所属组织不存在", "the organisation does not exist")]));
        match org {
            Ok(org) => {
                v.require(Permission::EditPeople, &org.path)?;
            }
            Err(WebError::Invalid(errs)) => {
                let action = id.map(|i| format!("/people/{i}")).unwrap_or_else(|| "/people".into());
                return Ok(form_page(v, tx(v.lang, "new_person").into(), action, &input, &errs));
            }
            Err(e) => return Err(e),
        }
    } else {
        v.require_somewhere(Permission::EditPeople)?;
    }
    let change = v.change(state)?;
    let result = match id {
        Some(id) => {
            // an empty ID field on edit keeps the stored number (it is never shown in full)
            let mut input = input.clone();
            if input.id_number.as_deref().map(str::trim).unwrap_or("").is_empty() {
                input.id_number = people::get(&state.store, id).await?.id_number;
            }
            people::update(&state.store, id, &input, &change).await
        }
        None => people::create(&state.store, &input, &change).await,
    };
    match result {
        Ok(p) => Ok(see_other(&format!("/people/{}", p.id))),
        Err(lianxin_store::StoreError::Domain(lianxin_domain::DomainError::Invalid(errs))) => {
            let action = id.map(|i| format!("/people/{i}")).unwrap_or_else(|| "/people".into());
            let title = if id.is_some() { tx(v.lang, "edit") } else { tx(v.lang, "new_person") };
            Ok(form_page(v, title.into(), action, &input, &errs))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn create(State(state): State<AppState>, v: Viewer, FormData(f): FormData<PersonForm>) -> Response {
    let r = save(&state, &v, None, f).await;
    page(&v, r)
}

pub async fn update(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<PersonForm>) -> Response {
    let r = save(&state, &v, Some(id), f).await;
    page(&v, r)
}
