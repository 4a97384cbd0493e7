//! HTTP integration tests: the whole application in-process (tower `oneshot`) and through a
//! real socket, on SQLite and on PostgreSQL, with the demo's town and county.

#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use lianxin_store::db::{q, RowExt};
use lianxin_store::testkit::TestDb;
use lianxin_store::{audit, demo, users, Change, Store};
use lianxin_web::clock::FixedClock;
use lianxin_web::{AppState, Config};
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

const NOW: i64 = 1_795_000_000_000; // 2026-11-18

struct App {
    router: Router,
    state: AppState,
    /// The server's clock, moved on where a scenario needs days to pass.
    clock: Arc<FixedClock>,
    /// username → (session token, csrf token, api token)
    who: std::collections::HashMap<String, (String, String, String)>,
    ids: Ids,
}

#[derive(Default, Debug)]
struct Ids {
    town_root: i64,
    county_root: i64,
    xisa_org: i64,
    town_body: i64,
    county_body: i64,
    xisa_body: i64,
    town_term: i64,
    county_term: i64,
    town_branch: i64,
    town_person: i64,
    county_person: i64,
    town_delegate: i64,
    county_delegate: i64,
    xisa_delegate: i64,
    unit_org: i64,
}

async fn one(store: &Store, sql: &'static str, arg: i64) -> i64 {
    q(sql, [arg.into()]).fetch_one(&store.pool).await.unwrap().i("id")
}

async fn app(db: &TestDb) -> App {
    let store = db.store.clone();
    let change = Change::new(None, "测试", NOW);
    demo::build(&store, &change, &|_| {}).await.unwrap();
    let config = Config { argon2_m_kib: 64, argon2_t: 1, login_attempts_per_ip: 1000, max_upload_bytes: 2 * 1024 * 1024, ..Config::default() };
    let logins = lianxin_web::setup::demo_users(&store, &change, 64, 1).await.unwrap();
    let mut who = std::collections::HashMap::new();
    for l in &logins {
        let u = users::by_name(&store, l.username).await.unwrap().unwrap();
        let (tok, csrf, api) = (format!("s-{}", l.username), format!("c-{}", l.username), format!("a-{}", l.username));
        // a week, so scenarios that move the clock on by days stay signed in
        users::create_session(&store, &lianxin_web::auth::sha256_hex(&tok), u.id, &csrf, NOW, 7 * 86_400_000).await.unwrap();
        users::create_token(&store, u.id, "test", &lianxin_web::auth::sha256_hex(&api), &change).await.unwrap();
        who.insert(l.username.to_string(), (tok, csrf, api));
    }
    let mut ids = Ids { town_root: demo::TOWN_ID, county_root: demo::COUNTY_ID, xisa_org: demo::COUNTY_ID + 1, ..Default::default() };
    ids.town_body = one(&store, "SELECT id FROM bodies WHERE org_id = $1", ids.town_root).await;
    ids.county_body = one(&store, "SELECT id FROM bodies WHERE org_id = $1", ids.county_root).await;
    ids.xisa_body = one(&store, "SELECT id FROM bodies WHERE org_id = $1", ids.xisa_org).await;
    ids.town_term = one(&store, "SELECT id FROM terms WHERE body_id = $1", ids.town_body).await;
    ids.county_term = one(&store, "SELECT id FROM terms WHERE body_id = $1", ids.county_body).await;
    ids.town_branch = one(&store, "SELECT MIN(id) AS id FROM orgs WHERE parent_id = $1 AND kind = 'branch'", ids.town_root).await;
    ids.town_person = one(&store, "SELECT MIN(id) AS id FROM people WHERE org_id = $1", ids.town_branch).await;
    ids.county_person = one(&store, "SELECT MIN(id) AS id FROM people WHERE tenant_id = $1", ids.county_root).await;
    ids.town_delegate = one(&store, "SELECT MIN(id) AS id FROM delegates WHERE term_id = $1", ids.town_term).await;
    ids.county_delegate = one(&store, "SELECT MIN(id) AS id FROM delegates WHERE term_id = $1", ids.county_term).await;
    let xisa_term =
        q("SELECT id FROM terms WHERE body_id = $1 ORDER BY number DESC", [ids.xisa_body.into()]).fetch_one(&store.pool).await.unwrap().i("id");
    ids.xisa_delegate = one(&store, "SELECT MIN(id) AS id FROM delegates WHERE term_id = $1", xisa_term).await;
    ids.unit_org = one(&store, "SELECT MIN(id) AS id FROM orgs WHERE tenant_id = $1 AND kind = 'unit'", ids.town_root).await;
    let clock = Arc::new(FixedClock::new(NOW));
    let state = AppState::new(store, config, clock.clone());
    App { router: lianxin_web::app(state.clone()), state, clock, who, ids }
}

struct Resp {
    status: StatusCode,
    location: String,
    body: String,
    content_type: String,
}

impl App {
    async fn send(&self, req: Request<Body>) -> Resp {
        let r = self.router.clone().oneshot(req).await.unwrap();
        let status = r.status();
        let location = r.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let content_type = r.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let bytes = r.into_body().collect().await.unwrap().to_bytes();
        Resp { status, location, body: String::from_utf8_lossy(&bytes).into_owned(), content_type }
    }
    fn cookie(&self, user: Option<&str>) -> String {
        user.map(|u| format!("lx_session={}", self.who[u].0)).unwrap_or_default()
    }
    async fn get(&self, user: Option<&str>, uri: &str) -> Resp {
        self.send(Request::get(uri).header(header::COOKIE, self.cookie(user)).body(Body::empty()).unwrap()).await
    }
    async fn post_form(&self, user: Option<&str>, uri: &str, form: &str) -> Resp {
        let csrf = user.map(|u| self.who[u].1.clone()).unwrap_or_default();
        let body = if form.is_empty() { format!("_csrf={csrf}") } else { format!("{form}&_csrf={csrf}") };
        self.send(
            Request::post(uri)
                .header(header::COOKIE, self.cookie(user))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
    async fn api(&self, user: Option<&str>, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(u) = user {
            b = b.header(header::AUTHORIZATION, format!("Bearer {}", self.who[u].2));
        }
        let req = match body {
            Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())).unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        let r = self.send(req).await;
        (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
    }
}

/// Runs a scenario on SQLite and on PostgreSQL.
macro_rules! both {
    ($name:ident, $scenario:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = lianxin_store::testkit::TestDb::sqlite().await;
                let app = super::app(&db).await;
                super::$scenario(&app).await;
                db.drop_db().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = lianxin_store::testkit::TestDb::postgres().await else { return };
                let app = super::app(&db).await;
                super::$scenario(&app).await;
                db.drop_db().await;
            }
        }
    };
}

const ROLES: [&str; 8] = ["admin", "office", "county", "committee", "delegate", "xisa.delegate", "unit", "anonymous"];

/// Every role against every page and API route: allowed (1) or denied (0). Denied pages
/// answer 403 (a signed-in user) or send to the sign-in page (anonymous); the API answers
/// 403 or 401.
async fn authorization_matrix(app: &App) {
    let i = &app.ids;
    //                                                   admin office county cttee deleg xisa unit anon
    let pages: Vec<(String, [u8; 8])> = vec![
        (format!("/orgs/{}", i.town_root), [1, 1, 0, 1, 1, 0, 0, 0]),
        (format!("/orgs/{}", i.county_root), [1, 0, 1, 0, 0, 0, 0, 0]),
        (format!("/orgs/{}", i.xisa_org), [1, 0, 1, 0, 0, 1, 0, 0]),
        (format!("/orgs/{}", i.unit_org), [1, 1, 0, 1, 1, 0, 1, 0]),
        (format!("/people?org={}", i.town_root), [1, 1, 0, 1, 0, 0, 0, 0]),
        (format!("/people?org={}", i.county_root), [1, 0, 1, 0, 0, 0, 0, 0]),
        (format!("/people/{}", i.town_person), [1, 1, 0, 1, 0, 0, 0, 0]),
        (format!("/people/{}", i.county_person), [1, 0, 1, 0, 0, 0, 0, 0]),
        (format!("/people/{}/edit", i.town_person), [1, 1, 0, 0, 0, 0, 0, 0]),
        (format!("/bodies/{}", i.town_body), [1, 1, 0, 1, 1, 0, 0, 0]),
        (format!("/bodies/{}", i.county_body), [1, 0, 1, 0, 0, 0, 0, 0]),
        (format!("/bodies/{}", i.xisa_body), [1, 0, 1, 0, 0, 1, 0, 0]),
        (format!("/bodies/{}/delegates", i.town_body), [1, 1, 0, 1, 1, 0, 0, 0]),
        (format!("/bodies/{}/delegates?format=xlsx", i.county_body), [1, 0, 1, 0, 0, 0, 0, 0]),
        (format!("/bodies/{}/composition", i.town_body), [1, 1, 0, 1, 0, 0, 0, 0]),
        (format!("/bodies/{}/coverage", i.county_body), [1, 0, 1, 0, 0, 0, 0, 0]),
        (format!("/delegates/{}", i.town_delegate), [1, 1, 0, 1, 1, 0, 0, 0]),
        (format!("/delegates/{}", i.county_delegate), [1, 0, 1, 0, 0, 0, 0, 0]),
        (format!("/delegates/{}", i.xisa_delegate), [1, 0, 1, 0, 0, 1, 0, 0]),
        ("/audit".to_string(), [1, 1, 1, 0, 0, 0, 0, 0]),
        ("/import".to_string(), [1, 1, 1, 0, 0, 0, 0, 0]),
        ("/admin/users".to_string(), [1, 0, 0, 0, 0, 0, 0, 0]),
        ("/me".to_string(), [1, 1, 1, 1, 1, 1, 1, 0]),
        ("/notices".to_string(), [1, 1, 1, 1, 1, 1, 1, 0]),
        (format!("/bodies/{}/activities", i.town_body), [1, 1, 0, 1, 1, 0, 0, 0]),
        (format!("/bodies/{}/activities/new", i.town_body), [1, 1, 0, 0, 1, 0, 0, 0]),
        (format!("/bodies/{}/elections", i.town_body), [1, 1, 0, 1, 1, 0, 0, 0]),
        (format!("/bodies/{}/appraisals", i.town_body), [1, 1, 0, 1, 0, 0, 0, 0]),
        (format!("/bodies/{}/elections", i.county_body), [1, 0, 1, 0, 0, 0, 0, 0]),
        (format!("/bodies/{}/duty", i.town_body), [1, 1, 0, 1, 0, 0, 0, 0]),
        (format!("/bodies/{}/cards", i.town_body), [1, 1, 0, 0, 0, 0, 0, 0]),
        (format!("/bodies/{}/evaluation", i.town_body), [1, 1, 0, 1, 0, 0, 0, 0]),
        ("/public/evaluate".to_string(), [1, 1, 1, 1, 1, 1, 1, 1]),
        (format!("/public/delegates/{}", i.town_delegate), [1, 1, 1, 1, 1, 1, 1, 1]),
        (format!("/bodies/{}/duty/rules", i.county_body), [1, 0, 1, 0, 0, 0, 0, 0]),
        (format!("/bodies/{}/proposals", i.town_body), [1, 1, 0, 1, 1, 0, 1, 0]),
        (format!("/bodies/{}/proposals/stats", i.town_body), [1, 1, 0, 1, 0, 0, 0, 0]),
        (format!("/orgs/{}/proposals/stats", i.county_root), [1, 0, 1, 0, 0, 0, 0, 0]),
        (format!("/orgs/{}/duty?from=2025&to=2026", i.county_root), [1, 0, 1, 0, 0, 0, 0, 0]),
    ];
    for (uri, expect) in &pages {
        for (k, role) in ROLES.iter().enumerate() {
            let user = (*role != "anonymous").then_some(*role);
            let r = app.get(user, uri).await;
            let allowed = r.status == StatusCode::OK;
            if expect[k] == 1 {
                assert!(allowed, "{role} should open {uri}, got {} {}", r.status, &r.body.chars().take(300).collect::<String>());
            } else if user.is_none() {
                assert!(r.status == StatusCode::SEE_OTHER && r.location == "/login", "anonymous at {uri}: {} {}", r.status, r.location);
            } else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{role} must not open {uri}");
            }
        }
    }
    let apis: Vec<(String, [u8; 8])> = vec![
        ("/api/v1/notices".to_string(), [1, 1, 1, 1, 1, 1, 1, 0]),
        (format!("/api/v1/people/{}", i.town_person), [1, 1, 0, 1, 0, 0, 0, 0]),
        (format!("/api/v1/people/{}", i.county_person), [1, 0, 1, 0, 0, 0, 0, 0]),
        (format!("/api/v1/people?org={}", i.county_root), [1, 0, 1, 0, 0, 0, 0, 0]),
        (format!("/api/v1/terms/{}/delegates", i.town_term), [1, 1, 0, 1, 1, 0, 0, 0]),
        (format!("/api/v1/terms/{}/coverage", i.county_term), [1, 0, 1, 0, 0, 0, 0, 0]),
        (format!("/api/v1/terms/{}/composition", i.town_term), [1, 1, 0, 1, 0, 0, 0, 0]),
        (format!("/api/v1/orgs/{}", i.xisa_org), [1, 0, 1, 0, 0, 1, 0, 0]),
        (format!("/api/v1/delegates/{}", i.town_delegate), [1, 1, 0, 1, 1, 0, 0, 0]),
        ("/api/v1/audit".to_string(), [1, 1, 1, 0, 0, 0, 0, 0]),
        (format!("/api/v1/bodies/{}/proposals", i.town_body), [1, 1, 0, 1, 1, 0, 1, 0]),
        (format!("/api/v1/bodies/{}/proposals/stats", i.town_body), [1, 1, 0, 1, 0, 0, 0, 0]),
        (format!("/api/v1/bodies/{}/proposals/stats", i.county_body), [1, 0, 1, 0, 0, 0, 0, 0]),
        ("/api/v1/audit/verify".to_string(), [1, 0, 0, 0, 0, 0, 0, 0]),
        (format!("/api/v1/bodies/{}/elections", i.town_body), [1, 1, 0, 1, 1, 0, 0, 0]),
    ];
    for (uri, expect) in &apis {
        for (k, role) in ROLES.iter().enumerate() {
            let user = (*role != "anonymous").then_some(*role);
            let (status, body) = app.api(user, "GET", uri, None).await;
            let want = if expect[k] == 1 {
                StatusCode::OK
            } else if user.is_none() {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(status, want, "{role} GET {uri}: {body}");
            if status != StatusCode::OK {
                assert_eq!(body["status"], want.as_u16(), "a problem document");
            }
        }
    }
    // writes: creating a person in a town branch, by API token
    for (k, role) in ROLES.iter().enumerate() {
        let user = (*role != "anonymous").then_some(*role);
        let body =
            serde_json::json!({"name": format!("测试{k}"), "gender": "女", "org_id": i.town_branch, "kind": "member", "birth_date": "1990-01-02"});
        let (status, _) = app.api(user, "POST", "/api/v1/people", Some(body)).await;
        let want = match *role {
            "admin" | "office" => StatusCode::OK,
            "anonymous" => StatusCode::UNAUTHORIZED,
            _ => StatusCode::FORBIDDEN,
        };
        assert_eq!(status, want, "{role} creating a person");
    }
    // forms: a sub-organisation, and a qualification change in another town's congress
    for (k, role) in ROLES.iter().enumerate() {
        let user = (*role != "anonymous").then_some(*role);
        let r = app.post_form(user, &format!("/orgs/{}/children", i.town_root), &format!("name=新支部{k}&kind=branch&category=rural")).await;
        let ok = r.status == StatusCode::SEE_OTHER && r.location.starts_with("/orgs/");
        assert_eq!(ok, matches!(*role, "admin" | "office"), "{role} creating an organisation: {}", r.status);
        // the first allowed role terminates; the next allowed one gets a conflict, not a refusal
        let r = app.post_form(user, &format!("/delegates/{}/qualification", i.county_delegate), "reason=death&decided_on=2026-11-01").await;
        let let_in = r.status == StatusCode::SEE_OTHER || r.status == StatusCode::CONFLICT;
        assert_eq!(let_in, matches!(*role, "admin" | "county"), "{role} changing a county delegate: {}", r.status);
    }
}

