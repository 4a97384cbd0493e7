//! Delegates at work between meetings: the activities they record, the duty rules a body
//! sets (seed 002: "每两个月参与不少于一次驻点联系活动;每半年至少召开一次党代表团(组)会议;
//! 每年……提交一份提议或提案"; seed 000's "五个一"), each delegate's or group's standing
//! against them, and the points of the duty file. Pure: the day is a parameter.

use crate::error::{Errors, FieldError};
use crate::lang::Coded;
use crate::{coded_enum, DomainError, Id};
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Date, Month};

coded_enum! {
    ActivityKind {
        Research => "research", "调研", "Research";
        Inspection => "inspection", "视察", "Inspection";
        Visit => "visit", "走访", "Visit";
        Reception => "reception", "接待群众", "Reception";
        Stationed => "stationed", "驻点联系", "Stationed liaison";
        Attendance => "attendance", "列席会议", "Non-voting attendance";
        GroupMeeting => "group_meeting", "代表小组活动", "Group meeting";
        Training => "training", "学习培训", "Training";
        Promotion => "promotion", "政策宣讲", "Policy promotion";
        HelpHousehold => "help_household", "结对帮扶", "Helping a household";
        Mediation => "mediation", "调解纠纷", "Mediating a dispute";
        Activist => "activist", "培养入党积极分子", "Cultivating an activist";
        ReserveCadre => "reserve_cadre", "推荐后备干部", "Recommending a reserve cadre";
        Other => "other", "其他", "Other";
    }
}

coded_enum! {
    MediationOutcome {
        Resolved => "resolved", "调解成功", "Resolved";
        Partly => "partly", "部分解决", "Partly resolved";
        Referred => "referred", "移交处理", "Referred";
        Unresolved => "unresolved", "未能解决", "Not resolved";
    }
}

/// An activity as a form or the API gives it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ActivityInput {
    pub kind: String,
    pub on: String,
    pub place: String,
    pub summary: String,
    #[serde(default)]
    pub notes: String,
    /// For a mediation: how it ended.
    #[serde(default)]
    pub outcome: Option<String>,
    /// People served or households helped (for the totals of seed 000: "帮扶困难户329户").
    #[serde(default)]
    pub served: Option<i64>,
    #[serde(default)]
    pub delegates: Vec<Id>,
    #[serde(default)]
    pub group: Option<Id>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidActivity {
    pub kind: ActivityKind,
    pub on: Date,
    pub place: String,
    pub summary: String,
    pub notes: String,
    pub outcome: Option<MediationOutcome>,
    pub served: i64,
    pub delegates: Vec<Id>,
    pub group: Option<Id>,
}

impl ActivityInput {
    /// Checks the form: known kind, a real date not after `today`, a summary, an outcome for
    /// a mediation, someone who took part.
    pub fn validate(&self, today: Date) -> Result<ValidActivity, DomainError> {
        let mut e = Errors::new();
        let kind = ActivityKind::from_code(self.kind.trim());
        if kind.is_none() {
            e.push(FieldError::new("kind", "unknown", "请选择活动类型", "choose the kind of activity"));
        }
        let on = e.date("on", "活动日期", &self.on);
        if let Some(d) = on {
            if d > today {
                e.push(FieldError::new("on", "future", "活动日期不能晚于今天", "the date cannot be in the future"));
            }
        }
        let place = e.opt_text("place", "地点", Some(&self.place), 100).unwrap_or_default();
        let summary = e.text("summary", "活动内容", &self.summary, 200);
        let notes = e.opt_text("notes", "情况记录", Some(&self.notes), 5000).unwrap_or_default();
        let outcome = match self.outcome.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(c) => match MediationOutcome::from_code(c) {
                Some(o) => Some(o),
                None => {
                    e.push(FieldError::new("outcome", "unknown", "调解结果无效", "unknown outcome"));
                    None
                }
            },
            None => None,
        };
        if kind == Some(ActivityKind::Mediation) && outcome.is_none() {
            e.push(FieldError::new("outcome", "required", "调解纠纷须填写调解结果", "a mediation needs its outcome"));
        }
        let served = self.served.unwrap_or(0);
        if !(0..=100_000).contains(&served) {
            e.push(FieldError::new("served", "range", "服务人数(户数)应在0到100000之间", "people served must be 0 to 100000"));
        }
        let mut delegates = self.delegates.clone();
        delegates.sort_unstable();
        delegates.dedup();
        if delegates.is_empty() && self.group.is_none() {
            e.push(FieldError::new("delegates", "required", "请选择参加的代表或代表小组", "choose the delegates or the group who took part"));
        }
        if delegates.len() > 500 {
            e.push(FieldError::new("delegates", "too_many", "一次最多记录500名代表", "at most 500 delegates per record"));
        }
        e.finish()?;
        let (Some(kind), Some(on)) = (kind, on) else { unreachable!("checked above") };
        Ok(ValidActivity { kind, on, place, summary, notes, outcome, served, delegates, group: self.group })
    }
}

