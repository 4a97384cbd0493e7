//! Notices: who is told what when something happens to their work. Stored as a kind and a
//! subject (a proposal's title) and worded when shown, in the reader's language.

use crate::coded_enum;
use crate::lang::{Coded, Lang};
use crate::proposal::{Action, Outcome, ProposalStatus, Satisfaction};

coded_enum! {
    NoticeKind {
        Invited => "invited", "邀请您联名", "You are invited to co-sign";
        Returned => "returned", "退回补充", "Returned for completion";
        Accepted => "accepted", "已立案", "Accepted";
        Rejected => "rejected", "不予立案", "Not accepted";
        Converted => "converted", "转为建议或意见办理", "Converted";
        Merged => "merged", "已并案办理", "Merged with a similar item";
        Assigned => "assigned", "交由您办理", "Assigned to you";
        Progress => "progress", "办理进展", "Progress";
        Replied => "replied", "已答复,请评价", "Replied: please rate";
        Rehandle => "rehandle", "代表不满意,请重新办理", "Rated unsatisfied: handle again";
        DutyDueSoon => "duty_due_soon", "即将到期,请及时履职", "Due soon";
        DutyOverdue => "duty_overdue", "已逾期,请尽快履职", "Overdue";
        RequestOverdue => "request_overdue", "已超过办理期限,请尽快办理", "Past its time limit";
        MeetingDocuments => "meeting_documents", "会议文件已分发,请会前阅读", "Meeting documents handed out: please read them before the meeting";
        InquiryAnswered => "inquiry_answered", "您的询问已答复", "Your inquiry has been answered";
    }
}

/// Who hears of a step on a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The proposer and the co-signers who confirmed.
    Signers,
    /// The lead and co-handling units (after an assignment: the new ones).
    Units,
}

/// The notices a permitted step sends. The office is not notified: its queues are its lists.
pub fn for_step(action: &Action, out: &Outcome) -> Vec<(Audience, NoticeKind)> {
    use Audience::*;
    match action {
        Action::ReturnForCompletion { .. } => vec![(Signers, NoticeKind::Returned)],
        Action::Accept => vec![(Signers, NoticeKind::Accepted)],
        Action::Reject { .. } => vec![(Signers, NoticeKind::Rejected)],
        Action::Convert { .. } => vec![(Signers, NoticeKind::Converted)],
        // R-M3 (合并办理, 分别答复): a merged item's proposers stay proposers and hear where it went
        Action::MergeInto { .. } => vec![(Signers, NoticeKind::Merged)],
        Action::Assign { .. } | Action::Reassign { .. } => vec![(Units, NoticeKind::Assigned)],
        Action::Progress { .. } => vec![(Signers, NoticeKind::Progress)],
        Action::Reply { .. } => vec![(Signers, NoticeKind::Replied)],
        Action::Rate { satisfaction: Satisfaction::Unsatisfied, .. } if out.status == ProposalStatus::Rehandling => {
            vec![(Units, NoticeKind::Rehandle)]
        }
        Action::Submit { .. } | Action::Withdraw | Action::Acknowledge | Action::RequestReassignment { .. } | Action::Rate { .. } => Vec::new(),
    }
}

/// The sentence shown: "《修缮水渠》已立案".
pub fn wording(kind: NoticeKind, subject: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("《{subject}》{}", kind.label().get(lang)),
        Lang::En => format!("{}: “{subject}”", kind.label().get(lang)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proposal::{ProposalKind, ReplyResult};

    fn out(status: ProposalStatus) -> Outcome {
        Outcome { status, deadline_day: None, kind: None, rule: "" }
    }

    #[test]
    fn merged_proposers_are_told_r_m3() {
        assert_eq!(for_step(&Action::MergeInto { lead: 1 }, &out(ProposalStatus::Merged)), vec![(Audience::Signers, NoticeKind::Merged)]);
    }

    #[test]
    fn units_hear_of_assignments_and_of_unsatisfied_ratings_only() {
        let assign = Action::Assign { lead_unit: 1, co_units: vec![], deadline_days: None };
        assert_eq!(for_step(&assign, &out(ProposalStatus::Assigned)), vec![(Audience::Units, NoticeKind::Assigned)]);
        let unhappy = Action::Rate { satisfaction: Satisfaction::Unsatisfied, comment: None };
        assert_eq!(for_step(&unhappy, &out(ProposalStatus::Rehandling)), vec![(Audience::Units, NoticeKind::Rehandle)]);
        // the second reply closes it whatever the rating: nobody is sent back to work
        assert!(for_step(&unhappy, &out(ProposalStatus::Closed)).is_empty());
        assert!(for_step(&Action::Rate { satisfaction: Satisfaction::Satisfied, comment: None }, &out(ProposalStatus::Closed)).is_empty());
    }

    #[test]
    fn proposers_hear_of_each_decision_and_reply() {
        for (a, k) in [
            (Action::Accept, NoticeKind::Accepted),
            (Action::Reject { reason: "x".into() }, NoticeKind::Rejected),
            (Action::Convert { to: ProposalKind::Suggestion }, NoticeKind::Converted),
            (Action::ReturnForCompletion { comment: "x".into() }, NoticeKind::Returned),
            (Action::Reply { result: ReplyResult::Solved, text: "x".into() }, NoticeKind::Replied),
        ] {
            assert_eq!(for_step(&a, &out(ProposalStatus::Accepted)), vec![(Audience::Signers, k)]);
        }
        assert!(for_step(&Action::Withdraw, &out(ProposalStatus::Withdrawn)).is_empty());
    }

    #[test]
    fn worded_in_the_readers_language() {
        assert_eq!(wording(NoticeKind::Accepted, "修缮水渠", Lang::Zh), "《修缮水渠》已立案");
        assert_eq!(wording(NoticeKind::Accepted, "Canal", Lang::En), "Accepted: “Canal”");
    }
}
