//! Elections (选举): is the meeting valid, is the election valid, which ballots are void, who
//! is elected, and what has to happen next. Every step names its rule in `../shared/rules.md`:
//! quorum R-B, ballot validity R-C, election validity R-D, threshold R-E, ranking and ties R-F,
//! 另行选举 R-G, one ballot for several posts R-I3. Local practice is an [`ElectionOptions`]
//! setting whose default is the regulation's value.
//!
//! The input is ballot *patterns* (`count` identical ballots), so 45,100 paper ballots and one
//! phone ballot go through the same arithmetic; all comparisons are integer (§0.4).

use super::fraction::{Cmp, Fraction, Threshold};
use crate::{DomainError, FieldError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A voter's mark against one candidate (R-C1). A candidate left unmarked is an abstention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Yes,
    No,
    Abstain,
}

/// `count` identical ballots. One post: `marks` and `write_ins`; several posts on one ballot:
/// `post_marks` and `post_write_ins`, keyed by the post's name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BallotPattern {
    pub count: i64,
    #[serde(default)]
    pub marks: BTreeMap<String, Mark>,
    /// Names written in with a yes (另选他人, R-C1).
    #[serde(default)]
    pub write_ins: Vec<String>,
    #[serde(default)]
    pub post_marks: BTreeMap<String, BTreeMap<String, Mark>>,
    #[serde(default)]
    pub post_write_ins: BTreeMap<String, Vec<String>>,
    /// Judged void as a whole by the tellers for another reason (tampering, marks outside the
    /// prescribed places under a whole-ballot R-C4 rule).
    #[serde(default)]
    pub void: bool,
}

/// One post on the ballot: its seats and its candidates (in ballot order, R-C6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostInput {
    pub post: String,
    pub seats: i64,
    pub candidates: Vec<String>,
}

/// A lawful exclusion from those due to attend (R-A2): only both approvals remove a member
/// from the base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub ground: String,
    pub higher_approved: bool,
    pub meeting_approved: bool,
}

/// Which round this count is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Round {
    #[default]
    First,
    /// 另行选举 for the seats still empty (R-G). Village and residents' committees use the
    /// `…_supplementary` methods instead (R-G3 has its own threshold).
    Supplementary,
    /// The revote among candidates tied at the cut-off (R-F2).
    TieRevote,
}

/// How many of the not-elected go to 另行选举.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplementaryCandidates {
    /// All not elected, by votes (Party rules: chosen "在未超过半数的人选中", R-G2).
    NotElected,
    /// Remaining seats + 1, by votes (the usual provincial village rule, R-G3).
    #[serde(rename = "remaining_seats_plus_1")]
    RemainingSeatsPlus1,
    /// Twice the remaining seats.
    #[serde(rename = "remaining_seats_times_2")]
    RemainingSeatsTimes2,
}

/// What R-C4 does with an irregular part of a ballot (here: a write-in not allowed by R-C5
/// option A).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Irregular {
    /// The part is void, the rest counts (provincial village rules; default).
    #[default]
    PartVoid,
    /// The whole ballot is void (some Party 实施细则).
    BallotVoid,
}

/// What happens when 另行选举 (R-G3) still leaves seats empty (unconfirmed, local).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shortfall {
    #[default]
    AnotherRound,
    LeaveVacant,
}

/// Local settings; every default is the regulation's value or, where it is silent, the
/// recommendation of rules.md.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionOptions {
    /// Default: `not_elected` for Party methods, `remaining_seats_plus_1` for village and
    /// residents' committees (R-G2, R-G3).
    #[serde(default)]
    pub supplementary_candidates: Option<SupplementaryCandidates>,
    /// R-F2: the tie revote is decided by plurality (default) or must also clear the threshold.
    #[serde(default)]
    pub tie_revote_needs_threshold: bool,
    /// R-C5 option A: a write-in stands only in place of a 不赞成 mark (default: option B,
    /// validity by the count rule R-C2 alone).
    #[serde(default)]
    pub write_in_requires_no: bool,
    #[serde(default)]
    pub irregular: Irregular,
    /// R-I3: on one ballot for several posts, a candidate's votes for higher posts count toward
    /// the lower ones (provincial village practice; default off).
    #[serde(default)]
    pub count_higher_post_votes: bool,
    /// A written-in person may be elected (R-C1, R-G3; default true).
    #[serde(default)]
    pub write_ins_can_be_elected: Option<bool>,
    /// R-G3: whether 另行选举 needs a turnout again, as a share of the registered voters that
    /// must be exceeded, e.g. "1/2" (default: none).
    #[serde(default)]
    pub supplementary_quorum: Option<Fraction>,
    #[serde(default)]
    pub after_supplementary_shortfall: Shortfall,
}

/// What a threshold is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteBase {
    /// 实到会有选举权人数 (R-E1).
    Present,
    /// 应到会有选举权人数 (R-E2, R-E3).
    Expected,
    /// Ballots cast, blank and void included (参加投票的, 已投选票总数: R-E4, R-E5, R-G3).
    Returned,
    /// Valid ballots only (a setting; no rule uses it).
    Valid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdRule {
    pub fraction: Fraction,
    pub cmp: Cmp,
    pub base: VoteBase,
}

/// A method's rules: the quorum (present against those due to attend or registered), the
/// threshold to be elected, and whether the winners are "the most votes" (R-G3) or everyone
/// over the threshold ranked (R-F1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionConfig {
    #[serde(default)]
    pub quorum: Option<Threshold>,
    pub threshold: ThresholdRule,
    /// R-G3's 另行选举: candidates come from the first round and "得票多的当选".
    #[serde(default)]
    pub supplementary: bool,
    /// Party rules (R-G2) or village/residents' rules (R-G3) for what comes after.
    #[serde(default)]
    pub party: bool,
}

/// The methods of rules.md: (rule ids, config).
pub fn method(code: &str) -> Option<(&'static str, ElectionConfig)> {
    use Cmp::*;
    let t = |fraction, cmp, base| ThresholdRule { fraction, cmp, base };
    let half = Threshold::over(Fraction::HALF);
    let cfg = |quorum, threshold, supplementary, party| ElectionConfig { quorum, threshold, supplementary, party };
    Some(match code {
        "party_grassroots" => {
            ("R-B1, R-E1", cfg(Some(Threshold::over(Fraction::FOUR_FIFTHS)), t(Fraction::HALF, Over, VoteBase::Present), false, true))
        }
        "party_local_congress" => ("R-B2, R-E2", cfg(Some(half), t(Fraction::HALF, Over, VoteBase::Expected), false, true)),
        "party_local_plenary" => {
            ("R-B2, R-E2", cfg(Some(Threshold::over(Fraction::TWO_THIRDS)), t(Fraction::HALF, Over, VoteBase::Expected), false, true))
        }
        "party_local_preliminary" => ("R-B2, R-E3", cfg(Some(half), t(Fraction::HALF, Over, VoteBase::Expected), false, true)),
        "village_committee" => ("R-B5, R-E4", cfg(Some(half), t(Fraction::HALF, Over, VoteBase::Returned), false, false)),
        "residents_committee_voters" | "residents_committee_households" => {
            ("R-B6, R-E5", cfg(Some(half), t(Fraction::HALF, Over, VoteBase::Returned), false, false))
        }
        "residents_committee_representatives" => {
            ("R-B6, R-E5", cfg(Some(Threshold::over(Fraction::TWO_THIRDS)), t(Fraction::HALF, Over, VoteBase::Returned), false, false))
        }
        "village_committee_supplementary" | "residents_committee_supplementary" => {
            ("R-G3", cfg(None, t(Fraction::THIRD, AtLeast, VoteBase::Returned), true, false))
        }
        _ => return None,
    })
}

