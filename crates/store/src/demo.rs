//! The demo: the town of seed 000 (郴江镇: 14 branches, 88 delegates in groups of about ten,
//! the "三个十" links) and a county shaped like seed 001 (西畴县: 37 committees, 70 general
//! branches, 1,057 branches by the seed's types, 10,767 members, 682 town delegates and 306
//! county delegates with the seed's composition). Built deterministically: the same ids,
//! names and numbers every time, from a fixed reference date.

use crate::audit::append;
use crate::db::{q, Store, V};
use crate::{Change, Result};
use lianxin_domain::error::fmt_date;
use lianxin_domain::person::with_check_char;
use std::collections::HashSet;
use time::macros::date;
use time::Date;

/// Ages in the demo are exact on this day (the composition matches seed 001 then, and for
/// about two years after, since no one is placed near an age boundary).
pub const REFERENCE_DAY: Date = date!(2026 - 11 - 01);

pub const TOWN_ID: i64 = 10_000_000;
pub const COUNTY_ID: i64 = 20_000_000;

/// What the demo built, for the CLI to print and tests to check.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    pub orgs: usize,
    pub members: usize,
    pub residents: usize,
    pub bodies: usize,
    pub delegates: usize,
    pub links: usize,
    pub proposals: usize,
    pub activities: usize,
    /// Ballots cast at the demo meeting.
    pub ballots: usize,
    /// Elections under way.
    pub elections: usize,
    pub town_body_id: i64,
    pub county_body_id: i64,
    pub xisa_body_id: i64,
    pub town_unit_org_id: i64,
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const SURNAMES: &[&str] = &[
    "李", "王", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋",
    "唐", "许", "邓", "韩", "冯", "曹", "彭", "曾", "肖", "田", "董", "潘", "袁", "蒋", "蔡", "余", "杜", "叶", "程", "魏", "苏", "吕", "丁", "沈",
    "任", "姚", "卢", "傅", "钟", "姜", "崔", "谭", "廖", "范", "汪", "陆", "金", "石", "戴", "贾", "韦", "夏", "邱", "方", "侯", "邹", "熊", "孟",
    "秦", "白", "江", "阎", "薛", "尹", "段", "雷", "黎", "史", "龙", "陶", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "陆",
];
const GIVEN_M: &[&str] = &[
    "伟", "强", "军", "勇", "杰", "涛", "明", "超", "华", "平", "刚", "辉", "建国", "建华", "国强", "志强", "海", "林", "波", "斌", "鹏", "宇", "浩",
    "春生", "德明", "金龙", "永红", "文", "峰", "光明", "家乐", "兴旺", "福生", "长青", "振华", "学文", "树林", "荣", "卫东", "跃进",
];
const GIVEN_F: &[&str] = &[
    "芳", "娟", "敏", "静", "丽", "艳", "霞", "秀英", "桂英", "玉兰", "春梅", "红", "燕", "萍", "丹", "婷", "雪", "琳", "慧", "晓红", "美玲", "秀兰",
    "金凤", "小芳", "淑珍", "雅琴", "海燕", "文静", "梅", "兰",
];
const OCCUPATIONS_RURAL: &[&str] = &["农民", "种植户", "养殖户", "村干部", "个体经营", "外出务工", "合作社负责人"];
const OCCUPATIONS_URBAN: &[&str] = &["机关干部", "教师", "医生", "企业职工", "社区工作者", "个体工商户", "技术员", "退休干部"];

/// Rows waiting to be written in multi-row INSERTs (the demo writes ~60,000 rows).
#[derive(Default)]
struct Batch {
    orgs: Vec<[V; 11]>,
    people: Vec<[V; 16]>,
    bodies: Vec<[V; 10]>,
    terms: Vec<[V; 7]>,
    groups: Vec<[V; 6]>,
    delegates: Vec<[V; 12]>,
    committee: Vec<[V; 7]>,
    links: Vec<[V; 7]>,
}

struct Gen {
    rng: Rng,
    next_id: i64,
    b: Batch,
    ids_used: HashSet<String>,
    area_code: &'static str,
    now: i64,
    tenant: i64,
}

#[derive(Clone)]
struct P {
    id: i64,
    org: usize,
    female: bool,
    minority: bool,
    college: bool,
    age: i32,
}

struct O {
    id: i64,
    path: String,
    kind: &'static str,
}

