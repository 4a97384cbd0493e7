//! Hotspots (热点难点, issue 4 item 11): requests about the same problem, found by their words,
//! their category and their place. Two requests of one category are *alike* when they share
//! enough of their words: at least two, making up a share of the shorter request's words
//! (the overlap coefficient); at the same place one shared word and a smaller share suffice
//! ("路灯" twice at 东街 is one problem). Hotspots are the groups of requests connected by
//! "alike" (single linkage) that reach a minimum size. "Alike" is symmetric, so the groups do
//! not depend on the order of the input.

use crate::Id;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One request as the clustering sees it: its terms come from the search crate's segmenter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: Id,
    pub category: String,
    pub place: String,
    /// Day number of receipt.
    pub day: i64,
    pub terms: BTreeSet<String>,
}

/// Settings (the office may tune them; defaults below).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Share of the shorter request's words (percent) two requests must share to be alike.
    pub min_similarity_pct: u32,
    /// At the same place, this share suffices (and one shared word).
    pub same_place_similarity_pct: u32,
    /// Fewest requests that make a hotspot.
    pub min_size: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { min_similarity_pct: 50, same_place_similarity_pct: 30, min_size: 3 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hotspot {
    pub category: String,
    /// The requests, in ascending id order.
    pub ids: Vec<Id>,
    /// The words most of its requests share (most common first), for a title.
    pub top_terms: Vec<String>,
    /// Places with how many of its requests came from each (most first).
    pub places: Vec<(String, usize)>,
    pub first_day: i64,
    pub last_day: i64,
}

/// Normalised place: without spaces and punctuation, so "李家组 " and "李家组。" are one place.
fn place_key(p: &str) -> String {
    p.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Shared words, and the share they are of the shorter list in hundredths of a percent
/// (integer, so equal inputs always compare equal).
fn overlap(a: &[u32], b: &[u32]) -> (u32, u32) {
    let (mut i, mut j, mut shared) = (0, 0, 0u32);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let shorter = a.len().min(b.len()) as u32;
    (shared, (shared * 10_000).checked_div(shorter).unwrap_or(0))
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Whether two requests are alike under the settings.
pub fn alike(a: &Item, b: &Item, s: &Settings) -> bool {
    if a.category != b.category {
        return false;
    }
    let ids = |t: &BTreeSet<String>, dict: &BTreeMap<&str, u32>| t.iter().map(|w| dict[w.as_str()]).collect::<Vec<u32>>();
    let dict: BTreeMap<&str, u32> = a.terms.iter().chain(b.terms.iter()).map(String::as_str).collect::<BTreeSet<_>>().into_iter().zip(0..).collect();
    similar(&ids(&a.terms, &dict), &ids(&b.terms, &dict), same_place(a, b), s)
}

fn same_place(a: &Item, b: &Item) -> bool {
    let (pa, pb) = (place_key(&a.place), place_key(&b.place));
    !pa.is_empty() && pa == pb
}

fn similar(a: &[u32], b: &[u32], same_place: bool, s: &Settings) -> bool {
    let (shared, share) = overlap(a, b);
    (shared >= 2 && share >= s.min_similarity_pct * 100) || (same_place && shared >= 1 && share >= s.same_place_similarity_pct * 100)
}

/// The hotspots among `items`: largest first, then the most recent.
pub fn cluster(items: &[Item], s: &Settings) -> Vec<Hotspot> {
    // terms as sorted numbers, so an overlap is a merge of two short lists
    let dict: BTreeMap<&str, u32> =
        items.iter().flat_map(|i| i.terms.iter().map(String::as_str)).collect::<BTreeSet<_>>().into_iter().zip(0..).collect();
    let coded: Vec<Vec<u32>> = items.iter().map(|i| i.terms.iter().map(|w| dict[w.as_str()]).collect()).collect();
    let mut parent: Vec<usize> = (0..items.len()).collect();
    // compare only within a category; the work is the sum of each category's pairs
    let mut by_category: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (k, i) in items.iter().enumerate() {
        by_category.entry(i.category.as_str()).or_default().push(k);
    }
    for members in by_category.values() {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if find(&mut parent, a) != find(&mut parent, b) && similar(&coded[a], &coded[b], same_place(&items[a], &items[b]), s) {
                    let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                    parent[ra.max(rb)] = ra.min(rb);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for k in 0..items.len() {
        let r = find(&mut parent, k);
        groups.entry(r).or_default().push(k);
    }
    let mut out: Vec<Hotspot> = groups
        .into_values()
        .filter(|g| g.len() >= s.min_size.max(2))
        .map(|g| {
            let mut ids: Vec<Id> = g.iter().map(|&k| items[k].id).collect();
            ids.sort_unstable();
            let mut words: BTreeMap<&str, usize> = BTreeMap::new();
            let mut places: BTreeMap<String, usize> = BTreeMap::new();
            for &k in &g {
                for w in &items[k].terms {
                    *words.entry(w.as_str()).or_insert(0) += 1;
                }
                if !items[k].place.trim().is_empty() {
                    *places.entry(items[k].place.trim().to_string()).or_insert(0) += 1;
                }
            }
            // longer words say more than character pairs; most common first
            let mut top: Vec<(&str, usize)> = words.into_iter().filter(|(_, n)| *n * 2 >= g.len()).collect();
            top.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.chars().count().cmp(&a.0.chars().count())).then(a.0.cmp(b.0)));
            let mut top_terms: Vec<String> = Vec::new();
            for (w, _) in top {
                // skip a pair already inside a chosen word
                if top_terms.iter().any(|t| t.contains(w)) {
                    continue;
                }
                top_terms.push(w.to_string());
                if top_terms.len() == 5 {
                    break;
                }
            }
            let mut places: Vec<(String, usize)> = places.into_iter().collect();
            places.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            Hotspot {
                category: items[g[0]].category.clone(),
                ids,
                top_terms,
                places,
                first_day: g.iter().map(|&k| items[k].day).min().unwrap_or(0),
                last_day: g.iter().map(|&k| items[k].day).max().unwrap_or(0),
            }
        })
        .collect();
    out.sort_by(|a, b| b.ids.len().cmp(&a.ids.len()).then(b.last_day.cmp(&a.last_day)).then(a.ids[0].cmp(&b.ids[0])));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn item(id: Id, category: &str, place: &str, day: i64, words: &[&str]) -> Item {
        Item { id, category: category.into(), place: place.into(), day, terms: words.iter().map(|w| w.to_string()).collect() }
    }

    #[test]
    fn the_same_problem_from_three_people_is_a_hotspot() {
        let items = vec![
            item(1, "infrastructure", "李家组", 10, &["水渠", "堵塞", "灌溉", "农田"]),
            item(2, "infrastructure", "李家组", 12, &["水渠", "堵塞", "清淤"]),
            item(3, "infrastructure", "王家组", 15, &["水渠", "堵塞", "灌溉", "农田", "无法"]),
            item(4, "infrastructure", "李家组", 15, &["路灯", "损坏"]),
            item(5, "environment", "李家组", 16, &["水渠", "堵塞", "灌溉", "农田"]),
        ];
        let hs = cluster(&items, &Settings::default());
        assert_eq!(hs.len(), 1);
        assert_eq!(hs[0].ids, [1, 2, 3], "another category is another problem");
        assert_eq!((hs[0].first_day, hs[0].last_day), (10, 15));
        assert_eq!(hs[0].places[0], ("李家组".to_string(), 2));
        assert!(hs[0].top_terms.starts_with(&["堵塞".to_string(), "水渠".to_string()]));
    }

    #[test]
    fn the_same_place_needs_less_overlap() {
        // one shared word of three: 33 %, below 50 but above the same-place 30
        let a = item(1, "infrastructure", "东街", 1, &["村口", "路灯", "晚上"]);
        let mut b = item(2, "infrastructure", "东街 ", 2, &["路灯", "损坏", "夜间", "出行"]);
        assert_eq!(overlap(&[0, 1, 2], &[1, 3, 4, 5]), (1, 3333));
        assert!(alike(&a, &b, &Settings::default()), "the same place, spaces aside");
        b.place = "西街".into();
        assert!(!alike(&a, &b, &Settings::default()), "elsewhere one shared word is not enough");
        // two shared words of four: exactly 50 % counts
        b.terms = ["路灯", "村口", "损坏", "夜间"].iter().map(|s| s.to_string()).collect();
        let a4 = item(1, "infrastructure", "", 1, &["村口", "路灯", "晚上", "很黑"]);
        assert!(alike(&a4, &b, &Settings::default()));
        assert!(!alike(&a4, &b, &Settings { min_similarity_pct: 51, ..Settings::default() }));
        // another category is another problem, however alike the words
        b.category = "safety".into();
        assert!(!alike(&a4, &b, &Settings::default()));
    }

    #[test]
    fn a_chain_of_alike_requests_is_one_hotspot_and_small_groups_are_not() {
        let items = vec![
            item(1, "x", "", 1, &["a", "b", "c"]),
            item(2, "x", "", 2, &["b", "c", "d"]),
            item(3, "x", "", 3, &["c", "d", "e"]),
            item(4, "x", "", 4, &["p", "q"]),
            item(5, "x", "", 5, &["p", "q"]),
        ];
        // 1–2 and 2–3 share two of three words (67 %); 1–3 only one
        let hs = cluster(&items, &Settings { min_similarity_pct: 60, ..Settings::default() });
        assert_eq!(hs.iter().map(|h| h.ids.clone()).collect::<Vec<_>>(), vec![vec![1, 2, 3]]);
        let hs = cluster(&items, &Settings { min_similarity_pct: 60, min_size: 2, ..Settings::default() });
        assert_eq!(hs.len(), 2);
    }

    fn arb_items() -> impl Strategy<Value = Vec<Item>> {
        let words = ["水渠", "堵塞", "灌溉", "路灯", "损坏", "垃圾", "清运", "噪音"];
        proptest::collection::vec((0..3usize, 0..2usize, proptest::collection::btree_set(0..words.len(), 1..5)), 0..24).prop_map(move |v| {
            v.into_iter()
                .enumerate()
                .map(|(k, (c, p, ws))| Item {
                    id: k as Id + 1,
                    category: ["a", "b", "c"][c].into(),
                    place: ["东街", ""][p].into(),
                    day: k as i64,
                    terms: ws.into_iter().map(|w| words[w].to_string()).collect(),
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn hotspots_do_not_depend_on_input_order(items in arb_items(), seed in any::<u64>()) {
            let s = Settings::default();
            let mut shuffled = items.clone();
            // a deterministic shuffle from the seed
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(cluster(&items, &s), cluster(&shuffled, &s));
        }

        #[test]
        fn every_request_is_in_at_most_one_hotspot_of_its_own_category(items in arb_items()) {
            let hs = cluster(&items, &Settings::default());
            let mut seen = std::collections::BTreeSet::new();
            for h in &hs {
                prop_assert!(h.ids.len() >= 3);
                for id in &h.ids {
                    prop_assert!(seen.insert(*id));
                    let it = items.iter().find(|i| i.id == *id).unwrap();
                    prop_assert_eq!(&it.category, &h.category);
                }
            }
        }
    }
}
