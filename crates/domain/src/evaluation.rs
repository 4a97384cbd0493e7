//! Residents' evaluation of delegates (seed 002: "每年接受一次驻点联系工作评议,由驻点联系的
//! 村(社区)党员群众对党代表驻点工作情况进行评议,评议结果……作为党代表履职考核评价的
//! 重要依据"). Once a year the office opens a round; each delegate's members and residents
//! get one-time slips (a code, or its QR code); a slip gives one anonymous rating. The
//! stored rating carries neither the slip nor the time, so it cannot be traced to a person.

use crate::composition::Share;
use crate::error::{Errors, FieldError};
use crate::lang::Coded;
use crate::{coded_enum, DomainError};
use serde::Serialize;

coded_enum! {
    Rating {
        Good => "good", "满意", "Satisfied";
        Fair => "fair", "基本满意", "Fairly satisfied";
        Poor => "poor", "不满意", "Unsatisfied";
    }
}

/// How many slips a delegate may be given in one round (a village delegate serves tens of
/// members and residents; a larger number is a typing error).
pub const MAX_SLIPS: i64 = 500;

/// Checks a rating as the public form sends it.
pub fn check(rating: &str, comment: &str) -> Result<(Rating, Option<String>), DomainError> {
    let mut e = Errors::new();
    let r = Rating::from_code(rating.trim());
    if r.is_none() {
        e.push(FieldError::new("rating", "required", "请选择评价", "choose a rating"));
    }
    let c = e.opt_text("comment", "意见建议", Some(comment), 500);
    e.finish()?;
    let Some(r) = r else { unreachable!("checked above") };
    Ok((r, c))
}

/// A delegate's ratings in a round.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub good: i64,
    pub fair: i64,
    pub poor: i64,
    /// Slips handed out, to show the response rate.
    pub slips: i64,
}

impl Tally {
    pub fn responses(&self) -> i64 {
        self.good + self.fair + self.poor
    }
    /// Satisfied or fairly satisfied, of the responses (the share seed reports quote).
    pub fn satisfaction(&self) -> Share {
        Share::of(self.good + self.fair, self.responses())
    }
    pub fn response_rate(&self) -> Share {
        Share::of(self.responses(), self.slips)
    }
}

/// Slip codes: 16 characters of the tracking-code alphabet from 80 random bits, in groups of
/// four. The store keeps only their hash.
pub fn slip_code(random: [u8; 10]) -> String {
    let mut n = u128::from_le_bytes({
        let mut b = [0u8; 16];
        b[..10].copy_from_slice(&random);
        b
    });
    let alphabet = crate::request::CODE_ALPHABET;
    let mut s = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        s.push(alphabet[(n % alphabet.len() as u128) as usize] as char);
        n /= alphabet.len() as u128;
    }
    s
}

/// What the store keeps of a slip: its SHA-256, so a copy of the database cannot be used
/// to vote.
pub fn digest(code: &str) -> String {
    use sha2::Digest;
    crate::audit::hex(&sha2::Sha256::digest(code.as_bytes()))
}

/// Reads a slip code as typed (any case, dashes and spaces ignored).
pub fn normalise_slip(typed: &str) -> Option<String> {
    crate::request::grouped(typed, 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_counts_fairly_satisfied_as_satisfied() {
        let r = Tally { good: 7, fair: 2, poor: 1, slips: 20 };
        assert_eq!(r.satisfaction().percent(), "90.0%");
        assert_eq!(r.response_rate().percent(), "50.0%");
        assert_eq!(Tally::default().satisfaction().percent(), "0.0%");
    }

    #[test]
    fn ratings_are_checked() {
        assert_eq!(check("good", " 很负责 ").unwrap(), (Rating::Good, Some("很负责".into())));
        assert_eq!(check("fair", "").unwrap(), (Rating::Fair, None));
        assert!(check("great", "").is_err());
        assert!(check("poor", &"字".repeat(501)).is_err());
    }

    #[test]
    fn slips_read_back_as_typed() {
        let c = slip_code([9; 10]);
        assert_eq!(c.len(), 19);
        assert_eq!(normalise_slip(&c.to_lowercase().replace('-', "")), Some(c.clone()));
        assert_eq!(normalise_slip(&c[..18]), None);
        assert_ne!(slip_code([9; 10]), slip_code([8; 10]));
    }
}
