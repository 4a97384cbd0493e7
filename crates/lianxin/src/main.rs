//! The `lianxin` command: one binary that serves the web and API and does the set-up and
//! maintenance around it. Each subcommand is a thin call into the store and web crates.

mod bench;
mod bench_ballots;
mod bench_elections;
mod bench_requests;
mod bench_search;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand};
use lianxin_store::db::{DbUrl, Open};
use lianxin_store::{Change, Store};
use lianxin_web::clock::{Clock, SystemClock};
use lianxin_web::{AppState, Config};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

const DEFAULT_DB: &str = "sqlite://data/lianxin.db";

#[derive(Parser)]
#[command(name = "lianxin", version, about = "连心 Lianxin — 代表大会常任制工作平台 / the standing representative congress workbench")]
struct Cli {
    /// Database: sqlite://PATH (the default, a file under ./data) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "LIANXIN_DATABASE_URL", default_value = DEFAULT_DB)]
    database_url: String,
    /// Folder for the full-text search index, which is rebuilt from the database when missing.
    /// Default: beside a SQLite file; in memory for PostgreSQL (rebuilt at each start).
    #[arg(long, global = true, env = "LIANXIN_INDEX_DIR")]
    index_dir: Option<std::path::PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the web pages and the API.
    Serve(ServeArgs),
    /// Build the demo town and county (seeds 000 and 001), create demo logins, then serve.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// Build the demo and stop, without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Create the database if needed and bring its schema up to date.
    Migrate,
    /// Count one counting request (JSON; "-" reads standard input) and print the result as
    /// JSON: decisions, appraisals, elections, 两票制 and slates, by the rules of rules.md
    /// (format: docs/count.md).
    Count {
        file: PathBuf,
        /// An election's paper ballots as a table of patterns (.csv or .xlsx), in place of the
        /// request's `ballots`.
        #[arg(long)]
        ballots: Option<PathBuf>,
    },
    /// Import a roster from .xlsx (all sheets) or .csv into an organisation's tree.
    Import {
        file: PathBuf,
        /// The organisation the rows belong under (its id).
        #[arg(long)]
        org: i64,
        /// The congress that delegates, groups and delegate links belong to.
        #[arg(long)]
        body: Option<i64>,
        /// For a .csv file: which sheet it is (组织, 人员, 代表小组, 代表, 联系).
        #[arg(long, default_value = "人员")]
        sheet: String,
    },
    /// Export a body's delegates, or an organisation's people, to .xlsx.
    Export {
        /// delegates (needs --body) or people (needs --org)
        what: String,
        #[arg(long)]
        body: Option<i64>,
        #[arg(long)]
        org: Option<i64>,
        #[arg(long)]
        out: PathBuf,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Measure the main pages on the county demo (see BENCHMARKS.md).
    Bench {
        /// Requests per page (0 skips the pages; the search benchmark times at least 200).
        #[arg(long, default_value_t = 200)]
        requests: usize,
        /// Synthetic proposals for the search index benchmark (0 skips it).
        #[arg(long, default_value_t = 1_000_000)]
        search_docs: u64,
        /// Synthetic citizen requests for the request dashboards and intake (0 skips it).
        #[arg(long, default_value_t = 1_000_000)]
        request_rows: u64,
        /// Voters in the meeting-hall benchmark: ballot intake over HTTP, hall screens (0 skips it).
        #[arg(long, default_value_t = 2_000)]
        voters: usize,
        /// Votes each of them casts in (half back to back, half at 10,000 ballots/s).
        #[arg(long, default_value_t = 40)]
        votes: usize,
        /// Stored ballots of ten items counted at a close (0 skips it).
        #[arg(long, default_value_t = 1_000_000)]
        ballots: usize,
        /// Election ballots counted by the engine, after seed 004's 45,100 (0 skips elections).
        #[arg(long, default_value_t = 1_000_000)]
        election_ballots: usize,
        /// Community elections run at once, end to end (seed 004: 40).
        #[arg(long, default_value_t = 40)]
        communities: usize,
    },
    /// Rebuild the full-text index of proposals from the database.
    Reindex,
    /// Remind delegates behind on a duty rule (once per rule and period) and tell handling
    /// units of requests past their time limit; the server also does this every day.
    Remind,
    /// Write a consistent copy of the SQLite database while it is in use.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Users.
    Admin {
        #[command(subcommand)]
        cmd: AdminCmd,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Check the whole hash chain; exits non-zero if anything was altered or removed.
    Verify,
}

#[derive(Subcommand)]
enum AdminCmd {
    /// Create a user with one role.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// The password (or set LIANXIN_NEW_PASSWORD).
        #[arg(long, env = "LIANXIN_NEW_PASSWORD")]
        password: String,
        /// admin, liaison_office, committee_member, delegate, handling_unit
        #[arg(long, default_value = "admin")]
        role: String,
        /// The organisation the role covers (its subtree); not for admin.
        #[arg(long)]
        scope_org: Option<i64>,
        #[arg(long)]
        body: Option<i64>,
    },
}

#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LIANXIN_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Mark cookies Secure (set this when users reach Lianxin over HTTPS).
    #[arg(long, env = "LIANXIN_SECURE_COOKIES")]
    secure_cookies: bool,
}

