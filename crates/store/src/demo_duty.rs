//! The demo's year of delegates' work: duty rules (the town keeps seed 000's "五个一", the
//! county's congresses seed 002's stationed-liaison rules) and, for every active delegate
//! of every demo congress, the activities of 2025 and of 2026 up to the reference day — most
//! delegates active, about one in ten behind — plus each group's meetings. Written in bulk.

use crate::audit::append;
use crate::db::{insert_rows, q, RowExt, Store, V};
use crate::{Change, Result};
use lianxin_domain::duty::{ActivityKind, MediationOutcome};
use lianxin_domain::error::fmt_date;
use lianxin_domain::lang::Coded;
use lianxin_domain::Id;

struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Kinds with their weight in a delegate's year.
const MIX: &[(ActivityKind, u64)] = &[
    (ActivityKind::Stationed, 24),
    (ActivityKind::Visit, 20),
    (ActivityKind::Research, 9),
    (ActivityKind::Reception, 9),
    (ActivityKind::Attendance, 8),
    (ActivityKind::Promotion, 7),
    (ActivityKind::HelpHousehold, 7),
    (ActivityKind::Mediation, 6),
    (ActivityKind::Training, 4),
    (ActivityKind::Inspection, 3),
    (ActivityKind::Activist, 2),
    (ActivityKind::ReserveCadre, 1),
];

fn summary(kind: ActivityKind, place: &str, g: &mut Gen) -> (String, i64) {
    let pick = |xs: &[&str], g: &mut Gen| xs[g.below(xs.len() as u64) as usize].to_string();
    match kind {
        ActivityKind::Stationed => (
            format!("驻点联系{place},{}", pick(&["收集群众意见", "了解灌溉用水情况", "听取村民对道路硬化的意见", "宣讲惠农政策"], g)),
            8 + g.below(20) as i64,
        ),
        ActivityKind::Visit => (format!("走访{place}{}", pick(&["困难党员", "留守老人", "种养大户", "外出务工人员家属"], g)), 3 + g.below(8) as i64),
        ActivityKind::Research => (format!("调研{}", pick(&["林业经济作物发展", "村级集体经济", "农村饮水安全", "乡村学校校舍", "烤烟产业"], g)), 0),
        ActivityKind::Reception => ("在党代表工作室接待群众来访".into(), 2 + g.below(6) as i64),
        ActivityKind::Attendance => (pick(&["列席镇党委扩大会议", "列席党政联席会议", "列席村党支部会议"], g), 0),
        ActivityKind::Promotion => (format!("在{place}宣讲{}", pick(&["富民政策", "医保政策", "乡村振兴政策"], g)), 10 + g.below(40) as i64),
        ActivityKind::HelpHousehold => (format!("帮扶{place}困难户,解决{}", pick(&["子女上学问题", "住房修缮问题", "产业发展资金"], g)), 1),
        ActivityKind::Mediation => (format!("调解{place}{}", pick(&["邻里宅基地纠纷", "土地承包纠纷", "用水纠纷", "家庭矛盾"], g)), 2),
        ActivityKind::Training => ("参加党代表履职培训".into(), 0),
        ActivityKind::Inspection => (pick(&["视察集镇建设项目", "视察农村公路建设"], g), 0),
        ActivityKind::Activist => (format!("培养{place}入党积极分子"), 1),
        ActivityKind::ReserveCadre => (format!("向党委推荐{place}后备干部"), 1),
        _ => ("其他履职活动".into(), 0),
    }
}

/// Rules and a year of activities for every congress of the demo's two trees.
pub async fn build(store: &Store, change: &Change) -> Result<usize> {
    let on = fmt_date(super::demo::REFERENCE_DAY);
    let mut total = 0;
    for tenant in [super::demo::TOWN_ID, super::demo::COUNTY_ID] {
        let preset = if tenant == super::demo::TOWN_ID { "five_ones" } else { "nanhai" };
        for body in crate::congress::bodies(store, &[Some(format!("/{tenant}/"))]).await? {
            crate::duty::apply_preset(store, &body, preset, change).await?;
            let Some(term) = crate::congress::current_term(store, &body, &on).await? else { continue };
            total += year_of(store, change, &body, &term, tenant.unsigned_abs() ^ body.id.unsigned_abs()).await?;
            studio(store, change, &body, &term, tenant == super::demo::TOWN_ID).await?;
        }
    }
    Ok(total)
}

