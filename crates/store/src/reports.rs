//! The queries behind the composition table and the coverage report. The arithmetic is
//! the domain's; this module only gathers its inputs.

use crate::congress::{self, Body, Term};
use crate::db::{q, RowExt, Store};
use crate::network::active_links;
use crate::Result;
use lianxin_domain::composition::{compose, Composition, CompositionSettings, Profile};
use lianxin_domain::congress::DelegateCategory;
use lianxin_domain::coverage::{coverage, Coverage, Network};
use lianxin_domain::error::parse_date;
use lianxin_domain::lang::{Coded, Lang};
use lianxin_domain::person::{Education, Gender};
use lianxin_domain::Id;
use std::collections::BTreeMap;

/// Profiles of the term's active delegates.
pub async fn profiles(store: &Store, term: &Term) -> Result<Vec<Profile>> {
    let rows = q(
        "SELECT d.category, p.gender, p.ethnicity, p.education, p.birth_date, o.name AS org_name \
         FROM delegates d JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id \
         JOIN orgs o ON o.tenant_id = p.tenant_id AND o.id = p.org_id \
         WHERE d.tenant_id = $1 AND d.term_id = $2 AND d.status = 'active'",
        [term.tenant_id.into(), term.id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Profile {
            category: DelegateCategory::from_code(&r.s("category")).unwrap_or(DelegateCategory::Other),
            gender: Gender::from_code(&r.s("gender")).unwrap_or(Gender::Male),
            ethnicity: r.s("ethnicity"),
            education: r.os("education").and_then(|e| Education::from_code(&e)),
            birth_date: r.os("birth_date").and_then(|b| parse_date(&b)),
            org_name: r.s("org_name"),
        })
        .collect())
}

/// Profiles of some people of one tree, each with the category they would sit in (one query
/// per 500 people).
pub async fn profiles_of(store: &Store, tenant_id: Id, people: &[(Id, DelegateCategory)]) -> Result<Vec<Profile>> {
    let mut out = Vec::new();
    for chunk in people.chunks(500) {
        let mut qq = crate::db::Q::new(
            "SELECT p.id, p.gender, p.ethnicity, p.education, p.birth_date, o.name AS org_name FROM people p \
             JOIN orgs o ON o.tenant_id = p.tenant_id AND o.id = p.org_id WHERE p.tenant_id = ",
        );
        qq.push("?", [tenant_id.into()]).push_raw(" AND p.id IN (");
        for (i, (id, _)) in chunk.iter().enumerate() {
            qq.push(if i == 0 { "?" } else { ", ?" }, [(*id).into()]);
        }
        qq.push_raw(")");
        let rows = qq.build().fetch_all(&store.pool).await?;
        for (id, category) in chunk {
            if let Some(r) = rows.iter().find(|r| r.i("id") == *id) {
                out.push(Profile {
                    category: *category,
                    gender: Gender::from_code(&r.s("gender")).unwrap_or(Gender::Male),
                    ethnicity: r.s("ethnicity"),
                    education: r.os("education").and_then(|e| Education::from_code(&e)),
                    birth_date: r.os("birth_date").and_then(|b| parse_date(&b)),
                    org_name: r.s("org_name"),
                });
            }
        }
    }
    Ok(out)
}

/// The composition table on the day `on` (ages are counted on that day).
pub async fn composition(store: &Store, body: &Body, term: &Term, on: time::Date, lang: Lang) -> Result<Composition> {
    let ps = profiles(store, term).await?;
    Ok(compose(&ps, on, CompositionSettings { youth_age_max: body.youth_age_max as i32 }, lang))
}

/// Coverage with the names of those in the gaps.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CoverageReport {
    pub coverage: Coverage,
    pub on: String,
    /// id → (name, organisation) for every id in the gaps.
    pub names: BTreeMap<Id, (String, String)>,
}

