//! One error type for every route. Pages show it as an HTML page in the viewer's language;
//! the API shows it as JSON problem details (RFC 9457). Internal errors are logged with
//! their cause and never shown.

use crate::i18n::t as tx;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lianxin_domain::{DomainError, FieldError, Lang};
use lianxin_store::StoreError;

#[derive(Debug)]
pub enum WebError {
    /// Not signed in: pages redirect to the sign-in page, the API answers 401.
    Unauthorized,
    Forbidden,
    NotFound,
    Invalid(Vec<FieldError>),
    Conflict {
        zh: String,
        en: String,
    },
    /// The CSRF token or the request's origin did not match.
    Csrf,
    TooMany,
    BadRequest(String),
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => d.into(),
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl From<DomainError> for WebError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid(v) => WebError::Invalid(v),
            DomainError::NotFound => WebError::NotFound,
            DomainError::Forbidden => WebError::Forbidden,
            DomainError::Conflict { zh, en } => WebError::Conflict { zh, en },
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(format!("template: {e}"))
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict { .. } => StatusCode::CONFLICT,
            WebError::TooMany => StatusCode::TOO_MANY_REQUESTS,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Title and detail in a language.
    pub fn texts(&self, lang: Lang) -> (String, String) {
        match self {
            WebError::Unauthorized => (tx(lang, "login").into(), tx(lang, "login").into()),
            WebError::Forbidden => (tx(lang, "forbidden").into(), tx(lang, "forbidden_text").into()),
            WebError::NotFound => (tx(lang, "not_found").into(), tx(lang, "not_found_text").into()),
            WebError::Invalid(v) => (tx(lang, "invalid").into(), v.iter().map(|e| e.message(lang).to_string()).collect::<Vec<_>>().join(";")),
            WebError::Conflict { zh, en } => (tx(lang, "conflict").into(), lang.pick(zh, en).to_string()),
            WebError::Csrf => (tx(lang, "forbidden").into(), tx(lang, "csrf").into()),
            WebError::TooMany => (tx(lang, "throttled").into(), tx(lang, "throttled").into()),
            WebError::BadRequest(m) => (tx(lang, "invalid").into(), m.clone()),
            WebError::Internal(_) => (tx(lang, "server_error").into(), tx(lang, "server_error_text").into()),
        }
    }

    /// The API's problem document.
    pub fn problem(&self, lang: Lang) -> Response {
        if let WebError::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        let (title, detail) = self.texts(lang);
        let errors: Vec<serde_json::Value> = match self {
            WebError::Invalid(v) => {
                v.iter().map(|e| serde_json::json!({"field": e.field, "code": e.code, "message": e.message(lang), "zh": e.zh, "en": e.en})).collect()
            }
            _ => Vec::new(),
        };
        let code = match self {
            WebError::Unauthorized => "unauthorized",
            WebError::Forbidden => "forbidden",
            WebError::NotFound => "not_found",
            WebError::Invalid(_) => "invalid",
            WebError::Conflict { .. } => "conflict",
            WebError::Csrf => "csrf",
            WebError::TooMany => "too_many_requests",
            WebError::BadRequest(_) => "bad_request",
            WebError::Internal(_) => "internal",
        };
        let body = serde_json::json!({
            "type": format!("https://lianxin.invalid/problems/{code}"),
            "title": title,
            "status": self.status().as_u16(),
            "detail": detail,
            "code": code,
            "errors": errors,
        });
        (self.status(), [(axum::http::header::CONTENT_TYPE, "application/problem+json")], body.to_string()).into_response()
    }
}

/// Without a request context the page falls back to a plain bilingual page; routes that
/// know the viewer render through `view::error_page` instead.
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        if matches!(self, WebError::Unauthorized) {
            return axum::response::Redirect::to("/login").into_response();
        }
        let (zt, zd) = self.texts(Lang::Zh);
        let (et, ed) = self.texts(Lang::En);
        let html = crate::view::plain_page(&format!("{zt} / {et}"), &format!("{zd}<br>{ed}"));
        (self.status(), html).into_response()
    }
}

pub type WebResult<T> = Result<T, WebError>;
