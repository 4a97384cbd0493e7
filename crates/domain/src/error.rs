//! Errors of the domain. A validation error names the field and carries its message in
//! both languages, so every layer above (forms, API, import) shows the same words.

use crate::lang::Lang;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name as the form and the API use it (`name`, `phone`, `row 12: name`…).
    pub field: String,
    /// A stable code (`required`, `too_long`, `bad_format`…), for programs.
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        FieldError { field: field.into(), code, zh: zh.into(), en: en.into() }
    }

    pub fn required(field: &str, zh_name: &str) -> Self {
        FieldError::new(field, "required", format!("{zh_name}不能为空"), format!("{field} is required"))
    }

    pub fn too_long(field: &str, zh_name: &str, max: usize) -> Self {
        FieldError::new(field, "too_long", format!("{zh_name}不能超过{max}个字"), format!("{field} must be at most {max} characters"))
    }

    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// The same error, placed under a prefix (e.g. the row of an import).
    pub fn at(mut self, prefix: &str) -> Self {
        self.field = format!("{prefix}{}", self.field);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("conflict: {en}")]
    Conflict { zh: String, en: String },
}

impl DomainError {
    pub fn conflict(zh: impl Into<String>, en: impl Into<String>) -> Self {
        DomainError::Conflict { zh: zh.into(), en: en.into() }
    }
    pub fn invalid(e: FieldError) -> Self {
        DomainError::Invalid(vec![e])
    }
}

/// Collects field errors while a form is checked, then fails once with all of them.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Errors(Vec::new())
    }
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    /// Checks a required text of at most `max` characters; returns it trimmed.
    pub fn text(&mut self, field: &str, zh_name: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.push(FieldError::required(field, zh_name));
        } else if v.chars().count() > max {
            self.push(FieldError::too_long(field, zh_name, max));
        }
        v.to_string()
    }
    /// Checks an optional text; empty becomes `None`.
    pub fn opt_text(&mut self, field: &str, zh_name: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).unwrap_or("");
        if v.is_empty() {
            return None;
        }
        if v.chars().count() > max {
            self.push(FieldError::too_long(field, zh_name, max));
        }
        Some(v.to_string())
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn finish(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self.0))
        }
    }
}

/// Parses an ISO date (`2024-03-01`); also accepts `2024/3/1` and `2024.3.1` as clerks type them.
pub fn parse_date(s: &str) -> Option<time::Date> {
    let s = s.trim();
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    if parts.len() != 3 {
        return None;
    }
    let y: i32 = parts[0].parse().ok()?;
    let m: u8 = parts[1].parse().ok()?;
    let d: u8 = parts[2].parse().ok()?;
    if !(1900..=2200).contains(&y) {
        return None;
    }
    time::Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

/// Formats a date as ISO `YYYY-MM-DD`, the one form dates are stored in.
pub fn fmt_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl Errors {
    /// Checks an optional date field; returns the parsed date.
    pub fn opt_date(&mut self, field: &str, zh_name: &str, value: Option<&str>) -> Option<time::Date> {
        let v = value.map(str::trim).unwrap_or("");
        if v.is_empty() {
            return None;
        }
        match parse_date(v) {
            Some(d) => Some(d),
            None => {
                self.push(FieldError::new(
                    field,
                    "bad_date",
                    format!("{zh_name}不是有效日期(应为 2024-03-01 的格式)"),
                    format!("{field} is not a valid date (expected e.g. 2024-03-01)"),
                ));
                None
            }
        }
    }
    /// Checks a required date field.
    pub fn date(&mut self, field: &str, zh_name: &str, value: &str) -> Option<time::Date> {
        if value.trim().is_empty() {
            self.push(FieldError::required(field, zh_name));
            return None;
        }
        self.opt_date(field, zh_name, Some(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_clerks_type_them() {
        assert_eq!(fmt_date(parse_date("2024/3/1").unwrap()), "2024-03-01");
        assert_eq!(fmt_date(parse_date(" 2024-12-31 ").unwrap()), "2024-12-31");
        assert!(parse_date("2024-02-30").is_none());
        assert!(parse_date("31.12.2024").is_none());
        assert!(parse_date("").is_none());
    }

    #[test]
    fn errors_collect_all_fields() {
        let mut e = Errors::new();
        e.text("name", "姓名", "  ", 10);
        e.text("title", "标题", "一二三四五六", 5);
        let got = e.finish().unwrap_err();
        match got {
            DomainError::Invalid(v) => {
                assert_eq!(v.len(), 2);
                assert_eq!(v[0].zh, "姓名不能为空");
                assert_eq!(v[1].code, "too_long");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
