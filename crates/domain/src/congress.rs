//! Bodies (congresses and assemblies), their terms (届) and their delegates.
//!
//! Qualification rules follow `rules.md` §11 (R-J1 … R-J11); each rule's test names it.

use crate::error::{fmt_date, DomainError, Errors, FieldError};
use crate::lang::Coded;
use crate::{coded_enum, Id};
use time::Date;

coded_enum! {
    BodyKind {
        PartyCongress => "party_congress", "党代表大会", "Party congress";
        YouthCongress => "youth_congress", "团代表大会", "Youth-league congress";
        ResidentsAssembly => "residents_assembly", "居民代表会议", "Residents' assembly";
        VillagersAssembly => "villagers_assembly", "村民代表会议", "Villagers' assembly";
        WorkersCongress => "workers_congress", "职工代表大会", "Workers' congress";
    }
}

impl BodyKind {
    /// Default term length in years: five for congresses and village/residents'
    /// assemblies (R-J1, R-J10, R-J11). A body may set its own.
    pub fn default_term_years(self) -> i32 {
        5
    }
}

coded_enum! {
    /// The sector (界别) a delegate sits for; seed 001 reports the composition by these.
    DelegateCategory {
        LeadingCadre => "leading_cadre", "领导干部", "Leading cadre";
        Farmer => "farmer", "农民", "Farmer";
        Worker => "worker", "工人", "Worker";
        Professional => "professional", "专业技术人员", "Professional / technical";
        ModelWorker => "model_worker", "先进模范", "Model worker";
        Military => "military", "部队", "Military";
        Enterprise => "enterprise", "企业经营管理人员", "Enterprise manager";
        Community => "community", "社区工作者", "Community worker";
        Retired => "retired", "离退休人员", "Retired";
        Other => "other", "其他", "Other";
    }
}

coded_enum! {
    DelegateStatus {
        Active => "active", "在任", "Active";
        DutiesStopped => "duties_stopped", "停止执行职务", "Duties stopped";
        Terminated => "terminated", "资格终止", "Qualification terminated";
        Resigned => "resigned", "辞去代表职务", "Resigned";
    }
}

coded_enum! {
    /// How the delegate came to the seat.
    DelegateOrigin {
        Election => "election", "选举产生", "Regular election";
        ByElection => "by_election", "补选产生", "By-election";
    }
}

coded_enum! {
    CommitteePost {
        Secretary => "secretary", "书记", "Secretary";
        Deputy => "deputy", "副书记", "Deputy secretary";
        Member => "member", "委员", "Member";
    }
}

coded_enum! {
    /// Why a delegate's qualification changes. Each maps to a rule of `rules.md` §11.
    QualificationReason {
        SanctionProbation => "sanction_probation", "受到留党察看处分", "Sanctioned: probation within the party";
        SanctionExpulsion => "sanction_expulsion", "受到开除党籍处分", "Sanctioned: expelled from the party";
        MembershipSuspended => "membership_suspended", "被停止党籍", "Party membership suspended";
        NationalityLost => "nationality_lost", "丧失中华人民共和国国籍", "Lost PRC nationality";
        ResignationAccepted => "resignation_accepted", "辞职被接受", "Resignation accepted";
        Death => "death", "去世", "Died";
        Incapacity => "incapacity", "因病无法履行职务", "Unable to perform duties (illness)";
        TransferredOut => "transferred_out", "组织关系转出或调离本地区", "Transferred out of the area";
        SanctionWarning => "sanction_warning", "受到警告处分", "Sanctioned: warning";
        SanctionSeriousWarning => "sanction_serious_warning", "受到严重警告处分", "Sanctioned: serious warning";
        SanctionRemovedFromPost => "sanction_removed_from_post", "受到撤销党内职务处分", "Sanctioned: removed from party post";
        Other => "other", "其他情形", "Other case";
    }
}

impl QualificationReason {
    /// What the reason does to the delegate, and the rule that says so.
    /// `None` means the reason does not change the qualification at all.
    pub fn effect(self) -> Option<(DelegateStatus, &'static str)> {
        use DelegateStatus::*;
        use QualificationReason::*;
        match self {
            // R-J6.1: 留党察看 or heavier terminates.
            SanctionProbation | SanctionExpulsion => Some((Terminated, "R-J6")),
            // R-J6.2: membership suspended, or nationality lost.
            MembershipSuspended | NationalityLost => Some((Terminated, "R-J6")),
            // R-J6.3: resignation accepted.
            ResignationAccepted => Some((Resigned, "R-J6")),
            // R-J9: death and incapacity leave the seat vacant.
            Death | Incapacity => Some((Terminated, "R-J9")),
            // R-J7: moving out of the area stops duties; art 27: other cases alike.
            TransferredOut => Some((DutiesStopped, "R-J7")),
            Other => Some((DutiesStopped, "R-J7")),
            // R-J6 (by the sanction order): lighter sanctions do not terminate.
            SanctionWarning | SanctionSeriousWarning | SanctionRemovedFromPost => None,
        }
    }
}