impl Gen {
    fn new(seed: u64, base: i64, area: &'static str, now: i64) -> Gen {
        Gen { rng: Rng(seed), next_id: base, b: Batch::default(), ids_used: HashSet::new(), area_code: area, now, tenant: base }
    }
    fn id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }
    fn name(&mut self, female: bool) -> String {
        let s = *self.rng.pick(SURNAMES);
        let g = if female { *self.rng.pick(GIVEN_F) } else { *self.rng.pick(GIVEN_M) };
        format!("{s}{g}")
    }
    fn org(&mut self, orgs: &mut Vec<O>, parent: Option<usize>, name: String, kind: &'static str, category: &'static str) -> usize {
        let id = self.id();
        let path = match parent {
            Some(p) => format!("{}{id}/", orgs[p].path),
            None => format!("/{id}/"),
        };
        let depth = lianxin_domain::org::depth_of(&path);
        self.b.orgs.push([
            V::I(self.tenant),
            V::I(id),
            V::OI(parent.map(|p| orgs[p].id)),
            V::T(path.clone()),
            V::I(depth),
            V::T(name),
            V::T(kind.into()),
            V::T(category.into()),
            V::I(id),
            V::I(self.now),
            V::I(self.now),
        ]);
        orgs.push(O { id, path, kind });
        orgs.len() - 1
    }
    fn birth(&mut self, age: i32) -> Date {
        // a birthday between 40 and 320 days before the reference day's anniversary keeps
        // everyone well away from an age boundary for the next months
        let days_back = 40 + self.rng.below(280) as i64;
        let anniversary = REFERENCE_DAY.replace_year(REFERENCE_DAY.year() - age).unwrap_or(REFERENCE_DAY);
        anniversary - time::Duration::days(days_back)
    }
    #[allow(clippy::too_many_arguments)]
    fn person(
        &mut self,
        orgs: &[O],
        org: usize,
        kind: &'static str,
        female: bool,
        minority_eth: Option<&'static str>,
        college: bool,
        age: i32,
        rural: bool,
    ) -> P {
        let id = self.id();
        let name = self.name(female);
        let birth = self.birth(age);
        let eth = minority_eth.unwrap_or("汉族");
        let edu = if college {
            *self.rng.pick(&["college", "bachelor", "bachelor", "postgraduate"])
        } else if age > 60 {
            *self.rng.pick(&["primary", "junior"])
        } else {
            *self.rng.pick(&["junior", "senior", "senior"])
        };
        let occ = if rural { *self.rng.pick(OCCUPATIONS_RURAL) } else { *self.rng.pick(OCCUPATIONS_URBAN) };
        let phone = format!("1{}{:09}", self.rng.pick(&["3", "5", "8", "9"]), self.rng.next() % 1_000_000_000);
        let id_number = if kind == "resident" {
            None
        } else {
            let ymd = format!("{:04}{:02}{:02}", birth.year(), u8::from(birth.month()), birth.day());
            let mut seq = self.rng.below(999);
            loop {
                let sex_digit = if female { (seq / 2) * 2 } else { (seq / 2) * 2 + 1 } % 1000;
                let n = with_check_char(&format!("{}{}{:03}", self.area_code, ymd, sex_digit));
                if self.ids_used.insert(n.clone()) {
                    break Some(n);
                }
                seq = (seq + 2) % 998;
            }
        };
        let joined = if kind == "resident" || age < 20 {
            None
        } else {
            let years = 1 + self.rng.below((age - 19).max(1) as usize) as i32;
            Some(fmt_date(
                REFERENCE_DAY.replace_year(REFERENCE_DAY.year() - years).unwrap_or(REFERENCE_DAY) - time::Duration::days(self.rng.below(300) as i64),
            ))
        };
        let addr = format!("{}{}号", "组", 1 + self.rng.below(120));
        self.b.people.push([
            V::I(self.tenant),
            V::I(id),
            V::I(orgs[org].id),
            V::T(name),
            V::T(if female { "F" } else { "M" }.into()),
            V::T(fmt_date(birth)),
            V::T(eth.into()),
            V::T(edu.into()),
            V::T(occ.into()),
            V::T(phone),
            V::T(addr),
            V::T(kind.into()),
            V::OT(joined),
            V::OT(id_number),
            V::I(self.now),
            V::I(self.now),
        ]);
        P { id, org, female, minority: minority_eth.is_some(), college, age }
    }
    fn link(&mut self, kind: &'static str, from: i64, to: i64, starts: &str) {
        let id = self.id();
        self.b.links.push([V::I(self.tenant), V::I(id), V::T(kind.into()), V::I(from), V::I(to), V::T(starts.into()), V::I(self.now)]);
    }
}

/// Spreads `total` over `n` slots as evenly as possible.
fn spread(total: usize, n: usize) -> Vec<usize> {
    (0..n).map(|i| total / n + usize::from(i < total % n)).collect()
}

/// `true` for exactly `k` of `n` positions, spread out deterministically.
fn chosen(k: usize, n: usize, i: usize) -> bool {
    // position i is chosen when floor((i+1)k/n) > floor(ik/n)
    n > 0 && ((i + 1) * k / n) > (i * k / n)
}

