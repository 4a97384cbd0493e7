//! The demo's year of proposals: handling units for the town and the county, and proposals
//! in every state, each one's life replayed through the domain's state machine (so every
//! stored state is one the rules allow) and written in bulk with its timeline.
//! The county's previous year is seed 001's: 69 proposals, all closed, satisfaction 100 %.

use crate::audit::append;
use crate::db::{insert_rows, q, RowExt, Store, V};
use crate::{Change, Result};
use lianxin_domain::lang::Coded;
use lianxin_domain::proposal::{
    day_number, decide, Action, Part, ProposalKind, ProposalSettings, ProposalStatus, ReplyResult, Satisfaction, Snapshot,
};

const TOWN_UNITS: &[&str] = &["镇农业综合服务中心", "镇规划建设环保办", "镇社会事务办", "镇财政所", "镇综治办"];
const COUNTY_UNITS: &[&str] =
    &["县发展和改革局", "县农业农村局", "县教育体育局", "县卫生健康局", "县住房和城乡建设局", "县交通运输局", "县林业和草原局"];

/// (title, category, the unit index that handles it)
const TITLES: &[(&str, &str, usize)] = &[
    ("修缮下楣桥李家组水渠", "infrastructure", 0),
    ("改造七里洞学校", "education", 2),
    ("关于引进优良品种发展林业经济作物的提案", "agriculture", 0),
    ("关于加强全镇政法综治工作的建议", "safety", 4),
    ("硬化大塘村至石盖塘村通组公路", "infrastructure", 1),
    ("增设郴江社区老年人日间照料中心", "society", 2),
    ("整治万华岩景区周边环境卫生", "environment", 1),
    ("规范征地拆迁补偿公示程序", "party_building", 3),
    ("加强农村党员远程教育站点管理", "party_building", 3),
    ("扶持坳上村油茶合作社发展", "economy", 0),
    ("解决新田岭村安全饮水问题", "infrastructure", 1),
    ("在南塔社区增设垃圾分类收集点", "environment", 1),
    ("加快村卫生室标准化建设", "health", 2),
    ("开展留守儿童关爱服务", "society", 2),
    ("完善农村低保动态管理", "society", 3),
    ("建设水湾村文化活动广场", "society", 1),
    ("调处G107绕城线建设征地纠纷", "safety", 4),
    ("增加镇中心小学寄宿床位", "education", 2),
    ("推广稻田养鱼技术", "agriculture", 0),
    ("改善集镇停车秩序", "safety", 4),
];

