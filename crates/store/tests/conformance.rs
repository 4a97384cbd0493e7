//! The storage conformance suite: every test runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

use lianxin_domain::congress::{DelegateInput, QualificationChangeInput, TermInput};
use lianxin_domain::lang::Lang;
use lianxin_domain::org::OrgInput;
use lianxin_domain::person::{with_check_char, PersonInput};
use lianxin_domain::DomainError;
use lianxin_store::congress::{self, BodyInput, CommitteeInput, DelegateFilter, GroupInput};
use lianxin_store::db::{q, RowExt};
use lianxin_store::network::{self, LinkInput};
use lianxin_store::people::{self, PeopleFilter};
use lianxin_store::{audit, db_test, demo, migrate, orgs, reports, users, Change, PageReq, Store, StoreError};

const NOW: i64 = 1_795_000_000_000; // 2026-11-18

fn ch() -> Change {
    Change::new(Some(1), "测试员", NOW)
}

fn org(name: &str, kind: &str, parent: Option<i64>) -> OrgInput {
    OrgInput { name: name.into(), kind: kind.into(), category: "rural".into(), parent_id: parent, code: None }
}

fn member(name: &str, org_id: i64) -> PersonInput {
    PersonInput {
        name: name.into(), gender: "男".into(), birth_date: Some("1980-05-01".into()), org_id, kind: "member".into(), ..Default::default()
    }
}

fn invalid_fields(e: StoreError) -> Vec<String> {
    match e {
        StoreError::Domain(DomainError::Invalid(v)) => v.into_iter().map(|f| f.field).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn count(store: &Store, table: &'static str) -> i64 {
    let sql: &'static str = match table {
        "people" => "SELECT COUNT(*) AS n FROM people",
        "orgs" => "SELECT COUNT(*) AS n FROM orgs",
        "audit_log" => "SELECT COUNT(*) AS n FROM audit_log",
        "delegates" => "SELECT COUNT(*) AS n FROM delegates",
        _ => unreachable!(),
    };
    q(sql, []).fetch_one(&store.pool).await.unwrap().i("n")
}

/// A town with two branches, a body, a term, and three members.
struct Town {
    root: orgs::Org,
    b1: orgs::Org,
    b2: orgs::Org,
    body: congress::Body,
    term: congress::Term,
    people: Vec<people::Person>,
}

async fn town(store: &Store) -> Town {
    let root = orgs::create_root(store, &org("中共郴江镇委员会", "town_committee", None), &ch()).await.unwrap();
    let b1 = orgs::create(store, &org("下楣桥村党支部", "branch", Some(root.id)), &ch()).await.unwrap();
    let b2 = orgs::create(store, &org("七里洞村党支部", "branch", Some(root.id)), &ch()).await.unwrap();
    let body = congress::create_body(
        store,
        &BodyInput { org_id: root.id, name: "中共郴江镇代表大会".into(), kind: "party_congress".into(), ..Default::default() },
        &ch(),
    )
    .await
    .unwrap();
    let term =
        congress::create_term(store, &body, &TermInput { number: 2, starts_on: "2022-03-15".into(), ..Default::default() }, &ch()).await.unwrap();
    let mut ps = Vec::new();
    for (n, o) in [("李建国", b1.id), ("王桂英", b1.id), ("张德明", b2.id)] {
        ps.push(people::create(store, &member(n, o), &ch()).await.unwrap());
    }
    Town { root, b1, b2, body, term, people: ps }
}

db_test!(migrations_are_idempotent, |store| async move {
    assert!(migrate::run(&store).await.unwrap().is_empty());
    assert_eq!(migrate::current_version(&store).await.unwrap(), migrate::MIGRATIONS.len() as i64);
});

db_test!(the_tree_moves_whole_subtrees, |store| async move {
    let t = town(&store).await;
    let gb = orgs::create(&store, &org("第一党总支", "general_branch", Some(t.root.id)), &ch()).await.unwrap();
    let leaf = orgs::create(&store, &org("一组党小组", "branch", Some(t.b1.id)), &ch()).await.unwrap();
    assert_eq!(leaf.path, format!("/{}/{}/{}/", t.root.id, t.b1.id, leaf.id));
    assert_eq!(leaf.depth, 2);

    let moved = orgs::move_to(&store, t.b1.id, gb.id, &ch()).await.unwrap();
    assert_eq!(moved.path, format!("{}{}/", gb.path, t.b1.id));
    let leaf2 = orgs::get(&store, leaf.id).await.unwrap();
    assert_eq!(leaf2.path, format!("{}{}/", moved.path, leaf.id));
    assert_eq!(leaf2.depth, 3);
    assert_eq!(orgs::subtree(&store, t.root.tenant_id, &gb.path).await.unwrap().len(), 3);
    let anc = orgs::ancestors(&store, &leaf2).await.unwrap();
    assert_eq!(anc.iter().map(|o| o.id).collect::<Vec<_>>(), vec![t.root.id, gb.id, t.b1.id, leaf.id]);

    // under its own descendant: refused, nothing changed
    assert_eq!(invalid_fields(orgs::move_to(&store, gb.id, leaf.id, &ch()).await.unwrap_err()), vec!["parent_id"]);
    assert_eq!(orgs::get(&store, gb.id).await.unwrap().path, gb.path);
    // the people in a moved branch are found under the new parent
    let scoped = people::list(&store, t.root.tenant_id, &[Some(gb.path.clone())], &PeopleFilter::default(), PageReq::new(None, None)).await.unwrap();
    assert_eq!(scoped.total, 2);
});

db_test!(retiring_needs_an_empty_organisation, |store| async move {
    let t = town(&store).await;
    let err = orgs::retire(&store, t.b1.id, &ch()).await.unwrap_err();
    assert!(matches!(err, StoreError::Domain(DomainError::Conflict { .. })));
    let empty = orgs::create(&store, &org("空支部", "branch", Some(t.root.id)), &ch()).await.unwrap();
    let r = orgs::retire(&store, empty.id, &ch()).await.unwrap();
    assert_eq!(r.retired_on.as_deref(), Some("2026-11-18"));
    // a retired organisation takes no new people
    assert_eq!(invalid_fields(people::create(&store, &member("新人", empty.id), &ch()).await.unwrap_err()), vec!["org_id"]);
    assert!(orgs::retire(&store, t.root.id, &ch()).await.is_err());
});

db_test!(org_codes_are_unique_per_tree, |store| async move {
    let t = town(&store).await;
    let mut a = org("甲支部", "branch", Some(t.root.id));
    a.code = Some("CJ-01".into());
    orgs::create(&store, &a, &ch()).await.unwrap();
    a.name = "乙支部".into();
    assert_eq!(invalid_fields(orgs::create(&store, &a, &ch()).await.unwrap_err()), vec!["code"]);
});

db_test!(bad_people_are_refused_and_nothing_is_written, |store| async move {
    let t = town(&store).await;
    let before = (count(&store, "people").await, count(&store, "audit_log").await);
    let mut bad = member("", t.b1.id);
    bad.phone = Some("123".into());
    assert_eq!(invalid_fields(people::create(&store, &bad, &ch()).await.unwrap_err()), vec!["name", "phone"]);
    assert_eq!((count(&store, "people").await, count(&store, "audit_log").await), before);

    // identity numbers are unique within a tree
    let idn = with_check_char("43100219800501123");
    let mut a = member("周永红", t.b1.id);
    a.id_number = Some(idn.clone());
    people::create(&store, &a, &ch()).await.unwrap();
    let mut b = member("周永红二", t.b2.id);
    b.id_number = Some(idn);
    assert_eq!(invalid_fields(people::create(&store, &b, &ch()).await.unwrap_err()), vec!["id_number"]);
    assert_eq!(count(&store, "people").await, before.0 + 1);
});

db_test!(people_are_searched_filtered_paged_and_scoped, |store| async move {
    let t = town(&store).await;
    for i in 0..30 {
        let mut p = member(&format!("测试{i:02}"), if i % 2 == 0 { t.b1.id } else { t.b2.id });
        p.gender = if i % 3 == 0 { "女".into() } else { "男".into() };
        p.phone = Some(format!("139{:08}", i));
        people::create(&store, &p, &ch()).await.unwrap();
    }
    let all = [None];
    let page = people::list(&store, t.root.tenant_id, &all, &PeopleFilter::default(), PageReq::new(Some(2), Some(10))).await.unwrap();
    assert_eq!((page.total, page.items.len(), page.pages()), (33, 10, 4));
    let f = PeopleFilter { q: Some("测试1".into()), ..Default::default() };
    assert_eq!(people::list(&store, t.root.tenant_id, &all, &f, PageReq::new(None, None)).await.unwrap().total, 10);
    let f = PeopleFilter { gender: Some("F".into()), org_id: Some(t.b1.id), ..Default::default() };
    assert_eq!(people::list(&store, t.root.tenant_id, &all, &f, PageReq::new(None, None)).await.unwrap().total, 5);
    let f = PeopleFilter { q: Some("13900000007".into()), ..Default::default() };
    assert_eq!(people::list(&store, t.root.tenant_id, &all, &f, PageReq::new(None, None)).await.unwrap().items[0].name, "测试07");
    // a LIKE wildcard typed by a user is a literal
    let f = PeopleFilter { q: Some("%".into()), ..Default::default() };
    assert_eq!(people::list(&store, t.root.tenant_id, &all, &f, PageReq::new(None, None)).await.unwrap().total, 0);
    // scoped to one branch: only that branch; no scope at all: nothing
    let b2 = people::list(&store, t.root.tenant_id, &[Some(t.b2.path.clone())], &PeopleFilter::default(), PageReq::new(None, None)).await.unwrap();
    assert_eq!(b2.total, 16);
    assert!(b2.items.iter().all(|p| p.org_id == t.b2.id));
    assert_eq!(people::list(&store, t.root.tenant_id, &[], &PeopleFilter::default(), PageReq::new(None, None)).await.unwrap().total, 0);
    // a person's update is audited with before and after, the ID number masked
    let p = &t.people[0];
    let mut edit = member("李建国", t.b2.id);
    edit.id_number = Some(with_check_char("43100219800501555"));
    let after = people::update(&store, p.id, &edit, &ch()).await.unwrap();
    assert_eq!(after.org_id, t.b2.id);
    let log = audit::list(
        &store,
        &audit::AuditFilter { entity: Some("person".into()), entity_id: Some(p.id), ..Default::default() },
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(log.items[0].action, "update");
    assert!(log.items[0].before.as_deref().unwrap().contains(&t.b1.id.to_string()));
    assert!(log.items[0].after.as_deref().unwrap().contains("431002********"));
});

db_test!(terms_do_not_overlap, |store| async move {
    let t = town(&store).await;
    assert_eq!(t.term.ends_on, "2027-03-15");
    let e = congress::create_term(&store, &t.body, &TermInput { number: 3, starts_on: "2026-01-01".into(), ..Default::default() }, &ch())
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(e), vec!["starts_on"]);
    congress::create_term(&store, &t.body, &TermInput { number: 3, starts_on: "2027-03-15".into(), ..Default::default() }, &ch()).await.unwrap();
    let cur = congress::current_term(&store, &t.body, "2026-11-18").await.unwrap().unwrap();
    assert_eq!(cur.number, 2);
});

db_test!(qualification_changes_leave_vacancies_that_by_elections_fill, |store| async move {
    let t = town(&store).await;
    let grp = congress::create_group(&store, &t.term, &GroupInput { name: "第一代表小组".into(), leader_id: None }, &ch()).await.unwrap();
    let add = |pid: i64| DelegateInput { person_id: pid, category: "farmer".into(), group_id: Some(grp.id), ..Default::default() };
    let d1 = congress::add_delegate(&store, &t.term, &add(t.people[0].id), &ch()).await.unwrap();
    let d2 = congress::add_delegate(&store, &t.term, &add(t.people[1].id), &ch()).await.unwrap();
    // the same person twice in a term: refused
    assert_eq!(invalid_fields(congress::add_delegate(&store, &t.term, &add(t.people[0].id), &ch()).await.unwrap_err()), vec!["person_id"]);
    // a resident cannot be a party delegate
    let mut r = member("居民甲", t.b1.id);
    r.kind = "resident".into();
    let resident = people::create(&store, &r, &ch()).await.unwrap();
    assert!(congress::add_delegate(&store, &t.term, &add(resident.id), &ch()).await.is_err());

    congress::update_group(&store, grp.id, &GroupInput { name: "第一代表小组".into(), leader_id: Some(d1.id) }, &ch()).await.unwrap();
    assert_eq!(congress::group(&store, grp.id).await.unwrap().leader_name.as_deref(), Some("李建国"));

    // R-J7: transfer out stops duties; the seat is vacant and the leader steps down
    let (d1b, c) = congress::change_delegate_qualification(
        &store,
        d1.id,
        &QualificationChangeInput { reason: "transferred_out".into(), decided_on: "2026-05-01".into(), ..Default::default() },
        &ch(),
    )
    .await
    .unwrap();
    assert_eq!((d1b.status.as_str(), c.rule), ("duties_stopped", "R-J7"));
    assert!(d1b.is_vacancy());
    assert_eq!(congress::group(&store, grp.id).await.unwrap().leader_id, None);
    // R-J6: a warning does not terminate; nothing changes
    let e = congress::change_delegate_qualification(
        &store,
        d2.id,
        &QualificationChangeInput { reason: "sanction_warning".into(), decided_on: "2026-05-01".into(), ..Default::default() },
        &ch(),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, StoreError::Domain(DomainError::Conflict { .. })));
    assert_eq!(congress::delegate(&store, d2.id).await.unwrap().status, "active");

    let vac = DelegateFilter { vacant: Some(true), ..Default::default() };
    let list = congress::delegates(&store, &t.term, &[None], &vac, PageReq::new(None, None)).await.unwrap();
    assert_eq!(list.items.iter().map(|d| d.id).collect::<Vec<_>>(), vec![d1.id]);

    // R-J9: a by-election fills it, once
    let by = DelegateInput {
        person_id: t.people[2].id,
        category: "farmer".into(),
        origin: Some("by_election".into()),
        replaces_id: Some(d1.id),
        elected_on: Some("2026-06-01".into()),
        ..Default::default()
    };
    let d3 = congress::add_delegate(&store, &t.term, &by, &ch()).await.unwrap();
    assert_eq!(d3.origin, "by_election");
    assert!(congress::delegates(&store, &t.term, &[None], &vac, PageReq::new(None, None)).await.unwrap().items.is_empty());
    assert_eq!(congress::delegate(&store, d1.id).await.unwrap().replaced_by, Some(d3.id));
    let p4 = people::create(&store, &member("赵春生", t.b2.id), &ch()).await.unwrap();
    let again = DelegateInput { person_id: p4.id, ..by.clone() };
    assert!(congress::add_delegate(&store, &t.term, &again, &ch()).await.is_err());
    // nothing was deleted
    assert_eq!(count(&store, "delegates").await, 3);
    // filters
    let f = DelegateFilter { status: Some("active".into()), org_id: Some(t.b2.id), ..Default::default() };
    assert_eq!(congress::delegates(&store, &t.term, &[None], &f, PageReq::new(None, None)).await.unwrap().total, 1);
});

db_test!(the_network_keeps_history_and_measures_coverage, |store| async move {
    let t = town(&store).await;
    let grp = congress::create_group(&store, &t.term, &GroupInput { name: "第一代表小组".into(), leader_id: None }, &ch()).await.unwrap();
    let d = congress::add_delegate(
        &store,
        &t.term,
        &DelegateInput { person_id: t.people[0].id, category: "farmer".into(), group_id: Some(grp.id), ..Default::default() },
        &ch(),
    )
    .await
    .unwrap();
    let cm = congress::add_committee_member(
        &store,
        &t.term,
        &CommitteeInput { person_id: t.people[2].id, post: "secretary".into(), since: "2022-03-15".into() },
        &ch(),
    )
    .await
    .unwrap();
    let mut res = member("群众甲", t.b1.id);
    res.kind = "resident".into();
    let res = people::create(&store, &res, &ch()).await.unwrap();

    let l1 = network::create(
        &store,
        &LinkInput { kind: "committee_group".into(), from_id: cm.id, to_id: grp.id, starts_on: Some("2022-04-01".into()) },
        &ch(),
    )
    .await
    .unwrap();
    assert_eq!((l1.from_name.as_str(), l1.to_name.as_str()), ("张德明", "第一代表小组"));
    let l2 = network::create(
        &store,
        &LinkInput { kind: "delegate_member".into(), from_id: d.id, to_id: t.people[1].id, starts_on: Some("2022-04-01".into()) },
        &ch(),
    )
    .await
    .unwrap();
    network::create(
        &store,
        &LinkInput { kind: "member_resident".into(), from_id: t.people[1].id, to_id: res.id, starts_on: Some("2022-04-01".into()) },
        &ch(),
    )
    .await
    .unwrap();
    // duplicates, self-links and wrong ends are refused
    assert!(network::create(&store, &LinkInput { kind: "delegate_member".into(), from_id: d.id, to_id: t.people[1].id, starts_on: None }, &ch())
        .await
        .is_err());
    assert!(network::create(&store, &LinkInput { kind: "delegate_member".into(), from_id: d.id, to_id: t.people[0].id, starts_on: None }, &ch())
        .await
        .is_err());
    assert!(network::create(&store, &LinkInput { kind: "member_resident".into(), from_id: res.id, to_id: t.people[1].id, starts_on: None }, &ch())
        .await
        .is_err());

    let rep = reports::coverage_report(&store, &t.body, &t.term, "2026-11-18").await.unwrap();
    let c = &rep.coverage;
    assert_eq!(c.committee_with_group.percent(), "100.0%");
    // one member linked, the body wants 3: the delegate is a gap, with a name
    assert_eq!(c.delegates_with_members.count, 0);
    assert_eq!(c.gaps.delegates_short, vec![(d.id, 1)]);
    assert_eq!(rep.names.get(&d.id).map(|n| n.0.as_str()), Some("李建国"));
    assert_eq!(c.members_with_residents.percent(), "100.0%");

    // ending a link keeps it as history and drops it from coverage after the end date
    let ended = network::end(&store, l2.id, Some("2026-01-01"), &ch()).await.unwrap();
    assert_eq!(ended.ends_on.as_deref(), Some("2026-01-01"));
    assert!(network::end(&store, l2.id, None, &ch()).await.is_err());
    let hist = network::links_from(&store, t.root.tenant_id, network::LinkKind::DelegateMember, d.id, None).await.unwrap();
    assert_eq!(hist.len(), 1);
    assert!(network::links_from(&store, t.root.tenant_id, network::LinkKind::DelegateMember, d.id, Some("2026-11-18")).await.unwrap().is_empty());
    let past = reports::coverage_report(&store, &t.body, &t.term, "2025-06-01").await.unwrap();
    assert_eq!(past.coverage.gaps.delegates_short, vec![(d.id, 1)]);
    let now = reports::coverage_report(&store, &t.body, &t.term, "2026-11-18").await.unwrap();
    assert_eq!(now.coverage.gaps.delegates_short, vec![(d.id, 0)]);
});

