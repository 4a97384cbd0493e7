//! The demo's election (seeds 000 and 004: 差额 elections with open nomination and public
//! notice): the town congress adds two members to its committee at the planned plenary. The
//! nominations came from the members and the organisation, were reviewed, and the three
//! candidates' notice has ended, so the next step on the page is the vote. Written through the
//! store's own functions, dated in the days before the demo's today.

use crate::congress::{self, Body};
use crate::db::{q, RowExt};
use crate::elections::{self, ElectionDraft, NominationInput, PostInput};
use crate::{meetings, Change, Result, Store};
use lianxin_domain::counting::election::Exclusion;
use lianxin_domain::election::NominationStatus;

const DAY: i64 = 86_400_000;

/// Builds the town's election; returns how many elections it made.
pub(crate) async fn build(store: &Store, now: &Change, body_id: i64) -> Result<usize> {
    let body: Body = congress::body(store, body_id).await?;
    let today = lianxin_domain::error::fmt_date(now.today());
    let Some(term) = congress::current_term(store, &body, &today).await? else { return Ok(0) };
    let plenary = meetings::list(store, &body).await?.into_iter().filter(|m| m.kind == "plenary").max_by(|a, b| a.on_date.cmp(&b.on_date));
    // members of the town not on its committee, as nominees
    let people: Vec<(i64, String)> = q(
        "SELECT id, name FROM people WHERE tenant_id = $1 AND kind = 'member' AND id NOT IN \
         (SELECT person_id FROM committee_members WHERE tenant_id = $1 AND term_id = $2) ORDER BY id LIMIT 3",
        [body.tenant_id.into(), term.id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| (r.i("id"), r.s("name")))
    .collect();
    if people.len() < 3 {
        return Ok(0);
    }
    let at = |days: i64| Change::new(now.actor_id, now.actor_name.clone(), now.now_ms - days * DAY);
    let draft = ElectionDraft {
        title: "增补两名镇党委委员".into(),
        target: "committee".into(),
        method: "party_grassroots".into(),
        by_election: true,
        min_size: Some(3),
        meeting_id: plenary.map(|m| m.id),
        posts: vec![PostInput {
            name: "委员".into(),
            roster_post: "member".into(),
            seats: 2,
            slate: "party_grassroots_committee".into(),
            constituency: None,
        }],
        ..Default::default()
    };
    let e = elections::create(store, &body, &term, &draft, &at(20)).await?;
    let post = elections::posts(store, &e).await?[0].clone();
    let e = elections::open_nominations(store, &e, &at(18)).await?;
    elections::add_exclusion(
        store,
        &e,
        &Exclusion { name: "在外务工党员(深圳)".into(), ground: "away".into(), higher_approved: true, meeting_approved: true },
        &at(17),
    )
    .await?;
    let sources = [("organisation", 1), ("members", 14), ("members", 11)];
    let profiles = [
        "村党支部书记,连续两届镇党代表,牵头灌溉水渠修缮。",
        "镇农技站技术员,驻村指导蔬菜基地,党员联名推荐。",
        "返乡创业青年,合作社负责人,党员联名推荐。",
    ];
    let mut names = Vec::new();
    for (k, (pid, _)) in people.iter().enumerate() {
        let n = elections::nominate(
            store,
            &e,
            &NominationInput {
                post_id: post.id,
                person_id: Some(*pid),
                source: sources[k].0.into(),
                support: sources[k].1,
                profile: profiles[k].into(),
                statement: "如当选,将坚持每月到联系村走访,按期答复群众诉求。".into(),
                ..Default::default()
            },
            &at(16),
        )
        .await?;
        elections::review(store, &e, n.id, NominationStatus::Qualified, "", &at(12)).await?;
        names.push(n.name);
    }
    // in notice from twelve days ago to five days ago; the vote is the next step
    let until = lianxin_domain::error::fmt_date(at(5).today());
    elections::publish_list(store, &e, &[(post.id, names)], &until, &at(12)).await?;
    Ok(1)
}
