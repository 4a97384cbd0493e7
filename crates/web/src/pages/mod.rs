//! The HTML routes. Each handler checks the viewer's permission on the organisation the
//! data belongs to before it reads or writes anything.

mod account;
mod agenda;
pub(crate) mod cards;
mod congress;
mod duty;
pub(crate) mod elections;
mod evaluation;
mod files;
mod home;
mod io;
pub(crate) mod meetings;
mod notices;
pub(crate) use notices::line as notice_line;
mod orgs;
mod people;
pub(crate) mod proposals;
mod reception;
mod reports;
mod requests;
mod topics;

use crate::auth::Viewer;
use crate::error::{WebError, WebResult};
use crate::AppState;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use lianxin_domain::access::{Actor, Permission};
use lianxin_store::orgs::Org;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/assets/app.css",
            get(|| async {
                ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], include_str!("../../assets/app.css"))
            }),
        )
        .route(
            "/assets/app.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")],
                    include_str!("../../assets/app.js"),
                )
            }),
        )
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        .route("/lang/{code}", get(account::switch_lang))
        .route("/me", get(account::me))
        .route("/bodies/{id}/activities", get(duty::list).post(duty::create))
        .route("/bodies/{id}/activities/new", get(duty::new_form))
        .route("/bodies/{id}/meetings", get(meetings::list).post(meetings::create))
        .route("/bodies/{id}/appraisals", get(meetings::appraisals))
        .route("/bodies/{id}/elections", get(elections::list).post(elections::create))
        .route("/elections/{id}", get(elections::show))
        .route("/elections/{id}/open", post(elections::open))
        .route("/elections/{id}/nominations", post(elections::nominate))
        .route("/elections/{id}/exclusions", post(elections::exclude))
        .route("/elections/{id}/nominations/{nid}/qualify", post(elections::qualify))
        .route("/elections/{id}/review", post(elections::review))
        .route("/elections/{id}/publish", post(elections::publish))
        .route("/elections/{id}/posts/{pid}/rounds", post(elections::start_round))
        .route("/elections/{id}/posts/{pid}/reduce", post(elections::reduce))
        .route("/elections/{id}/posts/{pid}/trust", post(elections::trust))
        .route("/elections/{id}/rounds/{rid}/paper", post(elections::paper))
        .route("/elections/{id}/rounds/{rid}/count", post(elections::count))
        .route("/elections/{id}/link", post(elections::link))
        .route("/elections/{id}/announce", post(elections::announce))
        .route("/elections/{id}/sheet", get(elections::sheet))
        .route("/public/elections/{id}", get(elections::public_notice))
        .route("/public/elections/{id}/objections", post(elections::public_object))
        .route("/elections/{id}/objections", post(elections::decide))
        .route("/meetings/{id}", get(meetings::show))
        .route("/meetings/{id}/door", get(meetings::door))
        .route("/meetings/{id}/checkin", get(meetings::checkin_form).post(meetings::checkin))
        .route("/meetings/{id}/attendance/{delegate}/present", post(meetings::mark_present))
        .route("/meetings/{id}/leave", post(meetings::leave))
        .route("/meetings/{id}/role", post(meetings::set_role))
        .route("/meetings/{id}/votes", post(meetings::create_vote))
        .route("/meetings/{id}/agenda", post(agenda::add_item))
        .route("/meetings/{id}/agenda/{iid}", get(agenda::item))
        .route("/meetings/{id}/agenda/{iid}/files", post(agenda::upload))
        .route("/meetings/{id}/agenda/{iid}/files/{fid}", get(agenda::download))
        .route("/meetings/{id}/agenda/{iid}/distribute", post(agenda::distribute))
        .route("/meetings/{id}/agenda/{iid}/deliberation", post(agenda::deliberate))
        .route("/meetings/{id}/agenda/{iid}/step", post(agenda::step))
        .route("/meetings/{id}/deliberations", get(agenda::deliberations))
        .route("/meetings/{id}/inquiries", get(agenda::inquiries).post(agenda::ask))
        .route("/inquiries/{id}/answer", post(agenda::answer))
        .route("/inquiries/{id}/publish", post(agenda::publish))
        .route("/public/bodies/{id}/meetings", get(agenda::public_page))
        .route("/votes/{id}/paper", post(meetings::enter_paper))
        .route("/meetings/{id}/screen", get(meetings::screen))
        .route("/meetings/{id}/screen.json", get(meetings::screen_json))
        .route("/meetings/{id}/screen/events", get(meetings::screen_events))
        .route("/votes/{id}", get(meetings::show_vote))
        .route("/votes/{id}/open", post(meetings::open))
        .route("/votes/{id}/close", post(meetings::close))
        .route("/votes/{id}/cast", post(meetings::cast))
        .route("/votes/{id}/ballots", get(meetings::ballots))
        .route("/activities/{id}", get(duty::show))
        .route("/activities/{id}/remove", post(duty::remove))
        .route("/activities/{id}/attachments", post(duty::upload))
        .route("/activities/{id}/attachments/{aid}", get(duty::download))
        .route("/bodies/{id}/duty", get(duty::board))
        .route("/bodies/{id}/duty/rules", get(duty::rules).post(duty::add_rule))
        .route("/bodies/{id}/duty/rules/preset", post(duty::apply_preset))
        .route("/bodies/{id}/duty/rules/{rid}/remove", post(duty::remove_rule))
        .route("/bodies/{id}/duty/points", post(duty::set_points))
        .route("/delegates/{id}/duty", get(duty::file))
        .route("/bodies/{id}/evaluation", get(evaluation::board).post(evaluation::open))
        .route("/bodies/{id}/evaluation/slips", post(evaluation::slips))
        .route("/bodies/{id}/studios", get(reception::studios).post(reception::create))
        .route("/bodies/{id}/studios/{sid}/rota", post(reception::set_rota))
        .route("/public/bodies/{id}/reception", get(reception::public_calendar))
        .route("/public/evaluate", get(evaluation::public_form).post(evaluation::public_rate))
        .route("/bodies/{id}/cards", get(cards::sheet))
        .route("/public/delegates/{id}", get(requests::delegate_page))
        .route("/public/delegates/{id}/requests", post(requests::public_submit))
        .route("/public/requests", get(requests::public_status))
        .route("/public/requests/rate", post(requests::public_rate))
        .route("/bodies/{id}/requests", get(requests::list).post(requests::office_submit))
        .route("/bodies/{id}/requests/new", get(requests::new_form))
        .route("/bodies/{id}/requests/stats", get(requests::stats))
        .route("/bodies/{id}/requests/hotspots", get(topics::hotspots))
        .route("/bodies/{id}/topics", get(topics::list).post(topics::create))
        .route("/requests/{id}", get(requests::show))
        .route("/requests/{id}/act", post(requests::act))
        .route("/requests/{id}/attachments", post(requests::upload))
        .route("/requests/{id}/attachments/{aid}", get(requests::download))
        .route("/requests/{id}/to-proposal", post(requests::to_proposal))
        .route("/notices", get(notices::list))
        .route("/notices/read", post(notices::read_all))
        .route("/notices/{id}", get(notices::open))
        .route("/me/tokens", post(account::create_token))
        .route("/me/tokens/{id}/revoke", post(account::revoke_token))
        .route("/me/password", post(account::change_password))
        .route("/admin/users", get(account::users).post(account::create_user))
        .route("/admin/users/{id}/grants", post(account::add_grant))
        .route("/orgs", get(orgs::index))
        .route("/orgs/{id}", get(orgs::show).post(orgs::update))
        .route("/orgs/{id}/children", post(orgs::create_child))
        .route("/orgs/{id}/move", post(orgs::move_org))
        .route("/orgs/{id}/retire", post(orgs::retire))
        .route("/orgs/{id}/bodies", post(congress::create_body))
        .route("/orgs/{id}/proposals/stats", get(proposals::rollup))
        .route("/orgs/{id}/duty", get(duty::rollup))
        .route("/people", get(people::list).post(people::create))
        .route("/people/new", get(people::new_form))
        .route("/people/{id}", get(people::show).post(people::update))
        .route("/people/{id}/edit", get(people::edit_form))
        .route("/bodies", get(congress::bodies))
        .route("/bodies/{id}", get(congress::body).post(congress::update_body))
        .route("/bodies/{id}/terms", post(congress::create_term))
        .route("/bodies/{id}/delegates", get(congress::delegates))
        .route("/bodies/{id}/composition", get(reports::composition))
        .route("/bodies/{id}/coverage", get(reports::coverage))
        .route("/terms/{id}/groups", post(congress::create_group))
        .route("/terms/{id}/delegates", post(congress::add_delegate))
        .route("/terms/{id}/committee", post(congress::add_committee))
        .route("/groups/{id}", post(congress::update_group))
        .route("/committee/{id}/end", post(congress::end_committee))
        .route("/delegates/{id}", get(congress::delegate).post(congress::update_delegate))
        .route("/delegates/{id}/qualification", post(congress::qualification))
        .route("/links", post(congress::create_link))
        .route("/links/{id}/end", post(congress::end_link))
        .route("/bodies/{id}/proposals", get(proposals::list).post(proposals::create))
        .route("/bodies/{id}/proposals/new", get(proposals::new_form))
        .route("/bodies/{id}/proposals/stats", get(proposals::stats))
        .route("/proposals", get(proposals::index))
        .route("/public/bodies/{id}/proposals", get(proposals::public_list))
        .route("/public/proposals/{id}", get(proposals::public_show))
        .route("/proposals/{id}", get(proposals::show))
        .route("/proposals/{id}/act", post(proposals::act))
        .route("/proposals/{id}/edit", post(proposals::edit))
        .route("/proposals/{id}/invite", post(proposals::invite))
        .route("/proposals/{id}/answer", post(proposals::answer))
        .route("/proposals/{id}/flags", post(proposals::flags))
        .route("/proposals/{id}/attachments", post(proposals::upload))
        .route("/proposals/{id}/attachments/{aid}", get(proposals::download))
        .route("/audit", get(reports::audit))
        .route("/import", get(io::import_form).post(io::import))
        .route("/import/template.xlsx", get(io::template))
}