/// Forms need the session's CSRF token; foreign origins are refused before anything runs.
async fn csrf_and_origin(app: &App) {
    let i = &app.ids;
    let before = q("SELECT COUNT(*) AS n FROM orgs", []).fetch_one(&app.state.store.pool).await.unwrap().i("n");
    let cookie = app.cookie(Some("office"));
    let send = |body: String, origin: Option<&str>| {
        let mut b = Request::post(format!("/orgs/{}/children", i.town_root))
            .header(header::COOKIE, cookie.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o).header(header::HOST, "127.0.0.1:8080");
        }
        b.body(Body::from(body)).unwrap()
    };
    assert_eq!(app.send(send("name=甲&kind=branch&category=rural".into(), None)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.send(send("name=甲&kind=branch&category=rural&_csrf=wrong".into(), None)).await.status, StatusCode::FORBIDDEN);
    let good = format!("name=甲&kind=branch&category=rural&_csrf={}", app.who["office"].1);
    assert_eq!(app.send(send(good.clone(), Some("http://evil.example"))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(q("SELECT COUNT(*) AS n FROM orgs", []).fetch_one(&app.state.store.pool).await.unwrap().i("n"), before);
    assert_eq!(app.send(send(good, Some("http://127.0.0.1:8080"))).await.status, StatusCode::SEE_OTHER);
    // the API with a session cookie needs the header token; with a bearer token it does not
    let req = Request::post("/api/v1/orgs")
        .header(header::COOKIE, cookie.clone())
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(format!("{{\"name\":\"乙\",\"kind\":\"branch\",\"category\":\"rural\",\"parent_id\":{}}}", i.town_root)))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN);
}

