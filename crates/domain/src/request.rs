//! Citizen requests (诉求): what a resident asks of a delegate (on the delegate's public page,
//! at a reception, by phone to the office), carried to whoever can solve it. The flow
//! (流转): the office triages and assigns with a deadline; the handler reports progress and
//! replies; the requester (by tracking code) rates; unsatisfied reopens it, once more at
//! most; the office may merge duplicates, decline what is not a request, or close a reply
//! nobody rated. Pure: the day is a parameter (days since the epoch, as for proposals).

use crate::error::{Errors, FieldError};
use crate::lang::Coded;
use crate::{coded_enum, DomainError, Id};
use serde::Serialize;

coded_enum! {
    RequestCategory {
        Infrastructure => "infrastructure", "道路水利设施", "Roads, water and facilities";
        Livelihood => "livelihood", "民生保障", "Livelihood and welfare";
        Land => "land", "土地山林", "Land and forest";
        Dispute => "dispute", "矛盾纠纷", "Disputes";
        Environment => "environment", "环境卫生", "Environment and sanitation";
        Education => "education", "教育医疗", "Schools and health";
        Safety => "safety", "治安安全", "Public safety";
        Other => "other", "其他", "Other";
    }
}

coded_enum! {
    RequestChannel {
        PublicPage => "public_page", "代表主页(扫码)", "Delegate's public page (QR)";
        Delegate => "delegate", "代表走访接待", "A delegate's visit or reception";
        Phone => "phone", "电话来访", "Phone call to the office";
    }
}

coded_enum! {
    RequestStatus {
        Received => "received", "已受理", "Received";
        Assigned => "assigned", "办理中", "Being handled";
        Replied => "replied", "已答复", "Replied";
        Closed => "closed", "已办结", "Closed";
        Merged => "merged", "已合并", "Merged";
        Declined => "declined", "不予受理", "Declined";
    }
}

impl RequestStatus {
    pub fn is_final(self) -> bool {
        matches!(self, RequestStatus::Closed | RequestStatus::Merged | RequestStatus::Declined)
    }
}

coded_enum! {
    Feedback {
        Satisfied => "satisfied", "满意", "Satisfied";
        Basic => "basic", "基本满意", "Fairly satisfied";
        Unsatisfied => "unsatisfied", "不满意", "Unsatisfied";
    }
}

/// A request as the public form, a delegate or the office gives it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RequestInput {
    pub category: String,
    pub place: String,
    pub text: String,
    /// The requester may stay anonymous.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidRequest {
    pub category: RequestCategory,
    pub place: String,
    pub text: String,
    pub name: Option<String>,
    pub phone: Option<String>,
}

/// The longest description kept: a page of text, not a file.
pub const MAX_TEXT: usize = 2000;

impl RequestInput {
    pub fn validate(&self) -> Result<ValidRequest, DomainError> {
        let mut e = Errors::new();
        let category = RequestCategory::from_code(self.category.trim());
        if category.is_none() {
            e.push(FieldError::new("category", "unknown", "请选择诉求类别", "choose a category"));
        }
        let place = e.opt_text("place", "地点", Some(&self.place), 100).unwrap_or_default();
        let text = e.text("text", "诉求内容", &self.text, MAX_TEXT);
        if !text.is_empty() && text.chars().count() < 5 {
            e.push(FieldError::new("text", "too_short", "请把诉求说清楚(至少5个字)", "say what the request is (5 characters at least)"));
        }
        let name = e.opt_text("name", "姓名", Some(&self.name), 30);
        let phone = self.phone.trim();
        let phone = if phone.is_empty() {
            None
        } else if crate::person::phone_is_valid(phone) {
            Some(phone.to_string())
        } else {
            e.push(FieldError::new("phone", "bad_format", "电话号码格式不正确", "the phone number is not valid"));
            None
        };
        e.finish()?;
        let Some(category) = category else { unreachable!("checked above") };
        Ok(ValidRequest { category, place, text, name, phone })
    }
}

