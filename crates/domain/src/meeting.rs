//! The work of a meeting besides its votes (issue 5): the agenda and its documents, group
//! deliberation (分组审议), inquiries (询问) and interpellations (质询), the life of a
//! resolution (rules.md R-K4: 议题 → 预案 → 决议 → 实施 → 报告 → 评议), and the tellers' entry of
//! paper ballots with its double entry and reconciliation (R-D1). Pure: no I/O, time is a
//! parameter.

use crate::ballot::{Choices, Question};
use crate::error::{Errors, FieldError};
use crate::lang::Coded;
use crate::{coded_enum, DomainError};
use serde::{Deserialize, Serialize};

coded_enum! {
    /// What an agenda item is.
    AgendaKind {
        Report => "report", "工作报告", "Work report";
        DraftResolution => "draft_resolution", "决议草案", "Draft resolution";
        Election => "election", "选举事项", "Election";
        Other => "other", "其他议程", "Other business";
    }
}

coded_enum! {
    /// Where a resolution is in its life (R-K4). A report has no such life: it is handed out,
    /// deliberated, and may be voted on like any motion.
    ResolutionStatus {
        Draft => "draft", "预案", "Draft";
        Deliberated => "deliberated", "已审议", "Deliberated";
        Voting => "voting", "表决中", "Being voted";
        Adopted => "adopted", "已通过", "Adopted";
        Rejected => "rejected", "未通过", "Not adopted";
        Published => "published", "已公布", "Published";
        Implementing => "implementing", "实施中", "Being implemented";
        Reported => "reported", "已报告", "Implementation reported";
        Reviewed => "reviewed", "已评议", "Reviewed";
    }
}

coded_enum! {
    ResolutionAction {
        Deliberate => "deliberate", "审议完毕", "Deliberation done";
        PutToVote => "put_to_vote", "提交表决", "Put to the vote";
        Passed => "passed", "表决通过", "Passed";
        Failed => "failed", "表决未通过", "Not passed";
        Revise => "revise", "修改后重新提出", "Revise and table again";
        Publish => "publish", "公布决议", "Publish";
        Implement => "implement", "开始实施", "Start implementing";
        Report => "report", "报告实施情况", "Report on implementation";
        Review => "review", "评议实施情况", "Review the implementation";
    }
}

impl ResolutionStatus {
    /// The next status after `action`, or why not. `PutToVote` needs the item deliberated
    /// first (a draft goes to the groups before it goes to the vote); `Passed`/`Failed` are
    /// the vote's result, recorded when the vote closes.
    pub fn next(self, action: ResolutionAction) -> Result<ResolutionStatus, DomainError> {
        use ResolutionAction as A;
        use ResolutionStatus as S;
        let to = match (self, action) {
            (S::Draft, A::Deliberate) => S::Deliberated,
            (S::Deliberated, A::PutToVote) => S::Voting,
            (S::Voting, A::Passed) => S::Adopted,
            (S::Voting, A::Failed) => S::Rejected,
            (S::Rejected, A::Revise) => S::Draft,
            (S::Adopted, A::Publish) => S::Published,
            (S::Published, A::Implement) => S::Implementing,
            (S::Implementing, A::Report) => S::Reported,
            (S::Reported, A::Review) => S::Reviewed,
            _ => {
                return Err(DomainError::conflict(
                    format!("“{}”时不能“{}”", self.label().zh, action.label().zh),
                    format!("cannot {} while {}", action.label().en.to_lowercase(), self.label().en.to_lowercase()),
                ))
            }
        };
        Ok(to)
    }
    /// What may be done now (for the buttons).
    pub fn actions(self) -> Vec<ResolutionAction> {
        ResolutionAction::ALL.iter().copied().filter(|a| self.next(*a).is_ok()).collect()
    }
}

/// An agenda item as the office writes it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgendaInput {
    pub kind: String,
    pub title: String,
    /// Who presents it (a committee, a department, a person).
    pub presenter: String,
    /// The text (a summary, or the draft resolution itself).
    pub body: String,
}

