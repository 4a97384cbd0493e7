//! 两票制 (R-I4, seed 004 §3): all villagers cast a trust vote (信任票) on the people proposed
//! for the branch committee; only those with more than half the trust votes may stand, and the
//! preliminary list is taken from them by votes at 1:2 (two per seat, "按1∶2的比例取足…预备候选
//! 人"); the party members then elect from that list under the normal Party rules.

use super::election::{self, nonneg, ElectionInput, ElectionResult};
use super::fraction::{Fraction, Threshold};
use crate::{DomainError, FieldError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustBase {
    /// Those who took part in the trust vote (default, R-I4).
    #[default]
    Participants,
    /// All registered voters.
    Registered,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustVote {
    pub participants: i64,
    #[serde(default)]
    pub registered: Option<i64>,
    #[serde(default)]
    pub base: TrustBase,
    /// Trust votes per person, in the order they were proposed.
    pub votes: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwoBallotInput {
    #[serde(default)]
    pub kind: String,
    /// Seats on the branch committee.
    pub seats: i64,
    /// Preliminary candidates per seat (seed 004: 1∶2, the default).
    #[serde(default)]
    pub per_seat: Option<i64>,
    pub trust: TrustVote,
    /// Stage two, the members' election (its candidates must come from the preliminary list).
    #[serde(default)]
    pub election: Option<ElectionInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoBallotResult {
    pub seats: u64,
    pub trust_base: u64,
    pub trust_threshold_min_votes: u64,
    /// Those with more than half the trust votes, by votes.
    pub trusted: Vec<String>,
    pub not_trusted: Vec<String>,
    /// Taken from the trusted by votes, `per_seat × seats` of them (more when tied at the cut).
    pub preliminary_candidates: Vec<String>,
    /// Those tied at the cut of the list, all kept on it for the party organisation to decide.
    pub tied_at_cut: Vec<String>,
    /// Fewer trusted than the list needs.
    pub list_short: bool,
    pub election: Option<ElectionResult>,
    pub reason: String,
    pub reason_zh: String,
}

fn invalid(field: &str, zh: String, en: String) -> DomainError {
    DomainError::invalid(FieldError::new(field, "invalid", zh, en))
}

pub fn count(input: &TwoBallotInput) -> Result<TwoBallotResult, DomainError> {
    let seats = nonneg("seats", input.seats)?;
    if seats == 0 {
        return Err(invalid("seats", "应选名额须至少为 1".into(), "seats must be at least 1".into()));
    }
    let per_seat = nonneg("per_seat", input.per_seat.unwrap_or(2))?.max(1);
    let t = &input.trust;
    let participants = nonneg("trust.participants", t.participants)?;
    let registered = t.registered.map(|r| nonneg("trust.registered", r)).transpose()?;
    if let Some(r) = registered {
        if participants > r {
            return Err(invalid(
                "trust.participants",
                format!("参加信任投票 {participants} 人,多于登记的 {r} 人"),
                format!("{participants} took part but only {r} are registered"),
            ));
        }
    }
    if t.votes.is_empty() {
        return Err(invalid("trust.votes", "没有信任投票的对象".into(), "no one was put to the trust vote".into()));
    }
    let mut votes = Vec::new();
    for (name, v) in &t.votes {
        let v = nonneg(&format!("trust.votes.{name}"), *v)?;
        if v > participants {
            return Err(invalid(
                &format!("trust.votes.{name}"),
                format!("“{name}”得 {v} 票,多于参加人数 {participants}"),
                format!("“{name}” has {v} votes but only {participants} took part"),
            ));
        }
        votes.push((name.clone(), v));
    }
    votes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let (base, base_en, base_zh) = match (t.base, registered) {
        (TrustBase::Participants, _) => (participants, "who took part", "参加投票人数"),
        (TrustBase::Registered, Some(r)) => (r, "registered", "登记人数"),
        (TrustBase::Registered, None) => {
            return Err(invalid("trust.registered", "按登记人数计算时须给出 registered".into(), "give registered to count against it".into()))
        }
    };
    // R-I4: 过半数, strict (exactly half fails: the default of rules.md's open question)
    let th = Threshold::over(Fraction::HALF);
    let (trusted, not_trusted): (Vec<_>, Vec<_>) = votes.iter().partition(|(_, v)| th.met(*v, base));
    let want = (seats * per_seat) as usize;
    let (list, tied) = if trusted.len() <= want {
        (trusted.clone(), vec![])
    } else {
        let cut = trusted[want - 1].1;
        let list: Vec<_> = trusted.iter().copied().filter(|(_, v)| *v >= cut).collect();
        let tied: Vec<String> = if list.len() > want { list.iter().filter(|(_, v)| *v == cut).map(|(n, _)| n.clone()).collect() } else { vec![] };
        (list, tied)
    };
    let names = |l: &[&(String, u64)]| l.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    let shows = |l: &[&(String, u64)]| l.iter().map(|(n, v)| format!("{n} {v}")).collect::<Vec<_>>().join(", ");
    let min = th.min_of(base);
    let mut en = vec![format!(
        "Trust vote: standing needs more than half of the {base} {base_en}, so at least {min} (R-I4). Trusted: {}; not: {}.",
        shows(&trusted),
        if not_trusted.is_empty() { "none".to_string() } else { shows(&not_trusted) }
    )];
    let mut zh = vec![format!(
        "信任投票:须超过{base_zh} {base} 的半数,即至少 {min} 票(R-I4)。过半数:{};未过半数:{}。",
        shows(&trusted).replace(", ", "、"),
        if not_trusted.is_empty() { "无".to_string() } else { shows(&not_trusted).replace(", ", "、") }
    )];
    en.push(format!("Preliminary list at 1:{per_seat} for {seats} seats: {}.", names(&list).join(", ")));
    zh.push(format!("按 1∶{per_seat} 取预备候选人 {} 名:{}。", want, names(&list).join("、")));
    if !tied.is_empty() {
        en.push(format!("{} tie at the cut and all stay on the list for the party organisation to decide.", tied.join(", ")));
        zh.push(format!("{} 在取足处票数相等,均列入,由党组织研究确定。", tied.join("、")));
    }
    let list_short = list.len() < want;
    if list_short {
        en.push(format!("Only {} trusted for {want} places: the list is short; propose more people and vote again.", list.len()));
        zh.push(format!("过半数者仅 {} 人,不足 {want} 名,应补充人选再行信任投票。", list.len()));
    }
    let preliminary = names(&list);
    let election = match &input.election {
        None => None,
        Some(e) => {
            let cands: Vec<&String> =
                if e.posts.is_empty() { e.candidates.iter().collect() } else { e.posts.iter().flat_map(|p| &p.candidates).collect() };
            if let Some(c) = cands.iter().find(|c| !preliminary.contains(c)) {
                return Err(invalid(
                    "election.candidates",
                    format!("“{c}”不在信任投票产生的预备候选人名单上"),
                    format!("“{c}” is not on the preliminary list from the trust vote"),
                ));
            }
            let r = election::count(e)?;
            en.push(format!("Members' election: {}", r.reason));
            zh.push(format!("党员大会选举:{}", r.reason_zh));
            Some(r)
        }
    };
    Ok(TwoBallotResult {
        seats,
        trust_base: base,
        trust_threshold_min_votes: min,
        trusted: names(&trusted),
        not_trusted: names(&not_trusted),
        preliminary_candidates: preliminary,
        tied_at_cut: tied,
        list_short,
        election,
        reason: en.join(" "),
        reason_zh: zh.join(""),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(votes: &[(&str, i64)], participants: i64, seats: i64) -> TwoBallotInput {
        TwoBallotInput {
            seats,
            trust: TrustVote { participants, votes: votes.iter().map(|(n, v)| (n.to_string(), *v)).collect(), ..Default::default() },
            ..Default::default()
        }
    }

    #[test]
    fn r_i4_only_more_than_half_may_stand_and_the_list_is_two_per_seat() {
        // 100 took part: 50 is exactly half and fails, 51 passes
        let r = count(&input(&[("甲", 90), ("乙", 80), ("丙", 70), ("丁", 51), ("戊", 50), ("己", 60), ("庚", 55)], 100, 2)).unwrap();
        assert_eq!(r.trust_threshold_min_votes, 51);
        assert_eq!(r.not_trusted, vec!["戊"]);
        assert_eq!(r.preliminary_candidates, vec!["甲", "乙", "丙", "己"]);
        assert!(!r.list_short && r.tied_at_cut.is_empty());
        assert!(r.reason.contains("R-I4"));
    }

    #[test]
    fn a_tie_at_the_cut_keeps_everyone_tied_and_a_short_list_is_said() {
        let r = count(&input(&[("甲", 90), ("乙", 70), ("丙", 70), ("丁", 20)], 100, 1)).unwrap();
        // by votes; the tied in code-point order (the party organisation orders them)
        assert_eq!(r.preliminary_candidates, vec!["甲", "丙", "乙"]);
        assert_eq!(r.tied_at_cut, vec!["丙", "乙"]);
        let r = count(&input(&[("甲", 90), ("乙", 40)], 100, 1)).unwrap();
        assert!(r.list_short);
        assert_eq!(r.preliminary_candidates, vec!["甲"]);
    }

    #[test]
    fn the_members_elect_only_from_the_list() {
        let mut i = input(&[("甲", 90), ("乙", 80), ("丙", 10)], 100, 1);
        let e = |cands: &[&str]| ElectionInput {
            method: Some("party_grassroots".into()),
            seats: Some(1),
            candidates: cands.iter().map(|c| c.to_string()).collect(),
            eligible_voters: 30,
            voters_present: 28,
            ballots: vec![election::BallotPattern { count: 28, marks: [("甲".to_string(), election::Mark::Yes)].into(), ..Default::default() }],
            ..Default::default()
        };
        i.election = Some(e(&["甲", "丙"]));
        assert!(count(&i).unwrap_err().to_string().contains("election.candidates"));
        i.election = Some(e(&["甲", "乙"]));
        let r = count(&i).unwrap();
        assert_eq!(r.election.unwrap().elected, vec!["甲"]);
    }

    #[test]
    fn impossible_trust_counts_are_refused() {
        assert!(count(&input(&[("甲", 101)], 100, 1)).unwrap_err().to_string().contains("trust.votes.甲"));
        assert!(count(&input(&[("甲", -1)], 100, 1)).is_err());
        assert!(count(&input(&[], 100, 1)).is_err());
    }
}
