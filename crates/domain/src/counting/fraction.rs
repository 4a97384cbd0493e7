//! Thresholds as integer fractions, compared without floating point (rules.md §0.4):
//! "超过 1/2" is `2·x > 1·base`, "2/3 以上" is `3·x ≥ 2·base`.

use crate::DomainError;
use crate::FieldError;
use serde::{Deserialize, Serialize};

/// A fraction `num/den` with `0 ≤ num ≤ den`, `den > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Fraction {
    pub num: u64,
    pub den: u64,
}

impl Fraction {
    pub const HALF: Fraction = Fraction { num: 1, den: 2 };
    pub const TWO_THIRDS: Fraction = Fraction { num: 2, den: 3 };
    pub const FOUR_FIFTHS: Fraction = Fraction { num: 4, den: 5 };
    pub const THIRD: Fraction = Fraction { num: 1, den: 3 };

    pub fn parse(s: &str) -> Result<Fraction, DomainError> {
        let bad = || {
            DomainError::invalid(FieldError::new(
                "fraction",
                "bad_fraction",
                format!("“{s}”不是分数(如 1/2、2/3)"),
                format!("“{s}” is not a fraction like 1/2 or 2/3"),
            ))
        };
        let (a, b) = s.trim().split_once('/').ok_or_else(bad)?;
        let (num, den): (u64, u64) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
        if den == 0 || num > den || den > 1000 {
            return Err(bad());
        }
        Ok(Fraction { num, den })
    }
}

impl std::fmt::Display for Fraction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

impl TryFrom<String> for Fraction {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Fraction::parse(&s).map_err(|e| e.to_string())
    }
}

impl From<Fraction> for String {
    fn from(f: Fraction) -> String {
        f.to_string()
    }
}

/// Strict ("超过", "过半数", "多于") or inclusive ("以上", "不少于").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cmp {
    /// more than: `den·x > num·base`
    Over,
    /// at least: `den·x ≥ num·base`
    AtLeast,
}

/// "more than / at least `fraction` of a base".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    pub fraction: Fraction,
    pub cmp: Cmp,
}

impl Threshold {
    pub const fn over(fraction: Fraction) -> Threshold {
        Threshold { fraction, cmp: Cmp::Over }
    }
    pub const fn at_least(fraction: Fraction) -> Threshold {
        Threshold { fraction, cmp: Cmp::AtLeast }
    }
    /// Whether `x` meets the threshold of `base` (in u128, so no product overflows).
    pub fn met(&self, x: u64, base: u64) -> bool {
        let (l, r) = (u128::from(self.fraction.den) * u128::from(x), u128::from(self.fraction.num) * u128::from(base));
        match self.cmp {
            Cmp::Over => l > r,
            Cmp::AtLeast => l >= r,
        }
    }
    /// The smallest `x` that meets the threshold of a fixed `base`.
    pub fn min_of(&self, base: u64) -> u64 {
        let (n, d) = (u128::from(self.fraction.num) * u128::from(base), u128::from(self.fraction.den));
        let x = match self.cmp {
            Cmp::Over => n / d + 1,
            Cmp::AtLeast => n.div_ceil(d),
        };
        x as u64
    }
    /// `2×11=22 > 20`: the comparison written out, for a reason a teller can check by hand.
    pub fn show(&self, x: u64, base: u64) -> String {
        let (l, r) = (self.fraction.den * x, self.fraction.num * base);
        let op = match (self.cmp, self.met(x, base)) {
            (Cmp::Over, true) => ">",
            (Cmp::Over, false) => "≤",
            (Cmp::AtLeast, true) => "≥",
            (Cmp::AtLeast, false) => "<",
        };
        let left = if self.fraction.den == 1 { x.to_string() } else { format!("{}×{x}={l}", self.fraction.den) };
        let right = if self.fraction.num == 1 { base.to_string() } else { format!("{}×{base}={r}", self.fraction.num) };
        format!("{left} {op} {right}")
    }
    /// "more than 1/2" / "超过1/2", "at least 2/3" / "2/3以上".
    pub fn words(&self) -> (String, String) {
        match self.cmp {
            Cmp::Over => (format!("超过{}", self.fraction), format!("more than {}", self.fraction)),
            Cmp::AtLeast => (format!("{}以上(含本数)", self.fraction), format!("at least {}", self.fraction)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_and_inclusive_differ_exactly_at_the_fraction() {
        // rules.md §0.4: 超过 is strict, 以上 inclusive
        assert!(!Threshold::over(Fraction::HALF).met(10, 20));
        assert!(Threshold::over(Fraction::HALF).met(11, 20));
        assert!(Threshold::at_least(Fraction::HALF).met(10, 20));
        assert!(!Threshold::over(Fraction::FOUR_FIFTHS).met(40, 50));
        assert!(Threshold::at_least(Fraction::TWO_THIRDS).met(20, 30));
        assert!(!Threshold::at_least(Fraction::TWO_THIRDS).met(19, 30));
    }

    #[test]
    fn the_smallest_passing_number_is_the_boundary() {
        for base in 0..200u64 {
            for t in [Threshold::over(Fraction::HALF), Threshold::at_least(Fraction::TWO_THIRDS), Threshold::over(Fraction::FOUR_FIFTHS)] {
                let m = t.min_of(base);
                assert!(t.met(m, base), "{t:?} {base}");
                assert!(m == 0 || !t.met(m - 1, base), "{t:?} {base}");
            }
        }
    }

    #[test]
    fn fractions_are_read_strictly() {
        assert_eq!(Fraction::parse(" 2 / 3 ").unwrap(), Fraction::TWO_THIRDS);
        for bad in ["", "1", "3/2", "1/0", "a/b", "-1/2"] {
            assert!(Fraction::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Threshold::over(Fraction::HALF).show(11, 20), "2×11=22 > 20");
    }
}
