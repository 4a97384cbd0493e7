//! Votes at a meeting and their ballots (issue 5): what a vote asks, what a valid ballot is,
//! and how a secret ballot stays secret yet checkable.
//!
//! Secrecy is kept by what is *not* stored: a ballot holds the choices and a fingerprint, never
//! the voter, a time, or a sequence; the roll of who has voted holds no choice. The voter takes
//! away a receipt code; its fingerprint (a hash) is stored with the ballot, so after the close
//! the voter can find their ballot in the published list, and an auditor can recount the
//! published ballots to the published result.

use crate::coded_enum;
use crate::lang::Coded;
use crate::{DomainError, FieldError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

coded_enum! {
    /// What a vote asks.
    VoteKind {
        // yes / no / abstain on each item (several items on one ballot, each counted apart)
        Motion => "motion", "赞成/反对/弃权", "Yes / no / abstain";
        // choose among alternatives: one of n, or up to k of n (差额表决)
        Choice => "choice", "多选一或限选", "Choose among alternatives";
        // democratic appraisal: a grade for each target, 优秀/称职/基本称职/不称职 (R-L1)
        Appraisal => "appraisal", "民主测评", "Democratic appraisal";
        // an election round: yes / no / abstain on each candidate, names written in (R-C1)
        Election => "election", "选举", "Election";
    }
}

coded_enum! {
    /// How the ballots are cast: secretly on phones, by name (roll call), or on paper in the
    /// hall, entered afterwards by two tellers (paper ballots are secret too).
    VoteMode {
        Secret => "secret", "无记名投票(手机)", "Secret ballot (phones)";
        Named => "named", "记名表决", "Named (roll-call)";
        Paper => "paper", "纸质无记名投票", "Paper ballots (secret)";
    }
}

coded_enum! {
    VoteStatus {
        Draft => "draft", "未开始", "Not open";
        Open => "open", "投票中", "Open";
        Closed => "closed", "已结束", "Closed";
    }
}

coded_enum! {
    /// One mark on a motion item.
    Mark {
        Yes => "yes", "赞成", "Yes";
        No => "no", "反对", "No";
        Abstain => "abstain", "弃权", "Abstain";
    }
}

/// The question: its items (motions) or its options (a choice), with the most choices allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub kind: VoteKind,
    /// Motion items, or the options of a choice.
    pub items: Vec<String>,
    /// For a choice: how many options a voter may choose (1 = one of n).
    pub max_choices: usize,
}

impl Question {
    pub fn validate(title: &str, kind: &str, items_text: &str, max_choices: Option<usize>) -> Result<(String, Question), DomainError> {
        let mut errs = Vec::new();
        let title = title.trim().to_string();
        if !(2..=120).contains(&title.chars().count()) {
            errs.push(FieldError::new("title", "length", "表决事项名称须为 2 至 120 个字", "the title takes 2 to 120 characters"));
        }
        let kind = VoteKind::from_code(kind).unwrap_or(VoteKind::Motion);
        let items: Vec<String> = items_text.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
        let mut seen = std::collections::BTreeSet::new();
        if items.is_empty() && kind != VoteKind::Motion {
            errs.push(FieldError::new("items", "required", "请逐行写出候选项或测评对象", "write the options or the people appraised, one per line"));
        }
        if items.len() > 100 || items.iter().any(|i| i.chars().count() > 200) {
            errs.push(FieldError::new("items", "too_long", "最多 100 项,每项不超过 200 字", "at most 100 items of 200 characters each"));
        }
        if items.iter().any(|i| !seen.insert(i.clone())) {
            errs.push(FieldError::new("items", "duplicate", "各项不能重复", "items must differ"));
        }
        let items = if items.is_empty() { vec![title.clone()] } else { items };
        let max_choices = match kind {
            VoteKind::Motion | VoteKind::Appraisal => 0,
            VoteKind::Choice => {
                let k = max_choices.unwrap_or(1);
                if k == 0 || k > items.len() || items.len() < 2 {
                    errs.push(FieldError::new(
                        "max_choices",
                        "range",
                        "限选人数须在 1 与候选项数之间,且至少两个候选项",
                        "choose 1 up to the number of options, with two options at least",
                    ));
                }
                k
            }
            // seats; an equal slate (R-H4) may have as many candidates as seats
            VoteKind::Election => {
                let k = max_choices.unwrap_or(1);
                if k == 0 || k > items.len() {
                    errs.push(FieldError::new(
                        "max_choices",
                        "range",
                        "应选名额须在 1 与候选人数之间",
                        "seats must be 1 up to the number of candidates",
                    ));
                }
                k
            }
        };
        if !errs.is_empty() {
            return Err(DomainError::Invalid(errs));
        }
        Ok((title, Question { kind, items, max_choices }))
    }
}

