//! Coverage of the liaison network (三联系 / "三个十"): committee member → delegate group,
//! delegate → party members, party member → residents. Seed 001 reports it as
//! "乡镇党委委员100%联系党代表小组,党代表100%联系普通党员,党员100%联系群众".

use crate::composition::Share;
use crate::Id;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The network as it stands on one day (links already filtered to those active then).
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// Committee members of the body's organisation for the term (by person id).
    pub committee_members: Vec<Id>,
    /// Active delegates (by delegate id).
    pub delegates: Vec<Id>,
    /// committee member (person id) → delegate group id
    pub committee_group: Vec<(Id, Id)>,
    /// delegate id → party member (person id)
    pub delegate_member: Vec<(Id, Id)>,
    /// party member (person id) → how many distinct residents they are linked to. Counts,
    /// not pairs: a county has tens of thousands of these links and the store counts them.
    pub member_residents: Vec<(Id, i64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Committee members linked to at least one delegate group.
    pub committee_with_group: Share,
    /// Active delegates linked to at least `min_members` party members.
    pub delegates_with_members: Share,
    pub min_members: i64,
    /// Party members in the network (linked by an active delegate) linked to at least one resident.
    pub members_with_residents: Share,
    /// Average links per delegate and per member, in tenths (for "三个十" ≈ 10).
    pub avg_members_per_delegate_tenths: i64,
    pub avg_residents_per_member_tenths: i64,
    pub gaps: Gaps,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Gaps {
    pub committee_without_group: Vec<Id>,
    /// Delegates below the minimum, with how many members they have.
    pub delegates_short: Vec<(Id, i64)>,
    pub members_without_residents: Vec<Id>,
}

pub fn coverage(net: &Network, min_members: i64) -> Coverage {
    let linked_committee: BTreeSet<Id> = net.committee_group.iter().map(|(c, _)| *c).collect();
    let committee: BTreeSet<Id> = net.committee_members.iter().copied().collect();
    let committee_without_group: Vec<Id> = committee.iter().filter(|c| !linked_committee.contains(c)).copied().collect();

    let delegates: BTreeSet<Id> = net.delegates.iter().copied().collect();
    let mut members_of: BTreeMap<Id, BTreeSet<Id>> = BTreeMap::new();
    for (d, m) in &net.delegate_member {
        if delegates.contains(d) {
            members_of.entry(*d).or_default().insert(*m);
        }
    }
    let delegates_short: Vec<(Id, i64)> =
        delegates.iter().map(|d| (*d, members_of.get(d).map(|s| s.len() as i64).unwrap_or(0))).filter(|(_, n)| *n < min_members).collect();

    let network_members: BTreeSet<Id> = members_of.values().flatten().copied().collect();
    let mut residents_of: BTreeMap<Id, i64> = BTreeMap::new();
    for (m, n) in &net.member_residents {
        if *n > 0 && network_members.contains(m) {
            // a member given twice keeps the larger count (the store gives each once)
            let e = residents_of.entry(*m).or_insert(0);
            *e = (*e).max(*n);
        }
    }
    let members_without_residents: Vec<Id> = network_members.iter().filter(|m| !residents_of.contains_key(m)).copied().collect();

    let links_dm: i64 = members_of.values().map(|s| s.len() as i64).sum();
    let links_mr: i64 = residents_of.values().sum();
    let avg = |links: i64, n: usize| if n == 0 { 0 } else { (links * 20 + n as i64) / (2 * n as i64) };

    Coverage {
        committee_with_group: Share::of((committee.len() - committee_without_group.len()) as i64, committee.len() as i64),
        delegates_with_members: Share::of((delegates.len() - delegates_short.len()) as i64, delegates.len() as i64),
        min_members,
        members_with_residents: Share::of((network_members.len() - members_without_residents.len()) as i64, network_members.len() as i64),
        avg_members_per_delegate_tenths: avg(links_dm, delegates.len()),
        avg_residents_per_member_tenths: avg(links_mr, network_members.len()),
        gaps: Gaps { committee_without_group, delegates_short, members_without_residents },
    }
}

/// Whether a link with `[starts_on, ends_on)` is active on `on` (ISO dates compare as text).
pub fn link_active(starts_on: &str, ends_on: Option<&str>, on: &str) -> bool {
    starts_on <= on && ends_on.map(|e| on < e).unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_and_partial_coverage_with_gaps() {
        let net = Network {
            committee_members: vec![1, 2, 3],
            delegates: vec![10, 11, 12],
            committee_group: vec![(1, 100), (2, 100), (2, 101)],
            delegate_member: vec![(10, 20), (10, 21), (10, 22), (11, 23), (11, 23), (99, 24)],
            member_residents: vec![(20, 1), (21, 2), (23, 1), (24, 1), (22, 0)],
        };
        let c = coverage(&net, 3);
        assert_eq!(c.committee_with_group.count, 2);
        assert_eq!(c.committee_with_group.percent(), "66.7%");
        assert_eq!(c.gaps.committee_without_group, vec![3]);
        // 11 links one member twice: it counts once; 12 has none; 99 is not an active delegate.
        assert_eq!(c.gaps.delegates_short, vec![(11, 1), (12, 0)]);
        assert_eq!(c.delegates_with_members.percent(), "33.3%");
        // network members: 20,21,22,23 (24 belongs to an inactive delegate)
        assert_eq!(c.members_with_residents.total, 4);
        assert_eq!(c.gaps.members_without_residents, vec![22]);
        assert_eq!(c.avg_members_per_delegate_tenths, 13); // 4 links / 3 delegates = 1.33
        assert_eq!(c.avg_residents_per_member_tenths, 10); // 4 links (24's do not count) / 4 members
    }

    #[test]
    fn an_empty_network_is_zero_not_a_panic() {
        let c = coverage(&Network::default(), 3);
        assert_eq!(c.delegates_with_members.percent(), "0.0%");
    }

    #[test]
    fn links_are_half_open_intervals() {
        assert!(link_active("2024-01-01", None, "2024-01-01"));
        assert!(link_active("2024-01-01", Some("2025-01-01"), "2024-12-31"));
        assert!(!link_active("2024-01-01", Some("2025-01-01"), "2025-01-01"));
        assert!(!link_active("2024-01-02", None, "2024-01-01"));
    }
}
