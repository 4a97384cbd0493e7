//! People on the roster: party members and residents.

use crate::audit::append;
use crate::db::{like_pattern, q, RowExt, Store, Q, V};
use crate::ids::new_id;
use crate::orgs::{self, Org};
use crate::{Change, Page, PageReq, Result, StoreError};
use lianxin_domain::lang::Coded;
use lianxin_domain::person::{PersonInput, ValidPerson};
use lianxin_domain::{FieldError, Id};
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Person {
    pub tenant_id: Id,
    pub id: Id,
    pub org_id: Id,
    pub org_name: String,
    pub org_path: String,
    pub name: String,
    pub gender: String,
    pub birth_date: Option<String>,
    pub ethnicity: String,
    pub education: Option<String>,
    pub occupation: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub kind: String,
    pub joined_on: Option<String>,
    /// Stored in full; shown masked everywhere (see `lianxin_domain::person::mask_id_number`).
    pub id_number: Option<String>,
}

macro_rules! person_select {
    () => {
        "SELECT p.tenant_id, p.id, p.org_id, o.name AS org_name, o.path AS org_path, p.name, p.gender, p.birth_date, p.ethnicity, \
         p.education, p.occupation, p.phone, p.address, p.kind, p.joined_on, p.id_number \
         FROM people p JOIN orgs o ON o.tenant_id = p.tenant_id AND o.id = p.org_id"
    };
}

impl Person {
    fn from_row(r: &AnyRow) -> Person {
        Person {
            tenant_id: r.i("tenant_id"),
            id: r.i("id"),
            org_id: r.i("org_id"),
            org_name: r.s("org_name"),
            org_path: r.s("org_path"),
            name: r.s("name"),
            gender: r.s("gender"),
            birth_date: r.os("birth_date"),
            ethnicity: r.s("ethnicity"),
            education: r.os("education"),
            occupation: r.os("occupation"),
            phone: r.os("phone"),
            address: r.os("address"),
            kind: r.s("kind"),
            joined_on: r.os("joined_on"),
            id_number: r.os("id_number"),
        }
    }
    /// The audit snapshot: the identity number is masked even there.
    pub fn snapshot(&self) -> String {
        let mut p = self.clone();
        p.id_number = p.id_number.as_deref().map(lianxin_domain::person::mask_id_number);
        serde_json::to_string(&p).unwrap_or_default()
    }
    pub fn is_member(&self) -> bool {
        self.kind != "resident"
    }
}

pub async fn get(store: &Store, id: Id) -> Result<Person> {
    let row = q(concat!(person_select!(), " WHERE p.id = $1"), [id.into()]).fetch_optional(&store.pool).await?;
    row.map(|r| Person::from_row(&r)).ok_or_else(StoreError::not_found)
}

