//! `lianxin bench` for elections (issue 6): the counting engine at seed 004's scale (45,100
//! household ballots, 10 candidates) and at 1,000,000 ballots, one pattern per ballot (nothing
//! grouped: the worst case) and as the database groups them; then the whole pipeline of 40
//! community elections at once (define, nominate, review, publish, count the paper round,
//! announce into the roster) on SQLite and PostgreSQL. Bounded in size; local only.

use crate::bench::{databases, ms, Rng};
use anyhow::{anyhow, Result};
use lianxin_domain::counting::election::{count, BallotPattern, ElectionInput, Mark};
use lianxin_domain::election::{NominationStatus, RoundMode};
use lianxin_domain::org::OrgInput;
use lianxin_domain::person::PersonInput;
use lianxin_store::congress::{self, BodyInput};
use lianxin_store::elections::{self, ElectionDraft, NominationInput, PaperCount, PostInput};
use lianxin_store::{orgs, people, Change, Store};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const SEATS: usize = 5;

/// One household's ballot: yes, no or abstain on each candidate (a yes more likely for the
/// first few, at most `seats` of them), sometimes a name written in; about 2 % mark more
/// people than seats and are void.
fn ballot(r: &mut Rng, candidates: &[String], seats: usize) -> BallotPattern {
    let mut b = BallotPattern { count: 1, ..Default::default() };
    let over = r.below(100) < 2;
    let mut yes = 0;
    for (i, c) in candidates.iter().enumerate() {
        let p = r.below(100) as usize;
        let want_yes = if over { p < 80 } else { yes < seats && p < 70usize.saturating_sub(i * 4) };
        if want_yes {
            b.marks.insert(c.clone(), Mark::Yes);
            yes += 1;
        } else if p > 90 {
            b.marks.insert(c.clone(), Mark::No);
        }
    }
    if !over && yes < seats && r.below(100) == 0 {
        b.write_ins.push(format!("另选{}", r.below(20)));
    }
    b
}

fn ballots(n: usize, candidates: &[String], seats: usize, seed: u64) -> Vec<BallotPattern> {
    let mut r = Rng(seed);
    (0..n).map(|_| ballot(&mut r, candidates, seats)).collect()
}

/// Identical ballots as one pattern, as the database's GROUP BY returns them.
fn grouped(bs: &[BallotPattern]) -> Vec<BallotPattern> {
    let mut by: HashMap<String, BallotPattern> = HashMap::new();
    for b in bs {
        let key = serde_json::to_string(&(&b.marks, &b.write_ins)).unwrap_or_default();
        by.entry(key).and_modify(|x| x.count += b.count).or_insert_with(|| b.clone());
    }
    by.into_values().collect()
}

fn request(candidates: &[String], registered: usize, bs: Vec<BallotPattern>) -> ElectionInput {
    let returned: i64 = bs.iter().map(|b| b.count).sum();
    ElectionInput {
        kind: "election".into(),
        method: Some("residents_committee_households".into()),
        seats: Some(SEATS as i64),
        candidates: candidates.to_vec(),
        eligible_voters: registered as i64,
        voters_present: returned,
        ballots: bs,
        ..Default::default()
    }
}

fn time<T>(f: impl Fn() -> T, runs: usize) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = f();
    for _ in 0..runs {
        let t = Instant::now();
        out = f();
        best = best.min(t.elapsed());
    }
    (best, out)
}