impl AgendaInput {
    pub fn validate(&self) -> Result<(AgendaKind, String, String, String), DomainError> {
        let mut e = Errors::new();
        let kind = AgendaKind::from_code(&self.kind);
        if kind.is_none() {
            e.push(FieldError::new("kind", "unknown", "请选择议程类型", "choose the kind of item"));
        }
        let title = e.text("title", "议程名称", &self.title, 120);
        if title.chars().count() == 1 {
            e.push(FieldError::new("title", "length", "议程名称须为 2 至 120 个字", "the title takes 2 to 120 characters"));
        }
        let presenter = self.presenter.trim().to_string();
        if presenter.chars().count() > 60 {
            e.push(FieldError::new("presenter", "too_long", "报告人不超过 60 个字", "the presenter takes at most 60 characters"));
        }
        let body = self.body.trim().to_string();
        if body.chars().count() > 20_000 {
            e.push(FieldError::new(
                "body",
                "too_long",
                "正文不超过 20000 字,长文请作为附件上传",
                "at most 20,000 characters; attach longer texts as files",
            ));
        }
        e.finish()?;
        Ok((kind.unwrap_or(AgendaKind::Other), title, presenter, body))
    }
}

/// One group's record of its deliberation of an agenda item.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeliberationInput {
    /// The group (a delegate group's name, or one formed for the meeting: 第一审议组).
    pub group: String,
    pub minutes: String,
    /// Opinions and suggestions, one per line, gathered for the presidium.
    pub opinions: String,
}

impl DeliberationInput {
    pub fn validate(&self) -> Result<(String, String, Vec<String>), DomainError> {
        let mut e = Errors::new();
        let group = e.text("group", "审议组", &self.group, 40);
        let minutes = self.minutes.trim().to_string();
        let opinions: Vec<String> =
            self.opinions.lines().map(|l| l.trim().trim_start_matches(['-', '·', '、']).trim().to_string()).filter(|l| !l.is_empty()).collect();
        if minutes.is_empty() && opinions.is_empty() {
            e.push(FieldError::new("opinions", "required", "请填写审议记录或意见", "write the minutes or the opinions"));
        }
        if minutes.chars().count() > 20_000 || opinions.iter().any(|o| o.chars().count() > 1000) || opinions.len() > 200 {
            e.push(FieldError::new("opinions", "too_long", "记录过长", "the record is too long"));
        }
        e.finish()?;
        Ok((group, minutes, opinions))
    }
}

coded_enum! {
    InquiryKind {
        Inquiry => "inquiry", "询问", "Inquiry";
        Interpellation => "interpellation", "质询", "Interpellation";
    }
}

coded_enum! {
    InquiryMode {
        OnSite => "on_site", "现场", "On the spot";
        Written => "written", "书面", "In writing";
    }
}

coded_enum! {
    InquiryStatus {
        Asked => "asked", "待答复", "Awaiting the answer";
        Answered => "answered", "已答复", "Answered";
        Published => "published", "已公开", "Published";
    }
}

/// A question put at a meeting.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InquiryInput {
    pub kind: String,
    pub mode: String,
    /// Who is asked: a committee member or a department that reports to the congress.
    pub addressee: String,
    pub question: String,
}

impl InquiryInput {
    pub fn validate(&self) -> Result<(InquiryKind, InquiryMode, String, String), DomainError> {
        let mut e = Errors::new();
        let kind = InquiryKind::from_code(&self.kind);
        let mode = InquiryMode::from_code(&self.mode);
        if kind.is_none() {
            e.push(FieldError::new("kind", "unknown", "请选择询问或质询", "choose inquiry or interpellation"));
        }
        if mode.is_none() {
            e.push(FieldError::new("mode", "unknown", "请选择现场或书面", "choose on the spot or in writing"));
        }
        let addressee = e.text("addressee", "询问对象", &self.addressee, 60);
        let question = self.question.trim().to_string();
        if question.chars().count() < 5 || question.chars().count() > 5000 {
            e.push(FieldError::new("question", "length", "问题须为 5 至 5000 个字", "the question takes 5 to 5,000 characters"));
        }
        e.finish()?;
        Ok((kind.unwrap_or(InquiryKind::Inquiry), mode.unwrap_or(InquiryMode::OnSite), addressee, question))
    }
}