pub async fn get_many(store: &Store, tenant_id: Id, ids: &[Id]) -> Result<Vec<Person>> {
    let mut b = Q::new(concat!(person_select!(), " WHERE p.tenant_id = "));
    b.push("? AND p.id IN ", [V::I(tenant_id)]).push_in(ids).push_raw(" ORDER BY p.name");
    Ok(b.build().fetch_all(&store.pool).await?.iter().map(Person::from_row).collect())
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PeopleFilter {
    /// Name, phone or the last digits of the ID number.
    pub q: Option<String>,
    pub org_id: Option<Id>,
    pub kind: Option<String>,
    pub gender: Option<String>,
    pub education: Option<String>,
    pub ethnicity: Option<String>,
}

/// People of one tenant whose organisation lies under one of `scopes` (subtree paths; an
/// empty list means none, `None` inside means the whole tenant).
pub async fn list(store: &Store, tenant_id: Id, scopes: &[Option<String>], f: &PeopleFilter, page: PageReq) -> Result<Page<Person>> {
    let mut w = Q::new("");
    w.push(" WHERE p.tenant_id = ?", [V::I(tenant_id)]);
    scope_clause(&mut w, scopes);
    if let Some(org_id) = f.org_id {
        let org = orgs::get(store, org_id).await?;
        w.push(" AND o.path LIKE ?", [V::T(format!("{}%", org.path))]);
    }
    if let Some(t) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pat = like_pattern(t);
        // digits are a phone or the end of an ID number; anything else can only be a name
        if t.chars().all(|c| c.is_ascii_digit() || c == 'X' || c == 'x') {
            w.push(
                " AND (p.name LIKE ? ESCAPE '\\' OR p.phone LIKE ? ESCAPE '\\' OR p.id_number LIKE ? ESCAPE '\\')",
                [V::T(pat.clone()), V::T(pat), V::T(format!("%{}", t.to_ascii_uppercase()))],
            );
        } else {
            w.push(" AND p.name LIKE ? ESCAPE '\\'", [V::T(pat)]);
        }
    }
    if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND p.kind = ?", [V::T(k.into())]);
    }
    if let Some(g) = f.gender.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND p.gender = ?", [V::T(g.into())]);
    }
    if let Some(e) = f.education.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND p.education = ?", [V::T(e.into())]);
    }
    if let Some(e) = f.ethnicity.as_deref().filter(|s| !s.is_empty()) {
        w.push(" AND p.ethnicity = ?", [V::T(e.into())]);
    }
    // one pass gives the page and the total (a window count); only an empty page past the
    // end needs a separate count
    let mut sel = Q::new(concat!(person_select!(), ""));
    sel.sql = sel.sql.replacen(" FROM people p", ", COUNT(*) OVER () AS total_rows FROM people p", 1);
    sel.sql.push_str(&w.sql);
    sel.args = w.args.clone();
    sel.push(" ORDER BY o.path, p.name, p.id LIMIT ? OFFSET ?", [V::I(page.per_page), V::I(page.offset())]);
    let rows = sel.build().fetch_all(&store.pool).await?;
    let total = match rows.first() {
        Some(r) => r.i("total_rows"),
        None if page.page > 1 => {
            let count = Q::head_where("SELECT COUNT(*) AS n FROM people p JOIN orgs o ON o.tenant_id = p.tenant_id AND o.id = p.org_id", &w);
            count.build().fetch_one(&store.pool).await?.i("n")
        }
        None => 0,
    };
    let items = rows.iter().map(Person::from_row).collect();
    Ok(Page { items, total, page: page.page, per_page: page.per_page })
}

/// Appends ` AND (o.path LIKE s1 OR …)` for the allowed subtrees (`o` is the person's org).
pub(crate) fn scope_clause(w: &mut Q, scopes: &[Option<String>]) {
    if scopes.iter().any(Option::is_none) {
        return;
    }
    if scopes.is_empty() {
        w.push_raw(" AND 1=0");
        return;
    }
    w.push_raw(" AND (");
    for (i, s) in scopes.iter().flatten().enumerate() {
        if i > 0 {
            w.push_raw(" OR ");
        }
        w.push("o.path LIKE ?", [V::T(format!("{s}%"))]);
    }
    w.push_raw(")");
}

async fn check_org(store: &Store, org_id: Id) -> Result<Org> {
    let org = orgs::get(store, org_id)
        .await
        .map_err(|_| StoreError::invalid(FieldError::new("org_id", "not_found", "所属组织不存在", "the organisation does not exist")))?;
    if org.retired_on.is_some() {
        return Err(StoreError::invalid(FieldError::new("org_id", "retired", "所属组织已撤销", "the organisation is retired")));
    }
    Ok(org)
}

fn dup_id(e: StoreError) -> StoreError {
    e.duplicate_as(FieldError::new("id_number", "duplicate", "该身份证号已登记在另一人名下", "this identity number belongs to another person"))
}

