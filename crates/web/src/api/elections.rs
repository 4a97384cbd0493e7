//! Elections in the API (issue 6): a body's elections, one election with its posts, list,
//! rounds and results, and the teller's counting engine (`POST /count`, the same requests as
//! `lianxin count`, docs/count.md).

use super::{ApiResult, Caller};
use crate::error::WebError;
use crate::pages::elections::{body_part, election_part};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use lianxin_store::elections;
use serde_json::{json, Value};

/// A body's elections, newest first.
pub async fn list(State(state): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult {
    let (body, _) = body_part(&state, &c.0, id).await.map_err(|e| c.err(e))?;
    let all = elections::list(&state.store, &body).await.map_err(|e| c.err(e))?;
    Ok(Json(
        json!({"elections": all.iter().map(|e| json!({"id": e.id, "title": e.title, "method": e.method, "status": e.status, "created_at": e.created_at})).collect::<Vec<_>>()}),
    ))
}

/// One election: posts (with what each needs next), nominations, the published list, rounds
/// with their counted results, the elected, and how many objections are open.
pub async fn show(State(state): State<AppState>, c: Caller, Path(id): Path<i64>) -> ApiResult {
    let (e, _, _) = election_part(&state, &c.0, id).await.map_err(|x| c.err(x))?;
    let s = &state.store;
    let err = |x: lianxin_store::StoreError| c.err(x);
    let mut posts = Vec::new();
    for p in elections::posts(s, &e).await.map_err(err)? {
        let st = elections::post_state(s, &e, &p).await.map_err(err)?;
        posts.push(json!({
            "post": p, "remaining_seats": st.remaining, "open_round": st.open_round, "vacant": st.vacant,
            "next_round": st.next.map(|(kind, seats, candidates)| json!({"kind": kind, "seats": seats, "candidates": candidates})),
        }));
    }
    let nominations: Vec<Value> = elections::nominations(s, &e)
        .await
        .map_err(err)?
        .iter()
        .map(|n| json!({"id": n.id, "post_id": n.post_id, "name": n.name, "person_id": n.person_id, "source": n.source, "support": n.support, "status": n.status, "review_note": n.review_note}))
        .collect();
    let open_objections = elections::objections(s, &e).await.map_err(err)?.iter().filter(|o| o.status == "received").count();
    Ok(Json(json!({
        "election": e,
        "posts": posts,
        "nominations": nominations,
        "candidates": elections::candidates(s, &e).await.map_err(err)?,
        "exclusions": elections::exclusions(s, &e).await.map_err(err)?,
        "rounds": elections::rounds(s, &e).await.map_err(err)?,
        "elected": elections::elected(s, &e).await.map_err(err)?,
        "open_objections": open_objections,
    })))
}

/// The teller's count over HTTP: a counting request (decision, appraisal, election,
/// two_ballot, candidate_surplus) in, the result out; a bad request is a 422 naming the field.
pub async fn count(c: Caller, Json(request): Json<Value>) -> ApiResult {
    lianxin_domain::counting::count_json(&request.to_string()).map(Json).map_err(|e| c.err(WebError::from(e)))
}