/// Who takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Role {
    /// The liaison office (triage, assignment, merge, decline, close).
    Office,
    /// The unit, branch or delegate the request is assigned to.
    Handler,
    /// Whoever holds the tracking code.
    Requester,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Step {
    Assign {
        to: Id,
        deadline_days: Option<i64>,
    },
    Progress {
        note: String,
    },
    Reply {
        text: String,
        solved: bool,
    },
    Rate {
        feedback: Feedback,
        comment: Option<String>,
    },
    Merge {
        into: Id,
    },
    Decline {
        reason: String,
    },
    /// The office closes a reply the requester did not rate.
    Close,
}

impl Step {
    pub fn code(&self) -> &'static str {
        match self {
            Step::Assign { .. } => "assign",
            Step::Progress { .. } => "progress",
            Step::Reply { .. } => "reply",
            Step::Rate { .. } => "rate",
            Step::Merge { .. } => "merge",
            Step::Decline { .. } => "decline",
            Step::Close => "close",
        }
    }
}

/// What the store knows of a request when a step is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub status: RequestStatus,
    /// How many times it was reopened after an unsatisfied rating.
    pub reopened: i64,
}

/// The settings of the flow: days to reply, days to reply again after reopening, and how
/// many reopenings a requester may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub deadline_days: i64,
    pub reopen_days: i64,
    pub max_reopen: i64,
}