/// What a duty rule counts: activities of one kind, or proposals and suggestions the
/// delegate (co-)signed and submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Subject {
    Activity(ActivityKind),
    Proposal,
}

impl Subject {
    pub fn code(self) -> &'static str {
        match self {
            Subject::Activity(k) => k.code(),
            Subject::Proposal => "proposal",
        }
    }
    pub fn parse(code: &str) -> Option<Subject> {
        match code {
            "proposal" => Some(Subject::Proposal),
            c => ActivityKind::from_code(c).map(Subject::Activity),
        }
    }
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            Subject::Activity(k) => k.label().get(lang),
            Subject::Proposal => lang.pick("提交提案建议", "Proposals submitted"),
        }
    }
    /// Every subject, for a select.
    pub fn all() -> Vec<Subject> {
        std::iter::once(Subject::Proposal).chain(ActivityKind::ALL.iter().map(|k| Subject::Activity(*k))).collect()
    }
}

coded_enum! {
    AppliesTo {
        Delegate => "delegate", "每名代表", "Each delegate";
        Group => "group", "每个代表小组", "Each group";
    }
}

/// A rule: at least `min` of `subject` in every period of `months` months (calendar
/// periods: every two months is Jan–Feb, Mar–Apr, …; half a year is Jan–Jun, Jul–Dec).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyRule {
    pub subject: Subject,
    pub applies_to: AppliesTo,
    pub min: i64,
    pub months: u8,
    /// How many days before a period ends an unmet rule is "due soon".
    pub warn_days: i64,
}

/// The periods a rule may use.
pub const PERIOD_MONTHS: [u8; 5] = [1, 2, 3, 6, 12];

impl DutyRule {
    pub fn new(subject: &str, applies_to: &str, min: i64, months: i64, warn_days: i64) -> Result<DutyRule, DomainError> {
        let mut e = Errors::new();
        let s = Subject::parse(subject.trim());
        if s.is_none() {
            e.push(FieldError::new("subject", "unknown", "请选择履职事项", "choose what the rule counts"));
        }
        let a = AppliesTo::from_code(applies_to.trim());
        if a.is_none() {
            e.push(FieldError::new("applies_to", "unknown", "请选择适用对象", "choose whom the rule applies to"));
        }
        if !(1..=100).contains(&min) {
            e.push(FieldError::new("min", "range", "次数应在1到100之间", "the count must be 1 to 100"));
        }
        let months_ok = u8::try_from(months).ok().filter(|m| PERIOD_MONTHS.contains(m));
        if months_ok.is_none() {
            e.push(FieldError::new("months", "unknown", "周期只能是1、2、3、6或12个月", "the period must be 1, 2, 3, 6 or 12 months"));
        }
        if !(0..=90).contains(&warn_days) {
            e.push(FieldError::new("warn_days", "range", "提前提醒天数应在0到90之间", "reminder days must be 0 to 90"));
        }
        e.finish()?;
        match (s, a, months_ok) {
            (Some(subject), Some(applies_to), Some(months)) => Ok(DutyRule { subject, applies_to, min, months, warn_days }),
            _ => unreachable!("checked above"),
        }
    }