db_test!(a_committee_member_who_leaves_is_kept_with_an_end_date, |store| async move {
    let t = town(&store).await;
    let grp = congress::create_group(&store, &t.term, &GroupInput { name: "第一代表小组".into(), leader_id: None }, &ch()).await.unwrap();
    let cm = congress::add_committee_member(
        &store,
        &t.term,
        &CommitteeInput { person_id: t.people[2].id, post: "member".into(), since: "2022-03-15".into() },
        &ch(),
    )
    .await
    .unwrap();
    network::create(
        &store,
        &LinkInput { kind: "committee_group".into(), from_id: cm.id, to_id: grp.id, starts_on: Some("2022-04-01".into()) },
        &ch(),
    )
    .await
    .unwrap();
    assert!(congress::end_committee_member(&store, cm.id, Some("2020-01-01"), &ch()).await.is_err());
    let left = congress::end_committee_member(&store, cm.id, Some("2026-06-30"), &ch()).await.unwrap();
    assert_eq!(left.until.as_deref(), Some("2026-06-30"));
    assert!(congress::end_committee_member(&store, cm.id, None, &ch()).await.is_err());
    // still on the record, no longer counted, and the group link ended with them
    assert_eq!(congress::committee(&store, &t.term).await.unwrap().len(), 1);
    let now = reports::coverage_report(&store, &t.body, &t.term, "2026-11-18").await.unwrap();
    assert_eq!(now.coverage.committee_with_group.total, 0);
    let before = reports::coverage_report(&store, &t.body, &t.term, "2026-01-01").await.unwrap();
    assert_eq!(before.coverage.committee_with_group.percent(), "100.0%");
    // the member can join again later in the term
    congress::add_committee_member(
        &store,
        &t.term,
        &CommitteeInput { person_id: t.people[2].id, post: "deputy".into(), since: "2026-09-01".into() },
        &ch(),
    )
    .await
    .unwrap();
});

