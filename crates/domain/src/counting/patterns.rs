//! Paper ballots as a table of patterns (the tellers' tally sheet, saved from Excel as CSV or
//! .xlsx): one row per pattern, `count` identical ballots. The reading of the file is the
//! transport's job; this turns its rows into [`BallotPattern`]s and names the row and column of
//! anything it cannot read.
//!
//! ```text
//! 张数,张三,李四,王五,另选,废票
//! 5,赞成,赞成,不赞成,,
//! 2,,○,○,赵六,
//! 1,,,,,是
//! ```
//! Columns: `count`/`张数`; one per candidate (`post/name` or `post:name` for several posts);
//! `write_ins`/`另选` (names separated by 、 ; or |, per post `post/另选`); `void`/`废票`.
//! Marks: yes = `yes`, `赞成`, `同意`, `○`, `√`, `1`; no = `no`, `不赞成`, `反对`, `×`, `x`;
//! empty, `abstain`, `弃权` = abstain.

use super::election::{BallotPattern, Mark};
use crate::{DomainError, FieldError};

fn mark(cell: &str) -> Option<Mark> {
    Some(match cell.trim().to_lowercase().as_str() {
        "yes" | "y" | "赞成" | "同意" | "○" | "〇" | "o" | "√" | "✓" | "1" => Mark::Yes,
        "no" | "n" | "不赞成" | "反对" | "不同意" | "×" | "x" | "✗" | "0" => Mark::No,
        "" | "abstain" | "弃权" | "-" => Mark::Abstain,
        _ => return None,
    })
}

fn truthy(cell: &str) -> Option<bool> {
    match cell.trim().to_lowercase().as_str() {
        "" | "no" | "false" | "否" | "0" => Some(false),
        "yes" | "true" | "是" | "废" | "废票" | "1" | "void" => Some(true),
        _ => None,
    }
}

enum Col {
    Count,
    Void,
    WriteIns(Option<String>),
    Mark(Option<String>, String),
}

fn bad(row: usize, col: &str, zh: String, en: String) -> DomainError {
    DomainError::invalid(FieldError::new(
        format!("row {row}: {col}"),
        "invalid",
        format!("第 {row} 行“{col}”:{zh}"),
        format!("row {row}, “{col}”: {en}"),
    ))
}

/// Reads the rows (the first is the header) into ballot patterns. With `multi_post` false the
/// marks go to `marks`, otherwise to `post_marks`.
pub fn from_rows(rows: &[Vec<String>], multi_post: bool) -> Result<Vec<BallotPattern>, DomainError> {
    let Some(header) = rows.first() else {
        return Err(bad(1, "", "表格是空的".into(), "the table is empty".into()));
    };
    let mut cols = Vec::new();
    for h in header {
        let h = h.trim();
        let split = h.split_once('/').or_else(|| h.split_once(':')).or_else(|| h.split_once(':'));
        let (post, name) = match split {
            Some((p, n)) => (Some(p.trim().to_string()), n.trim()),
            None => (None, h),
        };
        if multi_post == post.is_none() && !matches!(name.to_lowercase().as_str(), "count" | "张数" | "void" | "废票") {
            return Err(bad(
                1,
                h,
                if multi_post {
                    "多个职务时列名写作“职务/姓名”".into()
                } else {
                    "只有一个职务时列名不带“职务/”".into()
                },
                if multi_post { "with several posts a column is “post/name”".into() } else { "with one post a column has no “post/”".into() },
            ));
        }
        cols.push(match name.to_lowercase().as_str() {
            "count" | "张数" => Col::Count,
            "void" | "废票" => Col::Void,
            "write_ins" | "另选" | "另选他人" => Col::WriteIns(post),
            "" => return Err(bad(1, h, "列名为空".into(), "a column has no name".into())),
            _ => Col::Mark(post, name.to_string()),
        });
    }
    if !cols.iter().any(|c| matches!(c, Col::Count)) {
        return Err(bad(1, "count", "缺少“张数”(count)列".into(), "there is no count (张数) column".into()));
    }
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(1) {
        let n = i + 1;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut b = BallotPattern::default();
        for (j, col) in cols.iter().enumerate() {
            let cell = row.get(j).map(String::as_str).unwrap_or("").trim();
            let h = header[j].trim();
            match col {
                Col::Count => {
                    b.count = cell.parse::<i64>().ok().filter(|c| *c >= 0).ok_or_else(|| {
                        bad(n, h, format!("“{cell}”不是张数(非负整数)"), format!("“{cell}” is not a count (a whole number, not negative)"))
                    })?;
                }
                Col::Void => {
                    b.void = truthy(cell).ok_or_else(|| bad(n, h, format!("“{cell}”应为“是”或空"), format!("“{cell}” should be yes or empty")))?
                }
                Col::WriteIns(post) => {
                    let names: Vec<String> = cell.split(['、', ';', ';', '|']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                    match post {
                        Some(p) if !names.is_empty() => b.post_write_ins.entry(p.clone()).or_default().extend(names),
                        Some(_) => {}
                        None => b.write_ins.extend(names),
                    }
                }
                Col::Mark(post, name) => {
                    let m = mark(cell)
                        .ok_or_else(|| bad(n, h, format!("“{cell}”不是赞成、不赞成或弃权"), format!("“{cell}” is not yes, no or abstain")))?;
                    if m == Mark::Abstain {
                        continue;
                    }
                    match post {
                        Some(p) => {
                            b.post_marks.entry(p.clone()).or_default().insert(name.clone(), m);
                        }
                        None => {
                            b.marks.insert(name.clone(), m);
                        }
                    }
                }
            }
        }
        out.push(b);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(t: &str) -> Vec<Vec<String>> {
        t.lines().map(|l| l.split(',').map(str::to_string).collect()).collect()
    }

    #[test]
    fn a_tally_sheet_becomes_patterns() {
        let p = from_rows(&rows("张数,张三,李四,王五,另选,废票\n5,赞成,赞成,不赞成,,\n2,,○,○,赵六,\n\n1,,,,,是"), false).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].count, 5);
        assert_eq!((p[0].marks["张三"], p[0].marks["王五"]), (Mark::Yes, Mark::No));
        assert_eq!(p[1].write_ins, vec!["赵六"]);
        assert!(!p[1].marks.contains_key("张三"), "an empty cell is an abstention");
        assert!(p[2].void);
    }

    #[test]
    fn several_posts_use_post_slash_name() {
        let p = from_rows(&rows("count,主任/甲,主任/乙,委员/丙,委员/write_ins\n3,yes,,yes,丁、戊"), true).unwrap();
        assert_eq!(p[0].post_marks["主任"]["甲"], Mark::Yes);
        assert_eq!(p[0].post_marks["委员"]["丙"], Mark::Yes);
        assert_eq!(p[0].post_write_ins["委员"], vec!["丁", "戊"]);
    }

    #[test]
    fn what_cannot_be_read_is_named_by_row_and_column() {
        let e = |t: &str| from_rows(&rows(t), false).unwrap_err().to_string();
        assert!(e("张数,张三\n-2,赞成").contains("row 2: 张数"));
        assert!(e("张数,张三\n2,也许").contains("row 2: 张三"));
        assert!(e("张三\n赞成").contains("count"));
        assert!(e("张数,主任/张三\n1,赞成").contains("主任/张三"));
        assert!(from_rows(&[], false).is_err());
    }
}