pub const METHODS: &[&str] = &[
    "party_grassroots",
    "party_local_congress",
    "party_local_plenary",
    "party_local_preliminary",
    "village_committee",
    "residents_committee_voters",
    "residents_committee_households",
    "residents_committee_representatives",
    "village_committee_supplementary",
    "residents_committee_supplementary",
];

/// How an election round held as a vote is counted (kept with the vote): the method, the
/// round and the local settings. The roll gives those due to attend and present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionRule {
    pub method: String,
    #[serde(default)]
    pub round: Round,
    #[serde(default)]
    pub options: ElectionOptions,
    /// Absentees left out of those due to attend, with their approvals (R-A2).
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
}

impl ElectionRule {
    pub fn parse(text: &str) -> Result<ElectionRule, DomainError> {
        let r: ElectionRule = serde_json::from_str(text)
            .map_err(|e| invalid("method", format!("选举计票规则格式不对:{e}"), format!("the election's counting rule is malformed: {e}")))?;
        if method(&r.method).is_none() {
            return Err(invalid("method", format!("未知的选举方法“{}”", r.method), format!("unknown method “{}”", r.method)));
        }
        Ok(r)
    }
    /// The counting request for `seats` among `candidates`, from the roll and the box.
    pub fn input(&self, seats: u64, candidates: &[String], expected: u64, present: u64, ballots: Vec<BallotPattern>) -> ElectionInput {
        ElectionInput {
            kind: "election".into(),
            method: Some(self.method.clone()),
            round: self.round,
            seats: Some(seats as i64),
            candidates: candidates.to_vec(),
            eligible_voters: expected as i64,
            voters_present: present as i64,
            ballots,
            options: self.options.clone(),
            exclusions: self.exclusions.clone(),
            ..Default::default()
        }
    }
}

/// A counting request of kind "election" (docs/count.md).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub config: Option<ElectionConfig>,
    #[serde(default)]
    pub round: Round,
    #[serde(default)]
    pub seats: Option<i64>,
    #[serde(default)]
    pub candidates: Vec<String>,
    #[serde(default)]
    pub posts: Vec<PostInput>,
    /// Members with voting rights, or registered voters.
    pub eligible_voters: i64,
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
    pub voters_present: i64,
    /// Default: those present.
    #[serde(default)]
    pub ballots_issued: Option<i64>,
    /// Default: the ballots given.
    #[serde(default)]
    pub ballots_returned: Option<i64>,
    pub ballots: Vec<BallotPattern>,
    #[serde(default)]
    pub options: ElectionOptions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunoffType {
    TieRevote,
    SupplementaryElection,
    RerunWholeElection,
    Reconvene,
}

/// Per candidate on valid ballots.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marks {
    pub yes: u64,
    pub no: u64,
    pub abstain: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostResult {
    pub post: String,
    pub seats: u64,
    pub void_ballots: u64,
    pub valid_ballots: u64,
    pub blank_ballots: u64,
    /// Yes votes (with higher posts' under R-I3 when set), candidates first, then write-ins.
    pub tally: BTreeMap<String, u64>,
    pub marks: BTreeMap<String, Marks>,
    pub threshold_min_votes: u64,
    pub elected: Vec<String>,
    pub runoff_needed_for: Vec<String>,
    pub runoff_type: Option<RunoffType>,
    pub remaining_seats: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionResult {
    pub method: String,
    pub rules: String,
    pub members_expected: u64,
    pub voters_present: u64,
    pub ballots_issued: u64,
    pub ballots_returned: u64,
    pub meeting_valid: bool,
    pub election_valid: bool,
    pub void_ballots: u64,
    pub valid_ballots: u64,
    pub blank_ballots: u64,
    /// One post: name → yes votes. Several posts: post → (name → votes).
    pub tally: serde_json::Value,
    pub threshold_min_votes: u64,
    pub elected: Vec<String>,
    pub elected_by_post: BTreeMap<String, Vec<String>>,
    pub runoff_needed_for: Vec<String>,
    pub runoff_type: Option<RunoffType>,
    pub remaining_seats: u64,
    pub posts: Vec<PostResult>,
    /// Slate problems a teller should see (not errors: the ballots are what they are).
    pub warnings: Vec<String>,
    pub reason: String,
    pub reason_zh: String,
}

fn invalid(field: &str, zh: String, en: String) -> DomainError {
    DomainError::invalid(FieldError::new(field, "invalid", zh, en))
}

/// A count from the request: never negative (the field is named in the error).
pub(super) fn nonneg(field: &str, v: i64) -> Result<u64, DomainError> {
    u64::try_from(v).map_err(|_| invalid(field, format!("{field} 不能是负数({v})"), format!("{field} cannot be negative ({v})")))
}

/// A checked ballot pattern: per post, the marks and write-ins (borrowed from the request,
/// so a million patterns are not copied).
struct Checked<'a> {
    count: u64,
    void: bool,
    sections: Vec<(&'a BTreeMap<String, Mark>, &'a [String])>,
}

static NO_MARKS: BTreeMap<String, Mark> = BTreeMap::new();

struct Post {
    name: String,
    seats: u64,
    candidates: Vec<String>,
}

fn check_names(field: &str, names: &[String]) -> Result<(), DomainError> {
    let mut seen = BTreeSet::new();
    for n in names {
        if n.trim().is_empty() {
            return Err(invalid(field, format!("{field} 中有空的姓名"), format!("{field} has an empty name")));
        }
        if !seen.insert(n.as_str()) {
            return Err(invalid(field, format!("{field} 中“{n}”出现了两次"), format!("{field} names “{n}” twice")));
        }
    }
    Ok(())
}

fn check_posts(input: &ElectionInput) -> Result<Vec<Post>, DomainError> {
    let posts = if input.posts.is_empty() {
        let seats = input.seats.ok_or_else(|| invalid("seats", "须给出应选名额 seats(或 posts)".into(), "give seats (or posts)".into()))?;
        vec![Post { name: String::new(), seats: nonneg("seats", seats)?, candidates: input.candidates.clone() }]
    } else {
        if input.seats.is_some() || !input.candidates.is_empty() {
            return Err(invalid(
                "posts",
                "给出 posts 时,seats 和 candidates 写在每个职务里".into(),
                "with posts, seats and candidates belong to each post".into(),
            ));
        }
        let mut out = Vec::new();
        for (i, p) in input.posts.iter().enumerate() {
            if p.post.trim().is_empty() || out.iter().any(|q: &Post| q.name == p.post) {
                return Err(invalid(
                    "posts",
                    format!("posts[{i}] 的职务名称为空或重复"),
                    format!("posts[{i}]: the post's name is empty or repeated"),
                ));
            }
            out.push(Post { name: p.post.clone(), seats: nonneg(&format!("posts[{i}].seats"), p.seats)?, candidates: p.candidates.clone() });
        }
        out
    };
    for p in &posts {
        let f = if p.name.is_empty() { "candidates".to_string() } else { format!("posts[{}].candidates", p.name) };
        if p.seats == 0 {
            return Err(invalid("seats", "应选名额须至少为 1".into(), "seats must be at least 1".into()));
        }
        if p.candidates.is_empty() {
            return Err(invalid(&f, "候选人名单为空".into(), "the candidate list is empty".into()));
        }
        check_names(&f, &p.candidates)?;
    }
    Ok(posts)
}