/// The answer to an inquiry: it needs words; publishing needs an answer first.
pub fn check_answer(status: InquiryStatus, answer: &str) -> Result<String, DomainError> {
    if status == InquiryStatus::Published {
        return Err(DomainError::conflict("答复已公开,不能再改", "the answer is published and can no longer change"));
    }
    let a = answer.trim();
    if a.chars().count() < 2 || a.chars().count() > 20_000 {
        return Err(DomainError::invalid(FieldError::new("answer", "length", "答复须为 2 至 20000 个字", "the answer takes 2 to 20,000 characters")));
    }
    Ok(a.to_string())
}

/// One teller's entry of a vote's paper ballots: how many were handed out and found in the
/// box, how many of those were void, and the valid ones as patterns with their counts (the
/// teller sorts the ballots into piles of the same marks and counts each pile).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperEntry {
    pub issued: u64,
    pub returned: u64,
    pub void: u64,
    /// (canonical choices, count), as [`Choices::canonical`] writes them.
    pub patterns: Vec<(String, u64)>,
}

/// What reconciling an entry found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciled {
    pub issued: u64,
    pub returned: u64,
    pub void: u64,
    pub valid: u64,
    /// R-D1: more ballots returned than issued voids the whole vote; it is held again.
    pub vote_void: bool,
}

impl PaperEntry {
    /// Checks an entry against the question and itself: each pattern is a valid ballot of
    /// the question (a ballot choosing more than allowed is void and belongs in `void`), the
    /// piles add up to the valid ballots, and no count is out of range. Patterns are merged
    /// and sorted, so two tellers' entries compare equal whatever order they typed them in.
    pub fn reconcile(&self, q: &Question) -> Result<(PaperEntry, Reconciled), DomainError> {
        let mut errs = Vec::new();
        let mut merged: std::collections::BTreeMap<String, u64> = Default::default();
        for (text, n) in &self.patterns {
            match Choices::parse(q.kind, text).map(|c| c.check(q)) {
                Some(Ok(c)) => *merged.entry(c.canonical()).or_default() += n,
                _ => errs.push(FieldError::new(
                    "patterns",
                    "invalid",
                    format!("“{text}”不是有效的选票(废票请计入废票数)"),
                    format!("“{text}” is not a valid ballot (count void ballots as void)"),
                )),
            }
        }
        merged.retain(|_, n| *n > 0);
        let piles: u64 = merged.values().sum();
        if self.void > self.returned {
            errs.push(FieldError::new("void", "range", "废票数不能多于收回票数", "more void ballots than ballots returned"));
        }
        let valid = self.returned.saturating_sub(self.void);
        if errs.is_empty() && piles != valid {
            errs.push(FieldError::new(
                "patterns",
                "sum",
                format!("各类选票合计 {piles} 张,应等于收回 {} 减废票 {} 即 {valid} 张", self.returned, self.void),
                format!("the piles add up to {piles}; returned {} less void {} is {valid}", self.returned, self.void),
            ));
        }
        if self.issued == 0 {
            errs.push(FieldError::new("issued", "required", "请填写发出的选票数", "enter the ballots handed out"));
        }
        if !errs.is_empty() {
            return Err(DomainError::Invalid(errs));
        }
        let entry = PaperEntry { issued: self.issued, returned: self.returned, void: self.void, patterns: merged.into_iter().collect() };
        let r = Reconciled { issued: self.issued, returned: self.returned, void: self.void, valid, vote_void: self.returned > self.issued };
        Ok((entry, r))
    }

    /// Where two tellers' (reconciled) entries differ, in words; empty when they agree.
    pub fn differences(&self, other: &PaperEntry) -> Vec<String> {
        let mut out = Vec::new();
        for (label, a, b) in
            [("发出 / issued", self.issued, other.issued), ("收回 / returned", self.returned, other.returned), ("废票 / void", self.void, other.void)]
        {
            if a != b {
                out.push(format!("{label}: {a} ≠ {b}"));
            }
        }
        let count = |e: &PaperEntry, p: &str| e.patterns.iter().find(|x| x.0 == p).map(|x| x.1).unwrap_or(0);
        let mut keys: Vec<&str> = self.patterns.iter().chain(&other.patterns).map(|x| x.0.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            let (a, b) = (count(self, k), count(other, k));
            if a != b {
                out.push(format!("{k}: {a} ≠ {b}"));
            }
        }
        out
    }
}