db_test!(proposals_move_only_as_the_rules_allow, |store| async move {
    use lianxin_domain::proposal::{Action, DraftInput, Part, ReplyResult, Satisfaction};
    use lianxin_store::proposals::{self, ProposalFilter};
    let t = town(&store).await;
    let add = |pid: i64| DelegateInput { person_id: pid, category: "farmer".into(), ..Default::default() };
    let d1 = congress::add_delegate(&store, &t.term, &add(t.people[0].id), &ch()).await.unwrap();
    let d2 = congress::add_delegate(&store, &t.term, &add(t.people[1].id), &ch()).await.unwrap();
    let unit = orgs::create(&store, &org("镇农业综合服务中心", "unit", Some(t.root.id)), &ch()).await.unwrap();
    let mut body = congress::update_body(
        &store,
        t.body.id,
        &BodyInput { org_id: t.root.id, name: t.body.name.clone(), kind: "party_congress".into(), session_open: Some(true), ..Default::default() },
        &ch(),
    )
    .await
    .unwrap();
    assert!(body.session_open);
    body.session_open = true;
    let draft = DraftInput {
        kind: "proposal".into(),
        title: "改造七里洞学校".into(),
        category: "education".into(),
        reason: "校舍老旧".into(),
        grounds: "危房".into(),
        solution: "申请改造资金".into(),
    };
    let p = proposals::create_draft(&store, &body, &t.term, d1.id, &draft, &ch()).await.unwrap();
    // invalid input changes nothing
    let bad = DraftInput { title: "".into(), ..draft.clone() };
    assert!(proposals::update_draft(&store, p.id, &bad, &ch()).await.is_err());
    assert_eq!(proposals::get(&store, p.id).await.unwrap().title, "改造七里洞学校");
    proposals::invite(&store, p.id, d2.id, &ch()).await.unwrap();
    assert!(proposals::invite(&store, p.id, d2.id, &ch()).await.is_err(), "invited once");
    assert!(proposals::act(&store, p.id, Part::Proposer, &Action::Submit { window_open: true }, &ch()).await.is_err(), "an open invitation");
    proposals::answer_invitation(&store, p.id, d2.id, true, &ch()).await.unwrap();
    // two submissions at once: exactly one wins
    let (c1, c2, submit) = (ch(), ch(), Action::Submit { window_open: true });
    let (a, b) = tokio::join!(proposals::act(&store, p.id, Part::Proposer, &submit, &c1), proposals::act(&store, p.id, Part::Proposer, &submit, &c2));
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1);
    let p = proposals::get(&store, p.id).await.unwrap();
    assert_eq!(p.number.as_deref(), Some("2026-001"));
    // a second, similar one is merged into the first: its proposer follows
    let q2 = proposals::create_draft(
        &store,
        &body,
        &t.term,
        d2.id,
        &DraftInput { title: "七里洞学校危房改造".into(), kind: "suggestion".into(), reason: "危房".into(), ..Default::default() },
        &ch(),
    )
    .await
    .unwrap();
    proposals::act(&store, q2.id, Part::Proposer, &Action::Submit { window_open: true }, &ch()).await.unwrap();
    proposals::act(&store, q2.id, Part::Committee, &Action::MergeInto { lead: p.id }, &ch()).await.unwrap();
    assert_eq!(proposals::get(&store, q2.id).await.unwrap().merged_into, Some(p.id));
    proposals::act(&store, p.id, Part::Committee, &Action::Accept, &ch()).await.unwrap();
    assert!(proposals::act(
        &store,
        p.id,
        Part::Committee,
        &Action::Assign { lead_unit: t.b1.id, co_units: vec![t.b1.id], deadline_days: None },
        &ch()
    )
    .await
    .is_err());
    proposals::act(&store, p.id, Part::Committee, &Action::Assign { lead_unit: unit.id, co_units: vec![], deadline_days: None }, &ch())
        .await
        .unwrap();
    let inbox =
        proposals::list(&store, &body, &ProposalFilter { unit_paths: Some(vec![unit.path.clone()]), ..Default::default() }, PageReq::new(None, None))
            .await
            .unwrap();
    assert_eq!(inbox.items.iter().map(|x| x.id).collect::<Vec<_>>(), vec![p.id]);
    let far = lianxin_domain::proposal::day_number(ch().today()) + 200;
    let overdue =
        proposals::list(&store, &body, &ProposalFilter { overdue_on: Some(far), ..Default::default() }, PageReq::new(None, None)).await.unwrap();
    assert_eq!(overdue.total, 1);
    proposals::act(&store, p.id, Part::LeadUnit, &Action::Acknowledge, &ch()).await.unwrap();
    proposals::act(&store, p.id, Part::LeadUnit, &Action::Reply { result: ReplyResult::Solved, text: "已安排资金".into() }, &ch()).await.unwrap();
    proposals::act(&store, p.id, Part::Proposer, &Action::Rate { satisfaction: Satisfaction::Basic, comment: None }, &ch()).await.unwrap();
    let done = proposals::get(&store, p.id).await.unwrap();
    assert_eq!((done.status.as_str(), done.satisfaction.as_deref()), ("closed", Some("basic")));
    let signers = proposals::signers(&store, &done).await.unwrap();
    assert_eq!(signers.len(), 2);
    // notices: each proposer hears of each decision and the reply (the merged one's too,
    // R-M3), the unit of its assignment; each person once per step
    use lianxin_domain::access::{Actor, Grant, Role};
    use lianxin_store::notices;
    let person = |id: i64| Actor { user_id: 0, username: "x".into(), display_name: "x".into(), person_id: Some(id), grants: vec![] };
    let kinds = |a: Actor| {
        let store = store.clone();
        async move { notices::list(&store, &a, PageReq::new(None, None)).await.unwrap().items.into_iter().rev().map(|n| n.kind).collect::<Vec<_>>() }
    };
    assert_eq!(kinds(person(d1.person_id)).await, ["accepted", "replied"]);
    assert_eq!(kinds(person(d2.person_id)).await, ["invited", "merged", "accepted", "replied"]);
    let handler =
        Actor { person_id: None, grants: vec![Grant { role: Role::HandlingUnit, scope_path: Some(unit.path.clone()), body_id: None }], ..person(0) };
    assert_eq!(kinds(handler.clone()).await, ["assigned"]);
    assert_eq!(kinds(person(t.people[2].id)).await, Vec::<String>::new(), "nobody else's");
    let d2_actor = person(d2.person_id);
    assert_eq!(notices::unread(&store, &d2_actor).await.unwrap(), 4);
    let first = notices::list(&store, &d2_actor, PageReq::new(None, None)).await.unwrap().items[0].clone();
    assert!(notices::open(&store, &handler, first.id, 1).await.unwrap().is_none(), "not the unit's to open");
    assert_eq!(notices::open(&store, &d2_actor, first.id, 1).await.unwrap().map(|n| n.link), Some(format!("/proposals/{}", p.id)));
    assert_eq!(notices::unread(&store, &d2_actor).await.unwrap(), 3);
    assert_eq!(notices::read_all(&store, &d2_actor, 2).await.unwrap(), 3);
    assert_eq!(notices::unread(&store, &d2_actor).await.unwrap(), 0);
    let st = proposals::stats(&store, &body, &proposals::Period::year(Some(2026)), lianxin_domain::proposal::day_number(ch().today())).await.unwrap();
    assert_eq!((st.total, st.replied, st.on_time, st.rated, st.basic), (2, 1, 1, 1, 1));
    assert_eq!(proposals::stats(&store, &body, &proposals::Period::year(Some(2025)), 0).await.unwrap().total, 0);
    // the list filters by term, year submitted and lead unit
    let count = |f: ProposalFilter| {
        let (store, body) = (store.clone(), body.clone());
        async move { proposals::list(&store, &body, &f, PageReq::new(None, None)).await.unwrap().total }
    };
    assert_eq!(count(ProposalFilter { term: Some(t.term.id), ..Default::default() }).await, 2);
    assert_eq!(count(ProposalFilter { term: Some(t.term.id + 1), ..Default::default() }).await, 0);
    assert_eq!(count(ProposalFilter { year: Some(2026), ..Default::default() }).await, 2);
    assert_eq!(count(ProposalFilter { year: Some(2025), ..Default::default() }).await, 0);
    assert_eq!(count(ProposalFilter { unit: Some(unit.id), year: Some(2026), ..Default::default() }).await, 1);
    // per term (届): this term's proposals, none in another
    let this_term = proposals::Period { year: None, term: Some(t.term.id) };
    assert_eq!(proposals::stats(&store, &body, &this_term, 0).await.unwrap().total, 2);
    assert_eq!(proposals::stats(&store, &body, &proposals::Period { year: Some(2026), term: Some(t.term.id + 1) }, 0).await.unwrap().total, 0);
    // search finds both by a word of the title and by the reply; similar finds the duplicate
    use lianxin_store::search;
    let hits = search::search(&store, t.root.tenant_id, body.id, "学校", 10).await.unwrap();
    assert_eq!(hits.len(), 2);
    let hits = search::search(&store, t.root.tenant_id, body.id, "安排资金", 10).await.unwrap();
    assert_eq!(hits.first().map(|h| h.id), Some(p.id), "found by its reply");
    assert!(search::search(&store, t.root.tenant_id, body.id, "水渠", 10).await.unwrap().is_empty());
    let sim = search::similar(&store, t.root.tenant_id, body.id, p.id, 5).await.unwrap();
    assert_eq!(sim.iter().map(|h| h.id).collect::<Vec<_>>(), vec![q2.id]);
    // attachments: the type must match the content, 5 MB at most, nothing on a finished item;
    // a text file's words are searchable
    assert!(proposals::attach(&store, q2.id, "a.txt", b"x".to_vec(), &ch()).await.is_err(), "q2 is merged, finished");
    assert!(proposals::attach(&store, p.id, "a.txt", b"x".to_vec(), &ch()).await.is_err(), "p is closed");
    let open = proposals::create_draft(
        &store,
        &body,
        &t.term,
        d1.id,
        &DraftInput { title: "村级公益事业".into(), kind: "suggestion".into(), reason: "x".into(), ..Default::default() },
        &ch(),
    )
    .await
    .unwrap();
    let e = proposals::attach(&store, open.id, "photo.png", b"not a png".to_vec(), &ch()).await.unwrap_err();
    assert!(matches!(e, StoreError::Domain(DomainError::Invalid(_))));
    assert!(proposals::attach(&store, open.id, "big.txt", vec![b'a'; lianxin_store::files::MAX_BYTES + 1], &ch()).await.is_err());
    let a = proposals::attach(&store, open.id, "调研报告.txt", "群众反映路灯不亮".as_bytes().to_vec(), &ch()).await.unwrap();
    let png = proposals::attach(&store, open.id, "现场.png", b"\x89PNG\r\n\x1a\n0000".to_vec(), &ch()).await.unwrap();
    assert_eq!(proposals::attachments(&store, &open).await.unwrap().len(), 2);
    let (name, ct, data) = proposals::attachment_data(&store, &open, png.id).await.unwrap();
    assert_eq!((name.as_str(), ct.as_str(), data.len()), ("现场.png", "image/png", 12));
    assert_eq!(a.size, "群众反映路灯不亮".len() as i64);
    assert_eq!(search::search(&store, t.root.tenant_id, body.id, "路灯", 10).await.unwrap().first().map(|h| h.id), Some(open.id));
    // a Word attachment's paragraphs are searchable too
    let docx = docx_with("<w:document><w:body><w:p><w:r><w:t>七里洞学校校舍漏雨</w:t></w:r></w:p></w:body></w:document>");
    proposals::attach(&store, open.id, "情况说明.docx", docx, &ch()).await.unwrap();
    assert_eq!(search::search(&store, t.root.tenant_id, body.id, "漏雨", 10).await.unwrap().first().map(|h| h.id), Some(open.id));
    // the index rebuilds from the database to the same answers
    let ask = |q: &'static str| {
        let store = store.clone();
        async move { search::search(&store, t.root.tenant_id, body.id, q, 10).await.unwrap().iter().map(|h| h.id).collect::<Vec<_>>() }
    };
    let before = (ask("学校").await, ask("路灯").await);
    assert_eq!(search::rebuild(&store, &|_, _| {}).await.unwrap(), 3);
    assert_eq!((ask("学校").await, ask("路灯").await), before);
    // a second server with its own index builds it from the database, then catches up with
    // what the first server writes, through the log
    let dir = std::env::temp_dir().join(format!("lianxin-conf-index-{}", lianxin_store::ids::new_id(ch().now_ms)));
    let other = Store::connect(&store.url, lianxin_store::db::Open::Existing).await.unwrap().with_index_dir(dir.clone());
    assert_eq!(search::search(&other, t.root.tenant_id, body.id, "路灯", 10).await.unwrap().first().map(|h| h.id), Some(open.id));
    let edited = DraftInput { title: "村级公益事业".into(), kind: "suggestion".into(), reason: "修建篮球场".into(), ..Default::default() };
    proposals::update_draft(&store, open.id, &edited, &ch()).await.unwrap();
    assert_eq!(search::search(&other, t.root.tenant_id, body.id, "篮球场", 10).await.unwrap().first().map(|h| h.id), Some(open.id));
    other.close().await;
    let _ = std::fs::remove_dir_all(dir);
    let events = proposals::events(&store, &done).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["create", "invite", "cosign", "submit", "accept", "assign", "acknowledge", "reply", "rate"]
    );
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(the_audit_chain_verifies_and_finds_tampering, |store| async move {
    let t = town(&store).await;
    let ok = audit::verify(&store).await.unwrap().unwrap();
    assert!(ok.entries >= 8, "{}", ok.entries);
    // concurrent writers still make one straight chain
    let mut tasks = Vec::new();
    for i in 0..12 {
        let s = store.clone();
        let org_id = t.b2.id;
        tasks.push(tokio::spawn(async move { people::create(&s, &member(&format!("并发{i}"), org_id), &ch()).await.unwrap() }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let ok2 = audit::verify(&store).await.unwrap().unwrap();
    assert_eq!(ok2.entries, ok.entries + 12);
    // someone edits the log directly
    q("UPDATE audit_log SET actor_name = '别人' WHERE seq = 3", []).execute(&store.pool).await.unwrap();
    assert_eq!(audit::verify(&store).await.unwrap(), Err(lianxin_domain::audit::Break::Altered { seq: 3 }));
});

db_test!(users_sessions_tokens_and_lockout, |store| async move {
    let t = town(&store).await;
    let u = users::create(
        &store,
        &users::NewUser {
            username: "Office".into(),
            display_name: "联络办".into(),
            password_hash: "x".into(),
            tenant_id: Some(t.root.tenant_id),
            person_id: None,
        },
        &ch(),
    )
    .await
    .unwrap();
    assert_eq!(u.username, "office");
    assert!(users::create(
        &store,
        &users::NewUser { username: "office".into(), display_name: "重复".into(), password_hash: "x".into(), tenant_id: None, person_id: None },
        &ch()
    )
    .await
    .is_err());
    assert!(users::grant(&store, u.id, lianxin_domain::access::Role::LiaisonOffice, None, None, &ch()).await.is_err());
    users::grant(&store, u.id, lianxin_domain::access::Role::LiaisonOffice, Some(t.b1.id), Some(t.body.id), &ch()).await.unwrap();
    let actor = users::actor(&store, &u).await.unwrap();
    assert_eq!(actor.grants[0].scope_path.as_deref(), Some(t.b1.path.as_str()));
    // the scope follows its organisation when it moves
    let gb = orgs::create(&store, &org("总支", "general_branch", Some(t.root.id)), &ch()).await.unwrap();
    let moved = orgs::move_to(&store, t.b1.id, gb.id, &ch()).await.unwrap();
    assert_eq!(users::actor(&store, &u).await.unwrap().grants[0].scope_path.as_deref(), Some(moved.path.as_str()));

    for i in 0..4 {
        assert!(!users::record_failed_login(&store, u.id, NOW + i).await.unwrap());
    }
    assert!(users::record_failed_login(&store, u.id, NOW + 5).await.unwrap());
    assert_eq!(users::by_id(&store, u.id).await.unwrap().locked_until, Some(NOW + 5 + users::LOCK_MS));

    users::create_session(&store, "h1", u.id, "csrf", NOW, 1000).await.unwrap();
    assert!(users::session(&store, "h1", NOW + 999).await.unwrap().is_some());
    assert!(users::session(&store, "h1", NOW + 1000).await.unwrap().is_none());
    users::set_password(&store, u.id, "y", &ch()).await.unwrap();
    assert!(users::session(&store, "h1", NOW).await.unwrap().is_none());

    let tok = users::create_token(&store, u.id, "统计接口", "th", &ch()).await.unwrap();
    assert_eq!(users::user_by_token(&store, "th", NOW).await.unwrap().unwrap().id, u.id);
    users::revoke_token(&store, u.id, tok.id, &ch()).await.unwrap();
    assert!(users::user_by_token(&store, "th", NOW).await.unwrap().is_none());
});

db_test!(the_demo_matches_the_seeds, |store| async move {
    let s = demo::build(&store, &ch(), &|_| {}).await.unwrap();
    assert!(demo::exists(&store).await.unwrap());
    // seed 001: 37 committees, 70 general branches, 1,057 branches, 10,767 members
    let county = orgs::get(&store, demo::COUNTY_ID).await.unwrap();
    let c = orgs::subtree_counts(&store, &county).await.unwrap();
    let kinds: std::collections::BTreeMap<String, i64> = c.orgs_by_kind.iter().cloned().collect();
    assert_eq!(kinds["town_committee"] + kinds["committee"] + kinds["village_committee"], 37);
    assert_eq!(kinds["general_branch"], 70);
    assert_eq!(kinds["branch"], 1057);
    let cats: std::collections::BTreeMap<String, i64> = c.branches_by_category.iter().cloned().collect();
    assert_eq!(cats["rural"], 813);
    assert_eq!(cats["agency"] + cats["enterprise"], 203);
    assert_eq!((cats["community"], cats["retired"], cats["association"], cats["migrant"]), (10, 24, 6, 1));
    assert_eq!((c.members, c.minority_members, c.women_members), (10_767, 2_294, 2_277));

    // the county congress: 306 delegates, 部队 2.0%, 领导干部 50.0%, 先进模范 20.3%, 专技 27.8%, 少数民族 22.9%, 妇女 20.3%
    let body = congress::body(&store, s.county_body_id).await.unwrap();
    let term = congress::current_term(&store, &body, "2026-11-18").await.unwrap().unwrap();
    let comp = reports::composition(&store, &body, &term, demo::REFERENCE_DAY, Lang::Zh).await.unwrap();
    assert_eq!(comp.total, 306);
    let cat = |key: &str| comp.sections[0].rows.iter().find(|r| r.key == key).map(|r| r.share.percent());
    assert_eq!(cat("military").as_deref(), Some("2.0%"));
    assert_eq!(cat("leading_cadre").as_deref(), Some("50.0%"));
    assert_eq!(cat("model_worker").as_deref(), Some("20.3%"));
    assert_eq!(cat("professional").as_deref(), Some("27.8%"));
    let hl = |key: &str| comp.highlights.iter().find(|r| r.key == key).map(|r| (r.share.count, r.share.percent())).unwrap();
    assert_eq!(hl("minority"), (70, "22.9%".into()));
    assert_eq!(hl("women"), (62, "20.3%".into()));
    let cov = reports::coverage_report(&store, &body, &term, "2026-11-18").await.unwrap();
    assert_eq!(cov.coverage.committee_with_group.percent(), "100.0%");
    assert_eq!(cov.coverage.delegates_with_members.percent(), "100.0%");
    assert_eq!(cov.coverage.members_with_residents.percent(), "100.0%");

    // the nine town congresses together: 682 delegates, 领导干部 113 (16.6%), 农民 407 (59.7%), 大专以上 163 (23.9%), 35岁以下 165 (24.2%)
    let bodies = congress::bodies(&store, &[Some(county.path.clone())]).await.unwrap();
    let mut tot = (0, 0, 0, 0, 0);
    for b in bodies.iter().filter(|b| b.id != body.id) {
        let t = congress::current_term(&store, b, "2026-11-18").await.unwrap().unwrap();
        let comp = reports::composition(&store, b, &t, demo::REFERENCE_DAY, Lang::Zh).await.unwrap();
        let row = |k: &str| comp.sections[0].rows.iter().find(|r| r.key == k).map(|r| r.share.count).unwrap_or(0);
        let h = |k: &str| comp.highlights.iter().find(|r| r.key == k).map(|r| r.share.count).unwrap_or(0);
        tot = (tot.0 + comp.total, tot.1 + row("leading_cadre"), tot.2 + row("farmer"), tot.3 + h("college"), tot.4 + h("young"));
    }
    assert_eq!(tot, (682, 113, 407, 163, 165));

    // seed 000: 14 branches, 88 delegates (one seat vacant, one filled by a by-election), groups of about ten
    let tb = congress::body(&store, s.town_body_id).await.unwrap();
    let tt = congress::current_term(&store, &tb, "2026-11-18").await.unwrap().unwrap();
    let active =
        congress::delegates(&store, &tt, &[None], &DelegateFilter { status: Some("active".into()), ..Default::default() }, PageReq::new(None, None))
            .await
            .unwrap();
    assert_eq!(active.total, 87);
    let vac = congress::delegates(&store, &tt, &[None], &DelegateFilter { vacant: Some(true), ..Default::default() }, PageReq::new(None, None))
        .await
        .unwrap();
    assert_eq!(vac.total, 1);
    let groups = congress::groups(&store, &tt).await.unwrap();
    assert_eq!(groups.len(), 9);
    assert!(groups.iter().all(|g| (8..=11).contains(&g.members)), "{groups:?}");
    let town = orgs::get(&store, demo::TOWN_ID).await.unwrap();
    let tc = orgs::subtree_counts(&store, &town).await.unwrap();
    assert_eq!(tc.orgs_by_kind.iter().find(|(k, _)| k == "branch").map(|x| x.1), Some(14));
    let tcov = reports::coverage_report(&store, &tb, &tt, "2026-11-18").await.unwrap();
    assert_eq!(tcov.coverage.committee_with_group.percent(), "100.0%");
    assert!(!tcov.coverage.gaps.delegates_short.is_empty(), "the town shows a few gaps");
    assert!(audit::verify(&store).await.unwrap().is_ok());

    // seed 001's handling report for the county congress: 69 proposals, 69 completed, satisfaction 100 %
    let st = lianxin_store::proposals::stats(&store, &body, &lianxin_store::proposals::Period::year(Some(2025)), 0).await.unwrap();
    let closed = st.by_status.iter().find(|x| x.0 == "closed").map(|x| x.1);
    assert_eq!((st.total, closed, st.satisfied + st.basic, st.rated), (69, Some(69), 69, 69));
    // this year's items are in every state, and the town has its own
    let st = lianxin_store::proposals::stats(&store, &body, &lianxin_store::proposals::Period::year(Some(2026)), 0).await.unwrap();
    assert!(st.by_status.len() >= 8, "{:?}", st.by_status);
    // rolled up the county's tree: the county congress and its nine towns
    let (each, sum) = lianxin_store::proposals::stats_rollup(&store, &county.path, Some(2025), 0).await.unwrap();
    assert_eq!((each.len(), sum.total, sum.satisfied + sum.basic), (10, 69, 69));
    let town_st = lianxin_store::proposals::stats(&store, &tb, &lianxin_store::proposals::Period::year(None), 0).await.unwrap();
    assert!(town_st.total >= 50 && town_st.unsatisfied > 0, "{town_st:?}");
});

/// A minimal .docx: the one part text is read from.
fn docx_with(document_xml: &str) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
    z.write_all(document_xml.as_bytes()).unwrap();
    z.finish().unwrap();
    buf.into_inner()
}

db_test!(duty_rules_stand_each_delegate_and_group_against_their_activities, |store| async move {
    use lianxin_domain::duty::{ActivityInput, DutyStatus, Subject};
    use lianxin_store::duty::{self, ActivityFilter};
    use time::macros::date;
    let t = town(&store).await;
    let add = |pid: i64| DelegateInput { person_id: pid, category: "farmer".into(), ..Default::default() };
    let d1 = congress::add_delegate(&store, &t.term, &add(t.people[0].id), &ch()).await.unwrap();
    let d2 = congress::add_delegate(&store, &t.term, &add(t.people[1].id), &ch()).await.unwrap();
    let g = congress::create_group(&store, &t.term, &GroupInput { name: "第一代表小组".into(), leader_id: None }, &ch()).await.unwrap();
    // seed 002's rules: stationed liaison every two months, a group meeting every half year,
    // a proposal a year; applying the preset twice adds nothing twice
    assert_eq!(duty::apply_preset(&store, &t.body, "nanhai", &ch()).await.unwrap(), 3);
    assert_eq!(duty::apply_preset(&store, &t.body, "nanhai", &ch()).await.unwrap(), 0);
    assert!(duty::apply_preset(&store, &t.body, "nope", &ch()).await.is_err());
    let today = date!(2026 - 11 - 18);
    let act = |kind: &str, on: &str, delegates: Vec<i64>, group: Option<i64>| ActivityInput {
        kind: kind.into(),
        on: on.into(),
        place: "下楣桥村".into(),
        summary: "驻点走访农户".into(),
        delegates,
        group,
        served: Some(12),
        ..Default::default()
    };
    let rec = |a: ActivityInput| {
        let (store, body, term) = (store.clone(), t.body.clone(), t.term.clone());
        async move { duty::record(&store, &body, &term, &a.validate(today).unwrap(), &ch()).await }
    };
    // d1: stationed in Sep–Oct and Nov–Dec; d2: only in Jul–Aug (so behind now)
    rec(act("stationed", "2026-09-20", vec![d1.id], None)).await.unwrap();
    let nov = rec(act("stationed", "2026-11-03", vec![d1.id], None)).await.unwrap();
    rec(act("stationed", "2026-08-01", vec![d2.id], None)).await.unwrap();
    rec(act("group_meeting", "2026-07-15", vec![], Some(g.id))).await.unwrap();
    // before the term, or a delegate of another term: refused, nothing written
    let e = rec(act("visit", "2021-01-01", vec![d1.id], None)).await.unwrap_err();
    assert!(matches!(e, StoreError::Domain(DomainError::Invalid(_))));
    assert!(rec(act("visit", "2026-01-01", vec![d1.id, 999], None)).await.is_err());
    let report = duty::report(&store, &t.body, &t.term, today).await.unwrap();
    assert_eq!(report.len(), 3);
    let stationed = &report[0];
    let status_of = |id: i64| stationed.rows.iter().find(|r| r.0 == id).unwrap().2.status;
    assert_eq!((status_of(d1.id), status_of(d2.id)), (DutyStatus::Met, DutyStatus::Overdue));
    assert_eq!((stationed.met, stationed.overdue), (1, 1));
    assert_eq!(stationed.rows[0].0, d2.id, "those behind come first");
    // the group met in Jul–Dec
    assert_eq!(report[1].rows[0].2.status, DutyStatus::Met);
    // no proposal last year nor this one: both behind
    assert_eq!(report[2].rows.iter().map(|r| r.2.status).collect::<Vec<_>>(), [DutyStatus::Overdue, DutyStatus::Overdue]);
    // removing an activity takes it out of the counts; restoring puts it back
    duty::set_removed(&store, nov.id, true, &ch()).await.unwrap();
    let r2 = duty::report(&store, &t.body, &t.term, today).await.unwrap();
    assert_eq!(r2[0].rows.iter().find(|r| r.0 == d1.id).unwrap().2.status, DutyStatus::Open);
    duty::set_removed(&store, nov.id, false, &ch()).await.unwrap();
    // the duty file: counts, the score by the body's points, the activities
    let file = duty::file(&store, &t.body, &t.term, d1.id, "2026-01-01", "2026-12-31", today).await.unwrap();
    assert_eq!(file.counts, vec![(Subject::Activity(lianxin_domain::duty::ActivityKind::Stationed), 2)]);
    assert_eq!(file.score, 4, "2 × 2 points by default");
    assert_eq!(file.activities.len(), 2);
    let mut points = duty::points(&store, &t.body).await.unwrap();
    points.insert(Subject::Activity(lianxin_domain::duty::ActivityKind::Stationed), 5);
    duty::set_points(&store, &t.body, &points, &ch()).await.unwrap();
    assert_eq!(duty::file(&store, &t.body, &t.term, d1.id, "2026-01-01", "2026-12-31", today).await.unwrap().score, 10);
    points.insert(Subject::Proposal, 101);
    assert!(duty::set_points(&store, &t.body, &points, &ch()).await.is_err());
    // the totals count each activity once
    let tot = duty::totals(&store, &t.term, "2026-01-01", "2026-12-31").await.unwrap();
    assert_eq!((tot.activities, tot.served, tot.delegates_active), (4, 48, 2));
    assert_eq!(tot.by_kind[0], ("stationed".to_string(), 3));
    let (each, sum) = duty::totals_rollup(&store, &t.root.path, "2026-01-01", "2026-12-31").await.unwrap();
    assert_eq!((each.len(), sum.activities, sum.served, sum.by_kind.clone()), (1, tot.activities, tot.served, tot.by_kind.clone()));
    assert_eq!(duty::totals_rollup(&store, &t.b1.path, "2026-01-01", "2026-12-31").await.unwrap().0.len(), 0, "no congress below a branch");
    let listed =
        duty::list(&store, &t.term, &ActivityFilter { delegate: Some(d1.id), ..Default::default() }, PageReq::new(None, None)).await.unwrap();
    assert_eq!(listed.total, 2);
    assert_eq!(listed.items[0].delegates[0].1, "李建国");
    // reminders: each delegate behind hears once per rule and period
    let sent = duty::remind(&store, today, &ch()).await.unwrap();
    assert_eq!(sent, 3, "d2's stationed liaison, and both delegates' yearly proposal");
    assert_eq!(duty::remind(&store, today, &ch()).await.unwrap(), 0, "not twice");
    let d2_notices =
        q("SELECT kind, subject FROM notices WHERE person_id = $1 ORDER BY subject", [d2.person_id.into()]).fetch_all(&store.pool).await.unwrap();
    assert_eq!(d2_notices.len(), 2);
    assert!(d2_notices.iter().all(|n| n.s("kind") == "duty_overdue"));
    // rules can be removed; each change is audited
    duty::remove_rule(&store, &t.body, report[2].rule_id, &ch()).await.unwrap();
    assert_eq!(duty::rules(&store, &t.body).await.unwrap().len(), 2);
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(citizen_requests_flow_from_a_code_to_a_rating, |store| async move {
    use lianxin_domain::request::{Feedback, RequestChannel, RequestInput, Role, Step};
    use lianxin_store::requests::{self, RequestFilter};
    let t = town(&store).await;
    let d1 =
        congress::add_delegate(&store, &t.term, &DelegateInput { person_id: t.people[0].id, category: "farmer".into(), ..Default::default() }, &ch())
            .await
            .unwrap();
    let unit = orgs::create(&store, &org("镇水利站", "unit", Some(t.root.id)), &ch()).await.unwrap();
    let input = RequestInput {
        category: "infrastructure".into(),
        place: "下楣桥村李家组".into(),
        text: "李家组水渠堵塞,三十亩农田无法灌溉".into(),
        name: "李大妈".into(),
        phone: "13800138000".into(),
    };
    let r = requests::submit(&store, &t.body, Some(d1.id), RequestChannel::PublicPage, &input.validate().unwrap(), &ch()).await.unwrap();
    assert_eq!((r.status.as_str(), r.delegate_name.as_deref(), r.code.len()), ("received", Some("李建国"), 14));
    // a delegate of another body cannot be named; bad input is refused before anything is written
    assert!(requests::submit(&store, &t.body, Some(999), RequestChannel::PublicPage, &input.validate().unwrap(), &ch()).await.is_err());
    // the public view by code carries no personal data
    let pv = requests::public_view(&store, &r.code).await.unwrap().unwrap();
    let json = serde_json::to_string(&pv).unwrap();
    assert!(!json.contains("李大妈") && !json.contains("13800138000"));
    assert!(requests::public_view(&store, "AAAA-BBBB-CCCC").await.unwrap().is_none());
    // two clerks decline the same request at once: one wins, the other is refused
    let spam = requests::submit(&store, &t.body, None, RequestChannel::Phone, &input.validate().unwrap(), &ch()).await.unwrap();
    let decline = Step::Decline { reason: "重复来电".into() };
    let (c1, c2) = (ch(), ch());
    let (a, b) =
        tokio::join!(requests::act(&store, spam.id, Role::Office, &decline, &c1), requests::act(&store, spam.id, Role::Office, &decline, &c2));
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1);
    let assign = Step::Assign { to: unit.id, deadline_days: None };
    let r = requests::act(&store, r.id, Role::Office, &assign, &ch()).await.unwrap();
    assert_eq!((r.status.as_str(), r.handler_name.as_deref()), ("assigned", Some("镇水利站")));
    // the handler's inbox, overdue after the deadline
    let inbox = requests::list(
        &store,
        &t.body,
        &RequestFilter { handler_paths: Some(vec![unit.path.clone()]), ..Default::default() },
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(inbox.total, 1);
    let late = r.deadline_day.unwrap() + 1;
    assert_eq!(
        requests::list(&store, &t.body, &RequestFilter { overdue_on: Some(late), ..Default::default() }, PageReq::new(None, None))
            .await
            .unwrap()
            .total,
        1
    );
    assert!(r.overdue(late) && !r.overdue(late - 1));
    // past its time limit the unit is told, once
    assert_eq!(requests::escalate(&store, late - 1, &ch()).await.unwrap(), 0);
    assert_eq!(requests::escalate(&store, late, &ch()).await.unwrap(), 1);
    assert_eq!(requests::escalate(&store, late, &ch()).await.unwrap(), 0, "once");
    let told = q("SELECT COUNT(*) AS n FROM notices WHERE org_id = $1 AND kind = 'request_overdue'", [unit.id.into()])
        .fetch_one(&store.pool)
        .await
        .unwrap()
        .i("n");
    assert_eq!(told, 1);
    // reply, unsatisfied → handled again; second reply, rated → closed
    assert!(
        requests::act(&store, r.id, Role::Requester, &Step::Rate { feedback: Feedback::Satisfied, comment: None }, &ch()).await.is_err(),
        "no reply yet"
    );
    requests::act(&store, r.id, Role::Handler, &Step::Reply { text: "已安排清淤".into(), solved: true }, &ch()).await.unwrap();
    let again =
        requests::act(&store, r.id, Role::Requester, &Step::Rate { feedback: Feedback::Unsatisfied, comment: Some("还没通水".into()) }, &ch())
            .await
            .unwrap();
    assert_eq!((again.status.as_str(), again.reopened), ("assigned", 1));
    requests::act(&store, r.id, Role::Handler, &Step::Reply { text: "已通水".into(), solved: true }, &ch()).await.unwrap();
    let done = requests::act(&store, r.id, Role::Requester, &Step::Rate { feedback: Feedback::Basic, comment: None }, &ch()).await.unwrap();
    assert_eq!((done.status.as_str(), done.feedback.as_deref(), done.closed_at.is_some()), ("closed", Some("basic"), true));
    let pv = requests::public_view(&store, &done.code).await.unwrap().unwrap();
    assert_eq!(pv.replies, ["已安排清淤", "已通水"]);
    let steps: Vec<String> = requests::events(&store, &done).await.unwrap().into_iter().map(|e| e.step).collect();
    assert_eq!(steps, ["submit", "assign", "reply", "rate", "reply", "rate"]);
    // search by words in the text; a merge needs another open request
    let words = |q: &str, status: &str| RequestFilter { q: Some(q.into()), status: Some(status.into()), ..Default::default() };
    assert_eq!(requests::list(&store, &t.body, &words("水渠", "closed"), PageReq::new(None, None)).await.unwrap().total, 1);
    assert_eq!(requests::list(&store, &t.body, &words("火箭", ""), PageReq::new(None, None)).await.unwrap().total, 0);
    let dup = requests::submit(&store, &t.body, None, RequestChannel::Phone, &input.validate().unwrap(), &ch()).await.unwrap();
    assert!(requests::act(&store, dup.id, Role::Office, &Step::Merge { into: done.id }, &ch()).await.is_err(), "the target is closed");
    // the numbers, counted by the database
    let st = requests::stats(&store, &t.body, requests::months_of(2026, None), 0).await.unwrap();
    assert_eq!((st.total, st.replied, st.on_time, st.rated, st.basic), (3, 1, 1, 1, 1));
    let mut statuses = st.by_status.clone();
    statuses.sort();
    assert_eq!(statuses, [("closed".to_string(), 1), ("declined".to_string(), 1), ("received".to_string(), 1)]);
    assert_eq!(st.by_handler, [("镇水利站".to_string(), 1, 1, 1)]);
    assert_eq!(st.by_delegate.iter().map(|d| (d.0.as_str(), d.3, d.4, d.5, d.6)).collect::<Vec<_>>(), [("李建国", 1, 1, 1, 1)]);
    assert_eq!(requests::stats(&store, &t.body, requests::months_of(2025, None), 0).await.unwrap().total, 0);
    // the running counts are derived: rebuilt from the requests they come out the same
    let mut conn = store.pool.acquire().await.unwrap();
    lianxin_store::request_tallies::rebuild(&mut conn).await.unwrap();
    drop(conn);
    assert_eq!(requests::stats(&store, &t.body, requests::months_of(2026, None), 0).await.unwrap(), st);
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(hotspots_become_research_topics_and_the_research_closes_them, |store| async move {
    use lianxin_domain::duty::ActivityInput;
    use lianxin_domain::hotspot::Settings;
    use lianxin_domain::request::{RequestChannel, RequestInput};
    use lianxin_store::{duty, requests, topics};
    let t = town(&store).await;
    let d1 =
        congress::add_delegate(&store, &t.term, &DelegateInput { person_id: t.people[0].id, category: "farmer".into(), ..Default::default() }, &ch())
            .await
            .unwrap();
    let submit = |text: &str, place: &str, category: &str| {
        let (store, body) = (store.clone(), t.body.clone());
        let input = RequestInput { category: category.into(), place: place.into(), text: text.into(), ..Default::default() };
        async move { requests::submit(&store, &body, None, RequestChannel::Phone, &input.validate().unwrap(), &ch()).await.unwrap() }
    };
    let a = submit("李家组水渠堵塞,农田无法灌溉", "下楣桥村李家组", "infrastructure").await;
    let b = submit("水渠堵塞了好几个月,灌溉用水困难", "下楣桥村李家组", "infrastructure").await;
    let c = submit("李家组的水渠堵塞严重,请尽快清淤", "下楣桥村", "infrastructure").await;
    let other = submit("村口路灯坏了,晚上很黑", "下楣桥村李家组", "infrastructure").await;
    submit("水渠边垃圾堆放,气味难闻", "下楣桥村李家组", "environment").await;
    let today = lianxin_domain::proposal::day_number(ch().today());
    let found = requests::hotspots(&store, &t.body, today - 89, today, &Settings::default()).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let mut expect = vec![a.id, b.id, c.id];
    expect.sort();
    assert_eq!(found[0].hotspot.ids, expect);
    assert!(!found[0].hotspot.ids.contains(&other.id));
    assert!(found[0].hotspot.top_terms.contains(&"水渠".to_string()) && found[0].codes.contains(&a.code));
    // a span before them finds nothing
    assert!(requests::hotspots(&store, &t.body, today - 400, today - 300, &Settings::default()).await.unwrap().is_empty());
    // the office makes it a topic; bad input changes nothing
    assert!(topics::create(&store, &t.body, "x", "", &expect, &ch()).await.is_err());
    assert!(topics::create(&store, &t.body, "李家组水渠", "", &[], &ch()).await.is_err());
    assert!(topics::create(&store, &t.body, "李家组水渠", "", &[a.id, 424242], &ch()).await.is_err());
    assert_eq!(topics::list(&store, &t.body, PageReq::new(None, None)).await.unwrap().total, 0);
    let topic = topics::create(&store, &t.body, "李家组水渠清淤", "三件同类诉求", &expect, &ch()).await.unwrap();
    assert_eq!((topic.status.as_str(), topic.requests), ("open", 3));
    assert_eq!(topics::of_request(&store, t.body.tenant_id, b.id).await.unwrap()[0].id, topic.id);
    // a delegate researches it, naming one more request by its code as typed on paper
    let research = ActivityInput {
        kind: "research".into(),
        on: "2026-11-10".into(),
        place: "下楣桥村".into(),
        summary: "实地查看李家组水渠".into(),
        delegates: vec![d1.id],
        ..Default::default()
    };
    let valid = research.validate(lianxin_domain::proposal::date_of_day(today)).unwrap();
    let typed = other.code.to_lowercase().replace('-', " ");
    assert!(duty::Links::parse_codes("not-a-code!").is_err());
    let bad = duty::Links { request_codes: vec!["AAAA-BBBB-CCCC".into()], topic: Some(topic.id), ..Default::default() };
    assert!(duty::record_linked(&store, &t.body, &t.term, &valid, &bad, &ch()).await.is_err());
    assert_eq!(topics::get(&store, topic.id).await.unwrap().status, "open", "nothing half-written");
    let no_such = duty::Links { proposal_numbers: duty::Links::parse_numbers("2026-999、"), topic: Some(topic.id), ..Default::default() };
    assert_eq!(no_such.proposal_numbers, ["2026-999"]);
    assert!(duty::record_linked(&store, &t.body, &t.term, &valid, &no_such, &ch()).await.is_err(), "an unknown proposal number");
    let links =
        duty::Links { request_codes: duty::Links::parse_codes(&typed.replace(' ', "")).unwrap(), topic: Some(topic.id), ..Default::default() };
    let act = duty::record_linked(&store, &t.body, &t.term, &valid, &links, &ch()).await.unwrap();
    let done = topics::get(&store, topic.id).await.unwrap();
    assert_eq!((done.status.as_str(), done.activity_id), ("done", Some(act.id)));
    let mut linked = duty::links(&store, &act, "request").await.unwrap();
    linked.sort();
    let mut all4 = vec![a.id, b.id, c.id, other.id];
    all4.sort();
    assert_eq!(linked, all4);
    assert_eq!(duty::linked_to(&store, t.body.tenant_id, "request", other.id).await.unwrap()[0].id, act.id);
    // a topic is researched once; removing the activity opens it again, restoring closes it
    assert!(duty::record_linked(&store, &t.body, &t.term, &valid, &duty::Links { topic: Some(topic.id), ..Default::default() }, &ch())
        .await
        .is_err());
    duty::set_removed(&store, act.id, true, &ch()).await.unwrap();
    assert_eq!(topics::get(&store, topic.id).await.unwrap().status, "open");
    assert!(duty::linked_to(&store, t.body.tenant_id, "request", other.id).await.unwrap().is_empty());
    duty::set_removed(&store, act.id, false, &ch()).await.unwrap();
    assert_eq!(topics::get(&store, topic.id).await.unwrap().activity_id, Some(act.id));
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(secret_votes_keep_no_link_from_voter_to_choice_and_count_by_the_rules, |store| async move {
    use lianxin_domain::ballot::{Choices, Mark, Question, VoteMode};
    use lianxin_store::meetings::{self, Cast};
    let t = town(&store).await;
    let mut ds = Vec::new();
    for p in &t.people {
        ds.push(
            congress::add_delegate(&store, &t.term, &DelegateInput { person_id: p.id, category: "farmer".into(), ..Default::default() }, &ch())
                .await
                .unwrap()
                .id,
        );
    }
    // bad input changes nothing
    let plan = |kind: &str, title: &str| meetings::MeetingInput {
        kind: kind.into(),
        title: title.into(),
        on: "2026-11-20".into(),
        place: "镇会议中心".into(),
    };
    assert!(meetings::create(&store, &t.body, &t.term, &plan("party", "年会"), &ch()).await.is_err());
    let m = meetings::create(&store, &t.body, &t.term, &plan("annual", "第二届代表大会第五次年会"), &ch()).await.unwrap();
    assert_eq!(meetings::attendance(&store, &m).await.unwrap().expected, 3);
    assert!(meetings::set_attendance(&store, &m, ds[2], "leave", None, "", &ch()).await.is_err(), "a leave needs a reason");
    meetings::set_attendance(&store, &m, ds[2], "leave", None, "外出务工", &ch()).await.unwrap();
    for d in &ds[..2] {
        meetings::set_attendance(&store, &m, *d, "present", None, "", &ch()).await.unwrap();
    }
    let a = meetings::attendance(&store, &m).await.unwrap();
    assert_eq!((a.expected, a.present, a.leave), (3, 2, 1));
    let (title, question) = Question::validate("关于镇代表大会常任制工作报告的决议", "motion", "", None).unwrap();
    let v = meetings::create_vote(&store, &m, &title, &question, "party_branch_resolution", VoteMode::Secret, &ch()).await.unwrap();
    let yes = Choices::Marks(vec![Mark::Yes]);
    // not open yet; then open; the absent delegate cannot vote
    assert!(meetings::cast(&store, &v, ds[0], &yes, &ch()).await.is_err());
    let v = meetings::open_vote(&store, &v, &ch()).await.unwrap();
    assert!(meetings::cast(&store, &v, ds[2], &yes, &ch()).await.is_err(), "on leave");
    // the same voter twice at once: one ballot, the other told it is already in
    let (c1, c2) = (ch(), ch());
    let (r1, r2) = tokio::join!(meetings::cast(&store, &v, ds[0], &yes, &c1), meetings::cast(&store, &v, ds[0], &yes, &c2));
    let outcomes = [r1.unwrap(), r2.unwrap()];
    assert_eq!(outcomes.iter().filter(|o| matches!(o, Cast::Receipt(_))).count(), 1, "{outcomes:?}");
    assert!(outcomes.contains(&Cast::AlreadyIn));
    let receipt = outcomes.iter().find_map(|o| if let Cast::Receipt(r) = o { Some(r.clone()) } else { None }).unwrap();
    meetings::cast(&store, &v, ds[1], &Choices::Marks(vec![Mark::No]), &ch()).await.unwrap();
    assert_eq!(meetings::progress(&store, &v).await.unwrap(), (2, 2));
    // before the close: no result, no published box, no receipt check
    assert!(meetings::vote(&store, v.id).await.unwrap().result.is_none());
    assert!(meetings::published(&store, &v).await.is_err() && meetings::find_receipt(&store, &v, &receipt).await.is_err());
    // nothing stored links a voter to a choice: the box has no voter and no time
    let cols = q("SELECT * FROM ballots", []).fetch_all(&store.pool).await.unwrap();
    assert_eq!(cols.len(), 2);
    assert!(cols.iter().all(|r| r.oi("voter_id").is_none()));
    let names: Vec<String> = {
        use sqlx::Column;
        use sqlx::Row;
        cols[0].columns().iter().map(|c| c.name().to_string()).collect()
    };
    assert_eq!(names, ["tenant_id", "vote_id", "id", "fingerprint", "choices", "voter_id"]);
    let audit_rows = q("SELECT after_data FROM audit_log WHERE action = 'cast'", []).fetch_all(&store.pool).await.unwrap();
    assert!(audit_rows.iter().all(|r| !r.s("after_data").contains("delegate")), "the audit names the vote, not the voter");
    let v = meetings::close_vote(&store, &v, &ch()).await.unwrap();
    assert!(meetings::cast(&store, &v, ds[1], &yes, &ch()).await.is_err(), "closed");
    // R-B3: 3 due, 2 present (quorum: 2×2 ≥ 3); 1 yes is not more than half of 3
    let result = v.result.clone().unwrap();
    assert_eq!(result["items"][0]["yes"], 1);
    assert_eq!(result["items"][0]["decision"]["quorum_met"], true);
    assert_eq!(result["items"][0]["decision"]["passed"], false);
    // the voter finds their ballot by receipt; an auditor's recount equals the result
    assert_eq!(meetings::find_receipt(&store, &v, &receipt.to_lowercase()).await.unwrap().as_deref(), Some("y"));
    assert_eq!(meetings::find_receipt(&store, &v, "AAAA-BBBB-CCCC-DDDD").await.unwrap(), None);
    assert_eq!(meetings::published(&store, &v).await.unwrap().len(), 2);
    assert_eq!(meetings::recount(&store, &v).await.unwrap(), result);
    // a choice with up to 2 of 3: over-choosing is refused, not stored void
    let (t2, q2) = Question::validate("推选监票人", "choice", "张三\n李四\n王五", Some(2)).unwrap();
    let c =
        meetings::open_vote(&store, &meetings::create_vote(&store, &m, &t2, &q2, "", VoteMode::Named, &ch()).await.unwrap(), &ch()).await.unwrap();
    assert!(meetings::cast(&store, &c, ds[0], &Choices::Chosen(vec![0, 1, 2]), &ch()).await.is_err());
    assert!(!meetings::has_voted(&store, &c, ds[0]).await.unwrap(), "nothing half-written");
    meetings::cast(&store, &c, ds[0], &Choices::Chosen(vec![0, 2]), &ch()).await.unwrap();
    let c = meetings::close_vote(&store, &c, &ch()).await.unwrap();
    assert_eq!(meetings::published(&store, &c).await.unwrap()[0].2, Some(ds[0]), "a named vote says who");
    assert_eq!(c.result.unwrap()["items"][2]["yes"], 1);
    // a democratic appraisal with the same secrecy: a grade for each target (R-L1)
    let (t3, q3) = Question::validate("对镇党委委员的民主测评", "appraisal", "张书记\n李委员", None).unwrap();
    let ap =
        meetings::open_vote(&store, &meetings::create_vote(&store, &m, &t3, &q3, "", VoteMode::Secret, &ch()).await.unwrap(), &ch()).await.unwrap();
    assert!(meetings::cast(&store, &ap, ds[0], &Choices::Grades(vec![0]), &ch()).await.is_err(), "everyone graded");
    meetings::cast(&store, &ap, ds[0], &Choices::Grades(vec![0, 3]), &ch()).await.unwrap();
    meetings::cast(&store, &ap, ds[1], &Choices::Grades(vec![1, 3]), &ch()).await.unwrap();
    let ap = meetings::close_vote(&store, &ap, &ch()).await.unwrap();
    let r = ap.result.unwrap();
    assert_eq!(r["items"][1]["appraisal"]["counts"]["不称职"], 2);
    assert_eq!(r["items"][0]["appraisal"]["chengzhi_or_better_percent"], 100.0);
    assert_eq!(r["items"][1]["appraisal"]["shares_percent"]["不称职"], 100.0);
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(residents_rate_delegates_once_per_slip_and_anonymously, |store| async move {
    use lianxin_domain::evaluation::Rating;
    use lianxin_store::evaluations;
    let t = town(&store).await;
    let d1 =
        congress::add_delegate(&store, &t.term, &DelegateInput { person_id: t.people[0].id, category: "farmer".into(), ..Default::default() }, &ch())
            .await
            .unwrap();
    let round = evaluations::open(&store, &t.body, &t.term, 2026, "2026-12-31", &ch()).await.unwrap();
    assert!(evaluations::open(&store, &t.body, &t.term, 2026, "2026-12-31", &ch()).await.is_err(), "one round a year");
    assert!(evaluations::issue_slips(&store, &round, d1.id, 0, &ch()).await.is_err());
    assert!(evaluations::issue_slips(&store, &round, 999, 3, &ch()).await.is_err());
    let codes = evaluations::issue_slips(&store, &round, d1.id, 3, &ch()).await.unwrap();
    assert_eq!(codes.len(), 3);
    // only hashes are kept
    let kept =
        q("SELECT COUNT(*) AS n FROM evaluation_slips WHERE code_hash = $1", [codes[0].as_str().into()]).fetch_one(&store.pool).await.unwrap().i("n");
    assert_eq!(kept, 0);
    assert_eq!(evaluations::slip(&store, &codes[0], "2026-11-18").await.unwrap().map(|s| s.1), Some("李建国".to_string()));
    // the same slip twice at once: one rating
    let (a, b) = tokio::join!(
        evaluations::rate(&store, &codes[0], Rating::Good, Some("很负责"), "2026-11-18"),
        evaluations::rate(&store, &codes[0], Rating::Poor, None, "2026-11-18")
    );
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1);
    assert!(evaluations::slip(&store, &codes[0], "2026-11-18").await.unwrap().is_none(), "used");
    evaluations::rate(&store, &codes[1], Rating::Fair, None, "2026-11-18").await.unwrap();
    assert!(evaluations::rate(&store, &codes[2], Rating::Good, None, "2027-01-01").await.is_err(), "closed");
    assert!(evaluations::rate(&store, "AAAA-BBBB-CCCC-DDDD", Rating::Good, None, "2026-11-18").await.is_err());
    let res = evaluations::results(&store, &round).await.unwrap();
    let r = &res[&d1.id];
    assert_eq!((r.responses(), r.slips, r.poor + r.good + r.fair), (2, 3, 2));
    // nothing in a rating points back to a slip or a time
    let cols: Vec<String> = q("SELECT * FROM evaluation_ratings", [])
        .fetch_all(&store.pool)
        .await
        .unwrap()
        .first()
        .map(|row| {
            use sqlx::{Column, Row};
            row.columns().iter().map(|c| c.name().to_string()).collect()
        })
        .unwrap();
    assert_eq!(cols, ["tenant_id", "id", "round_id", "delegate_id", "rating", "comment"]);
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(studios_receive_on_their_days_with_delegates_in_turn, |store| async move {
    use lianxin_domain::reception::StudioInput;
    use lianxin_store::reception;
    let t = town(&store).await;
    let add = |pid: i64| DelegateInput { person_id: pid, category: "farmer".into(), ..Default::default() };
    let d1 = congress::add_delegate(&store, &t.term, &add(t.people[0].id), &ch()).await.unwrap();
    let d2 = congress::add_delegate(&store, &t.term, &add(t.people[1].id), &ch()).await.unwrap();
    let input = StudioInput {
        name: "郴江镇党代表工作室".into(), address: "镇政府一楼".into(), days: "4,14,24".into(), hours: "9:00–12:00".into()
    };
    let sid = reception::create(&store, &t.body, &input.validate().unwrap(), &ch()).await.unwrap();
    assert!(reception::set_rota(&store, &t.body, sid, &[d1.id, d1.id], &ch()).await.is_err(), "once each");
    assert!(reception::set_rota(&store, &t.body, sid, &[d1.id, 999], &ch()).await.is_err(), "delegates of this congress");
    reception::set_rota(&store, &t.body, sid, &[d1.id, d2.id], &ch()).await.unwrap();
    // the rota was set on 2026-11-18: from the 24th they take turns
    let cal = reception::calendar(&store, &t.body, "2026-11-01", "2026-12-31").await.unwrap();
    let seen: Vec<(String, Option<String>)> = cal.iter().map(|r| (r.on.clone(), r.delegate.as_ref().map(|d| d.1.clone()))).collect();
    assert_eq!(
        seen,
        [
            ("2026-11-04".to_string(), None),
            ("2026-11-14".to_string(), None),
            ("2026-11-24".to_string(), Some("李建国".to_string())),
            ("2026-12-04".to_string(), Some("王桂英".to_string())),
            ("2026-12-14".to_string(), Some("李建国".to_string())),
            ("2026-12-24".to_string(), Some("王桂英".to_string())),
        ]
    );
    assert!(reception::calendar(&store, &t.body, "x", "2026-12-31").await.is_err());
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(a_hall_votes_at_once_and_every_ballot_is_in_once, |store| async move {
    use lianxin_domain::ballot::{Choices, Mark, Question, VoteMode};
    use lianxin_store::meetings::{self, Cast};
    const N: usize = 60;
    let t = town(&store).await;
    let mut ds = Vec::new();
    for k in 0..N + 5 {
        let p = people::create(&store, &member(&format!("代表{k:02}"), t.b1.id), &ch()).await.unwrap();
        let input = DelegateInput { person_id: p.id, category: "farmer".into(), ..Default::default() };
        ds.push(congress::add_delegate(&store, &t.term, &input, &ch()).await.unwrap().id);
    }
    let plan = meetings::MeetingInput { kind: "annual".into(), title: "年会(同时投票)".into(), on: "2026-11-20".into(), place: String::new() };
    let m = meetings::create(&store, &t.body, &t.term, &plan, &ch()).await.unwrap();
    for d in &ds[..N] {
        meetings::set_attendance(&store, &m, *d, "present", None, "", &ch()).await.unwrap();
    }
    let (title, question) = Question::validate("关于三项报告的决议", "motion", "工作报告\n财务报告\n提案报告", None).unwrap();
    let v = meetings::create_vote(&store, &m, &title, &question, "party_branch_resolution", VoteMode::Secret, &ch()).await.unwrap();
    let v = meetings::open_vote(&store, &v, &ch()).await.unwrap();
    // every present delegate sends twice at the same moment; five who are not present try too
    let mut casts = tokio::task::JoinSet::new();
    for (k, d) in ds.iter().enumerate() {
        for _ in 0..if k < N { 2 } else { 1 } {
            let (store, v, d) = (store.clone(), v.clone(), *d);
            let marks = Choices::Marks(vec![if k % 3 == 0 { Mark::No } else { Mark::Yes }, Mark::Yes, Mark::Abstain]);
            casts.spawn(async move { (k, meetings::cast(&store, &v, d, &marks, &ch()).await) });
        }
    }
    let (mut receipts, mut already, mut refused) = (Vec::new(), 0, 0);
    while let Some(done) = casts.join_next().await {
        match done.unwrap() {
            (k, Ok(Cast::Receipt(r))) => receipts.push((k, r)),
            (k, Ok(Cast::AlreadyIn)) => {
                assert!(k < N);
                already += 1
            }
            (k, Err(_)) => {
                assert!(k >= N, "delegate {k} is present");
                refused += 1
            }
        }
    }
    assert_eq!((receipts.len(), already, refused), (N, N, 5));
    let mut voters: Vec<usize> = receipts.iter().map(|(k, _)| *k).collect();
    voters.sort_unstable();
    voters.dedup();
    assert_eq!(voters.len(), N, "one receipt per delegate");
    assert_eq!(meetings::voted(&store, &v).await.unwrap(), N as u64);
    let v = meetings::close_vote(&store, &v, &ch()).await.unwrap();
    let r = v.result.clone().unwrap();
    let no = (0..N).filter(|k| k % 3 == 0).count() as u64;
    assert_eq!((r["ballots"].as_u64(), r["items"][0]["yes"].as_u64(), r["items"][0]["no"].as_u64()), (Some(N as u64), Some(N as u64 - no), Some(no)));
    assert_eq!((r["items"][1]["yes"].as_u64(), r["items"][2]["abstain"].as_u64()), (Some(N as u64), Some(N as u64)));
    for (_, receipt) in &receipts {
        assert!(meetings::find_receipt(&store, &v, receipt).await.unwrap().is_some());
    }
    assert_eq!(meetings::recount(&store, &v).await.unwrap(), r, "an auditor's recount");
    // the box kept its key order through the close, and the roll its delegate order
    // as stored: PostgreSQL's heap was rewritten in key order at the close; SQLite keeps the
    // box as a b-tree on its key (WITHOUT ROWID), so no insertion order exists to be read
    if store.backend == lianxin_store::Backend::Postgres {
        let keys: Vec<String> = q("SELECT id FROM ballots WHERE vote_id = $1 ORDER BY ctid", [v.id.into()])
            .fetch_all(&store.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.s("id"))
            .collect();
        assert_eq!(keys.len(), N);
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "rows lie in key order, not in the order of voting");
    } else {
        for table in ["ballots", "vote_roll"] {
            let sql =
                q("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1", [table.into()]).fetch_one(&store.pool).await.unwrap().s("sql");
            assert!(sql.contains("WITHOUT ROWID"), "{sql}");
        }
    }
    // the audit counts ballots and names nobody
    let audit_rows = q("SELECT after_data FROM audit_log WHERE action = 'cast'", []).fetch_all(&store.pool).await.unwrap();
    let counted: i64 =
        audit_rows.iter().map(|r| serde_json::from_str::<serde_json::Value>(&r.s("after_data")).unwrap()["ballots"].as_i64().unwrap()).sum();
    assert_eq!(counted, N as i64);
    assert!(audit_rows.iter().all(|r| !r.s("after_data").contains("delegate")));
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(an_attacker_with_the_whole_database_cannot_match_ballots_to_voters, |store| async move {
    use lianxin_domain::ballot::{Choices, Mark, Question, VoteMode};
    use lianxin_store::meetings;
    const N: usize = 30;
    let t = town(&store).await;
    let mut ds = Vec::new();
    for k in 0..N {
        let p = people::create(&store, &member(&format!("代表{k:02}"), t.b1.id), &ch()).await.unwrap();
        let input = DelegateInput { person_id: p.id, category: "farmer".into(), ..Default::default() };
        ds.push(congress::add_delegate(&store, &t.term, &input, &ch()).await.unwrap().id);
    }
    let plan = meetings::MeetingInput { kind: "annual".into(), title: "年会(保密检验)".into(), on: "2026-11-20".into(), place: String::new() };
    let m = meetings::create(&store, &t.body, &t.term, &plan, &ch()).await.unwrap();
    for d in &ds {
        meetings::set_attendance(&store, &m, *d, "present", None, "", &ch()).await.unwrap();
    }
    let (title, question) = Question::validate("五项决议", "motion", "一\n二\n三\n四\n五", None).unwrap();
    let v = meetings::open_vote(
        &store,
        &meetings::create_vote(&store, &m, &title, &question, "party_branch_resolution", VoteMode::Secret, &ch()).await.unwrap(),
        &ch(),
    )
    .await
    .unwrap();
    // one at a time, in an order unlike the delegates' own, each ballot a pattern of its own
    // (the attacker's best case: every ballot tells which one it is)
    let pattern = |k: usize| -> Vec<Mark> { (0..5).map(|i| [Mark::Yes, Mark::No, Mark::Abstain][(k / 3usize.pow(i)) % 3]).collect() };
    let order: Vec<usize> = (0..N).map(|i| (i * 7) % N).collect();
    for (step, k) in order.iter().enumerate() {
        let at = Change::new(None, "投票人", NOW + step as i64 * 1000);
        meetings::cast(&store, &v, ds[*k], &Choices::Marks(pattern(*k)), &at).await.unwrap();
    }
    let v = meetings::close_vote(&store, &v, &ch()).await.unwrap();
    let canonical: Vec<String> = (0..N).map(|k| Choices::Marks(pattern(k)).canonical()).collect();
    // the box in every order the database has: physical (PostgreSQL's ctid; SQLite keeps it
    // WITHOUT ROWID), by key, by fingerprint
    let physical = if store.backend == lianxin_store::Backend::Postgres {
        "SELECT choices FROM ballots WHERE vote_id = $1 ORDER BY ctid"
    } else {
        "SELECT choices FROM ballots NOT INDEXED WHERE vote_id = $1"
    };
    for sql in [
        physical,
        "SELECT choices FROM ballots WHERE vote_id = $1 ORDER BY id",
        "SELECT choices FROM ballots WHERE vote_id = $1 ORDER BY fingerprint",
    ] {
        let seen: Vec<usize> = q(sql, [v.id.into()])
            .fetch_all(&store.pool)
            .await
            .unwrap()
            .iter()
            .map(|r| canonical.iter().position(|c| *c == r.s("choices")).unwrap())
            .collect();
        assert_eq!(seen.len(), N);
        // matched against the order of voting, of the delegates, or of the roll: no better than chance
        let by_vote = seen.iter().zip(&order).filter(|(a, b)| a == b).count();
        let by_delegate = seen.iter().enumerate().filter(|(i, k)| *i == **k).count();
        assert!(by_vote < 10 && by_delegate < 10, "{sql}: {by_vote} / {by_delegate} of {N} in place");
    }
    // nothing in the box but the vote, a random key, the fingerprint and the choices
    let row = q("SELECT * FROM ballots WHERE vote_id = $1", [v.id.into()]).fetch_all(&store.pool).await.unwrap();
    assert!(row.iter().all(|r| r.oi("voter_id").is_none()));
    // the roll says who voted, in delegate order, and nothing of when
    let roll: Vec<i64> = q("SELECT delegate_id FROM vote_roll WHERE vote_id = $1", [v.id.into()])
        .fetch_all(&store.pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.i("delegate_id"))
        .collect();
    let mut sorted = roll.clone();
    sorted.sort_unstable();
    assert_eq!(roll, sorted);
    let cols: Vec<String> = {
        use sqlx::{Column, Row};
        q("SELECT * FROM vote_roll WHERE vote_id = $1", [v.id.into()]).fetch_all(&store.pool).await.unwrap()[0]
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect()
    };
    assert_eq!(cols, ["tenant_id", "vote_id", "delegate_id"]);
    // the audit of a secret vote counts ballots in time, but no entry names a voter
    for r in q("SELECT actor_id, actor_name, after_data FROM audit_log WHERE action = 'cast' AND entity_id = $1", [v.id.into()])
        .fetch_all(&store.pool)
        .await
        .unwrap()
    {
        assert!(r.oi("actor_id").is_none());
        let after: serde_json::Value = serde_json::from_str(&r.s("after_data")).unwrap();
        assert!(after.get("delegates").is_none() && after.get("delegate").is_none());
    }
});

db_test!(paper_ballots_are_entered_twice_and_reconciled_before_they_count, |store| async move {
    use lianxin_domain::ballot::{Choices, Mark, Question, VoteMode};
    use lianxin_domain::meeting::PaperEntry;
    use lianxin_store::meetings;
    let t = town(&store).await;
    let mut ds = Vec::new();
    for p in &t.people {
        let input = DelegateInput { person_id: p.id, category: "farmer".into(), ..Default::default() };
        ds.push(congress::add_delegate(&store, &t.term, &input, &ch()).await.unwrap().id);
    }
    let plan = meetings::MeetingInput { kind: "annual".into(), title: "年会(纸质票)".into(), on: "2026-11-20".into(), place: String::new() };
    let m = meetings::create(&store, &t.body, &t.term, &plan, &ch()).await.unwrap();
    for d in &ds {
        meetings::set_attendance(&store, &m, *d, "present", None, "", &ch()).await.unwrap();
    }
    let (title, question) = Question::validate("两项决议", "motion", "工作报告\n财务报告", None).unwrap();
    let v = meetings::create_vote(&store, &m, &title, &question, "party_branch_resolution", VoteMode::Paper, &ch()).await.unwrap();
    let entry = |void: u64, yy: u64| PaperEntry { issued: 3, returned: 3, void, patterns: vec![("y,y".into(), yy), ("n,a".into(), 3 - void - yy)] };
    assert!(meetings::enter_paper(&store, &v, 1, &entry(0, 2), &ch()).await.is_err(), "not open yet");
    let v = meetings::open_vote(&store, &v, &ch()).await.unwrap();
    assert!(meetings::cast(&store, &v, ds[0], &Choices::Marks(vec![Mark::Yes, Mark::Yes]), &ch()).await.is_err(), "no phone ballots");
    // bad input changes nothing: piles that do not add up
    let wrong = PaperEntry { issued: 3, returned: 3, void: 0, patterns: vec![("y,y".into(), 2)] };
    assert!(meetings::enter_paper(&store, &v, 1, &wrong, &ch()).await.is_err());
    assert!(meetings::paper_entries(&store, &v).await.unwrap().is_empty());
    // teller 1 enters; closing needs a second teller
    assert!(meetings::enter_paper(&store, &v, 1, &entry(0, 2), &ch()).await.unwrap().is_empty());
    assert!(meetings::close_vote(&store, &v, &ch()).await.is_err(), "one entry is not enough");
    // teller 2 counts one ballot void: the entries differ and the close is refused
    let diff = meetings::enter_paper(&store, &v, 2, &entry(1, 2), &ch()).await.unwrap();
    assert_eq!(diff, vec!["废票 / void: 1 ≠ 0".to_string(), "n,a: 0 ≠ 1".to_string()]);
    assert!(meetings::close_vote(&store, &v, &ch()).await.is_err(), "entries differ");
    assert!(meetings::enter_paper(&store, &v, 3, &entry(0, 2), &ch()).await.is_err(), "no third teller");
    // teller 1 recounts and agrees with teller 2; a teller corrects only their own entry
    assert!(meetings::enter_paper(&store, &v, 1, &entry(1, 2), &ch()).await.unwrap().is_empty());
    assert_eq!(meetings::paper_entries(&store, &v).await.unwrap().len(), 2);
    let v = meetings::close_vote(&store, &v, &ch()).await.unwrap();
    let r = v.result.clone().unwrap();
    assert_eq!((r["ballots"].as_u64(), r["items"][0]["yes"].as_u64(), r["items"][1]["abstain"].as_u64()), (Some(2), Some(2), Some(0)));
    assert_eq!(r["paper"]["void"], 1);
    assert_eq!(r["paper"]["valid"], 2);
    assert_eq!(meetings::published(&store, &v).await.unwrap().len(), 2);
    assert_eq!(meetings::recount(&store, &v).await.unwrap(), r);
    // R-D1: more returned than handed out voids the vote; nothing goes in the box
    let v2 = meetings::create_vote(&store, &m, "第二次表决", &question, "party_branch_resolution", VoteMode::Paper, &ch()).await.unwrap();
    let v2 = meetings::open_vote(&store, &v2, &ch()).await.unwrap();
    let over = PaperEntry { issued: 3, returned: 4, void: 0, patterns: vec![("y,y".into(), 4)] };
    meetings::enter_paper(&store, &v2, 1, &over, &ch()).await.unwrap();
    meetings::enter_paper(&store, &v2, 2, &over, &ch()).await.unwrap();
    let v2 = meetings::close_vote(&store, &v2, &ch()).await.unwrap();
    let r2 = v2.result.unwrap();
    assert_eq!(r2["void"], true);
    assert_eq!(r2["ballots"], 0);
    assert!(r2["reason_zh"].as_str().unwrap().contains("R-D1"));
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(an_agenda_goes_out_is_deliberated_and_a_resolution_lives_by_r_k4, |store| async move {
    use lianxin_domain::ballot::{Choices, Mark};
    use lianxin_domain::meeting::{AgendaInput, DeliberationInput, ResolutionAction as A};
    use lianxin_store::{agenda, meetings};
    let t = town(&store).await;
    let mut ds = Vec::new();
    for p in &t.people {
        let input = DelegateInput { person_id: p.id, category: "farmer".into(), ..Default::default() };
        ds.push(congress::add_delegate(&store, &t.term, &input, &ch()).await.unwrap().id);
    }
    let plan =
        meetings::MeetingInput {
            kind: "annual".into(), title: "第二届代表大会第五次年会".into(), on: "2026-11-20".into(), place: String::new()
        };
    let m = meetings::create(&store, &t.body, &t.term, &plan, &ch()).await.unwrap();
    assert!(agenda::add(&store, &m, &AgendaInput { kind: "x".into(), title: "".into(), ..Default::default() }, &ch()).await.is_err());
    let report = agenda::add(
        &store,
        &m,
        &AgendaInput { kind: "report".into(), title: "镇党委工作报告".into(), presenter: "镇党委".into(), body: String::new() },
        &ch(),
    )
    .await
    .unwrap();
    let draft = agenda::add(
        &store,
        &m,
        &AgendaInput {
            kind: "draft_resolution".into(),
            title: "关于镇党委工作报告的决议".into(),
            presenter: "主席团".into(),
            body: "会议同意……".into(),
        },
        &ch(),
    )
    .await
    .unwrap();
    assert_eq!((report.position, draft.position), (1, 2));
    // the documents go out: every participant is told
    let file = lianxin_store::files::check("工作报告.txt", "一、过去一年的工作……".as_bytes().to_vec()).unwrap();
    agenda::attach(&store, &report, file, &ch()).await.unwrap();
    assert_eq!(agenda::distribute(&store, &m, &report, &ch()).await.unwrap(), 3);
    let told = q("SELECT COUNT(*) AS n FROM notices WHERE kind = 'meeting_documents'", []).fetch_one(&store.pool).await.unwrap().i("n");
    assert_eq!(told, 3);
    assert!(agenda::get(&store, report.id).await.unwrap().distributed_at.is_some());
    // groups deliberate; a group's second record replaces its first
    let rec = |g: &str, o: &str| DeliberationInput { group: g.into(), minutes: String::new(), opinions: o.into() };
    assert!(agenda::record_deliberation(&store, &draft, &rec("第一组", ""), &ch()).await.is_err(), "something to record");
    agenda::record_deliberation(&store, &draft, &rec("第一组", "同意\n建议增加村级财务公开内容"), &ch()).await.unwrap();
    agenda::record_deliberation(&store, &draft, &rec("第二组", "- 同意"), &ch()).await.unwrap();
    agenda::record_deliberation(&store, &draft, &rec("第一组", "同意\n建议增加村级财务公开内容\n建议明确时限"), &ch()).await.unwrap();
    let all = agenda::deliberations(&store, &m).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].opinions.len(), 3);
    assert_eq!(all[1].opinions, vec!["同意".to_string()]);
    // R-K4: deliberated, voted, adopted, published, implemented, reported, reviewed
    assert!(agenda::step(&store, &m, &report, A::Deliberate, "", "", &ch()).await.is_err(), "a report has no such life");
    assert!(agenda::step(&store, &m, &draft, A::PutToVote, "", "party_branch_resolution", &ch()).await.is_err(), "deliberated first");
    let d = agenda::step(&store, &m, &draft, A::Deliberate, "", "", &ch()).await.unwrap();
    let d = agenda::step(&store, &m, &d, A::PutToVote, "", "party_branch_resolution", &ch()).await.unwrap();
    let v = meetings::vote(&store, d.vote_id.unwrap()).await.unwrap();
    assert!(agenda::step(&store, &m, &d, A::Passed, "", "", &ch()).await.is_err(), "the vote decides, once closed");
    for x in &ds {
        meetings::set_attendance(&store, &m, *x, "present", None, "", &ch()).await.unwrap();
    }
    let v = meetings::open_vote(&store, &v, &ch()).await.unwrap();
    for x in &ds {
        meetings::cast(&store, &v, *x, &Choices::Marks(vec![Mark::Yes]), &ch()).await.unwrap();
    }
    meetings::close_vote(&store, &v, &ch()).await.unwrap();
    assert!(agenda::step(&store, &m, &d, A::Failed, "", "", &ch()).await.is_err(), "it passed");
    let d = agenda::step(&store, &m, &d, A::Passed, "", "", &ch()).await.unwrap();
    assert!(agenda::step(&store, &m, &d, A::Publish, "", "", &ch()).await.is_err(), "the adopted text");
    let d = agenda::step(&store, &m, &d, A::Publish, "会议同意镇党委工作报告……", "", &ch()).await.unwrap();
    assert_eq!(d.status, "published");
    assert_eq!(agenda::published(&store, t.body.tenant_id, t.body.id).await.unwrap().len(), 1);
    let d = agenda::step(&store, &m, &d, A::Implement, "", "", &ch()).await.unwrap();
    let d = agenda::step(&store, &m, &d, A::Report, "已完成村级财务公开整改", "", &ch()).await.unwrap();
    let d = agenda::step(&store, &m, &d, A::Review, "代表评议:满意", "", &ch()).await.unwrap();
    assert_eq!((d.status.as_str(), d.report.as_deref(), d.review.as_deref()), ("reviewed", Some("已完成村级财务公开整改"), Some("代表评议:满意")));
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(inquiries_are_answered_then_published_and_the_asker_is_told, |store| async move {
    use lianxin_domain::meeting::InquiryInput;
    use lianxin_store::{inquiries, meetings};
    let t = town(&store).await;
    let d =
        congress::add_delegate(&store, &t.term, &DelegateInput { person_id: t.people[0].id, category: "farmer".into(), ..Default::default() }, &ch())
            .await
            .unwrap();
    let plan = meetings::MeetingInput { kind: "annual".into(), title: "年会".into(), on: "2026-11-20".into(), place: String::new() };
    let m = meetings::create(&store, &t.body, &t.term, &plan, &ch()).await.unwrap();
    let ask =
        InquiryInput {
            kind: "inquiry".into(), mode: "written".into(), addressee: "镇财政所".into(), question: "村级财务公开为何延迟三个月?".into()
        };
    assert!(inquiries::ask(&store, &m, 999, &ask, &ch()).await.is_err(), "a delegate of the term");
    assert!(inquiries::ask(&store, &m, d.id, &InquiryInput { question: "短".into(), ..ask.clone() }, &ch()).await.is_err());
    let i = inquiries::ask(&store, &m, d.id, &ask, &ch()).await.unwrap();
    assert_eq!((i.asker.as_str(), i.status.as_str()), ("李建国", "asked"));
    assert!(inquiries::publish(&store, &i, &ch()).await.is_err(), "answered first");
    let i = inquiries::answer(&store, &i, "因会计人员调整,已于十月底补公开。", "", &ch()).await.unwrap();
    assert_eq!(i.answered_by.as_deref(), Some("镇财政所"));
    let told = q("SELECT COUNT(*) AS n FROM notices WHERE kind = 'inquiry_answered' AND person_id = $1", [t.people[0].id.into()])
        .fetch_one(&store.pool)
        .await
        .unwrap()
        .i("n");
    assert_eq!(told, 1);
    assert!(inquiries::published(&store, t.body.tenant_id, t.body.id).await.unwrap().is_empty(), "not public until published");
    let i = inquiries::publish(&store, &i, &ch()).await.unwrap();
    assert!(inquiries::answer(&store, &i, "改一改", "", &ch()).await.is_err(), "published answers stay");
    let public = inquiries::published(&store, t.body.tenant_id, t.body.id).await.unwrap();
    assert_eq!((public.len(), public[0].0.as_str()), (1, "年会"));
    assert_eq!(inquiries::list(&store, &m).await.unwrap().len(), 1);
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(attending_without_a_vote_counts_in_the_duty_file, |store| async move {
    use lianxin_store::{duty, meetings};
    let t = town(&store).await;
    let d =
        congress::add_delegate(&store, &t.term, &DelegateInput { person_id: t.people[0].id, category: "farmer".into(), ..Default::default() }, &ch())
            .await
            .unwrap();
    let plan =
        meetings::MeetingInput { kind: "plenary".into(), title: "镇党委全委会".into(), on: "2026-11-18".into(), place: "镇政府".into() };
    let m = meetings::create(&store, &t.body, &t.term, &plan, &ch()).await.unwrap();
    let attended = || async {
        q("SELECT a.deleted_at FROM activities a JOIN meeting_attendees m ON m.activity_id = a.id WHERE m.meeting_id = $1", [m.id.into()])
            .fetch_optional(&store.pool)
            .await
            .unwrap()
            .map(|r| r.oi("deleted_at").is_none())
    };
    // present with a vote: not a 列席
    meetings::set_attendance(&store, &m, d.id, "present", None, "", &ch()).await.unwrap();
    assert_eq!(attended().await, None);
    // made a non-voting attendee while present: one activity of that kind
    meetings::set_attendance(&store, &m, d.id, "present", Some("non_voting"), "", &ch()).await.unwrap();
    assert_eq!(attended().await, Some(true));
    let a =
        q("SELECT activity_id FROM meeting_attendees WHERE meeting_id = $1", [m.id.into()]).fetch_one(&store.pool).await.unwrap().i("activity_id");
    let act = duty::get(&store, a).await.unwrap();
    assert_eq!((act.kind.as_str(), act.on_date.as_str(), act.summary.as_str()), ("attendance", "2026-11-18", "列席镇党委全委会"));
    assert_eq!(act.delegates.iter().map(|x| x.0).collect::<Vec<_>>(), vec![d.id]);
    // checked in again: still one; sent away: set aside; back: counted again
    meetings::set_attendance(&store, &m, d.id, "present", None, "", &ch()).await.unwrap();
    meetings::set_attendance(&store, &m, d.id, "expected", None, "", &ch()).await.unwrap();
    assert_eq!(attended().await, Some(false));
    meetings::set_attendance(&store, &m, d.id, "present", None, "", &ch()).await.unwrap();
    assert_eq!(attended().await, Some(true));
    assert_eq!(q("SELECT COUNT(*) AS n FROM activities WHERE kind = 'attendance'", []).fetch_one(&store.pool).await.unwrap().i("n"), 1);
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

/// Five delegates of the town's term, present at a meeting.
async fn hall_of_five(store: &Store, t: &Town) -> (lianxin_store::meetings::Meeting, Vec<i64>, Vec<people::Person>) {
    use lianxin_store::meetings;
    let mut ps = t.people.clone();
    for n in ["赵丽华", "陈志强"] {
        ps.push(people::create(store, &member(n, t.b2.id), &ch()).await.unwrap());
    }
    let mut ds = Vec::new();
    for p in &ps {
        let d = congress::add_delegate(store, &t.term, &DelegateInput { person_id: p.id, category: "farmer".into(), ..Default::default() }, &ch())
            .await
            .unwrap();
        ds.push(d.id);
    }
    let plan = meetings::MeetingInput {
        kind: "annual".into(),
        title: "第二届代表大会第六次年会".into(),
        on: "2026-11-20".into(),
        place: "镇会议中心".into(),
    };
    let m = meetings::create(store, &t.body, &t.term, &plan, &ch()).await.unwrap();
    for d in &ds {
        meetings::set_attendance(store, &m, *d, "present", None, "", &ch()).await.unwrap();
    }
    (m, ds, ps)
}

db_test!(an_election_goes_from_nominations_through_a_tie_revote_to_the_roster, |store| async move {
    use lianxin_domain::ballot::{Choices, Mark};
    use lianxin_domain::election::{NominationStatus, RoundKind, RoundMode};
    use lianxin_store::{elections, meetings};
    let t = town(&store).await;
    let (m, ds, ps) = hall_of_five(&store, &t).await;
    let later = Change::new(Some(1), "测试员", NOW + 3 * 86_400_000);
    let draft = elections::ElectionDraft {
        title: "增补镇党委委员".into(),
        target: "committee".into(),
        method: "party_grassroots".into(),
        meeting_id: Some(m.id),
        posts: vec![elections::PostInput {
            name: "委员".into(),
            roster_post: "member".into(),
            seats: 2,
            slate: "party_grassroots_committee".into(),
            constituency: None,
        }],
        ..Default::default()
    };
    // bad definitions change nothing
    let bad = elections::ElectionDraft {
        method: "by_acclamation".into(),
        posts: vec![],
        targets: vec![lianxin_domain::election::CompositionTarget { key: "women".into(), min_percent: 150 }],
        ..draft.clone()
    };
    let fields = invalid_fields(elections::create(&store, &t.body, &t.term, &bad, &ch()).await.unwrap_err());
    assert!(fields.contains(&"method".to_string()) && fields.contains(&"posts".to_string()) && fields.contains(&"targets".to_string()), "{fields:?}");
    let e = elections::create(&store, &t.body, &t.term, &draft, &ch()).await.unwrap();
    let post = elections::posts(&store, &e).await.unwrap()[0].clone();
    let nom = |i: usize, source: &str| elections::NominationInput {
        post_id: post.id,
        person_id: Some(ps[i].id),
        source: source.into(),
        support: 10 + i as i64,
        ..Default::default()
    };
    assert!(elections::nominate(&store, &e, &nom(0, "members"), &ch()).await.is_err(), "nominations are not open yet");
    let e = elections::open_nominations(&store, &e, &ch()).await.unwrap();
    let mut noms = Vec::new();
    for (i, s) in [(0, "members"), (1, "organisation"), (2, "members"), (3, "self")] {
        noms.push(elections::nominate(&store, &e, &nom(i, s), &ch()).await.unwrap());
    }
    assert!(elections::nominate(&store, &e, &elections::NominationInput { source: "rumour".into(), ..nom(4, "") }, &ch()).await.is_err());
    assert!(elections::review(&store, &e, noms[3].id, NominationStatus::Rejected, "", &ch()).await.is_err(), "a reason is needed");
    elections::review(&store, &e, noms[3].id, NominationStatus::Rejected, "任职条件不符", &ch()).await.unwrap();
    for n in &noms[..3] {
        elections::review(&store, &e, n.id, NominationStatus::Qualified, "", &ch()).await.unwrap();
    }
    let names: Vec<String> = noms.iter().map(|n| n.name.clone()).collect();
    // R-H2/R-H5: 2 seats need 3 candidates; a rejected nominee cannot be listed
    let err = elections::publish_list(&store, &e, &[(post.id, names[..2].to_vec())], "2026-11-20", &ch()).await.unwrap_err();
    assert!(format!("{err:?}").contains("R-H2"), "{err:?}");
    assert!(elections::publish_list(&store, &e, &[(post.id, vec![names[0].clone(), names[1].clone(), names[3].clone()])], "2026-11-20", &ch())
        .await
        .is_err());
    let e = elections::publish_list(&store, &e, &[(post.id, names[..3].to_vec())], "2026-11-20", &ch()).await.unwrap();
    assert_eq!((e.status.as_str(), e.notice_until.as_deref()), ("notice", Some("2026-11-20")));
    assert!(elections::start_round(&store, &e, post.id, RoundMode::Phones, None, &ch()).await.is_err(), "still in public notice");
    // an objection during the notice holds the vote until it is decided
    assert!(elections::object(&store, &e, "无此人", "此人曾受过处分,不宜作为候选人", "", &ch()).await.is_err());
    assert!(elections::object(&store, &e, &names[0], "短", "", &ch()).await.is_err(), "grounds are needed");
    let o = elections::object(&store, &e, &names[0], "此人长期不参加组织生活,不宜作为候选人", "13800000000", &ch()).await.unwrap();
    assert!(elections::object(&store, &e, &names[0], "公示期满后才提出的异议", "", &later).await.is_err(), "after the notice");
    assert!(elections::start_round(&store, &e, post.id, RoundMode::Phones, None, &later).await.is_err(), "an objection is open");
    assert!(elections::decide_objection(&store, &e, o.id, false, "", &ch()).await.is_err(), "the finding is recorded");
    elections::decide_objection(&store, &e, o.id, false, "经核查,该同志按期参加组织生活,异议不成立", &ch()).await.unwrap();
    let r1 = elections::start_round(&store, &e, post.id, RoundMode::Phones, None, &later).await.unwrap();
    assert_eq!((r1.kind.as_str(), r1.seats, r1.candidates.clone()), ("first", 2, names[..3].to_vec()));
    let v = meetings::vote(&store, r1.vote_id.unwrap()).await.unwrap();
    // A 4, B 3, C 3: all over 5/2; A is elected and B, C tie for the last seat (R-F2)
    let b = |m: [Mark; 3]| Choices::Ballot { marks: m.to_vec(), write_ins: vec![] };
    use Mark::{Abstain as A, No as N, Yes as Y};
    for (d, c) in ds.iter().zip([b([Y, Y, N]), b([Y, N, Y]), b([N, Y, Y]), b([Y, Y, A]), b([Y, A, Y])]) {
        meetings::cast(&store, &v, *d, &c, &later).await.unwrap();
    }
    assert_eq!(meetings::cast(&store, &v, ds[0], &b([Y, N, N]), &later).await.unwrap(), meetings::Cast::AlreadyIn);
    let e = elections::get(&store, e.id).await.unwrap();
    let r1 = elections::count_phones(&store, &e, &r1, &later).await.unwrap();
    let res = r1.result.clone().unwrap();
    assert_eq!((res["elected"].clone(), res["runoff_type"].as_str()), (serde_json::json!([names[0]]), Some("tie_revote")));
    let st = elections::post_state(&store, &e, &post).await.unwrap();
    assert_eq!(st.next, Some((RoundKind::TieRevote, 1, vec![names[1].clone(), names[2].clone()])));
    assert!(elections::announce(&store, &e, &later).await.is_err(), "not complete");
    let r2 = elections::start_round(&store, &e, post.id, RoundMode::Phones, None, &later).await.unwrap();
    let v2 = meetings::vote(&store, r2.vote_id.unwrap()).await.unwrap();
    for (d, yes_b) in ds.iter().zip([true, true, true, false, false]) {
        let c = Choices::Ballot { marks: if yes_b { vec![Y, N] } else { vec![N, Y] }, write_ins: vec![] };
        meetings::cast(&store, &v2, *d, &c, &later).await.unwrap();
    }
    let r2 = elections::count_phones(&store, &e, &r2, &later).await.unwrap();
    assert_eq!(r2.result.unwrap()["elected"], serde_json::json!([names[1]]));
    let e = elections::announce(&store, &e, &later).await.unwrap();
    assert_eq!(e.status.as_str(), "announced");
    let committee = congress::committee(&store, &t.term).await.unwrap();
    let mut on: Vec<&str> = committee.iter().map(|c| c.name.as_str()).collect();
    on.sort();
    let mut want = vec![names[0].as_str(), names[1].as_str()];
    want.sort();
    assert_eq!(on, want);
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(a_paper_election_short_of_seats_reduces_them_by_r_g1, |store| async move {
    use lianxin_domain::counting::election::{BallotPattern, Mark};
    use lianxin_domain::election::{NominationStatus, RoundMode};
    use lianxin_store::elections;
    let t = town(&store).await;
    let later = Change::new(Some(1), "测试员", NOW + 3 * 86_400_000);
    let draft = elections::ElectionDraft {
        title: "下楣桥村党支部换届".into(),
        target: "committee".into(),
        method: "party_grassroots".into(),
        min_size: Some(2),
        posts: vec![elections::PostInput {
            name: "支部委员".into(),
            roster_post: "member".into(),
            seats: 3,
            slate: "party_grassroots_committee".into(),
            constituency: None,
        }],
        ..Default::default()
    };
    let e = elections::create(&store, &t.body, &t.term, &draft, &ch()).await.unwrap();
    let post = elections::posts(&store, &e).await.unwrap()[0].clone();
    let e = elections::open_nominations(&store, &e, &ch()).await.unwrap();
    // two on the roster, two by name (not on it)
    let mut names = Vec::new();
    for (pid, name) in [(Some(t.people[0].id), ""), (Some(t.people[1].id), ""), (None, "刘春生"), (None, "周海燕")] {
        let n = elections::nominate(
            &store,
            &e,
            &elections::NominationInput {
                post_id: post.id,
                person_id: pid,
                name: name.into(),
                source: "members".into(),
                support: 20,
                ..Default::default()
            },
            &ch(),
        )
        .await
        .unwrap();
        elections::review(&store, &e, n.id, NominationStatus::Qualified, "", &ch()).await.unwrap();
        names.push(n.name);
    }
    // R-A2: only an exclusion with both approvals leaves the base
    let ex = |name: &str, meeting_approved| lianxin_domain::counting::election::Exclusion {
        name: name.into(),
        ground: "abroad".into(),
        higher_approved: true,
        meeting_approved,
    };
    assert!(elections::add_exclusion(
        &store,
        &e,
        &lianxin_domain::counting::election::Exclusion { ground: "bored".into(), ..ex("某甲", true) },
        &ch()
    )
    .await
    .is_err());
    elections::add_exclusion(&store, &e, &ex("出国党员", true), &ch()).await.unwrap();
    elections::add_exclusion(&store, &e, &ex("未经大会通过", false), &ch()).await.unwrap();
    let e = elections::publish_list(&store, &e, &[(post.id, names.clone())], "2026-11-18", &ch()).await.unwrap();
    assert!(elections::start_round(&store, &e, post.id, RoundMode::Phones, None, &later).await.is_err(), "no meeting: paper only");
    let r = elections::start_round(&store, &e, post.id, RoundMode::Paper, None, &later).await.unwrap();
    let e = elections::get(&store, e.id).await.unwrap();
    let pat =
        |count: i64, yes: &[&String]| BallotPattern { count, marks: yes.iter().map(|n| (n.to_string(), Mark::Yes)).collect(), ..Default::default() };
    // 30 present of 32 (R-B1: 150 > 128); 16 elects; 李建国 and 王桂英 pass, the others do not
    let count = elections::PaperCount {
        eligible_voters: 32,
        voters_present: 30,
        ballots_issued: None,
        ballots: vec![pat(18, &[&names[0], &names[1], &names[2]]), pat(10, &[&names[3]]), pat(2, &[&names[0], &names[1], &names[2], &names[3]])],
    };
    // bad counts are refused and change nothing
    let mut wrong = count.clone();
    wrong.voters_present = 40;
    assert!(elections::count_paper(&store, &e, &r, &wrong, &later).await.is_err());
    assert_eq!(elections::round(&store, r.id).await.unwrap().status, "open");
    let r = elections::count_paper(&store, &e, &r, &count, &later).await.unwrap();
    let res = r.result.unwrap();
    assert_eq!((res["void_ballots"].as_u64(), res["threshold_min_votes"].as_u64()), (Some(2), Some(16)));
    assert_eq!(res["members_expected"].as_u64(), Some(31), "32 less the one lawful exclusion");
    assert!(res["reason"].as_str().unwrap().contains("R-A2"));
    assert!(elections::add_exclusion(&store, &e, &ex("迟到的", true), &later).await.is_err(), "not once voting started");
    // 李建国 18, 王桂英 18, 刘春生 18: three pass for three seats
    assert_eq!(res["elected"].as_array().unwrap().len(), 3);
    let st = elections::post_state(&store, &e, &post).await.unwrap();
    assert_eq!((st.remaining, st.next.clone()), (0, None));
    // 刘春生 was nominated by name: linked to a person after the check, then announced
    assert!(elections::announce(&store, &e, &later).await.is_err(), "刘春生 is not on the roster yet");
    let liu = people::create(&store, &member("刘春生", t.b1.id), &ch()).await.unwrap();
    elections::link_elected(&store, &e, post.id, "刘春生", liu.id, &later).await.unwrap();
    let e2 = elections::announce(&store, &e, &later).await.unwrap();
    assert_eq!(e2.status.as_str(), "announced");
    assert_eq!(congress::committee(&store, &t.term).await.unwrap().len(), 3);
});

db_test!(r_g1_seats_are_reduced_instead_of_another_round, |store| async move {
    use lianxin_domain::counting::election::{BallotPattern, Mark};
    use lianxin_domain::election::{NominationStatus, ReductionApproval, RoundKind, RoundMode};
    use lianxin_store::elections;
    let t = town(&store).await;
    let later = Change::new(Some(1), "测试员", NOW + 3 * 86_400_000);
    let draft = elections::ElectionDraft {
        title: "七里洞村党支部换届".into(),
        target: "committee".into(),
        method: "party_grassroots".into(),
        min_size: Some(2),
        posts: vec![elections::PostInput {
            name: "支部委员".into(),
            roster_post: "member".into(),
            seats: 3,
            slate: "party_grassroots_committee".into(),
            constituency: None,
        }],
        ..Default::default()
    };
    let e = elections::create(&store, &t.body, &t.term, &draft, &ch()).await.unwrap();
    let post = elections::posts(&store, &e).await.unwrap()[0].clone();
    let e = elections::open_nominations(&store, &e, &ch()).await.unwrap();
    let mut names = Vec::new();
    for (pid, name) in [(Some(t.people[0].id), ""), (Some(t.people[1].id), ""), (Some(t.people[2].id), ""), (None, "周海燕")] {
        let n = elections::nominate(
            &store,
            &e,
            &elections::NominationInput {
                post_id: post.id,
                person_id: pid,
                name: name.into(),
                source: "members".into(),
                support: 20,
                ..Default::default()
            },
            &ch(),
        )
        .await
        .unwrap();
        elections::review(&store, &e, n.id, NominationStatus::Qualified, "", &ch()).await.unwrap();
        names.push(n.name);
    }
    let e = elections::publish_list(&store, &e, &[(post.id, names.clone())], "2026-11-18", &ch()).await.unwrap();
    let r = elections::start_round(&store, &e, post.id, RoundMode::Paper, None, &later).await.unwrap();
    let e = elections::get(&store, e.id).await.unwrap();
    let pat =
        |count: i64, yes: &[&String]| BallotPattern { count, marks: yes.iter().map(|n| (n.to_string(), Mark::Yes)).collect(), ..Default::default() };
    let count = elections::PaperCount {
        eligible_voters: 20,
        voters_present: 20,
        ballots_issued: None,
        ballots: vec![pat(12, &[&names[0], &names[1]]), pat(8, &[&names[2], &names[3]])],
    };
    elections::count_paper(&store, &e, &r, &count, &later).await.unwrap();
    let st = elections::post_state(&store, &e, &post).await.unwrap();
    assert!(matches!(st.next, Some((RoundKind::Supplementary, 1, _))), "{st:?}");
    // R-G1: not below those elected, needs a record of the approval
    assert!(elections::reduce_seats(&store, &e, post.id, 1, ReductionApproval::Presidium, "主席团决定", &later).await.is_err());
    assert!(elections::reduce_seats(&store, &e, post.id, 2, ReductionApproval::Electors, "", &later).await.is_err());
    let p = elections::reduce_seats(&store, &e, post.id, 2, ReductionApproval::Electors, "经半数以上选举人同意", &later).await.unwrap();
    assert_eq!((p.seats, p.reduced_from, p.reduced_by.as_deref()), (2, Some(3), Some("electors")));
    let st = elections::post_state(&store, &e, &p).await.unwrap();
    assert_eq!((st.remaining, st.next), (0, None));
    elections::announce(&store, &e, &later).await.unwrap();
    assert_eq!(congress::committee(&store, &t.term).await.unwrap().len(), 2);
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(a_by_election_fills_the_vacant_seat_r_j9, |store| async move {
    use lianxin_domain::counting::election::{BallotPattern, Mark};
    use lianxin_domain::election::{NominationStatus, RoundMode};
    use lianxin_store::elections;
    let t = town(&store).await;
    let later = Change::new(Some(1), "测试员", NOW + 3 * 86_400_000);
    let old = congress::add_delegate(
        &store,
        &t.term,
        &DelegateInput { person_id: t.people[0].id, category: "farmer".into(), constituency: Some("下楣桥村".into()), ..Default::default() },
        &ch(),
    )
    .await
    .unwrap();
    congress::change_delegate_qualification(
        &store,
        old.id,
        &QualificationChangeInput { reason: "transferred_out".into(), decided_on: "2026-05-01".into(), ..Default::default() },
        &ch(),
    )
    .await
    .unwrap();
    assert_eq!(congress::vacancies(&store, &t.term).await.unwrap().len(), 1);
    let draft = elections::ElectionDraft {
        title: "下楣桥村补选镇党代表".into(),
        target: "delegates".into(),
        method: "party_grassroots".into(),
        by_election: true,
        posts: vec![elections::PostInput {
            name: "代表".into(),
            roster_post: "delegate".into(),
            seats: 1,
            slate: "party_grassroots_delegate".into(),
            constituency: Some("下楣桥村".into()),
        }],
        ..Default::default()
    };
    let e = elections::create(&store, &t.body, &t.term, &draft, &ch()).await.unwrap();
    let post = elections::posts(&store, &e).await.unwrap()[0].clone();
    let e = elections::open_nominations(&store, &e, &ch()).await.unwrap();
    let mut names = Vec::new();
    for p in &t.people[1..3] {
        let n = elections::nominate(
            &store,
            &e,
            &elections::NominationInput {
                post_id: post.id,
                person_id: Some(p.id),
                category: Some("worker".into()),
                source: "members".into(),
                ..Default::default()
            },
            &ch(),
        )
        .await
        .unwrap();
        elections::review(&store, &e, n.id, NominationStatus::Qualified, "", &ch()).await.unwrap();
        names.push(n.name);
    }
    let e = elections::publish_list(&store, &e, &[(post.id, names.clone())], "2026-11-18", &ch()).await.unwrap();
    let r = elections::start_round(&store, &e, post.id, RoundMode::Paper, None, &later).await.unwrap();
    let e = elections::get(&store, e.id).await.unwrap();
    let yes = |count, n: &String| BallotPattern { count, marks: [(n.clone(), Mark::Yes)].into(), ..Default::default() };
    let c = elections::PaperCount {
        eligible_voters: 40,
        voters_present: 38,
        ballots_issued: None,
        ballots: vec![yes(25, &names[0]), yes(13, &names[1])],
    };
    elections::count_paper(&store, &e, &r, &c, &later).await.unwrap();
    elections::announce(&store, &e, &later).await.unwrap();
    let seat = congress::delegate(&store, old.id).await.unwrap();
    assert!(!seat.is_vacancy() && seat.replaced_by.is_some(), "the seat is filled");
    let new = congress::delegate(&store, seat.replaced_by.unwrap()).await.unwrap();
    assert_eq!(
        (new.name.as_str(), new.origin.as_str(), new.category.as_str(), new.constituency.as_deref()),
        (names[0].as_str(), "by_election", "worker", Some("下楣桥村"))
    );
    assert!(congress::vacancies(&store, &t.term).await.unwrap().is_empty());
});

db_test!(two_ballot_trust_vote_makes_the_preliminary_list_r_i4, |store| async move {
    use lianxin_domain::counting::two_ballot::TrustVote;
    use lianxin_store::elections;
    let t = town(&store).await;
    let draft = elections::ElectionDraft {
        title: "下楣桥村党支部“两票制”换届".into(),
        target: "committee".into(),
        method: "party_grassroots".into(),
        posts: vec![elections::PostInput {
            name: "支部书记".into(),
            roster_post: "secretary".into(),
            seats: 1,
            slate: "party_grassroots_committee".into(),
            constituency: None,
        }],
        ..Default::default()
    };
    let e = elections::create(&store, &t.body, &t.term, &draft, &ch()).await.unwrap();
    let post = elections::posts(&store, &e).await.unwrap()[0].clone();
    let e = elections::open_nominations(&store, &e, &ch()).await.unwrap();
    for name in ["甲", "乙", "丙", "丁"] {
        elections::nominate(
            &store,
            &e,
            &elections::NominationInput { post_id: post.id, name: name.into(), source: "members".into(), ..Default::default() },
            &ch(),
        )
        .await
        .unwrap();
    }
    let votes =
        |v: &[(&str, i64)]| TrustVote { participants: 100, votes: v.iter().map(|(n, k)| (n.to_string(), *k)).collect(), ..Default::default() };
    assert!(elections::record_trust_vote(&store, &e, post.id, votes(&[("戊", 80)]), None, &ch()).await.is_err(), "only nominees");
    assert!(elections::record_trust_vote(&store, &e, post.id, votes(&[("甲", 101)]), None, &ch()).await.is_err(), "more votes than voters");
    // 丁 has exactly half and may not stand; 1:2 for one seat takes 甲 and 乙; 丙 is trusted but outside the list
    let r = elections::record_trust_vote(&store, &e, post.id, votes(&[("甲", 80), ("乙", 60), ("丙", 51), ("丁", 50)]), None, &ch()).await.unwrap();
    assert_eq!((r.preliminary_candidates.clone(), r.not_trusted.clone()), (vec!["甲".to_string(), "乙".to_string()], vec!["丁".to_string()]));
    let noms = elections::nominations(&store, &e).await.unwrap();
    let status = |n: &str| noms.iter().find(|x| x.name == n).map(|x| (x.status.clone(), x.review_note.clone().unwrap_or_default())).unwrap();
    assert_eq!(status("甲").0, "nominated");
    assert!(status("丙").0 == "rejected" && status("丙").1.contains("预备"));
    assert!(status("丁").0 == "rejected" && status("丁").1.contains("R-I4"));
    let e = elections::get(&store, e.id).await.unwrap();
    assert_eq!(e.trust_vote[&post.id].trust_threshold_min_votes, 51);
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(an_upheld_objection_takes_the_candidate_off_and_a_short_list_back_to_nominations, |store| async move {
    use lianxin_domain::election::NominationStatus;
    use lianxin_store::elections;
    let t = town(&store).await;
    let draft = elections::ElectionDraft {
        title: "七里洞村党支部委员补选".into(),
        target: "committee".into(),
        method: "party_grassroots".into(),
        by_election: true,
        posts: vec![elections::PostInput {
            name: "委员".into(),
            roster_post: "member".into(),
            seats: 1,
            slate: "party_grassroots_committee".into(),
            constituency: None,
        }],
        ..Default::default()
    };
    let e = elections::create(&store, &t.body, &t.term, &draft, &ch()).await.unwrap();
    let post = elections::posts(&store, &e).await.unwrap()[0].clone();
    let e = elections::open_nominations(&store, &e, &ch()).await.unwrap();
    for name in ["甲", "乙"] {
        let n = elections::nominate(
            &store,
            &e,
            &elections::NominationInput { post_id: post.id, name: name.into(), source: "members".into(), ..Default::default() },
            &ch(),
        )
        .await
        .unwrap();
        elections::review(&store, &e, n.id, NominationStatus::Qualified, "", &ch()).await.unwrap();
    }
    let e = elections::publish_list(&store, &e, &[(post.id, vec!["甲".into(), "乙".into()])], "2026-11-25", &ch()).await.unwrap();
    let o = elections::object(&store, &e, "乙", "该同志户籍与组织关系均不在本村", "", &ch()).await.unwrap();
    let e = elections::decide_objection(&store, &e, o.id, true, "经核查属实,取消候选人资格", &ch()).await.unwrap();
    // one candidate left for one seat of a by-election: short of R-H2, so a new list is needed
    assert_eq!((e.status.as_str(), e.notice_until.as_deref()), ("nominating", None));
    assert_eq!(elections::candidates(&store, &e).await.unwrap().len(), 1);
    let noms = elections::nominations(&store, &e).await.unwrap();
    assert!(noms.iter().any(|n| n.name == "乙" && n.status == "rejected" && n.review_note.as_deref().unwrap_or("").contains("异议成立")));
    assert_eq!(elections::objections(&store, &e).await.unwrap()[0].status, "upheld");
    assert!(audit::verify(&store).await.unwrap().is_ok());
});

db_test!(top_down_the_secretary_first_and_the_loser_stands_for_member_r_i3, |store| async move {
    use lianxin_domain::counting::election::{BallotPattern, Mark};
    use lianxin_domain::election::{NominationStatus, RoundMode};
    use lianxin_store::elections;
    let t = town(&store).await;
    let later = Change::new(Some(1), "测试员", NOW + 3 * 86_400_000);
    let post = |name: &str, roster: &str, seats| elections::PostInput {
        name: name.into(),
        roster_post: roster.into(),
        seats,
        slate: "village_committee".into(),
        constituency: None,
    };
    let draft = elections::ElectionDraft {
        title: "公推直选镇党委班子".into(),
        target: "committee".into(),
        method: "party_grassroots".into(),
        post_order: "top_down".into(),
        min_size: Some(0),
        posts: vec![post("书记", "secretary", 1), post("委员", "member", 2)],
        ..Default::default()
    };
    let e = elections::create(&store, &t.body, &t.term, &draft, &ch()).await.unwrap();
    let ps = elections::posts(&store, &e).await.unwrap();
    let e = elections::open_nominations(&store, &e, &ch()).await.unwrap();
    for (k, name) in ["甲", "乙", "丙", "丁", "戊"].iter().enumerate() {
        let p = if k < 2 { &ps[0] } else { &ps[1] };
        let n = elections::nominate(
            &store,
            &e,
            &elections::NominationInput { post_id: p.id, name: name.to_string(), source: "members".into(), ..Default::default() },
            &ch(),
        )
        .await
        .unwrap();
        elections::review(&store, &e, n.id, NominationStatus::Qualified, "", &ch()).await.unwrap();
    }
    let lists = vec![(ps[0].id, vec!["甲".into(), "乙".into()]), (ps[1].id, vec!["丙".into(), "丁".into(), "戊".into()])];
    let e = elections::publish_list(&store, &e, &lists, "2026-11-18", &ch()).await.unwrap();
    // the members cannot go first
    assert!(elections::start_round(&store, &e, ps[1].id, RoundMode::Paper, None, &later).await.is_err());
    let r = elections::start_round(&store, &e, ps[0].id, RoundMode::Paper, None, &later).await.unwrap();
    let e = elections::get(&store, e.id).await.unwrap();
    let yes =
        |count, names: &[&str]| BallotPattern { count, marks: names.iter().map(|n| (n.to_string(), Mark::Yes)).collect(), ..Default::default() };
    elections::count_paper(
        &store,
        &e,
        &r,
        &elections::PaperCount { eligible_voters: 30, voters_present: 30, ballots_issued: None, ballots: vec![yes(20, &["甲"]), yes(10, &["乙"])] },
        &later,
    )
    .await
    .unwrap();
    // 甲 is secretary and off the member slate; 乙, not elected, stands for member after its own candidates
    let r2 = elections::start_round(&store, &e, ps[1].id, RoundMode::Paper, None, &later).await.unwrap();
    assert_eq!(r2.candidates, vec!["丙", "丁", "戊", "乙"]);
});

db_test!(two_buchengzhi_verdicts_in_a_row_are_found_r_l2, |store| async move {
    use lianxin_domain::ballot::{Choices, Question, VoteMode};
    use lianxin_store::meetings;
    let t = town(&store).await;
    let (m1, ds, _) = hall_of_five(&store, &t).await;
    let plan = meetings::MeetingInput {
        kind: "annual".into(),
        title: "第二届代表大会第七次年会".into(),
        on: "2027-03-20".into(),
        place: "镇会议中心".into(),
    };
    let m2 = meetings::create(&store, &t.body, &t.term, &plan, &ch()).await.unwrap();
    for d in &ds {
        meetings::set_attendance(&store, &m2, *d, "present", None, "", &ch()).await.unwrap();
    }
    let config = r#"{"verdict_buchengzhi_if_over":"1/2"}"#;
    // 李主任: 不称职 from three of five both times; 王委员: once only
    for (m, wang_bad) in [(&m1, true), (&m2, false)] {
        let (title, q) = Question::validate("村委会成员年度民主评议", "appraisal", "李主任\n王委员", None).unwrap();
        let v = meetings::open_vote(&store, &meetings::create_vote(&store, m, &title, &q, config, VoteMode::Secret, &ch()).await.unwrap(), &ch())
            .await
            .unwrap();
        for (k, d) in ds.iter().enumerate() {
            let li = if k < 3 { 3 } else { 1 };
            let wang = if wang_bad && k < 3 { 3 } else { 0 };
            meetings::cast(&store, &v, *d, &Choices::Grades(vec![li, wang]), &ch()).await.unwrap();
        }
        meetings::close_vote(&store, &v, &ch()).await.unwrap();
    }
    let h = meetings::appraisal_history(&store, &t.body).await.unwrap();
    assert_eq!(h["李主任"].iter().map(|v| v.buchengzhi).collect::<Vec<_>>(), vec![true, true]);
    assert_eq!(h["王委员"].iter().map(|v| v.buchengzhi).collect::<Vec<_>>(), vec![true, false]);
    let (_, second) = lianxin_domain::counting::appraisal::two_in_a_row(&h["李主任"]).unwrap();
    assert_eq!(second.on, "2027-03-20");
    assert!(lianxin_domain::counting::appraisal::two_in_a_row(&h["王委员"]).is_none());
});

db_test!(one_paper_ballot_for_every_post_then_a_round_for_the_short_post_r_i3_r_g3, |store| async move {
    use lianxin_domain::counting::election::{BallotPattern, Mark};
    use lianxin_domain::election::{NominationStatus, RoundKind, RoundMode};
    use lianxin_store::elections;
    let t = town(&store).await;
    let later = Change::new(Some(1), "测试员", NOW + 3 * 86_400_000);
    let mut ps = t.people.clone();
    for n in ["赵丽华", "陈志强"] {
        ps.push(people::create(&store, &member(n, t.b2.id), &ch()).await.unwrap());
    }
    let post = |name: &str, roster: &str, seats| elections::PostInput {
        name: name.into(),
        roster_post: roster.into(),
        seats,
        slate: "village_committee".into(),
        constituency: None,
    };
    let draft = elections::ElectionDraft {
        title: "下楣桥村“两委”换届(一张选票)".into(),
        target: "committee".into(),
        method: "village_committee".into(),
        one_ballot: true,
        min_size: Some(0),
        posts: vec![post("主任", "secretary", 1), post("委员", "member", 2)],
        ..Default::default()
    };
    assert!(
        elections::create(&store, &t.body, &t.term, &elections::ElectionDraft { posts: vec![post("主任", "secretary", 1)], ..draft.clone() }, &ch())
            .await
            .is_err(),
        "one ballot needs two posts"
    );
    let e = elections::create(&store, &t.body, &t.term, &draft, &ch()).await.unwrap();
    let posts = elections::posts(&store, &e).await.unwrap();
    let e = elections::open_nominations(&store, &e, &ch()).await.unwrap();
    let mut names = Vec::new();
    for (k, p) in ps.iter().enumerate() {
        let post = if k < 2 { &posts[0] } else { &posts[1] };
        let n = elections::nominate(
            &store,
            &e,
            &elections::NominationInput { post_id: post.id, person_id: Some(p.id), source: "residents".into(), ..Default::default() },
            &ch(),
        )
        .await
        .unwrap();
        elections::review(&store, &e, n.id, NominationStatus::Qualified, "", &ch()).await.unwrap();
        names.push(n.name);
    }
    let lists = vec![(posts[0].id, names[..2].to_vec()), (posts[1].id, names[2..].to_vec())];
    let e = elections::publish_list(&store, &e, &lists, "2026-11-18", &ch()).await.unwrap();
    assert!(elections::start_round(&store, &e, posts[0].id, RoundMode::Phones, None, &later).await.is_err(), "one ballot is paper");
    let r = elections::start_round(&store, &e, posts[0].id, RoundMode::Paper, None, &later).await.unwrap();
    assert!(r.is_one_ballot());
    let e = elections::get(&store, e.id).await.unwrap();
    let b = |count, zr: &str, wy: &[&String]| BallotPattern {
        count,
        post_marks: [
            ("主任".to_string(), [(zr.to_string(), Mark::Yes)].into()),
            ("委员".to_string(), wy.iter().map(|n| (n.to_string(), Mark::Yes)).collect()),
        ]
        .into(),
        ..Default::default()
    };
    // 100 voted of 150 registered (R-B5); 主任 names[0] 60 > 50; 委员 names[2] 60 passes, names[3] 40 does not
    let c = elections::PaperCount {
        eligible_voters: 150,
        voters_present: 100,
        ballots_issued: None,
        ballots: vec![b(60, &names[0], &[&names[2]]), b(40, &names[1], &[&names[3]])],
    };
    elections::count_paper(&store, &e, &r, &c, &later).await.unwrap();
    let won = elections::elected(&store, &e).await.unwrap();
    assert_eq!(
        won.iter().map(|x| (x.post_id, x.name.clone())).collect::<Vec<_>>(),
        vec![(posts[0].id, names[0].clone()), (posts[1].id, names[2].clone())]
    );
    assert_eq!(elections::post_state(&store, &e, &posts[0]).await.unwrap().next, None, "主任 is filled");
    let st = elections::post_state(&store, &e, &posts[1]).await.unwrap();
    assert_eq!(st.next, Some((RoundKind::Supplementary, 1, vec![names[3].clone(), names[4].clone()])), "remaining + 1 by votes (R-G3)");
    // 另行选举 for the one 委员 seat, on its own ballot: the most votes, at least ⅓ of those cast
    let r2 = elections::start_round(&store, &e, posts[1].id, RoundMode::Paper, None, &later).await.unwrap();
    assert!(!r2.is_one_ballot());
    let yes = |count, n: &String| BallotPattern { count, marks: [(n.clone(), Mark::Yes)].into(), ..Default::default() };
    let r2 = elections::count_paper(
        &store,
        &e,
        &r2,
        &elections::PaperCount {
            eligible_voters: 150,
            voters_present: 90,
            ballots_issued: None,
            ballots: vec![yes(55, &names[3]), yes(35, &names[4])],
        },
        &later,
    )
    .await
    .unwrap();
    assert!(r2.result.unwrap()["reason"].as_str().unwrap().contains("R-G3"));
    elections::announce(&store, &e, &later).await.unwrap();
    assert_eq!(congress::committee(&store, &t.term).await.unwrap().len(), 3);
});

db_test!(a_paper_vote_counts_when_nobody_checked_in_void_ballots_included, |store| async move {
    use lianxin_domain::ballot::{Question, VoteMode};
    use lianxin_domain::meeting::PaperEntry;
    use lianxin_store::meetings;
    // a hall without phones: the clerk never checked anyone in, the tellers counted the box
    let t = town(&store).await;
    for p in &t.people {
        congress::add_delegate(&store, &t.term, &DelegateInput { person_id: p.id, category: "farmer".into(), ..Default::default() }, &ch())
            .await
            .unwrap();
    }
    let plan = meetings::MeetingInput { kind: "annual".into(), title: "年会(未签到)".into(), on: "2026-11-20".into(), place: String::new() };
    let m = meetings::create(&store, &t.body, &t.term, &plan, &ch()).await.unwrap();
    let (title, question) = Question::validate("一项决议", "motion", "", None).unwrap();
    let v = meetings::create_vote(&store, &m, &title, &question, "party_branch_resolution", VoteMode::Paper, &ch()).await.unwrap();
    let v = meetings::open_vote(&store, &v, &ch()).await.unwrap();
    let entry = PaperEntry { issued: 3, returned: 3, void: 1, patterns: vec![("y".into(), 2)] };
    meetings::enter_paper(&store, &v, 1, &entry, &ch()).await.unwrap();
    meetings::enter_paper(&store, &v, 2, &entry, &ch()).await.unwrap();
    let v = meetings::close_vote(&store, &v, &ch()).await.unwrap();
    let d = &v.result.unwrap()["items"][0]["decision"];
    // three handed in a ballot, so three were present: 2 of 3 due is more than half (R-B3)
    assert_eq!((d["present"].as_u64(), d["passed"].as_bool()), (Some(3), Some(true)));
});