pub(crate) async fn insert_valid(conn: &mut sqlx::AnyConnection, org: &Org, id: Id, v: &ValidPerson, change: &Change) -> Result<Person> {
    q(
        "INSERT INTO people (tenant_id, id, org_id, name, gender, birth_date, ethnicity, education, occupation, phone, address, kind, joined_on, id_number, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
        [
            org.tenant_id.into(),
            id.into(),
            org.id.into(),
            v.name.as_str().into(),
            v.gender.code().into(),
            v.birth_date.clone().into(),
            v.ethnicity.as_str().into(),
            v.education.map(|e| e.code()).into(),
            v.occupation.clone().into(),
            v.phone.clone().into(),
            v.address.clone().into(),
            v.kind.code().into(),
            v.joined_on.clone().into(),
            v.id_number.clone().into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| dup_id(e.into()))?;
    let p = person_of(org, id, v);
    append(conn, org.tenant_id, change, "create", "person", Some(id), None, Some(p.snapshot())).await?;
    Ok(p)
}

fn person_of(org: &Org, id: Id, v: &ValidPerson) -> Person {
    Person {
        tenant_id: org.tenant_id,
        id,
        org_id: org.id,
        org_name: org.name.clone(),
        org_path: org.path.clone(),
        name: v.name.clone(),
        gender: v.gender.code().into(),
        birth_date: v.birth_date.clone(),
        ethnicity: v.ethnicity.clone(),
        education: v.education.map(|e| e.code().to_string()),
        occupation: v.occupation.clone(),
        phone: v.phone.clone(),
        address: v.address.clone(),
        kind: v.kind.code().into(),
        joined_on: v.joined_on.clone(),
        id_number: v.id_number.clone(),
    }
}

pub async fn create(store: &Store, input: &PersonInput, change: &Change) -> Result<Person> {
    let v = input.validate(change.today())?;
    let org = check_org(store, v.org_id).await?;
    let mut tx = store.pool.begin().await?;
    let p = insert_valid(&mut tx, &org, new_id(change.now_ms), &v, change).await?;
    tx.commit().await?;
    Ok(p)
}

pub(crate) async fn update_valid(conn: &mut sqlx::AnyConnection, before: &Person, org: &Org, v: &ValidPerson, change: &Change) -> Result<Person> {
    q(
        "UPDATE people SET org_id = $1, name = $2, gender = $3, birth_date = $4, ethnicity = $5, education = $6, occupation = $7, phone = $8, \
         address = $9, kind = $10, joined_on = $11, id_number = $12, updated_at = $13 WHERE tenant_id = $14 AND id = $15",
        [
            org.id.into(),
            v.name.as_str().into(),
            v.gender.code().into(),
            v.birth_date.clone().into(),
            v.ethnicity.as_str().into(),
            v.education.map(|e| e.code()).into(),
            v.occupation.clone().into(),
            v.phone.clone().into(),
            v.address.clone().into(),
            v.kind.code().into(),
            v.joined_on.clone().into(),
            v.id_number.clone().into(),
            change.now_ms.into(),
            before.tenant_id.into(),
            before.id.into(),
        ],
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| dup_id(e.into()))?;
    let after = person_of(org, before.id, v);
    append(conn, before.tenant_id, change, "update", "person", Some(before.id), Some(before.snapshot()), Some(after.snapshot())).await?;
    Ok(after)
}

/// Edits a person. Moving them to another organisation is a transfer within the same tree.
pub async fn update(store: &Store, id: Id, input: &PersonInput, change: &Change) -> Result<Person> {
    let v = input.validate(change.today())?;
    let before = get(store, id).await?;
    let org = check_org(store, v.org_id).await?;
    if org.tenant_id != before.tenant_id {
        return Err(StoreError::invalid(FieldError::new("org_id", "other_tree", "不能转到另一个组织树", "cannot transfer into another tree")));
    }
    let mut tx = store.pool.begin().await?;
    let after = update_valid(&mut tx, &before, &org, &v, change).await?;
    tx.commit().await?;
    Ok(after)
}

/// Finds the person an import row means: by identity number, else by name and birth date
/// in the same organisation. This is what makes re-importing a file update, not duplicate.
pub(crate) async fn find_match(conn: &mut sqlx::AnyConnection, tenant_id: Id, org_id: Id, v: &ValidPerson) -> Result<Option<Person>> {
    let row = if let Some(idn) = &v.id_number {
        q(concat!(person_select!(), " WHERE p.tenant_id = $1 AND p.id_number = $2"), [tenant_id.into(), idn.as_str().into()])
            .fetch_optional(&mut *conn)
            .await?
    } else {
        q(
            concat!(
                person_select!(),
                " WHERE p.tenant_id = $1 AND p.org_id = $2 AND p.name = $3 AND (p.birth_date = $4 OR (p.birth_date IS NULL AND $4 IS NULL))"
            ),
            [tenant_id.into(), org_id.into(), v.name.as_str().into(), v.birth_date.clone().into()],
        )
        .fetch_optional(&mut *conn)
        .await?
    };
    Ok(row.map(|r| Person::from_row(&r)))
}