/// What a voter marked: for a motion, a mark per item (a missing item is an abstention); for a
/// choice, the indices of the options chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Choices {
    Marks(Vec<Mark>),
    Chosen(Vec<usize>),
    /// For an appraisal: a grade per target, 0 = the best of [`GRADES`].
    Grades(Vec<u8>),
    /// For an election: a mark per candidate and the names written in with a yes.
    Ballot {
        marks: Vec<Mark>,
        write_ins: Vec<String>,
    },
}

/// The appraisal grades, best first (R-L1).
pub const GRADES: [&str; 4] = ["优秀", "称职", "基本称职", "不称职"];

impl Choices {
    /// Checks a ballot against the question. An electronic ballot is never accepted void: a
    /// ballot choosing more than allowed is refused with a message, and the voter corrects it.
    pub fn check(&self, q: &Question) -> Result<Choices, DomainError> {
        let bad = |zh: &str, en: &str| DomainError::invalid(FieldError::new("choices", "invalid", zh, en));
        match (q.kind, self) {
            (VoteKind::Motion, Choices::Marks(m)) if m.len() == q.items.len() => Ok(self.clone()),
            (VoteKind::Motion, _) => Err(bad("请对每一项作出选择", "mark every item")),
            (VoteKind::Choice, Choices::Chosen(c)) => {
                let mut c = c.clone();
                c.sort_unstable();
                c.dedup();
                if c.iter().any(|i| *i >= q.items.len()) {
                    return Err(bad("所选项不存在", "no such option"));
                }
                if c.len() > q.max_choices {
                    return Err(bad(&format!("最多选 {} 项", q.max_choices), &format!("choose at most {}", q.max_choices)));
                }
                Ok(Choices::Chosen(c))
            }
            (VoteKind::Choice, _) => Err(bad("选票格式不对", "malformed ballot")),
            (VoteKind::Appraisal, Choices::Grades(g)) if g.len() == q.items.len() && g.iter().all(|x| usize::from(*x) < GRADES.len()) => {
                Ok(self.clone())
            }
            (VoteKind::Appraisal, _) => Err(bad("请对每一位测评对象选择等次", "grade everyone appraised")),
            (VoteKind::Election, Choices::Ballot { marks, write_ins }) if marks.len() == q.items.len() => {
                let mut names: Vec<String> = Vec::new();
                for w in write_ins.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
                    if w.chars().count() > 20 || w.contains([',', '|', ';']) {
                        return Err(bad(
                            "另选人姓名不超过 20 字,且不含逗号、分号或竖线",
                            "a name written in takes at most 20 characters, without , ; or |",
                        ));
                    }
                    if q.items.iter().any(|c| c == w) {
                        return Err(bad(&format!("“{w}”是候选人,请直接划“赞成”"), &format!("“{w}” is a candidate: mark them yes")));
                    }
                    if !names.iter().any(|n| n == w) {
                        names.push(w.to_string());
                    }
                }
                // R-C2 would void it; on a phone the voter is told and corrects it instead
                let yes = marks.iter().filter(|m| **m == Mark::Yes).count() + names.len();
                if yes > q.max_choices {
                    return Err(bad(
                        &format!("赞成(含另选)不能超过应选的 {} 名,多选的选票无效", q.max_choices),
                        &format!("at most {} yes, names written in included; more would void the ballot", q.max_choices),
                    ));
                }
                Ok(Choices::Ballot { marks: marks.clone(), write_ins: names })
            }
            (VoteKind::Election, _) => Err(bad("请对每一位候选人作出选择", "mark every candidate")),
        }
    }
    /// The canonical text stored in the ballot box: `y,n,a` or `0,3`.
    pub fn canonical(&self) -> String {
        match self {
            Choices::Marks(m) => m.iter().map(|x| &x.code()[..1]).collect::<Vec<_>>().join(","),
            Choices::Chosen(c) => c.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(","),
            Choices::Grades(g) => g.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(","),
            Choices::Ballot { marks, write_ins } => {
                format!("{}|{}", Choices::Marks(marks.clone()).canonical(), write_ins.join(";"))
            }
        }
    }
    pub fn parse(kind: VoteKind, s: &str) -> Option<Choices> {
        let parts = s.split(',').filter(|p| !p.is_empty());
        match kind {
            VoteKind::Motion => parts
                .map(|p| match p {
                    "y" => Some(Mark::Yes),
                    "n" => Some(Mark::No),
                    "a" => Some(Mark::Abstain),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(Choices::Marks),
            VoteKind::Choice => parts.map(|p| p.parse().ok()).collect::<Option<Vec<usize>>>().map(Choices::Chosen),
            VoteKind::Appraisal => parts.map(|p| p.parse().ok()).collect::<Option<Vec<u8>>>().map(Choices::Grades),
            VoteKind::Election => {
                let (m, w) = s.split_once('|')?;
                let Choices::Marks(marks) = Choices::parse(VoteKind::Motion, m)? else { return None };
                let write_ins = w.split(';').filter(|x| !x.is_empty()).map(str::to_string).collect();
                Some(Choices::Ballot { marks, write_ins })
            }
        }
    }
}

/// A voter's receipt, from 10 random bytes: 16 characters of the request codes' alphabet.
pub fn receipt_code(raw: [u8; 10]) -> String {
    let mut bits: u128 = 0;
    for b in raw {
        bits = (bits << 8) | u128::from(b);
    }
    let alphabet = crate::request::CODE_ALPHABET;
    let mut s = String::new();
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        s.push(alphabet[(bits % alphabet.len() as u128) as usize] as char);
        bits /= alphabet.len() as u128;
    }
    s
}