impl DelegateStatus {
    /// A seat whose delegate is no longer active is vacant (R-J9) until a by-election fills it.
    pub fn leaves_seat_vacant(self) -> bool {
        !matches!(self, DelegateStatus::Active)
    }
}

/// A request to change a delegate's qualification (R-J8: proposed by the electoral unit or
/// the grassroots organisation, decided by the same-level committee, filed upward).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct QualificationChangeInput {
    pub reason: String,
    #[serde(default)]
    pub note: Option<String>,
    pub decided_on: String,
    #[serde(default)]
    pub proposed_by: Option<String>,
    #[serde(default)]
    pub decided_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualificationChange {
    pub new_status: DelegateStatus,
    pub reason: QualificationReason,
    pub rule: &'static str,
    pub note: Option<String>,
    pub decided_on: String,
    pub proposed_by: Option<String>,
    pub decided_by: Option<String>,
}

/// Decides a qualification change for a delegate in `current` status.
pub fn change_qualification(
    current: DelegateStatus,
    term_start: Date,
    input: &QualificationChangeInput,
    today: Date,
) -> Result<QualificationChange, DomainError> {
    let mut e = Errors::new();
    let reason = QualificationReason::from_code(input.reason.trim());
    if reason.is_none() {
        e.push(FieldError::new("reason", "bad_choice", "请选择资格变动原因", "choose the reason for the change"));
    }
    let note = e.opt_text("note", "说明", input.note.as_deref(), 500);
    let proposed_by = e.opt_text("proposed_by", "提出单位", input.proposed_by.as_deref(), 60);
    let decided_by = e.opt_text("decided_by", "决定机关", input.decided_by.as_deref(), 60);
    let decided = e.date("decided_on", "决定日期", &input.decided_on);
    if let Some(d) = decided {
        if d > today {
            e.push(FieldError::new("decided_on", "out_of_range", "决定日期不能晚于今天", "the decision date cannot be in the future"));
        }
        if d < term_start {
            e.push(FieldError::new("decided_on", "out_of_range", "决定日期不能早于本届开始", "the decision date cannot precede the term"));
        }
    }
    if reason == Some(QualificationReason::Other) && note.is_none() {
        e.push(FieldError::new("note", "required", "“其他情形”须写明具体原因", "an 'other case' needs a written reason"));
    }
    e.finish()?;
    let (reason, decided) = match (reason, decided) {
        (Some(r), Some(d)) => (r, d),
        _ => return Err(DomainError::NotFound),
    };
    let Some((new_status, rule)) = reason.effect() else {
        return Err(DomainError::conflict(
            format!("“{}”轻于留党察看,不终止代表资格(R-J6)", reason.label().zh),
            format!("'{}' is lighter than probation and does not end the qualification (R-J6)", reason.label().en),
        ));
    };
    match (current, new_status) {
        (DelegateStatus::Active, _) => {}
        // A delegate whose duties are stopped can still lose the qualification outright.
        (DelegateStatus::DutiesStopped, DelegateStatus::Terminated | DelegateStatus::Resigned) => {}
        (from, _) => {
            return Err(DomainError::conflict(
                format!("代表当前状态为“{}”,不能再作此变动", from.label().zh),
                format!("the delegate is '{}'; this change is not possible", from.label().en),
            ))
        }
    }
    Ok(QualificationChange { new_status, reason, rule, note, decided_on: fmt_date(decided), proposed_by, decided_by })
}

/// The fields of a term (届).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct TermInput {
    pub number: i64,
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: Option<String>,
    #[serde(default)]
    pub seats: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidTerm {
    pub number: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub seats: Option<i64>,
}

/// Adds whole years, keeping 29 February on 28 February in common years.
pub fn add_years(d: Date, years: i32) -> Date {
    let y = d.year() + years;
    Date::from_calendar_date(y, d.month(), d.day()).or_else(|_| Date::from_calendar_date(y, d.month(), d.day() - 1)).unwrap_or(d)
}