fn check_ballots<'a>(input: &'a ElectionInput, posts: &[Post]) -> Result<Vec<Checked<'a>>, DomainError> {
    let mut out = Vec::with_capacity(input.ballots.len());
    for (i, b) in input.ballots.iter().enumerate() {
        let at = format!("ballots[{i}]");
        let count = nonneg(&format!("{at}.count"), b.count)?;
        let mut sections = Vec::new();
        if posts.len() == 1 && posts[0].name.is_empty() {
            if !b.post_marks.is_empty() || !b.post_write_ins.is_empty() {
                return Err(invalid(&at, format!("{at}:没有 posts 时用 marks 和 write_ins"), format!("{at}: without posts use marks and write_ins")));
            }
            sections.push((&b.marks, b.write_ins.as_slice()));
        } else {
            if !b.marks.is_empty() || !b.write_ins.is_empty() {
                return Err(invalid(
                    &at,
                    format!("{at}:有 posts 时用 post_marks 和 post_write_ins"),
                    format!("{at}: with posts use post_marks and post_write_ins"),
                ));
            }
            for k in b.post_marks.keys().chain(b.post_write_ins.keys()) {
                if !posts.iter().any(|p| &p.name == k) {
                    return Err(invalid(&at, format!("{at}:没有职务“{k}”"), format!("{at}: there is no post “{k}”")));
                }
            }
            for p in posts {
                sections.push((b.post_marks.get(&p.name).unwrap_or(&NO_MARKS), b.post_write_ins.get(&p.name).map(Vec::as_slice).unwrap_or(&[])));
            }
        }
        for (p, (marks, writes)) in posts.iter().zip(&sections) {
            for name in marks.keys() {
                if !p.candidates.contains(name) {
                    return Err(invalid(
                        &format!("{at}.marks"),
                        format!("{at}:“{name}”不在候选人名单上(另选他人写在 write_ins)"),
                        format!("{at}: “{name}” is not a candidate (a name written in goes in write_ins)"),
                    ));
                }
            }
            check_names(&format!("{at}.write_ins"), writes)?;
            for w in writes.iter() {
                if p.candidates.contains(w) {
                    return Err(invalid(
                        &format!("{at}.write_ins"),
                        format!("{at}:“{w}”是候选人,应在 marks 中标记,不是另选"),
                        format!("{at}: “{w}” is a candidate: mark them in marks, not as a write-in"),
                    ));
                }
            }
        }
        out.push(Checked { count, void: b.void, sections });
    }
    Ok(out)
}

/// The part of one ballot's section that counts, or None when the section is void: R-C5's
/// option A first (irregular write-ins per R-C4), then the count rule R-C2.
fn section_counts<'a>(marks: &'a BTreeMap<String, Mark>, writes: &'a [String], seats: u64, o: &ElectionOptions) -> Option<Vec<&'a str>> {
    let mut writes: Vec<&str> = writes.iter().map(String::as_str).collect();
    if o.write_in_requires_no {
        let noes = marks.values().filter(|m| **m == Mark::No).count();
        if writes.len() > noes {
            match o.irregular {
                Irregular::PartVoid => writes.truncate(noes),
                Irregular::BallotVoid => return None,
            }
        }
    }
    let yes = marks.values().filter(|m| **m == Mark::Yes).count() + writes.len();
    (yes as u64 <= seats).then_some(writes)
}