/// The fingerprint published with a ballot: a hash of the receipt, so the receipt cannot be
/// recovered from the list but the voter can find their line in it.
pub fn fingerprint(receipt: &str) -> String {
    let norm: String = receipt.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    let d = Sha256::digest(format!("lianxin-ballot:{norm}").as_bytes());
    crate::audit::hex(&d[..10])
}

/// HMAC-SHA256 (RFC 2104), for the ballot pass below.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let (mut ipad, mut opad) = ([0x36u8; 64], [0x5cu8; 64]);
    for i in 0..64 {
        ipad[i] ^= k[i];
        opad[i] ^= k[i];
    }
    let inner = Sha256::new().chain_update(ipad).chain_update(msg).finalize();
    Sha256::new().chain_update(opad).chain_update(inner).finalize().into()
}

/// A ballot pass: the server's word, given when a delegate opens the ballot, that this
/// delegate may cast at this meeting from this sign-in until `expires_ms`. Casting with it
/// needs no look-up of session, account or delegate, which is what lets a hall of delegates
/// vote within the same second; whether they are present with a vote is still checked where
/// the ballot is written. The pass is bound to the sign-in (a hash of the session cookie or
/// API token that fetched it), so it is useless without that credential, and, being unknown
/// to other sites, it also stands for the form's CSRF token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub meeting_id: i64,
    pub delegate_id: i64,
    pub expires_ms: i64,
}