fn now_ms() -> i64 {
    SystemClock.now_ms()
}

fn cli_change(what: &str) -> Change {
    Change::new(None, format!("命令行 {what}"), now_ms())
}

/// Opens the database. The default SQLite file (and its folder) is created on first use;
/// any other URL must point at a database that exists, unless `create` is set.
async fn open(url: &str, index_dir: Option<&std::path::Path>, create: bool) -> Result<Store> {
    let parsed = DbUrl::parse(url).map_err(|e| anyhow!("{e}"))?;
    let is_default = url == DEFAULT_DB;
    if is_default {
        std::fs::create_dir_all("data").context("creating the data folder")?;
    }
    let mode = if create || is_default { Open::CreateIfMissing } else { Open::Existing };
    let store = Store::connect(&parsed, mode).await.map_err(|e| anyhow!("{e}"))?;
    lianxin_store::migrate::run(&store).await.map_err(|e| anyhow!("migrating {}: {e}", parsed.redacted()))?;
    Ok(match index_dir {
        Some(dir) => store.with_index_dir(dir.to_path_buf()),
        None => store,
    })
}

fn config(args: &ServeArgs) -> Config {
    Config { secure_cookies: args.secure_cookies, ..Config::default() }
}

async fn serve(store: Store, args: &ServeArgs) -> Result<()> {
    // duty reminders now and then every day (each goes once per rule and period)
    let daily = store.clone();
    tokio::spawn(async move {
        loop {
            let today = lianxin_store::day_of_ms(SystemClock.now_ms());
            if let Err(e) = lianxin_store::duty::remind(&daily, today, &cli_change("remind")).await {
                tracing::warn!("duty reminders: {e}");
            }
            if let Err(e) = lianxin_store::requests::escalate(&daily, lianxin_domain::proposal::day_number(today), &cli_change("remind")).await {
                tracing::warn!("overdue requests: {e}");
            }
            tokio::time::sleep(std::time::Duration::from_secs(24 * 3600)).await;
        }
    });
    // bring the search index up to date (or build it) before the first search asks
    let warm = store.clone();
    tokio::spawn(async move {
        if let Err(e) = lianxin_store::search::catch_up(&warm).await {
            tracing::warn!("search index: {e}");
        }
    });
    let state = AppState::new(store, config(args), Arc::new(SystemClock));
    let app = lianxin_web::app(state);
    let listener = tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("listening on {}", args.listen))?;
    println!("连心 Lianxin: http://{}/", listener.local_addr()?);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() {
    // a clerk sees the message, not a stack trace
    if let Err(e) = run().await {
        eprintln!("错误 / error: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("LIANXIN_LOG").unwrap_or_else(|_| "warn".into()))
        .init();
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Serve(args) => {
            let store = open(&cli.database_url, cli.index_dir.as_deref(), false).await?;
            if lianxin_store::users::list(&store).await.map_err(|e| anyhow!("{e}"))?.is_empty() {
                println!("还没有用户:用 `lianxin admin create-user --username admin --name 管理员 --password …` 创建管理员,或运行 `lianxin demo`。");
                println!("No users yet: create one with `lianxin admin create-user …`, or run `lianxin demo`.");
            }
            serve(store, &args).await
        }
        Cmd::Demo { serve: args, no_serve } => {
            let store = open(&cli.database_url, cli.index_dir.as_deref(), true).await?;
            if lianxin_store::demo::exists(&store).await.map_err(|e| anyhow!("{e}"))? {
                println!("演示数据已存在 / demo data already present");
            } else {
                let started = std::time::Instant::now();
                let bar = indicatif::ProgressBar::new_spinner();
                let s = lianxin_store::demo::build(&store, &cli_change("demo"), &|stage| bar.set_message(stage.to_string()))
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
                bar.finish_and_clear();
                println!(
                    "演示数据已建成 / demo built in {:.1} s: {} organisations, {} members, {} residents, {} congresses, {} delegates, {} liaison links, {} proposals, {} activities, {} ballots at the annual meeting",
                    started.elapsed().as_secs_f64(),
                    s.orgs,
                    s.members,
                    s.residents,
                    s.bodies,
                    s.delegates,
                    s.links,
                    s.proposals,
                    s.activities,
                    s.ballots
                );
            }
            let c = Config::default();
            let logins =
                lianxin_web::setup::demo_users(&store, &cli_change("demo"), c.argon2_m_kib, c.argon2_t).await.map_err(|e| anyhow!("{e:?}"))?;
            println!("\n演示账号 / demo logins (password 密码: {}):", lianxin_web::setup::DEMO_PASSWORD);
            for l in &logins {
                println!("  {:<14} {}", l.username, l.role_zh);
            }
            println!();
            if no_serve {
                return Ok(());
            }
            serve(store, &args).await
        }
        Cmd::Migrate => {
            let store = open(&cli.database_url, cli.index_dir.as_deref(), true).await?;
            let v = lianxin_store::migrate::current_version(&store).await.map_err(|e| anyhow!("{e}"))?;
            println!("schema version {v}");
            Ok(())
        }
        Cmd::Import { file, org, body, sheet } => {
            let store = open(&cli.database_url, cli.index_dir.as_deref(), false).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let sheets: Vec<lianxin_store::import::InSheet> = if file.extension().map(|e| e.eq_ignore_ascii_case("csv")).unwrap_or(false) {
                let s = lianxin_web::excel::read_csv(&bytes, &sheet).map_err(|e| anyhow!(e))?;
                vec![lianxin_store::import::InSheet { name: s.name, rows: s.rows }]
            } else {
                lianxin_web::excel::read_xlsx(&bytes)
                    .map_err(|e| anyhow!(e))?
                    .into_iter()
                    .map(|s| lianxin_store::import::InSheet { name: s.name, rows: s.rows })
                    .collect()
            };
            let root = lianxin_store::orgs::get(&store, org).await.map_err(|e| anyhow!("organisation {org}: {e}"))?;
            let body = match body {
                Some(b) => Some(lianxin_store::congress::body(&store, b).await.map_err(|e| anyhow!("congress {b}: {e}"))?),
                None => None,
            };
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let result = lianxin_store::import::run(&store, &root, body.as_ref(), &sheets, &cli_change("import"), &|done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })
            .await;
            bar.finish_and_clear();
            match result {
                Ok(rep) => {
                    for (s, c, u) in rep.counts {
                        println!("{s}: 新增 created {c}, 更新 updated {u}");
                    }
                    Ok(())
                }
                Err(lianxin_store::import::ImportError::Rows(errs)) => {
                    eprintln!("未导入任何数据 / nothing imported: {} errors", errs.len());
                    for e in &errs {
                        eprintln!("  {} 第{}行 row {}: {} / {}", e.sheet, e.row, e.row, e.zh, e.en);
                    }
                    bail!("import refused")
                }
                Err(lianxin_store::import::ImportError::Store(e)) => bail!("{e}"),
            }
        }
        Cmd::Export { what, body, org, out } => {
            let store = open(&cli.database_url, cli.index_dir.as_deref(), false).await?;
            let lang = lianxin_domain::Lang::Zh;
            let table = match what.as_str() {
                "delegates" => {
                    let b =
                        lianxin_store::congress::body(&store, body.ok_or_else(|| anyhow!("--body is needed"))?).await.map_err(|e| anyhow!("{e}"))?;
                    let today = lianxin_domain::error::fmt_date(lianxin_store::day_of_ms(now_ms()));
                    let t = lianxin_store::congress::current_term(&store, &b, &today)
                        .await
                        .map_err(|e| anyhow!("{e}"))?
                        .ok_or_else(|| anyhow!("the congress has no term"))?;
                    let page = lianxin_store::congress::delegates(&store, &t, &[None], &Default::default(), lianxin_store::PageReq::all())
                        .await
                        .map_err(|e| anyhow!("{e}"))?;
                    lianxin_web::pages::delegates_table_pub(lang, &page.items)
                }
                "people" => {
                    let o = lianxin_store::orgs::get(&store, org.ok_or_else(|| anyhow!("--org is needed"))?).await.map_err(|e| anyhow!("{e}"))?;
                    let f = lianxin_store::people::PeopleFilter { org_id: Some(o.id), ..Default::default() };
                    let page = lianxin_store::people::list(&store, o.tenant_id, &[None], &f, lianxin_store::PageReq::all())
                        .await
                        .map_err(|e| anyhow!("{e}"))?;
                    lianxin_web::pages::people_table_pub(lang, &page.items)
                }
                other => bail!("unknown export '{other}': use delegates or people"),
            };
            let bytes = lianxin_web::excel::write_table(&what, &table).map_err(|e| anyhow!(e))?;
            std::fs::write(&out, bytes)?;
            println!("{} rows → {}", table.rows.len(), out.display());
            Ok(())
        }
        Cmd::Audit { cmd: AuditCmd::Verify } => {
            let store = open(&cli.database_url, cli.index_dir.as_deref(), false).await?;
            match lianxin_store::audit::verify(&store).await.map_err(|e| anyhow!("{e}"))? {
                Ok(v) => {
                    println!("audit chain intact: {} entries, head {}", v.entries, v.head_hash);
                    Ok(())
                }
                Err(b) => bail!("AUDIT CHAIN BROKEN / 操作日志被篡改: {b:?}"),
            }
        }
        Cmd::Bench { requests, search_docs, request_rows, voters, votes, ballots, election_ballots, communities } => {
            if election_ballots > 0 {
                bench_elections::run(election_ballots, communities).await?;
            }
            if voters > 0 {
                bench_ballots::run(voters, votes.max(2), ballots).await?;
            }
            if requests > 0 {
                bench::run(&cli.database_url, requests).await?;
            }
            if request_rows > 0 {
                bench_requests::run(request_rows, requests.max(20)).await?;
            }
            bench_search::run(search_docs, requests.max(200))
        }
        Cmd::Count { file, ballots } => {
            use std::io::Read;
            let mut text = String::new();
            if file.as_os_str() == "-" {
                std::io::stdin().read_to_string(&mut text)?;
            } else {
                text = std::fs::read_to_string(&file).map_err(|e| anyhow!("{}: {e}", file.display()))?;
            }
            let counted = match ballots {
                None => lianxin_domain::counting::count_json(&text),
                Some(sheet) => ballots_from_sheet(&text, &sheet).and_then(|t| lianxin_domain::counting::count_json(&t)),
            };
            match counted {
                Ok(v) => {
                    println!("{}", serde_json::to_string_pretty(&v)?);
                    Ok(())
                }
                Err(lianxin_domain::DomainError::Invalid(errs)) => {
                    for e in errs {
                        eprintln!("{} / {}", e.zh, e.en);
                    }
                    std::process::exit(2);
                }
                Err(e) => Err(anyhow!("{e}")),
            }
        }
        Cmd::Remind => {
            let store = open(&cli.database_url, cli.index_dir.as_deref(), false).await?;
            let today = lianxin_store::day_of_ms(SystemClock.now_ms());
            let n = lianxin_store::duty::remind(&store, today, &cli_change("remind")).await.map_err(|e| anyhow!("{e}"))?;
            let late = lianxin_store::requests::escalate(&store, lianxin_domain::proposal::day_number(today), &cli_change("remind"))
                .await
                .map_err(|e| anyhow!("{e}"))?;
            println!("{n} duty reminders, {late} overdue requests escalated / 已发送 {n} 条履职提醒,{late} 件超期诉求督办");
            Ok(())
        }
        Cmd::Reindex => {
            let store = open(&cli.database_url, cli.index_dir.as_deref(), false).await?;
            let bar = indicatif::ProgressBar::new(0);
            let n = lianxin_store::search::rebuild(&store, &|done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })
            .await
            .map_err(|e| anyhow!("{e}"))?;
            bar.finish_and_clear();
            println!("{n} proposals indexed");
            Ok(())
        }
        Cmd::Backup { out } => {
            let parsed = DbUrl::parse(&cli.database_url).map_err(|e| anyhow!("{e}"))?;
            if parsed.sqlite_path().is_none() {
                bail!("for PostgreSQL use pg_dump; `lianxin backup` copies a SQLite database");
            }
            if out.exists() {
                bail!("{} exists already; choose a new file", out.display());
            }
            let store = open(&cli.database_url, cli.index_dir.as_deref(), false).await?;
            let target = out.to_string_lossy().replace('\'', "''");
            // VACUUM INTO writes a consistent copy while the server keeps running
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM INTO '{target}'"))).execute(&store.pool).await?;
            println!("backup written to {}", out.display());
            Ok(())
        }
        Cmd::Admin { cmd: AdminCmd::CreateUser { username, name, password, role, scope_org, body } } => {
            let store = open(&cli.database_url, cli.index_dir.as_deref(), false).await?;
            lianxin_web::auth::check_password(&password).map_err(|e| anyhow!("{}", e.zh))?;
            let role =
                <lianxin_domain::access::Role as lianxin_domain::lang::Coded>::from_code(&role).ok_or_else(|| anyhow!("unknown role {role}"))?;
            let c = Config::default();
            let hash = lianxin_web::auth::hash_password_sync(&password, c.argon2_m_kib, c.argon2_t).map_err(|e| anyhow!("{e:?}"))?;
            let ch = cli_change("admin");
            let tenant = match scope_org {
                Some(o) => Some(lianxin_store::orgs::get(&store, o).await.map_err(|e| anyhow!("{e}"))?.tenant_id),
                None => None,
            };
            let u = lianxin_store::users::create(
                &store,
                &lianxin_store::users::NewUser { username, display_name: name, password_hash: hash, tenant_id: tenant, person_id: None },
                &ch,
            )
            .await
            .map_err(|e| anyhow!("{e}"))?;
            lianxin_store::users::grant(&store, u.id, role, scope_org, body, &ch).await.map_err(|e| anyhow!("{e}"))?;
            println!("user {} created", u.username);
            Ok(())
        }
    }
}

