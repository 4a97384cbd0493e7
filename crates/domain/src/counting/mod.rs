//! The counting engine: the teller's `lianxin count` and the web use the same functions.
//! A counting request is a JSON object whose `kind` says what is counted (format in
//! `docs/count.md`); every rule comes from `../shared/rules.md` and names its ID.
//!
//! - [`fraction`]: thresholds as integer fractions, strict or inclusive (rules.md §0.4).
//! - [`decision`]: quorum and passing of a motion (R-B3, R-B4, R-B7, R-K1..R-K3).
//! - [`appraisal`]: democratic appraisal counts, shares, flags (R-L1..R-L3).
//! - [`election`]: quorum, ballot and election validity, threshold, ties, 另行选举 (R-A..R-G, R-I3).
//! - [`surplus`]: how many candidates a slate needs (差额, R-H).
//! - [`two_ballot`]: 两票制, the trust vote before the members' election (R-I4).
//! - [`patterns`]: paper ballots as a CSV of patterns, read into the election's ballots.

pub mod appraisal;
pub mod decision;
pub mod election;
pub mod fraction;
pub mod patterns;
pub mod surplus;
pub mod two_ballot;

use crate::{DomainError, FieldError};

fn bad(zh: String, en: String) -> DomainError {
    DomainError::invalid(FieldError::new("request", "invalid", zh, en))
}

/// Counts one request given as JSON text and answers as JSON.
pub fn count_json(text: &str) -> Result<serde_json::Value, DomainError> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(format!("不是有效的 JSON:{e}"), format!("not valid JSON: {e}")))?;
    let kind = v.get("kind").and_then(|k| k.as_str()).unwrap_or("").to_string();
    let parse = |e: serde_json::Error| bad(format!("“{kind}”请求的格式不对:{e}"), format!("the “{kind}” request is malformed: {e}"));
    let out = match kind.as_str() {
        "decision" => serde_json::to_value(decision::count(&serde_json::from_value(v).map_err(parse)?)?),
        "appraisal" => serde_json::to_value(appraisal::count(&serde_json::from_value(v).map_err(parse)?)?),
        "election" => serde_json::to_value(election::count(&serde_json::from_value(v).map_err(parse)?)?),
        "two_ballot" => serde_json::to_value(two_ballot::count(&serde_json::from_value(v).map_err(parse)?)?),
        "candidate_surplus" => serde_json::to_value(surplus::count(&serde_json::from_value(v).map_err(parse)?)?),
        "" => {
            return Err(bad(
                "缺少 kind(decision、appraisal、election、two_ballot 或 candidate_surplus)".into(),
                "missing kind (decision, appraisal, election, two_ballot or candidate_surplus)".into(),
            ))
        }
        k => return Err(bad(format!("未知的 kind“{k}”"), format!("unknown kind “{k}”"))),
    };
    out.map_err(|e| bad(e.to_string(), e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::count_json;

    #[test]
    fn requests_are_dispatched_by_kind_and_malformed_ones_refused() {
        let r = count_json(
            r#"{"kind":"decision","method":"party_branch_resolution","members_expected":20,"present":14,"votes":{"yes":11,"no":2,"abstain":1}}"#,
        )
        .unwrap();
        assert_eq!((r["quorum_met"].as_bool(), r["passed"].as_bool(), r["pass_threshold_min_yes"].as_u64()), (Some(true), Some(true), Some(11)));
        for bad in [
            "not json",
            r#"{"method":"x"}"#,
            r#"{"kind":"decision","method":"party_branch_resolution","members_expected":20,"present":14,"votes":{"yes":11},"typo":1}"#,
            r#"{"kind":"decision","method":"party_branch_resolution","members_expected":-1,"present":14,"votes":{"yes":11,"no":0}}"#,
            r#"{"kind":"election"}"#,
            r#"{"kind":"election","method":"party_grassroots","seats":1,"candidates":["甲"],"eligible_voters":5,"voters_present":5,"ballots":[{"count":-1}]}"#,
            r#"{"kind":"candidate_surplus","post":"village_committee"}"#,
            r#"{"kind":"two_ballot","seats":1}"#,
        ] {
            assert!(count_json(bad).is_err(), "{bad}");
        }
    }
}
