//! An election's life (issue 6): defined → nominations → the candidate list in public notice
//! (公示) → voting in rounds → announced. The counting itself is [`crate::counting::election`];
//! this holds what comes around it: who may be nominated by whom, the ranking of nominees into
//! a preliminary list, the slate check (差额, R-H), which round comes next (R-D2, R-F2, R-G), and
//! the reduction of seats (R-G1).

use crate::coded_enum;
use crate::counting::election::{ElectionResult, RunoffType};
use crate::counting::surplus::{self, SlateRule};
use crate::{DomainError, FieldError};
use std::collections::BTreeMap;

coded_enum! {
    /// Where an election stands.
    ElectionStatus {
        Draft => "draft", "筹备", "Being defined";
        Nominating => "nominating", "提名", "Nominations open";
        Notice => "notice", "候选人公示", "Candidates in public notice";
        Voting => "voting", "投票", "Voting";
        Announced => "announced", "已公布结果", "Result announced";
    }
}

coded_enum! {
    /// Who put a nominee forward (三推: members, residents or household representatives, units).
    NominationSource {
        Organisation => "organisation", "组织推荐", "The organisation";
        Members => "members", "党员推荐", "Party members";
        Residents => "residents", "居民(户代表)推荐", "Residents / households";
        Units => "units", "驻区单位推荐", "Local units";
        Delegates => "delegates", "代表联名", "Delegates jointly";
        SelfNominated => "self", "个人自荐", "Self-nominated";
    }
}

coded_enum! {
    NominationStatus {
        Nominated => "nominated", "待审查", "To be reviewed";
        Qualified => "qualified", "资格审查通过", "Qualified";
        Rejected => "rejected", "资格审查未通过", "Not qualified";
        Withdrawn => "withdrawn", "已退出", "Withdrawn";
    }
}

coded_enum! {
    /// The order of posts: the usual (members first, the committee then elects its
    /// secretaries, R-I1) or 倒着选 (secretary first, then deputies, then members; those elected
    /// to a higher post leave the lower slates, R-I3).
    PostOrder {
        Normal => "normal", "先选委员", "Members first";
        TopDown => "top_down", "倒着选(先选书记)", "Top down (secretary first)";
    }
}

coded_enum! {
    RoundKind {
        First => "first", "正式选举", "Election";
        TieRevote => "tie_revote", "票数相等再投票", "Tie revote";
        Supplementary => "supplementary", "另行选举", "Supplementary election";
        Rerun => "rerun", "重新选举", "Election held again";
    }
}

coded_enum! {
    /// What a round is counted from.
    RoundMode {
        Phones => "phones", "手机无记名投票", "Secret ballot on phones";
        Paper => "paper", "纸质选票(计票表导入)", "Paper ballots (tally sheet)";
    }
}

coded_enum! {
    /// Why an absentee may be left out of those due to attend (R-A2; both approvals needed).
    ExclusionGround {
        Illness => "illness", "患病无法表达意志", "Illness preventing them from expressing their will";
        Abroad => "abroad", "出国出境半年以上", "Abroad for six months or more";
        Sentence => "sentence", "服刑(未受留党察看以上处分)", "Serving a sentence (no sanction of 留党察看 or heavier)";
        Frail => "frail", "年老体弱卧床不起", "Old, frail or bedridden";
        Away => "away", "外出半年以上未转组织关系", "Away six months or more without moving their membership";
    }
}

coded_enum! {
    /// Who agreed to reduce the seats instead of another round (R-G1).
    ReductionApproval {
        Electors => "electors", "半数以上选举人同意", "More than half of the electors";
        Presidium => "presidium", "大会主席团决定", "The presidium";
    }
}

/// A guiding share of the elected (R-J12: "指导性比例" that warn rather than block): women,
/// ethnic minorities, college-educated, young, a sector (`category:…`) or a region
/// (`organisation:…`) — at least `min_percent` of the elected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompositionTarget {
    /// `women`, `minority`, `college`, `young` (the composition's highlights), or
    /// `category:<code>` / `organisation:<name>`.
    pub key: String,
    pub min_percent: u32,
}

pub const TARGET_KEYS: &[&str] = &["women", "minority", "college", "young"];

