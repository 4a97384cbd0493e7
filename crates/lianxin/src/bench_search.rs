//! `lianxin bench --search-docs N`: the search index at a province's scale, without the
//! database (which only feeds it): N synthetic proposals are segmented and indexed into a
//! fresh folder, then queries and similar-proposal lookups are timed one at a time.
//!
//! The synthetic proposals are built from `bench_corpus.txt`, the clauses of the seed
//! reports: a title of one clause and three parts of eight to sixteen clauses each (about the
//! length of the demo's proposals), drawn by a fixed-seed generator, so every run indexes
//! the same text.

use anyhow::{anyhow, Result};
use lianxin_search::index::{Doc, Index};
use lianxin_store::search::{similar_in, weighted_terms};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const CORPUS: &str = include_str!("bench_corpus.txt");

/// A small, fixed-seed generator (xorshift64*): the same documents on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn clauses() -> Vec<&'static str> {
    CORPUS.lines().filter(|l| !l.trim().is_empty()).collect()
}

/// The title and text of synthetic proposal `i`.
fn proposal(clauses: &[&str], i: u64) -> (String, String) {
    let mut r = Rng(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let title = format!("关于{}的建议", clauses[r.below(clauses.len())]);
    let mut body = String::new();
    for _part in 0..3 {
        for _ in 0..8 + r.below(9) {
            body.push_str(clauses[r.below(clauses.len())]);
            body.push('，');
        }
        body.push_str("。\n");
    }
    (title, body)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// Indexes `n` documents (ids 1..=n, one tenant, one body) on every core; returns the time
/// and the characters indexed.
fn build(ix: &Index, n: u64) -> Result<(Duration, usize)> {
    let clauses = clauses();
    let started = Instant::now();
    let threads = std::thread::available_parallelism().map(|t| t.get()).unwrap_or(1).max(1) as u64;
    let w = ix.writer(threads as usize, 400_000_000).map_err(|e| anyhow!("{e}"))?;
    let chars = std::thread::scope(|s| -> Result<usize> {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (w, clauses) = (&w, &clauses);
                s.spawn(move || -> Result<usize> {
                    let mut chars = 0;
                    let mut i = 1 + t;
                    while i <= n {
                        let (title, body) = proposal(clauses, i);
                        chars += title.chars().count() + body.chars().count();
                        w.add(Doc { tenant: 1, scope: 1, id: i as i64, terms: weighted_terms(&title, &body) }).map_err(|e| anyhow!("{e}"))?;
                        i += threads;
                    }
                    Ok(chars)
                })
            })
            .collect();
        let mut total = 0;
        for h in handles {
            total += h.join().map_err(|_| anyhow!("an indexing thread panicked"))??;
        }
        Ok(total)
    })?;
    w.commit("bench").map_err(|e| anyhow!("{e}"))?;
    ix.reload().map_err(|e| anyhow!("{e}"))?;
    Ok((started.elapsed(), chars))
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir).map(|rd| rd.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum()).unwrap_or(0)
}

/// Queries of one to three words, as people type them: words of the corpus, jieba's cut.
fn queries(count: usize) -> Vec<String> {
    let words: Vec<String> =
        BTreeSet::from_iter(lianxin_search::query_terms(CORPUS).into_iter().filter(|w| w.chars().count() >= 2)).into_iter().collect();
    let mut r = Rng(42);
    (0..count)
        .map(|_| {
            let k = 1 + r.below(3);
            (0..k).map(|_| words[r.below(words.len())].clone()).collect::<Vec<_>>().join(" ")
        })
        .collect()
}

pub fn run(docs: u64, queries_n: usize) -> Result<()> {
    if docs == 0 {
        return Ok(());
    }
    let base = std::env::temp_dir().join(format!("lianxin-bench-index-{}", std::process::id()));
    let result = measure(&base, docs, queries_n);
    let _ = std::fs::remove_dir_all(&base);
    result
}

