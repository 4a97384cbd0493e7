//! The JSON API under `/api/v1`. Sign in with an API token (`Authorization: Bearer …`) or a
//! session cookie (then unsafe requests carry the session's `X-CSRF-Token`). Errors are
//! problem details. The OpenAPI document is built from the same table that builds the
//! router, so no route can be missing from it.

mod elections;
mod handlers;
mod meetings;

use crate::auth::Viewer;
use crate::error::WebError;
use crate::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use lianxin_domain::Lang;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// An API error: the problem document in the caller's language.
pub struct ApiError(pub WebError, pub Lang);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.problem(self.1)
    }
}

pub type ApiResult = Result<Json<Value>, ApiError>;

/// The caller of an API route. Unlike pages, a bad token is a 401 problem, not a redirect.
pub struct Caller(pub Viewer);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = crate::auth::cookie(&parts.headers, crate::auth::LANG_COOKIE).map(Lang::parse).unwrap_or_default();
        let v = Viewer::from_request_parts(parts, state).await.map_err(|e| ApiError(e, lang))?;
        if v.actor.is_none() {
            return Err(ApiError(WebError::Unauthorized, v.lang));
        }
        // cookie sessions must send the CSRF token on writes; tokens need not
        if !v.via_token && !matches!(parts.method, axum::http::Method::GET | axum::http::Method::HEAD) {
            let sent = parts.headers.get("x-csrf-token").and_then(|h| h.to_str().ok()).unwrap_or("");
            v.check_csrf(sent).map_err(|e| ApiError(e, v.lang))?;
        }
        Ok(Caller(v))
    }
}

impl Caller {
    pub fn err(&self, e: impl Into<WebError>) -> ApiError {
        ApiError(e.into(), self.0.lang)
    }
}

/// A JSON body whose parse errors are problem details too.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => Err(ApiError(WebError::BadRequest(e.body_text()), Lang::Zh)),
        }
    }
}

/// One API route: method, path, handler, tag, summary, and the query parameters it reads.
macro_rules! api_routes {
    ($( $method:ident $path:literal => $handler:path, $tag:literal, $summary:literal, [$($qp:literal),*] ;)*) => {
        pub fn router() -> Router<AppState> {
            Router::new()
                $(.route($path, $method($handler)))*
                .route("/openapi.json", get(openapi))
                .fallback(|| async { ApiError(WebError::NotFound, Lang::Zh) })
        }
        /// (method, path, tag, summary, query parameters) of every route.
        pub const ROUTES: &[(&str, &str, &str, &str, &[&str])] = &[$((stringify!($method), $path, $tag, $summary, &[$($qp),*])),*];
    };
}