impl Pass {
    fn mac(&self, key: &[u8], credential: &str) -> String {
        let msg =
            format!("lianxin-pass|{}|{}|{}|{}", self.meeting_id, self.delegate_id, self.expires_ms, crate::audit::hex(&Sha256::digest(credential)));
        crate::audit::hex(&hmac_sha256(key, msg.as_bytes())[..20])
    }
    /// The text handed to the phone.
    pub fn encode(&self, key: &[u8], credential: &str) -> String {
        format!("{}.{}.{}.{}", self.meeting_id, self.delegate_id, self.expires_ms, self.mac(key, credential))
    }
    /// The pass in `text`, if the server made it for this credential and it has not expired.
    pub fn verify(text: &str, key: &[u8], credential: &str, now_ms: i64) -> Option<Pass> {
        let mut parts = text.trim().split('.');
        let pass =
            Pass { meeting_id: parts.next()?.parse().ok()?, delegate_id: parts.next()?.parse().ok()?, expires_ms: parts.next()?.parse().ok()? };
        let mac = parts.next()?;
        if parts.next().is_some() || now_ms >= pass.expires_ms {
            return None;
        }
        let want = pass.mac(key, credential);
        // compared in constant time: the mac is a secret until it is right
        let same = want.len() == mac.len() && want.bytes().zip(mac.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        same.then_some(pass)
    }
}

/// Counts of one vote: per motion item (yes, no, abstain), or per option.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub ballots: u64,
    /// Motion: per item [yes, no, abstain, 0]. Choice: per option [chosen, 0, 0, 0].
    /// Appraisal: per target the forms of each grade, best first.
    pub per_item: Vec<[u64; 4]>,
}

/// Tallies stored ballots (canonical texts); one that does not parse is counted as a ballot
/// but adds no mark (it cannot happen through the checks above; an auditor would see it).
pub fn tally<'a>(q: &Question, ballots: impl IntoIterator<Item = &'a str>) -> Tally {
    tally_patterns(q, ballots.into_iter().map(|b| (b, 1)))
}

/// Tallies ballots given as patterns with their counts (identical ballots grouped, as the
/// database returns them or a teller enters them): the same as [`tally`] of each repeated.
pub fn tally_patterns<'a>(q: &Question, patterns: impl IntoIterator<Item = (&'a str, u64)>) -> Tally {
    let mut t = Tally { ballots: 0, per_item: vec![[0; 4]; q.items.len()] };
    for (b, n) in patterns {
        t.ballots += n;
        match Choices::parse(q.kind, b) {
            Some(Choices::Marks(m)) if m.len() == q.items.len() => {
                for (i, mark) in m.iter().enumerate() {
                    t.per_item[i][match mark {
                        Mark::Yes => 0,
                        Mark::No => 1,
                        Mark::Abstain => 2,
                    }] += n;
                }
            }
            Some(Choices::Chosen(c)) if q.kind == VoteKind::Choice => {
                let mut c = c;
                c.sort_unstable();
                c.dedup();
                for i in c.into_iter().filter(|i| *i < q.items.len()) {
                    t.per_item[i][0] += n;
                }
            }
            Some(Choices::Ballot { marks, .. }) if marks.len() == q.items.len() => {
                for (i, mark) in marks.iter().enumerate() {
                    t.per_item[i][match mark {
                        Mark::Yes => 0,
                        Mark::No => 1,
                        Mark::Abstain => 2,
                    }] += n;
                }
            }
            Some(Choices::Grades(g)) if g.len() == q.items.len() => {
                for (i, grade) in g.iter().enumerate().filter(|(_, x)| usize::from(**x) < GRADES.len()) {
                    t.per_item[i][usize::from(*grade)] += n;
                }
            }
            _ => {}
        }
    }
    t
}

