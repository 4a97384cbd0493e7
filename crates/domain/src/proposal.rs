//! Proposals (提案), motions (提议), suggestions (建议) and written opinions (书面意见): the
//! life of one from a delegate's draft to the proposer's rating, as a state machine.
//!
//! Rules: R-J4, R-J5 (confirmed) and R-M1 … R-M6 (local practice, hence [`ProposalSettings`]).
//! Every transition is decided here from the current state, the actor's part and the time
//! given; the store only records what this module allows.

use crate::error::{DomainError, Errors, FieldError};
use crate::lang::Coded;
use crate::{coded_enum, Id};
use serde::Serialize;

coded_enum! {
    ProposalKind {
        Proposal => "proposal", "提案", "Proposal";
        Motion => "motion", "提议", "Motion";
        Suggestion => "suggestion", "建议", "Suggestion";
        Opinion => "opinion", "书面意见", "Written opinion";
    }
}

impl ProposalKind {
    /// Proposals and motions go to the congress in session and need 案由, 案据 and 方案
    /// (R-J4, R-M1); suggestions and opinions may be made in recess, in writing (R-J5).
    pub fn in_session(self) -> bool {
        matches!(self, ProposalKind::Proposal | ProposalKind::Motion)
    }
}

coded_enum! {
    ProposalCategory {
        PartyBuilding => "party_building", "党的建设", "Party building";
        Economy => "economy", "经济发展", "Economy";
        Agriculture => "agriculture", "农业农村", "Agriculture and villages";
        Infrastructure => "infrastructure", "基础设施", "Infrastructure";
        Society => "society", "社会事业", "Social affairs";
        Education => "education", "教育", "Education";
        Health => "health", "医疗卫生", "Health";
        Environment => "environment", "生态环境", "Environment";
        Safety => "safety", "平安建设", "Public safety";
        Other => "other", "其他", "Other";
    }
}

coded_enum! {
    ProposalStatus {
        Draft => "draft", "草稿", "Draft";
        Submitted => "submitted", "待审查", "Awaiting review";
        Withdrawn => "withdrawn", "已撤回", "Withdrawn";
        Rejected => "rejected", "不予立案", "Not accepted";
        Merged => "merged", "已并案", "Merged";
        Accepted => "accepted", "已立案", "Accepted";
        Assigned => "assigned", "已交办", "Assigned";
        ReassignRequested => "reassign_requested", "申请退回改办", "Reassignment requested";
        Acknowledged => "acknowledged", "已签收", "Acknowledged";
        InProgress => "in_progress", "办理中", "Being handled";
        Replied => "replied", "已答复", "Replied";
        Rehandling => "rehandling", "再次办理", "Being handled again";
        Closed => "closed", "已办结", "Closed";
    }
}

impl ProposalStatus {
    /// Whether a handling unit holds it and the deadline runs.
    pub fn is_handling(self) -> bool {
        use ProposalStatus::*;
        matches!(self, Assigned | ReassignRequested | Acknowledged | InProgress | Rehandling)
    }
    pub fn is_final(self) -> bool {
        matches!(self, ProposalStatus::Withdrawn | ProposalStatus::Rejected | ProposalStatus::Merged | ProposalStatus::Closed)
    }
}

coded_enum! {
    /// The result classes of a reply (R-M5).
    ReplyResult {
        Solved => "solved", "A 已解决或基本解决", "A Solved or basically solved";
        BeingSolved => "being_solved", "B 正在解决或列入计划", "B Being solved or planned";
        Waiting => "waiting", "C 待条件成熟解决", "C Waits for conditions";
        Explained => "explained", "D 留作参考(作出说明)", "D Kept for reference (explained)";
    }
}

coded_enum! {
    /// The proposer's opinion of a reply (R-M5).
    Satisfaction {
        Satisfied => "satisfied", "满意", "Satisfied";
        Basic => "basic", "基本满意", "Basically satisfied";
        Unsatisfied => "unsatisfied", "不满意", "Unsatisfied";
    }
}