struct Gen {
    seed: u64,
}
impl Gen {
    fn next(&mut self) -> u64 {
        self.seed = self.seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.seed >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Rows for one tenant, written in bulk at the end.
#[derive(Default)]
struct Rows {
    proposals: Vec<[V; 27]>,
    signers: Vec<[V; 6]>,
    units: Vec<[V; 4]>,
    events: Vec<[V; 10]>,
}

/// A millisecond instant at 10:00 (UTC+8) of a day number.
fn at(day: i64) -> i64 {
    (day * 86_400 + 2 * 3600) * 1000
}

/// Adds the handling units and a year of proposals to one tenant's congress.
#[allow(clippy::too_many_arguments)]
async fn one(
    store: &Store,
    change: &Change,
    tenant: i64,
    root_path: &str,
    body_id: i64,
    units: &[&str],
    n_current: usize,
    closed_last_year: usize,
    seed: u64,
) -> Result<usize> {
    let mut g = Gen { seed };
    let mut next_id = tenant + 5_000_000;
    let mut id = || {
        next_id += 1;
        next_id
    };
    let term = q("SELECT id, starts_on FROM terms WHERE body_id = $1 ORDER BY number DESC", [body_id.into()]).fetch_one(&store.pool).await?;
    let term_id = term.i("id");
    let delegates: Vec<i64> = q("SELECT id FROM delegates WHERE term_id = $1 AND status = 'active' ORDER BY id", [term_id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| r.i("id"))
        .collect();
    if delegates.len() < 2 {
        return Ok(0);
    }
    let root_id = lianxin_domain::org::root_of(root_path).unwrap_or(tenant);
    // units already in the tree (the town's 党政综合办公室) come first and take the
    // party-building and finance items
    let mut unit_ids: Vec<i64> = q("SELECT id FROM orgs WHERE tenant_id = $1 AND kind = 'unit' ORDER BY id", [tenant.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| r.i("id"))
        .collect();
    let existing = unit_ids.len();
    let mut tx = store.pool.begin().await?;
    for u in units {
        let uid = id();
        let path = format!("{root_path}{uid}/");
        q(
            "INSERT INTO orgs (tenant_id, id, parent_id, path, depth, name, kind, category, sort_key, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, 'unit', 'agency', $2, $6, $6)",
            [tenant.into(), uid.into(), root_id.into(), path.into(), (*u).into(), change.now_ms.into()],
        )
        .execute(&mut *tx)
        .await?;
        unit_ids.push(uid);
    }
    let settings = ProposalSettings::default();
    let today = day_number(super::demo::REFERENCE_DAY);
    let term_start = lianxin_domain::error::parse_date(&term.s("starts_on")).map(day_number).unwrap_or(today - 400);
    // the state each current item is left in, in proportion to a real year
    let targets = [
        ProposalStatus::Closed,
        ProposalStatus::Closed,
        ProposalStatus::Closed,
        ProposalStatus::Replied,
        ProposalStatus::InProgress,
        ProposalStatus::Acknowledged,
        ProposalStatus::Assigned,
        ProposalStatus::Rehandling,
        ProposalStatus::Accepted,
        ProposalStatus::Submitted,
        ProposalStatus::Draft,
        ProposalStatus::Rejected,
        ProposalStatus::Withdrawn,
        ProposalStatus::InProgress,
        ProposalStatus::Closed,
    ];
    let mut rows = Rows::default();
    let mut numbers: std::collections::HashMap<i32, i64> = std::collections::HashMap::new();
    let total = n_current + closed_last_year;
    for k in 0..total {
        let last_year = k < closed_last_year;
        let target = if last_year { ProposalStatus::Closed } else { targets[k % targets.len()] };
        let (title, category, unit_ix) = TITLES[(k * 7 + seed as usize) % TITLES.len()];
        let kind = if k % 3 == 2 { ProposalKind::Suggestion } else { ProposalKind::Proposal };
        let proposer = delegates[g.below(delegates.len() as u64) as usize];
        let cosigner = delegates.iter().copied().find(|d| *d != proposer && g.below(3) == 0).unwrap_or(if delegates[0] != proposer {
            delegates[0]
        } else {
            delegates[1]
        });
        let pid = id();
        // last year's items are all submitted in 2025, this year's in 2026 (the report counts by year)
        let mut day = if last_year {
            day_number(time::macros::date!(2025 - 01 - 06)).max(term_start) + (k as i64 * 4)
        } else {
            day_number(time::macros::date!(2026 - 01 - 05)) + ((k - closed_last_year) as i64 * 290 / n_current.max(1) as i64)
        };
        let mut snap = Snapshot {
            status: ProposalStatus::Draft,
            kind,
            signers: 2,
            pending_signers: 0,
            has_reason: true,
            has_grounds: true,
            has_solution: true,
            replies: 0,
            deadline_day: None,
            lead_unit: None,
        };
        let (mut number, mut submitted, mut assigned, mut replied, mut closed) = (None, None, None, None, None);
        let (mut result, mut satisfaction, mut on_time) = (None, None, None);
        let unit = if unit_ix == 3 && existing > 0 { unit_ids[0] } else { unit_ids[existing + unit_ix % units.len()] };
        let created = day;
        let mut ev = |rows: &mut Rows,
                      day: i64,
                      action: &str,
                      status: ProposalStatus,
                      text: Option<String>,
                      result: Option<&str>,
                      sat: Option<&str>,
                      actor: &str| {
            rows.events.push([
                V::I(tenant),
                V::I(id()),
                V::I(pid),
                V::I(at(day)),
                V::T(actor.into()),
                V::T(action.into()),
                V::T(status.code().into()),
                V::OT(text),
                V::OT(result.map(str::to_string)),
                V::OT(sat.map(str::to_string)),
            ]);
        };
        ev(&mut rows, day, "create", ProposalStatus::Draft, None, None, None, "代表");
        // the path to the target, step by step, each one checked by the rules
        let plan: Vec<(Part, Action)> = {
            use ProposalStatus as S;
            let mut p = Vec::new();
            if target == S::Draft {
                p
            } else {
                p.push((Part::Proposer, Action::Submit { window_open: true }));
                match target {
                    S::Submitted => {}
                    S::Withdrawn => p.push((Part::Proposer, Action::Withdraw)),
                    S::Rejected => p.push((Part::Committee, Action::Reject { reason: "不属于本级党委职权范围,已转有关部门参考".into() })),
                    _ => {
                        p.push((Part::Committee, Action::Accept));
                        if target != S::Accepted {
                            p.push((Part::Committee, Action::Assign { lead_unit: unit, co_units: vec![], deadline_days: None }));
                            if target != S::Assigned {
                                p.push((Part::LeadUnit, Action::Acknowledge));
                                if target != S::Acknowledged {
                                    p.push((Part::LeadUnit, Action::Progress { note: "已组织现场调研,制定办理方案".into() }));
                                    if target != S::InProgress {
                                        let res = if k % 4 == 3 { ReplyResult::BeingSolved } else { ReplyResult::Solved };
                                        p.push((
                                            Part::LeadUnit,
                                            Action::Reply {
                                                result: res, text: format!("关于“{title}”:已列入年度计划并安排资金,办理情况如下……")
                                            },
                                        ));
                                        if target == S::Rehandling || (target == S::Closed && !last_year && k % 5 == 0) {
                                            p.push((
                                                Part::Proposer,
                                                Action::Rate {
                                                    satisfaction: Satisfaction::Unsatisfied,
                                                    comment: Some("群众反映问题仍未完全解决".into()),
                                                },
                                            ));
                                            if target == S::Closed {
                                                p.push((
                                                    Part::LeadUnit,
                                                    Action::Reply { result: ReplyResult::Solved, text: "已再次办理,问题已解决".into() },
                                                ));
                                            }
                                        }
                                        if target == S::Closed {
                                            let s = if last_year || k % 3 != 1 { Satisfaction::Satisfied } else { Satisfaction::Basic };
                                            p.push((Part::Proposer, Action::Rate { satisfaction: s, comment: None }));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                p
            }
        };
        for (part, action) in plan {
            day += match &action {
                Action::Submit { .. } => 2,
                Action::Accept | Action::Reject { .. } | Action::Withdraw => 5,
                Action::Assign { .. } => 3,
                Action::Acknowledge => 2,
                Action::Progress { .. } => 15,
                Action::Reply { .. } => 20 + g.below(if k % 6 == 5 { 90 } else { 50 }) as i64,
                Action::Rate { .. } => 7,
                _ => 1,
            };
            // nothing in the demo happens after its reference day
            day = day.min(today);
            let out = decide(&snap, part, &action, day, &settings).map_err(crate::StoreError::Domain)?;
            let (actor, text, res, sat) = match &action {
                Action::Submit { .. } => {
                    let year = lianxin_domain::proposal::date_of_day(day).year();
                    let n = numbers.entry(year).or_insert(0);
                    *n += 1;
                    number = Some(format!("{year}-{:03}", n));
                    submitted = Some(at(day));
                    ("代表", None, None, None)
                }
                Action::Reject { reason } => {
                    closed = Some(at(day));
                    ("提案审查委员会", Some(reason.clone()), None, None)
                }
                Action::Assign { .. } => {
                    assigned = Some(at(day));
                    ("提案审查委员会", None, None, None)
                }
                Action::Reply { result: r, text } => {
                    replied = Some(at(day));
                    on_time = Some(snap.deadline_day.map(|d| day <= d).unwrap_or(true));
                    result = Some(r.code());
                    snap.replies += 1;
                    ("承办单位", Some(text.clone()), Some(r.code()), None)
                }
                Action::Rate { satisfaction: s, comment } => {
                    satisfaction = Some(s.code());
                    if out.status == ProposalStatus::Closed {
                        closed = Some(at(day));
                    }
                    ("代表", comment.clone(), None, Some(s.code()))
                }
                Action::Progress { note } => ("承办单位", Some(note.clone()), None, None),
                Action::Acknowledge => ("承办单位", None, None, None),
                Action::Withdraw => ("代表", None, None, None),
                _ => ("提案审查委员会", None, None, None),
            };
            snap.status = out.status;
            if let Some(d) = out.deadline_day {
                snap.deadline_day = Some(d);
            }
            ev(&mut rows, day, action.code(), out.status, text, res, sat, actor);
        }
        rows.proposals.push([
            V::I(tenant),
            V::I(pid),
            V::I(body_id),
            V::I(term_id),
            V::OT(number),
            V::T(kind.code().into()),
            V::T(title.into()),
            V::T(category.into()),
            V::T(format!("{title}:群众反映强烈,亟待解决。")),
            V::T("经实地走访调研,涉及群众约三百人。".into()),
            V::T("建议有关部门列入计划,限期解决。".into()),
            V::T(snap.status.code().into()),
            V::I(proposer),
            V::I(i64::from(k % 9 == 0)),
            V::OI(if snap.status.is_handling() || snap.replies > 0 { Some(unit) } else { None }),
            V::OI(snap.deadline_day),
            V::I(i64::from(snap.replies)),
            V::OT(result.map(str::to_string)),
            V::OT(satisfaction.map(str::to_string)),
            V::I(i64::from(snap.status == ProposalStatus::Closed)),
            V::OI(submitted),
            V::OI(assigned),
            V::OI(replied),
            V::OI(on_time.map(i64::from)),
            V::OI(closed),
            V::I(at(created)),
            V::I(at(day)),
        ]);
        rows.signers.push([V::I(tenant), V::I(pid), V::I(proposer), V::T("proposer".into()), V::T("confirmed".into()), V::I(at(created))]);
        rows.signers.push([V::I(tenant), V::I(pid), V::I(cosigner), V::T("cosigner".into()), V::T("confirmed".into()), V::I(at(created))]);
        if snap.status.is_handling() || snap.replies > 0 {
            rows.units.push([V::I(tenant), V::I(pid), V::I(unit), V::T("lead".into())]);
        }
    }
    insert_rows(
        &mut tx,
        "INSERT INTO proposals (tenant_id, id, body_id, term_id, number, kind, title, category, reason, grounds, solution, status, proposer_id, key_proposal, \
         lead_unit_id, deadline_day, replies, result, satisfaction, is_public, submitted_at, assigned_at, replied_at, replied_on_time, closed_at, created_at, updated_at) VALUES",
        &rows.proposals,
        100,
    )
    .await?;
    insert_rows(&mut tx, "INSERT INTO proposal_signers (tenant_id, proposal_id, delegate_id, role, state, at_ms) VALUES", &rows.signers, 300).await?;
    insert_rows(&mut tx, "INSERT INTO proposal_units (tenant_id, proposal_id, org_id, role) VALUES", &rows.units, 300).await?;
    insert_rows(
        &mut tx,
        "INSERT INTO proposal_events (tenant_id, id, proposal_id, at_ms, actor_name, action, status, text, result, satisfaction) VALUES",
        &rows.events,
        200,
    )
    .await?;
    append(
        &mut tx,
        tenant,
        change,
        "demo",
        "proposals",
        Some(body_id),
        None,
        Some(serde_json::json!({"proposals": total, "units": units.len()}).to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(total)
}

/// The demo's proposals for the town (seed 000) and the county congress (seed 001).
pub async fn build(store: &Store, change: &Change, town_body: i64, county_body: i64) -> Result<usize> {
    let town = one(store, change, super::demo::TOWN_ID, &format!("/{}/", super::demo::TOWN_ID), town_body, TOWN_UNITS, 60, 0, 3).await?;
    let county = one(store, change, super::demo::COUNTY_ID, &format!("/{}/", super::demo::COUNTY_ID), county_body, COUNTY_UNITS, 30, 69, 11).await?;
    Ok(town + county)
}