/// An election round's stored ballots (canonical texts with their counts) as the counting
/// engine's patterns; the candidates are the question's items, in order.
pub fn election_patterns<'a>(q: &Question, patterns: impl IntoIterator<Item = (&'a str, u64)>) -> Vec<crate::counting::election::BallotPattern> {
    use crate::counting::election::{BallotPattern, Mark as M};
    patterns
        .into_iter()
        .map(|(text, n)| {
            let mut b = BallotPattern { count: n as i64, ..Default::default() };
            match Choices::parse(VoteKind::Election, text) {
                Some(Choices::Ballot { marks, write_ins }) if marks.len() == q.items.len() => {
                    for (c, m) in q.items.iter().zip(marks) {
                        let m = match m {
                            Mark::Yes => M::Yes,
                            Mark::No => M::No,
                            Mark::Abstain => continue,
                        };
                        b.marks.insert(c.clone(), m);
                    }
                    b.write_ins = write_ins;
                }
                // what cannot be read is a void ballot, never a vote for anyone
                _ => b.void = true,
            }
            b
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn motion(n: usize) -> Question {
        Question { kind: VoteKind::Motion, items: (0..n).map(|i| format!("第{i}项")).collect(), max_choices: 0 }
    }

    #[test]
    fn questions_are_checked() {
        let (t, q) = Question::validate("关于2026年工作报告的决议", "motion", "", None).unwrap();
        assert_eq!((t.as_str(), q.items.len()), ("关于2026年工作报告的决议", 1), "a single motion is its own item");
        assert!(Question::validate("选举监票人", "choice", "张三\n李四\n王五", Some(2)).is_ok());
        assert!(Question::validate("选举监票人", "choice", "张三\n李四", Some(3)).is_err(), "k > n");
        assert!(Question::validate("选举监票人", "choice", "张三\n张三", Some(1)).is_err(), "duplicates");
        assert!(Question::validate("x", "motion", "", None).is_err(), "title too short");
    }

    #[test]
    fn an_election_ballot_round_trips_and_is_checked_by_r_c2() {
        let q = Question { kind: VoteKind::Election, items: vec!["甲".into(), "乙".into(), "丙".into()], max_choices: 2 };
        let b = Choices::Ballot { marks: vec![Mark::Yes, Mark::No, Mark::Abstain], write_ins: vec![" 丁 ".into(), "丁".into()] };
        let ok = b.check(&q).unwrap();
        assert_eq!(ok.canonical(), "y,n,a|丁");
        assert_eq!(Choices::parse(VoteKind::Election, "y,n,a|丁"), Some(ok));
        assert!(Choices::Ballot { marks: vec![Mark::Yes, Mark::Yes, Mark::Abstain], write_ins: vec!["丁".into()] }.check(&q).is_err(), "3 > 2 seats");
        assert!(
            Choices::Ballot { marks: vec![Mark::Yes, Mark::No, Mark::No], write_ins: vec!["乙".into()] }.check(&q).is_err(),
            "a candidate written in"
        );
        assert!(Choices::Ballot { marks: vec![Mark::Yes], write_ins: vec![] }.check(&q).is_err(), "every candidate marked");
        let p = election_patterns(&q, [("y,n,a|丁", 3), ("garbage", 1)]);
        assert_eq!((p[0].count, p[0].marks.len(), p[0].write_ins.clone(), p[1].void), (3, 2, vec!["丁".to_string()], true));
    }

    #[test]
    fn an_over_chosen_ballot_is_refused_not_stored_void() {
        let (_, q) = Question::validate("差额表决", "choice", "甲\n乙\n丙", Some(2)).unwrap();
        assert!(Choices::Chosen(vec![0, 1, 2]).check(&q).is_err());
        assert_eq!(Choices::Chosen(vec![2, 0, 0]).check(&q).unwrap(), Choices::Chosen(vec![0, 2]), "deduplicated, in order");
        assert!(Choices::Chosen(vec![3]).check(&q).is_err());
        assert!(Choices::Chosen(vec![]).check(&q).is_ok(), "a blank ballot is valid (chooses nobody)");
        assert!(Choices::Marks(vec![Mark::Yes]).check(&motion(2)).is_err(), "every item marked");
    }

    #[test]
    fn receipts_are_long_and_fingerprints_do_not_reveal_them() {
        let r = receipt_code([7; 10]);
        assert_eq!(r.len(), 19);
        let f = fingerprint(&r);
        assert_eq!(f.len(), 20);
        assert_eq!(f, fingerprint(&r.to_lowercase().replace('-', "")), "typed in any case");
        assert!(!f.contains(&r[..4]));
        assert_ne!(receipt_code([7; 10]), receipt_code([8; 10]));
    }

    #[test]
    fn several_items_are_counted_apart() {
        let q = motion(2);
        let t = tally(&q, ["y,n", "y,a", "n,n"]);
        assert_eq!(t.ballots, 3);
        assert_eq!(t.per_item, vec![[2, 1, 0, 0], [0, 2, 1, 0]]);
    }

    #[test]
    fn an_appraisal_grades_everyone_and_counts_each_grade() {
        let (_, q) = Question::validate("对镇党委委员的民主测评", "appraisal", "张书记\n李委员", None).unwrap();
        assert!(Question::validate("对镇党委委员的民主测评", "appraisal", "", None).is_err(), "nobody to appraise");
        assert!(Choices::Grades(vec![0]).check(&q).is_err(), "everyone graded");
        assert!(Choices::Grades(vec![0, 4]).check(&q).is_err(), "no fifth grade");
        let ok = Choices::Grades(vec![0, 3]).check(&q).unwrap();
        assert_eq!(ok.canonical(), "0,3");
        let t = tally(&q, ["0,3", "1,3", "0,2"]);
        assert_eq!(t.per_item, vec![[2, 1, 0, 0], [0, 0, 1, 2]]);
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test cases 1 and 2
        assert_eq!(crate::audit::hex(&hmac_sha256(&[0x0b; 20], b"Hi There")), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        assert_eq!(
            crate::audit::hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // test case 6: a key longer than the block is hashed first
        assert_eq!(
            crate::audit::hex(&hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_pass_holds_only_for_its_credential_meeting_and_time() {
        let key = b"server secret";
        let p = Pass { meeting_id: 7, delegate_id: 42, expires_ms: 1_000 };
        let text = p.encode(key, "session-token");
        assert_eq!(Pass::verify(&text, key, "session-token", 999), Some(p));
        assert_eq!(Pass::verify(&text, key, "session-token", 1_000), None, "expired at its time");
        assert_eq!(Pass::verify(&text, key, "another-session", 10), None, "bound to the sign-in");
        assert_eq!(Pass::verify(&text, b"other secret", "session-token", 10), None);
        let forged = text.replacen("42", "43", 1);
        assert_eq!(Pass::verify(&forged, key, "session-token", 10), None, "another delegate");
        assert_eq!(Pass::verify("7.42.1000", key, "session-token", 10), None);
        assert_eq!(Pass::verify(&format!("{text}.x"), key, "session-token", 10), None);
    }

    proptest! {
        #[test]
        fn the_tally_does_not_depend_on_ballot_order_and_round_trips(marks in proptest::collection::vec(proptest::collection::vec(0..3usize, 3), 0..40), seed in any::<u64>()) {
            let q = motion(3);
            let texts: Vec<String> = marks.iter().map(|m| Choices::Marks(m.iter().map(|i| [Mark::Yes, Mark::No, Mark::Abstain][*i]).collect()).canonical()).collect();
            for t in &texts {
                prop_assert_eq!(Choices::parse(VoteKind::Motion, t).map(|c| c.canonical()), Some(t.clone()));
            }
            let mut shuffled = texts.clone();
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let a = tally(&q, texts.iter().map(String::as_str));
            prop_assert_eq!(&a, &tally(&q, shuffled.iter().map(String::as_str)));
            for item in &a.per_item {
                prop_assert_eq!(item.iter().sum::<u64>(), a.ballots);
            }
            // grouped as the database groups them, the tally is the same
            let mut groups: std::collections::BTreeMap<&str, u64> = Default::default();
            for t in &texts {
                *groups.entry(t.as_str()).or_default() += 1;
            }
            prop_assert_eq!(&a, &tally_patterns(&q, groups.into_iter()));
        }
    }
}