/// Coverage reads the term's whole network on every view; reports are kept here until the
/// network changes (any write to links, delegates or committee members bumps
/// [`network_changed`]) and for at most a minute, which bounds how stale another server's
/// copy can be when several servers share one database.
static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
type CacheKey = (u64, i64, Id, String);
type CacheEntry = (u64, std::time::Instant, CoverageReport);
static CACHE: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<CacheKey, CacheEntry>>> =
    std::sync::LazyLock::new(|| std::sync::Mutex::new(std::collections::HashMap::new()));
const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Called by every write to the liaison network, delegates or committee members.
pub fn network_changed() {
    GENERATION.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

/// Empties the cache (the bench measures cold reports with it).
pub fn clear_coverage_cache() {
    CACHE.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// The coverage report, from the cache when nothing changed since it was computed.
pub async fn coverage_report(store: &Store, body: &Body, term: &Term, on: &str) -> Result<CoverageReport> {
    let generation = GENERATION.load(std::sync::atomic::Ordering::SeqCst);
    // the settings of the body shape the report, so they are part of the key
    let key = (store.instance, body.min_members_per_delegate, term.id, on.to_string());
    if let Some((g, at, rep)) = CACHE.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        if *g == generation && at.elapsed() < CACHE_TTL {
            return Ok(rep.clone());
        }
    }
    let rep = compute_coverage(store, body, term, on).await?;
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() > 1000 {
        cache.clear();
    }
    cache.insert(key, (generation, std::time::Instant::now(), rep.clone()));
    Ok(rep)
}

async fn compute_coverage(store: &Store, body: &Body, term: &Term, on: &str) -> Result<CoverageReport> {
    let committee: Vec<Id> = congress::committee(store, term)
        .await?
        .into_iter()
        .filter(|c| c.since.as_str() <= on && c.until.as_deref().map(|u| on < u).unwrap_or(true))
        .map(|c| c.id)
        .collect();
    let delegates: Vec<Id> =
        q("SELECT id FROM delegates WHERE tenant_id = $1 AND term_id = $2 AND status = 'active'", [term.tenant_id.into(), term.id.into()])
            .fetch_all(&store.pool)
            .await?
            .iter()
            .map(|r| r.i("id"))
            .collect();
    let (cg, dm, mr) = active_links(store, term, on).await?;
    let net = Network { committee_members: committee, delegates, committee_group: cg, delegate_member: dm, member_residents: mr };
    let cov = coverage(&net, body.min_members_per_delegate);

    let mut names = BTreeMap::new();
    let gap_committee = &cov.gaps.committee_without_group;
    let gap_delegates: Vec<Id> = cov.gaps.delegates_short.iter().map(|(d, _)| *d).collect();
    let gap_members = &cov.gaps.members_without_residents;
    // names of the gaps only, a chunk of ids at a time
    let by_id = [
        (
            "SELECT c.id, p.name, o.name AS org FROM committee_members c JOIN people p ON p.tenant_id = c.tenant_id AND p.id = c.person_id \
          JOIN orgs o ON o.tenant_id = p.tenant_id AND o.id = p.org_id WHERE c.tenant_id = ? AND c.id IN ",
            gap_committee.as_slice(),
        ),
        (
            "SELECT d.id, p.name, o.name AS org FROM delegates d JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id \
          JOIN orgs o ON o.tenant_id = p.tenant_id AND o.id = p.org_id WHERE d.tenant_id = ? AND d.id IN ",
            gap_delegates.as_slice(),
        ),
        (
            "SELECT p.id, p.name, o.name AS org FROM people p JOIN orgs o ON o.tenant_id = p.tenant_id AND o.id = p.org_id \
          WHERE p.tenant_id = ? AND p.id IN ",
            gap_members.as_slice(),
        ),
    ];
    for (sql, ids) in by_id {
        for chunk in ids.chunks(500) {
            let mut b = crate::db::Q::new("");
            b.push(sql, [crate::db::V::I(term.tenant_id)]).push_in(chunk);
            for r in b.build().fetch_all(&store.pool).await? {
                names.insert(r.i("id"), (r.s("name"), r.s("org")));
            }
        }
    }
    Ok(CoverageReport { coverage: cov, on: on.to_string(), names })
}
