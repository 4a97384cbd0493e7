//! Meetings and votes in the API (issue 5). Casting is the one route that reads nothing
//! before it writes: the ballot pass (fetched with `GET /meetings/{id}/pass`, or embedded in
//! the ballot page) says who casts, and stands for the CSRF token since no other site can
//! know it; the ballot goes to the group-commit writer, which checks that the delegate is
//! present with a vote and the vote open, and answers after the commit.

use super::{ApiError, ApiResult, Body, Caller};
use crate::error::WebError;
use crate::pages::meetings::{issue_pass, meeting_part};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use lianxin_domain::ballot::{Choices, Mark, Pass, VoteKind, VoteStatus};
use lianxin_domain::Lang;
use lianxin_store::meetings::{self, Cast};
use lianxin_store::Change;
use serde::Deserialize;
use serde_json::{json, Value};

/// A meeting: attendance and its votes with their progress (results once closed).
pub async fn meeting(State(state): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult {
    let (m, _, _) = meeting_part(&state, &c.0, id).await.map_err(|e| c.err(e))?;
    let att = meetings::attendance(&state.store, &m).await.map_err(|e| c.err(e))?;
    let voted = meetings::voted_per_vote(&state.store, &m).await.map_err(|e| c.err(e))?;
    let votes: Vec<Value> =
        meetings::votes(&state.store, &m).await.map_err(|e| c.err(e))?.iter().map(|x| vote_json(x, voted.get(&x.id).copied().unwrap_or(0))).collect();
    Ok(Json(json!({"meeting": m, "attendance": att, "votes": votes})))
}

fn vote_json(x: &meetings::Vote, voted: u64) -> Value {
    json!({
        "id": x.id, "meeting_id": x.meeting_id, "title": x.title, "kind": x.question.kind, "items": x.question.items,
        "max_choices": x.question.max_choices, "secret": x.secret, "status": x.status, "voted": voted,
        "result": if x.status() == VoteStatus::Closed { x.result.clone() } else { None },
    })
}

/// A vote, with its result once closed.
pub async fn vote(State(state): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult {
    let x = meetings::vote(&state.store, id).await.map_err(|e| c.err(e))?;
    meeting_part(&state, &c.0, x.meeting_id).await.map_err(|e| c.err(e))?;
    let voted = meetings::voted(&state.store, &x).await.map_err(|e| c.err(e))?;
    Ok(Json(vote_json(&x, voted)))
}

/// The caller's ballot pass for a meeting: they must be a delegate of its term.
pub async fn pass(State(state): State<AppState>, c: Caller, headers: HeaderMap, Path(id): Path<i64>) -> ApiResult {
    let (m, _, pt) = meeting_part(&state, &c.0, id).await.map_err(|e| c.err(e))?;
    let me = pt.delegate.ok_or_else(|| c.err(WebError::Forbidden))?;
    let credential = crate::auth::credential(&headers).ok_or_else(|| c.err(WebError::Unauthorized))?;
    let pass = issue_pass(&state, m.id, me, credential).await.map_err(|e| c.err(e))?;
    Ok(Json(json!({"pass": pass, "meeting_id": m.id, "delegate_id": me, "expires_in_ms": crate::hall::PASS_TTL_MS})))
}

#[derive(Deserialize)]
pub struct CastBody {
    pass: String,
    /// motion: a mark per item ("yes", "no", "abstain"); choice: the indices chosen;
    /// appraisal: a grade per person appraised, 0 = 优秀 … 3 = 不称职; election:
    /// `{"marks": [a mark per candidate], "write_ins": ["name written in", …]}`.
    choices: Value,
}

/// Casts a ballot. Answers `{"status": "in", "receipt": …}` once it is on disk, or
/// `{"status": "already_in"}` when this delegate's ballot was in before (a phone sending
/// again): nothing is added.
pub async fn cast(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<i64>, Body(b): Body<CastBody>) -> ApiResult {
    let lang = crate::auth::cookie(&headers, crate::auth::LANG_COOKIE).map(Lang::parse).unwrap_or_default();
    let err = |e: WebError| ApiError(e, lang);
    let credential = crate::auth::credential(&headers).ok_or_else(|| err(WebError::Unauthorized))?;
    let key = state.hall.pass_key(&state).await.map_err(err)?;
    let expired = || WebError::Conflict {
        zh: "选票已失效,请刷新页面后再投".into(),
        en: "this ballot has expired or belongs to another sign-in: reload the page and vote again".into(),
    };
    let pass = Pass::verify(&b.pass, key, credential, state.now_ms()).ok_or_else(|| err(expired()))?;
    let x = state.hall.vote(&state, id).await.map_err(err)?;
    if x.meeting_id != pass.meeting_id {
        return Err(err(expired()));
    }
    let bad = || err(WebError::BadRequest(lang.pick("选票格式不对", "malformed choices").into()));
    let choices = match x.question.kind {
        VoteKind::Motion => Choices::Marks(serde_json::from_value::<Vec<Mark>>(b.choices).map_err(|_| bad())?),
        VoteKind::Choice => Choices::Chosen(serde_json::from_value(b.choices).map_err(|_| bad())?),
        VoteKind::Appraisal => Choices::Grades(serde_json::from_value(b.choices).map_err(|_| bad())?),
        VoteKind::Election => {
            #[derive(serde::Deserialize)]
            struct B {
                marks: Vec<Mark>,
                #[serde(default)]
                write_ins: Vec<String>,
            }
            let b: B = serde_json::from_value(b.choices).map_err(|_| bad())?;
            Choices::Ballot { marks: b.marks, write_ins: b.write_ins }
        }
    };
    let change = Change::new(None, "投票人 / voter", state.now_ms());
    let out = meetings::cast(&state.store, &x, pass.delegate_id, &choices, &change).await.map_err(|e| err(e.into()))?;
    state.hall.poke(x.meeting_id);
    Ok(Json(match out {
        Cast::Receipt(r) => json!({"status": "in", "receipt": r}),
        Cast::AlreadyIn => json!({"status": "already_in"}),
    }))
}