/// Whether a target's key is one the composition has.
pub fn target_key_ok(key: &str) -> bool {
    match key.split_once(':') {
        Some(("category", code)) => <crate::congress::DelegateCategory as crate::lang::Coded>::from_code(code).is_some(),
        Some(("organisation", name)) => !name.trim().is_empty() && name.chars().count() <= 60,
        Some(_) => false,
        None => TARGET_KEYS.contains(&key),
    }
}

/// One target against the elected: their share, and whether it reaches the target
/// (inclusive: "不低于", in integers).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TargetCheck {
    pub key: String,
    pub label: String,
    pub count: i64,
    pub total: i64,
    pub percent: String,
    pub min_percent: u32,
    pub met: bool,
}

pub fn check_targets(c: &crate::composition::Composition, targets: &[CompositionTarget]) -> Vec<TargetCheck> {
    targets
        .iter()
        .filter_map(|t| {
            // a highlight (women, minority, college, young), or a row of a section: a sector
            // ("category:farmer") or a region ("organisation:下楣桥村党支部")
            let row = match t.key.split_once(':') {
                Some((section, key)) => c.sections.iter().find(|s| s.key == section)?.rows.iter().find(|r| r.key == key).cloned().or_else(|| {
                    // nobody elected from it: a row of none
                    let total = c.total;
                    Some(crate::composition::Row { key: key.into(), label: key.into(), share: crate::composition::Share::of(0, total) })
                })?,
                None => c.highlights.iter().find(|r| r.key == t.key)?.clone(),
            };
            let row = &row;
            Some(TargetCheck {
                key: t.key.clone(),
                label: row.label.clone(),
                count: row.share.count,
                total: row.share.total,
                percent: row.share.percent(),
                min_percent: t.min_percent,
                met: row.share.count * 100 >= i64::from(t.min_percent) * row.share.total,
            })
        })
        .collect()
}

/// A nominee's standing in the preliminary ranking: support per source and the weighted total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub name: String,
    pub per_source: BTreeMap<NominationSource, u64>,
    pub total: u64,
}

/// Ranks nominees by their support summed over the sources, each multiplied by its weight
/// (R-I5: some programmes weight the recommendation votes; default 1 each). Ties keep the
/// name order, so the list is stable.
pub fn rank(nominations: &[(String, NominationSource, u64)], weights: &BTreeMap<NominationSource, u64>) -> Vec<Ranked> {
    let mut by: BTreeMap<String, Ranked> = BTreeMap::new();
    for (name, source, support) in nominations {
        let e = by.entry(name.clone()).or_insert_with(|| Ranked { name: name.clone(), per_source: BTreeMap::new(), total: 0 });
        *e.per_source.entry(*source).or_default() += support;
        e.total += support * weights.get(source).copied().unwrap_or(1);
    }
    let mut v: Vec<Ranked> = by.into_values().collect();
    v.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
    v
}

/// The preliminary list: the first `places` by rank, and whoever ties with the last of them.
pub fn preliminary(ranked: &[Ranked], places: usize) -> Vec<String> {
    if ranked.len() <= places || places == 0 {
        return ranked.iter().map(|r| r.name.clone()).collect();
    }
    let cut = ranked[places - 1].total;
    ranked.iter().filter(|r| r.total >= cut).map(|r| r.name.clone()).collect()
}

/// Checks a post's candidate list against its slate rule (R-H); the error says how many are
/// needed.
pub fn check_slate(post: &str, slate: &str, seats: u64, candidates: usize, by_election: bool) -> Result<(), DomainError> {
    let (rules, rule) = surplus::rule_for(slate, None)?;
    let (min, max) = surplus::bounds(rule, seats, by_election);
    let n = candidates as u64;
    if n >= min && max.is_none_or(|m| n <= m) {
        return Ok(());
    }
    let (zh, en) = match (rule, max) {
        (SlateRule::Equal, _) => {
            (format!("{post}:应等额选举,候选人须为 {seats} 人({rules})"), format!("{post}: an equal slate of {seats} ({rules})"))
        }
        (_, Some(m)) => (
            format!("{post}:候选人须为 {min} 至 {m} 人,现有 {n} 人({rules})"),
            format!("{post}: {min} to {m} candidates needed, {n} listed ({rules})"),
        ),
        _ => (
            format!("{post}:应选 {seats} 名,候选人至少 {min} 人,现有 {n} 人({rules})"),
            format!("{post}: {seats} seats need at least {min} candidates, {n} listed ({rules})"),
        ),
    };
    Err(DomainError::invalid(FieldError::new("candidates", "slate", zh, en)))
}

