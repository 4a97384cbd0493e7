//! `lianxin bench --voters N`: a meeting hall of N delegates voting over HTTP (issue 5), on
//! SQLite and on PostgreSQL when `LIANXIN_TEST_PG_URL` is set. The server is this binary in
//! another process; the load generator shares the machine's cores with it and talks only to
//! 127.0.0.1. Every voter keeps one connection open, fetches a ballot pass once, then:
//!
//! 1. *saturation*: every voter casts in each of the first half of the votes as fast as the
//!    server answers (closed loop: the throughput the server can sustain);
//! 2. *at the target rate*: ballots are sent on a fixed schedule of 10,000 a second spread over
//!    all voters (open loop), each ballot's latency counted from its scheduled time, so a slow
//!    answer cannot hide the ballots queued behind it.
//!
//! Afterwards every vote is closed and counted, and the count must equal the acknowledged
//! ballots. Then N hall screens watch the meeting over server-sent events and the time from a
//! ballot to each screen's update is measured; then a million ballots of ten items are put in
//! one box and counted.

use anyhow::{anyhow, bail, Result};
use lianxin_domain::access::Role;
use lianxin_domain::ballot::{Question, VoteMode};
use lianxin_domain::congress::DelegateInput;
use lianxin_domain::person::PersonInput;
use lianxin_store::db::{insert_rows, q, RowExt, Q, V};
use lianxin_store::meetings::{self, MeetingInput};
use lianxin_store::users::{self, NewUser};
use lianxin_store::{congress, demo, people, Change, Store};
use lianxin_web::clock::{Clock, SystemClock};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One keep-alive HTTP/1.1 connection, enough for this benchmark's requests.
struct Conn {
    r: BufReader<TcpStream>,
    port: u16,
    cookie: String,
}

impl Conn {
    async fn open(port: u16, session: &str) -> Result<Conn> {
        let s = TcpStream::connect(("127.0.0.1", port)).await?;
        s.set_nodelay(true)?;
        Ok(Conn { r: BufReader::new(s), port, cookie: format!("lx_session={session}") })
    }
    /// Sends a request and reads the answer: (status, body).
    async fn send(&mut self, method: &str, path: &str, body: &str) -> Result<(u16, String)> {
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nCookie: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.port,
            self.cookie,
            body.len()
        );
        self.r.get_mut().write_all(req.as_bytes()).await?;
        let mut line = String::new();
        self.r.read_line(&mut line).await?;
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| anyhow!("bad status line {line:?}"))?;
        let mut len = 0usize;
        loop {
            line.clear();
            if self.r.read_line(&mut line).await? == 0 {
                bail!("connection closed");
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse()?;
                }
            }
        }
        let mut buf = vec![0; len];
        self.r.read_exact(&mut buf).await?;
        Ok((status, String::from_utf8_lossy(&buf).into_owned()))
    }
}

struct Hall {
    meeting: i64,
    votes: Vec<i64>,
    sessions: Vec<String>,
}