api_routes! {
    get "/me" => handlers::me, "account", "当前用户及其角色 / the caller and their roles", [];
    get "/orgs/{id}" => handlers::org, "orgs", "组织详情及下级组织 / an organisation and its children", [];
    get "/orgs/{id}/counts" => handlers::org_counts, "orgs", "组织概况统计 / counts below an organisation", [];
    post "/orgs" => handlers::create_org, "orgs", "新建下级组织 / create an organisation", [];
    put "/orgs/{id}" => handlers::update_org, "orgs", "修改组织 / update an organisation", [];
    post "/orgs/{id}/move" => handlers::move_org, "orgs", "移动组织 / move an organisation", [];
    post "/orgs/{id}/retire" => handlers::retire_org, "orgs", "撤销组织 / retire an organisation", [];
    get "/people" => handlers::people, "people", "人员列表 / list people", ["org", "q", "kind", "gender", "education", "page", "per_page"];
    post "/people" => handlers::create_person, "people", "新增人员 / create a person", [];
    get "/people/{id}" => handlers::person, "people", "人员详情 / a person", [];
    put "/people/{id}" => handlers::update_person, "people", "修改人员 / update a person", [];
    get "/bodies" => handlers::bodies, "congress", "代表大会列表 / list congresses", [];
    get "/bodies/{id}" => handlers::body, "congress", "代表大会及各届 / a congress and its terms", [];
    get "/terms/{id}/delegates" => handlers::delegates, "congress", "代表列表 / list delegates of a term", ["q", "category", "status", "gender", "group_id", "vacant", "page", "per_page"];
    post "/terms/{id}/delegates" => handlers::add_delegate, "congress", "增加代表 / add a delegate", [];
    get "/terms/{id}/groups" => handlers::groups, "congress", "代表小组 / delegate groups", [];
    get "/terms/{id}/composition" => handlers::composition, "reports", "代表结构 / composition", ["on"];
    get "/terms/{id}/coverage" => handlers::coverage, "reports", "联系覆盖及缺口 / liaison coverage and gaps", ["on"];
    get "/delegates/{id}" => handlers::delegate, "congress", "代表详情 / a delegate", [];
    post "/delegates/{id}/qualification" => handlers::qualification, "congress", "资格变动(R-J6–R-J9) / change a qualification", [];
    post "/links" => handlers::create_link, "network", "新增联系 / create a liaison link", [];
    post "/links/{id}/end" => handlers::end_link, "network", "结束联系 / end a liaison link", [];
    get "/bodies/{id}/proposals" => handlers::proposals, "proposals", "提案建议列表(按角色:全部、本人、待办) / proposals the caller may see", ["q", "status", "kind", "category", "term", "year", "unit", "page", "per_page"];
    post "/bodies/{id}/proposals" => handlers::create_proposal, "proposals", "代表起草提案建议 / a delegate drafts a proposal", [];
    get "/bodies/{id}/proposals/stats" => handlers::proposal_stats, "proposals", "办理统计 / handling statistics", ["year", "term"];
    get "/proposals/{id}" => handlers::proposal, "proposals", "提案详情、联名人、承办单位、办理过程 / a proposal with its signers, units and timeline", [];
    post "/proposals/{id}/act" => handlers::proposal_act, "proposals", "办理一步(提交、立案、交办、答复、评价…) / take a handling step", [];
    get "/meetings/{id}" => meetings::meeting, "meetings", "会议、出席与表决事项 / a meeting, its attendance and votes", [];
    get "/meetings/{id}/pass" => meetings::pass, "meetings", "本人的投票凭证 / the caller's ballot pass for a meeting", [];
    get "/votes/{id}" => meetings::vote, "meetings", "表决事项及结果 / a vote and, once closed, its result", [];
    post "/votes/{id}/cast" => meetings::cast, "meetings", "投票(凭投票凭证,无需 CSRF) / cast a ballot with a pass", [];
    get "/bodies/{id}/elections" => elections::list, "elections", "选举列表 / a congress's elections", [];
    get "/elections/{id}" => elections::show, "elections", "选举:职务、提名、候选人、轮次及结果、当选人 / an election with its posts, list, rounds, results and the elected", [];
    post "/count" => elections::count, "elections", "计票(与 lianxin count 相同的请求) / count a request as lianxin count does", [];
    get "/notices" => handlers::notices, "notices", "我的消息 / the caller's notices", ["page", "per_page"];
    get "/audit" => handlers::audit, "audit", "操作日志 / the audit log", ["entity", "entity_id", "page", "per_page"];
    get "/audit/verify" => handlers::audit_verify, "audit", "校验日志链 / verify the audit chain", [];
}

/// The OpenAPI 3.1 document, generated from [`ROUTES`].
pub fn openapi_doc() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, tag, summary, query) in ROUTES {
        let mut params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}}))
            .collect();
        params.extend(query.iter().map(|q| json!({"name": q, "in": "query", "required": false, "schema": {"type": "string"}})));
        let mut op = json!({
            "tags": [tag],
            "summary": summary,
            "operationId": format!("{method}_{}", path.replace(['/', '{', '}'], "_").trim_matches('_')),
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}},
                "401": {"$ref": "#/components/responses/Problem"},
                "403": {"$ref": "#/components/responses/Problem"},
                "404": {"$ref": "#/components/responses/Problem"},
                "422": {"$ref": "#/components/responses/Problem"}
            }
        });
        if *method != "get" {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}}}});
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Lianxin API", "version": env!("CARGO_PKG_VERSION"), "description": "连心:代表大会常任制工作平台 / the standing-congress workbench"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "lx_session"}
            },
            "responses": {
                "Problem": {"description": "Problem details (RFC 9457)", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            },
            "schemas": {
                "Problem": {"type": "object", "properties": {
                    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}, "code": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}}}
                }}
            }
        }
    })
}

async fn openapi() -> Json<Value> {
    Json(openapi_doc())
}

#[cfg(test)]
mod tests {
    /// Every route of the table is in the document with its method, and nothing else is.
    #[test]
    fn the_document_lists_every_route() {
        let doc = super::openapi_doc();
        let paths = doc["paths"].as_object().unwrap();
        let mut n = 0;
        for (method, path, ..) in super::ROUTES {
            assert!(paths[*path][*method].is_object(), "{method} {path}");
            n += 1;
        }
        let in_doc: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(in_doc, n);
        assert_eq!(doc["openapi"], "3.1.0");
    }
}