/// Reads a teller's piles as typed, one pile a line: the marks, then the count. A motion's
/// marks are 赞成 / 反对 / 弃权 (or y / n / a), one per item; a choice names the options chosen
/// (by name, or by number from 1), or 空白 for a blank ballot; an appraisal gives a grade per
/// person (优秀 / 称职 / 基本称职 / 不称职, or 1–4). "赞成 反对 12", "张三 王五 15", "空白 2".
pub fn parse_piles(q: &Question, text: &str) -> Result<Vec<(String, u64)>, DomainError> {
    use crate::ballot::{Mark, VoteKind, GRADES};
    const MEMBER_GRADES: [&str; 4] = ["优秀", "合格", "基本合格", "不合格"];
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (no, line) in text.lines().enumerate() {
        let tokens: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；' | ':' | '：' | '/'))
            .filter(|t| !t.is_empty())
            .collect();
        if tokens.is_empty() {
            continue;
        }
        let bad = |zh: String, en: String| FieldError::new("patterns", "invalid", format!("第 {} 行:{zh}", no + 1), format!("line {}: {en}", no + 1));
        let Some((count, marks)) = tokens.split_last() else { continue };
        let Ok(n) = count.parse::<u64>() else {
            errs.push(bad("行末应是张数".into(), "the line should end with the number of ballots".into()));
            continue;
        };
        let choices = match q.kind {
            VoteKind::Motion => marks
                .iter()
                .map(|m| match *m {
                    "赞成" | "同意" | "y" | "Y" | "yes" => Some(Mark::Yes),
                    "反对" | "不同意" | "n" | "N" | "no" => Some(Mark::No),
                    "弃权" | "a" | "A" | "abstain" => Some(Mark::Abstain),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .filter(|m| m.len() == q.items.len())
                .map(Choices::Marks),
            VoteKind::Choice => {
                if marks.iter().all(|m| matches!(*m, "空白" | "-" | "无" | "blank")) {
                    Some(Choices::Chosen(Vec::new()))
                } else {
                    marks
                        .iter()
                        .map(|m| {
                            q.items
                                .iter()
                                .position(|i| i == m)
                                .or_else(|| m.parse::<usize>().ok().filter(|k| (1..=q.items.len()).contains(k)).map(|k| k - 1))
                        })
                        .collect::<Option<Vec<_>>>()
                        .map(Choices::Chosen)
                }
            }
            VoteKind::Appraisal => marks
                .iter()
                .map(|m| {
                    // either scale's names (R-L1), or 1–4
                    GRADES
                        .iter()
                        .position(|g| g == m)
                        .or_else(|| MEMBER_GRADES.iter().position(|g| g == m))
                        .or_else(|| m.parse::<usize>().ok().filter(|k| (1..=4).contains(k)).map(|k| k - 1))
                        .map(|k| k as u8)
                })
                .collect::<Option<Vec<_>>>()
                .filter(|g| g.len() == q.items.len())
                .map(Choices::Grades),
            // an election: a mark per candidate, then any names written in ("赞成 反对 弃权 赵六 12")
            VoteKind::Election if marks.len() >= q.items.len() => {
                let (m, w) = marks.split_at(q.items.len());
                let mark = |m: &str| match m {
                    "赞成" | "同意" | "○" | "y" | "Y" | "yes" => Some(Mark::Yes),
                    "反对" | "不赞成" | "×" | "n" | "N" | "no" => Some(Mark::No),
                    "弃权" | "-" | "a" | "A" | "abstain" => Some(Mark::Abstain),
                    _ => None,
                };
                m.iter()
                    .map(|x| mark(x))
                    .collect::<Option<Vec<_>>>()
                    .map(|marks| Choices::Ballot { marks, write_ins: w.iter().map(|x| x.trim_start_matches(['+', '+']).to_string()).collect() })
            }
            VoteKind::Election => None,
        };
        match choices.map(|c| c.check(q)) {
            Some(Ok(c)) => out.push((c.canonical(), n)),
            Some(Err(_)) => errs.push(bad("选择超过限额,应计入废票".into(), "chooses more than allowed: count it as void".into())),
            None => errs.push(bad(
                format!("看不懂“{}”(每一项写一个:{})", marks.join(" "), q.items.join("、")),
                format!("cannot read “{}” (one mark for each of: {})", marks.join(" "), q.items.join(", ")),
            )),
        }
    }
    if !errs.is_empty() {
        return Err(DomainError::Invalid(errs));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot::VoteKind;
    use proptest::prelude::*;

    #[test]
    fn a_resolution_goes_from_draft_to_review_in_order() {
        use ResolutionAction as A;
        use ResolutionStatus as S;
        assert!(S::Draft.next(A::PutToVote).is_err(), "deliberated before it is voted");
        let mut s = S::Draft;
        for a in [A::Deliberate, A::PutToVote, A::Passed, A::Publish, A::Implement, A::Report, A::Review] {
            s = s.next(a).unwrap();
        }
        assert_eq!(s, S::Reviewed);
        assert_eq!(S::Voting.next(A::Failed).unwrap(), S::Rejected);
        assert_eq!(S::Rejected.next(A::Revise).unwrap(), S::Draft);
        assert!(S::Rejected.next(A::Publish).is_err(), "a rejected draft is not published");
        assert_eq!(S::Voting.actions(), vec![A::Passed, A::Failed]);
        assert!(S::Reviewed.actions().is_empty());
    }

    #[test]
    fn inquiries_and_answers_are_checked() {
        let ok = InquiryInput {
            kind: "inquiry".into(),
            mode: "on_site".into(),
            addressee: "镇纪委".into(),
            question: "村级财务公开为何延迟三个月?".into(),
        };
        assert!(ok.validate().is_ok());
        let bad = InquiryInput { kind: "x".into(), mode: "".into(), addressee: " ".into(), question: "短".into() };
        match bad.validate() {
            Err(DomainError::Invalid(v)) => assert_eq!(v.len(), 4),
            other => panic!("{other:?}"),
        }
        assert!(check_answer(InquiryStatus::Asked, "已于十月底补公开").is_ok());
        assert!(check_answer(InquiryStatus::Published, "改一改").is_err());
        assert!(check_answer(InquiryStatus::Asked, " ").is_err());
    }

    fn motion(n: usize) -> Question {
        Question { kind: VoteKind::Motion, items: (0..n).map(|i| format!("第{i}项")).collect(), max_choices: 0 }
    }

    #[test]
    fn paper_ballots_reconcile_by_the_rules() {
        let q = motion(2);
        let e = PaperEntry { issued: 40, returned: 39, void: 2, patterns: vec![("y,y".into(), 30), ("n,y".into(), 5), ("y,y".into(), 2)] };
        let (merged, r) = e.reconcile(&q).unwrap();
        assert_eq!(merged.patterns, vec![("n,y".to_string(), 5), ("y,y".to_string(), 32)]);
        assert_eq!((r.valid, r.vote_void), (37, false));
        // R-D1: returned more than issued voids the vote (exactly as many is valid)
        let over = PaperEntry { issued: 39, returned: 40, void: 0, patterns: vec![("y,y".into(), 40)] };
        assert!(over.reconcile(&q).unwrap().1.vote_void);
        let equal = PaperEntry { issued: 40, returned: 40, void: 0, patterns: vec![("y,y".into(), 40)] };
        assert!(!equal.reconcile(&q).unwrap().1.vote_void);
        // the piles must add up; a ballot marking too little is not a valid pattern
        assert!(PaperEntry { issued: 40, returned: 39, void: 2, patterns: vec![("y,y".into(), 36)] }.reconcile(&q).is_err());
        assert!(PaperEntry { issued: 40, returned: 1, void: 0, patterns: vec![("y".into(), 1)] }.reconcile(&q).is_err());
        assert!(PaperEntry { issued: 40, returned: 1, void: 2, patterns: vec![] }.reconcile(&q).is_err());
        // a choice of up to 2: a ballot choosing three is void, not a pattern
        let c = Question { kind: VoteKind::Choice, items: vec!["甲".into(), "乙".into(), "丙".into()], max_choices: 2 };
        assert!(PaperEntry { issued: 3, returned: 3, void: 0, patterns: vec![("0,1,2".into(), 3)] }.reconcile(&c).is_err());
        assert!(
            PaperEntry { issued: 3, returned: 3, void: 1, patterns: vec![("0,1".into(), 1), ("".into(), 1)] }.reconcile(&c).is_ok(),
            "a blank ballot is valid"
        );
    }

    #[test]
    fn two_tellers_are_compared_pile_by_pile() {
        let q = motion(1);
        let a = PaperEntry { issued: 10, returned: 10, void: 0, patterns: vec![("y".into(), 7), ("n".into(), 3)] }.reconcile(&q).unwrap().0;
        let b = PaperEntry { issued: 10, returned: 10, void: 0, patterns: vec![("n".into(), 3), ("y".into(), 7)] }.reconcile(&q).unwrap().0;
        assert!(a.differences(&b).is_empty(), "the order of typing does not matter");
        let c = PaperEntry { issued: 10, returned: 10, void: 1, patterns: vec![("y".into(), 6), ("n".into(), 3)] }.reconcile(&q).unwrap().0;
        assert_eq!(a.differences(&c), vec!["废票 / void: 0 ≠ 1".to_string(), "y: 7 ≠ 6".to_string()]);
    }

    #[test]
    fn tellers_type_piles_as_they_count_them() {
        let q = motion(2);
        assert_eq!(parse_piles(&q, "赞成 赞成 30\n反对,弃权 5\n\ny y 2").unwrap(), vec![("y,y".into(), 30), ("n,a".into(), 5), ("y,y".into(), 2)]);
        assert!(parse_piles(&q, "赞成 30").is_err(), "a mark for every item");
        assert!(parse_piles(&q, "赞成 赞成").is_err(), "the count last");
        let c = Question { kind: VoteKind::Choice, items: vec!["张三".into(), "李四".into(), "王五".into()], max_choices: 2 };
        assert_eq!(parse_piles(&c, "张三 王五 15\n2 9\n空白 1").unwrap(), vec![("0,2".into(), 15), ("1".into(), 9), ("".into(), 1)]);
        assert!(parse_piles(&c, "张三 李四 王五 1").is_err(), "over the limit is void");
        assert!(parse_piles(&c, "赵六 1").is_err());
        let a = Question { kind: VoteKind::Appraisal, items: vec!["张书记".into(), "李委员".into()], max_choices: 0 };
        assert_eq!(parse_piles(&a, "优秀 称职 8\n4 1 1\n合格 不合格 2").unwrap(), vec![("0,1".into(), 8), ("3,0".into(), 1), ("1,3".into(), 2)]);
        match parse_piles(&q, "赞成 赞成 x\n随便 1") {
            Err(DomainError::Invalid(v)) => assert!(v[0].zh.starts_with("第 1 行") && v[1].zh.starts_with("第 2 行")),
            other => panic!("{other:?}"),
        }
    }

    proptest! {
        #[test]
        fn splitting_or_merging_piles_changes_nothing(piles in proptest::collection::vec((0..3usize, 0..20u64), 1..12)) {
            let q = motion(1);
            let marks = ["y", "n", "a"];
            let patterns: Vec<(String, u64)> = piles.iter().map(|(m, n)| (marks[*m].to_string(), *n)).collect();
            let total: u64 = patterns.iter().map(|p| p.1).sum();
            let whole = PaperEntry { issued: total + 1, returned: total, void: 0, patterns: patterns.clone() }.reconcile(&q).unwrap().0;
            let mut split = Vec::new();
            for (p, n) in &patterns {
                split.push((p.clone(), n / 2));
                split.push((p.clone(), n - n / 2));
            }
            let halves = PaperEntry { issued: total + 1, returned: total, void: 0, patterns: split }.reconcile(&q).unwrap().0;
            prop_assert_eq!(whole, halves);
        }
    }
}