/// The engine alone, in memory.
fn engine(n: usize) -> Result<()> {
    let candidates: Vec<String> = (1..=10).map(|i| format!("候选人{i:02}")).collect();
    let bs = ballots(n, &candidates, SEATS, 4_510 + n as u64);
    let patterns = grouped(&bs);
    let single = request(&candidates, n + n / 4, bs);
    let runs = if n > 100_000 { 3 } else { 10 };
    let (t_single, r) = time(|| count(&single), runs);
    let r = r.map_err(|e| anyhow!("{e}"))?;
    let grouped_req = request(&candidates, n + n / 4, patterns.clone());
    let (t_grouped, r2) = time(|| count(&grouped_req), runs);
    let r2 = r2.map_err(|e| anyhow!("{e}"))?;
    if r.elected != r2.elected || r.tally != r2.tally {
        return Err(anyhow!("grouping changed the result"));
    }
    // the teller's command: the request as JSON text, read and counted
    let text = serde_json::to_string(&grouped_req)?;
    let (t_json, _) = time(|| lianxin_domain::counting::count_json(&text), runs);
    println!(
        "| {n} ballots, 10 candidates, {SEATS} seats | {} | {} ({} patterns) | {} | {} void, elected {} |",
        ms(t_single),
        ms(t_grouped),
        patterns.len(),
        ms(t_json),
        r.void_ballots,
        r.elected.join("、")
    );
    Ok(())
}

/// One community's whole election on the store; returns how long it took.
async fn community(store: &Store, body: &congress::Body, term: &congress::Term, org: i64, k: usize, households: usize) -> Result<Duration> {
    let started = Instant::now();
    let now = lianxin_web::clock::Clock::now_ms(&lianxin_web::clock::SystemClock);
    let ch = Change::new(None, "bench", now);
    let later = Change::new(None, "bench", now + 2 * 86_400_000);
    let e = |x: lianxin_store::StoreError| anyhow!("{x}");
    let draft = ElectionDraft {
        title: format!("第{k}社区两委换届"),
        target: "committee".into(),
        method: "residents_committee_households".into(),
        min_size: Some(0),
        posts: vec![PostInput {
            name: "委员".into(),
            roster_post: "member".into(),
            seats: SEATS as i64,
            slate: "three_recommend".into(),
            constituency: None,
        }],
        ..Default::default()
    };
    let el = elections::create(store, body, term, &draft, &ch).await.map_err(e)?;
    let post = elections::posts(store, &el).await.map_err(e)?[0].clone();
    let el = elections::open_nominations(store, &el, &ch).await.map_err(e)?;
    // 三推: members, households, local units; 5 seats + ⌈30 %⌉ = 7 candidates (R-H7)
    let mut names = Vec::new();
    for i in 0..8 {
        let p = people::create(
            store,
            &PersonInput {
                name: format!("社{k}候{i}"),
                gender: if i % 2 == 0 { "女" } else { "男" }.into(),
                birth_date: Some("1980-05-01".into()),
                org_id: org,
                kind: "member".into(),
                ..Default::default()
            },
            &ch,
        )
        .await
        .map_err(e)?;
        let source = ["members", "residents", "units"][i % 3];
        let n = elections::nominate(
            store,
            &el,
            &NominationInput { post_id: post.id, person_id: Some(p.id), source: source.into(), support: 100 - i as i64, ..Default::default() },
            &ch,
        )
        .await
        .map_err(e)?;
        let status = if i < 7 { NominationStatus::Qualified } else { NominationStatus::Withdrawn };
        elections::review(store, &el, n.id, status, if i < 7 { "" } else { "本人退出" }, &ch).await.map_err(e)?;
        if i < 7 {
            names.push(n.name);
        }
    }
    let today = lianxin_domain::error::fmt_date(ch.today());
    let el = elections::publish_list(store, &el, &[(post.id, names.clone())], &today, &ch).await.map_err(e)?;
    // rounds until every seat is filled (a tie or a shortfall asks for another)
    for round_no in 0..6u64 {
        let st = elections::post_state(store, &el, &post).await.map_err(e)?;
        let Some((_, seats, list)) = st.next else { break };
        let r = elections::start_round(store, &el, post.id, RoundMode::Paper, None, &later).await.map_err(e)?;
        let el2 = elections::get(store, el.id).await.map_err(e)?;
        let bs = grouped(&ballots(households, &list, seats as usize, (k as u64) * 1_000 + round_no));
        let returned: i64 = bs.iter().map(|b| b.count).sum();
        let c =
            PaperCount { eligible_voters: households as i64 + households as i64 / 4, voters_present: returned, ballots_issued: None, ballots: bs };
        elections::count_paper(store, &el2, &r, &c, &later).await.map_err(e)?;
    }
    let el = elections::get(store, el.id).await.map_err(e)?;
    let st = elections::post_state(store, &el, &post).await.map_err(e)?;
    if st.next.is_none() && st.open_round.is_none() {
        elections::announce(store, &el, &later).await.map_err(e)?;
    }
    Ok(started.elapsed())
}

