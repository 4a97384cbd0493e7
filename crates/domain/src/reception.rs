//! Delegate studios (党代表工作室) and their reception days: recurring days of the month
//! ("逢四说事": the 4th, 14th and 24th) with a rota of delegates taking turns, and the
//! calendar that results. Pure: the dates asked for are parameters.

use crate::error::{Errors, FieldError};
use crate::{DomainError, Id};
use serde::Serialize;
use time::{Date, Duration};

/// A studio as the office's form gives it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct StudioInput {
    pub name: String,
    pub address: String,
    /// Days of the month, e.g. "4,14,24" (a day beyond a short month's end is skipped).
    pub days: String,
    /// Opening hours as shown, e.g. "9:00–12:00".
    #[serde(default)]
    pub hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidStudio {
    pub name: String,
    pub address: String,
    pub days: Vec<u8>,
    pub hours: String,
}

/// Reads "4,14,24" (also with 、 or spaces) into sorted days 1–31.
pub fn parse_days(s: &str) -> Option<Vec<u8>> {
    let mut days: Vec<u8> = Vec::new();
    for part in s.split([',', '，', '、', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
        let d: u8 = part.trim_end_matches('日').trim_end_matches('号').parse().ok()?;
        if !(1..=31).contains(&d) {
            return None;
        }
        days.push(d);
    }
    days.sort_unstable();
    days.dedup();
    (!days.is_empty()).then_some(days)
}

impl StudioInput {
    pub fn validate(&self) -> Result<ValidStudio, DomainError> {
        let mut e = Errors::new();
        let name = e.text("name", "工作室名称", &self.name, 60);
        let address = e.text("address", "地址", &self.address, 120);
        let days = parse_days(&self.days);
        if days.is_none() {
            e.push(FieldError::new("days", "bad_format", "接待日请写成每月几号,如 4,14,24", "reception days are days of the month, e.g. 4,14,24"));
        }
        let hours = e.opt_text("hours", "接待时间", Some(&self.hours), 40).unwrap_or_default();
        e.finish()?;
        let Some(days) = days else { unreachable!("checked above") };
        Ok(ValidStudio { name, address, days, hours })
    }
}

/// "每月4、14、24日".
pub fn describe_days(days: &[u8], lang: crate::Lang) -> String {
    let list: Vec<String> = days.iter().map(|d| d.to_string()).collect();
    match lang {
        crate::Lang::Zh => format!("每月{}日", list.join("、")),
        crate::Lang::En => format!("days {} of each month", list.join(", ")),
    }
}

/// The reception days in `[from, to]`, in order.
pub fn days_between(days: &[u8], from: Date, to: Date) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        if days.contains(&d.day()) {
            out.push(d);
        }
        d += Duration::days(1);
    }
    out
}

/// Who is on duty on each reception day: the rota's delegates in turn, counted from the
/// studio's first reception day on or after `anchor`, so the turn of a given day never
/// changes with the range asked for.
pub fn rota(days: &[u8], delegates: &[Id], anchor: Date, from: Date, to: Date) -> Vec<(Date, Option<Id>)> {
    if delegates.is_empty() {
        return days_between(days, from, to).into_iter().map(|d| (d, None)).collect();
    }
    let before = if from > anchor { days_between(days, anchor, from.previous_day().unwrap_or(from)).len() } else { 0 };
    days_between(days, from.max(anchor), to).into_iter().enumerate().map(|(k, d)| (d, Some(delegates[(before + k) % delegates.len()]))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn days_are_read_as_people_write_them() {
        assert_eq!(parse_days("4,14,24"), Some(vec![4, 14, 24]));
        assert_eq!(parse_days("24、4日, 14号 4"), Some(vec![4, 14, 24]));
        assert_eq!(parse_days("0,5"), None);
        assert_eq!(parse_days("32"), None);
        assert_eq!(parse_days(""), None);
        assert_eq!(describe_days(&[4, 14, 24], crate::Lang::Zh), "每月4、14、24日");
    }

    #[test]
    fn feng_si_shuo_shi_the_4th_14th_and_24th() {
        let d = days_between(&[4, 14, 24], date!(2026 - 11 - 01), date!(2026 - 12 - 10));
        assert_eq!(d, [date!(2026 - 11 - 04), date!(2026 - 11 - 14), date!(2026 - 11 - 24), date!(2026 - 12 - 04)]);
        // a day a month lacks is skipped, not moved
        assert_eq!(days_between(&[31], date!(2026 - 02 - 01), date!(2026 - 03 - 31)), [date!(2026 - 03 - 31)]);
    }

    #[test]
    fn the_rota_turns_and_does_not_depend_on_the_range_asked() {
        let anchor = date!(2026 - 01 - 01);
        let whole = rota(&[4, 14, 24], &[1, 2, 3], anchor, date!(2026 - 01 - 01), date!(2026 - 02 - 28));
        assert_eq!(whole.iter().map(|x| x.1.unwrap()).collect::<Vec<_>>(), [1, 2, 3, 1, 2, 3]);
        let later = rota(&[4, 14, 24], &[1, 2, 3], anchor, date!(2026 - 02 - 01), date!(2026 - 02 - 28));
        assert_eq!(later, whole[3..]);
        assert_eq!(rota(&[4], &[], anchor, date!(2026 - 01 - 01), date!(2026 - 01 - 31)), [(date!(2026 - 01 - 04), None)]);
    }

    #[test]
    fn a_studio_is_checked() {
        let ok = StudioInput {
            name: "郴江镇党代表工作室".into(), address: "镇政府一楼".into(), days: "4,14,24".into(), hours: "9:00–12:00".into()
        };
        assert_eq!(ok.validate().unwrap().days, vec![4, 14, 24]);
        let bad = StudioInput { name: "".into(), days: "每周一".into(), ..ok };
        let DomainError::Invalid(f) = bad.validate().unwrap_err() else { panic!() };
        assert_eq!(f.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["name", "days"]);
    }
}
