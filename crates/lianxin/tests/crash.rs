//! A crash during a vote (issue 5): forty delegates vote over HTTP against a real server, on a
//! SQLite file and on PostgreSQL; the server is killed with SIGKILL while ballots are arriving
//! and started again; every ballot that was acknowledged with a receipt is still in the box,
//! and no delegate has two. Talks only to 127.0.0.1; bounded in count and time.

#![allow(clippy::unwrap_used)]

use lianxin_domain::access::Role;
use lianxin_domain::ballot::{Question, VoteMode};
use lianxin_store::db::{q, Open, RowExt};
use lianxin_store::meetings::{self, MeetingInput};
use lianxin_store::users::{self, NewUser};
use lianxin_store::{congress, demo, Change, DbUrl, Store};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const VOTERS: usize = 40;

fn start(url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_lianxin"))
        .args(["--database-url", url, "serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server")
}

async fn wait_up(port: u16) {
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not start");
}

/// One cast over a fresh connection: Some(receipt), Some("") when already in, None when the
/// server did not answer (it was killed).
async fn cast(port: u16, vote: i64, k: usize) -> Option<String> {
    let form = format!("_csrf=csrf&m0={}", if k.is_multiple_of(3) { "no" } else { "yes" });
    let req = format!(
        "POST /votes/{vote}/cast HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: lx_session=voter{k}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    s.write_all(req.as_bytes()).await.ok()?;
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await.ok()?.ok()?;
    let text = String::from_utf8_lossy(&out).to_string();
    if !text.starts_with("HTTP/1.1 200") {
        return None;
    }
    if text.contains("您已投过票") {
        return Some(String::new());
    }
    text.split("<dd>").nth(1).and_then(|s| s.split("</dd>").next()).map(|r| r.trim().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_ballots_survive_a_killed_server_on_sqlite() {
    sqlx::any::install_default_drivers();
    let dir = std::env::temp_dir().join(format!("lianxin-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("lx.db").display());
    crash_during_a_vote(&url, 41_000).await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_ballots_survive_a_killed_server_on_postgres() {
    let Some(db) = lianxin_store::testkit::TestDb::postgres().await else { return };
    crash_during_a_vote(&db.url, 43_000).await;
    db.drop_db().await;
}

async fn crash_during_a_vote(url: &str, base_port: u16) {
    let url = url.to_string();
    let built =
        Command::new(env!("CARGO_BIN_EXE_lianxin")).args(["--database-url", &url, "demo", "--no-serve"]).stdout(Stdio::null()).status().unwrap();
    assert!(built.success());

    // a meeting of the town congress with forty delegates present, each signed in, and an open vote
    let store = Store::connect(&DbUrl::parse(&url).unwrap(), Open::Existing).await.unwrap();
    let now = lianxin_web::clock::Clock::now_ms(&lianxin_web::clock::SystemClock);
    let change = Change::new(None, "测试", now);
    let body =
        congress::body(&store, q("SELECT id FROM bodies WHERE org_id = $1", [demo::TOWN_ID.into()]).fetch_one(&store.pool).await.unwrap().i("id"))
            .await
            .unwrap();
    let today = lianxin_domain::error::fmt_date(change.today());
    let term = congress::current_term(&store, &body, &today).await.unwrap().unwrap();
    let input = MeetingInput { kind: "annual".into(), title: "年会(断电测试)".into(), on: today.clone(), place: String::new() };
    let m = meetings::create(&store, &body, &term, &input, &change).await.unwrap();
    let delegates = q("SELECT id, person_id FROM delegates WHERE term_id = $1 AND status = 'active' ORDER BY id LIMIT 40", [term.id.into()])
        .fetch_all(&store.pool)
        .await
        .unwrap();
    assert_eq!(delegates.len(), VOTERS);
    for (k, d) in delegates.iter().enumerate() {
        let u = users::create(
            &store,
            &NewUser {
                username: format!("voter{k}"),
                display_name: format!("代表{k}"),
                password_hash: "x".into(),
                tenant_id: Some(demo::TOWN_ID),
                person_id: Some(d.i("person_id")),
            },
            &change,
        )
        .await
        .unwrap();
        users::grant(&store, u.id, Role::Delegate, Some(demo::TOWN_ID), Some(body.id), &change).await.unwrap();
        users::create_session(&store, &lianxin_web::auth::sha256_hex(&format!("voter{k}")), u.id, "csrf", now, 3_600_000).await.unwrap();
        meetings::set_attendance(&store, &m, d.i("id"), "present", None, "", &change).await.unwrap();
    }
    let (title, question) = Question::validate("关于年度工作报告的决议", "motion", "", None).unwrap();
    let vote = meetings::create_vote(&store, &m, &title, &question, "party_branch_resolution", VoteMode::Secret, &change).await.unwrap();
    let vote = meetings::open_vote(&store, &vote, &change).await.unwrap();

    // the first half votes; the server is killed while the second half is sending
    let port = base_port + (std::process::id() % 2000) as u16;
    let mut server = start(&url, port);
    wait_up(port).await;
    let mut receipts: Vec<(usize, String)> = Vec::new();
    for k in 0..VOTERS / 2 {
        receipts.push((k, cast(port, vote.id, k).await.expect("answered before the crash")));
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let sending = tokio::spawn(async move {
        let (mut got, mut tx) = (Vec::new(), Some(tx));
        for k in VOTERS / 2..VOTERS {
            if let Some(r) = cast(port, vote.id, k).await {
                got.push((k, r));
            }
            // three more acknowledged: now pull the plug while the next ones are sent
            if got.len() == 3 {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(());
                }
            }
        }
        got
    });
    rx.await.unwrap();
    server.kill().unwrap(); // SIGKILL: no shutdown, no flush
    server.wait().unwrap();
    receipts.extend(sending.await.unwrap());

    // started again, everyone tries (again): those in are told so, the rest vote now
    let mut server = start(&url, port);
    wait_up(port).await;
    let mut already = 0;
    for k in 0..VOTERS {
        match cast(port, vote.id, k).await.expect("answered after the restart") {
            r if r.is_empty() => already += 1,
            r => receipts.push((k, r)),
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let vote = meetings::close_vote(&store, &meetings::vote(&store, vote.id).await.unwrap(), &change).await.unwrap();
    let ballots = meetings::published(&store, &vote).await.unwrap();
    assert_eq!(ballots.len(), VOTERS, "one ballot per delegate, none twice");
    let roll = q("SELECT COUNT(*) AS n FROM vote_roll WHERE vote_id = $1", [vote.id.into()]).fetch_one(&store.pool).await.unwrap().i("n");
    assert_eq!(roll as usize, VOTERS);
    assert!(already >= VOTERS / 2 + 3, "those acknowledged before the crash were in");
    assert!(already < VOTERS, "the crash cut the voting short: some voted only after the restart");
    for (k, r) in receipts.iter().filter(|(_, r)| !r.is_empty()) {
        assert!(meetings::find_receipt(&store, &vote, r).await.unwrap().is_some(), "voter {k}'s acknowledged ballot is in the box");
    }
    let yes = vote.result.as_ref().unwrap()["items"][0]["yes"].as_u64().unwrap();
    assert_eq!(yes as usize, (0..VOTERS).filter(|k| !k.is_multiple_of(3)).count());
    store.close().await;
}