async fn pipeline(name: &str, store: &Store, communities: usize, households: usize) -> Result<()> {
    let now = lianxin_web::clock::Clock::now_ms(&lianxin_web::clock::SystemClock);
    let ch = Change::new(None, "bench", now);
    let e = |x: lianxin_store::StoreError| anyhow!("{x}");
    let root = orgs::create_root(
        store,
        &OrgInput {
            name: "西陵区某街道党工委".into(), kind: "town_committee".into(), category: "community".into(), parent_id: None, code: None
        },
        &ch,
    )
    .await
    .map_err(e)?;
    let body = congress::create_body(
        store,
        &BodyInput { org_id: root.id, name: "街道党员代表大会".into(), kind: "party_congress".into(), ..Default::default() },
        &ch,
    )
    .await
    .map_err(e)?;
    let term = congress::create_term(
        store,
        &body,
        &lianxin_domain::congress::TermInput { number: 1, starts_on: "2026-01-01".into(), ..Default::default() },
        &ch,
    )
    .await
    .map_err(e)?;
    let mut orgs_ = Vec::new();
    for k in 0..communities {
        let o = orgs::create(
            store,
            &OrgInput {
                name: format!("第{k}社区党支部"), kind: "branch".into(), category: "community".into(), parent_id: Some(root.id), code: None
            },
            &ch,
        )
        .await
        .map_err(e)?;
        orgs_.push(o.id);
    }
    let started = Instant::now();
    let tasks: Vec<_> = (0..communities)
        .map(|k| {
            let (store, body, term, org) = (store.clone(), body.clone(), term.clone(), orgs_[k]);
            tokio::spawn(async move { community(&store, &body, &term, org, k, households).await })
        })
        .collect();
    let mut times = Vec::new();
    for t in tasks {
        times.push(t.await.map_err(|x| anyhow!("{x}"))??);
    }
    let wall = started.elapsed();
    times.sort();
    let announced = lianxin_store::db::q("SELECT COUNT(*) AS n FROM elections WHERE status = 'announced'", []).fetch_one(&store.pool).await?;
    let announced = lianxin_store::db::RowExt::i(&announced, "n");
    let rounds = lianxin_store::db::q("SELECT COUNT(*) AS n FROM election_rounds", []).fetch_one(&store.pool).await?;
    let rounds = lianxin_store::db::RowExt::i(&rounds, "n");
    println!(
        "| {name} | {communities} × {households} households, {rounds} rounds | {} | {} | {} | {announced} of {communities} |",
        ms(wall),
        ms(times[times.len() / 2]),
        ms(*times.last().unwrap_or(&Duration::ZERO)),
    );
    Ok(())
}

pub(crate) async fn run(max_ballots: usize, communities: usize) -> Result<()> {
    println!("## Elections\n");
    println!("| count | one pattern per ballot, ms | grouped as the database returns them, ms | `lianxin count` JSON (grouped), ms | result |\n|---|---:|---:|---:|---|");
    engine(45_100)?;
    if max_ballots > 45_100 {
        engine(max_ballots)?;
    }
    println!();
    if communities > 0 {
        // seed 004 §1: 45,100 household voters in 40 communities
        let households = 45_100 / communities.max(1);
        println!("| pipeline: every community's election at once | size | wall ms | one election p50 ms | slowest ms | announced |\n|---|---|---:|---:|---:|---|");
        for (name, db) in databases().await {
            pipeline(name, &db.store, communities, households).await?;
            db.drop_db().await;
        }
        println!();
    }
    Ok(())
}
