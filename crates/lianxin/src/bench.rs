//! `lianxin bench`: builds the county demo in a fresh SQLite file (and in a fresh PostgreSQL
//! database when `LIANXIN_TEST_PG_URL` points at a server), then times the main pages
//! server-side (the whole router, in-process) and measures a real server's memory.
//! Prints a Markdown report for BENCHMARKS.md. Talks only to 127.0.0.1.

use anyhow::{anyhow, Result};
use axum::body::Body;
use axum::http::{header, Request};
use http_body_util::BodyExt;
use lianxin_store::db::{q, RowExt};
use lianxin_store::testkit::TestDb;
use lianxin_store::{demo, users, Change};
use lianxin_web::clock::{Clock, SystemClock};
use lianxin_web::{AppState, Config};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

pub(crate) struct Row {
    name: String,
    p50: Duration,
    p95: Duration,
    max: Duration,
    bytes: usize,
}

/// A fixed-seed generator (splitmix64): the same rows on every run.
pub(crate) struct Rng(pub u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

async fn time_pages(db: &TestDb, requests: usize) -> Result<(Duration, Vec<Row>)> {
    let store = db.store.clone();
    let change = Change::new(None, "bench", SystemClock.now_ms());
    let started = Instant::now();
    demo::build(&store, &change, &|_| {}).await.map_err(|e| anyhow!("{e}"))?;
    let demo_time = started.elapsed();
    // serve from fresh connections, as a server started on this database would (SQLite reads
    // the planner statistics that ANALYZE wrote when a connection opens)
    store.close().await;
    let store = lianxin_store::Store::connect(&lianxin_store::DbUrl::parse(&db.url).map_err(|e| anyhow!("{e}"))?, lianxin_store::db::Open::Existing)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    sign_in_county(&store, &change).await?;
    let body = q("SELECT id FROM bodies WHERE org_id = $1", [demo::COUNTY_ID.into()]).fetch_one(&store.pool).await?.i("id");
    let term = q("SELECT id FROM terms WHERE body_id = $1", [body.into()]).fetch_one(&store.pool).await?.i("id");
    let xisa = demo::COUNTY_ID + 1;
    let state = AppState::new(store, Config::default(), Arc::new(SystemClock));
    let app = lianxin_web::app(state);
    let pages: Vec<(&str, String)> = vec![
        ("delegate list, filtered (category + gender)", format!("/bodies/{body}/delegates?category=leading_cadre&gender=F")),
        ("delegate list, page 4 of 7", format!("/bodies/{body}/delegates?page=4")),
        ("delegate list, name search", format!("/bodies/{body}/delegates?q=%E6%9D%8E")),
        ("composition table (306 delegates)", format!("/bodies/{body}/composition")),
        ("coverage and gaps (county network)", format!("/bodies/{body}/coverage")),
        ("coverage and gaps, cold (no kept report)", format!("/bodies/{body}/coverage")),
        ("organisation page: subtree counts (county, 1,171 orgs)", format!("/orgs/{}", demo::COUNTY_ID)),
        ("organisation page: subtree counts (a town)", format!("/orgs/{xisa}")),
        ("people list, county subtree, search", format!("/people?org={}&q=%E7%8E%8B", demo::COUNTY_ID)),
        ("API: delegates of a term (JSON)", format!("/api/v1/terms/{term}/delegates?per_page=50")),
        ("API: coverage (JSON)", format!("/api/v1/terms/{term}/coverage")),
        ("proposals list (county congress)", format!("/bodies/{body}/proposals")),
        ("proposals full-text search (county congress)", format!("/bodies/{body}/proposals?q=%E5%AD%A6%E6%A0%A1")),
        ("proposal statistics, county-year 2025", format!("/bodies/{body}/proposals/stats?year=2025")),
        ("duty board: every rule for every delegate and group, and the year's totals (county congress)", format!("/bodies/{body}/duty")),
        ("activities list (county congress, a year of activities)", format!("/bodies/{body}/activities")),
    ];
    let mut rows = Vec::new();
    for (name, uri) in pages {
        rows.push(time_page(&app, name, &uri, requests).await?);
    }
    Ok((demo_time, rows))
}

/// Times one page: `requests` GETs (after 5 warm-up ones) through the whole router, signed in
/// as the session "bench". A page named "… cold …" is timed without the kept coverage report.
pub(crate) async fn time_page(app: &axum::Router, name: &str, uri: &str, requests: usize) -> Result<Row> {
    let mut times = Vec::with_capacity(requests);
    let mut bytes = 0;
    let cold = name.contains("cold");
    for k in 0..requests + 5 {
        if cold {
            lianxin_store::reports::clear_coverage_cache();
        }
        let req = Request::get(uri).header(header::COOKIE, "lx_session=bench").body(Body::empty())?;
        let t = Instant::now();
        let resp = app.clone().oneshot(req).await?;
        let status = resp.status();
        let b = resp.into_body().collect().await?.to_bytes();
        let el = t.elapsed();
        if !status.is_success() {
            return Err(anyhow!("{uri}: {status}"));
        }
        bytes = b.len();
        if k >= 5 {
            times.push(el);
        }
    }
    times.sort();
    let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    Ok(Row { name: name.to_string(), p50: pct(50), p95: pct(95), max: *times.last().unwrap_or(&Duration::ZERO), bytes })
}

/// The databases every benchmark runs on: a fresh SQLite file, and a fresh PostgreSQL
/// database when `LIANXIN_TEST_PG_URL` reaches a server.
pub(crate) async fn databases() -> Vec<(&'static str, TestDb)> {
    let mut dbs = vec![("SQLite", TestDb::sqlite().await)];
    if let Some(pg) = TestDb::postgres().await {
        dbs.push(("PostgreSQL", pg));
    }
    dbs
}

/// Signs the county user in as the session "bench" (CSRF token "csrf").
pub(crate) async fn sign_in_county(store: &lianxin_store::Store, change: &Change) -> Result<()> {
    lianxin_web::setup::demo_users(store, change, 64, 1).await.map_err(|e| anyhow!("{e:?}"))?;
    let u = users::by_name(store, "county").await.map_err(|e| anyhow!("{e}"))?.ok_or_else(|| anyhow!("no county user"))?;
    users::create_session(store, &lianxin_web::auth::sha256_hex("bench"), u.id, "csrf", change.now_ms, 3_600_000)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    Ok(())
}

pub(crate) fn print_rows(rows: &[Row]) {
    println!("| page (server-side, in-process) | p50 ms | p95 ms | max ms | bytes |\n|---|---:|---:|---:|---:|");
    for r in rows {
        println!("| {} | {} | {} | {} | {} |", r.name, ms(r.p50), ms(r.p95), ms(r.max), r.bytes);
    }
    println!();
}

/// Starts this binary as a server on `db_url` at a free loopback port; returns it and the port.
pub(crate) async fn start_server(db_url: &str) -> Result<(tokio::process::Child, u16)> {
    let exe = std::env::current_exe()?;
    let port = 39_000 + (std::process::id() % 1000) as u16;
    let mut child = tokio::process::Command::new(exe)
        .args(["--database-url", db_url, "serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        // errors only: a loaded server's warnings (slow pool waits) would drown the report
        .env("LIANXIN_LOG", std::env::var("LIANXIN_BENCH_SERVER_LOG").unwrap_or_else(|_| "error".into()))
        .kill_on_drop(true)
        .spawn()?;
    for _ in 0..300 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Ok((child, port));
        }
    }
    let _ = child.kill().await;
    Err(anyhow!("server did not start"))
}

/// A real server on the SQLite file: its memory idle and after serving the pages.
async fn server_memory(db_url: &str) -> Result<(u64, u64)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut child, port) = start_server(db_url).await?;
    let pid = child.id().ok_or_else(|| anyhow!("no pid"))?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = rss_kib(pid).unwrap_or(0);
    for k in 0..100 {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        let path = if k % 2 == 0 { "/login" } else { "/api/v1/openapi.json" };
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes()).await?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).await?;
    }
    let busy = rss_kib(pid).unwrap_or(0);
    let _ = child.kill().await;
    Ok((idle, busy))
}

pub async fn run(_url: &str, requests: usize) -> Result<()> {
    let requests = requests.max(20);
    println!("## lianxin bench — {} requests per page, after 5 warm-up requests\n", requests);
    println!(
        "Machine: {} cores; build: {}.\n",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    let dbs = databases().await;
    let mut memory = None;
    for (name, db) in &dbs {
        let (demo_time, rows) = time_pages(db, requests).await?;
        println!("### {name}\n\nCounty and town demo built in **{:.2} s**.\n", demo_time.as_secs_f64());
        print_rows(&rows);
        if *name == "SQLite" {
            memory = Some(server_memory(&db.url).await);
        }
    }
    match memory {
        Some(Ok((idle, busy))) => println!(
            "### Server memory (SQLite, county demo)\n\nRSS idle after start: **{:.1} MB**; after 100 requests: {:.1} MB.\n",
            idle as f64 / 1024.0,
            busy as f64 / 1024.0
        ),
        Some(Err(e)) => println!("(server memory not measured: {e})\n"),
        None => {}
    }
    for (_, db) in dbs {
        db.drop_db().await;
    }
    // (the pools used above were closed; drop_db only removes the files and databases)
    Ok(())
}
