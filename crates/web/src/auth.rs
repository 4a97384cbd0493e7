//! Who is asking, and may they: passwords (argon2id), sessions in an HttpOnly cookie,
//! API tokens (Bearer), CSRF (a per-session token on every form, plus an origin check on
//! every unsafe request), login throttling per client address and lockout per account.

use crate::error::{WebError, WebResult};
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use lianxin_domain::access::{Actor, Permission};
use lianxin_domain::audit::hex;
use lianxin_domain::Lang;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;

pub const SESSION_COOKIE: &str = "lx_session";
pub const LANG_COOKIE: &str = "lx_lang";
pub const PRE_COOKIE: &str = "lx_pre";

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    // Without randomness no secure token can be made; failing loudly beats a guessable one.
    getrandom::fill(&mut b).unwrap_or_else(|e| panic!("no system randomness: {e}"));
    hex(&b)
}

pub fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

fn argon(m_kib: u32, t: u32) -> argon2::Argon2<'static> {
    let params = argon2::Params::new(m_kib, t, 1, None).unwrap_or_default();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// Hashes a password with argon2id (off the async threads: it takes tens of milliseconds).
pub async fn hash_password(state: &AppState, password: &str) -> WebResult<String> {
    let (m, t) = (state.config.argon2_m_kib, state.config.argon2_t);
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || hash_password_sync(&pw, m, t)).await.map_err(|e| WebError::Internal(e.to_string()))?
}

pub fn hash_password_sync(password: &str, m_kib: u32, t: u32) -> WebResult<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| WebError::Internal(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| WebError::Internal(e.to_string()))?;
    argon(m_kib, t).hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| WebError::Internal(e.to_string()))
}

pub async fn verify_password(hash: &str, password: &str) -> bool {
    let (h, pw) = (hash.to_string(), password.to_string());
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHash, PasswordVerifier};
        match PasswordHash::new(&h) {
            // the parameters are read from the stored hash itself
            Ok(parsed) => argon2::Argon2::default().verify_password(pw.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    })
    .await
    .unwrap_or(false)
}

/// A password policy a clerk can meet: at least 8 characters, not all digits.
pub fn check_password(pw: &str) -> Result<(), lianxin_domain::FieldError> {
    if pw.chars().count() < 8 || pw.chars().all(|c| c.is_ascii_digit()) {
        return Err(lianxin_domain::FieldError::new(
            "password",
            "weak",
            "密码至少 8 位,且不能全是数字",
            "the password needs at least 8 characters, not all digits",
        ));
    }
    Ok(())
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// The credential a request signs in with: its API token, else its session cookie.
pub fn credential(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .or_else(|| cookie(headers, SESSION_COOKIE))
}

pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_s: i64) -> String {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{secure}")
}

/// Sign-in attempts per client address in a sliding ten-minute window.
#[derive(Default)]
pub struct Throttle(Mutex<HashMap<String, (i64, u32)>>);

impl Throttle {
    const WINDOW_MS: i64 = 10 * 60 * 1000;
    /// Counts an attempt; `false` when the address is over its limit.
    pub fn allow(&self, key: &str, now_ms: i64, limit: u32) -> bool {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() > 10_000 {
            m.retain(|_, (start, _)| now_ms - *start < Self::WINDOW_MS);
        }
        let e = m.entry(key.to_string()).or_insert((now_ms, 0));
        if now_ms - e.0 >= Self::WINDOW_MS {
            *e = (now_ms, 0);
        }
        e.1 += 1;
        e.1 <= limit
    }
}

/// The person behind a request: signed in (by session or token) or not, and their language.
#[derive(Clone)]
pub struct Viewer {
    pub actor: Option<Actor>,
    pub lang: Lang,
    /// The session's CSRF token (forms carry it back).
    pub csrf: String,
    /// Signed in with an API token (no cookies, so no CSRF check).
    pub via_token: bool,
    pub client: String,
    /// Unread notices (shown in the navigation; not counted for API calls).
    pub unread: i64,
}