/// Checks a term: a positive number, an end after the start (default: `term_years` later),
/// and no overlap with the body's other terms (given as `(number, start, end)`).
pub fn validate_term(input: &TermInput, term_years: i32, others: &[(i64, Date, Date)]) -> Result<ValidTerm, DomainError> {
    let mut e = Errors::new();
    if input.number < 1 || input.number > 200 {
        e.push(FieldError::new("number", "out_of_range", "届次应为 1 到 200 的整数", "term number must be 1 to 200"));
    }
    let start = e.date("starts_on", "开始日期", &input.starts_on);
    let end = e.opt_date("ends_on", "结束日期", input.ends_on.as_deref());
    if let Some(s) = input.seats {
        if !(1..=5000).contains(&s) {
            e.push(FieldError::new("seats", "out_of_range", "代表名额应为 1 到 5000", "seats must be 1 to 5000"));
        }
    }
    e.finish()?;
    let start = start.ok_or(DomainError::NotFound)?;
    let end = end.unwrap_or_else(|| add_years(start, term_years));
    if end <= start {
        return Err(DomainError::invalid(FieldError::new("ends_on", "out_of_range", "结束日期应晚于开始日期", "the end must be after the start")));
    }
    for (n, s, en) in others {
        if *n == input.number {
            return Err(DomainError::invalid(FieldError::new("number", "duplicate", format!("第{n}届已经存在"), format!("term {n} already exists"))));
        }
        if start < *en && *s < end {
            return Err(DomainError::invalid(FieldError::new("starts_on", "overlap", format!("与第{n}届的任期重叠"), format!("overlaps term {n}"))));
        }
    }
    Ok(ValidTerm { number: input.number, starts_on: start, ends_on: end, seats: input.seats })
}

/// The fields that make a person a delegate of a term.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct DelegateInput {
    pub person_id: Id,
    pub category: String,
    #[serde(default)]
    pub constituency: Option<String>,
    #[serde(default)]
    pub group_id: Option<Id>,
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(default)]
    pub elected_on: Option<String>,
    /// For a by-election: the delegate whose vacant seat this one fills.
    #[serde(default)]
    pub replaces_id: Option<Id>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDelegate {
    pub person_id: Id,
    pub category: DelegateCategory,
    pub constituency: Option<String>,
    pub group_id: Option<Id>,
    pub origin: DelegateOrigin,
    pub elected_on: Option<String>,
    pub replaces_id: Option<Id>,
}

