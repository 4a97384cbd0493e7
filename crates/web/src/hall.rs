//! What the server keeps in memory for a meeting in session, so that a hall of delegates can
//! vote within one second and a projector and thousands of phones can watch:
//!
//! - the key that signs ballot passes (`lianxin_domain::ballot::Pass`), shared through the
//!   database by every server;
//! - the votes' questions, which never change once made, so a cast reads nothing first;
//! - one live hall-screen state per meeting, computed once a second (sooner after a local
//!   check-in or ballot) however many screens are watching, and handed to each of them.

use crate::error::{WebError, WebResult};
use crate::AppState;
use lianxin_domain::Id;
use lianxin_store::meetings::{self, Meeting, Vote};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Notify, OnceCell};

/// How long a ballot pass lasts: a meeting day.
pub const PASS_TTL_MS: i64 = 12 * 3600 * 1000;

#[derive(Default)]
pub struct Hall {
    pass_key: OnceCell<Vec<u8>>,
    votes: Mutex<HashMap<Id, Arc<OnceCell<Arc<Vote>>>>>,
    screens: Mutex<HashMap<Id, Screen>>,
}

#[derive(Clone)]
struct Screen {
    state: watch::Receiver<Arc<str>>,
    poke: Arc<Notify>,
}

impl Hall {
    /// The pass key, read (or made) once from the database.
    pub async fn pass_key(&self, state: &AppState) -> WebResult<&[u8]> {
        let key = self
            .pass_key
            .get_or_try_init(|| async {
                let hex = lianxin_store::users::server_secret(&state.store, "ballot_pass", state.now_ms()).await?;
                Ok::<_, WebError>(hex.into_bytes())
            })
            .await?;
        Ok(key)
    }

    /// A vote as far as casting needs it (its question, meeting and secrecy never change;
    /// whether it is open is decided where the ballot is written).
    pub async fn vote(&self, state: &AppState, id: Id) -> WebResult<Arc<Vote>> {
        // a hall opens a vote and two thousand phones ask at once: one of them reads it
        let cell = {
            let mut map = self.votes.lock().unwrap_or_else(|e| e.into_inner());
            if map.len() > 10_000 {
                map.clear();
            }
            map.entry(id).or_default().clone()
        };
        let v = cell.get_or_try_init(|| async { meetings::vote(&state.store, id).await.map(Arc::new) }).await;
        match v {
            Ok(v) => Ok(v.clone()),
            Err(e) => {
                self.votes.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
                Err(e.into())
            }
        }
    }

    /// Asks the meeting's screens to refresh now (after a check-in or a ballot here).
    pub fn poke(&self, meeting: Id) {
        if let Some(s) = self.screens.lock().unwrap_or_else(|e| e.into_inner()).get(&meeting) {
            s.poke.notify_one();
        }
    }

    /// The meeting's live screen state: its current value, then each change. The first
    /// watcher starts the refresher; it stops when the last watcher has gone.
    pub async fn watch(&self, state: &AppState, m: &Meeting) -> WebResult<watch::Receiver<Arc<str>>> {
        if let Some(s) = self.screens.lock().unwrap_or_else(|e| e.into_inner()).get(&m.id) {
            return Ok(s.state.clone());
        }
        let first: Arc<str> = screen_state(state, m).await?.to_string().into();
        let mut map = self.screens.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = map.get(&m.id) {
            return Ok(s.state.clone());
        }
        let (tx, rx) = watch::channel(first);
        let poke = Arc::new(Notify::new());
        map.insert(m.id, Screen { state: rx.clone(), poke: poke.clone() });
        drop(map);
        let (state, m) = (state.clone(), m.clone());
        tokio::spawn(async move {
            loop {
                // at most five refreshes a second, at least one
                tokio::time::sleep(Duration::from_millis(200)).await;
                let _ = tokio::time::timeout(Duration::from_millis(800), poke.notified()).await;
                let mut map = state.hall.screens.lock().unwrap_or_else(|e| e.into_inner());
                // the map holds one receiver: none other means nobody watches
                if tx.receiver_count() <= 1 {
                    map.remove(&m.id);
                    return;
                }
                drop(map);
                if let Ok(now) = screen_state(&state, &m).await {
                    let now = now.to_string();
                    tx.send_if_modified(|old| {
                        if **old == *now {
                            return false;
                        }
                        *old = now.into();
                        true
                    });
                }
            }
        });
        Ok(rx)
    }
}

/// What the hall screen shows, as JSON (also the payload of its live updates).
pub async fn screen_state(state: &AppState, m: &Meeting) -> WebResult<serde_json::Value> {
    let att = meetings::attendance(&state.store, m).await?;
    let mut votes = Vec::new();
    // the attendance and the roll's counts are read once for all the meeting's votes
    let voted_per_vote = meetings::voted_per_vote(&state.store, m).await?;
    for x in meetings::votes(&state.store, m).await? {
        let voted = voted_per_vote.get(&x.id).copied().unwrap_or(0);
        votes.push(
            serde_json::json!({"title": x.title, "status": x.status, "voted": voted, "of": att.present, "result": x.result.as_ref().map(on_screen)}),
        );
    }
    Ok(serde_json::json!({"expected": att.expected, "present": att.present, "leave": att.leave, "votes": votes}))
}

/// A result as the screen shows it: per item its counts and whether it passed (the reasons
/// are on the vote's page), so every screen's update stays small.
fn on_screen(r: &serde_json::Value) -> serde_json::Value {
    let items: Vec<serde_json::Value> = r["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    let mut o = serde_json::json!({"item": i["item"], "yes": i["yes"]});
                    for k in ["no", "abstain", "counts"] {
                        if !i[k].is_null() {
                            o[k] = i[k].clone();
                        }
                    }
                    if let Some(p) = i["decision"]["passed"].as_bool() {
                        o["passed"] = p.into();
                    }
                    o
                })
                .collect()
        })
        .unwrap_or_default();
    serde_json::json!({"ballots": r["ballots"], "void": r["void"], "items": items})
}
