//! The candidate surplus (差额, R-H): how many candidates a slate needs for its seats, rounded
//! up (进一法, R-H5), and whether an equal slate (等额) is what the rule asks for instead.

use super::election::nonneg;
use super::fraction::Fraction;
use crate::{DomainError, FieldError};
use serde::{Deserialize, Serialize};

/// What a post's slate must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlateRule {
    /// At least `seats + ceil(seats × ratio)` candidates.
    Ratio(Fraction),
    /// Strictly more candidates than seats (R-H6).
    MoreThanSeats,
    /// One or two more than the seats (常委, R-H3/R-H4).
    OneOrTwoMore,
    /// Exactly as many as the seats (书记、副书记, R-H4).
    Equal,
}

/// The posts of rules.md: (rule ids, rule).
pub fn post(code: &str) -> Option<(&'static str, SlateRule)> {
    let fifth = Fraction { num: 1, den: 5 };
    let tenth = Fraction { num: 1, den: 10 };
    Some(match code {
        "party_grassroots_delegate" => ("R-H1, R-H5", SlateRule::Ratio(fifth)),
        "party_grassroots_committee" => ("R-H2, R-H5", SlateRule::Ratio(fifth)),
        "party_local_delegate" => ("R-H3, R-H5", SlateRule::Ratio(fifth)),
        "party_local_committee" | "party_local_alternate" | "party_local_discipline" => ("R-H3, R-H5", SlateRule::Ratio(tenth)),
        "party_standing_committee" => ("R-H3, R-H4", SlateRule::OneOrTwoMore),
        "party_secretary" => ("R-H4", SlateRule::Equal),
        "village_committee" | "residents_committee" => ("R-H6", SlateRule::MoreThanSeats),
        // 三推一选 (seed 004 §1: "按30%的差额"); local, a setting (R-H7)
        "three_recommend" => ("R-H7, R-H5", SlateRule::Ratio(Fraction { num: 3, den: 10 })),
        _ => return None,
    })
}

pub const POSTS: &[&str] = &[
    "party_grassroots_delegate",
    "party_grassroots_committee",
    "party_local_delegate",
    "party_local_committee",
    "party_local_alternate",
    "party_local_discipline",
    "party_standing_committee",
    "party_secretary",
    "village_committee",
    "residents_committee",
    "three_recommend",
];

/// `seats + ceil(seats × p/q)` in integers (R-H5).
pub fn min_candidates(seats: u64, ratio: Fraction) -> u64 {
    seats + (seats * ratio.num).div_ceil(ratio.den)
}