/// A studio for each congress: the town's receives on the 4th, 14th and 24th (逢四说事),
/// the others on the 10th, with six delegates taking turns.
async fn studio(store: &Store, change: &Change, body: &crate::congress::Body, term: &crate::congress::Term, town: bool) -> Result<()> {
    let input = lianxin_domain::reception::StudioInput {
        name: format!("{}党代表工作室", body.org_name.trim_end_matches("委员会").trim_start_matches("中共")),
        address: format!("{}党群服务中心一楼", body.org_name.trim_end_matches("委员会").trim_start_matches("中共")),
        days: if town { "4,14,24".into() } else { "10".into() },
        hours: "9:00–12:00".into(),
    };
    let Ok(valid) = input.validate() else { return Ok(()) };
    let id = crate::reception::create(store, body, &valid, change).await?;
    let rota: Vec<Id> = q(
        "SELECT id FROM delegates WHERE tenant_id = $1 AND term_id = $2 AND status = 'active' ORDER BY id LIMIT 6",
        [term.tenant_id.into(), term.id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| r.i("id"))
    .collect();
    crate::reception::set_rota(store, body, id, &rota, change).await
}

async fn year_of(store: &Store, change: &Change, body: &crate::congress::Body, term: &crate::congress::Term, seed: u64) -> Result<usize> {
    let delegates: Vec<(Id, String, Option<Id>)> = q(
        "SELECT d.id, o.name AS org, d.group_id FROM delegates d JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id \
         JOIN orgs o ON o.tenant_id = p.tenant_id AND o.id = p.org_id WHERE d.tenant_id = $1 AND d.term_id = $2 AND d.status = 'active' ORDER BY d.id",
        [term.tenant_id.into(), term.id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| (r.i("id"), r.s("org"), r.oi("group_id")))
    .collect();
    let mut g = Gen(seed | 1);
    let start = time::Date::from_calendar_date(2025, time::Month::January, 1).map_err(|e| crate::StoreError::Config(e.to_string()))?;
    let span = (super::demo::REFERENCE_DAY - start).whole_days().max(1) as u64;
    let weight: u64 = MIX.iter().map(|m| m.1).sum();
    let mut acts: Vec<[V; 14]> = Vec::new();
    let mut links: Vec<[V; 3]> = Vec::new();
    let id = || crate::ids::new_id(change.now_ms);
    let place_of = |org: &str| org.trim_end_matches("党支部").trim_end_matches("党总支").trim_end_matches("委员会").to_string();
    for (did, org, _) in &delegates {
        // one in ten is behind: a few activities, none this year
        let behind = g.below(10) == 0;
        let n = if behind { 1 + g.below(3) } else { 10 + g.below(16) };
        let days = if behind { 300 } else { span };
        for _ in 0..n {
            let mut roll = g.below(weight);
            let kind = MIX
                .iter()
                .find(|(_, w)| {
                    if roll < *w {
                        true
                    } else {
                        roll -= w;
                        false
                    }
                })
                .map(|m| m.0)
                .unwrap_or(ActivityKind::Visit);
            let day = start + time::Duration::days(g.below(days) as i64);
            let place = place_of(org);
            let (text, served) = summary(kind, &place, &mut g);
            let outcome = (kind == ActivityKind::Mediation)
                .then(|| if g.below(10) < 8 { MediationOutcome::Resolved } else { MediationOutcome::Partly }.code().to_string());
            let aid = id();
            acts.push(activity_row(term, body.id, aid, kind, &fmt_date(day), &place, &text, outcome, served, None, change));
            links.push([V::I(term.tenant_id), V::I(aid), V::I(*did)]);
        }
    }
    // each group meets once or twice a half year, its members with it
    for grp in crate::congress::groups(store, term).await? {
        let members: Vec<Id> = delegates.iter().filter(|d| d.2 == Some(grp.id)).map(|d| d.0).collect();
        for half in 0..4u64 {
            for _ in 0..1 + g.below(2) {
                let from = half * 181;
                let day = start + time::Duration::days((from + g.below(150)).min(span - 1) as i64);
                let aid = id();
                acts.push(activity_row(
                    term,
                    body.id,
                    aid,
                    ActivityKind::GroupMeeting,
                    &fmt_date(day),
                    &grp.name,
                    "代表小组会议,交流驻点联系和社情民意",
                    None,
                    0,
                    Some(grp.id),
                    change,
                ));
                for m in &members {
                    links.push([V::I(term.tenant_id), V::I(aid), V::I(*m)]);
                }
            }
        }
    }
    let mut tx = store.pool.begin().await?;
    insert_rows(
        &mut tx,
        "INSERT INTO activities (tenant_id, id, body_id, term_id, kind, on_date, place, summary, notes, outcome, served, group_id, recorded_by, created_at) VALUES",
        &acts,
        100,
    )
    .await?;
    insert_rows(&mut tx, "INSERT INTO activity_delegates (tenant_id, activity_id, delegate_id) VALUES", &links, 300).await?;
    append(
        &mut tx,
        term.tenant_id,
        change,
        "demo",
        "activities",
        Some(body.id),
        None,
        Some(serde_json::json!({"activities": acts.len()}).to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(acts.len())
}

#[allow(clippy::too_many_arguments)]
fn activity_row(
    term: &crate::congress::Term,
    body: Id,
    id: Id,
    kind: ActivityKind,
    on: &str,
    place: &str,
    summary: &str,
    outcome: Option<String>,
    served: i64,
    group: Option<Id>,
    change: &Change,
) -> [V; 14] {
    [
        V::I(term.tenant_id),
        V::I(id),
        V::I(body),
        V::I(term.id),
        V::T(kind.code().into()),
        V::T(on.into()),
        V::T(place.into()),
        V::T(summary.into()),
        V::T(String::new()),
        V::OT(outcome),
        V::I(served),
        V::OI(group),
        V::T(change.actor_name.clone()),
        V::I(change.now_ms),
    ]
}