fn measure(base: &std::path::Path, docs: u64, queries_n: usize) -> Result<()> {
    println!("### Search index (tantivy, in a folder on local disk)\n");
    // 1. full-text search over `docs` documents
    let ix = Index::open(Some(&base.join("big"))).map_err(|e| anyhow!("{e}"))?;
    let (took, chars) = build(&ix, docs)?;
    println!(
        "Indexed **{docs}** synthetic proposals ({:.0} characters each on average) in {:.1} s: **{:.0} proposals/s** ({:.1} MB of text/s, segmentation included); index {:.0} MB on disk.\n",
        chars as f64 / docs as f64,
        took.as_secs_f64(),
        docs as f64 / took.as_secs_f64(),
        (chars * 3) as f64 / 1e6 / took.as_secs_f64(),
        dir_size(&base.join("big")) as f64 / 1e6
    );
    let qs = queries(queries_n + 20);
    for q in &qs[..20] {
        ix.search(1, 1, &lianxin_search::query_terms(q), None, 20).map_err(|e| anyhow!("{e}"))?;
    }
    let mut times = Vec::new();
    let mut hits = 0usize;
    for q in &qs[20..] {
        let t = Instant::now();
        let found = ix.search(1, 1, &lianxin_search::query_terms(q), None, 20).map_err(|e| anyhow!("{e}"))?;
        times.push(t.elapsed());
        hits += found.len();
    }
    times.sort();
    println!("| measure | p50 ms | p95 ms | max ms | note |\n|---|---:|---:|---:|---|");
    println!(
        "| search over {docs} (1–3 words, top 20) | {} | {} | {} | {queries_n} queries, {:.1} hits each |",
        ms(pct(&times, 0.5)),
        ms(pct(&times, 0.95)),
        ms(pct(&times, 1.0)),
        hits as f64 / queries_n as f64
    );
    drop(ix);
    // 2. similar proposals among 100,000 (or fewer when fewer were asked for)
    let n_sim = docs.min(100_000);
    let ix = Index::open(Some(&base.join("similar"))).map_err(|e| anyhow!("{e}"))?;
    build(&ix, n_sim)?;
    let clauses = clauses();
    let mut r = Rng(7);
    let mut times = Vec::new();
    let mut found = 0usize;
    for k in 0..queries_n + 20 {
        let id = 1 + r.below(n_sim as usize) as u64;
        let t = Instant::now();
        // as the page does it: the proposal's own terms, then the lookup
        let (title, body) = proposal(&clauses, id);
        let own = weighted_terms(&title, &body);
        let hits = similar_in(&ix, 1, 1, id as i64, &own, 5).map_err(|e| anyhow!("{e}"))?;
        if k >= 20 {
            times.push(t.elapsed());
            found += hits.len();
        }
    }
    times.sort();
    println!(
        "| similar proposals among {n_sim} (top 5) | {} | {} | {} | {queries_n} lookups, {:.1} found each |",
        ms(pct(&times, 0.5)),
        ms(pct(&times, 0.95)),
        ms(pct(&times, 1.0)),
        found as f64 / queries_n as f64
    );
    println!();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_synthetic_proposals_are_the_same_every_run_and_proposal_sized() {
        let c = clauses();
        assert!(c.len() > 1000);
        assert_eq!(proposal(&c, 17), proposal(&c, 17));
        assert_ne!(proposal(&c, 17), proposal(&c, 18));
        let avg = (1..200).map(|i| proposal(&c, i).1.chars().count()).sum::<usize>() / 199;
        assert!((300..800).contains(&avg), "{avg}");
    }

    #[test]
    fn a_small_run_finds_what_it_indexed() {
        let ix = Index::open(None).unwrap();
        build(&ix, 300).unwrap();
        assert_eq!(ix.num_docs(), 300);
        let (title, body) = proposal(&clauses(), 5);
        let hits = similar_in(&ix, 1, 1, 5, &weighted_terms(&title, &body), 5).unwrap();
        assert!(hits.iter().all(|h| h.0 != 5));
        let q = lianxin_search::query_terms(&title);
        assert_eq!(ix.search(1, 1, &q, None, 1).unwrap().first().map(|h| h.0), Some(5));
    }
}
