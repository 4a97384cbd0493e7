//! Importing a roster from a spreadsheet: organisations, people, delegate groups, delegates
//! and liaison links. Every row is checked first; if any row is wrong nothing is written
//! and every error is reported with its sheet and row. Otherwise everything is written in
//! one transaction, each change in the audit log. Rows are matched to what is already
//! stored (organisations by code, people by ID number or by name, birth date and
//! organisation, delegates by term and person), so importing the same file again updates
//! and never duplicates.

use crate::audit::append;
use crate::congress::{self, Body, Term};
use crate::db::{q, RowExt, Store};
use crate::ids::new_id;
use crate::orgs::{self, Org};
use crate::people::{self, Person};
use crate::{Change, StoreError};
use lianxin_domain::congress::{DelegateCategory, DelegateInput, DelegateOrigin};
use lianxin_domain::lang::Coded;
use lianxin_domain::org::{child_path, in_subtree, OrgCategory, OrgInput, OrgKind, ValidOrg};
use lianxin_domain::person::{PersonInput, PersonKind, ValidPerson};
use lianxin_domain::{DomainError, Id};
use std::collections::{BTreeMap, HashMap};

/// One sheet as read from the file: row 0 is the header.
#[derive(Debug, Clone)]
pub struct InSheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub sheet: String,
    /// The spreadsheet row number as the clerk sees it (the header is row 1).
    pub row: usize,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Report {
    /// (sheet kind, created, updated)
    pub counts: Vec<(String, usize, usize)>,
}

#[derive(Debug)]
pub enum ImportError {
    Rows(Vec<RowError>),
    Store(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}
impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Store(e.into())
    }
}

/// The sheets and columns the importer knows; the first name of each is the template's.
/// A column: its template header and the other names accepted for it.
pub type Column = (&'static str, &'static [&'static str]);
/// A sheet: its template name, other accepted names, and its columns.
pub type SheetSpec = (&'static str, &'static [&'static str], &'static [Column]);

pub const SHEETS: &[SheetSpec] = &[
    (
        "组织",
        &["orgs", "organisations"],
        &[("组织代码", &["code"]), ("组织名称", &["name"]), ("上级组织代码", &["parent_code"]), ("组织类别", &["kind"]), ("组织类型", &["category"])],
    ),
    (
        "人员",
        &["people"],
        &[
            ("姓名", &["name"]),
            ("性别", &["gender"]),
            ("出生日期", &["birth_date"]),
            ("民族", &["ethnicity"]),
            ("学历", &["education"]),
            ("职业", &["occupation"]),
            ("联系电话", &["phone"]),
            ("住址", &["address"]),
            ("人员类别", &["kind"]),
            ("入党日期", &["joined_on"]),
            ("身份证号", &["id_number"]),
            ("所属组织代码", &["org_code"]),
        ],
    ),
    ("代表小组", &["groups"], &[("届次", &["term"]), ("小组名称", &["name"])]),
    (
        "代表",
        &["delegates"],
        &[
            ("身份证号", &["id_number"]),
            ("姓名", &["name"]),
            ("所属组织代码", &["org_code"]),
            ("届次", &["term"]),
            ("界别", &["category"]),
            ("选举单位", &["constituency"]),
            ("代表小组", &["group"]),
            ("产生方式", &["origin"]),
            ("当选日期", &["elected_on"]),
        ],
    ),
    (
        "联系",
        &["links"],
        &[
            ("类别", &["kind"]),
            ("届次", &["term"]),
            ("联系人身份证号", &["from_id_number"]),
            ("联系人姓名", &["from_name"]),
            ("联系人组织代码", &["from_org_code"]),
            ("被联系人身份证号", &["to_id_number"]),
            ("被联系人姓名", &["to_name"]),
            ("被联系人组织代码", &["to_org_code"]),
            ("开始日期", &["starts_on"]),
        ],
    ),
];

/// One data row with its cells keyed by canonical column name.
struct Row<'a> {
    line: usize,
    cells: HashMap<&'static str, &'a str>,
}

impl Row<'_> {
    fn get(&self, col: &str) -> &str {
        self.cells.get(col).copied().unwrap_or("").trim()
    }
    fn opt(&self, col: &str) -> Option<String> {
        let v = self.get(col);
        (!v.is_empty()).then(|| v.to_string())
    }
}

fn norm(h: &str) -> String {
    h.trim().trim_end_matches('*').trim().replace([' ', '　'], "").to_lowercase()
}

/// Finds which known sheet a file's sheet is, and maps its header to canonical columns.
fn classify<'a>(sheet: &'a InSheet, errors: &mut Vec<RowError>) -> Option<(usize, Vec<Row<'a>>)> {
    let n = norm(&sheet.name);
    let kind = SHEETS.iter().position(|(zh, aliases, _)| norm(zh) == n || aliases.iter().any(|a| norm(a) == n))?;
    let cols = SHEETS[kind].2;
    let header = sheet.rows.first()?;
    let mut map: Vec<Option<&'static str>> = Vec::new();
    for h in header {
        let hn = norm(h);
        map.push(cols.iter().find(|(zh, al)| norm(zh) == hn || al.iter().any(|a| norm(a) == hn)).map(|(zh, _)| *zh));
    }
    let first = cols[0].0;
    if !map.contains(&Some(first)) && kind != 3 {
        errors.push(RowError {
            sheet: sheet.name.clone(),
            row: 1,
            zh: format!("缺少“{first}”列,请使用导入模板"),
            en: format!("column '{first}' is missing; use the import template"),
        });
        return None;
    }
    let rows = sheet
        .rows
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, r)| Row { line: i + 1, cells: map.iter().zip(r.iter()).filter_map(|(m, c)| m.map(|k| (k, c.as_str()))).collect() })
        .collect();
    Some((kind, rows))
}