/// A counting request of kind "candidate_surplus".
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurplusInput {
    #[serde(default)]
    pub kind: String,
    pub post: String,
    pub seats: i64,
    /// How many candidates the slate has (leave out to ask only for the minimum).
    #[serde(default)]
    pub candidates: Option<i64>,
    /// A by-election (补选): a single committee seat may not be filled from an equal slate (R-H2).
    #[serde(default)]
    pub by_election: bool,
    /// Overrides the post's ratio, e.g. "3/10" (local practice).
    #[serde(default)]
    pub ratio: Option<Fraction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SurplusResult {
    pub post: String,
    pub rules: String,
    pub seats: u64,
    pub min_candidates: u64,
    pub max_candidates: Option<u64>,
    pub candidates: Option<u64>,
    /// Whether the slate meets the rule (null when no slate was given).
    pub ok: Option<bool>,
    pub reason: String,
    pub reason_zh: String,
}

/// The slate rule for a post, with a ratio override where the rule has a ratio.
pub fn rule_for(post_code: &str, ratio: Option<Fraction>) -> Result<(&'static str, SlateRule), DomainError> {
    let (rules, rule) = post(post_code).ok_or_else(|| {
        DomainError::invalid(FieldError::new(
            "post",
            "invalid",
            format!("未知的职务类别“{post_code}”,可用:{}", POSTS.join("、")),
            format!("unknown post “{post_code}”; known: {}", POSTS.join(", ")),
        ))
    })?;
    Ok(match (rule, ratio) {
        (SlateRule::Ratio(_), Some(r)) => (rules, SlateRule::Ratio(r)),
        (_, Some(_)) => {
            return Err(DomainError::invalid(FieldError::new(
                "ratio",
                "invalid",
                "此职务的差额不按比例计算",
                "this post's slate is not set by a ratio",
            )))
        }
        (r, None) => (rules, r),
    })
}

/// The bounds (min, max) of a slate for `seats` (R-H), by-elections included.
pub fn bounds(rule: SlateRule, seats: u64, by_election: bool) -> (u64, Option<u64>) {
    let (min, max) = match rule {
        SlateRule::Ratio(r) => (min_candidates(seats, r), None),
        SlateRule::MoreThanSeats => (seats + 1, None),
        SlateRule::OneOrTwoMore => (seats + 1, Some(seats + 2)),
        SlateRule::Equal => (seats, Some(seats)),
    };
    // R-H2: a by-election of one committee member is never 等额
    if by_election && seats == 1 && rule != SlateRule::Equal {
        return (min.max(2), max);
    }
    (min, max)
}

pub fn count(input: &SurplusInput) -> Result<SurplusResult, DomainError> {
    let seats = nonneg("seats", input.seats)?;
    if seats == 0 {
        return Err(DomainError::invalid(FieldError::new("seats", "invalid", "应选名额须至少为 1", "seats must be at least 1")));
    }
    let candidates = input.candidates.map(|c| nonneg("candidates", c)).transpose()?;
    let (rules, rule) = rule_for(&input.post, input.ratio)?;
    let (min, max) = bounds(rule, seats, input.by_election);
    let ok = candidates.map(|c| c >= min && max.is_none_or(|m| c <= m));
    let (need_en, need_zh) = match rule {
        SlateRule::Ratio(r) => {
            (format!("at least {seats} + ⌈{seats}×{r}⌉ = {min} candidates"), format!("候选人数不少于 {seats} + ⌈{seats}×{r}⌉ = {min} 人(进一法)"))
        }
        SlateRule::MoreThanSeats => {
            (format!("more candidates than the {seats} seats, so at least {min}"), format!("候选人数须多于应选 {seats} 名,即至少 {min} 人"))
        }
        SlateRule::OneOrTwoMore => (format!("{min} or {} candidates", seats + 2), format!("候选人比应选多 1 至 2 人,即 {min} 或 {} 人", seats + 2)),
        SlateRule::Equal => (format!("an equal slate of {seats}"), format!("等额选举,候选人 {seats} 人")),
    };
    let by =
        if input.by_election && seats == 1 && rule != SlateRule::Equal { " A by-election of one seat is never an equal slate (R-H2)." } else { "" };
    let by_zh = if by.is_empty() { "" } else { "补选一名也不得等额(R-H2)。" };
    let (verdict_en, verdict_zh) = match (candidates, ok) {
        (Some(c), Some(true)) => (format!(" {c} candidates: the slate meets it."), format!("现有 {c} 人,符合要求。")),
        (Some(c), _) => (format!(" {c} candidates: the slate does NOT meet it."), format!("现有 {c} 人,不符合要求。")),
        _ => (String::new(), String::new()),
    };
    Ok(SurplusResult {
        post: input.post.clone(),
        rules: rules.to_string(),
        seats,
        min_candidates: min,
        max_candidates: max,
        candidates,
        ok,
        reason: format!("{} seats need {need_en} ({rules}).{by}{verdict_en}", seats),
        reason_zh: format!("应选 {seats} 名,{need_zh}({rules})。{by_zh}{verdict_zh}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_h5_rounds_up_as_the_table_says() {
        // rules.md R-H5's table: seats → candidates at 20 % and at 10 %
        let fifth = Fraction { num: 1, den: 5 };
        let tenth = Fraction { num: 1, den: 10 };
        for (seats, at20, at10) in
            [(1, 2, 2), (3, 4, 4), (5, 6, 6), (7, 9, 8), (9, 11, 10), (10, 12, 11), (11, 14, 13), (15, 18, 17), (30, 36, 33), (31, 38, 35)]
        {
            assert_eq!(min_candidates(seats, fifth), at20, "{seats} at 20%");
            assert_eq!(min_candidates(seats, tenth), at10, "{seats} at 10%");
        }
    }

    #[test]
    fn each_post_has_its_slate_rule() {
        let c = |post: &str, seats: i64, candidates: i64, by_election: bool| {
            count(&SurplusInput { post: post.into(), seats, candidates: Some(candidates), by_election, ..Default::default() }).unwrap().ok
        };
        // R-H1/R-H2: 20 %; 7 seats need 9
        assert_eq!(c("party_grassroots_committee", 7, 8, false), Some(false));
        assert_eq!(c("party_grassroots_committee", 7, 9, false), Some(true));
        assert_eq!(c("party_grassroots_delegate", 100, 120, false), Some(true));
        assert_eq!(c("party_grassroots_delegate", 100, 119, false), Some(false));
        // R-H3: committee 10 %
        assert_eq!(c("party_local_committee", 31, 35, false), Some(true));
        assert_eq!(c("party_local_committee", 31, 34, false), Some(false));
        // R-H3/R-H4: 常委 one or two more; 书记 equal
        assert_eq!(c("party_standing_committee", 7, 7, false), Some(false));
        assert_eq!(c("party_standing_committee", 7, 9, false), Some(true));
        assert_eq!(c("party_standing_committee", 7, 10, false), Some(false));
        assert_eq!(c("party_secretary", 1, 1, false), Some(true));
        assert_eq!(c("party_secretary", 1, 2, false), Some(false));
        // R-H6: any surplus
        assert_eq!(c("village_committee", 5, 5, false), Some(false));
        assert_eq!(c("village_committee", 5, 6, false), Some(true));
        // R-H7: 三推一选 30 %: 7 seats → 7 + ⌈2.1⌉ = 10
        assert_eq!(c("three_recommend", 7, 9, false), Some(false));
        assert_eq!(c("three_recommend", 7, 10, false), Some(true));
    }

    #[test]
    fn r_h2_a_single_seat_by_election_is_never_equal() {
        let r = count(&SurplusInput {
            post: "party_grassroots_committee".into(),
            seats: 1,
            candidates: Some(1),
            by_election: true,
            ratio: Some(Fraction { num: 0, den: 1 }),
            ..Default::default()
        })
        .unwrap();
        assert_eq!((r.min_candidates, r.ok), (2, Some(false)));
        assert!(r.reason.contains("R-H2"));
    }

    #[test]
    fn bad_requests_name_their_field() {
        let e = |i: SurplusInput| count(&i).unwrap_err().to_string();
        assert!(e(SurplusInput { post: "x".into(), seats: 3, ..Default::default() }).contains("post"));
        assert!(e(SurplusInput { post: "village_committee".into(), seats: -3, ..Default::default() }).contains("seats"));
        assert!(e(SurplusInput { post: "village_committee".into(), seats: 3, candidates: Some(-1), ..Default::default() }).contains("candidates"));
        assert!(e(SurplusInput { post: "party_secretary".into(), seats: 1, ratio: Some(Fraction::HALF), ..Default::default() }).contains("ratio"));
    }
}