/// Who acts on a proposal, as far as the state machine is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Part {
    /// The first signer.
    Proposer,
    /// An invited co-signer.
    CoSigner,
    /// The proposal review committee (or the liaison office acting for it).
    Committee,
    /// Staff of the lead handling unit (主办).
    LeadUnit,
}

/// Local settings of a body (R-M4 and R-J4's "not set nationally").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProposalSettings {
    /// Signers (the proposer included) a proposal or motion needs; "联名" means two or more.
    pub min_signers_in_session: u32,
    /// Days a unit has to reply (人大/政协 practice: three months).
    pub deadline_days: i64,
    /// Days for handling again after an unsatisfied rating.
    pub rehandle_days: i64,
}

impl Default for ProposalSettings {
    fn default() -> Self {
        ProposalSettings { min_signers_in_session: 2, deadline_days: 90, rehandle_days: 30 }
    }
}

/// What the state machine needs to know of a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub status: ProposalStatus,
    pub kind: ProposalKind,
    /// Confirmed signers, the proposer included.
    pub signers: u32,
    /// Invited co-signers who have not answered.
    pub pending_signers: u32,
    pub has_reason: bool,
    pub has_grounds: bool,
    pub has_solution: bool,
    /// Replies given so far (a second one closes the proposal).
    pub replies: u32,
    /// The current deadline, in days since the epoch (UTC+8 days).
    pub deadline_day: Option<i64>,
    pub lead_unit: Option<Id>,
}

/// One step a user asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Action {
    Submit { window_open: bool },
    Withdraw,
    ReturnForCompletion { comment: String },
    Accept,
    Reject { reason: String },
    Convert { to: ProposalKind },
    MergeInto { lead: Id },
    Assign { lead_unit: Id, co_units: Vec<Id>, deadline_days: Option<i64> },
    Acknowledge,
    RequestReassignment { reason: String },
    Reassign { lead_unit: Id, co_units: Vec<Id>, deadline_days: Option<i64> },
    Progress { note: String },
    Reply { result: ReplyResult, text: String },
    Rate { satisfaction: Satisfaction, comment: Option<String> },
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Action::Submit { .. } => "submit",
            Action::Withdraw => "withdraw",
            Action::ReturnForCompletion { .. } => "return",
            Action::Accept => "accept",
            Action::Reject { .. } => "reject",
            Action::Convert { .. } => "convert",
            Action::MergeInto { .. } => "merge",
            Action::Assign { .. } => "assign",
            Action::Acknowledge => "acknowledge",
            Action::RequestReassignment { .. } => "request_reassignment",
            Action::Reassign { .. } => "reassign",
            Action::Progress { .. } => "progress",
            Action::Reply { .. } => "reply",
            Action::Rate { .. } => "rate",
        }
    }
}

/// What a permitted step changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub status: ProposalStatus,
    /// A new deadline (days since the epoch), when the step sets one.
    pub deadline_day: Option<i64>,
    pub kind: Option<ProposalKind>,
    /// The rule that decided it, for the audit log and the message.
    pub rule: &'static str,
}

fn refuse(zh: impl Into<String>, en: impl Into<String>) -> DomainError {
    DomainError::conflict(zh, en)
}

fn text_required(field: &str, zh_name: &str, v: &str, max: usize) -> Result<(), DomainError> {
    let mut e = Errors::new();
    e.text(field, zh_name, v, max);
    e.finish()
}