/// Counts an election.
pub fn count(input: &ElectionInput) -> Result<ElectionResult, DomainError> {
    let (name, rules, config) = match (&input.method, &input.config) {
        (_, Some(c)) => (input.method.clone().unwrap_or_else(|| "custom".into()), "config".to_string(), c.clone()),
        (Some(m), None) => match method(m) {
            Some((r, c)) => (m.clone(), r.to_string(), c),
            None => {
                return Err(invalid(
                    "method",
                    format!("未知的选举方法“{m}”,可用:{}", METHODS.join("、")),
                    format!("unknown method “{m}”; known: {}", METHODS.join(", ")),
                ))
            }
        },
        (None, None) => return Err(invalid("method", "须给出 method 或 config".into(), "give a method or a config".into())),
    };
    // "R-B1, R-E1": the quorum's rule, then the threshold's
    let (q_rule, t_rule) = rules.split_once(", ").unwrap_or((&rules, &rules));
    let (q_rule, t_rule) = (q_rule.to_string(), t_rule.to_string());
    let o = &input.options;
    let posts = check_posts(input)?;
    let ballots = check_ballots(input, &posts)?;
    let eligible = nonneg("eligible_voters", input.eligible_voters)?;
    let present = nonneg("voters_present", input.voters_present)?;
    let issued = nonneg("ballots_issued", input.ballots_issued.unwrap_or(input.voters_present))?;
    let given: u64 = ballots.iter().map(|b| b.count).sum();
    let returned = nonneg("ballots_returned", input.ballots_returned.unwrap_or(given as i64))?;
    if returned != given {
        return Err(invalid(
            "ballots_returned",
            format!("收回选票 {returned} 张,但 ballots 合计 {given} 张"),
            format!("ballots_returned is {returned} but the ballots add up to {given}"),
        ));
    }
    // R-A2: an exclusion needs both approvals
    let lawful = input.exclusions.iter().filter(|e| e.higher_approved && e.meeting_approved).count() as u64;
    let unlawful = input.exclusions.len() as u64 - lawful;
    let expected = eligible
        .checked_sub(lawful)
        .ok_or_else(|| invalid("exclusions", "不计入应到会的人数多于有选举权的人数".into(), "more exclusions than eligible voters".into()))?;
    if present > expected {
        return Err(invalid(
            "voters_present",
            format!("到会 {present} 人,多于应到会 {expected} 人"),
            format!("{present} present but only {expected} due to attend"),
        ));
    }
    if issued > present {
        return Err(invalid(
            "ballots_issued",
            format!("发出选票 {issued} 张,多于到会 {present} 人"),
            format!("{issued} ballots issued but only {present} present"),
        ));
    }
    let mut warnings = Vec::new();
    let mut en = Vec::new();
    let mut zh = Vec::new();
    if unlawful > 0 {
        en.push(format!("{unlawful} exclusion(s) lack an approval and stay in the base (R-A2)."));
        zh.push(format!("{unlawful} 人的不计入未经上级同意和大会通过,仍计入应到会(R-A2)。"));
    }
    // quorum (R-B); R-G3's 另行选举 has none unless a setting asks for one
    let quorum = if config.supplementary { o.supplementary_quorum.map(Threshold::over) } else { config.quorum };
    let meeting_valid = match quorum {
        Some(q) => {
            let ok = q.met(present, expected);
            let (wz, we) = q.words();
            en.push(format!(
                "Quorum {}: {present} present of {expected}, needs {we}: {} ({q_rule}).",
                if ok { "met" } else { "NOT met" },
                q.show(present, expected)
            ));
            zh.push(format!(
                "到会 {present} 人,应到 {expected} 人,须{wz}:{},{}({q_rule})。",
                q.show(present, expected),
                if ok { "会议有效" } else { "不足法定人数,会议无效" }
            ));
            ok
        }
        None => true,
    };
    // R-D1: more returned than issued voids the whole election
    let election_valid = returned <= issued;
    if !election_valid {
        en.push(format!("{returned} ballots returned for {issued} issued: the election is void and is held again (R-D1, R-D2)."));
        zh.push(format!("收回选票 {returned} 张,多于发出的 {issued} 张,选举无效,应重新选举(R-D1、R-D2)。"));
    }
    let t = Threshold { fraction: config.threshold.fraction, cmp: config.threshold.cmp };
    let mut results = Vec::new();
    let mut elected_higher: BTreeSet<String> = BTreeSet::new();
    let mut higher_votes: BTreeMap<String, u64> = BTreeMap::new();
    let mut any_void = vec![false; ballots.len()];
    for (k, p) in posts.iter().enumerate() {
        let mut marks: BTreeMap<String, Marks> = p.candidates.iter().map(|c| (c.clone(), Marks::default())).collect();
        let mut writes: BTreeMap<String, u64> = BTreeMap::new();
        let (mut void, mut valid, mut blank) = (0u64, 0u64, 0u64);
        for (i, b) in ballots.iter().enumerate() {
            let (m, w) = &b.sections[k];
            let counted = if b.void { None } else { section_counts(m, w, p.seats, o) };
            let Some(w) = counted else {
                void += b.count;
                any_void[i] |= b.count > 0;
                continue;
            };
            valid += b.count;
            if w.is_empty() && !m.values().any(|x| *x != Mark::Abstain) {
                blank += b.count;
            }
            for c in &p.candidates {
                let e = marks.get_mut(c).expect("every candidate has a row");
                match m.get(c).copied().unwrap_or(Mark::Abstain) {
                    Mark::Yes => e.yes += b.count,
                    Mark::No => e.no += b.count,
                    Mark::Abstain => e.abstain += b.count,
                }
            }
            for n in w {
                *writes.entry(n.to_string()).or_default() += b.count;
            }
        }
        // yes per person on this post; R-I3 adds the higher posts' votes
        let mut tally: BTreeMap<String, u64> = marks.iter().map(|(c, m)| (c.clone(), m.yes)).collect();
        for (n, v) in &writes {
            *tally.entry(n.clone()).or_default() += v;
        }
        if o.count_higher_post_votes {
            for (n, v) in &higher_votes {
                *tally.entry(n.clone()).or_default() += v;
            }
            for (n, v) in &tally {
                higher_votes.insert(n.clone(), *v);
            }
        }
        let write_in_eligible = o.write_ins_can_be_elected.unwrap_or(true);
        let standing: Vec<(String, u64)> = {
            let mut v: Vec<(String, u64)> = tally
                .iter()
                .filter(|(n, _)| !elected_higher.contains(*n))
                .filter(|(n, _)| write_in_eligible || p.candidates.contains(n))
                .map(|(n, v)| (n.clone(), *v))
                .collect();
            // by votes, then ballot order, then name: a stable order a teller can follow
            v.sort_by(|a, b| {
                b.1.cmp(&a.1).then_with(|| {
                    let pos = |n: &str| p.candidates.iter().position(|c| c == n).unwrap_or(usize::MAX);
                    pos(&a.0).cmp(&pos(&b.0)).then_with(|| a.0.cmp(&b.0))
                })
            });
            v
        };
        let base = match config.threshold.base {
            VoteBase::Present => present,
            VoteBase::Expected => expected,
            VoteBase::Returned => returned,
            VoteBase::Valid => valid,
        };
        let plurality = input.round == Round::TieRevote && !o.tie_revote_needs_threshold;
        let min_votes = if plurality { 1 } else { t.min_of(base) };
        let passers: Vec<&(String, u64)> = standing.iter().filter(|(_, v)| *v >= 1 && (plurality || t.met(*v, base))).collect();
        let post_label = if p.name.is_empty() { String::new() } else { format!("{}: ", p.name) };
        let post_zh = if p.name.is_empty() { String::new() } else { format!("{}:", p.name) };
        let show = |list: &[&(String, u64)]| list.iter().map(|(n, v)| format!("{n} {v}")).collect::<Vec<_>>().join(", ");
        if void > 0 {
            en.push(format!(
                "{post_label}{void} ballot(s) void: more people marked yes than the {} seat(s), write-ins included, or spoilt (R-C2).",
                p.seats
            ));
            zh.push(format!("{post_zh}{void} 张选票所选人数(含另选)多于应选 {} 名或被判废票,无效(R-C2)。", p.seats));
        }
        if blank > 0 {
            en.push(format!("{post_label}{blank} blank ballot(s) are valid and give no votes (R-C3)."));
            zh.push(format!("{post_zh}{blank} 张空白票有效,不计赞成票(R-C3)。"));
        }
        let mut r = PostResult {
            post: p.name.clone(),
            seats: p.seats,
            void_ballots: void,
            valid_ballots: valid,
            blank_ballots: blank,
            tally,
            marks,
            threshold_min_votes: min_votes,
            elected: vec![],
            runoff_needed_for: vec![],
            runoff_type: None,
            remaining_seats: p.seats,
        };
        if !meeting_valid {
            r.runoff_type = Some(RunoffType::Reconvene);
            results.push(r);
            continue;
        }
        if !election_valid {
            r.runoff_type = Some(RunoffType::RerunWholeElection);
            results.push(r);
            continue;
        }
        let (_, we) = t.words();
        let (base_en, base_zh) = match config.threshold.base {
            VoteBase::Present => ("present", "实到会人数"),
            VoteBase::Expected => ("due to attend", "应到会人数"),
            VoteBase::Returned => ("ballots cast", "已投选票数"),
            VoteBase::Valid => ("valid ballots", "有效票数"),
        };
        if plurality {
            en.push(format!("{post_label}Tie revote: the most votes wins (R-F2)."));
            zh.push(format!("{post_zh}对票数相等者再投票,得票多的当选(R-F2)。"));
        } else if config.supplementary {
            en.push(format!("{post_label}另行选举: the most votes wins with {we} of the {base} {base_en}, so at least {min_votes} (R-G3)."));
            zh.push(format!("{post_zh}另行选举以得票多的当选,但不得少于{base_zh} {base} 的 {},即至少 {min_votes} 票(R-G3)。", t.fraction));
        } else {
            en.push(format!("{post_label}Elected needs {we} of the {base} {base_en}, so at least {min_votes} ({t_rule})."));
            let op = if t.cmp == Cmp::Over { "超过" } else { "不少于" };
            zh.push(format!("{post_zh}当选须得赞成票{op}{base_zh} {base} 的 {},即至少 {min_votes} 票({t_rule})。", t.fraction));
        }
        let seats = p.seats as usize;
        if passers.len() <= seats {
            r.elected = passers.iter().map(|(n, _)| n.clone()).collect();
            r.remaining_seats = p.seats - passers.len() as u64;
        } else {
            // R-F1: by votes until the seats are filled; R-F2: a tie across the cut-off
            let cut = passers[seats - 1].1;
            let above: Vec<&(String, u64)> = passers.iter().copied().filter(|(_, v)| *v > cut).collect();
            let at_cut: Vec<&(String, u64)> = passers.iter().copied().filter(|(_, v)| *v == cut).collect();
            if above.len() + at_cut.len() == seats {
                r.elected = passers[..seats].iter().map(|(n, _)| n.clone()).collect();
                r.remaining_seats = 0;
                en.push(format!("{post_label}More over the threshold than seats: the highest are elected (R-F1)."));
                zh.push(format!("{post_zh}过票人数多于应选名额,按得票多少依次取足(R-F1)。"));
            } else {
                r.elected = above.iter().map(|(n, _)| n.clone()).collect();
                r.remaining_seats = (seats - above.len()) as u64;
                r.runoff_needed_for = at_cut.iter().map(|(n, _)| n.clone()).collect();
                r.runoff_type = Some(RunoffType::TieRevote);
                en.push(format!(
                    "{post_label}{} tie with {cut} votes for {} seat(s): they alone are voted on again (R-F2).",
                    r.runoff_needed_for.join(", "),
                    r.remaining_seats
                ));
                zh.push(format!(
                    "{post_zh}{} 均得 {cut} 票,票数相等不能确定当选人,就其 {} 个名额另行投票(R-F2)。",
                    r.runoff_needed_for.join("、"),
                    r.remaining_seats
                ));
            }
        }
        if !r.elected.is_empty() {
            let list: Vec<&(String, u64)> = standing.iter().filter(|(n, _)| r.elected.contains(n)).collect();
            en.push(format!("{post_label}Elected: {}.", show(&list)));
            zh.push(format!("{post_zh}当选:{}。", show(&list).replace(", ", "、")));
            for n in &r.elected {
                if !p.candidates.contains(n) {
                    warnings.push(format!("{n} was written in: check eligibility before announcing (R-G3) / {n} 为另选人,宣布前须审查资格"));
                }
            }
        }
        let not_elected: Vec<&(String, u64)> = standing.iter().filter(|(n, _)| !r.elected.contains(n)).collect();
        if r.runoff_type.is_none() && r.remaining_seats > 0 {
            if config.supplementary && o.after_supplementary_shortfall == Shortfall::LeaveVacant {
                en.push(format!("{post_label}{} seat(s) stay vacant (setting after_supplementary_shortfall).", r.remaining_seats));
                zh.push(format!("{post_zh}{} 个名额空缺(按设置不再另行选举)。", r.remaining_seats));
            } else {
                r.runoff_type = Some(RunoffType::SupplementaryElection);
                let how = o.supplementary_candidates.unwrap_or(if config.party {
                    SupplementaryCandidates::NotElected
                } else {
                    SupplementaryCandidates::RemainingSeatsPlus1
                });
                // Party rules take the listed candidates only; village rules "未当选的人员"
                let pool: Vec<&(String, u64)> =
                    not_elected.iter().copied().filter(|(n, v)| p.candidates.contains(n) || (!config.party && *v > 0)).collect();
                let want = match how {
                    SupplementaryCandidates::NotElected => pool.len(),
                    SupplementaryCandidates::RemainingSeatsPlus1 => r.remaining_seats as usize + 1,
                    SupplementaryCandidates::RemainingSeatsTimes2 => r.remaining_seats as usize * 2,
                };
                // whoever ties with the last one taken goes too
                let take = if want >= pool.len() || want == 0 { pool.len() } else { pool.iter().filter(|(_, v)| *v >= pool[want - 1].1).count() };
                r.runoff_needed_for = pool[..take].iter().map(|(n, _)| n.clone()).collect();
                if config.party {
                    en.push(format!(
                        "{post_label}{} seat(s) go to 另行选举 with the same threshold; they may not be filled from those under it (R-G1, R-G2).",
                        r.remaining_seats
                    ));
                    zh.push(format!("{post_zh}{} 个名额另行选举,当选票数要求不变,不得在未过半数者中按得票多少补足(R-G1、R-G2)。", r.remaining_seats));
                } else {
                    en.push(format!(
                        "{post_label}{} seat(s) go to 另行选举 among the not-elected with most votes: {} (R-G3).",
                        r.remaining_seats,
                        show(&pool[..take])
                    ));
                    zh.push(format!(
                        "{post_zh}{} 个名额另行选举,候选人为未当选者中得票多的:{}(R-G3)。",
                        r.remaining_seats,
                        show(&pool[..take]).replace(", ", "、")
                    ));
                }
                if r.runoff_needed_for.len() as u64 <= r.remaining_seats {
                    warnings.push(format!(
                        "{post_label}另行选举 needs more candidates than the {} seat(s) left: add candidates after further discussion (R-G2) / 另行选举候选人应多于剩余名额",
                        r.remaining_seats
                    ));
                }
            }
        }
        elected_higher.extend(r.elected.iter().cloned());
        results.push(r);
    }
    let single = posts.len() == 1 && posts[0].name.is_empty();
    let first = &results[0];
    let runoff_type = [RunoffType::Reconvene, RunoffType::RerunWholeElection, RunoffType::TieRevote, RunoffType::SupplementaryElection]
        .into_iter()
        .find(|t| results.iter().any(|r| r.runoff_type == Some(*t)));
    let tally = if single {
        serde_json::to_value(&first.tally).expect("a map of numbers")
    } else {
        serde_json::Value::Object(results.iter().map(|r| (r.post.clone(), serde_json::to_value(&r.tally).expect("a map of numbers"))).collect())
    };
    let void_ballots: u64 = ballots.iter().zip(&any_void).filter(|(_, v)| **v).map(|(b, _)| b.count).sum();
    Ok(ElectionResult {
        method: name,
        rules,
        members_expected: expected,
        voters_present: present,
        ballots_issued: issued,
        ballots_returned: returned,
        meeting_valid,
        election_valid,
        void_ballots,
        valid_ballots: returned - void_ballots,
        blank_ballots: if single { first.blank_ballots } else { 0 },
        tally,
        threshold_min_votes: first.threshold_min_votes,
        elected: results.iter().flat_map(|r| r.elected.iter().cloned()).collect(),
        elected_by_post: if single { BTreeMap::new() } else { results.iter().map(|r| (r.post.clone(), r.elected.clone())).collect() },
        runoff_needed_for: results.iter().flat_map(|r| r.runoff_needed_for.iter().cloned()).collect(),
        runoff_type,
        remaining_seats: results.iter().map(|r| r.remaining_seats).sum(),
        posts: results,
        warnings,
        reason: en.join(" "),
        reason_zh: zh.join(""),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `count` ballots marking yes for the named candidates (others abstain).
    fn yes(count: i64, names: &[&str]) -> BallotPattern {
        BallotPattern { count, marks: names.iter().map(|n| (n.to_string(), Mark::Yes)).collect(), ..Default::default() }
    }

    fn election(method: &str, seats: i64, candidates: &[&str], eligible: i64, present: i64, ballots: Vec<BallotPattern>) -> ElectionInput {
        ElectionInput {
            method: Some(method.into()),
            seats: Some(seats),
            candidates: candidates.iter().map(|c| c.to_string()).collect(),
            eligible_voters: eligible,
            voters_present: present,
            ballots,
            ..Default::default()
        }
    }

    fn run(i: &ElectionInput) -> ElectionResult {
        count(i).unwrap()
    }

    #[test]
    fn r_b1_grassroots_quorum_is_more_than_four_fifths() {
        // 40 of 50 is exactly 4/5: not enough; 41 is
        let r = run(&election("party_grassroots", 1, &["甲", "乙"], 50, 40, vec![yes(40, &["甲"])]));
        assert!(!r.meeting_valid);
        assert_eq!((r.runoff_type, r.elected.len()), (Some(RunoffType::Reconvene), 0));
        assert!(r.reason.contains("R-B1"));
        assert!(run(&election("party_grassroots", 1, &["甲", "乙"], 50, 41, vec![yes(41, &["甲"])])).meeting_valid);
    }

    #[test]
    fn r_b2_local_congress_half_and_plenary_two_thirds_both_strict() {
        assert!(!run(&election("party_local_congress", 1, &["甲", "乙"], 200, 100, vec![yes(100, &["甲"])])).meeting_valid);
        assert!(run(&election("party_local_congress", 1, &["甲", "乙"], 200, 101, vec![yes(101, &["甲"])])).meeting_valid);
        assert!(!run(&election("party_local_plenary", 1, &["甲", "乙"], 30, 20, vec![yes(20, &["甲"])])).meeting_valid);
        assert!(run(&election("party_local_plenary", 1, &["甲", "乙"], 30, 21, vec![yes(21, &["甲"])])).meeting_valid);
    }

    #[test]
    fn r_b5_r_b6_village_and_residents_turnout() {
        assert!(!run(&election("village_committee", 1, &["甲", "乙"], 300, 150, vec![yes(150, &["甲"])])).meeting_valid);
        assert!(run(&election("village_committee", 1, &["甲", "乙"], 300, 151, vec![yes(151, &["甲"])])).meeting_valid);
        assert!(run(&election("residents_committee_households", 1, &["甲", "乙"], 300, 151, vec![yes(151, &["甲"])])).meeting_valid);
        // residents' representatives: more than 2/3
        assert!(!run(&election("residents_committee_representatives", 1, &["甲", "乙"], 60, 40, vec![yes(40, &["甲"])])).meeting_valid);
        assert!(run(&election("residents_committee_representatives", 1, &["甲", "乙"], 60, 41, vec![yes(41, &["甲"])])).meeting_valid);
    }

    #[test]
    fn r_a2_only_an_exclusion_with_both_approvals_leaves_the_base() {
        let ex = |h, m| Exclusion { name: "某".into(), ground: "abroad".into(), higher_approved: h, meeting_approved: m };
        let mut i = election("party_grassroots", 1, &["甲", "乙"], 51, 40, vec![yes(40, &["甲"])]);
        i.exclusions = vec![ex(true, true)];
        let r = run(&i);
        assert_eq!((r.members_expected, r.meeting_valid), (50, false), "40 of 50 is exactly 4/5");
        i.voters_present = 41;
        i.ballots = vec![yes(41, &["甲"])];
        i.exclusions = vec![ex(true, true), ex(true, true)];
        assert!(run(&i).meeting_valid, "41 of 49");
        i.exclusions = vec![ex(true, true), ex(true, false)];
        let r = run(&i);
        assert_eq!(r.members_expected, 50);
        assert!(r.reason.contains("R-A2"));
    }

    #[test]
    fn r_c2_more_marked_than_seats_voids_the_ballot_write_ins_included() {
        let mut over = yes(3, &["甲", "乙"]);
        over.write_ins = vec!["丁".into()];
        let r = run(&election("party_grassroots", 2, &["甲", "乙", "丙"], 10, 10, vec![yes(7, &["甲", "乙"]), over]));
        assert_eq!((r.void_ballots, r.valid_ballots), (3, 7));
        assert_eq!(r.tally["甲"], 7);
        assert!(r.tally.get("丁").is_none(), "a write-in on a void ballot counts nothing");
        // exactly as many as seats is valid; fewer is valid
        let r = run(&election("party_grassroots", 2, &["甲", "乙", "丙"], 10, 10, vec![yes(5, &["甲", "丙"]), yes(5, &["乙"])]));
        assert_eq!(r.void_ballots, 0);
    }

    #[test]
    fn r_c3_a_blank_ballot_is_valid_and_weighs_as_no_under_r_e1() {
        // 11 present; 甲 has 5 yes and 6 blank ballots: 2×5 ≤ 11, not elected
        let r = run(&election("party_grassroots", 1, &["甲", "乙"], 12, 11, vec![yes(5, &["甲"]), yes(6, &[])]));
        assert_eq!((r.blank_ballots, r.valid_ballots, r.void_ballots), (6, 11, 0));
        assert!(r.elected.is_empty());
    }

    #[test]
    fn r_c5_option_a_a_write_in_needs_a_no_and_r_c4_decides_what_is_void() {
        let mut b = yes(4, &["甲"]);
        b.write_ins = vec!["丁".into()];
        let mut i = election("village_committee", 2, &["甲", "乙"], 10, 4, vec![b]);
        assert_eq!(run(&i).tally["丁"], 4, "option B (default): the count rule alone");
        i.options.write_in_requires_no = true;
        let r = run(&i);
        assert_eq!((r.tally.get("丁"), r.tally["甲"].as_u64(), r.void_ballots), (None, Some(4), 0), "part void: the write-in only");
        i.options.irregular = Irregular::BallotVoid;
        assert_eq!(run(&i).void_ballots, 4);
        // in place of a 不赞成 it stands
        i.ballots[0].marks.insert("乙".into(), Mark::No);
        assert_eq!(run(&i).tally["丁"], 4);
    }

    #[test]
    fn r_d1_more_returned_than_issued_voids_the_election() {
        let mut i = election("party_grassroots", 1, &["甲", "乙"], 50, 45, vec![yes(45, &["甲"])]);
        i.ballots_issued = Some(44);
        let r = run(&i);
        assert!(r.meeting_valid && !r.election_valid);
        assert_eq!((r.runoff_type, r.elected.len()), (Some(RunoffType::RerunWholeElection), 0));
        assert!(r.reason.contains("R-D1"));
        i.ballots_issued = Some(45);
        assert!(run(&i).election_valid, "equal is valid");
        i.ballots = vec![yes(40, &["甲"])];
        assert!(run(&i).election_valid, "fewer is valid");
    }

    #[test]
    fn r_e1_exactly_half_of_those_present_is_not_elected() {
        // 20 present: 10 is exactly half
        let r = run(&election("party_grassroots", 1, &["甲", "乙"], 20, 20, vec![yes(10, &["甲"]), yes(10, &["乙"])]));
        assert!(r.elected.is_empty());
        assert_eq!(r.threshold_min_votes, 11);
        assert_eq!((r.runoff_type, r.remaining_seats), (Some(RunoffType::SupplementaryElection), 1));
        let r = run(&election("party_grassroots", 1, &["甲", "乙"], 20, 20, vec![yes(11, &["甲"]), yes(9, &["乙"])]));
        assert_eq!(r.elected, vec!["甲"]);
    }

    #[test]
    fn r_e2_local_congress_counts_against_those_due_to_attend() {
        // 200 due, 150 present: elected needs 101 (not 76)
        let r = run(&election("party_local_congress", 1, &["甲", "乙"], 200, 150, vec![yes(100, &["甲"]), yes(50, &["乙"])]));
        assert_eq!(r.threshold_min_votes, 101);
        assert!(r.elected.is_empty());
        assert!(r.reason.contains("R-E2"));
    }

    #[test]
    fn r_e4_village_counts_against_every_ballot_cast_void_included() {
        // 100 cast, 10 void: 50 of 100 is exactly half
        let r = run(&election("village_committee", 1, &["甲", "乙"], 150, 100, vec![yes(50, &["甲"]), yes(40, &["乙"]), yes(10, &["甲", "乙"])]));
        assert_eq!((r.void_ballots, r.threshold_min_votes), (10, 51));
        assert!(r.elected.is_empty());
    }

    #[test]
    fn r_f1_more_passers_than_seats_go_by_votes() {
        let r = run(&election(
            "party_grassroots",
            2,
            &["甲", "乙", "丙"],
            10,
            10,
            vec![yes(4, &["甲", "乙"]), yes(3, &["甲", "丙"]), yes(3, &["乙", "丙"])],
        ));
        // 甲 7, 乙 7, 丙 6, all over 5: the two highest; a tie inside the seats needs no revote
        assert_eq!(r.elected, vec!["甲", "乙"]);
        assert_eq!(r.runoff_type, None);
    }

    #[test]
    fn r_f2_a_tie_at_the_cut_off_is_voted_again_among_the_tied() {
        let r = run(&election(
            "party_grassroots",
            2,
            &["甲", "乙", "丙"],
            10,
            10,
            vec![yes(4, &["甲", "乙"]), yes(4, &["甲", "丙"]), yes(2, &["乙", "丙"])],
        ));
        // 甲 8; 乙 6 and 丙 6 tie for the second seat
        assert_eq!(r.elected, vec!["甲"]);
        assert_eq!(
            (r.runoff_type, r.runoff_needed_for.clone(), r.remaining_seats),
            (Some(RunoffType::TieRevote), vec!["乙".to_string(), "丙".to_string()], 1)
        );
        // the revote: plurality by default, and a second tie goes again
        let mut i = election("party_grassroots", 1, &["乙", "丙"], 10, 10, vec![yes(4, &["乙"]), yes(3, &["丙"]), yes(3, &[])]);
        i.round = Round::TieRevote;
        assert_eq!(run(&i).elected, vec!["乙"]);
        i.options.tie_revote_needs_threshold = true;
        assert!(run(&i).elected.is_empty(), "4 of 10 is not more than half");
        i.options.tie_revote_needs_threshold = false;
        i.ballots = vec![yes(5, &["乙"]), yes(5, &["丙"])];
        assert_eq!(run(&i).runoff_type, Some(RunoffType::TieRevote));
    }

    #[test]
    fn r_g1_r_g2_party_shortfall_goes_to_supplementary_never_topped_up() {
        let r = run(&election("party_grassroots", 3, &["甲", "乙", "丙", "丁"], 10, 10, vec![yes(6, &["甲", "乙", "丙"]), yes(4, &["丁"])]));
        assert_eq!(r.elected, vec!["甲", "乙", "丙"]);
        let r = run(&election("party_grassroots", 3, &["甲", "乙", "丙", "丁"], 10, 10, vec![yes(6, &["甲", "乙"]), yes(4, &["丙", "丁"])]));
        assert_eq!(r.elected, vec!["甲", "乙"], "丙 and 丁 with 4 are not added");
        assert_eq!((r.runoff_type, r.remaining_seats), (Some(RunoffType::SupplementaryElection), 1));
        assert_eq!(r.runoff_needed_for, vec!["丙", "丁"]);
        assert!(r.reason.contains("R-G2"));
    }

    #[test]
    fn r_g3_village_supplementary_needs_a_third_of_ballots_cast() {
        // 150 cast: 50 is exactly a third and is enough; 49 is not
        let r = run(&election("village_committee_supplementary", 1, &["甲", "乙"], 300, 150, vec![yes(50, &["甲"]), yes(49, &["乙"]), yes(51, &[])]));
        assert_eq!((r.elected.clone(), r.threshold_min_votes), (vec!["甲".to_string()], 50));
        let r = run(&election("village_committee_supplementary", 1, &["甲", "乙"], 300, 150, vec![yes(49, &["甲"]), yes(48, &["乙"]), yes(53, &[])]));
        assert!(r.elected.is_empty());
        assert_eq!(r.runoff_type, Some(RunoffType::SupplementaryElection));
        let mut i = election("village_committee_supplementary", 1, &["甲", "乙"], 300, 150, vec![yes(49, &["甲"]), yes(101, &[])]);
        i.options.after_supplementary_shortfall = Shortfall::LeaveVacant;
        let r = run(&i);
        assert_eq!((r.runoff_type, r.remaining_seats), (None, 1));
        // a turnout is asked again only by the setting
        i.options.supplementary_quorum = Some(Fraction::HALF);
        assert!(!run(&i).meeting_valid);
    }

    #[test]
    fn r_g3_the_not_elected_with_most_votes_write_ins_included() {
        let mut w = yes(30, &[]);
        w.write_ins = vec!["戊".into()];
        let r = run(&election("village_committee", 2, &["甲", "乙", "丙"], 200, 120, vec![yes(70, &["甲", "乙"]), yes(20, &["丙"]), w]));
        // 甲 70 elected (> 60), 乙 70 too; nobody left
        assert_eq!(r.elected, vec!["甲", "乙"]);
        let mut w = yes(30, &[]);
        w.write_ins = vec!["戊".into()];
        let r = run(&election("village_committee", 2, &["甲", "乙", "丙"], 200, 120, vec![yes(70, &["甲"]), yes(20, &["乙", "丙"]), w]));
        assert_eq!(r.elected, vec!["甲"]);
        assert_eq!(r.runoff_needed_for, vec!["戊", "乙", "丙"], "remaining 1 + 1 = 2, and 丙 ties with 乙 at 20");
    }

    #[test]
    fn a_written_in_person_over_the_threshold_is_elected_with_a_warning() {
        let mut w = yes(8, &[]);
        w.write_ins = vec!["戊".into()];
        let r = run(&election("village_committee", 1, &["甲", "乙"], 20, 12, vec![w, yes(4, &["甲"])]));
        assert_eq!(r.elected, vec!["戊"]);
        assert!(r.warnings.iter().any(|w| w.contains("戊")));
    }

    #[test]
    fn r_i3_one_ballot_for_several_posts_counts_higher_posts_down() {
        let posts = vec![
            PostInput { post: "主任".into(), seats: 1, candidates: vec!["甲".into(), "乙".into()] },
            PostInput { post: "委员".into(), seats: 2, candidates: vec!["甲".into(), "丙".into(), "丁".into()] },
        ];
        let b = |count, zr: &[&str], wy: &[&str]| BallotPattern {
            count,
            post_marks: [
                ("主任".to_string(), zr.iter().map(|n| (n.to_string(), Mark::Yes)).collect()),
                ("委员".to_string(), wy.iter().map(|n| (n.to_string(), Mark::Yes)).collect()),
            ]
            .into(),
            ..Default::default()
        };
        let mut i = ElectionInput {
            method: Some("village_committee".into()),
            posts,
            eligible_voters: 100,
            voters_present: 100,
            ballots: vec![b(60, &["甲"], &["丙", "丁"]), b(40, &["乙"], &["丁"])],
            ..Default::default()
        };
        let r = run(&i);
        assert_eq!(r.elected_by_post["主任"], vec!["甲"]);
        assert_eq!(r.elected_by_post["委员"], vec!["丁", "丙"]);
        // 乙 is elected 主任 with 55; 委员 alone: 丙 60, 丁 40, 甲 15
        i.ballots = vec![b(45, &["甲"], &["丙"]), b(40, &["乙"], &["丁"]), b(15, &["乙"], &["甲", "丙"])];
        let r = run(&i);
        assert_eq!((r.elected_by_post["主任"].clone(), r.elected_by_post["委员"].clone()), (vec!["乙".to_string()], vec!["丙".to_string()]));
        // counted down (R-I3): 甲 15 + 45 = 60 as 委员; 乙, elected higher, is out of 委员
        i.options.count_higher_post_votes = true;
        let r = run(&i);
        assert_eq!(r.elected_by_post["委员"], vec!["甲", "丙"]);
        assert_eq!((r.tally["委员"]["甲"].as_u64(), r.tally["委员"]["乙"].as_u64()), (Some(60), Some(55)));
        // a section over its seats is void for that post alone
        i.ballots = vec![b(60, &["甲", "乙"], &["丙"]), b(40, &["甲"], &["丙"])];
        let r = run(&i);
        assert_eq!((r.posts[0].void_ballots, r.posts[1].void_ballots, r.void_ballots), (60, 0, 60));
    }

    #[test]
    fn bad_input_names_the_field_and_gives_no_result() {
        let e = |i: ElectionInput| count(&i).unwrap_err().to_string();
        let ok = || election("party_grassroots", 1, &["甲", "乙"], 10, 10, vec![yes(10, &["甲"])]);
        let mut i = ok();
        i.ballots = vec![yes(10, &["某"])];
        assert!(e(i).contains("ballots[0].marks"));
        let mut i = ok();
        i.ballots = vec![yes(-1, &["甲"])];
        assert!(e(i).contains("ballots[0].count"));
        let mut i = ok();
        i.voters_present = 11;
        i.ballots = vec![yes(11, &["甲"])];
        assert!(e(i).contains("voters_present"));
        let mut i = ok();
        i.ballots_returned = Some(9);
        assert!(e(i).contains("ballots_returned"));
        let mut i = ok();
        i.ballots_issued = Some(12);
        assert!(e(i).contains("ballots_issued"));
        let mut i = ok();
        i.candidates = vec!["甲".into(), "甲".into()];
        assert!(e(i).contains("candidates"));
        let mut i = ok();
        i.ballots[0].write_ins = vec!["乙".into()];
        assert!(e(i).contains("write_ins"));
        let mut i = ok();
        i.method = Some("by_show_of_hands".into());
        assert!(e(i).contains("method"));
        let mut i = ok();
        i.seats = Some(0);
        assert!(e(i).contains("seats"));
    }

    fn arb_election() -> impl Strategy<Value = ElectionInput> {
        let methods = prop::sample::select(METHODS.to_vec());
        let marks = prop::collection::vec(prop::collection::vec(0u8..3, 4), 1..8);
        (methods, 1i64..4, marks, prop::collection::vec(0i64..30, 8), prop::collection::vec(any::<bool>(), 8)).prop_map(
            |(m, seats, pats, counts, wi)| {
                let names = ["甲", "乙", "丙", "丁"];
                let ballots: Vec<BallotPattern> = pats
                    .iter()
                    .enumerate()
                    .map(|(k, ms)| BallotPattern {
                        count: counts[k],
                        marks: ms
                            .iter()
                            .enumerate()
                            .filter(|(_, x)| **x > 0)
                            .map(|(j, x)| (names[j].to_string(), if *x == 1 { Mark::Yes } else { Mark::No }))
                            .collect(),
                        write_ins: if wi[k] { vec!["戊".into()] } else { vec![] },
                        ..Default::default()
                    })
                    .collect();
                let total: i64 = ballots.iter().map(|b| b.count).sum();
                ElectionInput {
                    method: Some(m.to_string()),
                    seats: Some(seats),
                    candidates: names.iter().map(|n| n.to_string()).collect(),
                    eligible_voters: total + 1,
                    voters_present: total,
                    ballots,
                    ..Default::default()
                }
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn the_result_does_not_depend_on_ballot_order(i in arb_election(), seed in any::<u64>()) {
            let mut j = i.clone();
            let n = j.ballots.len();
            for k in 0..n {
                j.ballots.swap(k, (seed as usize).wrapping_add(k * 7) % n);
            }
            let (a, b) = (run(&i), run(&j));
            prop_assert_eq!((a.elected, a.tally, a.runoff_needed_for, a.void_ballots), (b.elected, b.tally, b.runoff_needed_for, b.void_ballots));
        }

        #[test]
        fn splitting_or_merging_identical_patterns_changes_nothing(i in arb_election(), at in any::<prop::sample::Index>(), part in 0i64..30) {
            let mut j = i.clone();
            let k = at.index(j.ballots.len());
            let p = part.min(j.ballots[k].count);
            let mut half = j.ballots[k].clone();
            half.count = p;
            j.ballots[k].count -= p;
            j.ballots.push(half);
            let (a, b) = (run(&i), run(&j));
            prop_assert_eq!(a.reason, b.reason);
            prop_assert_eq!((a.elected, a.tally, a.valid_ballots), (b.elected, b.tally, b.valid_ballots));
        }

        #[test]
        fn a_void_ballot_never_adds_votes(i in arb_election()) {
            let mut j = i.clone();
            let seats = j.seats.unwrap_or(1) as usize;
            let mut over = BallotPattern { count: 3, ..Default::default() };
            for n in j.candidates.iter().take(seats.min(3)) {
                over.marks.insert(n.clone(), Mark::Yes);
            }
            over.write_ins = (0..=seats).map(|x| format!("某{x}")).collect();
            j.ballots.push(over);
            j.eligible_voters += 3;
            j.voters_present += 3;
            let (a, b) = (run(&i), run(&j));
            prop_assert_eq!(b.void_ballots, a.void_ballots + 3);
            for (name, v) in a.tally.as_object().unwrap() {
                prop_assert_eq!(&b.tally[name], v);
            }
            prop_assert_eq!(a.tally.as_object().unwrap().len(), b.tally.as_object().unwrap().len());
        }

        #[test]
        fn another_yes_for_an_elected_candidate_never_unelects_them(i in arb_election()) {
            let a = run(&i);
            let seats = i.seats.unwrap_or(1) as usize;
            for c in a.elected.iter().filter(|c| i.candidates.contains(c)) {
                // turn an abstention or a no into a yes where the ballot stays valid
                let Some(k) = i.ballots.iter().position(|b| {
                    b.count > 0 && b.marks.get(c) != Some(&Mark::Yes)
                        && b.marks.values().filter(|m| **m == Mark::Yes).count() + b.write_ins.len() < seats
                }) else { continue };
                let mut j = i.clone();
                j.ballots[k].count -= 1;
                let mut one = j.ballots[k].clone();
                one.count = 1;
                one.marks.insert(c.clone(), Mark::Yes);
                j.ballots.push(one);
                let b = run(&j);
                prop_assert!(b.elected.contains(c), "{} lost with one more yes: {:?} → {:?}", c, a.reason, b.reason);
            }
        }
    }
}
