//! Decisions (表决) on a motion: is the meeting quorate, and does the motion pass? Each
//! method is a preset of `../shared/rules.md` (R-B3/R-K1, R-B4, R-B7/R-K2, R-K3); any other
//! rule is an explicit [`DecisionConfig`]. Abstentions are never "yes" (R-K3); whether they,
//! blanks and absentees weigh as "no" follows from the base the rule counts against.

use super::fraction::{Cmp, Fraction, Threshold};
use crate::{DomainError, FieldError};
use serde::{Deserialize, Serialize};

/// What a quorum is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuorumBase {
    /// 应到会: members with voting rights less lawful exclusions (R-A2).
    Expected,
    /// All members of the body (村民/居民代表会议 "组成人员").
    Members,
    /// Households (村民会议: "本村三分之二以上的户的代表").
    Households,
}

/// What "yes" is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassBase {
    /// 应到会 (R-B3: absentees and abstentions work as "no").
    Expected,
    Members,
    /// Those present (到会人数).
    Present,
    /// Votes cast, abstentions included (yes + no + abstain).
    Cast,
    /// Yes and no only (abstentions left out of the base).
    CastExcludingAbstain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumRule {
    pub fraction: Fraction,
    pub cmp: Cmp,
    pub base: QuorumBase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassRule {
    pub fraction: Fraction,
    pub cmp: Cmp,
    pub base: PassBase,
}

/// A quorum (met when any one of its rules is met; none means no quorum check) and a pass rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionConfig {
    #[serde(default)]
    pub quorum: Vec<QuorumRule>,
    pub pass: PassRule,
}

/// The methods named in rules.md: (code, rule ids, config).
pub fn method(code: &str) -> Option<(&'static str, DecisionConfig)> {
    use Cmp::*;
    let q = |fraction, cmp, base| QuorumRule { fraction, cmp, base };
    let p = |fraction, cmp, base| PassRule { fraction, cmp, base };
    let half_present = p(Fraction::HALF, Over, PassBase::Present);
    Some(match code {
        // 党支部工作条例 art 11: 半数以上 present; yes 超过应到会的半数
        "party_branch_resolution" => (
            "R-B3, R-K1",
            DecisionConfig { quorum: vec![q(Fraction::HALF, AtLeast, QuorumBase::Expected)], pass: p(Fraction::HALF, Over, PassBase::Expected) },
        ),
        // 党组工作条例 art 27: yes 超过应到会党组成员半数; rules.md names no separate quorum
        "party_group_resolution" => ("R-B4", DecisionConfig { quorum: vec![], pass: p(Fraction::HALF, Over, PassBase::Expected) }),
        // 村民会议: >½ of villagers 18+, or ≥⅔ of households; >½ of those attending
        "village_assembly" => (
            "R-B7",
            DecisionConfig {
                quorum: vec![q(Fraction::HALF, Over, QuorumBase::Members), q(Fraction::TWO_THIRDS, AtLeast, QuorumBase::Households)],
                pass: half_present,
            },
        ),
        "village_representatives" => {
            ("R-B7, R-K2", DecisionConfig { quorum: vec![q(Fraction::TWO_THIRDS, AtLeast, QuorumBase::Members)], pass: half_present })
        }
        "village_group_meeting" => (
            "R-B7",
            DecisionConfig {
                quorum: vec![q(Fraction::TWO_THIRDS, AtLeast, QuorumBase::Members), q(Fraction::TWO_THIRDS, AtLeast, QuorumBase::Households)],
                pass: half_present,
            },
        ),
        "residents_assembly" => ("R-B7", DecisionConfig { quorum: vec![q(Fraction::HALF, Over, QuorumBase::Members)], pass: half_present }),
        "residents_representatives" => {
            ("R-B7, R-K2", DecisionConfig { quorum: vec![q(Fraction::TWO_THIRDS, AtLeast, QuorumBase::Members)], pass: half_present })
        }
        // local practice, no central text (R-K3): ⅔ of the attending representatives
        "two_thirds_of_attending" => (
            "R-K3",
            DecisionConfig {
                quorum: vec![q(Fraction::TWO_THIRDS, AtLeast, QuorumBase::Members)],
                pass: p(Fraction::TWO_THIRDS, AtLeast, PassBase::Present),
            },
        ),
        _ => return None,
    })
}