/// Decides `action` by `part` on a proposal in state `s`, on day `today` (days since the epoch).
pub fn decide(s: &Snapshot, part: Part, action: &Action, today: i64, settings: &ProposalSettings) -> Result<Outcome, DomainError> {
    use Action as A;
    use Part as P;
    use ProposalStatus as S;
    let wrong_state = || {
        refuse(
            format!("当前状态“{}”下不能执行此操作", s.status.label().zh),
            format!("this cannot be done while the proposal is '{}'", s.status.label().en),
        )
    };
    let not_yours = || refuse("您在此件中没有这项权限", "this step is not yours to take on this item");
    let out = |status, rule| Outcome { status, deadline_day: None, kind: None, rule };
    match action {
        A::Submit { window_open } => {
            if part != P::Proposer {
                return Err(not_yours());
            }
            if s.status != S::Draft {
                return Err(wrong_state());
            }
            // R-J4 / R-M1: 案由, 案据 and 方案 for proposals and motions; content for the others
            let mut missing = Vec::new();
            if !s.has_reason {
                missing.push(FieldError::new("reason", "required", "请填写案由", "the reason (案由) is required"));
            }
            if s.kind.in_session() {
                if !s.has_grounds {
                    missing.push(FieldError::new("grounds", "required", "请填写案据(R-J4)", "the grounds (案据) are required (R-J4)"));
                }
                if !s.has_solution {
                    missing.push(FieldError::new("solution", "required", "请填写方案(R-J4)", "the proposed solution (方案) is required (R-J4)"));
                }
            }
            if !missing.is_empty() {
                return Err(DomainError::Invalid(missing));
            }
            if s.kind.in_session() {
                if !window_open {
                    return Err(refuse(
                        "提案、提议只能在大会会议期间提出;闭会期间请提建议或书面意见(R-J5)",
                        "proposals and motions are made while the congress sits; in recess make a suggestion or written opinion (R-J5)",
                    ));
                }
                if s.signers < settings.min_signers_in_session {
                    return Err(refuse(
                        format!("提案须至少 {} 名代表联名(已确认 {} 名)(R-J4)", settings.min_signers_in_session, s.signers),
                        format!("a proposal needs {} signers ({} confirmed) (R-J4)", settings.min_signers_in_session, s.signers),
                    ));
                }
            }
            if s.pending_signers > 0 {
                return Err(refuse("还有受邀联名人未答复", "some invited co-signers have not answered yet"));
            }
            Ok(out(S::Submitted, "R-J4"))
        }
        A::Withdraw => {
            if part != P::Proposer {
                return Err(not_yours());
            }
            // R-J4: the proposers may withdraw it, until the committee decides
            match s.status {
                S::Draft | S::Submitted => Ok(out(S::Withdrawn, "R-J4")),
                _ => Err(wrong_state()),
            }
        }
        A::ReturnForCompletion { comment } => {
            if part != P::Committee {
                return Err(not_yours());
            }
            if s.status != S::Submitted {
                return Err(wrong_state());
            }
            text_required("comment", "退回意见", comment, 1000)?;
            Ok(out(S::Draft, "R-M1"))
        }
        A::Accept => {
            if part != P::Committee {
                return Err(not_yours());
            }
            if s.status != S::Submitted {
                return Err(wrong_state());
            }
            Ok(out(S::Accepted, "R-M2"))
        }
        A::Reject { reason } => {
            if part != P::Committee {
                return Err(not_yours());
            }
            if s.status != S::Submitted {
                return Err(wrong_state());
            }
            // the reason is the answer the proposer receives (R-M2: still answered)
            text_required("reason", "不予立案理由", reason, 2000)?;
            Ok(out(S::Rejected, "R-M2"))
        }
        A::Convert { to } => {
            if part != P::Committee {
                return Err(not_yours());
            }
            if s.status != S::Submitted {
                return Err(wrong_state());
            }
            if to.in_session() {
                return Err(DomainError::invalid(FieldError::new(
                    "to",
                    "bad_choice",
                    "只能转为建议或书面意见",
                    "convert to a suggestion or an opinion",
                )));
            }
            // R-M2: not accepted as a proposal, handled as a suggestion and still answered
            Ok(Outcome { status: S::Accepted, deadline_day: None, kind: Some(*to), rule: "R-M2" })
        }
        A::MergeInto { .. } => {
            if part != P::Committee {
                return Err(not_yours());
            }
            if s.status != S::Submitted {
                return Err(wrong_state());
            }
            // R-M3: merged for handling, answered separately
            Ok(out(S::Merged, "R-M3"))
        }
        A::Assign { deadline_days, .. } | A::Reassign { deadline_days, .. } => {
            if part != P::Committee {
                return Err(not_yours());
            }
            let reassign = matches!(action, A::Reassign { .. });
            let ok = if reassign { matches!(s.status, S::ReassignRequested | S::Assigned | S::Acknowledged) } else { s.status == S::Accepted };
            if !ok {
                return Err(wrong_state());
            }
            let days = deadline_days.unwrap_or(settings.deadline_days);
            if !(1..=366).contains(&days) {
                return Err(DomainError::invalid(FieldError::new(
                    "deadline_days",
                    "out_of_range",
                    "办理期限应为 1 到 366 天",
                    "the time limit must be 1 to 366 days",
                )));
            }
            // R-M4: a reassignment never shortens the time the proposer waits
            let new_deadline = today + days;
            let deadline = match s.deadline_day {
                Some(d) if reassign => d.max(new_deadline),
                _ => new_deadline,
            };
            Ok(Outcome { status: S::Assigned, deadline_day: Some(deadline), kind: None, rule: "R-M4" })
        }
        A::Acknowledge => {
            if part != P::LeadUnit {
                return Err(not_yours());
            }
            if s.status != S::Assigned {
                return Err(wrong_state());
            }
            Ok(out(S::Acknowledged, "R-M3"))
        }
        A::RequestReassignment { reason } => {
            if part != P::LeadUnit {
                return Err(not_yours());
            }
            if !matches!(s.status, S::Assigned | S::Acknowledged) {
                return Err(wrong_state());
            }
            text_required("reason", "退回理由", reason, 1000)?;
            Ok(out(S::ReassignRequested, "R-M3"))
        }
        A::Progress { note } => {
            if part != P::LeadUnit {
                return Err(not_yours());
            }
            if !matches!(s.status, S::Acknowledged | S::InProgress | S::Rehandling) {
                return Err(wrong_state());
            }
            text_required("note", "办理进展", note, 2000)?;
            let status = if s.status == S::Rehandling { S::Rehandling } else { S::InProgress };
            Ok(out(status, "R-M3"))
        }
        A::Reply { text, .. } => {
            if part != P::LeadUnit {
                return Err(not_yours());
            }
            if !matches!(s.status, S::Acknowledged | S::InProgress | S::Rehandling) {
                return Err(wrong_state());
            }
            text_required("text", "答复内容", text, 20_000)?;
            Ok(out(S::Replied, "R-M5"))
        }
        A::Rate { satisfaction, comment } => {
            if part != P::Proposer {
                return Err(not_yours());
            }
            if s.status != S::Replied {
                return Err(wrong_state());
            }
            if let Some(c) = comment {
                if c.chars().count() > 1000 {
                    return Err(DomainError::invalid(FieldError::too_long("comment", "意见", 1000)));
                }
            }
            // R-M5: 不满意 after the first reply sends it back; after the second it closes
            if *satisfaction == Satisfaction::Unsatisfied && s.replies < 2 {
                return Ok(Outcome { status: S::Rehandling, deadline_day: Some(today + settings.rehandle_days), kind: None, rule: "R-M5" });
            }
            Ok(out(S::Closed, "R-M5"))
        }
    }
}

