//! People on the roster: party members and residents.

use crate::error::{fmt_date, DomainError, Errors, FieldError};
use crate::lang::Coded;
use crate::{coded_enum, Id};
use time::Date;

coded_enum! {
    Gender {
        Male => "M", "男", "Male";
        Female => "F", "女", "Female";
    }
}

coded_enum! {
    /// Highest education, in the bands a roster uses.
    Education {
        Primary => "primary", "小学及以下", "Primary or less";
        Junior => "junior", "初中", "Junior secondary";
        Senior => "senior", "高中/中专", "Senior secondary / vocational";
        College => "college", "大专", "College (3-year)";
        Bachelor => "bachelor", "本科", "Bachelor";
        Postgraduate => "postgraduate", "研究生", "Postgraduate";
    }
}

impl Education {
    /// 大专学历以上 — the band seed 001 reports ("大专学历以上代表163名").
    pub fn is_college_or_above(self) -> bool {
        matches!(self, Education::College | Education::Bachelor | Education::Postgraduate)
    }
}

coded_enum! {
    /// Whether the person is a party member, a probationary member or a resident (群众).
    PersonKind {
        Member => "member", "正式党员", "Party member";
        Probationary => "probationary", "预备党员", "Probationary member";
        Resident => "resident", "群众", "Resident";
    }
}

/// The 56 recognised ethnic groups; 汉族 is the majority, every other one a minority.
pub const ETHNICITIES: &[&str] = &[
    "汉族",
    "壮族",
    "回族",
    "满族",
    "维吾尔族",
    "苗族",
    "彝族",
    "土家族",
    "藏族",
    "蒙古族",
    "侗族",
    "布依族",
    "瑶族",
    "白族",
    "朝鲜族",
    "哈尼族",
    "黎族",
    "哈萨克族",
    "傣族",
    "畲族",
    "傈僳族",
    "东乡族",
    "仡佬族",
    "拉祜族",
    "佤族",
    "水族",
    "纳西族",
    "羌族",
    "土族",
    "仫佬族",
    "锡伯族",
    "柯尔克孜族",
    "景颇族",
    "达斡尔族",
    "撒拉族",
    "布朗族",
    "毛南族",
    "塔吉克族",
    "普米族",
    "阿昌族",
    "怒族",
    "鄂温克族",
    "京族",
    "基诺族",
    "德昂族",
    "保安族",
    "俄罗斯族",
    "裕固族",
    "乌孜别克族",
    "门巴族",
    "鄂伦春族",
    "独龙族",
    "赫哲族",
    "高山族",
    "珞巴族",
    "塔塔尔族",
];

pub fn is_minority(ethnicity: &str) -> bool {
    ethnicity != "汉族" && !ethnicity.is_empty()
}

/// Checks a resident identity number (GB 11643-1999): 17 digits, a check character, and a
/// real birth date inside it.
pub fn id_number_is_valid(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: &[u8; 11] = b"10X98765432";
    let sum: u32 = b[..17].iter().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    let check = C[(sum % 11) as usize];
    if b[17].to_ascii_uppercase() != check {
        return false;
    }
    birth_date_from_id(id).is_some()
}

/// The birth date written inside an identity number.
pub fn birth_date_from_id(id: &str) -> Option<Date> {
    let s = id.get(6..14)?;
    crate::error::parse_date(&format!("{}-{}-{}", &s[0..4], &s[4..6], &s[6..8]))
}

/// Completes 17 digits with their check character (used by the demo generator and tests).
pub fn with_check_char(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: &[u8; 11] = b"10X98765432";
    let sum: u32 = first17.bytes().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    format!("{first17}{}", C[(sum % 11) as usize] as char)
}