fn coded<T: Coded>(v: &str) -> Option<T> {
    let v = v.trim();
    T::from_code(v).or_else(|| T::ALL.iter().copied().find(|x| x.label().zh == v || x.label().en.eq_ignore_ascii_case(v)))
}

enum PlanOrg {
    New(Org, ValidOrg),
    Update(Org, ValidOrg),
}

enum PlanPerson {
    New(Box<(Org, Id, ValidPerson)>),
    Update(Box<(Person, Org, ValidPerson)>),
}

struct PlanDelegate {
    term: Term,
    id: Id,
    existing: bool,
    person_id: Id,
    category: DelegateCategory,
    constituency: Option<String>,
    group_id: Option<Id>,
    origin: DelegateOrigin,
    elected_on: Option<String>,
}

/// Imports `sheets` into the tree rooted at `root` (the importer's scope). Delegates,
/// groups and delegate links need the `body` they belong to.
pub async fn run(
    store: &Store,
    root: &Org,
    body: Option<&Body>,
    sheets: &[InSheet],
    change: &Change,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Report, ImportError> {
    let mut errors = Vec::new();
    let today = change.today();
    let mut by_kind: Vec<Vec<Row>> = (0..SHEETS.len()).map(|_| Vec::new()).collect();
    let mut sheet_names: Vec<String> = SHEETS.iter().map(|s| s.0.to_string()).collect();
    for s in sheets {
        if let Some((k, rows)) = classify(s, &mut errors) {
            sheet_names[k] = s.name.clone();
            by_kind[k].extend(rows);
        }
    }
    let err = |errors: &mut Vec<RowError>, k: usize, line: usize, zh: String, en: String| {
        errors.push(RowError { sheet: sheet_names[k].clone(), row: line, zh, en })
    };
    let domain_errs = |errors: &mut Vec<RowError>, k: usize, line: usize, e: DomainError| match e {
        DomainError::Invalid(v) => {
            for f in v {
                errors.push(RowError { sheet: sheet_names[k].clone(), row: line, zh: f.zh, en: f.en });
            }
        }
        DomainError::Conflict { zh, en } => errors.push(RowError { sheet: sheet_names[k].clone(), row: line, zh, en }),
        other => errors.push(RowError { sheet: sheet_names[k].clone(), row: line, zh: format!("{other}"), en: format!("{other}") }),
    };

    // ---- organisations: by code; parents before children (in the file or already stored)
    let existing = orgs::subtree(store, root.tenant_id, &root.path).await?;
    let mut org_by_code: HashMap<String, Org> = existing.iter().filter_map(|o| o.code.clone().map(|c| (c, o.clone()))).collect();
    let mut plan_orgs = Vec::new();
    for r in &by_kind[0] {
        let code = r.get("组织代码").to_string();
        if code.is_empty() {
            err(&mut errors, 0, r.line, "组织代码不能为空(用于再次导入时识别)".into(), "the organisation code is required".into());
            continue;
        }
        let kind = coded::<OrgKind>(r.get("组织类别")).map(|k| k.code().to_string()).unwrap_or_else(|| r.get("组织类别").to_string());
        let category = coded::<OrgCategory>(r.get("组织类型")).map(|k| k.code().to_string()).unwrap_or_else(|| r.get("组织类型").to_string());
        let input = OrgInput { name: r.get("组织名称").into(), kind, category, parent_id: None, code: Some(code.clone()) };
        let v = match input.validate() {
            Ok(v) => v,
            Err(e) => {
                domain_errs(&mut errors, 0, r.line, e);
                continue;
            }
        };
        if let Some(found) = org_by_code.get(&code).cloned() {
            let mut updated = found.clone();
            updated.name = v.name.clone();
            updated.kind = v.kind.code().into();
            updated.category = v.category.code().into();
            org_by_code.insert(code, updated.clone());
            plan_orgs.push(PlanOrg::Update(updated, v));
            continue;
        }
        let parent = match r.opt("上级组织代码") {
            None => Some(root.clone()),
            Some(pc) => org_by_code.get(&pc).cloned(),
        };
        let Some(parent) = parent else {
            err(
                &mut errors,
                0,
                r.line,
                format!("上级组织代码“{}”不存在(上级须在本文件更靠前的行或系统中)", r.get("上级组织代码")),
                "the parent code is unknown (parents must come first)".into(),
            );
            continue;
        };
        let id = new_id(change.now_ms);
        let path = child_path(Some(&parent.path), id);
        let org = Org {
            tenant_id: root.tenant_id,
            id,
            parent_id: Some(parent.id),
            depth: lianxin_domain::org::depth_of(&path),
            path,
            name: v.name.clone(),
            kind: v.kind.code().into(),
            category: v.category.code().into(),
            code: Some(code.clone()),
            retired_on: None,
        };
        org_by_code.insert(code, org.clone());
        plan_orgs.push(PlanOrg::New(org, v));
    }
    let resolve_org = |code: &str| -> Option<Org> { org_by_code.get(code).cloned() };

    // ---- people
    let mut plan_people = Vec::new();
    // key → person id, for rows later in the file (id number, or name|org code)
    let mut person_keys: HashMap<String, (Id, bool)> = HashMap::new();
    let mut conn = store.pool.acquire().await?;
    for r in &by_kind[1] {
        let Some(org) = resolve_org(r.get("所属组织代码")) else {
            err(&mut errors, 1, r.line, format!("所属组织代码“{}”不存在", r.get("所属组织代码")), "unknown organisation code".into());
            continue;
        };
        if !in_subtree(&org.path, &root.path) {
            err(&mut errors, 1, r.line, "所属组织不在您的管理范围内".into(), "the organisation is outside your scope".into());
            continue;
        }
        let kind = coded::<PersonKind>(r.get("人员类别")).map(|k| k.code().to_string()).unwrap_or_else(|| r.get("人员类别").to_string());
        let input = PersonInput {
            name: r.get("姓名").into(),
            gender: r.get("性别").into(),
            birth_date: r.opt("出生日期"),
            ethnicity: r.opt("民族"),
            education: r.opt("学历"),
            occupation: r.opt("职业"),
            phone: r.opt("联系电话"),
            address: r.opt("住址"),
            org_id: org.id,
            kind,
            joined_on: r.opt("入党日期"),
            id_number: r.opt("身份证号"),
        };
        let v = match input.validate(today) {
            Ok(v) => v,
            Err(e) => {
                domain_errs(&mut errors, 1, r.line, e);
                continue;
            }
        };
        let key = v.id_number.clone().unwrap_or_else(|| format!("{}|{}", v.name, r.get("所属组织代码")));
        if person_keys.contains_key(&key) {
            err(&mut errors, 1, r.line, "与本文件前面的行重复".into(), "duplicates an earlier row".into());
            continue;
        }
        match people::find_match(&mut conn, root.tenant_id, org.id, &v).await? {
            Some(p) => {
                person_keys.insert(key, (p.id, v.kind != PersonKind::Resident));
                plan_people.push(PlanPerson::Update(Box::new((p, org, v))));
            }
            None => {
                let id = new_id(change.now_ms);
                person_keys.insert(key, (id, v.kind != PersonKind::Resident));
                plan_people.push(PlanPerson::New(Box::new((org, id, v))));
            }
        }
    }

    // finds a person by ID number, or by name and organisation code, in the file or stored
    async fn find_person(
        conn: &mut sqlx::AnyConnection,
        tenant: Id,
        keys: &HashMap<String, (Id, bool)>,
        orgs: &HashMap<String, Org>,
        idn: &str,
        name: &str,
        org_code: &str,
    ) -> Result<Option<(Id, bool)>, StoreError> {
        if !idn.is_empty() {
            if let Some(k) = keys.get(&idn.to_ascii_uppercase()) {
                return Ok(Some(*k));
            }
            let r = q("SELECT id, kind FROM people WHERE tenant_id = $1 AND id_number = $2", [tenant.into(), idn.to_ascii_uppercase().into()])
                .fetch_optional(&mut *conn)
                .await?;
            return Ok(r.map(|r| (r.i("id"), r.s("kind") != "resident")));
        }
        if let Some(k) = keys.get(&format!("{name}|{org_code}")) {
            return Ok(Some(*k));
        }
        let Some(org) = orgs.get(org_code) else { return Ok(None) };
        let rows = q("SELECT id, kind FROM people WHERE tenant_id = $1 AND org_id = $2 AND name = $3", [tenant.into(), org.id.into(), name.into()])
            .fetch_all(&mut *conn)
            .await?;
        // a name that is not unique in its organisation cannot be matched safely
        Ok(if rows.len() == 1 { Some((rows[0].i("id"), rows[0].s("kind") != "resident")) } else { None })
    }

    // ---- groups, delegates and links need a body
    let needs_body = !by_kind[2].is_empty()
        || !by_kind[3].is_empty()
        || by_kind[4].iter().any(|r| r.get("类别").contains("代表") || r.get("类别") == "delegate_member");
    let terms: Vec<Term> = match body {
        Some(b) => congress::terms(store, b).await?,
        None => Vec::new(),
    };
    if needs_body && body.is_none() {
        errors.push(RowError {
            sheet: sheet_names[3].clone(),
            row: 1,
            zh: "导入代表、代表小组或代表联系时须选择代表大会".into(),
            en: "choose the congress to import delegates, groups or delegate links into".into(),
        });
    }
    let term_of = |s: &str| -> Option<Term> {
        let n: i64 = s.trim().trim_start_matches('第').trim_end_matches('届').parse().ok()?;
        terms.iter().find(|t| t.number == n).cloned()
    };
    let mut group_ids: HashMap<(Id, String), Id> = HashMap::new();
    for t in &terms {
        for g in congress::groups(store, t).await? {
            group_ids.insert((t.id, g.name.clone()), g.id);
        }
    }
    let mut plan_groups: Vec<(Term, Id, String)> = Vec::new();
    if body.is_some() {
        for r in &by_kind[2] {
            let Some(t) = term_of(r.get("届次")) else {
                err(&mut errors, 2, r.line, format!("届次“{}”不存在", r.get("届次")), "unknown term".into());
                continue;
            };
            let name = r.get("小组名称").to_string();
            if name.is_empty() || name.chars().count() > 40 {
                err(&mut errors, 2, r.line, "小组名称不能为空且不超过40字".into(), "the group name is required (40 characters at most)".into());
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = group_ids.entry((t.id, name.clone())) {
                let id = new_id(change.now_ms);
                e.insert(id);
                plan_groups.push((t, id, name));
            }
        }
    }
    let mut plan_delegates: Vec<PlanDelegate> = Vec::new();
    let mut delegate_keys: HashMap<(Id, Id), Id> = HashMap::new();
    if body.is_some() {
        for r in &by_kind[3] {
            let Some(t) = term_of(r.get("届次")) else {
                err(&mut errors, 3, r.line, format!("届次“{}”不存在", r.get("届次")), "unknown term".into());
                continue;
            };
            let Some((pid, member)) =
                find_person(&mut conn, root.tenant_id, &person_keys, &org_by_code, r.get("身份证号"), r.get("姓名"), r.get("所属组织代码")).await?
            else {
                err(
                    &mut errors,
                    3,
                    r.line,
                    "找不到此人(请填身份证号,或姓名加所属组织代码,且此人须在人员表或系统中)".into(),
                    "person not found (give the ID number, or name and organisation code)".into(),
                );
                continue;
            };
            if !member {
                err(&mut errors, 3, r.line, "党代表须是正式或预备党员".into(), "a delegate must be a party member".into());
                continue;
            }
            let group_id = match r.opt("代表小组") {
                None => None,
                Some(g) => match group_ids.get(&(t.id, g.clone())) {
                    Some(id) => Some(*id),
                    None => {
                        err(
                            &mut errors,
                            3,
                            r.line,
                            format!("代表小组“{g}”不存在(可在“代表小组”表中新建)"),
                            "unknown group (add it on the groups sheet)".into(),
                        );
                        continue;
                    }
                },
            };
            let origin = coded::<DelegateOrigin>(r.get("产生方式")).map(|o| o.code().to_string());
            let category = coded::<DelegateCategory>(r.get("界别")).map(|c| c.code().to_string()).unwrap_or_else(|| r.get("界别").to_string());
            let existing = q(
                "SELECT id FROM delegates WHERE tenant_id = $1 AND term_id = $2 AND person_id = $3",
                [root.tenant_id.into(), t.id.into(), pid.into()],
            )
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.i("id"));
            // a by-election needs its vacancy, which the screen handles; the import takes regular seats
            let input = DelegateInput {
                person_id: pid,
                category,
                constituency: r.opt("选举单位"),
                group_id,
                origin: origin.filter(|o| o == "election"),
                elected_on: r.opt("当选日期"),
                replaces_id: None,
            };
            let v = match input.validate(t.dates()) {
                Ok(v) => v,
                Err(e) => {
                    domain_errs(&mut errors, 3, r.line, e);
                    continue;
                }
            };
            if delegate_keys.contains_key(&(t.id, pid)) {
                err(&mut errors, 3, r.line, "与本文件前面的行重复".into(), "duplicates an earlier row".into());
                continue;
            }
            let id = existing.unwrap_or_else(|| new_id(change.now_ms));
            delegate_keys.insert((t.id, pid), id);
            plan_delegates.push(PlanDelegate {
                term: t,
                id,
                existing: existing.is_some(),
                person_id: pid,
                category: v.category,
                constituency: v.constituency,
                group_id: v.group_id,
                origin: v.origin,
                elected_on: v.elected_on,
            });
        }
    }
    let mut plan_links: Vec<(&'static str, Id, Id, String)> = Vec::new();
    for r in &by_kind[4] {
        let kind = match r.get("类别") {
            "代表联系党员" | "delegate_member" => "delegate_member",
            "党员联系群众" | "member_resident" => "member_resident",
            other => {
                err(
                    &mut errors,
                    4,
                    r.line,
                    format!("联系类别“{other}”无效(代表联系党员 / 党员联系群众)"),
                    "kind must be delegate_member or member_resident".into(),
                );
                continue;
            }
        };
        let from =
            find_person(&mut conn, root.tenant_id, &person_keys, &org_by_code, r.get("联系人身份证号"), r.get("联系人姓名"), r.get("联系人组织代码"))
                .await?;
        let to = find_person(
            &mut conn,
            root.tenant_id,
            &person_keys,
            &org_by_code,
            r.get("被联系人身份证号"),
            r.get("被联系人姓名"),
            r.get("被联系人组织代码"),
        )
        .await?;
        let (Some((from_pid, from_member)), Some((to_pid, to_member))) = (from, to) else {
            err(&mut errors, 4, r.line, "找不到联系人或被联系人".into(), "one end of the link was not found".into());
            continue;
        };
        let start = match r.opt("开始日期") {
            None => lianxin_domain::error::fmt_date(today),
            Some(s) => match lianxin_domain::error::parse_date(&s) {
                Some(d) => lianxin_domain::error::fmt_date(d),
                None => {
                    err(&mut errors, 4, r.line, format!("开始日期“{s}”无效"), "invalid start date".into());
                    continue;
                }
            },
        };
        let from_id = if kind == "delegate_member" {
            let Some(t) = term_of(r.get("届次")) else {
                err(&mut errors, 4, r.line, "代表联系党员须填写有效届次".into(), "a delegate link needs a valid term".into());
                continue;
            };
            let found = match delegate_keys.get(&(t.id, from_pid)) {
                Some(id) => Some(*id),
                None => q(
                    "SELECT id FROM delegates WHERE tenant_id = $1 AND term_id = $2 AND person_id = $3 AND status = 'active'",
                    [root.tenant_id.into(), t.id.into(), from_pid.into()],
                )
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| r.i("id")),
            };
            let Some(did) = found else {
                err(&mut errors, 4, r.line, "联系人不是该届在任代表".into(), "the linking person is not an active delegate of that term".into());
                continue;
            };
            if !to_member {
                err(&mut errors, 4, r.line, "代表联系的须是党员".into(), "a delegate links party members".into());
                continue;
            }
            did
        } else {
            if !from_member || to_member {
                err(
                    &mut errors,
                    4,
                    r.line,
                    "党员联系群众:联系人须是党员,被联系人须是群众".into(),
                    "member → resident: the first must be a member, the second a resident".into(),
                );
                continue;
            }
            from_pid
        };
        let dup = q(
            "SELECT COUNT(*) AS n FROM liaison_links WHERE tenant_id = $1 AND kind = $2 AND from_id = $3 AND to_id = $4 AND ends_on IS NULL",
            [root.tenant_id.into(), kind.into(), from_id.into(), to_pid.into()],
        )
        .fetch_one(&mut *conn)
        .await?
        .i("n");
        if dup == 0 && !plan_links.iter().any(|(k, f, t, _)| *k == kind && *f == from_id && *t == to_pid) {
            plan_links.push((kind, from_id, to_pid, start));
        }
    }
    drop(conn);
    if !errors.is_empty() {
        errors.sort_by_key(|e| (e.sheet.clone(), e.row));
        return Err(ImportError::Rows(errors));
    }

    // ---- apply, all or nothing
    let total = plan_orgs.len() + plan_people.len() + plan_groups.len() + plan_delegates.len() + plan_links.len();
    let mut done = 0;
    let mut counts: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    let mut tx = store.pool.begin().await?;
    for p in &plan_orgs {
        match p {
            PlanOrg::New(o, v) => {
                let parent =
                    Org { id: o.parent_id.unwrap_or(root.id), path: o.path.trim_end_matches(&format!("{}/", o.id)).to_string(), ..o.clone() };
                orgs::insert(&mut tx, o.tenant_id, o.id, Some(&parent), v, change).await?;
                counts.entry(0).or_default().0 += 1;
            }
            PlanOrg::Update(o, v) => {
                let before = orgs::get(store, o.id).await?;
                q(
                    "UPDATE orgs SET name = $1, kind = $2, category = $3, updated_at = $4 WHERE tenant_id = $5 AND id = $6",
                    [v.name.as_str().into(), v.kind.code().into(), v.category.code().into(), change.now_ms.into(), o.tenant_id.into(), o.id.into()],
                )
                .execute(&mut *tx)
                .await?;
                append(&mut tx, o.tenant_id, change, "import", "org", Some(o.id), Some(before.snapshot()), Some(o.snapshot())).await?;
                counts.entry(0).or_default().1 += 1;
            }
        }
        done += 1;
        progress(done, total);
    }
    for p in &plan_people {
        match p {
            PlanPerson::New(b) => {
                let (org, id, v) = &**b;
                people::insert_valid(&mut tx, org, *id, v, change).await?;
                counts.entry(1).or_default().0 += 1;
            }
            PlanPerson::Update(b) => {
                let (before, org, v) = &**b;
                people::update_valid(&mut tx, before, org, v, change).await?;
                counts.entry(1).or_default().1 += 1;
            }
        }
        done += 1;
        progress(done, total);
    }
    for (t, id, name) in &plan_groups {
        q(
            "INSERT INTO delegate_groups (tenant_id, id, term_id, name, leader_id, created_at) VALUES ($1, $2, $3, $4, NULL, $5)",
            [t.tenant_id.into(), (*id).into(), t.id.into(), name.as_str().into(), change.now_ms.into()],
        )
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            t.tenant_id,
            change,
            "import",
            "group",
            Some(*id),
            None,
            Some(serde_json::json!({"name": name, "term_id": t.id}).to_string()),
        )
        .await?;
        counts.entry(2).or_default().0 += 1;
        done += 1;
        progress(done, total);
    }
    for d in &plan_delegates {
        let after = serde_json::json!({"person_id": d.person_id, "term_id": d.term.id, "category": d.category.code(), "constituency": d.constituency, "group_id": d.group_id}).to_string();
        if d.existing {
            q(
                "UPDATE delegates SET category = $1, constituency = $2, group_id = $3, updated_at = $4 WHERE tenant_id = $5 AND id = $6",
                [
                    d.category.code().into(),
                    d.constituency.clone().into(),
                    d.group_id.into(),
                    change.now_ms.into(),
                    d.term.tenant_id.into(),
                    d.id.into(),
                ],
            )
            .execute(&mut *tx)
            .await?;
            counts.entry(3).or_default().1 += 1;
        } else {
            q(
                "INSERT INTO delegates (tenant_id, id, term_id, person_id, category, constituency, group_id, status, origin, elected_on, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $10)",
                [
                    d.term.tenant_id.into(),
                    d.id.into(),
                    d.term.id.into(),
                    d.person_id.into(),
                    d.category.code().into(),
                    d.constituency.clone().into(),
                    d.group_id.into(),
                    d.origin.code().into(),
                    d.elected_on.clone().into(),
                    change.now_ms.into(),
                ],
            )
            .execute(&mut *tx)
            .await?;
            counts.entry(3).or_default().0 += 1;
        }
        append(&mut tx, d.term.tenant_id, change, "import", "delegate", Some(d.id), None, Some(after)).await?;
        done += 1;
        progress(done, total);
    }
    for (kind, from, to, start) in &plan_links {
        let id = new_id(change.now_ms);
        q(
            "INSERT INTO liaison_links (tenant_id, id, kind, from_id, to_id, starts_on, ends_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
            [root.tenant_id.into(), id.into(), (*kind).into(), (*from).into(), (*to).into(), start.as_str().into(), change.now_ms.into()],
        )
        .execute(&mut *tx)
        .await?;
        append(
            &mut tx,
            root.tenant_id,
            change,
            "import",
            "link",
            Some(id),
            None,
            Some(serde_json::json!({"kind": kind, "from_id": from, "to_id": to, "starts_on": start}).to_string()),
        )
        .await?;
        counts.entry(4).or_default().0 += 1;
        done += 1;
        progress(done, total);
    }
    tx.commit().await?;
    crate::reports::network_changed();
    Ok(Report { counts: counts.into_iter().map(|(k, (c, u))| (SHEETS[k].0.to_string(), c, u)).collect() })
}
