//! The API's handlers: the same store calls and the same permission checks as the pages.

use super::{ApiResult, Body, Caller};
use crate::error::WebError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use lianxin_domain::access::Permission;
use lianxin_domain::congress::{DelegateInput, QualificationChangeInput};
use lianxin_domain::error::{fmt_date, parse_date};
use lianxin_domain::org::OrgInput;
use lianxin_domain::person::{mask_id_number, mask_phone, PersonInput};
use lianxin_store::audit::{self, AuditFilter};
use lianxin_store::congress::{self, DelegateFilter};
use lianxin_store::network::{self, LinkInput};
use lianxin_store::people::{self, PeopleFilter, Person};
use lianxin_store::{orgs, reports, PageReq};
use serde::Deserialize;
use serde_json::{json, Value};

fn person_json(p: &Person) -> Value {
    let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
    v["id_number"] = json!(p.id_number.as_deref().map(mask_id_number));
    v
}

pub async fn me(c: Caller) -> ApiResult {
    let a = c.0.actor.as_ref().ok_or_else(|| c.err(WebError::Unauthorized))?;
    Ok(Json(
        json!({"user_id": a.user_id, "username": a.username, "display_name": a.display_name, "person_id": a.person_id, "grants": a.grants, "lang": c.0.lang.code()}),
    ))
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<i64>,
    per_page: Option<i64>,
}

/// The caller's notices, newest first, each with its sentence in the caller's language.
pub async fn notices(State(state): State<AppState>, c: Caller, Query(q): Query<PageQuery>) -> ApiResult {
    let a = c.0.actor.as_ref().ok_or_else(|| c.err(WebError::Unauthorized))?;
    let page = lianxin_store::notices::list(&state.store, a, PageReq::new(q.page, q.per_page)).await.map_err(|e| c.err(e))?;
    let items: Vec<_> =
        page.items.iter().map(|n| json!({"id": n.id, "kind": n.kind, "text": crate::pages::notice_line(n, c.0.lang), "subject": n.subject, "link": n.link, "created_at": n.created_at, "read_at": n.read_at})).collect();
    Ok(Json(json!({"items": items, "total": page.total, "page": page.page, "per_page": page.per_page})))
}

async fn org_in(state: &AppState, c: &Caller, id: i64, p: Permission) -> Result<orgs::Org, super::ApiError> {
    let org = orgs::get(&state.store, id).await.map_err(|e| c.err(e))?;
    c.0.require(p, &org.path).map_err(|e| c.err(e))?;
    Ok(org)
}