/// How an identity number is shown to anyone: first 6 and last 4 characters only.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// How a phone number is shown outside the office: `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// A mobile (11 digits starting with 1) or a landline (area code, dash, number).
pub fn phone_is_valid(p: &str) -> bool {
    let b = p.as_bytes();
    if b.len() == 11 && b[0] == b'1' && b.iter().all(u8::is_ascii_digit) {
        return true;
    }
    match p.split_once('-') {
        Some((area, num)) => {
            (3..=4).contains(&area.len())
                && area.starts_with('0')
                && area.bytes().all(|c| c.is_ascii_digit())
                && (7..=8).contains(&num.len())
                && num.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Age in whole years on `on`.
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
        age -= 1;
    }
    age
}

/// The fields a user gives for a person (the form, the API and the import all use this).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct PersonInput {
    pub name: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub ethnicity: Option<String>,
    #[serde(default)]
    pub education: Option<String>,
    #[serde(default)]
    pub occupation: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    pub org_id: Id,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub joined_on: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ValidPerson {
    pub name: String,
    pub gender: Gender,
    pub birth_date: Option<String>,
    pub ethnicity: String,
    pub education: Option<Education>,
    pub occupation: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub org_id: Id,
    pub kind: PersonKind,
    pub joined_on: Option<String>,
    pub id_number: Option<String>,
}

impl PersonInput {
    /// Checks every field at once; `today` bounds birth and join dates.
    pub fn validate(&self, today: Date) -> Result<ValidPerson, DomainError> {
        let mut e = Errors::new();
        let name = e.text("name", "姓名", &self.name, 30);
        let gender = match self.gender.trim() {
            "M" | "男" | "m" | "male" => Some(Gender::Male),
            "F" | "女" | "f" | "female" => Some(Gender::Female),
            "" => {
                e.push(FieldError::required("gender", "性别"));
                None
            }
            _ => {
                e.push(FieldError::new("gender", "bad_choice", "性别只能是“男”或“女”", "gender must be M or F"));
                None
            }
        };
        let birth = e.opt_date("birth_date", "出生日期", self.birth_date.as_deref());
        if let Some(b) = birth {
            if b > today || age_on(b, today) > 120 {
                e.push(FieldError::new("birth_date", "out_of_range", "出生日期不合理", "birth date is out of range"));
            }
        }
        let ethnicity = match self.ethnicity.as_deref().map(str::trim) {
            None | Some("") => "汉族".to_string(),
            Some(s) => {
                let s = if s.ends_with('族') { s.to_string() } else { format!("{s}族") };
                if !ETHNICITIES.contains(&s.as_str()) {
                    e.push(FieldError::new(
                        "ethnicity",
                        "bad_choice",
                        format!("“{s}”不是规范的民族名称"),
                        format!("'{s}' is not a recognised ethnic group"),
                    ));
                }
                s
            }
        };
        let education = match self.education.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => {
                let found = Education::from_code(s).or_else(|| Education::ALL.iter().copied().find(|v| v.label().zh == s));
                if found.is_none() {
                    e.push(FieldError::new(
                        "education",
                        "bad_choice",
                        format!("“{s}”不是有效的学历"),
                        format!("'{s}' is not a valid education level"),
                    ));
                }
                found
            }
        };
        let occupation = e.opt_text("occupation", "职业", self.occupation.as_deref(), 40);
        let phone = e.opt_text("phone", "联系电话", self.phone.as_deref(), 20);
        if let Some(p) = &phone {
            if !phone_is_valid(p) {
                e.push(FieldError::new(
                    "phone",
                    "bad_format",
                    "联系电话格式不正确(手机号11位,或区号-号码)",
                    "phone must be an 11-digit mobile or area-code-number",
                ));
            }
        }
        let address = e.opt_text("address", "住址", self.address.as_deref(), 120);
        let kind = match self.kind.trim() {
            "" => PersonKind::Member,
            s => match PersonKind::from_code(s).or_else(|| PersonKind::ALL.iter().copied().find(|v| v.label().zh == s)) {
                Some(k) => k,
                None => {
                    e.push(FieldError::new("kind", "bad_choice", "人员类别无效", "invalid kind of person"));
                    PersonKind::Member
                }
            },
        };
        let joined = e.opt_date("joined_on", "入党日期", self.joined_on.as_deref());
        if let Some(j) = joined {
            if j > today {
                e.push(FieldError::new("joined_on", "out_of_range", "入党日期不能晚于今天", "join date cannot be in the future"));
            }
            if let Some(b) = birth {
                if age_on(b, j) < 18 {
                    e.push(FieldError::new("joined_on", "out_of_range", "入党时应年满十八岁", "a member joins at 18 or older"));
                }
            }
        }
        let id_number = e.opt_text("id_number", "身份证号", self.id_number.as_deref(), 18).map(|s| s.to_ascii_uppercase());
        if let Some(id) = &id_number {
            if !id_number_is_valid(id) {
                e.push(FieldError::new(
                    "id_number",
                    "bad_format",
                    "身份证号无效(18位,末位校验码)",
                    "identity number is not valid (18 characters with check digit)",
                ));
            } else if let (Some(b), Some(idb)) = (birth, birth_date_from_id(id)) {
                if b != idb {
                    e.push(FieldError::new(
                        "id_number",
                        "mismatch",
                        "身份证号中的出生日期与填写的出生日期不一致",
                        "the birth date in the identity number differs from the birth date given",
                    ));
                }
            }
        }
        if self.org_id <= 0 {
            e.push(FieldError::required("org_id", "所属组织"));
        }
        e.finish()?;
        // A birth date missing on the form is taken from the identity number.
        let birth = birth.or_else(|| id_number.as_deref().and_then(birth_date_from_id));
        Ok(ValidPerson {
            name,
            gender: gender.unwrap_or(Gender::Male),
            birth_date: birth.map(fmt_date),
            ethnicity,
            education,
            occupation,
            phone,
            address,
            org_id: self.org_id,
            kind,
            joined_on: joined.map(fmt_date),
            id_number,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    #[test]
    fn identity_numbers_are_checked_and_masked() {
        let id = with_check_char("43100219800101123");
        assert!(id_number_is_valid(&id));
        assert_eq!(birth_date_from_id(&id), Some(date!(1980 - 01 - 01)));
        let mut bad = id.clone();
        bad.replace_range(17..18, if id.ends_with('0') { "1" } else { "0" });
        assert!(!id_number_is_valid(&bad));
        assert!(!id_number_is_valid("4310021980010112"));
        assert_eq!(mask_id_number(&id), format!("431002********{}", &id[14..]));
        assert_eq!(mask_phone("13812345678"), "138****5678");
    }

    #[test]
    fn phones() {
        assert!(phone_is_valid("13812345678"));
        assert!(phone_is_valid("0735-2223344"));
        assert!(!phone_is_valid("2223344"));
        assert!(!phone_is_valid("23812345678"));
    }

    #[test]
    fn ages_count_whole_years() {
        assert_eq!(age_on(date!(1990 - 11 - 23), TODAY), 35);
        assert_eq!(age_on(date!(1990 - 11 - 22), TODAY), 36);
    }

    fn good() -> PersonInput {
        PersonInput {
            name: "李桂英".into(),
            gender: "女".into(),
            birth_date: Some("1975/6/3".into()),
            ethnicity: Some("壮".into()),
            education: Some("高中/中专".into()),
            phone: Some("13907351234".into()),
            org_id: 7,
            kind: "member".into(),
            joined_on: Some("2001-07-01".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_person_is_normalised() {
        let v = good().validate(TODAY).unwrap();
        assert_eq!(v.gender, Gender::Female);
        assert_eq!(v.birth_date.as_deref(), Some("1975-06-03"));
        assert_eq!(v.ethnicity, "壮族");
        assert_eq!(v.education, Some(Education::Senior));
    }

    #[test]
    fn every_bad_field_is_reported_in_chinese() {
        let mut p = good();
        p.name = "".into();
        p.gender = "X".into();
        p.phone = Some("12345".into());
        p.ethnicity = Some("火星".into());
        p.joined_on = Some("1980-01-01".into());
        p.id_number = Some("123".into());
        let DomainError::Invalid(errs) = p.validate(TODAY).unwrap_err() else { panic!() };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "gender", "ethnicity", "phone", "joined_on", "id_number"]);
        assert!(errs.iter().all(|e| !e.zh.is_empty() && !e.en.is_empty()));
    }

    #[test]
    fn id_number_must_agree_with_birth_date() {
        let mut p = good();
        p.id_number = Some(with_check_char("43100219800101123"));
        let DomainError::Invalid(errs) = p.validate(TODAY).unwrap_err() else { panic!() };
        assert_eq!(errs[0].code, "mismatch");
        p.birth_date = None;
        let v = p.validate(TODAY).unwrap();
        assert_eq!(v.birth_date.as_deref(), Some("1980-01-01"));
    }
}