/// What a counted round asks for next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Every seat of the post is filled.
    Done,
    /// Another round: its kind, its seats, and the candidates it starts from (the clerk may
    /// change a supplementary list after further discussion, R-G2).
    Round { kind: RoundKind, seats: u64, candidates: Vec<String> },
    /// Seats left empty by the rules' setting (R-G3 `leave_vacant`).
    Vacant(u64),
}

/// The next step after a round's result (R-D2: a void election or a failed quorum repeats the
/// whole round; R-F2: the tied alone; R-G: 另行选举 for the seats still empty).
pub fn next(result: &ElectionResult, seats: u64, candidates: &[String]) -> Next {
    match result.runoff_type {
        Some(RunoffType::Reconvene) | Some(RunoffType::RerunWholeElection) => {
            Next::Round { kind: RoundKind::Rerun, seats, candidates: candidates.to_vec() }
        }
        Some(RunoffType::TieRevote) => {
            Next::Round { kind: RoundKind::TieRevote, seats: result.remaining_seats, candidates: result.runoff_needed_for.clone() }
        }
        Some(RunoffType::SupplementaryElection) => {
            Next::Round { kind: RoundKind::Supplementary, seats: result.remaining_seats, candidates: result.runoff_needed_for.clone() }
        }
        None if result.remaining_seats > 0 => Next::Vacant(result.remaining_seats),
        None => Next::Done,
    }
}