/// The county's congress gets `voters` more delegates, each with an account and a session;
/// a meeting with all of them present; `votes` secret three-item motions, open.
async fn hall(store: &Store, voters: usize, votes: usize, change: &Change) -> Result<Hall> {
    let e = |e: lianxin_store::StoreError| anyhow!("{e}");
    let body_id = q("SELECT id FROM bodies WHERE org_id = $1", [demo::COUNTY_ID.into()]).fetch_one(&store.pool).await?.i("id");
    let body = congress::body(store, body_id).await.map_err(e)?;
    let today = lianxin_domain::error::fmt_date(change.today());
    let term = congress::current_term(store, &body, &today).await.map_err(e)?.ok_or_else(|| anyhow!("no current term"))?;
    let mut sessions = Vec::with_capacity(voters);
    let mut delegates = Vec::with_capacity(voters);
    for k in 0..voters {
        let p = PersonInput {
            name: format!("测试代表{k:04}"),
            gender: if k % 2 == 0 { "男" } else { "女" }.into(),
            birth_date: Some("1980-05-01".into()),
            org_id: body.org_id,
            kind: "member".into(),
            ..Default::default()
        };
        let person = people::create(store, &p, change).await.map_err(e)?;
        let d =
            congress::add_delegate(store, &term, &DelegateInput { person_id: person.id, category: "farmer".into(), ..Default::default() }, change)
                .await
                .map_err(e)?;
        delegates.push(d.id);
        let u = users::create(
            store,
            &NewUser {
                username: format!("hall{k:04}"),
                display_name: format!("测试代表{k:04}"),
                password_hash: "-".into(),
                tenant_id: Some(body.tenant_id),
                person_id: Some(person.id),
            },
            change,
        )
        .await
        .map_err(e)?;
        users::grant(store, u.id, Role::Delegate, Some(body.org_id), Some(body.id), change).await.map_err(e)?;
        let token = format!("hall-session-{k:04}");
        users::create_session(store, &lianxin_web::auth::sha256_hex(&token), u.id, "csrf", change.now_ms, 6 * 3_600_000).await.map_err(e)?;
        sessions.push(token);
    }
    let input =
        MeetingInput { kind: "annual".into(), title: "测试年会(投票压力)".into(), on: today.clone(), place: "县会议中心".into() };
    let m = meetings::create(store, &body, &term, &input, change).await.map_err(e)?;
    // everyone checks in (set directly: the check-in itself is not what is measured)
    for ids in delegates.chunks(500) {
        let mut u = Q::new("UPDATE meeting_attendees SET status = 'present' WHERE tenant_id = ");
        u.push("? AND meeting_id = ? AND delegate_id IN ", [m.tenant_id.into(), m.id.into()]);
        u.push_in(ids);
        u.build().execute(&store.pool).await?;
    }
    let mut ids = Vec::new();
    for k in 0..votes {
        let (title, question) = Question::validate(&format!("第{}项决议", k + 1), "motion", "工作报告\n财务报告\n提案办理情况报告", None)
            .map_err(|e| anyhow!("{e:?}"))?;
        let v = meetings::create_vote(store, &m, &title, &question, "party_branch_resolution", VoteMode::Secret, change).await.map_err(e)?;
        ids.push(meetings::open_vote(store, &v, change).await.map_err(e)?.id);
    }
    Ok(Hall { meeting: m.id, votes: ids, sessions })
}

fn pct(times: &mut [Duration], p: f64) -> Duration {
    times.sort_unstable();
    times[((times.len() as f64 * p / 100.0) as usize).min(times.len().saturating_sub(1))]
}

fn ballot(k: usize, pass: &str) -> String {
    let mark = |i: usize| ["yes", "no", "abstain"][(k + i) % 3];
    format!(r#"{{"pass":"{pass}","choices":["{}","{}","{}"]}}"#, mark(0), mark(1), mark(2))
}

/// What one phase measured.
struct Phase {
    ballots: usize,
    wall: Duration,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

/// Each voter casts in each of `votes`: back to back (`rate` None), or on the schedule of
/// `rate` ballots a second spread over all voters.
async fn phase(conns: Vec<(Conn, String)>, votes: Vec<i64>, rate: Option<f64>) -> Result<(Vec<(Conn, String)>, Phase)> {
    let n = conns.len();
    let votes = Arc::new(votes);
    let start = tokio::time::Instant::now() + Duration::from_millis(200);
    let mut tasks = Vec::new();
    for (k, (mut c, pass)) in conns.into_iter().enumerate() {
        let votes = votes.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(votes.len());
            tokio::time::sleep_until(start).await;
            for (j, vote) in votes.iter().enumerate() {
                let due = match rate {
                    Some(r) => {
                        let at = start + Duration::from_secs_f64((j * n + k) as f64 / r);
                        tokio::time::sleep_until(at).await;
                        at
                    }
                    None => tokio::time::Instant::now(),
                };
                let (status, body) = c.send("POST", &format!("/api/v1/votes/{vote}/cast"), &ballot(k + j, &pass)).await?;
                if status != 200 || !body.contains(r#""status":"in""#) {
                    bail!("voter {k}, vote {vote}: {status} {body}");
                }
                times.push(due.elapsed());
            }
            Ok::<_, anyhow::Error>(((c, pass), times))
        }));
    }
    let mut all = Vec::new();
    let mut back = Vec::new();
    for t in tasks {
        let (c, times) = t.await??;
        back.push(c);
        all.extend(times);
    }
    let wall = start.elapsed();
    let ballots = all.len();
    Ok((back, Phase { ballots, wall, p50: pct(&mut all, 50.0), p99: pct(&mut all, 99.0), max: pct(&mut all, 100.0) }))
}