pub async fn org(State(state): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult {
    let org = org_in(&state, &c, id, Permission::ViewOrgs).await?;
    let children = orgs::children(&state.store, &org).await.map_err(|e| c.err(e))?;
    Ok(Json(json!({"org": org, "children": children})))
}

pub async fn org_counts(State(state): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult {
    let org = org_in(&state, &c, id, Permission::ViewOrgs).await?;
    let counts = orgs::subtree_counts(&state.store, &org).await.map_err(|e| c.err(e))?;
    Ok(Json(json!(counts)))
}

pub async fn create_org(State(state): State<AppState>, c: Caller, Body(input): Body<OrgInput>) -> ApiResult {
    let parent_id = input.parent_id.ok_or_else(|| c.err(WebError::Invalid(vec![lianxin_domain::FieldError::required("parent_id", "上级组织")])))?;
    org_in(&state, &c, parent_id, Permission::EditOrgs).await?;
    let ch = c.0.change(&state).map_err(|e| c.err(e))?;
    let o = orgs::create(&state.store, &input, &ch).await.map_err(|e| c.err(e))?;
    Ok(Json(json!(o)))
}

pub async fn update_org(State(state): State<AppState>, c: Caller, Path(id): Path<i64>, Body(input): Body<OrgInput>) -> ApiResult {
    org_in(&state, &c, id, Permission::EditOrgs).await?;
    let ch = c.0.change(&state).map_err(|e| c.err(e))?;
    Ok(Json(json!(orgs::update(&state.store, id, &input, &ch).await.map_err(|e| c.err(e))?)))
}

#[derive(Deserialize)]
pub struct MoveBody {
    parent_id: i64,
}

pub async fn move_org(State(state): State<AppState>, c: Caller, Path(id): Path<i64>, Body(b): Body<MoveBody>) -> ApiResult {
    org_in(&state, &c, id, Permission::EditOrgs).await?;
    org_in(&state, &c, b.parent_id, Permission::EditOrgs).await?;
    let ch = c.0.change(&state).map_err(|e| c.err(e))?;
    Ok(Json(json!(orgs::move_to(&state.store, id, b.parent_id, &ch).await.map_err(|e| c.err(e))?)))
}

pub async fn retire_org(State(state): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult {
    org_in(&state, &c, id, Permission::EditOrgs).await?;
    let ch = c.0.change(&state).map_err(|e| c.err(e))?;
    Ok(Json(json!(orgs::retire(&state.store, id, &ch).await.map_err(|e| c.err(e))?)))
}

#[derive(Deserialize, Default)]
pub struct PeopleQuery {
    org: Option<i64>,
    q: Option<String>,
    kind: Option<String>,
    gender: Option<String>,
    education: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn people(State(state): State<AppState>, c: Caller, Query(q): Query<PeopleQuery>) -> ApiResult {
    let a = c.0.require_somewhere(Permission::ViewPeople).map_err(|e| c.err(e))?.clone();
    let org = match q.org {
        Some(id) => org_in(&state, &c, id, Permission::ViewPeople).await?,
        None => crate::pages::home_org_api(&state, &a, Permission::ViewPeople).await.map_err(|e| c.err(e))?,
    };
    let f = PeopleFilter { q: q.q, org_id: Some(org.id), kind: q.kind, gender: q.gender, education: q.education, ethnicity: None };
    let page = people::list(&state.store, org.tenant_id, &a.scopes_for(Permission::ViewPeople), &f, PageReq::new(q.page, q.per_page))
        .await
        .map_err(|e| c.err(e))?;
    Ok(Json(
        json!({"items": page.items.iter().map(person_json).collect::<Vec<_>>(), "total": page.total, "page": page.page, "per_page": page.per_page}),
    ))
}

pub async fn person(State(state): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult {
    let p = people::get(&state.store, id).await.map_err(|e| c.err(e))?;
    c.0.require(Permission::ViewPeople, &p.org_path).map_err(|e| c.err(e))?;
    Ok(Json(person_json(&p)))
}

pub async fn create_person(State(state): State<AppState>, c: Caller, Body(input): Body<PersonInput>) -> ApiResult {
    match orgs::get(&state.store, input.org_id).await {
        Ok(o) => c.0.require(Permission::EditPeople, &o.path).map_err(|e| c.err(e))?,
        Err(_) => c.0.require_somewhere(Permission::EditPeople).map_err(|e| c.err(e))?,
    };
    let ch = c.0.change(&state).map_err(|e| c.err(e))?;
    let p = people::create(&state.store, &input, &ch).await.map_err(|e| c.err(e))?;
    Ok(Json(person_json(&p)))
}

pub async fn update_person(State(state): State<AppState>, c: Caller, Path(id): Path<i64>, Body(input): Body<PersonInput>) -> ApiResult {
    let before = people::get(&state.store, id).await.map_err(|e| c.err(e))?;
    c.0.require(Permission::EditPeople, &before.org_path).map_err(|e| c.err(e))?;
    if let Ok(o) = orgs::get(&state.store, input.org_id).await {
        c.0.require(Permission::EditPeople, &o.path).map_err(|e| c.err(e))?;
    }
    let ch = c.0.change(&state).map_err(|e| c.err(e))?;
    let p = people::update(&state.store, id, &input, &ch).await.map_err(|e| c.err(e))?;
    Ok(Json(person_json(&p)))
}

pub async fn bodies(State(state): State<AppState>, c: Caller) -> ApiResult {
    let a = c.0.require_somewhere(Permission::ViewDelegates).map_err(|e| c.err(e))?;
    let list = congress::bodies(&state.store, &a.scopes_for(Permission::ViewDelegates)).await.map_err(|e| c.err(e))?;
    Ok(Json(json!({"items": list})))
}

async fn body_in(state: &AppState, c: &Caller, id: i64, p: Permission) -> Result<congress::Body, super::ApiError> {
    let b = congress::body(&state.store, id).await.map_err(|e| c.err(e))?;
    c.0.require(p, &b.org_path).map_err(|e| c.err(e))?;
    Ok(b)
}

pub async fn body(State(state): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult {
    let b = body_in(&state, &c, id, Permission::ViewDelegates).await?;
    let terms = congress::terms(&state.store, &b).await.map_err(|e| c.err(e))?;
    Ok(Json(json!({"body": b, "terms": terms})))
}

async fn term_in(state: &AppState, c: &Caller, id: i64, p: Permission) -> Result<(congress::Term, congress::Body), super::ApiError> {
    let t = congress::term(&state.store, id).await.map_err(|e| c.err(e))?;
    let b = body_in(state, c, t.body_id, p).await?;
    Ok((t, b))
}

#[derive(Deserialize, Default)]
pub struct DelegatesQuery {
    q: Option<String>,
    category: Option<String>,
    status: Option<String>,
    gender: Option<String>,
    group_id: Option<i64>,
    vacant: Option<bool>,
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn delegates(State(state): State<AppState>, c: Caller, Path(id): Path<i64>, Query(q): Query<DelegatesQuery>) -> ApiResult {
    let (t, b) = term_in(&state, &c, id, Permission::ViewDelegates).await?;
    let f = DelegateFilter { q: q.q, category: q.category, status: q.status, group_id: q.group_id, gender: q.gender, org_id: None, vacant: q.vacant };
    let page = congress::delegates(&state.store, &t, &[None], &f, PageReq::new(q.page, q.per_page)).await.map_err(|e| c.err(e))?;
    let show_phone = c.0.can(Permission::ViewPeople, &b.org_path);
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|d| {
            let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
            if !show_phone {
                v["phone"] = json!(d.phone.as_deref().map(mask_phone));
                v["birth_date"] = json!(d.birth_date.as_deref().map(|b| b.chars().take(4).collect::<String>()));
            }
            v
        })
        .collect();
    Ok(Json(json!({"items": items, "total": page.total, "page": page.page, "per_page": page.per_page})))
}

pub async fn add_delegate(State(state): State<AppState>, c: Caller, Path(id): Path<i64>, Body(input): Body<DelegateInput>) -> ApiResult {
    let (t, _) = term_in(&state, &c, id, Permission::EditDelegates).await?;
    if let Ok(p) = people::get(&state.store, input.person_id).await {
        c.0.require(Permission::EditDelegates, &p.org_path).map_err(|e| c.err(e))?;
    }
    let ch = c.0.change(&state).map_err(|e| c.err(e))?;
    Ok(Json(json!(congress::add_delegate(&state.store, &t, &input, &ch).await.map_err(|e| c.err(e))?)))
}

pub async fn groups(State(state): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult {
    let (t, _) = term_in(&state, &c, id, Permission::ViewDelegates).await?;
    Ok(Json(json!({"items": congress::groups(&state.store, &t).await.map_err(|e| c.err(e))?})))
}

#[derive(Deserialize, Default)]
pub struct OnQuery {
    on: Option<String>,
}

pub async fn composition(State(state): State<AppState>, c: Caller, Path(id): Path<i64>, Query(q): Query<OnQuery>) -> ApiResult {
    let (t, b) = term_in(&state, &c, id, Permission::ViewReports).await?;
    let on = q.on.as_deref().and_then(parse_date).unwrap_or(state.today());
    Ok(Json(json!(reports::composition(&state.store, &b, &t, on, c.0.lang).await.map_err(|e| c.err(e))?)))
}

pub async fn coverage(State(state): State<AppState>, c: Caller, Path(id): Path<i64>, Query(q): Query<OnQuery>) -> ApiResult {
    let (t, b) = term_in(&state, &c, id, Permission::ViewReports).await?;
    let on = fmt_date(q.on.as_deref().and_then(parse_date).unwrap_or(state.today()));
    Ok(Json(json!(reports::coverage_report(&state.store, &b, &t, &on).await.map_err(|e| c.err(e))?)))
}

async fn delegate_in(state: &AppState, c: &Caller, id: i64, p: Permission) -> Result<(congress::Delegate, congress::Body), super::ApiError> {
    let d = congress::delegate(&state.store, id).await.map_err(|e| c.err(e))?;
    let (_, b) = term_in(state, c, d.term_id, p).await?;
    Ok((d, b))
}

pub async fn delegate(State(state): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult {
    let (d, b) = delegate_in(&state, &c, id, Permission::ViewDelegates).await?;
    let mut v = serde_json::to_value(&d).unwrap_or(Value::Null);
    let own = c.0.actor.as_ref().and_then(|a| a.person_id) == Some(d.person_id);
    if !c.0.can(Permission::ViewPeople, &b.org_path) && !own {
        v["phone"] = json!(d.phone.as_deref().map(mask_phone));
        v["birth_date"] = json!(d.birth_date.as_deref().map(|b| b.chars().take(4).collect::<String>()));
    }
    Ok(Json(v))
}

pub async fn qualification(State(state): State<AppState>, c: Caller, Path(id): Path<i64>, Body(input): Body<QualificationChangeInput>) -> ApiResult {
    delegate_in(&state, &c, id, Permission::EditDelegates).await?;
    let ch = c.0.change(&state).map_err(|e| c.err(e))?;
    let (d, change) = congress::change_delegate_qualification(&state.store, id, &input, &ch).await.map_err(|e| c.err(e))?;
    Ok(Json(json!({"delegate": d, "rule": change.rule, "vacancy": d.is_vacancy()})))
}

pub async fn create_link(State(state): State<AppState>, c: Caller, Body(input): Body<LinkInput>) -> ApiResult {
    let path = crate::pages::link_scope_api(&state, &input.kind, input.from_id).await.map_err(|e| c.err(e))?;
    c.0.require(Permission::EditDelegates, &path).map_err(|e| c.err(e))?;
    if input.kind != "committee_group" {
        if let Ok(p) = people::get(&state.store, input.to_id).await {
            c.0.require(Permission::EditDelegates, &p.org_path).map_err(|e| c.err(e))?;
        }
    }
    let ch = c.0.change(&state).map_err(|e| c.err(e))?;
    Ok(Json(json!(network::create(&state.store, &input, &ch).await.map_err(|e| c.err(e))?)))
}

#[derive(Deserialize, Default)]
pub struct EndBody {
    #[serde(default)]
    ends_on: Option<String>,
}

pub async fn end_link(State(state): State<AppState>, c: Caller, Path(id): Path<i64>, Body(b): Body<EndBody>) -> ApiResult {
    let l = network::get(&state.store, id).await.map_err(|e| c.err(e))?;
    let path = crate::pages::link_scope_api(&state, &l.kind, l.from_id).await.map_err(|e| c.err(e))?;
    c.0.require(Permission::EditDelegates, &path).map_err(|e| c.err(e))?;
    let ch = c.0.change(&state).map_err(|e| c.err(e))?;
    Ok(Json(json!(network::end(&state.store, id, b.ends_on.as_deref(), &ch).await.map_err(|e| c.err(e))?)))
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    entity: Option<String>,
    entity_id: Option<i64>,
    page: Option<i64>,
    per_page: Option<i64>,
}

pub async fn audit(State(state): State<AppState>, c: Caller, Query(q): Query<AuditQuery>) -> ApiResult {
    let a = c.0.require_somewhere(Permission::ViewAudit).map_err(|e| c.err(e))?;
    let tenants = if a.is_admin() {
        None
    } else {
        Some(a.scopes_for(Permission::ViewAudit).iter().flatten().filter_map(|p| lianxin_domain::org::root_of(p)).collect())
    };
    let page =
        audit::list(&state.store, &AuditFilter { tenants, entity: q.entity, entity_id: q.entity_id, actor: None }, PageReq::new(q.page, q.per_page))
            .await
            .map_err(|e| c.err(e))?;
    Ok(Json(json!(page)))
}

pub async fn audit_verify(State(state): State<AppState>, c: Caller) -> ApiResult {
    let a = c.0.user().map_err(|e| c.err(e))?;
    if !a.is_admin() {
        return Err(c.err(WebError::Forbidden));
    }
    match audit::verify(&state.store).await.map_err(|e| c.err(e))? {
        Ok(v) => Ok(Json(json!({"ok": true, "entries": v.entries, "head": v.head_hash}))),
        Err(b) => Ok(Json(json!({"ok": false, "break": format!("{b:?}")}))),
    }
}

#[derive(Deserialize, Default)]
pub struct ProposalQuery {
    q: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    category: Option<String>,
    term: Option<i64>,
    year: Option<i32>,
    unit: Option<i64>,
    page: Option<i64>,
    per_page: Option<i64>,
}

/// The same lists as the pages: the office and committee all, a unit its inbox, a delegate
/// their own and the public ones.
pub async fn proposals(State(state): State<AppState>, c: Caller, Path(id): Path<i64>, Query(q): Query<ProposalQuery>) -> ApiResult {
    use crate::pages::proposals::unit_scopes;
    let b = congress::body(&state.store, id).await.map_err(|e| c.err(e))?;
    let a = c.0.user().map_err(|e| c.err(e))?.clone();
    let units = unit_scopes(&a);
    let office = a.can(Permission::ViewReports, &b.org_path);
    if !office && units.is_empty() && !a.can(Permission::ViewDelegates, &b.org_path) {
        return Err(c.err(WebError::Forbidden));
    }
    let mut f = lianxin_store::proposals::ProposalFilter {
        q: q.q,
        status: q.status,
        kind: q.kind,
        category: q.category,
        term: q.term,
        year: q.year,
        unit: q.unit,
        ..Default::default()
    };
    if !office {
        if !units.is_empty() {
            f.unit_paths = Some(units);
        } else {
            f.public_or_person = Some(a.person_id.unwrap_or(-1));
            f.include_drafts = true;
        }
    }
    let page = lianxin_store::proposals::list(&state.store, &b, &f, PageReq::new(q.page, q.per_page)).await.map_err(|e| c.err(e))?;
    Ok(Json(json!(page)))
}

pub async fn create_proposal(
    State(state): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Body(input): Body<lianxin_domain::proposal::DraftInput>,
) -> ApiResult {
    let b = congress::body(&state.store, id).await.map_err(|e| c.err(e))?;
    let a = c.0.user().map_err(|e| c.err(e))?.clone();
    let Some((term, delegate)) = crate::pages::proposals::my_delegate(&state, &a, &b).await.map_err(|e| c.err(e))? else {
        return Err(c.err(WebError::Forbidden));
    };
    let ch = c.0.change(&state).map_err(|e| c.err(e))?;
    Ok(Json(json!(lianxin_store::proposals::create_draft(&state.store, &b, &term, delegate, &input, &ch).await.map_err(|e| c.err(e))?)))
}

pub async fn proposal(State(state): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult {
    let (p, _, parts) = crate::pages::proposals::readable(&state, &c.0, id).await.map_err(|e| c.err(e))?;
    let store = &state.store;
    let signers = lianxin_store::proposals::signers(store, &p).await.map_err(|e| c.err(e))?;
    let units = lianxin_store::proposals::units(store, &p).await.map_err(|e| c.err(e))?;
    let events = lianxin_store::proposals::events(store, &p).await.map_err(|e| c.err(e))?;
    Ok(Json(json!({"proposal": p, "signers": signers, "units": units, "events": events, "your_parts": parts})))
}

pub async fn proposal_act(
    State(state): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Body(f): Body<crate::pages::proposals::ActForm>,
) -> ApiResult {
    let (_, _, parts) = crate::pages::proposals::readable(&state, &c.0, id).await.map_err(|e| c.err(e))?;
    let (part, action) = crate::pages::proposals::action_of(&f).map_err(|e| c.err(e))?;
    if !parts.contains(&part) {
        return Err(c.err(WebError::Forbidden));
    }
    let ch = c.0.change(&state).map_err(|e| c.err(e))?;
    Ok(Json(json!(lianxin_store::proposals::act(&state.store, id, part, &action, &ch).await.map_err(|e| c.err(e))?)))
}

pub async fn proposal_stats(
    State(state): State<AppState>,
    c: Caller,
    Path(id): Path<i64>,
    Query(q): Query<lianxin_store::proposals::Period>,
) -> ApiResult {
    let b = body_in(&state, &c, id, Permission::ViewReports).await?;
    let today = lianxin_domain::proposal::day_number(state.today());
    Ok(Json(json!(lianxin_store::proposals::stats(&state.store, &b, &q, today).await.map_err(|e| c.err(e))?)))
}