/// R-G1: the seats may be reduced instead of another round only when those elected are close
/// to the seats, with the electors' or the presidium's approval, and never below the body's
/// minimum size (a branch committee: 3, 党支部工作条例; a setting per body).
pub fn check_reduction(elected: u64, seats: u64, new_seats: u64, min_size: u64) -> Result<(), DomainError> {
    let bad = |zh: String, en: String| Err(DomainError::invalid(FieldError::new("seats", "reduction", zh, en)));
    if new_seats >= seats {
        return bad(format!("减少后的名额须少于原定的 {seats} 名"), format!("the reduced seats must be fewer than {seats}"));
    }
    if new_seats < elected {
        return bad(format!("已当选 {elected} 人,名额不能少于此数"), format!("{elected} are elected already; the seats cannot be fewer"));
    }
    if new_seats < min_size {
        return bad(format!("减少后不足最少职数 {min_size} 名(R-G1)"), format!("fewer than the minimum size of {min_size} (R-G1)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counting::election::{count, BallotPattern, ElectionInput, Mark};

    #[test]
    fn nominees_rank_by_weighted_support_and_ties_at_the_cut_stay() {
        use NominationSource::*;
        let n = |name: &str, s, v| (name.to_string(), s, v);
        let noms = vec![n("甲", Members, 30), n("甲", Residents, 40), n("乙", Members, 50), n("丙", Units, 20), n("丁", Residents, 20)];
        let r = rank(&noms, &BTreeMap::new());
        assert_eq!(r.iter().map(|x| (x.name.as_str(), x.total)).collect::<Vec<_>>(), vec![("甲", 70), ("乙", 50), ("丁", 20), ("丙", 20)]);
        assert_eq!(r[0].per_source[&Residents], 40);
        assert_eq!(preliminary(&r, 3), vec!["甲", "乙", "丁", "丙"], "丙 ties with 丁 at the cut");
        // R-I5: the residents' votes weighted twice
        let r = rank(&noms, &[(Residents, 2)].into());
        assert_eq!((r[0].name.as_str(), r[0].total), ("甲", 110));
    }

    #[test]
    fn the_slate_is_checked_against_r_h() {
        assert!(check_slate("委员", "party_grassroots_committee", 7, 8, false).unwrap_err().to_string().contains("至少 9"));
        assert!(check_slate("委员", "party_grassroots_committee", 7, 9, false).is_ok());
        assert!(check_slate("书记", "party_secretary", 1, 2, false).is_err());
        assert!(check_slate("委员", "party_grassroots_committee", 1, 1, true).is_err(), "R-H2");
    }

    #[test]
    fn next_rounds_follow_the_result() {
        let e = |ballots: Vec<BallotPattern>, present: i64| {
            count(&ElectionInput {
                method: Some("party_grassroots".into()),
                seats: Some(2),
                candidates: vec!["甲".into(), "乙".into(), "丙".into()],
                eligible_voters: 10,
                voters_present: present,
                ballots,
                ..Default::default()
            })
            .unwrap()
        };
        let b = |n: i64, names: &[&str]| BallotPattern {
            count: n,
            marks: names.iter().map(|x| (x.to_string(), Mark::Yes)).collect(),
            ..Default::default()
        };
        let cands: Vec<String> = ["甲", "乙", "丙"].iter().map(|s| s.to_string()).collect();
        // R-F2
        let r = e(vec![b(4, &["甲", "乙"]), b(4, &["甲", "丙"]), b(2, &["乙", "丙"])], 10);
        assert_eq!(next(&r, 2, &cands), Next::Round { kind: RoundKind::TieRevote, seats: 1, candidates: vec!["乙".into(), "丙".into()] });
        // R-G: one seat short
        let r = e(vec![b(6, &["甲"]), b(4, &["乙", "丙"])], 10);
        assert!(matches!(next(&r, 2, &cands), Next::Round { kind: RoundKind::Supplementary, seats: 1, .. }));
        // R-B1 failed: the whole round again (R-D2)
        let r = e(vec![b(8, &["甲", "乙"])], 8);
        assert_eq!(next(&r, 2, &cands), Next::Round { kind: RoundKind::Rerun, seats: 2, candidates: cands.clone() });
        let r = e(vec![b(10, &["甲", "乙"])], 10);
        assert_eq!(next(&r, 2, &cands), Next::Done);
    }

    #[test]
    fn targets_are_guiding_shares_reached_inclusively() {
        use crate::composition::{compose, CompositionSettings, Profile};
        use crate::congress::DelegateCategory;
        use crate::person::Gender;
        let p = |g| Profile {
            category: DelegateCategory::Farmer,
            gender: g,
            ethnicity: "汉族".into(),
            education: None,
            birth_date: None,
            org_name: "村".into(),
        };
        let c = compose(
            &[p(Gender::Female), p(Gender::Male), p(Gender::Male), p(Gender::Male), p(Gender::Male)],
            time::macros::date!(2026 - 01 - 01),
            CompositionSettings::default(),
            crate::Lang::Zh,
        );
        let t = |k: &str, m| CompositionTarget { key: k.into(), min_percent: m };
        let checks = check_targets(&c, &[t("women", 20), t("minority", 10), t("nonsense", 5)]);
        assert_eq!(checks.len(), 2, "unknown keys are left out");
        assert!(checks[0].met, "1 of 5 is exactly 20 %");
        assert_eq!(checks[0].percent, "20.0%");
        assert!(!checks[1].met);
        assert!(!check_targets(&c, &[t("women", 21)])[0].met);
        // a sector and a region: all five are farmers from 村; nobody from 镇
        let s = check_targets(&c, &[t("category:farmer", 60), t("organisation:村", 100), t("organisation:镇", 10)]);
        assert_eq!(s.iter().map(|x| (x.count, x.met)).collect::<Vec<_>>(), vec![(5, true), (5, true), (0, false)]);
        assert!(target_key_ok("category:farmer") && !target_key_ok("category:wizard") && !target_key_ok("height"));
    }

    #[test]
    fn r_g1_seats_are_reduced_only_within_bounds() {
        assert!(check_reduction(4, 5, 4, 3).is_ok());
        assert!(check_reduction(4, 5, 5, 3).is_err());
        assert!(check_reduction(4, 5, 3, 3).is_err(), "below those elected");
        assert!(check_reduction(2, 5, 2, 3).is_err(), "below the minimum size");
    }
}