/// `screens` hall screens watch the meeting; `rounds` times one ballot is cast and the time
/// until each screen has the new state is taken. Returns those delivery times.
async fn screens(port: u16, h: &Hall, store: &Store, change: &Change, rounds: usize) -> Result<Vec<Duration>> {
    let n = h.sessions.len();
    let (tx, _) = tokio::sync::broadcast::channel::<()>(4);
    let mut watchers = Vec::new();
    let ready = Arc::new(tokio::sync::Semaphore::new(0));
    for k in 0..n {
        let (session, ready) = (h.sessions[k].clone(), ready.clone());
        let mut stop = tx.subscribe();
        let path = format!("/meetings/{}/screen/events", h.meeting);
        watchers.push(tokio::spawn(async move {
            let mut s = TcpStream::connect(("127.0.0.1", port)).await?;
            let req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: lx_session={session}\r\nAccept: text/event-stream\r\n\r\n");
            s.write_all(req.as_bytes()).await?;
            let mut seen = Vec::new();
            let mut buf = vec![0u8; 16 * 1024];
            let mut tail: Vec<u8> = Vec::new();
            let mut first = true;
            loop {
                let got = tokio::select! {
                    r = s.read(&mut buf) => r?,
                    _ = stop.recv() => break,
                };
                if got == 0 {
                    break;
                }
                tail.extend_from_slice(&buf[..got]);
                // each event is a "data:" line; a marker split between two reads is kept whole
                while let Some(i) = tail.windows(5).position(|w| w == b"data:") {
                    tail.drain(..i + 5);
                    if first {
                        first = false;
                        ready.add_permits(1);
                    } else {
                        seen.push(Instant::now());
                    }
                }
                if tail.len() > 4 {
                    tail.drain(..tail.len() - 4);
                }
            }
            Ok::<_, anyhow::Error>(seen)
        }));
    }
    let _ = tokio::time::timeout(Duration::from_secs(120), ready.acquire_many(n as u32)).await.map_err(|_| anyhow!("screens did not connect"))?;
    // a fresh vote, opened from outside the server: its screens find it within a second
    let m = meetings::get(store, h.meeting).await.map_err(|e| anyhow!("{e}"))?;
    let (title, question) = Question::validate("大屏测试决议", "motion", "", None).map_err(|e| anyhow!("{e:?}"))?;
    let v =
        meetings::create_vote(store, &m, &title, &question, "party_branch_resolution", VoteMode::Secret, change).await.map_err(|e| anyhow!("{e}"))?;
    meetings::open_vote(store, &v, change).await.map_err(|e| anyhow!("{e}"))?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut sent = Vec::new();
    for r in 0..rounds {
        let mut c = Conn::open(port, &h.sessions[r]).await?;
        let (_, p) = c.send("GET", &format!("/api/v1/meetings/{}/pass", h.meeting), "").await?;
        let pass = serde_json::from_str::<serde_json::Value>(&p)?["pass"].as_str().unwrap_or_default().to_string();
        let t = Instant::now();
        let (status, body) = c.send("POST", &format!("/api/v1/votes/{}/cast", v.id), &format!(r#"{{"pass":"{pass}","choices":["yes"]}}"#)).await?;
        if status != 200 {
            bail!("screen round {r}: {status} {body}");
        }
        sent.push(t);
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    let _ = tx.send(());
    let mut delays = Vec::new();
    for w in watchers {
        let seen = w.await??;
        // the first event after the opening is the vote appearing; then one per ballot
        for (r, t) in sent.iter().enumerate() {
            match seen.iter().find(|s| *s >= t) {
                Some(s) => delays.push(s.duration_since(*t)),
                None => bail!("a screen missed round {r}"),
            }
        }
    }
    Ok(delays)
}

/// A million ballots of ten items in one box (written directly), then counted as the close
/// counts them.
async fn million(store: &Store, h: &Hall, change: &Change, n: usize) -> Result<(Duration, Duration, Duration)> {
    // a meeting of its own, whose roll holds a voter present for each ballot (the count reads
    // the attendance too)
    let hall = meetings::get(store, h.meeting).await.map_err(|e| anyhow!("{e}"))?;
    let body = congress::body(store, hall.body_id).await.map_err(|e| anyhow!("{e}"))?;
    let term = congress::term(store, hall.term_id).await.map_err(|e| anyhow!("{e}"))?;
    let input = MeetingInput { kind: "annual".into(), title: "百万选票计票测试".into(), on: hall.on_date.clone(), place: String::new() };
    let m = meetings::create(store, &body, &term, &input, change).await.map_err(|e| anyhow!("{e}"))?;
    let items: Vec<String> = (1..=10).map(|i| format!("第{i}项")).collect();
    let (title, question) = Question::validate("十项决议(一百万张选票)", "motion", &items.join("\n"), None).map_err(|e| anyhow!("{e:?}"))?;
    let v =
        meetings::create_vote(store, &m, &title, &question, "party_branch_resolution", VoteMode::Secret, change).await.map_err(|e| anyhow!("{e}"))?;
    let v = meetings::open_vote(store, &v, change).await.map_err(|e| anyhow!("{e}"))?;
    let t = Instant::now();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut tx = store.pool.begin().await?;
    let mut roll: Vec<[V; 6]> = Vec::with_capacity(10_000);
    for k in 0..n {
        roll.push([m.tenant_id.into(), m.id.into(), (1_000_000_000_000 + k as i64).into(), "voting".into(), "present".into(), "".into()]);
        if roll.len() == 10_000 || k + 1 == n {
            insert_rows(&mut tx, "INSERT INTO meeting_attendees (tenant_id, meeting_id, delegate_id, role, status, note) VALUES", &roll, 1000)
                .await?;
            roll.clear();
        }
    }
    let mut rows: Vec<[V; 6]> = Vec::with_capacity(10_000);
    for k in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // mostly yes, some no and abstain, as a hall votes
        let marks: Vec<&str> = (0..10)
            .map(|i| match (x >> (i * 6)) % 20 {
                0 => "n",
                1 => "a",
                _ => "y",
            })
            .collect();
        rows.push([
            v.tenant_id.into(),
            v.id.into(),
            format!("{x:016x}{k:08x}").into(),
            format!("{k:020}").into(),
            marks.join(",").into(),
            V::OI(None),
        ]);
        if rows.len() == 10_000 || k + 1 == n {
            insert_rows(&mut tx, "INSERT INTO ballots (tenant_id, vote_id, id, fingerprint, choices, voter_id) VALUES", &rows, 1000).await?;
            rows.clear();
        }
    }
    tx.commit().await?;
    let filled = t.elapsed();
    let t = Instant::now();
    let closed = meetings::close_vote(store, &v, change).await.map_err(|e| anyhow!("{e}"))?;
    let closing = t.elapsed();
    let got = closed.result.as_ref().and_then(|r| r["ballots"].as_u64()).unwrap_or(0);
    if got != n as u64 {
        bail!("counted {got} of {n}");
    }
    // on PostgreSQL the close vacuums the box in the background; wait for it here, so the
    // recount below is the count the close itself made (before its rewrite, on live rows only)
    if store.backend == lianxin_store::db::Backend::Postgres {
        sqlx::raw_sql("VACUUM (ANALYZE) ballots, vote_roll").execute(&store.pool).await?;
    }
    // the count alone, as an auditor's recount runs it: group the box, apply the rules
    let t = Instant::now();
    let again = meetings::recount(store, &closed).await.map_err(|e| anyhow!("{e}"))?;
    let counted = t.elapsed();
    if Some(&again) != closed.result.as_ref() {
        bail!("the recount differs from the result");
    }
    Ok((filled, closing, counted))
}

pub async fn run(voters: usize, votes: usize, ballots: usize) -> Result<()> {
    println!("## lianxin bench — a hall of {voters} voters, {votes} votes each, over HTTP on loopback\n");
    let dbs = crate::bench::databases().await;
    for (name, db) in &dbs {
        let change = Change::new(None, "bench", SystemClock.now_ms());
        demo::build(&db.store, &change, &|_| {}).await.map_err(|e| anyhow!("{e}"))?;
        let t = Instant::now();
        let h = hall(&db.store, voters, votes, &change).await?;
        let set_up = t.elapsed();
        let (mut server, port) = crate::bench::start_server(&db.url).await?;
        let result = async {
            // every voter connects and fetches a pass (as the ballot page does when opened)
            let t = Instant::now();
            let mut conns = Vec::with_capacity(voters);
            for s in &h.sessions {
                let mut c = Conn::open(port, s).await?;
                let (status, body) = c.send("GET", &format!("/api/v1/meetings/{}/pass", h.meeting), "").await?;
                if status != 200 {
                    bail!("pass: {status} {body}");
                }
                let pass = serde_json::from_str::<serde_json::Value>(&body)?["pass"].as_str().unwrap_or_default().to_string();
                conns.push((c, pass));
            }
            let passes = t.elapsed();
            let half = h.votes.len() / 2;
            let (conns, sat) = phase(conns, h.votes[..half].to_vec(), None).await?;
            let (conns, paced) = phase(conns, h.votes[half..].to_vec(), Some(10_000.0)).await?;
            drop(conns);
            // every vote counted: the boxes hold exactly the acknowledged ballots
            let t = Instant::now();
            let mut in_boxes = 0u64;
            for id in &h.votes {
                let v = meetings::vote(&db.store, *id).await.map_err(|e| anyhow!("{e}"))?;
                let closed = meetings::close_vote(&db.store, &v, &change).await.map_err(|e| anyhow!("{e}"))?;
                in_boxes += closed.result.as_ref().and_then(|r| r["ballots"].as_u64()).unwrap_or(0);
            }
            let closing = t.elapsed();
            if in_boxes as usize != sat.ballots + paced.ballots {
                bail!("{in_boxes} ballots in the boxes, {} acknowledged", sat.ballots + paced.ballots);
            }
            let mut delays = screens(port, &h, &db.store, &change, 5).await?;
            Ok::<_, anyhow::Error>((
                passes,
                sat,
                paced,
                closing,
                in_boxes,
                delays.len(),
                pct(&mut delays, 50.0),
                pct(&mut delays, 99.0),
                pct(&mut delays, 100.0),
            ))
        }
        .await;
        let _ = server.kill().await;
        let _ = server.wait().await;
        let (passes, sat, paced, closing, in_boxes, screens_n, s50, s99, smax) = result?;
        let (filled, closing_m, counted) =
            if ballots > 0 { million(&db.store, &h, &change, ballots).await? } else { (Duration::ZERO, Duration::ZERO, Duration::ZERO) };
        let ms = crate::bench::ms;
        println!("### {name}\n");
        println!(
            "Set-up (accounts, delegates, meeting, {votes} open votes): {:.1} s; {voters} passes fetched in {:.2} s.\n",
            set_up.as_secs_f64(),
            passes.as_secs_f64()
        );
        println!("| phase | ballots | seconds | ballots/s | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|");
        for (label, p) in [("saturation (closed loop, every voter at once)", &sat), ("10,000 ballots/s offered (open loop)", &paced)] {
            println!(
                "| {label} | {} | {:.2} | {:.0} | {} | {} | {} |",
                p.ballots,
                p.wall.as_secs_f64(),
                p.ballots as f64 / p.wall.as_secs_f64(),
                ms(p.p50),
                ms(p.p99),
                ms(p.max)
            );
        }
        println!(
            "\nClosing and counting the {} votes: {:.2} s; the boxes hold {in_boxes} ballots, as many as were acknowledged.\n",
            h.votes.len(),
            closing.as_secs_f64()
        );
        println!(
            "Hall screens: {voters} connected; a ballot reached every screen ({screens_n} deliveries) in p50 {} ms, p99 {} ms, max {} ms.\n",
            ms(s50),
            ms(s99),
            ms(smax)
        );
        if ballots > 0 {
            println!(
                "{ballots} stored ballots of ten items, with as many voters present: **counted in {:.2} s** (grouping the box, the attendance, the rules: \
                 an auditor's recount, equal to the result); the whole close, with the box rewritten in key order where the database needs it, {:.2} s. \
                 (Written in {:.1} s.)\n",
                counted.as_secs_f64(),
                closing_m.as_secs_f64(),
                filled.as_secs_f64()
            );
        }
    }
    for (_, db) in dbs {
        db.drop_db().await;
    }
    Ok(())
}