impl Default for Settings {
    fn default() -> Self {
        // the proposal rules' times (R-M4 three months is too long for a leaking roof):
        // 15 working days is common practice for 12345-style hotlines; a setting
        Settings { deadline_days: 15, reopen_days: 10, max_reopen: 1 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub status: RequestStatus,
    pub deadline_day: Option<i64>,
    pub reopened: i64,
}

fn refuse(zh: impl Into<String>, en: impl Into<String>) -> DomainError {
    DomainError::conflict(zh, en)
}

/// Decides a step on a request in state `s` on day `today`.
pub fn decide(s: &State, role: Role, step: &Step, today: i64, settings: &Settings) -> Result<Outcome, DomainError> {
    use RequestStatus as S;
    let wrong = || {
        refuse(
            format!("诉求当前“{}”,不能执行此操作", s.status.label().zh),
            format!("this cannot be done while the request is '{}'", s.status.label().en),
        )
    };
    let not_yours = || refuse("这一步不由您办理", "this step is not yours to take");
    let stay = |status| Outcome { status, deadline_day: None, reopened: s.reopened };
    let text_needed = |field: &str, zh: &str, t: &str| -> Result<(), DomainError> {
        let mut e = Errors::new();
        e.text(field, zh, t, MAX_TEXT);
        e.finish()
    };
    match step {
        Step::Assign { deadline_days, .. } => {
            if role != Role::Office {
                return Err(not_yours());
            }
            // a first assignment, or moving it to another handler while it is handled
            if !matches!(s.status, S::Received | S::Assigned) {
                return Err(wrong());
            }
            let days = deadline_days.unwrap_or(settings.deadline_days);
            if !(1..=365).contains(&days) {
                return Err(DomainError::invalid(FieldError::new(
                    "deadline_days",
                    "range",
                    "办理期限应在1到365天之间",
                    "the time limit must be 1 to 365 days",
                )));
            }
            Ok(Outcome { status: S::Assigned, deadline_day: Some(today + days), reopened: s.reopened })
        }
        Step::Progress { note } => {
            if role != Role::Handler && role != Role::Office {
                return Err(not_yours());
            }
            if s.status != S::Assigned {
                return Err(wrong());
            }
            text_needed("note", "办理进展", note)?;
            Ok(stay(S::Assigned))
        }
        Step::Reply { text, .. } => {
            if role != Role::Handler {
                return Err(not_yours());
            }
            if s.status != S::Assigned {
                return Err(wrong());
            }
            text_needed("text", "答复内容", text)?;
            Ok(stay(S::Replied))
        }
        Step::Rate { feedback, .. } => {
            if role != Role::Requester {
                return Err(not_yours());
            }
            if s.status != S::Replied {
                return Err(wrong());
            }
            if *feedback == Feedback::Unsatisfied && s.reopened < settings.max_reopen {
                return Ok(Outcome { status: S::Assigned, deadline_day: Some(today + settings.reopen_days), reopened: s.reopened + 1 });
            }
            // satisfied, or unsatisfied after the last reopening: closed with the rating kept
            Ok(stay(S::Closed))
        }
        Step::Merge { .. } => {
            if role != Role::Office {
                return Err(not_yours());
            }
            if s.status.is_final() || s.status == S::Replied {
                return Err(wrong());
            }
            Ok(stay(S::Merged))
        }
        Step::Decline { reason } => {
            if role != Role::Office {
                return Err(not_yours());
            }
            if s.status != S::Received {
                return Err(wrong());
            }
            text_needed("reason", "不予受理的理由", reason)?;
            Ok(stay(S::Declined))
        }
        Step::Close => {
            if role != Role::Office {
                return Err(not_yours());
            }
            if s.status != S::Replied {
                return Err(wrong());
            }
            Ok(stay(S::Closed))
        }
    }
}

/// Tracking codes: 12 characters of an alphabet without look-alikes (no 0/O, 1/I/L), from
/// 60 random bits, so they cannot be guessed; shown in groups of four: "K7QH-3WZP-9MDX".
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A code from random bytes (the store supplies them).
pub fn tracking_code(random: [u8; 8]) -> String {
    let mut n = u64::from_le_bytes(random);
    let mut s = String::with_capacity(14);
    for i in 0..12 {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        s.push(CODE_ALPHABET[(n % CODE_ALPHABET.len() as u64) as usize] as char);
        n /= CODE_ALPHABET.len() as u64;
    }
    s
}

/// Reads a code as a person types it (any case, with or without dashes or spaces); `None`
/// if it cannot be one.
pub fn normalise_code(typed: &str) -> Option<String> {
    grouped(typed, 12)
}

/// A code of `len` characters of the alphabet, as typed, written back in groups of four.
pub(crate) fn grouped(typed: &str, len: usize) -> Option<String> {
    let chars: Vec<char> = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    if chars.len() != len || !chars.iter().all(|c| c.is_ascii() && CODE_ALPHABET.contains(&(*c as u8))) {
        return None;
    }
    let mut s = String::with_capacity(len + len / 4);
    for (i, c) in chars.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        s.push(*c);
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(status: RequestStatus, reopened: i64) -> State {
        State { status, reopened }
    }

    #[test]
    fn the_whole_flow_with_one_reopening() {
        let set = Settings::default();
        let s = st(RequestStatus::Received, 0);
        let a = decide(&s, Role::Office, &Step::Assign { to: 7, deadline_days: None }, 100, &set).unwrap();
        assert_eq!((a.status, a.deadline_day), (RequestStatus::Assigned, Some(115)));
        let s = st(a.status, a.reopened);
        assert_eq!(decide(&s, Role::Handler, &Step::Progress { note: "已派人查看".into() }, 101, &set).unwrap().status, RequestStatus::Assigned);
        let r = decide(&s, Role::Handler, &Step::Reply { text: "已修复".into(), solved: true }, 105, &set).unwrap();
        let s = st(r.status, r.reopened);
        // unsatisfied: back to the handler with a new deadline
        let u = decide(&s, Role::Requester, &Step::Rate { feedback: Feedback::Unsatisfied, comment: None }, 110, &set).unwrap();
        assert_eq!((u.status, u.deadline_day, u.reopened), (RequestStatus::Assigned, Some(120), 1));
        let s = st(RequestStatus::Replied, 1);
        // unsatisfied again, after the last reopening: closed, rating kept by the store
        let c = decide(&s, Role::Requester, &Step::Rate { feedback: Feedback::Unsatisfied, comment: None }, 125, &set).unwrap();
        assert_eq!(c.status, RequestStatus::Closed);
    }

    #[test]
    fn steps_belong_to_their_roles_and_states() {
        let set = Settings::default();
        let received = st(RequestStatus::Received, 0);
        assert!(decide(&received, Role::Handler, &Step::Assign { to: 1, deadline_days: None }, 0, &set).is_err());
        assert!(decide(&received, Role::Handler, &Step::Reply { text: "x".into(), solved: true }, 0, &set).is_err(), "not assigned yet");
        assert!(decide(&received, Role::Requester, &Step::Rate { feedback: Feedback::Satisfied, comment: None }, 0, &set).is_err());
        assert!(decide(&received, Role::Office, &Step::Decline { reason: "".into() }, 0, &set).is_err(), "a reason is needed");
        assert_eq!(decide(&received, Role::Office, &Step::Decline { reason: "不属于诉求".into() }, 0, &set).unwrap().status, RequestStatus::Declined);
        let replied = st(RequestStatus::Replied, 0);
        assert!(decide(&replied, Role::Office, &Step::Merge { into: 1 }, 0, &set).is_err());
        assert_eq!(decide(&replied, Role::Office, &Step::Close, 0, &set).unwrap().status, RequestStatus::Closed);
        assert!(decide(&st(RequestStatus::Assigned, 0), Role::Office, &Step::Assign { to: 1, deadline_days: Some(0) }, 0, &set).is_err());
        for f in [RequestStatus::Closed, RequestStatus::Merged, RequestStatus::Declined] {
            for step in [Step::Assign { to: 1, deadline_days: None }, Step::Merge { into: 1 }, Step::Close, Step::Progress { note: "x".into() }] {
                assert!(decide(&st(f, 0), Role::Office, &step, 0, &set).is_err(), "{f:?} is final");
            }
        }
    }

    #[test]
    fn requests_are_checked() {
        let ok = RequestInput {
            category: "infrastructure".into(),
            place: "李家组".into(),
            text: "李家组水渠堵塞,农田无法灌溉".into(),
            ..Default::default()
        };
        let v = ok.validate().unwrap();
        assert_eq!((v.name, v.phone), (None, None), "anonymous is allowed");
        let bad = RequestInput { category: "x".into(), text: "短".into(), phone: "123".into(), ..ok.clone() };
        let DomainError::Invalid(f) = bad.validate().unwrap_err() else { panic!() };
        assert_eq!(f.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["category", "text", "phone"]);
        let huge = RequestInput { text: "水".repeat(MAX_TEXT + 1), ..ok };
        assert!(huge.validate().is_err());
    }

    #[test]
    fn codes_are_unambiguous_and_read_back_as_typed() {
        let c = tracking_code([1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(c.len(), 14);
        assert!(!c.contains('0') && !c.contains('O') && !c.contains('1') && !c.contains('I'));
        assert_eq!(normalise_code(&c.to_lowercase().replace('-', " ")), Some(c.clone()));
        assert_eq!(normalise_code("K7QH-3WZP-9MD"), None);
        assert_eq!(normalise_code("K7QH-3WZP-9MD0"), None, "0 is not in the alphabet");
        assert_ne!(tracking_code([1, 2, 3, 4, 5, 6, 7, 8]), tracking_code([1, 2, 3, 4, 5, 6, 7, 9]));
    }

    proptest::proptest! {
        /// No sequence of steps leaves a final state, reopens more than allowed, or moves a
        /// deadline earlier than the day it was set.
        #[test]
        fn no_step_sequence_breaks_the_flow(steps in proptest::collection::vec((0u8..7, 0u8..3, 0u8..3), 0..40)) {
            let set = Settings::default();
            let mut s = st(RequestStatus::Received, 0);
            let mut day = 0i64;
            for (k, r, f) in steps {
                day += 1;
                let role = [Role::Office, Role::Handler, Role::Requester][r as usize];
                let feedback = [Feedback::Satisfied, Feedback::Basic, Feedback::Unsatisfied][f as usize];
                let step = match k {
                    0 => Step::Assign { to: 1, deadline_days: None },
                    1 => Step::Progress { note: "进展".into() },
                    2 => Step::Reply { text: "答复".into(), solved: true },
                    3 => Step::Rate { feedback, comment: None },
                    4 => Step::Merge { into: 2 },
                    5 => Step::Decline { reason: "理由".into() },
                    _ => Step::Close,
                };
                let was_final = s.status.is_final();
                if let Ok(o) = decide(&s, role, &step, day, &set) {
                    proptest::prop_assert!(!was_final, "left a final state");
                    proptest::prop_assert!(o.reopened <= set.max_reopen);
                    if let Some(d) = o.deadline_day {
                        proptest::prop_assert!(d > day);
                    }
                    s = st(o.status, o.reopened);
                }
            }
        }
    }
}