async fn flush(store: &Store, tx: &mut sqlx::AnyConnection, b: &mut Batch) -> Result<()> {
    async fn write<const N: usize>(tx: &mut sqlx::AnyConnection, head: &'static str, rows: &mut Vec<[V; N]>, per: usize) -> Result<()> {
        crate::db::insert_rows(tx, head, rows, per).await?;
        rows.clear();
        Ok(())
    }
    let _ = store;
    write(
        tx,
        "INSERT INTO orgs (tenant_id, id, parent_id, path, depth, name, kind, category, sort_key, created_at, updated_at) VALUES",
        &mut b.orgs,
        200,
    )
    .await?;
    write(
        tx,
        "INSERT INTO people (tenant_id, id, org_id, name, gender, birth_date, ethnicity, education, occupation, phone, address, kind, joined_on, id_number, created_at, updated_at) VALUES",
        &mut b.people,
        200,
    )
    .await?;
    write(
        tx,
        "INSERT INTO bodies (tenant_id, id, org_id, name, kind, term_years, min_members_per_delegate, youth_age_max, created_at, updated_at) VALUES",
        &mut b.bodies,
        100,
    )
    .await?;
    write(tx, "INSERT INTO terms (tenant_id, id, body_id, number, starts_on, ends_on, created_at) VALUES", &mut b.terms, 100).await?;
    write(tx, "INSERT INTO delegate_groups (tenant_id, id, term_id, name, leader_id, created_at) VALUES", &mut b.groups, 200).await?;
    write(tx, "INSERT INTO committee_members (tenant_id, id, term_id, person_id, post, since, created_at) VALUES", &mut b.committee, 200).await?;
    write(tx, "INSERT INTO delegates (tenant_id, id, term_id, person_id, category, constituency, group_id, origin, elected_on, created_at, status, updated_at) VALUES", &mut b.delegates, 200)
        .await?;
    write(tx, "INSERT INTO liaison_links (tenant_id, id, kind, from_id, to_id, starts_on, created_at) VALUES", &mut b.links, 300).await?;
    Ok(())
}

/// Whether the demo is already in this database.
pub async fn exists(store: &Store) -> Result<bool> {
    Ok(q("SELECT COUNT(*) AS n FROM tenants WHERE id IN ($1, $2)", [TOWN_ID.into(), COUNTY_ID.into()]).fetch_one(&store.pool).await.map(|r| {
        use crate::db::RowExt;
        r.i("n") > 0
    })?)
}

/// Builds both demo trees (each in one transaction). `progress` is told each stage.
pub async fn build(store: &Store, change: &Change, progress: &dyn Fn(&str)) -> Result<Summary> {
    let mut s = Summary::default();
    progress("郴江镇 (seed 000)");
    town(store, change, &mut s).await?;
    progress("西畴县 (seed 001)");
    county(store, change, &mut s).await?;
    progress("提案 (proposals)");
    s.proposals = crate::demo_proposals::build(store, change, s.town_body_id, s.county_body_id).await?;
    progress("履职活动 (activities)");
    s.activities = crate::demo_duty::build(store, change).await?;
    progress("会议与表决 (meetings)");
    s.ballots = crate::demo_meetings::build(store, change, s.town_body_id).await?;
    progress("选举 (elections)");
    s.elections = crate::demo_elections::build(store, change, s.town_body_id).await?;
    analyze(store).await?;
    crate::reports::network_changed();
    Ok(s)
}

// Column layouts pushed by both builders.
fn body_row(g: &mut Gen, org: &O, name: &str) -> i64 {
    let id = g.id();
    g.b.bodies.push([
        V::I(g.tenant),
        V::I(id),
        V::I(org.id),
        V::T(name.into()),
        V::T("party_congress".into()),
        V::I(5),
        V::I(3),
        V::I(35),
        V::I(g.now),
        V::I(g.now),
    ]);
    id
}
fn term_row(g: &mut Gen, body: i64, number: i64, start: &str, end: &str) -> i64 {
    let id = g.id();
    g.b.terms.push([V::I(g.tenant), V::I(id), V::I(body), V::I(number), V::T(start.into()), V::T(end.into()), V::I(g.now)]);
    id
}