/// Runs a page handler and turns its error into a page in the viewer's language.
pub(crate) fn page(v: &Viewer, r: WebResult<Response>) -> Response {
    match r {
        Ok(resp) => resp,
        Err(e) => crate::view::error_page(v, e),
    }
}

/// After a successful form: back to a page (303, so a reload does not post again).
/// A posted form as pairs, so that repeated names (ticked delegates) all arrive.
pub(crate) fn form_pairs(body: &axum::body::Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// The first value of `name` in posted pairs ("" if absent).
pub(crate) fn form_value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The organisation a viewer starts from: the root of their first scope for `p`
/// (administrators: the first tree).
pub(crate) async fn home_org(state: &AppState, a: &Actor, p: Permission) -> WebResult<Org> {
    let scopes = a.scopes_for(p);
    match scopes.first() {
        Some(Some(path)) => {
            let id = lianxin_domain::org::ancestors(path).last().copied().ok_or(WebError::NotFound)?;
            Ok(lianxin_store::orgs::get(&state.store, id).await?)
        }
        Some(None) => lianxin_store::orgs::roots(&state.store).await?.into_iter().next().ok_or(WebError::NotFound),
        None => Err(WebError::Forbidden),
    }
}

/// The form value of a checkbox-free boolean or an optional id: empty means none.
pub(crate) fn opt_id(s: &Option<String>) -> Option<i64> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).and_then(|s| s.parse().ok())
}

pub(crate) fn opt_str(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// [`home_org`] for the API.
pub(crate) async fn home_org_api(state: &AppState, a: &Actor, p: Permission) -> WebResult<Org> {
    home_org(state, a, p).await
}

/// The organisation path a link's starting end belongs to, for the API's scope check.
pub(crate) async fn link_scope_api(state: &AppState, kind: &str, from_id: i64) -> WebResult<String> {
    congress::link_scope(state, kind, from_id).await
}

/// The delegates table, for the command line's export.
pub fn delegates_table_pub(lang: lianxin_domain::Lang, items: &[lianxin_store::congress::Delegate]) -> crate::view::Table {
    congress::delegates_table(lang, items, true)
}

/// The people table, for the command line's export.
pub fn people_table_pub(lang: lianxin_domain::Lang, items: &[lianxin_store::people::Person]) -> crate::view::Table {
    people::people_table(lang, items)
}
