//! Democratic appraisal (民主测评/评议, rules.md R-L1..R-L3): forms graded 优秀/称职/基本称职/
//! 不称职 (or, for party members, 优秀/合格/基本合格/不合格); counts and shares per grade; a flag
//! and a verdict when the lowest grade passes configurable shares. No central text fixes those
//! shares (R-L2, R-L3), so both are settings; the examples' 1/3 and 1/2 are only examples.

use super::fraction::{Cmp, Fraction, Threshold};
use crate::composition::Share;
use crate::{DomainError, FieldError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which grades the forms use (R-L1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// 优秀 / 称职 / 基本称职 / 不称职 (cadres, committee members, departments).
    #[default]
    Cadre,
    /// 优秀 / 合格 / 基本合格 / 不合格 (party members' 民主评议).
    Member,
}

impl Scale {
    /// Best first.
    pub fn grades(self) -> [&'static str; 4] {
        match self {
            Scale::Cadre => ["优秀", "称职", "基本称职", "不称职"],
            Scale::Member => ["优秀", "合格", "基本合格", "不合格"],
        }
    }
}

/// What the flag and verdict shares are counted against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppraisalBase {
    /// Everyone who took part (R-L2's local reading "不称职 > ½ of participants").
    #[default]
    Participants,
    ValidForms,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppraisalConfig {
    /// Flag for attention (e.g. 组织处理 review) when the lowest grade is more than this share.
    #[serde(default)]
    pub flag_if_buchengzhi_over: Option<Fraction>,
    /// Judge the target 不称职 when the lowest grade is more than this share.
    #[serde(default)]
    pub verdict_buchengzhi_if_over: Option<Fraction>,
    #[serde(default)]
    pub base: AppraisalBase,
    #[serde(default)]
    pub scale: Scale,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppraisalInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
    pub participants: u64,
    /// Forms per grade (grades not named count 0).
    pub forms: BTreeMap<String, u64>,
    /// Blank or spoilt forms (not valid, still handed in).
    #[serde(default)]
    pub invalid_forms: u64,
    #[serde(default)]
    pub config: AppraisalConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppraisalResult {
    pub target: Option<String>,
    pub participants: u64,
    pub valid_forms: u64,
    pub invalid_forms: u64,
    pub counts: BTreeMap<String, u64>,
    /// Shares of valid forms, percent to one decimal (rounded half up).
    pub shares_percent: BTreeMap<String, f64>,
    pub shares_of_participants_percent: BTreeMap<String, f64>,
    /// The two best grades together (称职 or better; 合格 or better).
    pub chengzhi_or_better: u64,
    pub chengzhi_or_better_percent: f64,
    pub flagged: bool,
    pub verdict_buchengzhi: bool,
    pub reason: String,
    pub reason_zh: String,
}

fn pct(n: u64, total: u64) -> f64 {
    Share::of(n as i64, total as i64).tenths as f64 / 10.0
}

pub fn count(input: &AppraisalInput) -> Result<AppraisalResult, DomainError> {
    let scale = input.config.scale;
    let grades = scale.grades();
    for g in input.forms.keys() {
        if !grades.contains(&g.as_str()) {
            return Err(DomainError::invalid(FieldError::new(
                "forms",
                "unknown_grade",
                format!("等次“{g}”不在 {} 之中", grades.join("/")),
                format!("grade “{g}” is not one of {}", grades.join("/")),
            )));
        }
    }
    let counts: BTreeMap<String, u64> = grades.iter().map(|g| (g.to_string(), input.forms.get(*g).copied().unwrap_or(0))).collect();
    let valid: u64 = counts.values().sum();
    if valid + input.invalid_forms > input.participants {
        return Err(DomainError::invalid(FieldError::new(
            "participants",
            "too_many_forms",
            format!("收回的测评表 {} 份多于参加人数 {}", valid + input.invalid_forms, input.participants),
            format!("{} forms but only {} took part", valid + input.invalid_forms, input.participants),
        )));
    }
    let lowest = counts[grades[3]];
    let good = counts[grades[0]] + counts[grades[1]];
    let base = match input.config.base {
        AppraisalBase::Participants => input.participants,
        AppraisalBase::ValidForms => valid,
    };
    let (base_en, base_zh) = match input.config.base {
        AppraisalBase::Participants => ("participants", "参加人数"),
        AppraisalBase::ValidForms => ("valid forms", "有效表数"),
    };
    let mut en = Vec::new();
    let mut zh = Vec::new();
    let mut judge = |f: Option<Fraction>, what_en: &str, what_zh: &str| -> bool {
        let Some(f) = f else { return false };
        let t = Threshold { fraction: f, cmp: Cmp::Over };
        let hit = t.met(lowest, base);
        let shown = t.show(lowest, base);
        en.push(format!("{shown} ({what_en} at more than {f} of {base} {base_en}: {})", if hit { "yes" } else { "no" }));
        zh.push(format!("{shown}({what_zh}:超过{base_zh} {base} 的 {f},{})", if hit { "是" } else { "否" }));
        hit
    };
    let flagged = judge(input.config.flag_if_buchengzhi_over, "flag", "提示关注");
    let verdict = judge(input.config.verdict_buchengzhi_if_over, "verdict", "评为不称职");
    let head_en = format!("{} {lowest} of {valid} valid forms ({} took part, R-L1)", grades[3], input.participants);
    let head_zh = format!("有效测评表 {valid} 份(参加 {} 人),{} {lowest} 票(R-L1)", input.participants, grades[3]);
    let rule = if flagged || verdict || !en.is_empty() { " Shares are settings (R-L2, R-L3)." } else { "" };
    let reason = if en.is_empty() { format!("{head_en}; no flag or verdict share is set.") } else { format!("{head_en}: {}.{rule}", en.join("; ")) };
    let reason_zh = if zh.is_empty() { format!("{head_zh};未设提示或评定比例。") } else { format!("{head_zh}:{}。", zh.join(";")) };
    Ok(AppraisalResult {
        target: input.target.clone(),
        participants: input.participants,
        valid_forms: valid,
        invalid_forms: input.invalid_forms,
        shares_percent: counts.iter().map(|(g, n)| (g.clone(), pct(*n, valid))).collect(),
        shares_of_participants_percent: counts.iter().map(|(g, n)| (g.clone(), pct(*n, input.participants))).collect(),
        counts,
        chengzhi_or_better: good,
        chengzhi_or_better_percent: pct(good, valid),
        flagged,
        verdict_buchengzhi: verdict,
        reason,
        reason_zh,
    })
}

/// One appraisal of one person: when, and whether it judged them 不称职 (the verdict share
/// is a setting, R-L2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub on: String,
    pub appraisal: String,
    pub buchengzhi: bool,
}

/// R-L2: two consecutive appraisals judging a member 不称职 end their office. Given one
/// person's appraisals in date order, the pair that does, if any (the first such pair).
pub fn two_in_a_row(history: &[Verdict]) -> Option<(&Verdict, &Verdict)> {
    history.windows(2).find(|w| w[0].buchengzhi && w[1].buchengzhi).map(|w| (&w[0], &w[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_l2_two_consecutive_buchengzhi_end_the_office() {
        let v = |on: &str, b| Verdict { on: on.into(), appraisal: format!("{on} 民主评议"), buchengzhi: b };
        assert!(two_in_a_row(&[v("2024-12-01", true), v("2025-12-01", false), v("2026-12-01", true)]).is_none(), "not consecutive");
        let h = [v("2024-12-01", false), v("2025-12-01", true), v("2026-12-01", true)];
        let (a, b) = two_in_a_row(&h).unwrap();
        assert_eq!((a.on.as_str(), b.on.as_str()), ("2025-12-01", "2026-12-01"));
        assert!(two_in_a_row(&[v("2026-12-01", true)]).is_none());
    }

    fn forms(v: &[(&str, u64)]) -> BTreeMap<String, u64> {
        v.iter().map(|(g, n)| (g.to_string(), *n)).collect()
    }

    fn cfg(flag: &str, verdict: &str) -> AppraisalConfig {
        AppraisalConfig {
            flag_if_buchengzhi_over: Some(Fraction::parse(flag).unwrap()),
            verdict_buchengzhi_if_over: Some(Fraction::parse(verdict).unwrap()),
            ..Default::default()
        }
    }

    #[test]
    fn r_l1_counts_and_shares_of_each_grade() {
        // examples/count/03
        let r = count(&AppraisalInput {
            participants: 30,
            forms: forms(&[("优秀", 10), ("称职", 15), ("基本称职", 3), ("不称职", 2)]),
            config: cfg("1/3", "1/2"),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.valid_forms, 30);
        assert_eq!(r.shares_percent["优秀"], 33.3);
        assert_eq!(r.shares_percent["不称职"], 6.7);
        assert_eq!((r.chengzhi_or_better, r.chengzhi_or_better_percent), (25, 83.3));
        assert!(!r.flagged && !r.verdict_buchengzhi);
        assert!(r.reason.contains("3×2=6 ≤ 30"), "{}", r.reason);
    }

    #[test]
    fn r_l3_the_flag_is_strictly_more_than_its_share() {
        let mk = |lowest: u64| AppraisalInput {
            participants: 30,
            forms: forms(&[("称职", 30 - lowest), ("不称职", lowest)]),
            config: cfg("1/3", "1/2"),
            ..Default::default()
        };
        // exactly one third is not more than one third
        assert!(!count(&mk(10)).unwrap().flagged);
        assert!(count(&mk(11)).unwrap().flagged);
        // R-L2 (local reading): exactly half is not a verdict, one more is
        assert!(!count(&mk(15)).unwrap().verdict_buchengzhi);
        assert!(count(&mk(16)).unwrap().verdict_buchengzhi);
    }

    #[test]
    fn the_base_is_a_setting_and_blank_forms_count_only_in_participants() {
        let mut i = AppraisalInput {
            participants: 30,
            forms: forms(&[("称职", 17), ("不称职", 9)]),
            invalid_forms: 4,
            config: AppraisalConfig { flag_if_buchengzhi_over: Some(Fraction::THIRD), ..Default::default() },
            ..Default::default()
        };
        assert!(!count(&i).unwrap().flagged, "3×9=27 ≤ 30 participants");
        i.config.base = AppraisalBase::ValidForms;
        assert!(count(&i).unwrap().flagged, "3×9=27 > 26 valid forms");
    }

    #[test]
    fn member_scale_and_bad_input() {
        let r = count(&AppraisalInput {
            participants: 10,
            forms: forms(&[("合格", 9), ("不合格", 1)]),
            config: AppraisalConfig { scale: Scale::Member, ..Default::default() },
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.counts["合格"], 9);
        assert!(count(&AppraisalInput { participants: 10, forms: forms(&[("良好", 1)]), ..Default::default() }).is_err());
        assert!(count(&AppraisalInput { participants: 1, forms: forms(&[("称职", 2)]), ..Default::default() }).is_err());
        // no forms at all: shares are 0, not a division by zero
        assert_eq!(count(&AppraisalInput { participants: 0, ..Default::default() }).unwrap().shares_percent["优秀"], 0.0);
    }
}