async fn town(store: &Store, change: &Change, s: &mut Summary) -> Result<()> {
    let now = change.now_ms;
    let mut g = Gen::new(2006, TOWN_ID, "431002", now);
    let mut orgs: Vec<O> = Vec::new();
    let root = g.org(&mut orgs, None, "中共郴江镇委员会".into(), "town_committee", "agency");
    let branches: [(&str, &str); 14] = [
        ("下楣桥村党支部", "rural"),
        ("七里洞村党支部", "rural"),
        ("郴江村党支部", "rural"),
        ("大塘村党支部", "rural"),
        ("石盖塘村党支部", "rural"),
        ("新田岭村党支部", "rural"),
        ("万华岩村党支部", "rural"),
        ("坳上村党支部", "rural"),
        ("水湾村党支部", "rural"),
        ("郴江社区党支部", "community"),
        ("南塔社区党支部", "community"),
        ("镇机关党支部", "agency"),
        ("镇非公企业联合党支部", "enterprise"),
        ("镇离退休干部党支部", "retired"),
    ];
    let branch_idx: Vec<usize> = branches.iter().map(|(n, c)| g.org(&mut orgs, Some(root), (*n).into(), "branch", c)).collect();
    let unit = g.org(&mut orgs, Some(root), "镇党政综合办公室".into(), "unit", "agency");
    s.town_unit_org_id = orgs[unit].id;

    // ~80 members a branch; the retired branch older, the agency branch college-educated
    let mut members: Vec<P> = Vec::new();
    for (bi, &b) in branch_idx.iter().enumerate() {
        let (_, cat) = branches[bi];
        let n = if cat == "rural" { 85 } else { 60 };
        for k in 0..n {
            let female = k % 4 == 1 || k % 9 == 3;
            let minority = if k % 23 == 5 { Some("瑶族") } else { None };
            let age = match cat {
                "retired" => 62 + g.rng.below(18) as i32,
                _ => 24 + g.rng.below(45) as i32,
            };
            let college = cat == "agency" || (k % 6 == 0);
            members.push(g.person(&orgs, b, "member", female, minority, college, age, cat == "rural"));
        }
    }

    let body = body_row(&mut g, &orgs[root], "中共郴江镇代表大会");
    s.town_body_id = body;
    let term = term_row(&mut g, body, 2, "2022-03-15", "2027-03-15");

    // 88 delegates, by category; 9 groups by area (镇选区)
    let cats: [(&str, usize); 6] = [("farmer", 45), ("leading_cadre", 15), ("worker", 8), ("professional", 8), ("enterprise", 7), ("community", 5)];
    let mut pool: Vec<P> = members.iter().filter(|p| p.age < 70).cloned().collect();
    let per_branch = spread(88, branch_idx.len());
    let mut chosen_delegates: Vec<P> = Vec::new();
    for (bi, &want) in per_branch.iter().enumerate() {
        let b = branch_idx[bi];
        let mut taken = 0;
        pool.retain(|p| {
            if p.org == b && taken < want {
                chosen_delegates.push(p.clone());
                taken += 1;
                false
            } else {
                true
            }
        });
    }
    let group_names = [
        "第一代表小组(下楣桥片)",
        "第二代表小组(七里洞片)",
        "第三代表小组(郴江片)",
        "第四代表小组(大塘片)",
        "第五代表小组(石盖塘片)",
        "第六代表小组(新田岭片)",
        "第七代表小组(万华岩片)",
        "第八代表小组(社区片)",
        "第九代表小组(机关企业片)",
    ];
    let group_ids: Vec<i64> = group_names.iter().map(|_| g.id()).collect();
    let mut cat_list: Vec<&str> = Vec::new();
    for (c, n) in cats {
        cat_list.extend(std::iter::repeat_n(c, n));
    }
    let mut delegate_ids = Vec::new();
    let group_sizes = spread(88, 9);
    let mut gi = 0;
    let mut in_group = 0;
    let mut leaders: Vec<Option<i64>> = vec![None; 9];
    for (i, p) in chosen_delegates.iter().enumerate() {
        if in_group == group_sizes[gi] {
            gi += 1;
            in_group = 0;
        }
        let id = g.id();
        if in_group == 0 {
            leaders[gi] = Some(id);
        }
        in_group += 1;
        let cat = if orgs[p.org].kind == "branch" && i >= 70 { cat_list[(i * 7) % 88] } else { cat_list[i % 88] };
        g.b.delegates.push([
            V::I(g.tenant),
            V::I(id),
            V::I(term),
            V::I(p.id),
            V::T(cat.into()),
            V::T(format!("第{}选区", gi + 1)),
            V::OI(Some(group_ids[gi])),
            V::T("election".into()),
            V::T("2022-03-15".into()),
            V::I(now),
            V::T("active".into()),
            V::I(now),
        ]);
        delegate_ids.push((id, p.clone()));
    }
    for (k, name) in group_names.iter().enumerate() {
        g.b.groups.push([V::I(g.tenant), V::I(group_ids[k]), V::I(term), V::T((*name).into()), V::OI(leaders[k]), V::I(now)]);
    }
    // 9 committee members (三个十: each links one group ≈ 10 delegates)
    let committee_people: Vec<P> = pool.iter().filter(|p| orgs[p.org].kind == "branch" && p.college).take(9).cloned().collect();
    for (k, p) in committee_people.iter().enumerate() {
        let cid = g.id();
        let post = match k {
            0 => "secretary",
            1 | 2 => "deputy",
            _ => "member",
        };
        g.b.committee.push([V::I(g.tenant), V::I(cid), V::I(term), V::I(p.id), V::T(post.into()), V::T("2022-03-15".into()), V::I(now)]);
        g.link("committee_group", cid, group_ids[k], "2022-04-01");
    }
    // 三个十: each delegate ~10 members, each member ~10 residents; the last three
    // delegates (by-elected later in a real town) have only two members, to show gaps
    let mut member_pool: Vec<P> = pool.clone();
    let mut linked_members: Vec<P> = Vec::new();
    for (di, (did, dp)) in delegate_ids.iter().enumerate() {
        let want = if di >= 85 { 2 } else { 9 + g.rng.below(3) };
        // members of the delegate's own branch first, then any branch of the town
        let mut picked: Vec<usize> = (0..member_pool.len()).filter(|&k| member_pool[k].org == dp.org).take(want).collect();
        if picked.len() < want {
            let more: Vec<usize> = (0..member_pool.len()).filter(|k| !picked.contains(k)).take(want - picked.len()).collect();
            picked.extend(more);
        }
        picked.sort_unstable_by(|a, b| b.cmp(a));
        for k in picked {
            let m = member_pool.remove(k);
            g.link("delegate_member", *did, m.id, "2022-05-01");
            linked_members.push(m);
        }
    }
    for m in &linked_members {
        let n = 8 + g.rng.below(5);
        for _ in 0..n {
            let female = g.rng.below(2) == 0;
            let age = 18 + g.rng.below(62) as i32;
            let r = g.person(&orgs, m.org, "resident", female, None, false, age, true);
            g.link("member_resident", m.id, r.id, "2022-06-01");
        }
    }
    s.orgs += orgs.len();
    s.members += members.len();
    s.residents += g.b.people.len() - members.len();
    s.delegates += delegate_ids.len();
    s.links += g.b.links.len();
    s.bodies += 1;
    write_tenant(store, change, &mut g, "中共郴江镇委员会", &*s).await?;

    // Two qualification changes and one by-election, through the store's own rules.
    let d1 = delegate_ids[20].0;
    let d2 = delegate_ids[41].0;
    let mut c = change.clone();
    c.actor_name = "演示数据".into();
    crate::congress::change_delegate_qualification(
        store,
        d1,
        &lianxin_domain::congress::QualificationChangeInput {
            reason: "transferred_out".into(),
            note: Some("组织关系转至郴州市北湖区".into()),
            decided_on: "2025-06-20".into(),
            proposed_by: Some("大塘村党支部".into()),
            decided_by: Some("中共郴江镇委员会".into()),
        },
        &c,
    )
    .await?;
    crate::congress::change_delegate_qualification(
        store,
        d2,
        &lianxin_domain::congress::QualificationChangeInput {
            reason: "sanction_probation".into(),
            note: Some("受到留党察看一年处分".into()),
            decided_on: "2026-03-02".into(),
            proposed_by: Some("石盖塘村党支部".into()),
            decided_by: Some("中共郴江镇委员会".into()),
        },
        &c,
    )
    .await?;
    let t = crate::congress::term(store, term).await?;
    // the by-elected delegate: someone of the same branch if one is free, else of the town
    let free = |p: &&P| !linked_members.iter().any(|m| m.id == p.id) && !committee_people.iter().any(|c| c.id == p.id);
    let replacement = pool.iter().filter(free).find(|p| p.org == delegate_ids[20].1.org).or_else(|| pool.iter().find(free)).map(|p| p.id);
    if let Some(pid) = replacement {
        crate::congress::add_delegate(
            store,
            &t,
            &lianxin_domain::congress::DelegateInput {
                person_id: pid,
                category: "farmer".into(),
                constituency: Some("第三选区".into()),
                group_id: Some(group_ids[2]),
                origin: Some("by_election".into()),
                elected_on: Some("2025-09-10".into()),
                replaces_id: Some(d1),
            },
            &c,
        )
        .await?;
        s.delegates += 1;
    }
    Ok(())
}