/// Whether a handled item is past its deadline on `today`.
pub fn is_overdue(s: &Snapshot, today: i64) -> bool {
    s.status.is_handling() && s.deadline_day.map(|d| today > d).unwrap_or(false)
}

/// Days since the epoch for a date (the unit deadlines are counted in).
pub fn day_number(d: time::Date) -> i64 {
    i64::from(d.to_julian_day()) - 2_440_588
}

pub fn date_of_day(n: i64) -> time::Date {
    time::Date::from_julian_day((n + 2_440_588) as i32).unwrap_or(time::Date::MIN)
}

/// The fields a delegate writes.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct DraftInput {
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub category: String,
    /// 案由
    #[serde(default)]
    pub reason: String,
    /// 案据
    #[serde(default)]
    pub grounds: String,
    /// 方案
    #[serde(default)]
    pub solution: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDraft {
    pub kind: ProposalKind,
    pub title: String,
    pub category: ProposalCategory,
    pub reason: String,
    pub grounds: String,
    pub solution: String,
}

impl DraftInput {
    /// A draft may be incomplete (the parts are checked on submission), but what is there
    /// must be sound: a title, and no part longer than a clerk could print.
    pub fn validate(&self) -> Result<ValidDraft, DomainError> {
        let mut e = Errors::new();
        let kind = ProposalKind::from_code(self.kind.trim());
        if kind.is_none() {
            e.push(FieldError::new("kind", "bad_choice", "请选择类别(提案、提议、建议或书面意见)", "choose proposal, motion, suggestion or opinion"));
        }
        let title = e.text("title", "标题", &self.title, 100);
        let category =
            if self.category.trim().is_empty() { Some(ProposalCategory::Other) } else { ProposalCategory::from_code(self.category.trim()) };
        if category.is_none() {
            e.push(FieldError::new("category", "bad_choice", "请选择分类", "choose a category"));
        }
        let mut part = |field: &str, zh: &str, v: &str| {
            let v = v.trim();
            if v.chars().count() > 20_000 {
                e.push(FieldError::too_long(field, zh, 20_000));
            }
            v.to_string()
        };
        let reason = part("reason", "案由", &self.reason);
        let grounds = part("grounds", "案据", &self.grounds);
        let solution = part("solution", "方案", &self.solution);
        e.finish()?;
        Ok(ValidDraft {
            kind: kind.unwrap_or(ProposalKind::Suggestion),
            title,
            category: category.unwrap_or(ProposalCategory::Other),
            reason,
            grounds,
            solution,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TODAY: i64 = 20_000;

    fn draft(kind: ProposalKind) -> Snapshot {
        Snapshot {
            status: ProposalStatus::Draft,
            kind,
            signers: 2,
            pending_signers: 0,
            has_reason: true,
            has_grounds: true,
            has_solution: true,
            replies: 0,
            deadline_day: None,
            lead_unit: None,
        }
    }

    fn step(s: &mut Snapshot, part: Part, a: Action) -> Result<Outcome, DomainError> {
        let o = decide(s, part, &a, TODAY, &ProposalSettings::default())?;
        s.status = o.status;
        if let Some(d) = o.deadline_day {
            s.deadline_day = Some(d);
        }
        if let Some(k) = o.kind {
            s.kind = k;
        }
        if matches!(a, Action::Reply { .. }) {
            s.replies += 1;
        }
        Ok(o)
    }

    fn reply() -> Action {
        Action::Reply { result: ReplyResult::Solved, text: "已安排资金修缮水渠".into() }
    }

    #[test]
    fn r_j4_a_proposal_needs_its_three_parts_and_joint_signers() {
        let mut s = draft(ProposalKind::Proposal);
        s.has_grounds = false;
        s.has_solution = false;
        let DomainError::Invalid(v) =
            decide(&s, Part::Proposer, &Action::Submit { window_open: true }, TODAY, &ProposalSettings::default()).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(v.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["grounds", "solution"]);
        let mut s = draft(ProposalKind::Proposal);
        s.signers = 1;
        let e = decide(&s, Part::Proposer, &Action::Submit { window_open: true }, TODAY, &ProposalSettings::default()).unwrap_err();
        assert!(matches!(e, DomainError::Conflict { ref zh, .. } if zh.contains("R-J4")));
        s.signers = 2;
        s.pending_signers = 1;
        assert!(decide(&s, Part::Proposer, &Action::Submit { window_open: true }, TODAY, &ProposalSettings::default()).is_err());
    }

    #[test]
    fn r_j5_suggestions_in_recess_proposals_only_in_session() {
        let s = draft(ProposalKind::Proposal);
        assert!(decide(&s, Part::Proposer, &Action::Submit { window_open: false }, TODAY, &ProposalSettings::default()).is_err());
        let mut s = draft(ProposalKind::Suggestion);
        s.signers = 1;
        s.has_grounds = false;
        s.has_solution = false;
        assert_eq!(
            decide(&s, Part::Proposer, &Action::Submit { window_open: false }, TODAY, &ProposalSettings::default()).unwrap().status,
            ProposalStatus::Submitted
        );
    }

    #[test]
    fn r_j4_proposers_withdraw_until_review() {
        let mut s = draft(ProposalKind::Proposal);
        step(&mut s, Part::Proposer, Action::Submit { window_open: true }).unwrap();
        assert!(step(&mut s.clone(), Part::CoSigner, Action::Withdraw).is_err());
        let mut after_accept = s.clone();
        step(&mut after_accept, Part::Committee, Action::Accept).unwrap();
        assert!(step(&mut after_accept, Part::Proposer, Action::Withdraw).is_err());
        assert_eq!(step(&mut s, Part::Proposer, Action::Withdraw).unwrap().status, ProposalStatus::Withdrawn);
    }

    #[test]
    fn r_m2_not_accepted_is_still_answered_or_converted() {
        let mut s = draft(ProposalKind::Proposal);
        step(&mut s, Part::Proposer, Action::Submit { window_open: true }).unwrap();
        assert!(step(&mut s.clone(), Part::Committee, Action::Reject { reason: " ".into() }).is_err());
        let mut c = s.clone();
        let o = step(&mut c, Part::Committee, Action::Convert { to: ProposalKind::Suggestion }).unwrap();
        assert_eq!((o.status, c.kind, o.rule), (ProposalStatus::Accepted, ProposalKind::Suggestion, "R-M2"));
        assert!(step(&mut s.clone(), Part::Committee, Action::Convert { to: ProposalKind::Motion }).is_err());
        assert_eq!(
            step(&mut s, Part::Committee, Action::Reject { reason: "不属于本级党委职权范围".into() }).unwrap().status,
            ProposalStatus::Rejected
        );
    }

    #[test]
    fn r_m1_returned_for_completion_goes_back_to_draft() {
        let mut s = draft(ProposalKind::Suggestion);
        step(&mut s, Part::Proposer, Action::Submit { window_open: false }).unwrap();
        assert_eq!(
            step(&mut s, Part::Committee, Action::ReturnForCompletion { comment: "请补充案据".into() }).unwrap().status,
            ProposalStatus::Draft
        );
    }

    #[test]
    fn r_m4_deadlines_default_to_ninety_days_and_never_shrink() {
        let mut s = draft(ProposalKind::Proposal);
        step(&mut s, Part::Proposer, Action::Submit { window_open: true }).unwrap();
        step(&mut s, Part::Committee, Action::Accept).unwrap();
        step(&mut s, Part::Committee, Action::Assign { lead_unit: 7, co_units: vec![], deadline_days: None }).unwrap();
        assert_eq!(s.deadline_day, Some(TODAY + 90));
        assert!(is_overdue(&s, TODAY + 91) && !is_overdue(&s, TODAY + 90));
        step(&mut s, Part::LeadUnit, Action::RequestReassignment { reason: "不属于本单位职责".into() }).unwrap();
        step(&mut s, Part::Committee, Action::Reassign { lead_unit: 8, co_units: vec![], deadline_days: Some(10) }).unwrap();
        assert_eq!(s.deadline_day, Some(TODAY + 90), "a reassignment keeps the longer deadline");
    }

    #[test]
    fn r_m5_unsatisfied_once_sends_it_back_twice_closes() {
        let mut s = draft(ProposalKind::Proposal);
        step(&mut s, Part::Proposer, Action::Submit { window_open: true }).unwrap();
        step(&mut s, Part::Committee, Action::Accept).unwrap();
        step(&mut s, Part::Committee, Action::Assign { lead_unit: 7, co_units: vec![8], deadline_days: None }).unwrap();
        assert!(step(&mut s.clone(), Part::Proposer, reply()).is_err(), "a delegate cannot reply for a unit");
        assert!(step(&mut s.clone(), Part::LeadUnit, reply()).is_err(), "acknowledge first");
        step(&mut s, Part::LeadUnit, Action::Acknowledge).unwrap();
        step(&mut s, Part::LeadUnit, Action::Progress { note: "已现场勘察".into() }).unwrap();
        step(&mut s, Part::LeadUnit, reply()).unwrap();
        assert!(step(&mut s.clone(), Part::LeadUnit, Action::Rate { satisfaction: Satisfaction::Satisfied, comment: None }).is_err());
        let o = step(&mut s, Part::Proposer, Action::Rate { satisfaction: Satisfaction::Unsatisfied, comment: Some("水渠仍漏水".into()) }).unwrap();
        assert_eq!((o.status, o.deadline_day), (ProposalStatus::Rehandling, Some(TODAY + 30)));
        step(&mut s, Part::LeadUnit, reply()).unwrap();
        let o = step(&mut s, Part::Proposer, Action::Rate { satisfaction: Satisfaction::Unsatisfied, comment: None }).unwrap();
        assert_eq!(o.status, ProposalStatus::Closed, "the second reply closes it whatever the rating");
    }

    #[test]
    fn drafts_are_checked() {
        let d = DraftInput {
            kind: "proposal".into(), title: "修缮下楣桥李家组水渠".into(), category: "infrastructure".into(), ..Default::default()
        };
        assert_eq!(d.validate().unwrap().category, ProposalCategory::Infrastructure);
        let long = DraftInput { kind: "x".into(), title: "题".repeat(101), ..Default::default() };
        let DomainError::Invalid(v) = long.validate().unwrap_err() else { panic!() };
        assert_eq!(v.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["kind", "title"]);
        assert_eq!(date_of_day(day_number(time::macros::date!(2026 - 11 - 22))), time::macros::date!(2026 - 11 - 22));
    }

    fn any_action() -> impl Strategy<Value = (Part, Action)> {
        let part = prop_oneof![Just(Part::Proposer), Just(Part::CoSigner), Just(Part::Committee), Just(Part::LeadUnit)];
        let action = prop_oneof![
            any::<bool>().prop_map(|w| Action::Submit { window_open: w }),
            Just(Action::Withdraw),
            Just(Action::ReturnForCompletion { comment: "补充".into() }),
            Just(Action::Accept),
            Just(Action::Reject { reason: "理由".into() }),
            Just(Action::Convert { to: ProposalKind::Suggestion }),
            Just(Action::MergeInto { lead: 1 }),
            (1i64..400).prop_map(|d| Action::Assign { lead_unit: 1, co_units: vec![], deadline_days: Some(d) }),
            Just(Action::Acknowledge),
            Just(Action::RequestReassignment { reason: "理由".into() }),
            (1i64..400).prop_map(|d| Action::Reassign { lead_unit: 2, co_units: vec![], deadline_days: Some(d) }),
            Just(Action::Progress { note: "进展".into() }),
            Just(Action::Reply { result: ReplyResult::Solved, text: "答复".into() }),
            prop_oneof![Just(Satisfaction::Satisfied), Just(Satisfaction::Basic), Just(Satisfaction::Unsatisfied)]
                .prop_map(|s| Action::Rate { satisfaction: s, comment: None }),
        ];
        (part, action)
    }

    proptest! {
        /// No sequence of requests leaves the machine in an illegal state: final states stay
        /// final, replies never exceed two, a closed item was rated after a reply, only the
        /// lead unit replies, and a handling deadline never moves earlier.
        #[test]
        fn no_sequence_reaches_an_illegal_state(kind in 0usize..4, steps in proptest::collection::vec(any_action(), 0..60), start in 19_000i64..21_000) {
            let mut s = draft(ProposalKind::ALL[kind]);
            let mut today = start;
            let mut last_deadline: Option<i64> = None;
            for (part, action) in steps {
                today += 3;
                let before = s.clone();
                match decide(&s, part, &action, today, &ProposalSettings::default()) {
                    Err(_) => {}
                    Ok(o) => {
                        prop_assert!(!before.status.is_final(), "left a final state {:?}", before.status);
                        if matches!(action, Action::Reply { .. }) {
                            prop_assert_eq!(part, Part::LeadUnit);
                            s.replies += 1;
                        }
                        if o.status == ProposalStatus::Closed {
                            prop_assert_eq!(before.status, ProposalStatus::Replied);
                            prop_assert!(s.replies >= 1);
                        }
                        if let Some(d) = o.deadline_day {
                            if matches!(action, Action::Reassign { .. }) {
                                prop_assert!(d >= last_deadline.unwrap_or(i64::MIN));
                            }
                            prop_assert!(d > today);
                            s.deadline_day = Some(d);
                            last_deadline = Some(d);
                        }
                        if let Some(k) = o.kind { s.kind = k; }
                        s.status = o.status;
                    }
                }
                prop_assert!(s.replies <= 2);
            }
        }
    }
}