pub const METHODS: &[&str] = &[
    "party_branch_resolution",
    "party_group_resolution",
    "village_assembly",
    "village_representatives",
    "village_group_meeting",
    "residents_assembly",
    "residents_representatives",
    "two_thirds_of_attending",
];

/// One voter's choice, for tallying ballots one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vote {
    Yes,
    No,
    Abstain,
    /// A spoilt or blank form: counted as returned, never as yes.
    Invalid,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Votes {
    pub yes: u64,
    pub no: u64,
    #[serde(default)]
    pub abstain: u64,
    #[serde(default)]
    pub invalid: u64,
}

impl Votes {
    pub fn from_ballots<'a>(ballots: impl IntoIterator<Item = &'a Vote>) -> Votes {
        let mut v = Votes::default();
        for b in ballots {
            match b {
                Vote::Yes => v.yes += 1,
                Vote::No => v.no += 1,
                Vote::Abstain => v.abstain += 1,
                Vote::Invalid => v.invalid += 1,
            }
        }
        v
    }
    pub fn total(&self) -> u64 {
        self.yes + self.no + self.abstain + self.invalid
    }
}

/// A counting request of kind "decision" (see docs/count.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub config: Option<DecisionConfig>,
    /// All members with voting rights (N_members).
    #[serde(default)]
    pub members: Option<u64>,
    /// Absentees lawfully left out of those due to attend (R-A2).
    #[serde(default)]
    pub excluded: Option<u64>,
    /// Those due to attend (N_expected); by default members less exclusions.
    #[serde(default)]
    pub members_expected: Option<u64>,
    #[serde(default)]
    pub households: Option<u64>,
    #[serde(default)]
    pub households_present: Option<u64>,
    pub present: u64,
    pub votes: Votes,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionResult {
    pub method: String,
    pub rules: String,
    pub members_expected: u64,
    pub present: u64,
    pub quorum_met: bool,
    pub passed: bool,
    /// The fewest yes votes that pass, the other votes as they are (null: none can).
    pub pass_threshold_min_yes: Option<u64>,
    pub votes: Votes,
    pub reason: String,
    pub reason_zh: String,
}

fn invalid(field: &str, zh: String, en: String) -> DomainError {
    DomainError::invalid(FieldError::new(field, "invalid", zh, en))
}