async fn write_tenant(store: &Store, change: &Change, g: &mut Gen, name: &str, s: &Summary) -> Result<()> {
    let mut tx = store.pool.begin().await?;
    q("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)", [g.tenant.into(), name.into(), change.now_ms.into()])
        .execute(&mut *tx)
        .await?;
    flush(store, &mut tx, &mut g.b).await?;
    append(&mut tx, g.tenant, change, "demo", "tenant", Some(g.tenant), None, serde_json::to_string(s).ok()).await?;
    tx.commit().await?;
    Ok(())
}

/// Fresh statistics once everything is written, so the planner knows the tables are no
/// longer empty; on PostgreSQL VACUUM also marks the pages all-visible, which lets counts
/// use index-only scans.
async fn analyze(store: &Store) -> Result<()> {
    let sql = if store.backend == crate::db::Backend::Postgres { "VACUUM ANALYZE" } else { "ANALYZE" };
    sqlx::raw_sql(sql).execute(&store.pool).await?;
    Ok(())
}

async fn county(store: &Store, change: &Change, s: &mut Summary) -> Result<()> {
    let now = change.now_ms;
    let mut g = Gen::new(2012, COUNTY_ID, "532623", now);
    let mut orgs: Vec<O> = Vec::new();
    let root = g.org(&mut orgs, None, "中共西畴县委员会".into(), "county_committee", "agency");
    let towns = ["西洒镇", "兴街镇", "蚌谷乡", "莲花塘乡", "新马街乡", "柏林乡", "法斗乡", "董马乡", "鸡街乡"];
    let town_idx: Vec<usize> = towns.iter().map(|t| g.org(&mut orgs, Some(root), format!("中共{t}委员会"), "town_committee", "rural")).collect();
    let county_committees = ["县直机关工委", "县教育工委", "县卫生健康工委", "县国资委党委", "县公安局党委", "县非公经济组织和社会组织党委"];
    let cc_idx: Vec<usize> = county_committees.iter().map(|n| g.org(&mut orgs, Some(root), format!("中共{n}"), "committee", "agency")).collect();
    // 22 village-level committees under the towns
    let villages = [
        "岩头",
        "戈木",
        "龙正",
        "老街",
        "木者",
        "坪寨",
        "那洒",
        "上果",
        "下寨",
        "芹菜塘",
        "小桥沟",
        "石桥",
        "牛塘",
        "达号",
        "香坪山",
        "南昌",
        "龙坪",
        "三光",
        "多依",
        "董有",
        "瓦厂",
        "江龙",
    ];
    let per_town_v = [3, 3, 3, 2, 2, 2, 3, 2, 2];
    let mut village_committees = Vec::new();
    let mut vi = 0;
    for (t, &n) in per_town_v.iter().enumerate() {
        for _ in 0..n {
            let idx = g.org(&mut orgs, Some(town_idx[t]), format!("中共{}村委员会", villages[vi]), "village_committee", "rural");
            village_committees.push((t, idx));
            vi += 1;
        }
    }
    // 70 general branches: 47 rural, 3 community under towns; 20 agency under county committees
    let mut rural_gb = Vec::new();
    for (t, &n) in spread(47, 9).iter().enumerate() {
        for k in 0..n {
            let idx = g.org(&mut orgs, Some(town_idx[t]), format!("{}第{}村党总支", towns[t], k + 1), "general_branch", "rural");
            rural_gb.push((t, idx));
        }
    }
    let community_gb: Vec<(usize, usize)> = [(0, "西洒镇城东社区党总支"), (0, "西洒镇城西社区党总支"), (1, "兴街镇兴街社区党总支")]
        .iter()
        .map(|(t, n)| (*t, g.org(&mut orgs, Some(town_idx[*t]), (*n).into(), "general_branch", "community")))
        .collect();
    let mut agency_gb = Vec::new();
    for (c, &n) in [6, 4, 3, 3, 2, 2].iter().enumerate() {
        for k in 0..n {
            let cat = if c == 3 { "enterprise" } else { "agency" };
            let idx = g.org(&mut orgs, Some(cc_idx[c]), format!("{}第{}党总支", county_committees[c], k + 1), "general_branch", cat);
            agency_gb.push((c, idx));
        }
    }
    // 1,057 branches by the seed's types
    let mut branches: Vec<(Option<usize>, usize, &'static str)> = Vec::new(); // (town, idx, category)
    let rural_parents: Vec<(usize, usize)> = village_committees.iter().chain(rural_gb.iter()).copied().collect();
    for (pi, &n) in spread(813, rural_parents.len()).iter().enumerate() {
        let (t, p) = rural_parents[pi];
        for k in 0..n {
            let idx = g.org(&mut orgs, Some(p), format!("{}{}组党支部", villages[(pi + k) % villages.len()], k + 1), "branch", "rural");
            branches.push((Some(t), idx, "rural"));
        }
    }
    for (pi, &n) in [4, 3, 3].iter().enumerate() {
        let (t, p) = community_gb[pi];
        for k in 0..n {
            let idx = g.org(&mut orgs, Some(p), format!("第{}居民小组党支部", k + 1), "branch", "community");
            branches.push((Some(t), idx, "community"));
        }
    }
    for (pi, &n) in spread(203, agency_gb.len()).iter().enumerate() {
        let (c, p) = agency_gb[pi];
        let cat = if c == 3 { "enterprise" } else { "agency" };
        for k in 0..n {
            let idx = g.org(
                &mut orgs,
                Some(p),
                format!("{}第{}党支部", county_committees[c].trim_end_matches("党委").trim_end_matches("工委"), pi * 20 + k + 1),
                "branch",
                cat,
            );
            branches.push((None, idx, cat));
        }
    }
    for (k, &n) in spread(24, 6).iter().enumerate() {
        for j in 0..n {
            let idx = g.org(&mut orgs, Some(cc_idx[k]), format!("{}离退休第{}党支部", county_committees[k], j + 1), "branch", "retired");
            branches.push((None, idx, "retired"));
        }
    }
    for j in 0..6 {
        let idx = g.org(&mut orgs, Some(cc_idx[5]), format!("县协会第{}党支部", j + 1), "branch", "association");
        branches.push((None, idx, "association"));
    }
    let idx = g.org(&mut orgs, Some(town_idx[0]), "西洒镇驻昆明外出务工党支部".into(), "branch", "migrant");
    branches.push((Some(0), idx, "migrant"));

    // 10,767 members: 2,294 minorities (壮、苗、彝、瑶), 2,277 women
    let total = 10_767;
    let per_branch = spread(total, branches.len());
    let minority_names = ["壮族", "苗族", "彝族", "瑶族"];
    let mut members: Vec<P> = Vec::with_capacity(total);
    let mut i = 0;
    for (bi, &n) in per_branch.iter().enumerate() {
        let (_, b, cat) = branches[bi];
        for _ in 0..n {
            let female = chosen(2277, total, (i * 7919) % total);
            let minority = if chosen(2294, total, (i * 104_729) % total) { Some(minority_names[i % 4]) } else { None };
            let age = if cat == "retired" { 61 + g.rng.below(20) as i32 } else { 23 + g.rng.below(44) as i32 };
            let college = cat == "agency" || (cat != "retired" && i % 9 == 0);
            members.push(g.person(&orgs, b, "member", female, minority, college, age, cat == "rural"));
            i += 1;
        }
    }

    // the county congress: 306 delegates — 部队 6, 领导干部 153, 先进模范 62, 专业技术 85;
    // minorities 70, women 62
    let county_body = body_row(&mut g, &orgs[root], "中共西畴县代表大会");
    s.county_body_id = county_body;
    let county_term = term_row(&mut g, county_body, 14, "2022-10-01", "2027-10-01");
    let county_cats: Vec<&str> = [("military", 6), ("leading_cadre", 153), ("model_worker", 62), ("professional", 85)]
        .iter()
        .flat_map(|(c, n)| std::iter::repeat_n(*c, *n))
        .collect();
    // candidates that can be shaped into the required composition
    let mut used: HashSet<i64> = HashSet::new();
    let pick = |pred: &dyn Fn(&P) -> bool, used: &mut HashSet<i64>, members: &[P]| -> Option<P> {
        let p = members.iter().find(|p| !used.contains(&p.id) && p.age < 60 && pred(p))?.clone();
        used.insert(p.id);
        Some(p)
    };
    let mut county_delegates: Vec<(P, &str)> = Vec::new();
    for (k, cat) in county_cats.iter().enumerate() {
        let want_min = chosen(70, 306, k);
        let want_f = chosen(62, 306, (k * 13) % 306);
        let p = pick(&|p: &P| p.minority == want_min && p.female == want_f && orgs[p.org].kind == "branch", &mut used, &members)
            .or_else(|| pick(&|p: &P| p.minority == want_min, &mut used, &members));
        if let Some(p) = p {
            county_delegates.push((p, cat));
        }
    }
    let county_groups = add_groups(&mut g, county_term, county_delegates.len(), "县代表团");
    push_delegates(&mut g, county_term, &county_delegates, &county_groups, "2022-10-01");
    county_committee_and_links(&mut g, &orgs, county_term, &county_groups, &county_delegates, &members, &mut used, 11);

    // nine town congresses: 682 delegates — 领导干部 113, 农民 407, 大专以上 163, 35岁以下 165
    let town_sizes = [96, 88, 80, 72, 72, 70, 70, 68, 66];
    let mut town_cats: Vec<&str> = [("leading_cadre", 113), ("farmer", 407), ("worker", 40), ("professional", 60), ("enterprise", 30), ("other", 32)]
        .iter()
        .flat_map(|(c, n)| std::iter::repeat_n(*c, *n))
        .collect();
    // interleave so every town gets its share of each category
    let n_all = town_cats.len();
    town_cats = (0..n_all).map(|k| town_cats[(k * 383) % n_all]).collect();
    let mut town_of: Vec<Option<usize>> = vec![None; orgs.len()];
    for (bt, b, _) in &branches {
        town_of[*b] = *bt;
    }
    let mut k_all = 0;
    for (t, town) in towns.iter().enumerate() {
        let body = body_row(&mut g, &orgs[town_idx[t]], &format!("中共{town}代表大会"));
        if t == 0 {
            s.xisa_body_id = body;
        }
        let term = term_row(&mut g, body, 5, "2021-09-15", "2026-09-15");
        let term6 = term_row(&mut g, body, 6, "2026-09-15", "2031-09-15");
        let _ = term;
        let mut ds: Vec<(P, &str)> = Vec::new();
        for _ in 0..town_sizes[t] {
            let cat = town_cats[k_all];
            let college = chosen(163, 682, (k_all * 29) % 682);
            let young = chosen(165, 682, (k_all * 37) % 682);
            let p = pick(
                &|p: &P| town_of[p.org] == Some(t) && p.college == college && (p.age <= 33) == young && (p.age <= 33 || p.age >= 38),
                &mut used,
                &members,
            );
            if let Some(p) = p {
                ds.push((p, cat));
            }
            k_all += 1;
        }
        let groups = add_groups(&mut g, term6, ds.len(), "代表小组");
        push_delegates(&mut g, term6, &ds, &groups, "2026-09-15");
        county_committee_and_links(&mut g, &orgs, term6, &groups, &ds, &members, &mut used, 9);
        s.bodies += 1;
        s.delegates += ds.len();
    }
    s.bodies += 1;
    s.delegates += county_delegates.len();
    s.orgs += orgs.len();
    s.members += members.len();
    s.residents += g.b.people.len() - members.len();
    s.links += g.b.links.len();
    write_tenant(store, change, &mut g, "中共西畴县委员会", &*s).await?;
    Ok(())
}

fn add_groups(g: &mut Gen, term: i64, delegates: usize, label: &str) -> Vec<i64> {
    let n = delegates.div_ceil(10).max(1);
    (0..n)
        .map(|k| {
            let id = g.id();
            g.b.groups.push([V::I(g.tenant), V::I(id), V::I(term), V::T(format!("第{}{label}", k + 1)), V::OI(None), V::I(g.now)]);
            id
        })
        .collect()
}

fn push_delegates(g: &mut Gen, term: i64, ds: &[(P, &str)], groups: &[i64], elected: &str) {
    let sizes = spread(ds.len(), groups.len());
    let mut gi = 0;
    let mut in_group = 0;
    for (k, (p, cat)) in ds.iter().enumerate() {
        if in_group == sizes[gi] {
            gi += 1;
            in_group = 0;
        }
        in_group += 1;
        let id = g.id();
        g.b.delegates.push([
            V::I(g.tenant),
            V::I(id),
            V::I(term),
            V::I(p.id),
            V::T((*cat).into()),
            V::T(format!("第{}选区", gi + 1)),
            V::OI(Some(groups[gi])),
            V::T("election".into()),
            V::T(elected.into()),
            V::I(g.now),
            V::T("active".into()),
            V::I(g.now),
        ]);
        let _ = k;
    }
}

/// Committee members linking 1–2 groups each, 3–5 members per delegate, 1–3 residents per
/// member (seed 001: "每1至2名党委委员联系一个代表小组 … 每名代表联系3至5名党员和群众").
#[allow(clippy::too_many_arguments)]
fn county_committee_and_links(
    g: &mut Gen,
    orgs: &[O],
    term: i64,
    groups: &[i64],
    ds: &[(P, &str)],
    members: &[P],
    used: &mut HashSet<i64>,
    n_committee: usize,
) {
    let since = "2022-10-01";
    let mut committee = Vec::new();
    for (k, p) in members.iter().filter(|p| !used.contains(&p.id) && p.college && p.age < 58).take(n_committee).enumerate() {
        let id = g.id();
        let post = match k {
            0 => "secretary",
            1 | 2 => "deputy",
            _ => "member",
        };
        g.b.committee.push([V::I(g.tenant), V::I(id), V::I(term), V::I(p.id), V::T(post.into()), V::T(since.into()), V::I(g.now)]);
        committee.push((id, p.id));
    }
    for (id, pid) in &committee {
        used.insert(*pid);
        let _ = id;
    }
    for (k, grp) in groups.iter().enumerate() {
        let (cid, _) = committee[k % committee.len()];
        g.link("committee_group", cid, *grp, since);
    }
    // delegates' ids were assigned in push order; recover them from the batch
    let first = g.b.delegates.len() - ds.len();
    let delegate_ids: Vec<i64> = g.b.delegates[first..].iter().map(|r| if let V::I(id) = r[1] { id } else { 0 }).collect();
    let mut cursor = g.rng.below(members.len());
    for (k, did) in delegate_ids.iter().enumerate() {
        let (dp, _) = &ds[k];
        let want = 3 + g.rng.below(3);
        let mut got = 0;
        let mut tries = 0;
        while got < want && tries < members.len() {
            let m = &members[cursor % members.len()];
            cursor += 1;
            tries += 1;
            if m.id == dp.id || used.contains(&m.id) {
                continue;
            }
            g.link("delegate_member", *did, m.id, since);
            let nr = 1 + g.rng.below(3);
            for _ in 0..nr {
                let female = g.rng.below(2) == 0;
                let age = 18 + g.rng.below(60) as i32;
                let r = g.person(orgs, m.org, "resident", female, None, false, age, true);
                g.link("member_resident", m.id, r.id, since);
            }
            got += 1;
        }
    }
}