/// The request with its `ballots` read from a tally sheet of patterns (CSV or the first sheet of
/// an .xlsx file), for `lianxin count --ballots`.
fn ballots_from_sheet(request: &str, sheet: &std::path::Path) -> Result<String, lianxin_domain::DomainError> {
    use lianxin_domain::{DomainError, FieldError};
    let bad = |zh: String, en: String| DomainError::invalid(FieldError::new("ballots", "invalid", zh, en));
    let mut v: serde_json::Value = serde_json::from_str(request).map_err(|e| bad(format!("不是有效的 JSON:{e}"), format!("not valid JSON: {e}")))?;
    if !v.is_object() {
        return Err(bad("计票请求须为 JSON 对象".into(), "the request must be a JSON object".into()));
    }
    let bytes = std::fs::read(sheet).map_err(|e| bad(format!("{}:{e}", sheet.display()), format!("{}: {e}", sheet.display())))?;
    let is_csv = sheet.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let rows = if is_csv {
        lianxin_web::excel::read_csv(&bytes, "ballots").map_err(|e| bad(e.clone(), e))?.rows
    } else {
        let mut sheets = lianxin_web::excel::read_xlsx(&bytes).map_err(|e| bad(e.clone(), e))?;
        if sheets.is_empty() {
            return Err(bad("表格中没有工作表".into(), "the workbook has no sheet".into()));
        }
        sheets.swap_remove(0).rows
    };
    let multi_post = v.get("posts").and_then(|p| p.as_array()).is_some_and(|p| !p.is_empty());
    let patterns = lianxin_domain::counting::patterns::from_rows(&rows, multi_post)?;
    v["ballots"] = serde_json::to_value(patterns).map_err(|e| bad(e.to_string(), e.to_string()))?;
    Ok(v.to_string())
}