impl DelegateInput {
    /// `term` is (start, end); a by-elected delegate serves only to the end of the
    /// current term (R-J1, R-J11), so the election date must fall inside it.
    pub fn validate(&self, term: (Date, Date)) -> Result<ValidDelegate, DomainError> {
        let mut e = Errors::new();
        if self.person_id <= 0 {
            e.push(FieldError::required("person_id", "代表人员"));
        }
        let category = DelegateCategory::from_code(self.category.trim())
            .or_else(|| DelegateCategory::ALL.iter().copied().find(|c| c.label().zh == self.category.trim()));
        if category.is_none() {
            e.push(FieldError::new("category", "bad_choice", "请选择代表界别", "choose the delegate's category"));
        }
        let constituency = e.opt_text("constituency", "选举单位", self.constituency.as_deref(), 60);
        let origin = match self.origin.as_deref().map(str::trim) {
            None | Some("") => Some(DelegateOrigin::Election),
            Some(s) => DelegateOrigin::from_code(s),
        };
        if origin.is_none() {
            e.push(FieldError::new("origin", "bad_choice", "产生方式无效", "invalid origin"));
        }
        let elected = e.opt_date("elected_on", "当选日期", self.elected_on.as_deref());
        if let Some(d) = elected {
            if d < term.0 || d >= term.1 {
                e.push(FieldError::new("elected_on", "out_of_range", "当选日期应在本届任期之内", "the election date must fall inside the term"));
            }
        }
        if origin == Some(DelegateOrigin::ByElection) && self.replaces_id.is_none() {
            e.push(FieldError::new("replaces_id", "required", "补选代表须指明所补的缺额", "a by-elected delegate must name the vacant seat"));
        }
        if origin == Some(DelegateOrigin::Election) && self.replaces_id.is_some() {
            e.push(FieldError::new("replaces_id", "bad_choice", "只有补选代表才补缺额", "only a by-elected delegate fills a vacancy"));
        }
        e.finish()?;
        Ok(ValidDelegate {
            person_id: self.person_id,
            category: category.unwrap_or(DelegateCategory::Other),
            constituency,
            group_id: self.group_id,
            origin: origin.unwrap_or(DelegateOrigin::Election),
            elected_on: elected.map(fmt_date),
            replaces_id: self.replaces_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);
    const START: Date = date!(2024 - 01 - 10);

    fn change(reason: &str) -> QualificationChangeInput {
        QualificationChangeInput { reason: reason.into(), decided_on: "2026-05-01".into(), ..Default::default() }
    }

    #[test]
    fn r_j6_probation_or_heavier_terminates() {
        for r in ["sanction_probation", "sanction_expulsion", "membership_suspended", "nationality_lost"] {
            let c = change_qualification(DelegateStatus::Active, START, &change(r), TODAY).unwrap();
            assert_eq!(c.new_status, DelegateStatus::Terminated, "{r}");
            assert_eq!(c.rule, "R-J6");
            assert!(c.new_status.leaves_seat_vacant());
        }
    }

    #[test]
    fn r_j6_lighter_sanctions_do_not_terminate() {
        for r in ["sanction_warning", "sanction_serious_warning", "sanction_removed_from_post"] {
            let err = change_qualification(DelegateStatus::Active, START, &change(r), TODAY).unwrap_err();
            let DomainError::Conflict { zh, .. } = err else { panic!() };
            assert!(zh.contains("R-J6"), "{zh}");
        }
    }

    #[test]
    fn r_j6_accepted_resignation_resigns() {
        let c = change_qualification(DelegateStatus::Active, START, &change("resignation_accepted"), TODAY).unwrap();
        assert_eq!(c.new_status, DelegateStatus::Resigned);
    }

    #[test]
    fn r_j7_transfer_out_stops_duties_and_r_j9_leaves_the_seat_vacant() {
        let c = change_qualification(DelegateStatus::Active, START, &change("transferred_out"), TODAY).unwrap();
        assert_eq!(c.new_status, DelegateStatus::DutiesStopped);
        assert_eq!(c.rule, "R-J7");
        assert!(c.new_status.leaves_seat_vacant());
        // and may later be terminated outright
        let c2 = change_qualification(DelegateStatus::DutiesStopped, START, &change("sanction_expulsion"), TODAY).unwrap();
        assert_eq!(c2.new_status, DelegateStatus::Terminated);
    }

    #[test]
    fn r_j9_death_is_a_vacancy() {
        let c = change_qualification(DelegateStatus::Active, START, &change("death"), TODAY).unwrap();
        assert_eq!((c.new_status, c.rule), (DelegateStatus::Terminated, "R-J9"));
    }

    #[test]
    fn final_states_stay_final() {
        for s in [DelegateStatus::Terminated, DelegateStatus::Resigned] {
            assert!(change_qualification(s, START, &change("death"), TODAY).is_err());
        }
        assert!(change_qualification(DelegateStatus::DutiesStopped, START, &change("transferred_out"), TODAY).is_err());
    }

    #[test]
    fn r_j7_other_cases_need_a_written_reason_and_dates_are_bounded() {
        assert!(change_qualification(DelegateStatus::Active, START, &change("other"), TODAY).is_err());
        let mut c = change("death");
        c.decided_on = "2027-01-01".into();
        assert!(change_qualification(DelegateStatus::Active, START, &c, TODAY).is_err());
        c.decided_on = "2020-01-01".into();
        assert!(change_qualification(DelegateStatus::Active, START, &c, TODAY).is_err());
    }

    #[test]
    fn r_j1_terms_default_to_five_years_and_do_not_overlap() {
        let t = validate_term(&TermInput { number: 3, starts_on: "2021-06-01".into(), ..Default::default() }, 5, &[]).unwrap();
        assert_eq!(t.ends_on, date!(2026 - 06 - 01));
        assert_eq!(add_years(date!(2024 - 02 - 29), 5), date!(2029 - 02 - 28));
        let others = [(2, date!(2016 - 06 - 01), date!(2021 - 06 - 01))];
        assert!(validate_term(&TermInput { number: 3, starts_on: "2021-06-01".into(), ..Default::default() }, 5, &others).is_ok());
        assert!(validate_term(&TermInput { number: 3, starts_on: "2021-05-01".into(), ..Default::default() }, 5, &others).is_err());
        assert!(validate_term(&TermInput { number: 2, starts_on: "2030-05-01".into(), ..Default::default() }, 5, &others).is_err());
        assert!(validate_term(
            &TermInput { number: 4, starts_on: "2030-05-01".into(), ends_on: Some("2030-01-01".into()), ..Default::default() },
            5,
            &[]
        )
        .is_err());
    }

    #[test]
    fn r_j11_a_by_election_names_its_seat_and_falls_inside_the_term() {
        let term = (START, add_years(START, 5));
        let mut d = DelegateInput { person_id: 9, category: "农民".into(), origin: Some("by_election".into()), ..Default::default() };
        assert!(d.validate(term).is_err());
        d.replaces_id = Some(4);
        d.elected_on = Some("2030-01-01".into());
        assert!(d.validate(term).is_err());
        d.elected_on = Some("2026-01-01".into());
        let v = d.validate(term).unwrap();
        assert_eq!(v.category, DelegateCategory::Farmer);
        assert_eq!(v.origin, DelegateOrigin::ByElection);
    }
}