    /// "每2个月不少于1次驻点联系".
    pub fn describe(&self, lang: crate::Lang) -> String {
        let every = match (self.months, lang) {
            (12, crate::Lang::Zh) => "每年".to_string(),
            (6, crate::Lang::Zh) => "每半年".to_string(),
            (1, crate::Lang::Zh) => "每月".to_string(),
            (m, crate::Lang::Zh) => format!("每{m}个月"),
            (12, crate::Lang::En) => "every year".to_string(),
            (1, crate::Lang::En) => "every month".to_string(),
            (m, crate::Lang::En) => format!("every {m} months"),
        };
        match lang {
            crate::Lang::Zh => format!("{}{every}不少于{}次{}", self.applies_to.label().zh, self.min, self.subject.label(lang)),
            crate::Lang::En => format!("{}: at least {} × {} {every}", self.applies_to.label().en, self.min, self.subject.label(lang)),
        }
    }
}

/// The calendar period of `months` months that holds `day`: [start, end).
pub fn period_of(day: Date, months: u8) -> (Date, Date) {
    let m = months.clamp(1, 12) as i32;
    let index = (day.month() as i32 - 1) / m;
    let start_month = index * m + 1;
    let start = first_of(day.year(), start_month);
    let end = if start_month + m > 12 { first_of(day.year() + 1, start_month + m - 12) } else { first_of(day.year(), start_month + m) };
    (start, end)
}

fn first_of(year: i32, month: i32) -> Date {
    let m = Month::try_from(month as u8).unwrap_or(Month::January);
    Date::from_calendar_date(year, m, 1).unwrap_or(Date::MIN)
}

/// The period before the one that holds `day`.
pub fn previous_period(day: Date, months: u8) -> (Date, Date) {
    let (start, _) = period_of(day, months);
    period_of(start.previous_day().unwrap_or(start), months)
}

coded_enum! {
    DutyStatus {
        Met => "met", "已完成", "Met";
        Open => "open", "进行中", "Open";
        DueSoon => "due_soon", "即将到期", "Due soon";
        Overdue => "overdue", "已逾期", "Overdue";
    }
}

/// Where one delegate or group stands against one rule on `today`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub status: DutyStatus,
    /// Done in the current period, and needed.
    pub done: i64,
    pub needed: i64,
    pub period_start: Date,
    pub period_end: Date,
    /// Days left in the current period (today included).
    pub days_left: i64,
}

/// The standing against a rule. `current` and `previous` count what was done in the current
/// and the previous period; `previous` is `None` when that period was not (wholly) in the
/// delegate's term, so nothing could have been missed then.
///
/// Met: the current period has enough. Overdue: it has not, and the previous period was
/// missed too (the delegate is behind). Due soon: not yet, and `warn_days` or fewer remain.
/// Open: not yet, with time left.
pub fn standing(rule: &DutyRule, today: Date, current: i64, previous: Option<i64>) -> Standing {
    let (start, end) = period_of(today, rule.months);
    let days_left = (end - today).whole_days();
    let status = if current >= rule.min {
        DutyStatus::Met
    } else if previous.map(|p| p < rule.min).unwrap_or(false) {
        DutyStatus::Overdue
    } else if days_left <= rule.warn_days {
        DutyStatus::DueSoon
    } else {
        DutyStatus::Open
    };
    Standing { status, done: current, needed: rule.min, period_start: start, period_end: end, days_left }
}

/// Points per subject for the duty file's score. The defaults weigh work that takes days
/// (research, inspection, a proposal) above an hour's (a visit, a meeting); a body may set
/// its own.
pub fn default_points() -> BTreeMap<Subject, i64> {
    use ActivityKind::*;
    let mut m: BTreeMap<Subject, i64> = ActivityKind::ALL.iter().map(|k| (Subject::Activity(*k), 1)).collect();
    for (k, p) in
        [(Research, 3), (Inspection, 3), (Stationed, 2), (Reception, 2), (HelpHousehold, 2), (Mediation, 2), (Activist, 2), (ReserveCadre, 2)]
    {
        m.insert(Subject::Activity(k), p);
    }
    m.insert(Subject::Proposal, 3);
    m
}