/// Bad input: clear messages in Chinese (or English), next to the field, nothing written.
async fn validation_and_problems(app: &App) {
    let i = &app.ids;
    let count = || async { q("SELECT COUNT(*) AS n FROM people", []).fetch_one(&app.state.store.pool).await.unwrap().i("n") };
    let before = count().await;
    let r = app.post_form(Some("office"), "/people", &format!("name=&gender=X&phone=123&org_id={}&kind=member", i.town_branch)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("姓名不能为空"), "inline message");
    assert!(r.body.contains("联系电话格式不正确"));
    assert_eq!(count().await, before);
    let (status, body) = app
        .api(
            Some("office"),
            "POST",
            "/api/v1/people",
            Some(serde_json::json!({"name": "", "org_id": i.town_branch, "gender": "男", "id_number": "123"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "invalid");
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "id_number"]);
    let (status, body) = app.api(Some("office"), "POST", "/api/v1/people", Some(serde_json::json!({"name": 5}))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")));
    let (status, _) = app.api(Some("office"), "GET", "/api/v1/nowhere", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // a person of another tree by a guessed id is not there for this office
    let (status, _) = app
        .api(
            Some("office"),
            "PUT",
            &format!("/api/v1/people/{}", i.county_person),
            Some(serde_json::json!({"name": "改", "gender": "男", "org_id": i.town_branch})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(count().await, before);
    // the English switch
    let r = app
        .send(
            Request::get(format!("/people/new?org={}", i.town_branch))
                .header(header::COOKIE, format!("{}; lx_lang=en", app.cookie(Some("office"))))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(r.body.contains("ID number") && r.body.contains("lang=\"en\""));
    // the ID number is never shown in full
    let p = lianxin_store::people::get(&app.state.store, i.town_person).await.unwrap();
    let full = p.id_number.unwrap();
    let r = app.get(Some("office"), &format!("/people/{}", i.town_person)).await;
    assert!(!r.body.contains(&full) && r.body.contains(&full[..6]));
    let (_, body) = app.api(Some("office"), "GET", &format!("/api/v1/people/{}", i.town_person), None).await;
    assert!(!body.to_string().contains(&full));
}

/// The office's journey: a qualification change leaves a vacancy, a by-election fills it,
/// the audit log records both, and the lists and exports follow.
async fn office_journey(app: &App) {
    let i = &app.ids;
    let r = app
        .post_form(Some("office"), &format!("/delegates/{}/qualification", i.town_delegate), "reason=transferred_out&decided_on=2026-10-01&note=调离")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (_, body) = app.api(Some("office"), "GET", &format!("/api/v1/terms/{}/delegates?vacant=true", i.town_term), None).await;
    let vacant: Vec<i64> = body["items"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
    assert!(vacant.contains(&i.town_delegate), "{vacant:?}");
    // a lighter sanction is refused with the rule named
    let d2 = q("SELECT MAX(id) AS id FROM delegates WHERE term_id = $1 AND status = 'active'", [i.town_term.into()])
        .fetch_one(&app.state.store.pool)
        .await
        .unwrap()
        .i("id");
    let (status, body) = app
        .api(
            Some("office"),
            "POST",
            &format!("/api/v1/delegates/{d2}/qualification"),
            Some(serde_json::json!({"reason": "sanction_warning", "decided_on": "2026-10-01"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["detail"].as_str().unwrap().contains("R-J6"));
    // the audit shows the change with before and after
    let (_, body) = app.api(Some("office"), "GET", &format!("/api/v1/audit?entity=delegate&entity_id={}", i.town_delegate), None).await;
    assert_eq!(body["items"][0]["action"], "qualification");
    let (_, v) = app.api(Some("admin"), "GET", "/api/v1/audit/verify", None).await;
    assert_eq!(v["ok"], true);
    // exports are real workbooks
    let r = app.get(Some("office"), &format!("/bodies/{}/delegates?format=xlsx", i.town_body)).await;
    assert!(r.content_type.contains("spreadsheetml"));
    let r = app.get(Some("office"), &format!("/people?org={}&format=xlsx", i.town_root)).await;
    assert_eq!(r.status, StatusCode::OK);
    // filters and pagination
    let r = app.get(Some("office"), &format!("/bodies/{}/delegates?status=active&category=farmer", i.town_body)).await;
    assert!(r.body.contains("<td>农民</td>") && !r.body.contains("<td>领导干部</td>"));
    let r = app.get(Some("office"), &format!("/people?org={}&page=3", i.town_root)).await;
    assert!(r.body.contains("第 3 /"));
    // the composition table of seed 001 for the county, through the API
    let (_, c) = app.api(Some("county"), "GET", &format!("/api/v1/terms/{}/composition?on=2026-11-01", i.county_term), None).await;
    assert_eq!(c["total"], 306);
    let openapi = app.get(None, "/api/v1/openapi.json").await;
    assert!(openapi.body.contains("\"/terms/{id}/coverage\""));
}

/// Import: a file with one bad row changes nothing and names the row; the good file
/// imports; importing it again updates and does not duplicate.
async fn import_round_trip(app: &App) {
    use lianxin_web::excel::write_sheets;
    let i = &app.ids;
    let sheet = |rows: Vec<Vec<&str>>| -> Vec<Vec<String>> { rows.into_iter().map(|r| r.into_iter().map(String::from).collect()).collect() };
    let orgs = (
        "组织".to_string(),
        sheet(vec![vec!["组织代码", "组织名称", "上级组织代码", "组织类别", "组织类型"]]).remove(0),
        sheet(vec![vec!["T-01", "测试村党支部", "", "党支部", "农村"]]),
    );
    let people_rows = |second_phone: &str| {
        let mut rows = sheet(vec![
            vec!["张测试", "男", "1980-01-02", "汉族", "高中/中专", "农民", "13800000001", "", "正式党员", "2005-07-01", "", "T-01"],
            vec!["王测试", "女", "1985-03-04", "苗", "本科", "教师", "13800000002", "", "群众", "", "", "T-01"],
        ]);
        rows[1][6] = second_phone.to_string();
        rows
    };
    let header: Vec<String> =
        ["姓名", "性别", "出生日期", "民族", "学历", "职业", "联系电话", "住址", "人员类别", "入党日期", "身份证号", "所属组织代码"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    let links = (
        "联系".to_string(),
        ["类别", "届次", "联系人身份证号", "联系人姓名", "联系人组织代码", "被联系人身份证号", "被联系人姓名", "被联系人组织代码", "开始日期"]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
        sheet(vec![vec!["党员联系群众", "", "", "张测试", "T-01", "", "王测试", "T-01", "2026-01-01"]]),
    );
    let upload = |bytes: Vec<u8>| {
        let boundary = "XBOUNDARYX";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n", app.who["office"].1).as_bytes(),
        );
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"名册.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        Request::post("/import")
            .header(header::COOKIE, app.cookie(Some("office")))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap()
    };
    let count =
        || async { q("SELECT COUNT(*) AS n FROM people WHERE name LIKE '%测试'", []).fetch_one(&app.state.store.pool).await.unwrap().i("n") };
    let bad = write_sheets(&[orgs.clone(), ("人员".into(), header.clone(), people_rows("12345")), links.clone()]).unwrap();
    let r = app.send(upload(bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("联系电话格式不正确") && r.body.contains(">3<"), "the bad row is named");
    assert_eq!(count().await, 0);
    let good = write_sheets(&[orgs.clone(), ("人员".into(), header.clone(), people_rows("13800000002")), links.clone()]).unwrap();
    let r = app.send(upload(good.clone())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(count().await, 2);
    let r = app.send(upload(good)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(count().await, 2, "re-import updates");
    let links_n = q("SELECT COUNT(*) AS n FROM liaison_links WHERE kind = 'member_resident' AND starts_on = '2026-01-01'", [])
        .fetch_one(&app.state.store.pool)
        .await
        .unwrap()
        .i("n");
    assert_eq!(links_n, 1);
    // malformed files are refused cleanly
    let r = app.send(upload(b"not a workbook".to_vec())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let _ = i;
}

/// Seed 001's journey for one proposal: two delegates draft and co-sign, the office accepts
/// and assigns, the unit replies, the proposer is unsatisfied, the unit handles it again,
/// it closes, and the statistics count it. Each step is refused to those it does not belong to.
/// A file upload as a browser sends it (multipart, with the user's CSRF token).
fn file_post(app: &App, user: &str, url: &str, name: &str, bytes: &[u8]) -> Request<Body> {
    let boundary = "XFILEX";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n", app.who[user].1).as_bytes());
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post(url)
        .header(header::COOKIE, app.cookie(Some(user)))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap()
}

async fn proposal_journey(app: &App) {
    let i = &app.ids;
    let store = &app.state.store;
    // a second delegate of the town signs in too
    let d2 = q("SELECT person_id FROM delegates WHERE term_id = $1 AND status = 'active' ORDER BY id DESC LIMIT 1", [i.town_term.into()])
        .fetch_one(&store.pool)
        .await
        .unwrap()
        .i("person_id");
    let d2_delegate = q("SELECT id FROM delegates WHERE term_id = $1 AND person_id = $2", [i.town_term.into(), d2.into()])
        .fetch_one(&store.pool)
        .await
        .unwrap()
        .i("id");

    let town_body = lianxin_store::congress::body(store, i.town_body).await.unwrap();
    let before = lianxin_store::proposals::stats(store, &town_body, &lianxin_store::proposals::Period::year(None), 0).await.unwrap();

    // draft, with a script tag in the title that must come back escaped
    let r = app.post_form(Some("delegate"), &format!("/bodies/{}/proposals", i.town_body), "kind=proposal&title=修缮下楣桥李家组水渠<script>x</script>&category=infrastructure&reason=水渠年久失修&grounds=李家组30户灌溉受影响&solution=申请专项资金修缮").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let pid: i64 = r.location.trim_start_matches("/proposals/").parse().unwrap();
    let page = app.get(Some("delegate"), &r.location).await;
    assert!(page.body.contains("&#60;script&#62;") && !page.body.contains("<script>x"), "escaped");
    // a file on the draft: the right type only, readable by those who read the proposal
    let upload = |user: &str, name: &str, bytes: &[u8]| file_post(app, user, &format!("/proposals/{pid}/attachments"), name, bytes);
    assert_eq!(app.send(upload("delegate", "现场.pdf", b"not really a pdf")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.send(upload("xisa.delegate", "a.txt", b"x")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.send(upload("delegate", "调研记录.txt", "李家组三十户".as_bytes())).await.status, StatusCode::SEE_OTHER);
    let page = app.get(Some("delegate"), &r.location).await;
    let link = page.body.split(&format!("/proposals/{pid}/attachments/")).nth(1).and_then(|s| s.split('"').next()).unwrap().to_string();
    let file = app.get(Some("delegate"), &format!("/proposals/{pid}/attachments/{link}")).await;
    assert_eq!((file.status, file.body.as_str()), (StatusCode::OK, "李家组三十户"));
    assert_eq!(app.get(Some("xisa.delegate"), &format!("/proposals/{pid}/attachments/{link}")).await.status, StatusCode::FORBIDDEN);
    // the unit cannot see it yet; a delegate of another town cannot either
    assert_eq!(app.get(Some("unit"), &r.location).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(Some("xisa.delegate"), &r.location).await.status, StatusCode::FORBIDDEN);
    // alone, and out of session, it cannot be submitted (R-J4, R-J5)
    let act = |user: &'static str, form: &'static str| async move { app.post_form(Some(user), &format!("/proposals/{pid}/act"), form).await };
    assert_eq!(act("delegate", "action=submit").await.status, StatusCode::CONFLICT);
    assert_eq!(
        app.post_form(Some("delegate"), &format!("/proposals/{pid}/invite"), &format!("delegate_id={d2_delegate}")).await.status,
        StatusCode::SEE_OTHER
    );
    let u2 = users::by_name(store, "delegate2").await.unwrap().unwrap();
    assert_eq!(u2.person_id, Some(d2), "the demo's second delegate");
    let r2 = app.post_form(Some("delegate2"), &format!("/proposals/{pid}/answer"), "answer=confirm").await;
    assert_eq!(r2.status, StatusCode::SEE_OTHER, "{}", r2.body);
    assert_eq!(act("delegate", "action=submit").await.status, StatusCode::CONFLICT, "the congress is in recess");
    let r = app
        .post_form(
            Some("office"),
            &format!("/bodies/{}", i.town_body),
            "name=中共郴江镇代表大会&kind=party_congress&term_years=5&min_members_per_delegate=3&youth_age_max=35&session_open=1",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // only the proposer submits; twice is refused
    assert_eq!(act("delegate2", "action=submit").await.status, StatusCode::FORBIDDEN);
    assert_eq!(act("delegate", "action=submit").await.status, StatusCode::SEE_OTHER);
    assert_eq!(act("delegate", "action=submit").await.status, StatusCode::CONFLICT);
    // the office reviews and assigns; a delegate cannot
    assert_eq!(act("delegate", "action=accept").await.status, StatusCode::FORBIDDEN);
    assert_eq!(act("office", "action=accept").await.status, StatusCode::SEE_OTHER);
    let r =
        app.post_form(Some("office"), &format!("/proposals/{pid}/act"), &format!("action=assign&lead_unit={}&deadline_days=60", i.unit_org)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // the unit now sees it in its inbox, and a delegate cannot reply for it
    let inbox = app.get(Some("unit"), "/proposals").await;
    assert!(inbox.status == StatusCode::SEE_OTHER || inbox.status == StatusCode::OK);
    let list = app.get(Some("unit"), &format!("/bodies/{}/proposals", i.town_body)).await;
    assert!(list.body.contains("修缮下楣桥李家组水渠"), "in the unit's inbox");
    assert_eq!(act("delegate", "action=reply&result=solved&text=已修好").await.status, StatusCode::FORBIDDEN);
    assert_eq!(act("unit", "action=acknowledge").await.status, StatusCode::SEE_OTHER);
    assert_eq!(act("unit", "action=reply&result=solved&text=").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(act("unit", "action=reply&result=being_solved&text=已列入今年计划").await.status, StatusCode::SEE_OTHER);
    // R-M5: 不满意 sends it back, the second reply closes it
    assert_eq!(act("unit", "action=rate&satisfaction=satisfied").await.status, StatusCode::FORBIDDEN);
    assert_eq!(act("delegate", "action=rate&satisfaction=unsatisfied&text=仍未开工").await.status, StatusCode::SEE_OTHER);
    let p = lianxin_store::proposals::get(store, pid).await.unwrap();
    assert_eq!(p.status, "rehandling");
    assert_eq!(act("unit", "action=reply&result=solved&text=已完工").await.status, StatusCode::SEE_OTHER);
    assert_eq!(act("delegate", "action=rate&satisfaction=satisfied").await.status, StatusCode::SEE_OTHER);
    let p = lianxin_store::proposals::get(store, pid).await.unwrap();
    assert_eq!((p.status.as_str(), p.replies, p.number.is_some()), ("closed", 2, true));
    // the statistics count it, on time and satisfied
    let after = lianxin_store::proposals::stats(store, &town_body, &lianxin_store::proposals::Period::year(None), 0).await.unwrap();
    let closed = |s: &lianxin_store::proposals::Stats| s.by_status.iter().find(|x| x.0 == "closed").map(|x| x.1).unwrap_or(0);
    assert_eq!(
        (after.total, closed(&after), after.satisfied, after.on_time),
        (before.total + 1, closed(&before) + 1, before.satisfied + 1, before.on_time + 1)
    );
    let st = app.get(Some("office"), &format!("/bodies/{}/proposals/stats", i.town_body)).await;
    assert!(st.body.contains(&format!("共收到提案、建议{}件,已办结{}件", after.total, closed(&after))), "{}", &st.body[..st.body.len().min(3000)]);
    // the proposer was told of each step: the count in the navigation, the list, opening one
    let mine = app.get(Some("delegate"), "/notices").await;
    assert!(
        mine.body.contains("aria-current=\"page\">消息 3</a>") && mine.body.contains("》已答复,请评价") && !mine.body.contains("<script>x"),
        "{}",
        &mine.body[..mine.body.len().min(3000)]
    );
    let nid = mine.body.split("href=\"/notices/").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
    assert_eq!(app.get(Some("unit"), &format!("/notices/{nid}")).await.status, StatusCode::NOT_FOUND, "not the unit's");
    let opened = app.get(Some("delegate"), &format!("/notices/{nid}")).await;
    assert_eq!((opened.status, opened.location.starts_with("/proposals/")), (StatusCode::SEE_OTHER, true));
    let unit_notices = app.get(Some("unit"), "/notices").await;
    assert!(unit_notices.body.contains("修缮下楣桥李家组水渠&#60;script&#62;x&#60;/script&#62;》交由您办理"), "escaped like all text");
    let api = app.get(Some("delegate"), "/api/v1/notices").await;
    assert!(api.body.contains("\"kind\":\"replied\"") && api.body.contains("已答复,请评价"), "{}", api.body);
    assert_eq!(app.post_form(Some("delegate"), "/notices/read", "").await.status, StatusCode::SEE_OTHER);
    assert!(app.get(Some("delegate"), "/notices").await.body.contains("aria-current=\"page\">消息</a>"), "all read: no count");
    // per term (届): the proposal's own term counts it; an id that is not one of the body's terms is ignored
    let term = p.term_id;
    let per_term =
        lianxin_store::proposals::stats(store, &town_body, &lianxin_store::proposals::Period { year: None, term: Some(term) }, 0).await.unwrap();
    let st = app.get(Some("office"), &format!("/bodies/{}/proposals/stats?term={term}", i.town_body)).await;
    assert!(st.body.contains(&format!("共收到提案、建议{}件", per_term.total)) && st.body.contains(&format!("value=\"{term}\" selected")));
    let api = app.get(Some("office"), &format!("/api/v1/bodies/{}/proposals/stats?term={term}", i.town_body)).await;
    assert!(api.body.contains(&format!("\"total\":{}", per_term.total)), "{}", api.body);
    // full-text search over titles, parts and replies, with a highlighted excerpt
    let found = app.get(Some("office"), &format!("/bodies/{}/proposals?q={}", i.town_body, lianxin_web::view::qs("水渠 修缮"))).await;
    assert!(found.body.contains(&format!("/proposals/{pid}")) && found.body.contains("【"), "search finds it");
    let none = app.get(Some("office"), &format!("/bodies/{}/proposals?q={}", i.town_body, lianxin_web::view::qs("火箭发射"))).await;
    assert!(!none.body.contains(&format!("/proposals/{pid}")));
    // public only once the office says so; then readable without signing in
    assert_eq!(app.get(None, &format!("/public/proposals/{pid}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_form(Some("office"), &format!("/proposals/{pid}/flags"), "key=1&public=1").await.status, StatusCode::SEE_OTHER);
    let public = app.get(None, &format!("/public/proposals/{pid}")).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("已完工"), "the reply is public");
    let list = app.get(None, &format!("/public/bodies/{}/proposals", i.town_body)).await;
    assert!(list.body.contains(&format!("/public/proposals/{pid}")));
    // a 100 kB title is refused with a message and nothing is written
    let n_before = q("SELECT COUNT(*) AS n FROM proposals", []).fetch_one(&store.pool).await.unwrap().i("n");
    let huge = format!("kind=suggestion&title={}&category=other&reason=x", "题".repeat(34_000));
    let r = app.post_form(Some("delegate"), &format!("/bodies/{}/proposals", i.town_body), &huge).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("标题不能超过100个字"));
    assert_eq!(q("SELECT COUNT(*) AS n FROM proposals", []).fetch_one(&store.pool).await.unwrap().i("n"), n_before);
    // every step is in the audit chain
    assert!(lianxin_store::audit::verify(store).await.unwrap().is_ok());
}

both!(matrix, authorization_matrix);
both!(proposals, proposal_journey);
both!(csrf, csrf_and_origin);
both!(validation, validation_and_problems);
both!(journey, office_journey);
both!(import, import_round_trip);
both!(duty, duty_journey);
both!(requests, request_journey);
both!(evaluation, evaluation_journey);
both!(reception, reception_journey);
both!(meetings, meeting_journey);
both!(meeting_work, meeting_work_journey);
both!(elections, election_journey);

/// A delegate records an activity from the phone form; the office sets seed 002's rules,
/// sees who is behind, records for a group with ticked delegates; the duty file counts it.
async fn duty_journey(app: &App) {
    let i = &app.ids;
    let store = &app.state.store;
    let me = q(
        "SELECT d.id FROM delegates d JOIN users u ON u.person_id = d.person_id WHERE u.username = 'delegate' AND d.term_id = $1",
        [i.town_term.into()],
    )
    .fetch_one(&store.pool)
    .await
    .unwrap()
    .i("id");
    let count = || async { q("SELECT COUNT(*) AS n FROM activities", []).fetch_one(&store.pool).await.unwrap().i("n") };
    let before = count().await;
    let score = |body: &str| {
        body.split("<span>履职积分</span>").next().and_then(|b| b.rsplit("<b>").next()).and_then(|n| n.trim_end_matches("</b>").parse::<i64>().ok())
    };
    let file_url = format!("/delegates/{me}/duty?year=2026");
    let score0 = score(&app.get(Some("delegate"), &file_url).await.body).unwrap();
    let url = format!("/bodies/{}/activities", i.town_body);
    // bad input: a date in the future, a mediation without its outcome; nothing is written
    let r = app.post_form(Some("delegate"), &url, "kind=mediation&on=2030-01-01&summary=调解&place=").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("活动日期不能晚于今天") && r.body.contains("调解纠纷须填写调解结果"), "{}", r.body);
    assert_eq!(count().await, before);
    // a delegate records their own (whatever delegates the form claims)
    let r = app
        .post_form(
            Some("delegate"),
            &url,
            &format!("kind=stationed&on=2026-11-10&summary=驻点走访李家组&place=下楣桥村&served=15&delegates={}", i.town_delegate),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let a = lianxin_store::duty::list(
        store,
        &lianxin_store::congress::term(store, i.town_term).await.unwrap(),
        &Default::default(),
        lianxin_store::PageReq::new(None, None),
    )
    .await
    .unwrap()
    .items
    .remove(0);
    assert_eq!(a.delegates.iter().map(|d| d.0).collect::<Vec<_>>(), vec![me]);
    // another congress's delegate cannot record here
    assert_eq!(app.post_form(Some("xisa.delegate"), &url, "kind=visit&on=2026-11-10&summary=x").await.status, StatusCode::FORBIDDEN);
    // the office sets seed 002's rules and sees the board
    let rules = format!("/bodies/{}/duty/rules", i.town_body);
    assert_eq!(app.post_form(Some("office"), &format!("{rules}/preset"), "preset=nanhai").await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_form(Some("delegate"), &format!("{rules}/preset"), "preset=five_ones").await.status, StatusCode::FORBIDDEN);
    let bad = app.post_form(Some("office"), &rules, "subject=visit&applies_to=delegate&min=0&months=5&warn_days=14").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let board = app.get(Some("office"), &format!("/bodies/{}/duty", i.town_body)).await;
    assert!(
        board.body.contains("每名代表每2个月不少于1次驻点联系") && board.body.contains("需要提醒"),
        "{}",
        &board.body[..board.body.len().min(2000)]
    );
    let term = lianxin_store::congress::term(store, i.town_term).await.unwrap();
    let totals = lianxin_store::duty::totals(store, &term, "2026-01-01", "2026-12-31").await.unwrap();
    let stationed = totals.by_kind.iter().find(|k| k.0 == "stationed").map(|k| k.1).unwrap_or(0);
    assert!(stationed >= 1 && board.body.contains(&format!("驻点联系{stationed}次")), "the year's totals");
    // rolled up the tree: the town's one congress, its totals the same as on its board
    let up = app.get(Some("office"), &format!("/orgs/{}/duty?from=2026", i.town_root)).await;
    assert!(
        up.body.contains(&format!("驻点联系{stationed}次")) && up.body.contains("1个代表大会"),
        "{}",
        up.body.chars().take(3000).collect::<String>()
    );
    // the office records a group meeting with ticked delegates (repeated form fields)
    let g = q("SELECT id FROM delegate_groups WHERE term_id = $1 ORDER BY name LIMIT 1", [i.town_term.into()])
        .fetch_one(&store.pool)
        .await
        .unwrap()
        .i("id");
    let r = app
        .post_form(
            Some("office"),
            &url,
            &format!("kind=group_meeting&on=2026-11-12&summary=小组会议&group={g}&delegates={me}&delegates={}", i.town_delegate),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // the duty file: stationed 2 points + group meeting 1 point by default, on top of the demo's year
    let file = app.get(Some("delegate"), &file_url).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.contains("驻点走访李家组"), "{}", file.body.chars().take(3000).collect::<String>());
    assert_eq!(score(&file.body), Some(score0 + 3));
    let other = if i.town_delegate == me { i.county_delegate } else { i.town_delegate };
    assert_eq!(app.get(Some("delegate"), &format!("/delegates/{other}/duty")).await.status, StatusCode::FORBIDDEN, "not another's file");
    // removing: the delegate their own record; not the office's group record
    let mine = format!("/activities/{}/remove", a.id);
    assert_eq!(app.post_form(Some("delegate"), &mine, "").await.status, StatusCode::SEE_OTHER);
    assert_eq!(count().await, before + 2, "kept, marked removed");
    let file = app.get(Some("delegate"), &file_url).await;
    assert!(!file.body.contains("驻点走访李家组"));
    assert_eq!(score(&file.body), Some(score0 + 1), "a stationed activity is worth 2 points");
    assert!(audit::verify(store).await.unwrap().is_ok());
}

/// A resident leaves a request on a delegate's public page without an account, gets a code;
/// the office assigns it; the unit replies; the resident reads the reply by code and rates.
async fn request_journey(app: &App) {
    let i = &app.ids;
    let store = &app.state.store;
    let count = || async { q("SELECT COUNT(*) AS n FROM requests", []).fetch_one(&store.pool).await.unwrap().i("n") };
    // the contact cards: one per active delegate, each with the QR code of its public page
    let cards = app.get(Some("office"), &format!("/bodies/{}/cards", i.town_body)).await;
    let active = q("SELECT COUNT(*) AS n FROM delegates WHERE term_id = $1 AND status = 'active'", [i.town_term.into()])
        .fetch_one(&store.pool)
        .await
        .unwrap()
        .i("n");
    assert_eq!(cards.body.matches("<section class=\"card\">").count() as i64, active);
    assert_eq!(cards.body.matches("<svg").count() as i64, active);
    assert!(!cards.body.contains("<?xml"), "no XML declaration inside HTML");
    assert!(cards.body.contains("每月4、14、24日"), "the studio's reception days");
    let page = app.get(None, &format!("/public/delegates/{}", i.town_delegate)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("向代表反映诉求"));
    let url = format!("/public/delegates/{}/requests", i.town_delegate);
    // bad input: nothing written
    let bad = app.post_form(None, &url, "category=infrastructure&text=&phone=123").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count().await, 0);
    let r = app
        .post_form(None, &url, "category=infrastructure&place=李家组&text=水渠堵塞<script>x</script>,农田无法灌溉&name=李大妈&phone=13800138000")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let code = r.location.split("code=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let status = app.get(None, &r.location).await;
    assert!(status.body.contains(&code) && status.body.contains("已受理"));
    assert!(!status.body.contains("李大妈") && !status.body.contains("13800138000"), "no personal data by code");
    // a forged code, typed in any case, finds nothing
    assert_eq!(app.get(None, "/public/requests?code=AAAA-BBBB-CCCC").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(None, &format!("/public/requests?code={}", code.to_lowercase().replace('-', ""))).await.status, StatusCode::OK);
    // the office sees it with the requester; the unit not before it is assigned to it
    let id = q("SELECT id FROM requests WHERE code = $1", [code.as_str().into()]).fetch_one(&store.pool).await.unwrap().i("id");
    let list = app.get(Some("office"), &format!("/bodies/{}/requests", i.town_body)).await;
    assert!(list.body.contains(&code));
    let show = app.get(Some("office"), &format!("/requests/{id}")).await;
    assert!(show.body.contains("李大妈") && show.body.contains("&#60;script&#62;") && !show.body.contains("<script>x"));
    assert_eq!(app.get(Some("unit"), &format!("/requests/{id}")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post_form(Some("unit"), &format!("/requests/{id}/act"), "step=reply&text=x").await.status, StatusCode::FORBIDDEN);
    let act = |user: &'static str, form: String| async move { app.post_form(Some(user), &format!("/requests/{id}/act"), &form).await };
    assert_eq!(act("office", format!("step=assign&to={}&deadline_days=10", i.unit_org)).await.status, StatusCode::SEE_OTHER);
    assert!(app.get(Some("unit"), &format!("/bodies/{}/requests", i.town_body)).await.body.contains(&code), "the unit's inbox");
    assert_eq!(act("office", "step=reply&text=x".into()).await.status, StatusCode::FORBIDDEN, "the office does not reply for the unit");
    assert_eq!(act("unit", "step=reply&text=已组织清淤,恢复灌溉&solved=1".into()).await.status, StatusCode::SEE_OTHER);
    // the resident reads the reply by code and rates it
    let status = app.get(None, &format!("/public/requests?code={code}")).await;
    assert!(status.body.contains("已组织清淤") && status.body.contains("评价办理结果"));
    assert_eq!(app.post_form(None, "/public/requests/rate", &format!("code={code}&feedback=satisfied")).await.status, StatusCode::SEE_OTHER);
    let done = lianxin_store::requests::get(store, id).await.unwrap();
    assert_eq!((done.status.as_str(), done.feedback.as_deref()), ("closed", Some("satisfied")));
    assert_eq!(
        app.post_form(None, "/public/requests/rate", &format!("code={code}&feedback=unsatisfied")).await.status,
        StatusCode::CONFLICT,
        "rated once"
    );
    // the numbers: received, on time, satisfied
    let st = app.get(Some("office"), &format!("/bodies/{}/requests/stats?year=2026", i.town_body)).await;
    assert_eq!(st.status, StatusCode::OK);
    assert!(
        st.body.contains("<b>1</b><span>受理</span>") && st.body.contains("<b>100.0%</b><span>满意率(含基本满意)</span>"),
        "{}",
        st.body.chars().take(3000).collect::<String>()
    );
    assert_eq!(app.get(Some("delegate"), &format!("/bodies/{}/requests/stats", i.town_body)).await.status, StatusCode::FORBIDDEN);
    // a delegate records one they were given on a visit: it is theirs, by the delegate channel
    let r = app
        .post_form(
            Some("delegate"),
            &format!("/bodies/{}/requests", i.town_body),
            "category=livelihood&text=独居老人冬季取暖困难,请求帮助&place=七里洞村",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let rid: i64 = r.location.trim_start_matches("/requests/").parse().unwrap();
    let given = lianxin_store::requests::get(store, rid).await.unwrap();
    assert_eq!(given.channel, "delegate");
    assert!(given.delegate_id.is_some());
    assert_eq!(app.get(Some("delegate"), &r.location).await.status, StatusCode::OK, "the delegate sees what was left with them");
    // a recurring problem becomes the delegate's suggestion, a draft with the request as its reason
    assert_eq!(app.post_form(Some("office"), &format!("/requests/{rid}/to-proposal"), "").await.status, StatusCode::FORBIDDEN);
    let d = app.post_form(Some("delegate"), &format!("/requests/{rid}/to-proposal"), "").await;
    assert_eq!(d.status, StatusCode::SEE_OTHER, "{}", d.body);
    let pid: i64 = d.location.trim_start_matches("/proposals/").parse().unwrap();
    let draft = lianxin_store::proposals::get(store, pid).await.unwrap();
    assert_eq!((draft.status.as_str(), draft.kind.as_str(), draft.category.as_str()), ("draft", "suggestion", "society"));
    assert!(draft.reason.contains("独居老人冬季取暖困难") && draft.reason.contains(&given.code));
    // a photo on the request: those who see the request may add and read it, others not
    let png = b"\x89PNG\r\n\x1a\nphoto";
    let photo = file_post(app, "delegate", &format!("/requests/{rid}/attachments"), "现场.png", png);
    assert_eq!(app.send(photo).await.status, StatusCode::SEE_OTHER);
    let sneak = file_post(app, "xisa.delegate", &format!("/requests/{rid}/attachments"), "x.png", png);
    assert_eq!(app.send(sneak).await.status, StatusCode::FORBIDDEN);
    let page = app.get(Some("office"), &format!("/requests/{rid}")).await;
    let fid = page.body.split(&format!("/requests/{rid}/attachments/")).nth(1).and_then(|s| s.split('"').next()).unwrap().to_string();
    let got = app.get(Some("office"), &format!("/requests/{rid}/attachments/{fid}")).await;
    // (the harness reads bodies as text: the PNG signature's first byte is not UTF-8)
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.body.ends_with("PNG\r\n\u{1a}\nphoto"));
    assert_eq!(app.get(Some("xisa.delegate"), &format!("/requests/{rid}/attachments/{fid}")).await.status, StatusCode::FORBIDDEN);
    // three calls about one blocked canal make a hotspot; the office makes it a topic
    let mut canal = Vec::new();
    for text in ["李家组水渠堵塞,农田无法灌溉", "李家组的水渠堵塞严重,请尽快清淤", "水渠堵塞,农田灌溉困难,请尽快清淤"]
    {
        let r = app
            .post_form(Some("office"), &format!("/bodies/{}/requests", i.town_body), &format!("category=infrastructure&place=李家组&text={text}"))
            .await;
        canal.push(r.location.trim_start_matches("/requests/").parse::<i64>().unwrap());
    }
    assert_eq!(app.get(Some("delegate"), &format!("/bodies/{}/requests/hotspots", i.town_body)).await.status, StatusCode::FORBIDDEN);
    let hot = app.get(Some("office"), &format!("/bodies/{}/requests/hotspots", i.town_body)).await;
    assert!(hot.body.contains("立为调研课题") && hot.body.contains("水渠"), "{}", hot.body.chars().take(2000).collect::<String>());
    let ids = canal.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(",");
    assert_eq!(
        app.post_form(Some("delegate"), &format!("/bodies/{}/topics", i.town_body), &format!("title=水渠&requests={ids}")).await.status,
        StatusCode::FORBIDDEN
    );
    let t = app.post_form(Some("office"), &format!("/bodies/{}/topics", i.town_body), &format!("title=李家组水渠清淤&requests={ids}")).await;
    assert_eq!(t.status, StatusCode::SEE_OTHER, "{}", t.body);
    let tid = q("SELECT id FROM research_topics WHERE title = '李家组水渠清淤'", []).fetch_one(&store.pool).await.unwrap().i("id");
    // the delegate takes it up and records the research; the topic is done, linked to the requests
    let topics = app.get(Some("delegate"), &format!("/bodies/{}/topics", i.town_body)).await;
    assert!(topics.body.contains("李家组水渠清淤") && topics.body.contains(&format!("activities/new?topic={tid}")));
    let form = app.get(Some("delegate"), &format!("/bodies/{}/activities/new?topic={tid}", i.town_body)).await;
    assert!(form.body.contains(&format!("name=\"topic\" value=\"{tid}\"")));
    let rec = app
        .post_form(
            Some("delegate"),
            &format!("/bodies/{}/activities", i.town_body),
            &format!("kind=research&on=2026-11-10&summary=实地查看水渠&topic={tid}"),
        )
        .await;
    assert_eq!(rec.status, StatusCode::SEE_OTHER, "{}", rec.body);
    let topic = lianxin_store::topics::get(store, tid).await.unwrap();
    assert_eq!(topic.status, "done");
    let aid = topic.activity_id.unwrap();
    let shown = app.get(Some("delegate"), &format!("/activities/{aid}")).await;
    assert!(shown.body.contains("李家组水渠清淤") && shown.body.contains(&format!("/requests/{}", canal[0])));
    // a photo of the visit on the activity
    assert_eq!(
        app.send(file_post(app, "delegate", &format!("/activities/{aid}/attachments"), "水渠.jpg", b"\xff\xd8\xffjpeg")).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.send(file_post(app, "xisa.delegate", &format!("/activities/{aid}/attachments"), "x.jpg", b"\xff\xd8\xffjpeg")).await.status,
        StatusCode::FORBIDDEN
    );
    let req_page = app.get(Some("office"), &format!("/requests/{}", canal[1])).await;
    assert!(req_page.body.contains("实地查看水渠"), "the request shows the research that dealt with it");
    // a resident sends a photo with the request; a photo that is not one is refused and nothing is written
    let public = |photo: &[u8]| {
        let boundary = "XPUBX";
        let mut body = Vec::new();
        for (k, v) in [("category", "environment"), ("text", "河道垃圾堆积,气味难闻"), ("place", "河口村")] {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
        }
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"河道.jpg\"\r\n\r\n").as_bytes());
        body.extend_from_slice(photo);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        Request::post(format!("/public/delegates/{}/requests", i.town_delegate))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap()
    };
    let before = count().await;
    assert_eq!(app.send(public(b"GIF89a not a jpeg")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count().await, before);
    let sent = app.send(public(b"\xff\xd8\xffjpeg")).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let newest = q("SELECT id FROM requests WHERE text = '河道垃圾堆积,气味难闻'", []).fetch_one(&store.pool).await.unwrap().i("id");
    assert_eq!(
        q("SELECT COUNT(*) AS n FROM attachments WHERE owner = 'request' AND owner_id = $1", [newest.into()])
            .fetch_one(&store.pool)
            .await
            .unwrap()
            .i("n"),
        1
    );
    assert!(audit::verify(store).await.unwrap().is_ok());
}

/// The office opens the year's evaluation and prints slips; a resident rates a delegate once
/// by slip, anonymously; the tally reaches the board and the duty file.
async fn evaluation_journey(app: &App) {
    let i = &app.ids;
    let url = format!("/bodies/{}/evaluation", i.town_body);
    assert_eq!(app.post_form(Some("delegate"), &url, "year=2026&closes_on=2026-12-31").await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post_form(Some("office"), &url, "year=2026&closes_on=2026-12-31").await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_form(Some("office"), &url, "year=2026&closes_on=2026-12-31").await.status, StatusCode::CONFLICT, "one round a year");
    let slips_url = format!("{url}/slips?year=2026&delegate={}&n=3", i.town_delegate);
    assert_eq!(app.post_form(Some("delegate"), &slips_url, "").await.status, StatusCode::FORBIDDEN);
    let sheet = app.post_form(Some("office"), &slips_url, "").await;
    assert_eq!(sheet.status, StatusCode::OK);
    let codes: Vec<String> = sheet.body.split("<div class=\"code\">").skip(1).map(|s| s.split('<').next().unwrap().to_string()).collect();
    assert_eq!(codes.len(), 3);
    assert_eq!(sheet.body.matches("<svg").count(), 3);
    let name = lianxin_store::congress::delegate(&app.state.store, i.town_delegate).await.unwrap().name;
    let form = app.get(None, &format!("/public/evaluate?c={}", codes[0].to_lowercase())).await;
    assert!(form.status == StatusCode::OK && form.body.contains(&name));
    assert_eq!(app.post_form(None, "/public/evaluate", &format!("c={}&rating=good&comment=很负责", codes[0])).await.status, StatusCode::OK);
    assert_eq!(app.post_form(None, "/public/evaluate", &format!("c={}&rating=poor", codes[0])).await.status, StatusCode::CONFLICT, "once per slip");
    assert_eq!(app.get(None, &format!("/public/evaluate?c={}", codes[0])).await.status, StatusCode::NOT_FOUND, "a used slip opens nothing");
    assert_eq!(app.get(None, "/public/evaluate?c=AAAA-BBBB-CCCC-DDDD").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_form(None, "/public/evaluate", &format!("c={}&rating=great", codes[1])).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let board = app.get(Some("office"), &format!("{url}?year=2026")).await;
    assert!(board.body.contains("100.0%") && board.body.contains("33.3%"), "satisfaction and response rate");
    let file = app.get(Some("office"), &format!("/delegates/{}/duty?year=2026", i.town_delegate)).await;
    assert!(file.body.contains("<b>100.0%</b><span>群众评议满意率</span>"));
}

/// The office sets up a studio with 逢四说事 days and a rota; the public calendar names who
/// is on duty, linking to their public page.
async fn reception_journey(app: &App) {
    let i = &app.ids;
    let url = format!("/bodies/{}/studios", i.town_body);
    assert_eq!(app.post_form(Some("delegate"), &url, "name=x&address=y&days=4").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post_form(Some("office"), &url, "name=郴江镇党代表工作室&address=镇政府一楼&days=每周一").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.post_form(Some("office"), &url, "name=郴江镇党代表工作室&address=镇政府一楼&days=4,14,24&hours=9:00–12:00").await.status,
        StatusCode::SEE_OTHER
    );
    let sid = q("SELECT id FROM studios WHERE body_id = $1", [i.town_body.into()]).fetch_one(&app.state.store.pool).await.unwrap().i("id");
    let r = app.post_form(Some("office"), &format!("{url}/{sid}/rota"), &format!("delegates={}", i.town_delegate)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let name = lianxin_store::congress::delegate(&app.state.store, i.town_delegate).await.unwrap().name;
    let cal = app.get(None, &format!("/public/bodies/{}/reception", i.town_body)).await;
    assert_eq!(cal.status, StatusCode::OK);
    assert!(
        cal.body.contains("镇政府一楼") && cal.body.contains(&format!("/public/delegates/{}\">{name}</a>", i.town_delegate)),
        "{}",
        cal.body.chars().take(3000).collect::<String>()
    );
    assert!(app.get(Some("office"), &url).await.body.contains("每月4、14、24日"));
}

/// Through a real socket: sign in with the form, keep the cookie, be locked out after
/// repeated wrong passwords, sign out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_over_a_socket() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = TestDb::sqlite().await;
    let app = app(&db).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    let server = tokio::spawn(async move { axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await });
    async fn http(addr: std::net::SocketAddr, req: String) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = Vec::new();
        tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut out)).await.unwrap().unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }
    let cookie_of = |resp: &str, name: &str| {
        resp.lines()
            .filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
            .find_map(|l| l.split_once(':').map(|x| x.1.trim().to_string()).filter(|c| c.starts_with(&format!("{name}="))))
            .map(|c| c.split(';').next().unwrap().to_string())
    };
    let get_login = http(addr, format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")).await;
    let pre = cookie_of(&get_login, "lx_pre").unwrap();
    let token = pre.split('=').nth(1).unwrap().to_string();
    let post = |user: &str, pw: &str| {
        let body = format!("username={user}&password={pw}&_csrf={token}");
        format!("POST /login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: {pre}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
    };
    let ok = http(addr, post("office", "lianxin2026")).await;
    assert!(ok.starts_with("HTTP/1.1 303"), "{ok}");
    let session = cookie_of(&ok, "lx_session").unwrap();
    assert!(ok.to_ascii_lowercase().contains("httponly") && ok.contains("SameSite=Lax"));
    let home = http(addr, format!("GET / HTTP/1.1\r\nHost: {addr}\r\nCookie: {session}\r\nConnection: close\r\n\r\n")).await;
    assert!(home.starts_with("HTTP/1.1 200") && home.contains("中共郴江镇代表大会"));
    // five wrong passwords lock the account, even against the right one
    for _ in 0..5 {
        let r = http(addr, post("committee", "wrong-password")).await;
        assert!(!r.starts_with("HTTP/1.1 303"));
    }
    let locked = http(addr, post("committee", "lianxin2026")).await;
    assert!(locked.starts_with("HTTP/1.1 429") && locked.contains("锁定"), "{}", &locked[..200.min(locked.len())]);
    server.abort();
    db.drop_db().await;
}

/// The office plans a meeting; the delegate checks in with the door code and votes on a phone;
/// a repeated submit adds nothing; the office closes; the result, the published ballots and
/// the hall screen agree.
async fn meeting_journey(app: &App) {
    let i = &app.ids;
    let store = &app.state.store;
    let r = app
        .post_form(Some("office"), &format!("/bodies/{}/meetings", i.town_body), "kind=annual&title=第五次年会&on=2026-11-20&place=镇会议中心")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mid: i64 = r.location.trim_start_matches("/meetings/").parse().unwrap();
    assert_eq!(
        app.post_form(Some("delegate"), &format!("/bodies/{}/meetings", i.town_body), "kind=annual&title=x年会&on=2026-11-20").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(Some("xisa.delegate"), &format!("/meetings/{mid}")).await.status, StatusCode::FORBIDDEN);
    // the delegate checks in with the code at the door; a wrong code changes nothing
    assert_eq!(app.post_form(Some("delegate"), &format!("/meetings/{mid}/checkin"), "t=guess").await.status, StatusCode::BAD_REQUEST);
    let token = q("SELECT checkin_token FROM meetings WHERE id = $1", [mid.into()]).fetch_one(&store.pool).await.unwrap().s("checkin_token");
    assert!(app.get(Some("office"), &format!("/meetings/{mid}/door")).await.body.contains("<svg"));
    assert_eq!(app.post_form(Some("delegate"), &format!("/meetings/{mid}/checkin"), &format!("t={token}")).await.status, StatusCode::SEE_OTHER);
    // a secret vote on one motion, opened by the office
    let r = app
        .post_form(
            Some("office"),
            &format!("/meetings/{mid}/votes"),
            "title=关于年度工作报告的决议&kind=motion&items=&method=party_branch_resolution&secret=1",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let vid: i64 = r.location.trim_start_matches("/votes/").parse().unwrap();
    assert_eq!(app.post_form(Some("delegate"), &format!("/votes/{vid}/open"), "").await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post_form(Some("office"), &format!("/votes/{vid}/open"), "").await.status, StatusCode::SEE_OTHER);
    let ballot = app.get(Some("delegate"), &format!("/votes/{vid}")).await;
    assert!(ballot.body.contains("type=\"radio\"") && ballot.body.contains("data-confirm"), "a ballot with a confirm step");
    let cast = app.post_form(Some("delegate"), &format!("/votes/{vid}/cast"), "m0=yes").await;
    assert_eq!(cast.status, StatusCode::OK, "{}", cast.body);
    assert!(cast.body.contains("回执码"));
    let receipt = cast.body.split("<dd>").nth(1).and_then(|s| s.split("</dd>").next()).unwrap_or("").trim().to_string();
    // the connection dropped and the phone sent it again: still one ballot
    let again = app.post_form(Some("delegate"), &format!("/votes/{vid}/cast"), "m0=no").await;
    assert!(again.body.contains("您已投过票"), "{}", again.body);
    assert_eq!(q("SELECT COUNT(*) AS n FROM ballots WHERE vote_id = $1", [vid.into()]).fetch_one(&store.pool).await.unwrap().i("n"), 1);
    // while open: progress but no result, no ballots
    let screen = app.get(Some("office"), &format!("/meetings/{mid}/screen.json")).await;
    assert!(screen.body.contains("\"voted\":1") && screen.body.contains("\"result\":null"), "{}", screen.body);
    assert_eq!(app.get(Some("office"), &format!("/votes/{vid}/ballots")).await.status, StatusCode::CONFLICT);
    assert_eq!(app.post_form(Some("office"), &format!("/votes/{vid}/close"), "").await.status, StatusCode::SEE_OTHER);
    let shown = app.get(Some("delegate"), &format!("/votes/{vid}")).await;
    assert!(shown.body.contains("R-B3"), "the result names its rule");
    let check = app.get(Some("delegate"), &format!("/votes/{vid}/ballots?receipt={receipt}")).await;
    assert!(check.body.contains("找到您的选票") && check.body.contains("赞成"), "{receipt}: {}", check.body.chars().take(1500).collect::<String>());
    assert!(app.get(Some("office"), &format!("/meetings/{mid}/screen")).await.body.contains("EventSource"));
    // a democratic appraisal at the same meeting: a grade for each person appraised
    let bad = app
        .post_form(Some("office"), &format!("/meetings/{mid}/votes"), "title=对镇党委委员的民主测评&kind=appraisal&items=张书记%0A李委员&flag=a%2Fb")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post_form(
            Some("office"),
            &format!("/meetings/{mid}/votes"),
            "title=对镇党委委员的民主测评&kind=appraisal&items=张书记%0A李委员&flag=1%2F3&secret=1",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let aid: i64 = r.location.trim_start_matches("/votes/").parse().unwrap();
    app.post_form(Some("office"), &format!("/votes/{aid}/open"), "").await;
    assert_eq!(app.post_form(Some("delegate"), &format!("/votes/{aid}/cast"), "g0=0").await.status, StatusCode::BAD_REQUEST, "everyone graded");
    assert!(app.post_form(Some("delegate"), &format!("/votes/{aid}/cast"), "g0=0&g1=3").await.body.contains("回执码"));
    app.post_form(Some("office"), &format!("/votes/{aid}/close"), "").await;
    let shown = app.get(Some("office"), &format!("/votes/{aid}")).await;
    assert!(shown.body.contains("称职及以上") && shown.body.contains("1(100.0%)"), "{}", shown.body.chars().take(3000).collect::<String>());
    assert!(shown.body.contains("提示关注"), "one 不称职 of one form is over 1/3: the flag is set");
    // a delegate made a non-voting attendee (列席) stays checked in
    let d = i.town_delegate;
    assert_eq!(
        app.post_form(Some("office"), &format!("/meetings/{mid}/role"), &format!("delegate={d}&role=non_voting")).await.status,
        StatusCode::SEE_OTHER
    );
    let role = q("SELECT role, status FROM meeting_attendees WHERE meeting_id = $1 AND delegate_id = $2", [mid.into(), d.into()])
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!((role.s("role").as_str(), role.s("status").as_str()), ("non_voting", "present"));
    assert!(audit::verify(store).await.unwrap().is_ok());
}

/// A meeting's work besides phone votes: the agenda and its documents handed out, a group's
/// deliberation gathered for the presidium, a draft resolution voted (with a ballot pass over
/// the API) and published, an inquiry answered and published, a paper vote entered by two
/// tellers; the public page shows what was published and nothing else.
async fn meeting_work_journey(app: &App) {
    let i = &app.ids;
    let store = &app.state.store;
    let r = app
        .post_form(Some("office"), &format!("/bodies/{}/meetings", i.town_body), "kind=annual&title=第六次年会&on=2026-11-18&place=镇会议中心")
        .await;
    let mid: i64 = r.location.trim_start_matches("/meetings/").parse().unwrap();
    // the agenda: a report with its document, handed out; a draft resolution
    assert_eq!(
        app.post_form(Some("delegate"), &format!("/meetings/{mid}/agenda"), "kind=report&title=镇党委工作报告").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_form(Some("office"), &format!("/meetings/{mid}/agenda"), "kind=report&title=").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = app.post_form(Some("office"), &format!("/meetings/{mid}/agenda"), "kind=report&title=镇党委工作报告&presenter=镇党委").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let report = r.location.clone();
    let item: i64 = report.rsplit('/').next().unwrap().parse().unwrap();
    lianxin_store::agenda::attach(
        store,
        &lianxin_store::agenda::get(store, item).await.unwrap(),
        lianxin_store::files::check("工作报告.txt", "过去一年".as_bytes().to_vec()).unwrap(),
        &Change::new(None, "测试", NOW),
    )
    .await
    .unwrap();
    assert_eq!(app.post_form(Some("office"), &format!("{report}/distribute"), "").await.status, StatusCode::SEE_OTHER);
    let page = app.get(Some("delegate"), &report).await;
    assert!(page.body.contains("工作报告.txt"), "the delegate sees the document");
    let fid =
        q("SELECT id FROM attachments WHERE owner = 'agenda_item' AND owner_id = $1", [item.into()]).fetch_one(&store.pool).await.unwrap().i("id");
    assert_eq!(app.get(Some("delegate"), &format!("{report}/files/{fid}")).await.body, "过去一年");
    assert_eq!(app.get(Some("xisa.delegate"), &format!("{report}/files/{fid}")).await.status, StatusCode::FORBIDDEN);
    let (_, notices) = app.api(Some("delegate"), "GET", "/api/v1/notices", None).await;
    assert!(notices["items"].as_array().unwrap().iter().any(|n| n["kind"] == "meeting_documents"), "{notices}");
    let r =
        app.post_form(Some("office"), &format!("/meetings/{mid}/agenda"), "kind=draft_resolution&title=关于镇党委工作报告的决议&body=会议同意").await;
    let draft = r.location.clone();
    assert_eq!(
        app.post_form(Some("office"), &format!("{draft}/deliberation"), "group=第一组&opinions=同意%0A建议增加财务公开").await.status,
        StatusCode::SEE_OTHER
    );
    let summary = app.get(Some("office"), &format!("/meetings/{mid}/deliberations")).await;
    assert!(summary.body.contains("建议增加财务公开") && summary.body.contains("第一组"), "{}", summary.body.chars().take(2000).collect::<String>());
    let xlsx = app.get(Some("office"), &format!("/meetings/{mid}/deliberations?format=xlsx")).await;
    assert!(xlsx.content_type.contains("spreadsheetml"));
    // R-K4: put to the vote only after deliberation
    assert_eq!(
        app.post_form(Some("office"), &format!("{draft}/step"), "action=put_to_vote&method=party_branch_resolution").await.status,
        StatusCode::CONFLICT
    );
    app.post_form(Some("office"), &format!("{draft}/step"), "action=deliberate").await;
    let r = app.post_form(Some("office"), &format!("{draft}/step"), "action=put_to_vote&method=party_branch_resolution").await;
    assert!(r.location.starts_with("/votes/"), "{}", r.body);
    let vid: i64 = r.location.trim_start_matches("/votes/").parse().unwrap();
    // everyone present votes with a pass over the API
    let town = q("SELECT id FROM delegates WHERE term_id = $1 AND status = 'active'", [i.town_term.into()]).fetch_all(&store.pool).await.unwrap();
    let m = lianxin_store::meetings::get(store, mid).await.unwrap();
    for d in &town {
        lianxin_store::meetings::set_attendance(store, &m, d.i("id"), "present", None, "", &Change::new(None, "测试", NOW)).await.unwrap();
    }
    app.post_form(Some("office"), &format!("/votes/{vid}/open"), "").await;
    let (status, pass) = app.api(Some("delegate"), "GET", &format!("/api/v1/meetings/{mid}/pass"), None).await;
    assert_eq!(status, StatusCode::OK, "{pass}");
    let pass = pass["pass"].as_str().unwrap().to_string();
    assert_eq!(app.api(Some("unit"), "GET", &format!("/api/v1/meetings/{mid}/pass"), None).await.0, StatusCode::FORBIDDEN);
    let cast = |p: &str, c: Value| json!({"pass": p, "choices": c});
    let (s1, _) = app.api(Some("delegate"), "POST", &format!("/api/v1/votes/{vid}/cast"), Some(cast("1.2.3.abc", json!(["yes"])))).await;
    assert_eq!(s1, StatusCode::CONFLICT, "a made-up pass");
    let (s2, _) = app.api(Some("delegate2"), "POST", &format!("/api/v1/votes/{vid}/cast"), Some(cast(&pass, json!(["yes"])))).await;
    assert_eq!(s2, StatusCode::CONFLICT, "another sign-in's pass");
    let (s3, _) = app.api(Some("delegate"), "POST", &format!("/api/v1/votes/{vid}/cast"), Some(cast(&pass, json!(["maybe"])))).await;
    assert_eq!(s3, StatusCode::BAD_REQUEST);
    let (s4, r4) = app.api(Some("delegate"), "POST", &format!("/api/v1/votes/{vid}/cast"), Some(cast(&pass, json!(["yes"])))).await;
    assert_eq!((s4, r4["status"].as_str()), (StatusCode::OK, Some("in")), "{r4}");
    let (_, r5) = app.api(Some("delegate"), "POST", &format!("/api/v1/votes/{vid}/cast"), Some(cast(&pass, json!(["no"])))).await;
    assert_eq!(r5["status"], "already_in");
    // the ballot page carries a pass for the cookie it was opened with
    let ballot = app.get(Some("delegate2"), &format!("/votes/{vid}")).await;
    assert!(ballot.body.contains("name=\"pass\""), "{}", ballot.body.chars().take(2000).collect::<String>());
    let (_, pass2) = app.api(Some("delegate2"), "GET", &format!("/api/v1/meetings/{mid}/pass"), None).await;
    app.api(Some("delegate2"), "POST", &format!("/api/v1/votes/{vid}/cast"), Some(cast(pass2["pass"].as_str().unwrap(), json!(["yes"])))).await;
    let (_, v) = app.api(Some("office"), "GET", &format!("/api/v1/votes/{vid}"), None).await;
    assert_eq!((v["voted"].as_u64(), v["result"].is_null()), (Some(2), true), "{v}");
    // the rest of the hall votes yes
    let x = lianxin_store::meetings::vote(store, vid).await.unwrap();
    for d in &town {
        let _ = lianxin_store::meetings::cast(
            store,
            &x,
            d.i("id"),
            &lianxin_domain::ballot::Choices::Marks(vec![lianxin_domain::ballot::Mark::Yes]),
            &Change::new(None, "测试", NOW),
        )
        .await
        .unwrap();
    }
    app.post_form(Some("office"), &format!("/votes/{vid}/close"), "").await;
    // the result decides: it is recorded from the vote, never typed against it
    let (_, v) = app.api(Some("office"), "GET", &format!("/api/v1/votes/{vid}"), None).await;
    assert_eq!(v["result"]["items"][0]["decision"]["passed"], true, "{v}");
    assert_eq!(app.post_form(Some("office"), &format!("{draft}/step"), "action=failed").await.status, StatusCode::CONFLICT);
    assert_eq!(app.post_form(Some("office"), &format!("{draft}/step"), "action=passed").await.status, StatusCode::SEE_OTHER);
    app.post_form(Some("office"), &format!("{draft}/step"), "action=publish&text=测试决议全文:同意报告").await;
    // an inquiry: put by the delegate, answered and published by the office
    assert_eq!(
        app.post_form(
            Some("xisa.delegate"),
            &format!("/meetings/{mid}/inquiries"),
            "kind=inquiry&mode=on_site&addressee=镇纪委&question=村级财务公开为何延迟"
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post_form(
            Some("delegate"),
            &format!("/meetings/{mid}/inquiries"),
            "kind=inquiry&mode=on_site&addressee=镇财政所&question=村级财务公开为何延迟三个月",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let qid = q("SELECT id FROM inquiries WHERE meeting_id = $1", [mid.into()]).fetch_one(&store.pool).await.unwrap().i("id");
    assert_eq!(app.post_form(Some("delegate"), &format!("/inquiries/{qid}/answer"), "answer=已补公开").await.status, StatusCode::FORBIDDEN);
    let public = format!("/public/bodies/{}/meetings", i.town_body);
    app.post_form(Some("office"), &format!("/inquiries/{qid}/answer"), "answer=测试答复:本周已补公开&answered_by=镇财政所所长").await;
    assert!(!app.get(None, &public).await.body.contains("测试答复:本周已补公开"), "not public before it is published");
    app.post_form(Some("office"), &format!("/inquiries/{qid}/publish"), "").await;
    let shown = app.get(None, &public).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("测试答复:本周已补公开") && shown.body.contains("镇财政所所长"));
    assert!(shown.body.contains("测试决议全文:同意报告"), "a published resolution is public");
    // party members' 民主评议 uses its own grades (R-L1): 优秀/合格/基本合格/不合格
    let r = app
        .post_form(Some("office"), &format!("/meetings/{mid}/votes"), "title=党员民主评议&kind=appraisal&items=王党员&scale=member&mode=secret")
        .await;
    let aid: i64 = r.location.trim_start_matches("/votes/").parse().unwrap();
    app.post_form(Some("office"), &format!("/votes/{aid}/open"), "").await;
    assert!(app.get(Some("delegate"), &format!("/votes/{aid}")).await.body.contains("基本合格"), "the member scale on the ballot");
    assert!(app.post_form(Some("delegate"), &format!("/votes/{aid}/cast"), "g0=1").await.body.contains("回执码"));
    app.post_form(Some("office"), &format!("/votes/{aid}/close"), "").await;
    let (_, av) = app.api(Some("office"), "GET", &format!("/api/v1/votes/{aid}"), None).await;
    assert_eq!(av["result"]["items"][0]["appraisal"]["counts"]["合格"], 1, "{av}");
    // a paper vote: no phone ballots; two tellers enter; a disagreement blocks the count
    let r = app
        .post_form(Some("office"), &format!("/meetings/{mid}/votes"), "title=推选监票人&kind=motion&items=&method=party_branch_resolution&mode=paper")
        .await;
    let pid: i64 = r.location.trim_start_matches("/votes/").parse().unwrap();
    app.post_form(Some("office"), &format!("/votes/{pid}/open"), "").await;
    let (sp, _) = app.api(Some("delegate"), "POST", &format!("/api/v1/votes/{pid}/cast"), Some(cast(&pass, json!(["yes"])))).await;
    assert_eq!(sp, StatusCode::CONFLICT, "paper votes take no phone ballots");
    let n = town.len();
    let piles = |yes: usize| format!("issued={n}&returned={n}&void=1&piles=赞成+{yes}%0A反对+{}", n - 1 - yes);
    assert_eq!(
        app.post_form(Some("office"), &format!("/votes/{pid}/paper"), "issued=3&returned=3&void=0&piles=赞成+2").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(app.post_form(Some("office"), &format!("/votes/{pid}/paper"), &piles(n - 3)).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_form(Some("admin"), &format!("/votes/{pid}/paper"), &piles(n - 4)).await.status, StatusCode::SEE_OTHER);
    assert!(app.get(Some("office"), &format!("/votes/{pid}")).await.body.contains("不一致"));
    assert_eq!(app.post_form(Some("office"), &format!("/votes/{pid}/close"), "").await.status, StatusCode::CONFLICT);
    app.post_form(Some("admin"), &format!("/votes/{pid}/paper"), &piles(n - 3)).await;
    assert_eq!(app.post_form(Some("office"), &format!("/votes/{pid}/close"), "").await.status, StatusCode::SEE_OTHER);
    let (_, pv) = app.api(Some("office"), "GET", &format!("/api/v1/votes/{pid}"), None).await;
    assert_eq!((pv["result"]["items"][0]["yes"].as_u64(), pv["result"]["paper"]["void"].as_u64()), (Some(n as u64 - 3), Some(1)), "{pv}");
    assert!(audit::verify(store).await.unwrap().is_ok());
}

/// An election over HTTP: defined, nominated, reviewed, its list refused against the slate
/// rule (R-H2) then published, voted on phones after the notice, counted, announced into the
/// committee; and a paper election counted from a pasted tally sheet.
async fn election_journey(app: &App) {
    use lianxin_domain::ballot::{Choices, Mark};
    use lianxin_store::meetings;
    let i = &app.ids;
    let store = &app.state.store;
    let change = Change::new(None, "测试", NOW);
    let r = app
        .post_form(Some("office"), &format!("/bodies/{}/meetings", i.town_body), "kind=annual&title=选举大会&on=2026-11-25&place=镇会议中心")
        .await;
    let mid: i64 = r.location.trim_start_matches("/meetings/").parse().unwrap();
    let m = meetings::get(store, mid).await.unwrap();
    let hall = meetings::attendees(store, &m).await.unwrap();
    for a in &hall {
        meetings::set_attendance(store, &m, a.delegate_id, "present", None, "", &change).await.unwrap();
    }
    let people: Vec<(i64, String)> =
        q("SELECT id, name FROM people WHERE tenant_id = $1 AND kind = 'member' ORDER BY id LIMIT 2", [i.town_root.into()])
            .fetch_all(&store.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.i("id"), r.s("name")))
            .collect();
    let define = |method: &str, meeting: &str| {
        format!(
            "term_id={}&title=增补镇党委委员{meeting}&target=committee&method={method}&post_order=normal&by_election=1&meeting_id={meeting}&min_size=3\
             &post0_name=委员&post0_roster=member&post0_seats=1&post0_slate=party_grassroots_committee&post1_seats=&post2_seats=&target_women=50&targets_more=other%2050",
            i.town_term
        )
    };
    assert_eq!(
        app.post_form(Some("delegate"), &format!("/bodies/{}/elections", i.town_body), &define("party_grassroots", "")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_form(Some("office"), &format!("/bodies/{}/elections", i.town_body), &define("by_acclamation", "")).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = app.post_form(Some("office"), &format!("/bodies/{}/elections", i.town_body), &define("party_grassroots", &mid.to_string())).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let eid: i64 = r.location.trim_start_matches("/elections/").parse().unwrap();
    let post = q("SELECT id FROM election_posts WHERE election_id = $1", [eid.into()]).fetch_one(&store.pool).await.unwrap().i("id");
    assert!(app.get(Some("office"), &format!("/elections/{eid}")).await.body.contains("开始提名"));
    assert_eq!(app.post_form(Some("office"), &format!("/elections/{eid}/open"), "").await.status, StatusCode::SEE_OTHER);
    // R-A2: an absentee left out with both approvals is shown as not counted
    let r = app
        .post_form(Some("office"), &format!("/elections/{eid}/exclusions"), "name=出国党员甲&ground=abroad&higher_approved=1&meeting_approved=1")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.post_form(Some("office"), &format!("/elections/{eid}/exclusions"), "name=某&ground=bored").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    for (who, source, support) in [
        (format!("person_id={}", people[0].0), "members", 30),
        (format!("person_id={}", people[1].0), "organisation", 20),
        ("name=外来人甲".to_string(), "self", 0),
    ] {
        let r = app
            .post_form(Some("office"), &format!("/elections/{eid}/nominations"), &format!("post_id={post}&{who}&source={source}&support={support}"))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let noms: Vec<i64> = q("SELECT id FROM nominations WHERE election_id = $1 ORDER BY support DESC", [eid.into()])
        .fetch_all(&store.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.i("id"))
        .collect();
    for n in &noms[..2] {
        assert_eq!(app.post_form(Some("office"), &format!("/elections/{eid}/nominations/{n}/qualify"), "").await.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(
        app.post_form(Some("office"), &format!("/elections/{eid}/review"), &format!("nomination={}&status=rejected&note=", noms[2])).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.post_form(Some("office"), &format!("/elections/{eid}/review"), &format!("nomination={}&status=rejected&note=不符合任职条件", noms[2]))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = app.get(Some("office"), &format!("/elections/{eid}")).await.body;
    assert!(page.contains("党员推荐") && page.contains("不符合任职条件"), "nominations counted per source, with the review");
    // R-H2: a by-election of one committee seat is never an equal slate
    let r =
        app.post_form(Some("office"), &format!("/elections/{eid}/publish"), &format!("list_{post}={}&notice_until=2026-11-18", people[0].1)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("R-H2"), "{}", r.body.chars().take(2000).collect::<String>());
    let list = format!("{}%0A{}", people[0].1, people[1].1);
    assert_eq!(
        app.post_form(Some("office"), &format!("/elections/{eid}/publish"), &format!("list_{post}={list}&notice_until=2026-11-18")).await.status,
        StatusCode::SEE_OTHER
    );
    let public = app.get(None, &format!("/public/elections/{eid}")).await;
    assert!(public.status == StatusCode::OK && public.body.contains(&people[1].1) && !public.body.contains("外来人甲"));
    // anyone may object during the notice; the office decides before the vote
    let objection = format!("candidate={}&text=该同志近一年未参加组织生活&contact=", people[1].1);
    assert_eq!(app.post_form(None, &format!("/public/elections/{eid}/objections"), &objection).await.status, StatusCode::OK);
    let oid = q("SELECT id FROM election_objections WHERE election_id = $1", [eid.into()]).fetch_one(&store.pool).await.unwrap().i("id");
    assert_eq!(
        app.post_form(Some("delegate"), &format!("/elections/{eid}/objections"), &format!("objection={oid}&decision=dismissed&response=不成立"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post_form(
            Some("office"),
            &format!("/elections/{eid}/objections"),
            &format!("objection={oid}&decision=dismissed&response=经核查按期参加,异议不成立"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // voting waits for the end of the notice
    assert_eq!(app.post_form(Some("office"), &format!("/elections/{eid}/posts/{post}/rounds"), "mode=phones").await.status, StatusCode::CONFLICT);
    app.clock.advance(2 * 86_400_000);
    assert_eq!(app.post_form(Some("office"), &format!("/elections/{eid}/posts/{post}/rounds"), "mode=phones").await.status, StatusCode::SEE_OTHER);
    let (rid, vid) = {
        let r = q("SELECT id, vote_id FROM election_rounds WHERE election_id = $1", [eid.into()]).fetch_one(&store.pool).await.unwrap();
        (r.i("id"), r.i("vote_id"))
    };
    // the delegate's phone: a mark per candidate and a name written in; more yes than seats is refused
    let ballot = app.get(Some("delegate"), &format!("/votes/{vid}")).await.body;
    assert!(ballot.contains("另选他人") && ballot.contains(&people[0].1), "{}", ballot.chars().take(1500).collect::<String>());
    assert_eq!(app.post_form(Some("delegate"), &format!("/votes/{vid}/cast"), "m0=yes&m1=no&w0=赵某").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let cast = app.post_form(Some("delegate"), &format!("/votes/{vid}/cast"), "m0=yes&m1=no&w0=").await;
    assert!(cast.body.contains("回执码"), "{}", cast.body.chars().take(1500).collect::<String>());
    // the rest of the hall votes on their phones
    let v = meetings::vote(store, vid).await.unwrap();
    let mut already = 0;
    for a in &hall {
        let c = Choices::Ballot { marks: vec![Mark::Yes, Mark::Abstain], write_ins: vec![] };
        if meetings::cast(store, &v, a.delegate_id, &c, &change).await.unwrap() == meetings::Cast::AlreadyIn {
            already += 1;
        }
    }
    assert_eq!(already, 1, "the signed-in delegate's ballot was in already");
    assert_eq!(app.post_form(Some("office"), &format!("/elections/{eid}/rounds/{rid}/count"), "").await.status, StatusCode::SEE_OTHER);
    let page = app.get(Some("office"), &format!("/elections/{eid}")).await.body;
    assert!(page.contains("R-E1") && page.contains("公布结果"), "{}", page.chars().take(3000).collect::<String>());
    assert_eq!(app.post_form(Some("office"), &format!("/elections/{eid}/announce"), "").await.location, format!("/elections/{eid}/sheet"));
    let sheet = app.get(Some("office"), &format!("/elections/{eid}/sheet")).await.body;
    assert!(
        sheet.contains("选举结果报告单") && sheet.contains(&format!("<td>{}</td>", people[0].1)),
        "{}",
        sheet.chars().take(3000).collect::<String>()
    );
    // the elected against the guiding share set at the start (R-J12)
    assert!(sheet.contains("当选人员结构") && sheet.contains("≥ 50%"), "{}", sheet.chars().take(4000).collect::<String>());
    // a sector's share too: the one elected sits as 其他 (no category was given), 100 % ≥ 50 %
    assert!(sheet.contains("<td>其他</td><td>1</td><td>100.0%</td><td>≥ 50% 达到</td>"), "{}", sheet.chars().take(6000).collect::<String>());
    // the API: the election as a program sees it, and the teller's count over HTTP
    let (status, body) = app.api(Some("office"), "GET", &format!("/api/v1/elections/{eid}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["election"]["status"].as_str(), body["rounds"][0]["result"]["elected"][0].as_str()),
        (Some("announced"), Some(people[0].1.as_str()))
    );
    assert_eq!(app.api(Some("xisa.delegate"), "GET", &format!("/api/v1/elections/{eid}"), None).await.0, StatusCode::FORBIDDEN);
    let req = json!({"kind": "candidate_surplus", "post": "party_grassroots_committee", "seats": 7, "candidates": 8});
    let (status, body) = app.api(Some("delegate"), "POST", "/api/v1/count", Some(req)).await;
    assert_eq!((status, body["min_candidates"].as_u64(), body["ok"].as_bool()), (StatusCode::OK, Some(9), Some(false)));
    let (status, body) = app.api(Some("delegate"), "POST", "/api/v1/count", Some(json!({"kind": "election", "seats": -1}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(app.api(None, "POST", "/api/v1/count", Some(json!({"kind": "decision"}))).await.0, StatusCode::UNAUTHORIZED);
    let on = q("SELECT COUNT(*) AS n FROM committee_members WHERE term_id = $1 AND person_id = $2", [i.town_term.into(), people[0].0.into()])
        .fetch_one(&store.pool)
        .await
        .unwrap()
        .i("n");
    assert_eq!(on, 1, "the elected joined the committee");

    // a paper election: the tellers paste their tally sheet from Excel
    let r = app.post_form(Some("office"), &format!("/bodies/{}/elections", i.town_body), &define("party_grassroots", "")).await;
    let pid: i64 = r.location.trim_start_matches("/elections/").parse().unwrap();
    let ppost = q("SELECT id FROM election_posts WHERE election_id = $1", [pid.into()]).fetch_one(&store.pool).await.unwrap().i("id");
    app.post_form(Some("office"), &format!("/elections/{pid}/open"), "").await;
    for who in ["name=刘春生", "name=周海燕"] {
        app.post_form(Some("office"), &format!("/elections/{pid}/nominations"), &format!("post_id={ppost}&{who}&source=members&support=5")).await;
    }
    for n in q("SELECT id FROM nominations WHERE election_id = $1", [pid.into()]).fetch_all(&store.pool).await.unwrap() {
        app.post_form(Some("office"), &format!("/elections/{pid}/nominations/{}/qualify", n.i("id")), "").await;
    }
    let r =
        app.post_form(Some("office"), &format!("/elections/{pid}/publish"), &format!("list_{ppost}=刘春生%0A周海燕&notice_until=2026-11-20")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.clock.advance(86_400_000);
    assert_eq!(app.post_form(Some("office"), &format!("/elections/{pid}/posts/{ppost}/rounds"), "mode=paper").await.status, StatusCode::SEE_OTHER);
    let prid = q("SELECT id FROM election_rounds WHERE election_id = $1", [pid.into()]).fetch_one(&store.pool).await.unwrap().i("id");
    // a cell the engine cannot read names its row and column, and nothing is counted
    let bad = app
        .post_form(
            Some("office"),
            &format!("/elections/{pid}/rounds/{prid}/paper"),
            "eligible_voters=30&voters_present=25&tally=张数%09刘春生%09周海燕%0A20%09也许%09",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("第 2 行"), "{}", bad.body.chars().take(1500).collect::<String>());
    let tally = "张数%09刘春生%09周海燕%09另选%09废票%0A14%09赞成%09%09%09%0A9%09%09赞成%09%09%0A2%09赞成%09赞成%09%09";
    let r = app
        .post_form(Some("office"), &format!("/elections/{pid}/rounds/{prid}/paper"), &format!("eligible_voters=30&voters_present=25&tally={tally}"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body.chars().take(1500).collect::<String>());
    let res = q("SELECT result FROM election_rounds WHERE id = $1", [prid.into()]).fetch_one(&store.pool).await.unwrap().s("result");
    let res: Value = serde_json::from_str(&res).unwrap();
    // 25 present of 30 (R-B1: 125 > 120); two ballots mark both for one seat: void (R-C2); 刘春生 14 > 12.5
    assert_eq!((res["void_ballots"].as_u64(), res["threshold_min_votes"].as_u64(), res["elected"][0].as_str()), (Some(2), Some(13), Some("刘春生")));

    // every post on one paper ballot: the secretary (an equal slate, R-H4) and a member
    let form = format!(
        "term_id={}&title=一张选票选书记和委员&target=committee&method=party_grassroots&post_order=normal&by_election=0&meeting_id=&min_size=0&one_ballot=1&count_down=0\
         &post0_name=书记&post0_roster=secretary&post0_seats=1&post0_slate=party_secretary&post1_seats=&post2_name=委员&post2_roster=member&post2_seats=1&post2_slate=party_grassroots_committee",
        i.town_term
    );
    let r = app.post_form(Some("office"), &format!("/bodies/{}/elections", i.town_body), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body.chars().take(1500).collect::<String>());
    let oid: i64 = r.location.trim_start_matches("/elections/").parse().unwrap();
    let posts: Vec<i64> = q("SELECT id FROM election_posts WHERE election_id = $1 ORDER BY position", [oid.into()])
        .fetch_all(&store.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.i("id"))
        .collect();
    app.post_form(Some("office"), &format!("/elections/{oid}/open"), "").await;
    for (post, who) in [(posts[0], "name=书记候选"), (posts[1], "name=委员候选甲"), (posts[1], "name=委员候选乙")] {
        app.post_form(Some("office"), &format!("/elections/{oid}/nominations"), &format!("post_id={post}&{who}&source=members&support=1")).await;
    }
    for n in q("SELECT id FROM nominations WHERE election_id = $1", [oid.into()]).fetch_all(&store.pool).await.unwrap() {
        app.post_form(Some("office"), &format!("/elections/{oid}/nominations/{}/qualify", n.i("id")), "").await;
    }
    let lists = format!("list_{}=书记候选&list_{}=委员候选甲%0A委员候选乙&notice_until=2026-11-21", posts[0], posts[1]);
    assert_eq!(app.post_form(Some("office"), &format!("/elections/{oid}/publish"), &lists).await.status, StatusCode::SEE_OTHER);
    app.clock.advance(86_400_000);
    assert_eq!(
        app.post_form(Some("office"), &format!("/elections/{oid}/posts/{}/rounds", posts[0]), "mode=paper").await.status,
        StatusCode::SEE_OTHER
    );
    let page = app.get(Some("office"), &format!("/elections/{oid}")).await.body;
    assert!(page.contains("书记/书记候选") && page.contains("委员/另选"), "the tally sheet's columns are post/name");
    let orid = q("SELECT id FROM election_rounds WHERE election_id = $1", [oid.into()]).fetch_one(&store.pool).await.unwrap().i("id");
    let tally = "张数,书记/书记候选,书记/另选,委员/委员候选甲,委员/委员候选乙,委员/另选,废票%0A20,赞成,,赞成,,,%0A8,不赞成,,,赞成,,%0A";
    let r = app
        .post_form(Some("office"), &format!("/elections/{oid}/rounds/{orid}/paper"), &format!("eligible_voters=30&voters_present=28&tally={tally}"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body.chars().take(1500).collect::<String>());
    let won: Vec<String> = q("SELECT name FROM election_elected WHERE election_id = $1 ORDER BY post_id", [oid.into()])
        .fetch_all(&store.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.s("name"))
        .collect();
    assert_eq!(won, vec!["书记候选", "委员候选甲"], "each post counted on the one ballot");
    assert!(audit::verify(store).await.unwrap().is_ok());
}
