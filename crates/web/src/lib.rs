//! HTTP for Lianxin: server-rendered pages (Chinese first, English second, usable on a
//! 360-px phone), the JSON API under `/api/v1` with its OpenAPI document, sign-in, sessions,
//! CSRF protection and the permission checks every route makes.
//!
//! Map:
//! - [`auth`]: passwords, sessions, API tokens, CSRF, login throttling, the `Viewer` extractor.
//! - [`error`]: one error type, shown as an HTML page or as JSON problem details.
//! - [`i18n`]: the interface texts in zh-CN and en.
//! - [`view`]: page, table and form models, rendered by the templates; tables export to .xlsx.
//! - [`pages`]: the HTML routes; [`api`]: the JSON routes.
//! - [`hall`]: a meeting in session: the ballot-pass key, the votes' questions, the live hall screens.
//! - [`excel`]: reading and writing .xlsx and .csv for import and export.

pub mod api;
pub mod auth;
pub mod clock;
pub mod error;
pub mod excel;
pub mod hall;
pub mod i18n;
pub mod pages;
pub mod setup;
pub mod view;

use axum::Router;
use clock::Clock;
use lianxin_store::Store;
use std::sync::Arc;

/// Settings the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` (on whenever the server is reached over HTTPS).
    pub secure_cookies: bool,
    /// Session lifetime in milliseconds.
    pub session_ttl_ms: i64,
    /// argon2 cost: memory in KiB, iterations. Lowered only in tests.
    pub argon2_m_kib: u32,
    pub argon2_t: u32,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: usize,
    /// Sign-in attempts allowed per client address per window before throttling.
    pub login_attempts_per_ip: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: false,
            session_ttl_ms: 12 * 3600 * 1000,
            argon2_m_kib: 19 * 1024,
            argon2_t: 2,
            max_upload_bytes: 10 * 1024 * 1024,
            login_attempts_per_ip: 20,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub throttle: Arc<auth::Throttle>,
    pub hall: Arc<hall::Hall>,
}

impl AppState {
    pub fn new(store: Store, config: Config, clock: Arc<dyn Clock>) -> AppState {
        AppState { store, config: Arc::new(config), clock, throttle: Arc::new(auth::Throttle::default()), hall: Arc::default() }
    }
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
    pub fn today(&self) -> time::Date {
        lianxin_store::day_of_ms(self.now_ms())
    }
}

/// The whole application: pages, API, assets.
pub fn app(state: AppState) -> Router {
    let max = state.config.max_upload_bytes;
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api::router())
        .layer(axum::extract::DefaultBodyLimit::max(max))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::same_origin_guard))
        .with_state(state)
}
