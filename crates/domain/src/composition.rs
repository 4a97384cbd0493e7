//! The composition table of a body's delegates, as seed 001 prints it:
//! "农民代表 407 名，占 59.7%".

use crate::congress::DelegateCategory;
use crate::lang::{Coded, Lang};
use crate::person::{age_on, is_minority, Education, Gender};
use serde::Serialize;
use time::Date;

/// What the table needs to know of one delegate.
#[derive(Debug, Clone)]
pub struct Profile {
    pub category: DelegateCategory,
    pub gender: Gender,
    pub ethnicity: String,
    pub education: Option<Education>,
    pub birth_date: Option<Date>,
    pub org_name: String,
}

/// A count and its share, the share in tenths of a percent rounded half up
/// (407 of 682 → 597 → "59.7%"), computed in integers so it matches a hand count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Share {
    pub count: i64,
    pub total: i64,
    pub tenths: i64,
}

impl Share {
    pub fn of(count: i64, total: i64) -> Share {
        let tenths = if total <= 0 { 0 } else { (count * 2000 + total) / (2 * total) };
        Share { count, total, tenths }
    }
    /// `59.7%`
    pub fn percent(&self) -> String {
        format!("{}.{}%", self.tenths / 10, self.tenths % 10)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub share: Share,
}

#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub key: &'static str,
    pub title: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Composition {
    pub total: i64,
    pub on: String,
    pub sections: Vec<Section>,
    /// The sentence lines of seed 001: women, minorities, college and above, young.
    pub highlights: Vec<Row>,
}

/// Settings that shape the table. `youth_age_max` is inclusive: "35岁以下" counts 35-year-olds,
/// following the 以下-is-inclusive convention of `rules.md` §0.4.
#[derive(Debug, Clone, Copy)]
pub struct CompositionSettings {
    pub youth_age_max: i32,
}

impl Default for CompositionSettings {
    fn default() -> Self {
        CompositionSettings { youth_age_max: 35 }
    }
}

fn rows_from(counts: Vec<(String, String, i64)>, total: i64) -> Vec<Row> {
    counts.into_iter().filter(|(_, _, c)| *c > 0).map(|(key, label, c)| Row { key, label, share: Share::of(c, total) }).collect()
}

pub fn compose(profiles: &[Profile], on: Date, settings: CompositionSettings, lang: Lang) -> Composition {
    let total = profiles.len() as i64;
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();

    let by_category = DelegateCategory::ALL
        .iter()
        .map(|c| {
            let n = profiles.iter().filter(|p| p.category == *c).count() as i64;
            (c.code().to_string(), c.label().get(lang).to_string(), n)
        })
        .collect();

    let by_gender = Gender::ALL
        .iter()
        .map(|g| (g.code().to_string(), g.label().get(lang).to_string(), profiles.iter().filter(|p| p.gender == *g).count() as i64))
        .collect();

    let mut eth: Vec<(String, i64)> = Vec::new();
    for p in profiles {
        match eth.iter_mut().find(|(e, _)| *e == p.ethnicity) {
            Some((_, n)) => *n += 1,
            None => eth.push((p.ethnicity.clone(), 1)),
        }
    }
    eth.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let by_ethnicity = eth.into_iter().map(|(e, n)| (e.clone(), e, n)).collect();

    let young = settings.youth_age_max;
    let bands: [(&str, String, String, i32, i32); 4] = [
        ("young", format!("{young}岁及以下"), format!("{young} and under"), 0, young),
        ("mid", format!("{}-45岁", young + 1), format!("{}-45", young + 1), young + 1, 45),
        ("senior", "46-55岁".into(), "46-55".into(), 46, 55),
        ("elder", "56岁及以上".into(), "56 and over".into(), 56, 200),
    ];
    let mut by_age: Vec<(String, String, i64)> = bands
        .iter()
        .map(|(k, zh, en, lo, hi)| {
            let n = profiles.iter().filter(|p| p.birth_date.map(|b| (*lo..=*hi).contains(&age_on(b, on))).unwrap_or(false)).count() as i64;
            (k.to_string(), lang.pick(zh, en).to_string(), n)
        })
        .collect();
    by_age.push(("unknown".into(), t("未填出生日期", "birth date unknown"), profiles.iter().filter(|p| p.birth_date.is_none()).count() as i64));

    let mut by_education: Vec<(String, String, i64)> = Education::ALL
        .iter()
        .map(|e| (e.code().to_string(), e.label().get(lang).to_string(), profiles.iter().filter(|p| p.education == Some(*e)).count() as i64))
        .collect();
    by_education.push(("unknown".into(), t("未填", "unknown"), profiles.iter().filter(|p| p.education.is_none()).count() as i64));

    let mut orgs: Vec<(String, i64)> = Vec::new();
    for p in profiles {
        match orgs.iter_mut().find(|(o, _)| *o == p.org_name) {
            Some((_, n)) => *n += 1,
            None => orgs.push((p.org_name.clone(), 1)),
        }
    }
    orgs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let by_org = orgs.into_iter().map(|(o, n)| (o.clone(), o, n)).collect();

    let sections = vec![
        Section { key: "category", title: t("按界别", "By category"), rows: rows_from(by_category, total) },
        Section { key: "gender", title: t("按性别", "By gender"), rows: rows_from(by_gender, total) },
        Section { key: "ethnicity", title: t("按民族", "By ethnicity"), rows: rows_from(by_ethnicity, total) },
        Section { key: "age", title: t("按年龄", "By age"), rows: rows_from(by_age, total) },
        Section { key: "education", title: t("按学历", "By education"), rows: rows_from(by_education, total) },
        Section { key: "organisation", title: t("按组织", "By organisation"), rows: rows_from(by_org, total) },
    ];

    let count = |f: &dyn Fn(&Profile) -> bool| profiles.iter().filter(|p| f(p)).count() as i64;
    let highlights = vec![
        Row { key: "women".into(), label: t("妇女代表", "Women"), share: Share::of(count(&|p| p.gender == Gender::Female), total) },
        Row {
            key: "minority".into(), label: t("少数民族代表", "Ethnic minorities"), share: Share::of(count(&|p| is_minority(&p.ethnicity)), total)
        },
        Row {
            key: "college".into(),
            label: t("大专学历以上代表", "College-educated and above"),
            share: Share::of(count(&|p| p.education.map(Education::is_college_or_above).unwrap_or(false)), total),
        },
        Row {
            key: "young".into(),
            label: lang.pick(&format!("{young}岁以下代表"), &format!("Aged {young} and under")).to_string(),
            share: Share::of(count(&|p| p.birth_date.map(|b| age_on(b, on) <= young).unwrap_or(false)), total),
        },
    ];

    Composition { total, on: crate::error::fmt_date(on), sections, highlights }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn seed_001_percentages_match_the_report() {
        // 乡镇党代表682名: 领导干部113名 16.6%, 农民407名 59.7%, 大专以上163名 23.9%, 35岁以下165名 24.2%.
        assert_eq!(Share::of(113, 682).percent(), "16.6%");
        assert_eq!(Share::of(407, 682).percent(), "59.7%");
        assert_eq!(Share::of(163, 682).percent(), "23.9%");
        assert_eq!(Share::of(165, 682).percent(), "24.2%");
        // 县级党代表306名: 部队6名 2%, 领导干部153名 50%, 先进模范62名 20.3%, 专技85名 27.8%, 少数民族70名 22.9%.
        assert_eq!(Share::of(6, 306).percent(), "2.0%");
        assert_eq!(Share::of(153, 306).percent(), "50.0%");
        assert_eq!(Share::of(62, 306).percent(), "20.3%");
        assert_eq!(Share::of(85, 306).percent(), "27.8%");
        assert_eq!(Share::of(70, 306).percent(), "22.9%");
        assert_eq!(Share::of(0, 0).percent(), "0.0%");
        // half rounds up: 1 of 8 = 12.5%, 1 of 16 = 6.25% → 6.3%
        assert_eq!(Share::of(1, 16).percent(), "6.3%");
    }

    fn p(cat: DelegateCategory, g: Gender, eth: &str, edu: Option<Education>, birth: Option<Date>) -> Profile {
        Profile { category: cat, gender: g, ethnicity: eth.into(), education: edu, birth_date: birth, org_name: "下楣桥村".into() }
    }

    #[test]
    fn the_table_counts_every_dimension() {
        let on = date!(2026 - 01 - 01);
        let ps = vec![
            p(DelegateCategory::Farmer, Gender::Female, "壮族", Some(Education::Junior), Some(date!(1991 - 01 - 01))), // 35: young (inclusive)
            p(DelegateCategory::Farmer, Gender::Male, "汉族", Some(Education::Bachelor), Some(date!(1990 - 01 - 01))), // 36
            p(DelegateCategory::LeadingCadre, Gender::Male, "汉族", Some(Education::College), None),
        ];
        let c = compose(&ps, on, CompositionSettings::default(), Lang::Zh);
        assert_eq!(c.total, 3);
        let cat = &c.sections[0];
        assert_eq!(cat.rows[0].label, "领导干部");
        assert_eq!(cat.rows[1].share.count, 2);
        assert_eq!(cat.rows[1].share.percent(), "66.7%");
        let hl: Vec<(String, i64)> = c.highlights.iter().map(|r| (r.key.clone(), r.share.count)).collect();
        assert_eq!(hl, vec![("women".into(), 1), ("minority".into(), 1), ("college".into(), 2), ("young".into(), 1)]);
        let age = c.sections.iter().find(|s| s.key == "age").unwrap();
        assert_eq!(age.rows.iter().map(|r| r.share.count).sum::<i64>(), 3);
    }

    proptest! {
        /// Every section's counts add up to the total: nobody is lost or counted twice.
        #[test]
        fn sections_partition_the_delegates(specs in proptest::collection::vec((0usize..10, any::<bool>(), 0usize..3, 0usize..7, 0i32..80), 0..60)) {
            let on = date!(2026 - 01 - 01);
            let ps: Vec<Profile> = specs.iter().map(|(c, f, e, ed, age)| Profile {
                category: DelegateCategory::ALL[*c],
                gender: if *f { Gender::Female } else { Gender::Male },
                ethnicity: ["汉族", "壮族", "苗族"][*e].into(),
                education: Education::ALL.get(*ed).copied(),
                birth_date: if *age == 0 { None } else { Some(date!(1960 - 01 - 01).replace_year(1960 + age / 2).unwrap()) },
                org_name: format!("支部{}", c % 3),
            }).collect();
            let c = compose(&ps, on, CompositionSettings::default(), Lang::En);
            for s in &c.sections {
                prop_assert_eq!(s.rows.iter().map(|r| r.share.count).sum::<i64>(), ps.len() as i64, "{}", s.key);
            }
        }

        #[test]
        fn shares_are_bounded_and_monotone(count in 0i64..10_000, extra in 0i64..10_000) {
            let total = count + extra;
            let s = Share::of(count, total);
            prop_assert!(s.tenths >= 0 && s.tenths <= 1000);
            if total > 0 { prop_assert!(Share::of(count.min(total), total).tenths <= Share::of(total, total).tenths); }
        }
    }
}