/// Counts a decision.
pub fn count(input: &DecisionInput) -> Result<DecisionResult, DomainError> {
    let (name, rules, config) = match (&input.method, &input.config) {
        (_, Some(c)) => (input.method.clone().unwrap_or_else(|| "custom".into()), "config".to_string(), c.clone()),
        (Some(m), None) => match method(m) {
            Some((r, c)) => (m.clone(), r.to_string(), c),
            None => {
                return Err(invalid(
                    "method",
                    format!("未知的表决方法“{m}”,可用:{}", METHODS.join("、")),
                    format!("unknown method “{m}”; known: {}", METHODS.join(", ")),
                ))
            }
        },
        (None, None) => return Err(invalid("method", "须给出 method 或 config".into(), "give a method or a config".into())),
    };
    let expected = match (input.members_expected, input.members) {
        (Some(e), _) => e,
        (None, Some(m)) => m
            .checked_sub(input.excluded.unwrap_or(0))
            .ok_or_else(|| invalid("excluded", "不计入应到会的人数多于党员人数".into(), "more excluded than members".into()))?,
        (None, None) => {
            return Err(invalid(
                "members_expected",
                "须给出应到会人数 members_expected(或 members)".into(),
                "give members_expected (or members)".into(),
            ))
        }
    };
    let members = input.members.unwrap_or(expected);
    if expected > members {
        return Err(invalid("members_expected", "应到会人数多于成员人数".into(), "more due to attend than members".into()));
    }
    if input.present > members {
        return Err(invalid(
            "present",
            format!("到会人数 {} 多于成员人数 {members}", input.present),
            format!("{} present but only {members} members", input.present),
        ));
    }
    let v = input.votes;
    if v.total() > input.present {
        return Err(invalid(
            "votes",
            format!("票数合计 {} 多于到会人数 {}", v.total(), input.present),
            format!("{} votes but only {} present", v.total(), input.present),
        ));
    }
    if let (Some(h), Some(hp)) = (input.households, input.households_present) {
        if hp > h {
            return Err(invalid("households_present", "到会户数多于总户数".into(), "more households present than households".into()));
        }
    }
    // quorum: any of its rules
    let mut q_en = Vec::new();
    let mut q_zh = Vec::new();
    let mut quorum_met = config.quorum.is_empty();
    for r in &config.quorum {
        let t = Threshold { fraction: r.fraction, cmp: r.cmp };
        let (x, base, what_en, what_zh) = match r.base {
            QuorumBase::Expected => (input.present, expected, "due to attend", "应到会人数"),
            QuorumBase::Members => (input.present, members, "members", "成员人数"),
            QuorumBase::Households => match (input.households_present, input.households) {
                (Some(hp), Some(h)) => (hp, h, "households", "户数"),
                _ => {
                    if config.quorum.len() > 1 {
                        continue;
                    }
                    return Err(invalid(
                        "households",
                        "此方法按户计算到会,须给出 households 和 households_present".into(),
                        "this quorum counts households: give households and households_present".into(),
                    ));
                }
            },
        };
        let ok = t.met(x, base);
        quorum_met |= ok;
        let (wz, we) = t.words();
        q_en.push(format!("{x} present of {base} {what_en}, needs {we}: {}", t.show(x, base)));
        q_zh.push(format!("到会 {x},{what_zh} {base},须{wz}:{}", t.show(x, base)));
    }
    let pass = Threshold { fraction: config.pass.fraction, cmp: config.pass.cmp };
    let base_of = |yes: u64| match config.pass.base {
        PassBase::Expected => expected,
        PassBase::Members => members,
        PassBase::Present => input.present,
        PassBase::Cast => yes + v.no + v.abstain,
        PassBase::CastExcludingAbstain => yes + v.no,
    };
    let base = base_of(v.yes);
    let yes_ok = pass.met(v.yes, base);
    // the fewest yes that pass: the condition only gets easier as yes grows
    let min_yes = {
        let ok = |y: u64| pass.met(y, base_of(y));
        let hi = 1u64 << 50;
        if !ok(hi) {
            None
        } else {
            let (mut lo, mut hi) = (0u64, hi);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if ok(mid) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            Some(lo)
        }
    };
    let passed = quorum_met && yes_ok;
    let (base_en, base_zh) = match config.pass.base {
        PassBase::Expected => ("due to attend", "应到会人数"),
        PassBase::Members => ("members", "成员人数"),
        PassBase::Present => ("present", "到会人数"),
        PassBase::Cast => ("votes cast", "投票数(含弃权)"),
        PassBase::CastExcludingAbstain => ("yes and no votes", "赞成与反对票数"),
    };
    let (pz, pe) = pass.words();
    let quorum_en = if config.quorum.is_empty() {
        "No quorum rule applies.".to_string()
    } else {
        format!("Quorum {} ({rules}): {}.", if quorum_met { "met" } else { "NOT met" }, q_en.join("; or "))
    };
    let quorum_zh = if config.quorum.is_empty() {
        "本方法无到会人数要求。".to_string()
    } else {
        format!("到会人数{}({rules}):{}。", if quorum_met { "符合" } else { "不足" }, q_zh.join(";或"))
    };
    let verdict_en = if !quorum_met {
        "The vote does not count without a quorum.".to_string()
    } else if yes_ok {
        "Passed.".to_string()
    } else {
        "Not passed.".to_string()
    };
    let verdict_zh = if !quorum_met {
        "不足法定人数,表决无效。".to_string()
    } else if yes_ok {
        "通过。".to_string()
    } else {
        "未通过。".to_string()
    };
    let reason = format!("{quorum_en} Yes votes must be {pe} of the {base} {base_en} ({rules}): {}. {verdict_en}", pass.show(v.yes, base));
    let reason_zh = format!("{quorum_zh}赞成票须{pz}{base_zh}({base}):{}。{verdict_zh}", pass.show(v.yes, base));
    Ok(DecisionResult {
        method: name,
        rules,
        members_expected: expected,
        present: input.present,
        quorum_met,
        passed,
        pass_threshold_min_yes: min_yes,
        votes: v,
        reason,
        reason_zh,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(method: &str, expected: u64, present: u64, yes: u64, no: u64, abstain: u64) -> DecisionInput {
        DecisionInput {
            method: Some(method.into()),
            members_expected: Some(expected),
            present,
            votes: Votes { yes, no, abstain, invalid: 0 },
            ..Default::default()
        }
    }

    #[test]
    fn r_b3_branch_resolution_counts_against_those_due_to_attend() {
        // the example in examples/count/02: 20 due, 14 present, 11 yes
        let r = count(&input("party_branch_resolution", 20, 14, 11, 2, 1)).unwrap();
        assert!(r.quorum_met && r.passed);
        assert_eq!(r.pass_threshold_min_yes, Some(11));
        assert!(r.reason.contains("2×11=22 > 20") && r.reason.contains("R-B3"));
        // exactly half present is a quorum (半数以上 is inclusive)
        assert!(count(&input("party_branch_resolution", 20, 10, 10, 0, 0)).unwrap().quorum_met);
        assert!(!count(&input("party_branch_resolution", 20, 9, 9, 0, 0)).unwrap().quorum_met);
        // exactly half of those due voting yes is not more than half
        let r = count(&input("party_branch_resolution", 20, 20, 10, 10, 0)).unwrap();
        assert!(!r.passed, "{}", r.reason);
        // an absentee works as "no": 11 of 12 present say yes, still 11 > 10
        assert!(count(&input("party_branch_resolution", 20, 12, 11, 0, 1)).unwrap().passed);
        assert!(!count(&input("party_branch_resolution", 21, 12, 10, 0, 2)).unwrap().passed, "2×10=20 ≤ 21");
    }

    #[test]
    fn r_b4_party_group_has_no_quorum_but_the_same_base() {
        let r = count(&input("party_group_resolution", 9, 5, 5, 0, 0)).unwrap();
        assert!(r.quorum_met && r.passed, "2×5=10 > 9");
        assert!(!count(&input("party_group_resolution", 10, 10, 5, 5, 0)).unwrap().passed);
    }

    #[test]
    fn r_b7_representatives_need_two_thirds_present_and_half_of_them() {
        // 30 members: 20 present is exactly 2/3 (≥ is enough)
        let r = count(&input("village_representatives", 30, 20, 11, 9, 0)).unwrap();
        assert!(r.quorum_met && r.passed);
        assert!(!count(&input("village_representatives", 30, 19, 19, 0, 0)).unwrap().quorum_met);
        // exactly half of those present is not more than half
        assert!(!count(&input("residents_representatives", 30, 20, 10, 10, 0)).unwrap().passed);
        assert_eq!(count(&input("residents_representatives", 30, 20, 10, 10, 0)).unwrap().pass_threshold_min_yes, Some(11));
    }

    #[test]
    fn r_b7_village_assembly_is_quorate_by_people_or_by_households() {
        let mut i = input("village_assembly", 1000, 400, 300, 50, 50);
        i.households = Some(300);
        i.households_present = Some(200);
        // 400 of 1000 villagers is not more than half, but 200 of 300 households is two thirds
        let r = count(&i).unwrap();
        assert!(r.quorum_met && r.passed, "{}", r.reason);
        i.households_present = Some(199);
        assert!(!count(&i).unwrap().quorum_met);
        i.present = 501;
        i.votes.yes = 251;
        assert!(count(&i).unwrap().passed, "501 of 1000 is more than half");
        // without household figures only the head count can make the quorum
        i.households = None;
        i.households_present = None;
        assert!(count(&i).unwrap().quorum_met);
    }

    #[test]
    fn r_k3_two_thirds_of_attending_is_inclusive_and_a_setting() {
        assert!(count(&input("two_thirds_of_attending", 30, 21, 14, 7, 0)).unwrap().passed, "3×14=42 ≥ 42");
        assert!(!count(&input("two_thirds_of_attending", 30, 21, 13, 8, 0)).unwrap().passed);
        // the same as an explicit config, strict this time
        let mut i = input("x", 30, 21, 14, 7, 0);
        i.method = None;
        i.config =
            Some(DecisionConfig { quorum: vec![], pass: PassRule { fraction: Fraction::TWO_THIRDS, cmp: Cmp::Over, base: PassBase::Present } });
        assert!(!count(&i).unwrap().passed);
        assert_eq!(count(&i).unwrap().pass_threshold_min_yes, Some(15));
    }

    #[test]
    fn cast_bases_leave_absentees_out() {
        let mut i = input("x", 100, 40, 11, 10, 19);
        i.method = None;
        i.config = Some(DecisionConfig {
            quorum: vec![],
            pass: PassRule { fraction: Fraction::HALF, cmp: Cmp::Over, base: PassBase::CastExcludingAbstain },
        });
        assert!(count(&i).unwrap().passed, "11 of 21 yes and no");
        assert_eq!(count(&i).unwrap().pass_threshold_min_yes, Some(11));
        i.config.as_mut().unwrap().pass.base = PassBase::Cast;
        assert!(!count(&i).unwrap().passed, "11 of 40 cast");
        assert_eq!(count(&i).unwrap().pass_threshold_min_yes, Some(30), "y > 10 + 19");
        // unanimity "more than all" can never pass
        i.config.as_mut().unwrap().pass = PassRule { fraction: Fraction { num: 1, den: 1 }, cmp: Cmp::Over, base: PassBase::Cast };
        assert_eq!(count(&i).unwrap().pass_threshold_min_yes, None);
    }

    #[test]
    fn impossible_figures_are_refused() {
        assert!(count(&input("party_branch_resolution", 20, 21, 1, 0, 0)).is_err(), "more present than due");
        assert!(count(&input("party_branch_resolution", 20, 10, 8, 2, 1)).is_err(), "more votes than present");
        assert!(count(&input("nope", 20, 10, 1, 0, 0)).is_err());
        let mut i = input("village_representatives", 30, 20, 1, 0, 0);
        i.members_expected = None;
        assert!(count(&i).is_err(), "no base");
        i.members = Some(25);
        i.excluded = Some(5);
        assert_eq!(count(&i).unwrap().members_expected, 20);
        let mut h = input("village_assembly", 100, 10, 1, 0, 0);
        h.households = Some(10);
        h.households_present = Some(11);
        assert!(count(&h).is_err());
    }

    fn arb_config() -> impl Strategy<Value = DecisionConfig> {
        (1u64..4, prop_oneof![Just(2u64), Just(3), Just(5)], any::<bool>(), 0..3usize).prop_map(|(n, d, strict, base)| DecisionConfig {
            quorum: vec![],
            pass: PassRule {
                fraction: Fraction { num: n.min(d), den: d },
                cmp: if strict { Cmp::Over } else { Cmp::AtLeast },
                base: [PassBase::Expected, PassBase::Present, PassBase::Cast][base],
            },
        })
    }

    proptest! {
        #[test]
        fn counting_does_not_depend_on_ballot_order(ballots in proptest::collection::vec(prop_oneof![Just(Vote::Yes), Just(Vote::No), Just(Vote::Abstain), Just(Vote::Invalid)], 0..60), seed in any::<u64>()) {
            let mut shuffled = ballots.clone();
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let n = ballots.len() as u64;
            let a = count(&DecisionInput { method: Some("party_branch_resolution".into()), members_expected: Some(n + 3), present: n, votes: Votes::from_ballots(&ballots), ..Default::default() }).unwrap();
            let b = count(&DecisionInput { method: Some("party_branch_resolution".into()), members_expected: Some(n + 3), present: n, votes: Votes::from_ballots(&shuffled), ..Default::default() }).unwrap();
            prop_assert_eq!(a, b);
        }

        #[test]
        fn an_abstention_never_turns_a_failing_vote_into_a_passing_one(config in arb_config(), yes in 0u64..40, no in 0u64..40, abstain in 0u64..40, absent in 0u64..20) {
            // the abstainer was present anyway (or came in to abstain): either way no new yes
            let present = yes + no + abstain + 1;
            let before = DecisionInput { config: Some(config.clone()), members_expected: Some(present + absent), present, votes: Votes { yes, no, abstain, invalid: 0 }, ..Default::default() };
            let after = DecisionInput { votes: Votes { abstain: abstain + 1, ..before.votes }, ..before.clone() };
            let (b, a) = (count(&before).unwrap(), count(&after).unwrap());
            prop_assert!(b.passed || !a.passed, "{} / {}", b.reason, a.reason);
        }

        #[test]
        fn the_minimum_yes_is_exactly_the_boundary(config in arb_config(), no in 0u64..30, abstain in 0u64..30, absent in 0u64..20) {
            let present = 60 + no + abstain;
            let mk = |yes| DecisionInput { config: Some(config.clone()), members_expected: Some(present + absent), present, votes: Votes { yes, no, abstain, invalid: 0 }, ..Default::default() };
            if let Some(m) = count(&mk(0)).unwrap().pass_threshold_min_yes {
                if m <= 60 {
                    prop_assert!(count(&mk(m)).unwrap().passed);
                }
                if m > 0 && m - 1 <= 60 {
                    prop_assert!(!count(&mk(m - 1)).unwrap().passed);
                }
            }
        }
    }
}
