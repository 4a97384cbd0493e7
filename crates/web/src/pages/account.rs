//! Sign-in, sign-out, language, the viewer's own page (delegate seats, links, API tokens,
//! password) and user administration.

use super::{page, see_other};
use crate::auth::{self, Viewer, LANG_COOKIE, PRE_COOKIE, SESSION_COOKIE};
use crate::error::{WebError, WebResult};
use crate::i18n::{label, t as tx};
use crate::view::{fmt_ms, Cell, Ctx, Field, Form, Page, Panel, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form as FormData;
use lianxin_domain::access::{Permission, Role};
use lianxin_domain::lang::Coded;
use lianxin_domain::Lang;
use lianxin_store::network::LinkKind;
use lianxin_store::{congress, network, users};
use serde::Deserialize;

fn login_page(v: &Viewer, pre: &str, username: &str, error: Option<&str>, status: StatusCode) -> Response {
    let lang = v.lang;
    let mut p = Page::new(Ctx::new(v, "/login", ""), tx(lang, "login"));
    let mut panel = Panel::default();
    if let Some(e) = error {
        panel.errors.push(e.to_string());
    }
    let mut f = Form::post(
        "/login",
        pre,
        tx(lang, "login"),
        vec![
            Field::new("text", "username", tx(lang, "username"), username).required(),
            Field::new("password", "password", tx(lang, "password"), "").required(),
        ],
    );
    f.fields[0].hint = None;
    panel.form = Some(f);
    panel.note = tx(lang, "demo_hint").into();
    p.panels.push(panel);
    let mut resp = p.render_status(status);
    if let Ok(v) = format!("{PRE_COOKIE}={pre}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600").parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

pub async fn login_form(v: Viewer) -> Response {
    if v.actor.is_some() {
        return see_other("/");
    }
    login_page(&v, &auth::random_token(), "", None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn login(State(state): State<AppState>, v: Viewer, headers: HeaderMap, FormData(f): FormData<LoginForm>) -> Response {
    let lang = v.lang;
    // the form's token must match the cookie set with the form (login CSRF)
    let pre = auth::cookie(&headers, PRE_COOKIE).unwrap_or("");
    if pre.is_empty() || pre != f.csrf {
        return login_page(&v, &auth::random_token(), &f.username, Some(tx(lang, "csrf")), StatusCode::FORBIDDEN);
    }
    let now = state.now_ms();
    if !state.throttle.allow(&v.client, now, state.config.login_attempts_per_ip) {
        return login_page(&v, pre, &f.username, Some(tx(lang, "throttled")), StatusCode::TOO_MANY_REQUESTS);
    }
    let user = match users::by_name(&state.store, &f.username.to_ascii_lowercase()).await {
        Ok(u) => u,
        Err(e) => return page(&v, Err(e.into())),
    };
    let Some(user) = user.filter(|u| !u.disabled) else {
        // the same work and answer as a wrong password, so names cannot be probed
        let _ = auth::verify_password("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo", &f.password).await;
        return login_page(&v, pre, &f.username, Some(tx(lang, "bad_login")), StatusCode::UNAUTHORIZED);
    };
    if user.locked_until.map(|t| t > now).unwrap_or(false) {
        return login_page(&v, pre, &f.username, Some(tx(lang, "locked")), StatusCode::TOO_MANY_REQUESTS);
    }
    if !auth::verify_password(&user.password_hash, &f.password).await {
        let locked = users::record_failed_login(&state.store, user.id, now).await.unwrap_or(false);
        let msg = if locked { tx(lang, "locked") } else { tx(lang, "bad_login") };
        return login_page(&v, pre, &f.username, Some(msg), StatusCode::UNAUTHORIZED);
    }
    let token = auth::random_token();
    let csrf = auth::random_token();
    let r = async {
        users::record_good_login(&state.store, user.id).await?;
        users::create_session(&state.store, &auth::sha256_hex(&token), user.id, &csrf, now, state.config.session_ttl_ms).await?;
        let _ = users::purge_sessions(&state.store, now).await;
        Ok::<_, lianxin_store::StoreError>(())
    }
    .await;
    if let Err(e) = r {
        return page(&v, Err(e.into()));
    }
    let mut resp = Redirect::to("/").into_response();
    let c = auth::set_cookie(&state, SESSION_COOKIE, &token, state.config.session_ttl_ms / 1000);
    if let Ok(h) = c.parse() {
        resp.headers_mut().append(header::SET_COOKIE, h);
    }
    resp
}

/// A form that carries nothing but its CSRF token (sign-out, "mark all read").
#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default, rename = "_csrf")]
    pub(crate) csrf: String,
}

pub async fn logout(State(state): State<AppState>, v: Viewer, headers: HeaderMap, FormData(f): FormData<CsrfOnly>) -> Response {
    if v.actor.is_some() {
        if let Err(e) = v.check_csrf(&f.csrf) {
            return page(&v, Err(e));
        }
    }
    if let Some(t) = auth::cookie(&headers, SESSION_COOKIE) {
        let _ = users::delete_session(&state.store, &auth::sha256_hex(t)).await;
    }
    let mut resp = Redirect::to("/login").into_response();
    if let Ok(h) = auth::set_cookie(&state, SESSION_COOKIE, "", 0).parse() {
        resp.headers_mut().append(header::SET_COOKIE, h);
    }
    resp
}

#[derive(Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// Switches the language (a preference; safe as a GET) and returns to the page.
pub async fn switch_lang(State(state): State<AppState>, v: Viewer, Path(code): Path<String>, Query(q): Query<Back>) -> Response {
    let lang = Lang::parse(&code);
    if let Some(a) = &v.actor {
        let _ = users::set_lang(&state.store, a.user_id, lang.code()).await;
    }
    // only a local path, never another site
    let back = q.back.filter(|b| b.starts_with('/') && !b.starts_with("//")).unwrap_or_else(|| "/".into());
    let mut resp = Redirect::to(&back).into_response();
    if let Ok(h) = format!("{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000", lang.code()).parse() {
        resp.headers_mut().append(header::SET_COOKIE, h);
    }
    resp
}

/// The viewer's own page: their delegate seats and links, API tokens, password.
pub async fn me(State(state): State<AppState>, v: Viewer) -> Response {
    let r = me_page(&state, &v, None).await;
    page(&v, r)
}

async fn me_page(state: &AppState, v: &Viewer, new_token: Option<String>) -> WebResult<Response> {
    let a = v.user()?;
    let lang = v.lang;
    let mut p = Page::new(Ctx::new(v, "/me", "me"), a.display_name.clone());
    let mut roles = Panel::titled(tx(lang, "role"));
    roles.facts =
        a.grants.iter().map(|g| (g.role.label().get(lang).to_string(), g.scope_path.clone().unwrap_or_else(|| tx(lang, "all").into()))).collect();
    if let Ok(gr) = users::grants(&state.store, a.user_id).await {
        roles.facts = gr.iter().map(|g| (label::<Role>(lang, &g.role), g.scope_name.clone().unwrap_or_else(|| tx(lang, "all").into()))).collect();
    }
    p.panels.push(roles);
    if let Some(pid) = a.person_id {
        let person = lianxin_store::people::get(&state.store, pid).await?;
        let seats = congress::delegates_of_person(&state.store, person.tenant_id, pid).await?;
        for d in seats {
            let mut panel = Panel::titled(format!("{} · {}", tx(lang, "my_delegate"), d.group_name.clone().unwrap_or_default()));
            panel.facts.push((tx(lang, "sector").into(), label::<lianxin_domain::congress::DelegateCategory>(lang, &d.category)));
            panel.facts.push((tx(lang, "status").into(), label::<lianxin_domain::congress::DelegateStatus>(lang, &d.status)));
            let links =
                network::links_from(&state.store, d.tenant_id, LinkKind::DelegateMember, d.id, Some(&lianxin_domain::error::fmt_date(state.today())))
                    .await?;
            let ids: Vec<i64> = links.iter().map(|l| l.to_id).collect();
            let members = lianxin_store::people::get_many(&state.store, d.tenant_id, &ids).await?;
            // a delegate needs the phone numbers of the members they look after
            panel.table = Some(Table {
                headers: vec![tx(lang, "linked_members").into(), tx(lang, "org").into(), tx(lang, "phone").into()],
                rows: members
                    .iter()
                    .map(|m| vec![Cell::text(&m.name), Cell::text(&m.org_name), Cell::text(m.phone.clone().unwrap_or_default())])
                    .collect(),
                empty: tx(lang, "none").into(),
            });
            p.panels.push(panel);
            // the delegate's own work, one tap away on a phone
            let term = congress::term(&state.store, d.term_id).await?;
            let mut work = Panel::titled(lang.pick("我的履职", "My work"));
            work.table = Some(Table {
                headers: vec![String::new()],
                rows: vec![
                    vec![Cell::link(lang.pick("记录履职活动", "Record an activity"), format!("/bodies/{}/activities/new", term.body_id))],
                    vec![Cell::link(lang.pick("履职档案", "Duty file"), format!("/delegates/{}/duty", d.id))],
                    vec![Cell::link(lang.pick("群众诉求", "Citizen requests"), format!("/bodies/{}/requests", term.body_id))],
                    vec![Cell::link(lang.pick("公开主页(联系卡二维码)", "Public page (contact card QR)"), format!("/public/delegates/{}", d.id))],
                ],
                empty: String::new(),
            });
            p.panels.push(work);
        }
    }
    let mut tokens = Panel::titled(tx(lang, "api_tokens"));
    if let Some(t) = new_token {
        tokens.note = format!("{} {t}", tx(lang, "token_created"));
    }
    let list = users::tokens(&state.store, a.user_id).await?;
    tokens.table = Some(Table {
        headers: vec![tx(lang, "name").into(), tx(lang, "time").into(), tx(lang, "status").into()],
        rows: list
            .iter()
            .map(|t| {
                vec![
                    Cell::text(&t.name),
                    Cell::text(fmt_ms(t.created_at)),
                    match t.revoked_at {
                        Some(r) => Cell::text(format!("{} {}", tx(lang, "revoke"), fmt_ms(r))),
                        None => Cell::action(tx(lang, "revoke"), format!("/me/tokens/{}/revoke", t.id)),
                    },
                ]
            })
            .collect(),
        empty: tx(lang, "none").into(),
    });
    tokens.form = Some(Form::post("/me/tokens", &v.csrf, tx(lang, "create"), vec![Field::new("text", "name", tx(lang, "name"), "").required()]));
    p.panels.push(tokens);
    let mut pw = Panel::titled(tx(lang, "password"));
    pw.folded = true;
    pw.form = Some(Form::post(
        "/me/password",
        &v.csrf,
        tx(lang, "save"),
        vec![
            Field::new("password", "old", tx(lang, "password"), "").required(),
            Field::new("password", "new", format!("{} ({})", tx(lang, "password"), tx(lang, "create")), "").required(),
        ],
    ));
    p.panels.push(pw);
    Ok(p.render())
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn create_token(State(state): State<AppState>, v: Viewer, FormData(f): FormData<NameForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let a = v.user()?;
        let token = format!("lx_{}", auth::random_token());
        users::create_token(&state.store, a.user_id, &f.name, &auth::sha256_hex(&token), &v.change(&state)?).await?;
        me_page(&state, &v, Some(token)).await
    }
    .await;
    page(&v, r)
}

pub async fn revoke_token(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<CsrfOnly>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let a = v.user()?;
        users::revoke_token(&state.store, a.user_id, id, &v.change(&state)?).await?;
        Ok(see_other("/me"))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    old: String,
    #[serde(default)]
    new: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn change_password(State(state): State<AppState>, v: Viewer, FormData(f): FormData<PasswordForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let a = v.user()?;
        let u = users::by_id(&state.store, a.user_id).await?;
        if !auth::verify_password(&u.password_hash, &f.old).await {
            return Err(WebError::Invalid(vec![lianxin_domain::FieldError::new("old", "wrong", "原密码不正确", "the current password is wrong")]));
        }
        auth::check_password(&f.new).map_err(|e| WebError::Invalid(vec![e]))?;
        let h = auth::hash_password(&state, &f.new).await?;
        users::set_password(&state.store, u.id, &h, &v.change(&state)?).await?;
        Ok(see_other("/login"))
    }
    .await;
    page(&v, r)
}

/// Administrators: the users and their roles.
pub async fn users(State(state): State<AppState>, v: Viewer) -> Response {
    let r = async {
        v.require_somewhere(Permission::ManageUsers)?;
        let lang = v.lang;
        let mut p = Page::new(Ctx::new(&v, "/admin/users", "users"), tx(lang, "users"));
        let all = users::list(&state.store).await?;
        let mut rows = Vec::new();
        for u in &all {
            let gs = users::grants(&state.store, u.id).await?;
            let roles = gs
                .iter()
                .map(|g| format!("{}({})", label::<Role>(lang, &g.role), g.scope_name.clone().unwrap_or_else(|| tx(lang, "all").into())))
                .collect::<Vec<_>>()
                .join("、");
            rows.push(vec![Cell::text(&u.username), Cell::text(&u.display_name), Cell::text(roles), Cell::text(u.id.to_string())]);
        }
        let mut list = Panel::default();
        list.table = Some(Table {
            headers: vec![tx(lang, "username").into(), tx(lang, "display_name").into(), tx(lang, "role").into(), "ID".into()],
            rows,
            empty: tx(lang, "none").into(),
        });
        p.panels.push(list);
        let mut new = Panel::titled(tx(lang, "new_user"));
        new.form = Some(Form::post(
            "/admin/users",
            &v.csrf,
            tx(lang, "create"),
            vec![
                Field::new("text", "username", tx(lang, "username"), "").required(),
                Field::new("text", "display_name", tx(lang, "display_name"), "").required(),
                Field::new("password", "password", tx(lang, "password"), "").required(),
                Field::new("number", "person_id", tx(lang, "person_id"), ""),
            ],
        ));
        p.panels.push(new);
        let mut grant = Panel::titled(tx(lang, "grant"));
        grant.form = Some(Form::post(
            "/admin/users/0/grants",
            &v.csrf,
            tx(lang, "grant"),
            vec![
                Field::new("number", "user_id", "ID", "").required(),
                Field::select("role", tx(lang, "role"), "", crate::view::options::<Role>(lang, None)),
                Field::new("number", "scope_org_id", tx(lang, "scope"), "").hint("组织编号 / organisation id"),
                Field::new("number", "body_id", tx(lang, "bodies"), ""),
            ],
        ));
        p.panels.push(grant);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    person_id: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn create_user(State(state): State<AppState>, v: Viewer, FormData(f): FormData<NewUserForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        v.require_somewhere(Permission::ManageUsers)?;
        auth::check_password(&f.password).map_err(|e| WebError::Invalid(vec![e]))?;
        let person_id = super::opt_id(&f.person_id);
        let tenant = match person_id {
            Some(pid) => Some(lianxin_store::people::get(&state.store, pid).await?.tenant_id),
            None => None,
        };
        let hash = auth::hash_password(&state, &f.password).await?;
        users::create(
            &state.store,
            &users::NewUser { username: f.username, display_name: f.display_name, password_hash: hash, tenant_id: tenant, person_id },
            &v.change(&state)?,
        )
        .await?;
        Ok(see_other("/admin/users"))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope_org_id: Option<String>,
    #[serde(default)]
    body_id: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn add_grant(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<GrantForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        v.require_somewhere(Permission::ManageUsers)?;
        let user_id = if id > 0 { id } else { super::opt_id(&f.user_id).ok_or(WebError::NotFound)? };
        users::by_id(&state.store, user_id).await?;
        let role = Role::from_code(&f.role)
            .ok_or_else(|| WebError::Invalid(vec![lianxin_domain::FieldError::new("role", "bad_choice", "请选择角色", "choose a role")]))?;
        users::grant(&state.store, user_id, role, super::opt_id(&f.scope_org_id), super::opt_id(&f.body_id), &v.change(&state)?).await?;
        Ok(see_other("/admin/users"))
    }
    .await;
    page(&v, r)
}
