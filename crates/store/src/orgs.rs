//! The organisation tree.

use crate::audit::append;
use crate::db::{q, RowExt, Store, V};
use crate::ids::new_id;
use crate::{Change, Result, StoreError};
use lianxin_domain::error::fmt_date;
use lianxin_domain::lang::Coded;
use lianxin_domain::org::{child_path, depth_of, plan_move, OrgInput, ValidOrg};
use lianxin_domain::{FieldError, Id};
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Org {
    pub tenant_id: Id,
    pub id: Id,
    pub parent_id: Option<Id>,
    pub path: String,
    pub depth: i64,
    pub name: String,
    pub kind: String,
    pub category: String,
    pub code: Option<String>,
    pub retired_on: Option<String>,
}

impl Org {
    fn from_row(r: &AnyRow) -> Org {
        Org {
            tenant_id: r.i("tenant_id"),
            id: r.i("id"),
            parent_id: r.oi("parent_id"),
            path: r.s("path"),
            depth: r.i("depth"),
            name: r.s("name"),
            kind: r.s("kind"),
            category: r.s("category"),
            code: r.os("code"),
            retired_on: r.os("retired_on"),
        }
    }
    pub fn snapshot(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

macro_rules! org_cols {
    () => {
        "tenant_id, id, parent_id, path, depth, name, kind, category, code, retired_on"
    };
}

pub async fn get(store: &Store, id: Id) -> Result<Org> {
    let row = q(concat!("SELECT ", org_cols!(), " FROM orgs WHERE id = $1"), [id.into()]).fetch_optional(&store.pool).await?;
    row.map(|r| Org::from_row(&r)).ok_or_else(StoreError::not_found)
}

pub async fn get_by_code(store: &Store, tenant_id: Id, code: &str) -> Result<Option<Org>> {
    let row = q(concat!("SELECT ", org_cols!(), " FROM orgs WHERE tenant_id = $1 AND code = $2"), [tenant_id.into(), code.into()])
        .fetch_optional(&store.pool)
        .await?;
    Ok(row.map(|r| Org::from_row(&r)))
}

/// The roots of all trees (one per tenant).
pub async fn roots(store: &Store) -> Result<Vec<Org>> {
    let rows = q(concat!("SELECT ", org_cols!(), " FROM orgs WHERE parent_id IS NULL ORDER BY name"), []).fetch_all(&store.pool).await?;
    Ok(rows.iter().map(Org::from_row).collect())
}

pub async fn children(store: &Store, org: &Org) -> Result<Vec<Org>> {
    let rows = q(
        concat!("SELECT ", org_cols!(), " FROM orgs WHERE tenant_id = $1 AND parent_id = $2 ORDER BY sort_key, name"),
        [org.tenant_id.into(), org.id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.iter().map(Org::from_row).collect())
}

/// Every organisation in the subtree of `root_path` (the root included), in path order.
pub async fn subtree(store: &Store, tenant_id: Id, root_path: &str) -> Result<Vec<Org>> {
    let rows = q(
        concat!("SELECT ", org_cols!(), " FROM orgs WHERE tenant_id = $1 AND path LIKE $2 ORDER BY path"),
        [tenant_id.into(), format!("{root_path}%").into()],
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.iter().map(Org::from_row).collect())
}

/// The ancestors of an organisation, root first (for breadcrumbs).
pub async fn ancestors(store: &Store, org: &Org) -> Result<Vec<Org>> {
    let ids = lianxin_domain::org::ancestors(&org.path);
    let mut b = crate::db::Q::new(concat!("SELECT ", org_cols!(), " FROM orgs WHERE tenant_id = "));
    b.push("? AND id IN ", [V::I(org.tenant_id)]).push_in(&ids).push_raw(" ORDER BY depth");
    Ok(b.build().fetch_all(&store.pool).await?.iter().map(Org::from_row).collect())
}

/// Counts under one organisation, for its page and the tree.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SubtreeCounts {
    /// (kind code, count) of active organisations below the root.
    pub orgs_by_kind: Vec<(String, i64)>,
    /// (category code, count) of active branches below the root.
    pub branches_by_category: Vec<(String, i64)>,
    pub members: i64,
    pub residents: i64,
    pub minority_members: i64,
    pub women_members: i64,
}

pub async fn subtree_counts(store: &Store, org: &Org) -> Result<SubtreeCounts> {
    let like = format!("{}%", org.path);
    let kinds = q(
        "SELECT kind, COUNT(*) AS n FROM orgs WHERE tenant_id = $1 AND path LIKE $2 AND id <> $3 AND retired_on IS NULL GROUP BY kind",
        [org.tenant_id.into(), like.as_str().into(), org.id.into()],
    )
    .fetch_all(&store.pool);
    let cats = q(
        "SELECT category, COUNT(*) AS n FROM orgs WHERE tenant_id = $1 AND path LIKE $2 AND kind = 'branch' AND retired_on IS NULL GROUP BY category",
        [org.tenant_id.into(), like.as_str().into()],
    )
    .fetch_all(&store.pool);
    // the organisations first (an index range on the path), then their people through the
    // covering index: the planner cannot pick the wrong side of the join
    let people = q(
        "SELECT p.kind AS kind, \
                COUNT(*) AS n, \
                SUM(CASE WHEN p.ethnicity <> '汉族' THEN 1 ELSE 0 END) AS minority, \
                SUM(CASE WHEN p.gender = 'F' THEN 1 ELSE 0 END) AS women \
         FROM people p \
         WHERE p.tenant_id = $1 AND p.org_id IN (SELECT o.id FROM orgs o WHERE o.tenant_id = $1 AND o.path LIKE $2) GROUP BY p.kind",
        [org.tenant_id.into(), like.as_str().into()],
    )
    .fetch_all(&store.pool);
    // three independent queries: on separate connections at once, the page waits for the slowest only
    let (kinds, cats, people) = tokio::try_join!(kinds, cats, people)?;
    let mut c = SubtreeCounts {
        orgs_by_kind: kinds.iter().map(|r| (r.s("kind"), r.i("n"))).collect(),
        branches_by_category: cats.iter().map(|r| (r.s("category"), r.i("n"))).collect(),
        ..Default::default()
    };
    c.orgs_by_kind.sort();
    c.branches_by_category.sort_by_key(|x| std::cmp::Reverse(x.1));
    for r in &people {
        let n = r.i("n");
        match r.s("kind").as_str() {
            "resident" => c.residents += n,
            _ => {
                c.members += n;
                c.minority_members += sum_i(r, "minority");
                c.women_members += sum_i(r, "women");
            }
        }
    }
    Ok(c)
}

/// SUM() is BIGINT on SQLite but NUMERIC on PostgreSQL, which the portable driver cannot
/// read; the value is read as text or float as a fallback.
pub(crate) fn sum_i(r: &AnyRow, col: &str) -> i64 {
    use sqlx::Row;
    if let Ok(v) = r.try_get::<Option<i64>, _>(col) {
        return v.unwrap_or(0);
    }
    if let Ok(Some(v)) = r.try_get::<Option<f64>, _>(col) {
        return v as i64;
    }
    r.try_get::<Option<String>, _>(col).ok().flatten().and_then(|s| s.parse().ok()).unwrap_or(0)
}

pub(crate) async fn insert(
    conn: &mut sqlx::AnyConnection,
    tenant_id: Id,
    id: Id,
    parent: Option<&Org>,
    v: &ValidOrg,
    change: &Change,
) -> Result<Org> {
    let path = child_path(parent.map(|p| p.path.as_str()), id);
    let org = Org {
        tenant_id,
        id,
        parent_id: parent.map(|p| p.id),
        depth: depth_of(&path),
        path,
        name: v.name.clone(),
        kind: v.kind.code().into(),
        category: v.category.code().into(),
        code: v.code.clone(),
        retired_on: None,
    };
    q(
        "INSERT INTO orgs (tenant_id, id, parent_id, path, depth, name, kind, category, code, sort_key, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
        [
            tenant_id.into(),
            id.into(),
            org.parent_id.into(),
            org.path.as_str().into(),
            org.depth.into(),
            org.name.as_str().into(),
            org.kind.as_str().into(),
            org.category.as_str().into(),
            org.code.clone().into(),
            id.into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *conn)
    .await
    .map_err(|e| dup_code(e.into()))?;
    append(conn, tenant_id, change, "create", "org", Some(id), None, Some(org.snapshot())).await?;
    Ok(org)
}

fn dup_code(e: StoreError) -> StoreError {
    e.duplicate_as(FieldError::new("code", "duplicate", "组织代码已被使用", "this organisation code is already used"))
}

/// Creates a root organisation, which starts a new tenant (a county, a town, a company…).
pub async fn create_root(store: &Store, input: &OrgInput, change: &Change) -> Result<Org> {
    create_root_with_id(store, input, new_id(change.now_ms), change).await
}

/// As [`create_root`] with a chosen id (the demo builds the same ids every time).
pub async fn create_root_with_id(store: &Store, input: &OrgInput, id: Id, change: &Change) -> Result<Org> {
    let v = input.validate()?;
    let mut tx = store.pool.begin().await?;
    q("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)", [id.into(), v.name.as_str().into(), change.now_ms.into()])
        .execute(&mut *tx)
        .await?;
    let org = insert(&mut tx, id, id, None, &v, change).await?;
    tx.commit().await?;
    Ok(org)
}

/// Creates an organisation under `input.parent_id`.
pub async fn create(store: &Store, input: &OrgInput, change: &Change) -> Result<Org> {
    let v = input.validate()?;
    let parent_id = input.parent_id.ok_or_else(|| StoreError::invalid(FieldError::required("parent_id", "上级组织")))?;
    let parent = get(store, parent_id).await?;
    if parent.retired_on.is_some() {
        return Err(StoreError::conflict("上级组织已撤销,不能再建下级组织", "the parent organisation is retired"));
    }
    let mut tx = store.pool.begin().await?;
    let org = insert(&mut tx, parent.tenant_id, new_id(change.now_ms), Some(&parent), &v, change).await?;
    tx.commit().await?;
    Ok(org)
}

/// Changes name, kind, category and code (not the place in the tree: see [`move_to`]).
pub async fn update(store: &Store, id: Id, input: &OrgInput, change: &Change) -> Result<Org> {
    let v = input.validate()?;
    let before = get(store, id).await?;
    let mut after = before.clone();
    after.name = v.name;
    after.kind = v.kind.code().into();
    after.category = v.category.code().into();
    after.code = v.code;
    let mut tx = store.pool.begin().await?;
    q(
        "UPDATE orgs SET name = $1, kind = $2, category = $3, code = $4, updated_at = $5 WHERE tenant_id = $6 AND id = $7",
        [
            after.name.as_str().into(),
            after.kind.as_str().into(),
            after.category.as_str().into(),
            after.code.clone().into(),
            change.now_ms.into(),
            before.tenant_id.into(),
            id.into(),
        ],
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| dup_code(e.into()))?;
    append(&mut tx, before.tenant_id, change, "update", "org", Some(id), Some(before.snapshot()), Some(after.snapshot())).await?;
    tx.commit().await?;
    Ok(after)
}

/// Moves an organisation (with its whole subtree) under a new parent in the same tree.
pub async fn move_to(store: &Store, id: Id, new_parent_id: Id, change: &Change) -> Result<Org> {
    let node = get(store, id).await?;
    if node.parent_id.is_none() {
        return Err(StoreError::conflict("根组织不能移动", "the root organisation cannot be moved"));
    }
    let parent = get(store, new_parent_id).await?;
    if parent.retired_on.is_some() {
        return Err(StoreError::conflict("目标组织已撤销", "the new parent is retired"));
    }
    let new_path = plan_move(id, &node.path, &parent.path)?;
    let depth_shift = depth_of(&new_path) - node.depth;
    let mut tx = store.pool.begin().await?;
    // One statement rewrites the whole subtree: the new prefix plus the rest of each path.
    q(
        "UPDATE orgs SET path = $1 || substr(path, CAST($2 AS INTEGER)), depth = depth + $3, updated_at = $4 WHERE tenant_id = $5 AND path LIKE $6",
        [
            new_path.as_str().into(),
            (node.path.chars().count() as i64 + 1).into(),
            depth_shift.into(),
            change.now_ms.into(),
            node.tenant_id.into(),
            format!("{}%", node.path).into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    q("UPDATE orgs SET parent_id = $1 WHERE tenant_id = $2 AND id = $3", [parent.id.into(), node.tenant_id.into(), id.into()])
        .execute(&mut *tx)
        .await?;
    let mut after = node.clone();
    after.parent_id = Some(parent.id);
    after.path = new_path;
    after.depth += depth_shift;
    append(&mut tx, node.tenant_id, change, "move", "org", Some(id), Some(node.snapshot()), Some(after.snapshot())).await?;
    tx.commit().await?;
    Ok(after)
}

/// Retires an organisation: it stays in the records and history, but takes no new members
/// and is hidden from pickers. Its active sub-organisations must be retired or moved first.
pub async fn retire(store: &Store, id: Id, change: &Change) -> Result<Org> {
    let node = get(store, id).await?;
    if node.retired_on.is_some() {
        return Err(StoreError::conflict("该组织已撤销", "already retired"));
    }
    if node.parent_id.is_none() {
        return Err(StoreError::conflict("根组织不能撤销", "the root organisation cannot be retired"));
    }
    let active_children =
        q("SELECT COUNT(*) AS n FROM orgs WHERE tenant_id = $1 AND parent_id = $2 AND retired_on IS NULL", [node.tenant_id.into(), id.into()])
            .fetch_one(&store.pool)
            .await?
            .i("n");
    if active_children > 0 {
        return Err(StoreError::conflict(
            format!("还有{active_children}个下级组织未撤销或转移"),
            format!("{active_children} sub-organisations must be retired or moved first"),
        ));
    }
    let people = q("SELECT COUNT(*) AS n FROM people WHERE tenant_id = $1 AND org_id = $2", [node.tenant_id.into(), id.into()])
        .fetch_one(&store.pool)
        .await?
        .i("n");
    if people > 0 {
        return Err(StoreError::conflict(
            format!("该组织还有{people}名人员,请先转移组织关系"),
            format!("{people} people still belong here; transfer them first"),
        ));
    }
    let mut after = node.clone();
    after.retired_on = Some(fmt_date(change.today()));
    let mut tx = store.pool.begin().await?;
    q(
        "UPDATE orgs SET retired_on = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4",
        [after.retired_on.clone().into(), change.now_ms.into(), node.tenant_id.into(), id.into()],
    )
    .execute(&mut *tx)
    .await?;
    append(&mut tx, node.tenant_id, change, "retire", "org", Some(id), Some(node.snapshot()), Some(after.snapshot())).await?;
    tx.commit().await?;
    Ok(after)
}

/// Search by name within a subtree (for pickers).
pub async fn search(store: &Store, tenant_id: Id, root_path: &str, text: &str, limit: i64) -> Result<Vec<Org>> {
    let rows = q(
        concat!(
            "SELECT ",
            org_cols!(),
            " FROM orgs \
         WHERE tenant_id = $1 AND path LIKE $2 AND name LIKE $3 ESCAPE '\\' AND retired_on IS NULL ORDER BY depth, name LIMIT $4"
        ),
        [tenant_id.into(), format!("{root_path}%").into(), crate::db::like_pattern(text).into(), limit.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.iter().map(Org::from_row).collect())
}