/// The score of a duty file: each count times its points (subjects without points count 0).
pub fn score(counts: &BTreeMap<Subject, i64>, points: &BTreeMap<Subject, i64>) -> i64 {
    counts.iter().map(|(s, n)| n * points.get(s).copied().unwrap_or(0)).sum()
}

/// Rule sets from the seeds, to start a body's settings from.
pub fn presets() -> Vec<(&'static str, &'static str, Vec<DutyRule>)> {
    use ActivityKind::*;
    let r = |subject: Subject, applies_to: AppliesTo, min: i64, months: u8| DutyRule { subject, applies_to, min, months, warn_days: 14 };
    vec![
        (
            "nanhai",
            "南海驻点联系(seed 002) / Nanhai stationed liaison",
            vec![
                r(Subject::Activity(Stationed), AppliesTo::Delegate, 1, 2),
                r(Subject::Activity(GroupMeeting), AppliesTo::Group, 1, 6),
                r(Subject::Proposal, AppliesTo::Delegate, 1, 12),
            ],
        ),
        (
            "five_ones",
            "“五个一”(seed 000) / the \"five ones\"",
            vec![
                r(Subject::Activity(Promotion), AppliesTo::Delegate, 1, 12),
                r(Subject::Proposal, AppliesTo::Delegate, 1, 12),
                r(Subject::Activity(Activist), AppliesTo::Delegate, 1, 12),
                r(Subject::Activity(HelpHousehold), AppliesTo::Delegate, 1, 12),
                r(Subject::Activity(ReserveCadre), AppliesTo::Delegate, 1, 12),
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn rule(months: u8, min: i64) -> DutyRule {
        DutyRule { subject: Subject::Activity(ActivityKind::Stationed), applies_to: AppliesTo::Delegate, min, months, warn_days: 14 }
    }

    #[test]
    fn periods_are_calendar_aligned() {
        assert_eq!(period_of(date!(2026 - 03 - 15), 2), (date!(2026 - 03 - 01), date!(2026 - 05 - 01)));
        assert_eq!(period_of(date!(2026 - 02 - 28), 2), (date!(2026 - 01 - 01), date!(2026 - 03 - 01)));
        assert_eq!(period_of(date!(2026 - 12 - 31), 2), (date!(2026 - 11 - 01), date!(2027 - 01 - 01)));
        assert_eq!(period_of(date!(2026 - 07 - 01), 6), (date!(2026 - 07 - 01), date!(2027 - 01 - 01)));
        assert_eq!(period_of(date!(2026 - 06 - 30), 6), (date!(2026 - 01 - 01), date!(2026 - 07 - 01)));
        assert_eq!(period_of(date!(2026 - 05 - 09), 12), (date!(2026 - 01 - 01), date!(2027 - 01 - 01)));
        assert_eq!(period_of(date!(2026 - 05 - 09), 3), (date!(2026 - 04 - 01), date!(2026 - 07 - 01)));
        assert_eq!(previous_period(date!(2026 - 01 - 10), 2), (date!(2025 - 11 - 01), date!(2026 - 01 - 01)));
        assert_eq!(previous_period(date!(2026 - 08 - 10), 6), (date!(2026 - 01 - 01), date!(2026 - 07 - 01)));
    }

    #[test]
    fn seed_002_every_two_months_at_least_once() {
        let r = rule(2, 1);
        // done this period
        assert_eq!(standing(&r, date!(2026 - 03 - 10), 1, Some(0)).status, DutyStatus::Met);
        // not yet, previous period done, plenty of time
        let s = standing(&r, date!(2026 - 03 - 10), 0, Some(1));
        assert_eq!((s.status, s.days_left), (DutyStatus::Open, 52));
        // not yet, 14 days or fewer left
        assert_eq!(standing(&r, date!(2026 - 04 - 17), 0, Some(1)).status, DutyStatus::DueSoon);
        assert_eq!(standing(&r, date!(2026 - 04 - 16), 0, Some(1)).status, DutyStatus::Open);
        // previous period missed and nothing yet: behind
        assert_eq!(standing(&r, date!(2026 - 03 - 10), 0, Some(0)).status, DutyStatus::Overdue);
        // a period before the term cannot have been missed
        assert_eq!(standing(&r, date!(2026 - 03 - 10), 0, None).status, DutyStatus::Open);
    }

    #[test]
    fn a_rule_is_checked_before_it_is_kept() {
        assert!(DutyRule::new("stationed", "delegate", 1, 2, 14).is_ok());
        assert!(DutyRule::new("proposal", "group", 1, 12, 0).is_ok());
        let e = DutyRule::new("nap", "everyone", 0, 5, 91).unwrap_err();
        let DomainError::Invalid(fields) = e else { panic!() };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["subject", "applies_to", "min", "months", "warn_days"]);
        assert_eq!(DutyRule::new("stationed", "delegate", 1, 2, 14).unwrap().describe(crate::Lang::Zh), "每名代表每2个月不少于1次驻点联系");
        assert_eq!(DutyRule::new("group_meeting", "group", 1, 6, 14).unwrap().describe(crate::Lang::Zh), "每个代表小组每半年不少于1次代表小组活动");
    }

    #[test]
    fn activities_are_checked() {
        let today = date!(2026 - 11 - 22);
        let ok = ActivityInput {
            kind: "mediation".into(),
            on: "2026-11-20".into(),
            place: "李家组".into(),
            summary: "调解宅基地纠纷".into(),
            outcome: Some("resolved".into()),
            delegates: vec![3, 3, 2],
            ..Default::default()
        };
        let v = ok.validate(today).unwrap();
        assert_eq!((v.kind, v.outcome, v.delegates.clone()), (ActivityKind::Mediation, Some(MediationOutcome::Resolved), vec![2, 3]));
        let bad = ActivityInput { kind: "mediation".into(), on: "2026-11-23".into(), outcome: None, delegates: vec![], ..ok.clone() };
        let DomainError::Invalid(f) = bad.validate(today).unwrap_err() else { panic!() };
        assert_eq!(f.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["on", "outcome", "delegates"]);
        let group_only = ActivityInput { kind: "group_meeting".into(), outcome: None, delegates: vec![], group: Some(9), ..ok };
        assert!(group_only.validate(today).is_ok());
    }

    #[test]
    fn the_score_weighs_each_count() {
        let points = default_points();
        let counts =
            BTreeMap::from([(Subject::Activity(ActivityKind::Research), 2), (Subject::Activity(ActivityKind::Visit), 5), (Subject::Proposal, 1)]);
        assert_eq!(score(&counts, &points), 2 * 3 + 5 + 3);
        assert_eq!(score(&counts, &BTreeMap::new()), 0);
    }

    #[test]
    fn the_presets_are_the_seeds_rules() {
        let p = presets();
        let nanhai = &p[0].2;
        assert_eq!(nanhai[0].describe(crate::Lang::Zh), "每名代表每2个月不少于1次驻点联系");
        assert_eq!(nanhai[2].describe(crate::Lang::Zh), "每名代表每年不少于1次提交提案建议");
        assert_eq!(p[1].2.len(), 5, "五个一");
    }

    proptest::proptest! {
        /// Every day lies in exactly one period, and periods tile the year.
        #[test]
        fn periods_tile_the_calendar(ordinal in 1u16..=365, year in 2000i32..2100, months in proptest::sample::select(PERIOD_MONTHS.to_vec())) {
            let day = Date::from_ordinal_date(year, ordinal).unwrap();
            let (start, end) = period_of(day, months);
            proptest::prop_assert!(start <= day && day < end);
            proptest::prop_assert_eq!(period_of(end, months).0, end);
            proptest::prop_assert_eq!(previous_period(day, months).1, start);
            proptest::prop_assert_eq!(start.day(), 1);
        }
    }
}
