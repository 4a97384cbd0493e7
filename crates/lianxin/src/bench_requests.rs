//! `lianxin bench --request-rows N`: the county demo plus N synthetic citizen requests in one
//! year (fixed-seed generator; statuses, categories, handlers, delegates and ratings in
//! plausible shares), on SQLite and on PostgreSQL when `LIANXIN_TEST_PG_URL` is set. Times
//! the request dashboards in-process, then the intake of new requests over HTTP on loopback
//! against a real server on the same database. Talks only to 127.0.0.1.

use crate::bench::{print_rows, sign_in_county, start_server, time_page, Rng};
use anyhow::{anyhow, Result};
use lianxin_domain::lang::Coded;
use lianxin_domain::request::{tracking_code, RequestCategory};
use lianxin_store::db::{insert_rows, q, RowExt, V};
use lianxin_store::{demo, Change};
use lianxin_web::clock::{Clock, SystemClock};
use lianxin_web::{AppState, Config};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PLACES: &[&str] = &["下楣桥村李家组", "城关镇东街社区", "西沙镇三号路口", "新塘村文化广场", "河口村老桥", "北门社区菜市场"];
const TEXTS: &[&str] = &[
    "水渠堵塞,农田灌溉困难,请尽快清淤",
    "路灯损坏多日,夜间出行不便",
    "垃圾清运不及时,夏天气味很大",
    "老旧小区加装电梯意见不一,请协调",
    "学校门口上下学时段交通拥堵",
    "宅基地边界纠纷,双方争执不下",
    "低保申请材料不知道怎么准备",
    "村道坑洼,雨天积水严重",
];

/// Writes `rows` requests for the county congress, all received in 2026.
async fn fill(store: &lianxin_store::Store, body: i64, tenant: i64, rows: u64) -> Result<()> {
    let delegates: Vec<i64> =
        q("SELECT d.id FROM delegates d JOIN terms t ON t.tenant_id = d.tenant_id AND t.id = d.term_id WHERE t.body_id = $1", [body.into()])
            .fetch_all(&store.pool)
            .await?
            .iter()
            .map(|r| r.i("id"))
            .collect();
    let handlers: Vec<i64> = q("SELECT id FROM orgs WHERE tenant_id = $1 ORDER BY id LIMIT 60", [tenant.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| r.i("id"))
        .collect();
    let (from, _) = lianxin_store::proposals::year_span_ms(2026).map_err(|e| anyhow!("{e}"))?;
    let span = 320 * 86_400_000_i64;
    let categories = RequestCategory::ALL;
    let mut rng = Rng(2026);
    let mut conn = store.pool.acquire().await?;
    if store.backend == lianxin_store::Backend::Sqlite {
        // a bulk load of random codes into a unique index wants a large page cache
        sqlx::raw_sql("PRAGMA cache_size = -262144").execute(&mut *conn).await?;
    }
    let mut done = 0;
    while done < rows {
        let n = (rows - done).min(20_000);
        let mut batch: Vec<[V; 20]> = Vec::with_capacity(n as usize);
        for k in done..done + n {
            let created = from + (k as i64) * span / rows as i64;
            let day = lianxin_store::day_number_of_ms(created);
            let roll = rng.below(100);
            let status = match roll {
                0..=69 => "closed",
                70..=77 => "replied",
                78..=89 => "assigned",
                90..=94 => "received",
                95..=97 => "declined",
                _ => "merged",
            };
            let handled = matches!(status, "closed" | "replied" | "assigned");
            let replied = matches!(status, "closed" | "replied");
            let feedback = (status == "closed").then(|| match rng.below(20) {
                0 => "unsatisfied",
                1..=4 => "basic",
                _ => "satisfied",
            });
            let delegate = (rng.below(10) < 8).then(|| delegates[rng.below(delegates.len() as u64) as usize]);
            let channel = if delegate.is_some() {
                if rng.below(2) == 0 {
                    "public_page"
                } else {
                    "delegate"
                }
            } else {
                "phone"
            };
            let code = tracking_code(rng.next().to_le_bytes());
            batch.push([
                V::I(tenant),
                V::I((1 << 52) + k as i64),
                V::I(body),
                V::T(code),
                V::OI(delegate),
                V::T(channel.into()),
                V::T(categories[rng.below(categories.len() as u64) as usize].code().into()),
                V::T(PLACES[rng.below(PLACES.len() as u64) as usize].into()),
                V::T(TEXTS[rng.below(TEXTS.len() as u64) as usize].into()),
                V::OT(None),
                V::OT(None),
                V::T(status.into()),
                V::OI(handled.then(|| handlers[rng.below(handlers.len() as u64) as usize])),
                V::OI(handled.then_some(day + 15)),
                V::I(0),
                V::OT(feedback.map(str::to_string)),
                V::I(created),
                V::I(created),
                V::OI(replied.then_some(created + 10 * 86_400_000)),
                V::OI(replied.then(|| i64::from(rng.below(10) < 9))),
            ]);
        }
        let mut tx = sqlx::Acquire::begin(&mut *conn).await?;
        insert_rows(
            &mut tx,
            "INSERT INTO requests (tenant_id, id, body_id, code, delegate_id, channel, category, place, text, requester_name, requester_phone, \
             status, handler_org_id, deadline_day, reopened, feedback, created_at, updated_at, replied_at, replied_on_time) VALUES",
            &batch,
            1000,
        )
        .await
        .map_err(|e| anyhow!("{e}"))?;
        tx.commit().await?;
        done += n;
    }
    Ok(())
}

/// `clients` tasks each send `each` requests as the office (a phone call written down), each on
/// a fresh loopback connection. Returns the latencies and the wall time.
async fn intake(port: u16, body: i64, clients: usize, each: usize) -> Result<(Vec<Duration>, Duration)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(each);
            for k in 0..each {
                let form = format!(
                    "_csrf=csrf&category=infrastructure&place=%E6%B2%B3%E5%8F%A3%E6%9D%91&text=%E8%B7%AF%E7%81%AF%E6%8D%9F%E5%9D%8F+{c}-{k}&name=&phone="
                );
                let req = format!(
                    "POST /bodies/{body}/requests HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: lx_session=bench\r\n\
                     Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
                    form.len()
                );
                let t = Instant::now();
                let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
                s.write_all(req.as_bytes()).await?;
                let mut out = Vec::new();
                s.read_to_end(&mut out).await?;
                times.push(t.elapsed());
                let head = String::from_utf8_lossy(&out[..out.len().min(15)]).to_string();
                if !head.starts_with("HTTP/1.1 303") {
                    return Err(anyhow!("intake answered {head}"));
                }
            }
            Ok::<_, anyhow::Error>(times)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok((all, started.elapsed()))
}