impl Viewer {
    pub fn user(&self) -> WebResult<&Actor> {
        self.actor.as_ref().ok_or(WebError::Unauthorized)
    }
    /// The actor, if they may do `p` on data of the organisation at `path`.
    pub fn require(&self, p: Permission, path: &str) -> WebResult<&Actor> {
        let a = self.user()?;
        if a.can(p, path) {
            Ok(a)
        } else {
            Err(WebError::Forbidden)
        }
    }
    pub fn require_somewhere(&self, p: Permission) -> WebResult<&Actor> {
        let a = self.user()?;
        if a.can_somewhere(p) {
            Ok(a)
        } else {
            Err(WebError::Forbidden)
        }
    }
    pub fn can(&self, p: Permission, path: &str) -> bool {
        self.actor.as_ref().map(|a| a.can(p, path)).unwrap_or(false)
    }
    /// Checks the token a form sent back.
    pub fn check_csrf(&self, sent: &str) -> WebResult<()> {
        if self.via_token || (!self.csrf.is_empty() && constant_time_eq(sent.as_bytes(), self.csrf.as_bytes())) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }
    /// The change record (actor and time) for the store.
    pub fn change(&self, state: &AppState) -> WebResult<lianxin_store::Change> {
        let a = self.user()?;
        Ok(lianxin_store::Change::new(Some(a.user_id), a.display_name.clone(), state.now_ms()))
    }
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn lang_from(headers: &HeaderMap, user_lang: Option<&str>) -> Lang {
    if let Some(l) = cookie(headers, LANG_COOKIE) {
        return Lang::parse(l);
    }
    if let Some(l) = user_lang {
        return Lang::parse(l);
    }
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    // Chinese unless the browser prefers English before any Chinese
    match (accept.find("en"), accept.find("zh")) {
        (Some(e), Some(z)) if e < z => Lang::En,
        (Some(_), None) => Lang::En,
        _ => Lang::Zh,
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let client = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "local".into());
        let now = state.now_ms();
        let headers = &parts.headers;
        // an API token wins over a cookie
        if let Some(token) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")) {
            let user = lianxin_store::users::user_by_token(&state.store, &sha256_hex(token.trim()), now).await?;
            let Some(user) = user.filter(|u| !u.disabled) else {
                return Err(WebError::Unauthorized);
            };
            let actor = lianxin_store::users::actor(&state.store, &user).await?;
            let lang = lang_from(headers, Some(&user.lang));
            return Ok(Viewer { actor: Some(actor), lang, csrf: String::new(), via_token: true, client, unread: 0 });
        }
        if let Some(token) = cookie(headers, SESSION_COOKIE) {
            if let Some(s) = lianxin_store::users::session(&state.store, &sha256_hex(token), now).await? {
                let user = lianxin_store::users::by_id(&state.store, s.user_id).await?;
                if !user.disabled {
                    let actor = lianxin_store::users::actor(&state.store, &user).await?;
                    let lang = lang_from(headers, Some(&user.lang));
                    let unread = lianxin_store::notices::unread(&state.store, &actor).await?;
                    return Ok(Viewer { actor: Some(actor), lang, csrf: s.csrf, via_token: false, client, unread });
                }
            }
        }
        Ok(Viewer { actor: None, lang: lang_from(headers, None), csrf: String::new(), via_token: false, client, unread: 0 })
    }
}

/// Refuses unsafe requests that come from another site: the `Origin` (when sent) must be
/// this host, and a browser's `Sec-Fetch-Site` must not say cross-site. Bearer-token
/// requests carry no cookies and are not at risk.
pub async fn same_origin_guard(State(_state): State<AppState>, req: Request, next: Next) -> Result<Response, WebError> {
    let m = req.method();
    let unsafe_method = !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS);
    let bearer = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(|v| v.starts_with("Bearer ")).unwrap_or(false);
    if unsafe_method && !bearer {
        let h = req.headers();
        if h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
            return Err(WebError::Csrf);
        }
        if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            let host = h.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
            let origin_host = origin.split("://").nth(1).unwrap_or("");
            if origin == "null" || origin_host != host {
                return Err(WebError::Csrf);
            }
        }
    }
    Ok(next.run(req).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password_sync("正确的密码abc", 64, 1).unwrap();
        assert!(h.starts_with("$argon2id$"));
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        assert!(rt.block_on(verify_password(&h, "正确的密码abc")));
        assert!(!rt.block_on(verify_password(&h, "错误")));
        assert!(!rt.block_on(verify_password("garbage", "x")));
    }

    #[test]
    fn throttle_counts_per_address_and_window() {
        let t = Throttle::default();
        for _ in 0..3 {
            assert!(t.allow("1.2.3.4", 0, 3));
        }
        assert!(!t.allow("1.2.3.4", 1000, 3));
        assert!(t.allow("5.6.7.8", 1000, 3));
        assert!(t.allow("1.2.3.4", Throttle::WINDOW_MS + 1, 3));
    }

    #[test]
    fn cookies_and_policy() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; lx_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        assert!(check_password("12345678").is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("lianxin-2026").is_ok());
    }
}