pub async fn run(rows: u64, requests: usize) -> Result<()> {
    println!("## lianxin bench — citizen requests: {rows} requests in one year, {requests} requests per page\n");
    let dbs = crate::bench::databases().await;
    for (name, db) in &dbs {
        let change = Change::new(None, "bench", SystemClock.now_ms());
        demo::build(&db.store, &change, &|_| {}).await.map_err(|e| anyhow!("{e}"))?;
        let b = q("SELECT id, tenant_id FROM bodies WHERE org_id = $1", [demo::COUNTY_ID.into()]).fetch_one(&db.store.pool).await?;
        let (body, tenant) = (b.i("id"), b.i("tenant_id"));
        let t = Instant::now();
        fill(&db.store, body, tenant, rows).await?;
        let filled = t.elapsed();
        // the running counts, computed once from the requests (what migration 14 does)
        let t = Instant::now();
        let mut conn = db.store.pool.acquire().await?;
        lianxin_store::request_tallies::rebuild(&mut conn).await.map_err(|e| anyhow!("{e}"))?;
        // statistics for the planner; on PostgreSQL also the visibility map autovacuum keeps,
        // which index-only scans rely on
        let tidy = if db.store.backend == lianxin_store::Backend::Postgres { "VACUUM ANALYZE" } else { "ANALYZE" };
        sqlx::raw_sql(tidy).execute(&mut *conn).await?;
        drop(conn);
        let counted = t.elapsed();
        sign_in_county(&db.store, &change).await?;
        let app = lianxin_web::app(AppState::new(db.store.clone(), Config::default(), Arc::new(SystemClock)));
        let pages = [
            (
                "request numbers, county-year 2026 (status, category, handler, delegate, group, organisation)",
                format!("/bodies/{body}/requests/stats?year=2026"),
            ),
            ("request list, first page (newest first)", format!("/bodies/{body}/requests")),
            ("request list, assigned only", format!("/bodies/{body}/requests?status=assigned")),
            ("request list, page 50", format!("/bodies/{body}/requests?page=50")),
        ];
        let mut timed = Vec::new();
        for (label, uri) in &pages {
            timed.push(time_page(&app, label, uri, requests).await?);
        }
        println!(
            "### {name}\n\n{rows} requests written in {:.1} s; running counts computed from them in {:.1} s.\n",
            filled.as_secs_f64(),
            counted.as_secs_f64()
        );
        print_rows(&timed);
        let sum = |store: lianxin_store::Store| async move {
            let t =
                q("SELECT CAST(SUM(n) AS BIGINT) AS n FROM request_tallies WHERE body_id = $1", [body.into()]).fetch_one(&store.pool).await?.i("n");
            let r = q("SELECT COUNT(*) AS n FROM requests WHERE body_id = $1", [body.into()]).fetch_one(&store.pool).await?.i("n");
            Ok::<_, anyhow::Error>((t, r))
        };
        let (before, _) = sum(db.store.clone()).await?;
        // intake over HTTP against a real server on the same database
        let (mut server, port) = start_server(&db.url).await?;
        let (clients, each) = (4, 250);
        let result = intake(port, body, clients, each).await;
        let _ = server.kill().await;
        let _ = server.wait().await;
        let (mut times, wall) = result?;
        times.sort();
        let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
        let total = clients * each;
        let (counted_now, stored) = sum(db.store.clone()).await?;
        println!(
            "Intake over HTTP (loopback, {clients} clients, a new connection per request): **{total} requests in {:.2} s = {:.0} requests/s**; \
             latency p50 {} ms, p95 {} ms. Counted afterwards: {counted_now} (= {before} + {total}), as many as stored.\n",
            wall.as_secs_f64(),
            total as f64 / wall.as_secs_f64(),
            crate::bench::ms(pct(50)),
            crate::bench::ms(pct(95)),
        );
        if counted_now != before + total as i64 || counted_now != stored {
            return Err(anyhow!("the running counts disagree with the requests written"));
        }
    }
    for (_, db) in dbs {
        db.drop_db().await;
    }
    Ok(())
}
