//! The liaison network (三联系): committee member → delegate group, delegate → party
//! members, party member → residents. A link has a start and an end; ending a link keeps
//! it, so the history of who looked after whom is never overwritten.

use crate::audit::append;
use crate::congress::{self, Term};
use crate::db::{q, RowExt, Store};
use crate::ids::new_id;
use crate::people;
use crate::{Change, Result, StoreError};
use lianxin_domain::coded_enum;
use lianxin_domain::error::{fmt_date, Errors};
use lianxin_domain::lang::Coded;
use lianxin_domain::{FieldError, Id};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

coded_enum! {
    LinkKind {
        CommitteeGroup => "committee_group", "委员联系代表小组", "Committee member → delegate group";
        DelegateMember => "delegate_member", "代表联系党员", "Delegate → party member";
        MemberResident => "member_resident", "党员联系群众", "Party member → resident";
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Link {
    pub tenant_id: Id,
    pub id: Id,
    pub kind: String,
    pub from_id: Id,
    pub to_id: Id,
    pub starts_on: String,
    pub ends_on: Option<String>,
    /// The name of the other end, for lists.
    pub from_name: String,
    pub to_name: String,
}

fn link(r: &AnyRow) -> Link {
    Link {
        tenant_id: r.i("tenant_id"),
        id: r.i("id"),
        kind: r.s("kind"),
        from_id: r.i("from_id"),
        to_id: r.i("to_id"),
        starts_on: r.s("starts_on"),
        ends_on: r.os("ends_on"),
        from_name: r.s("from_name"),
        to_name: r.s("to_name"),
    }
}

// The names at both ends, whatever the kind.
macro_rules! link_select {
    () => {
        "SELECT l.tenant_id, l.id, l.kind, l.from_id, l.to_id, l.starts_on, l.ends_on, \
            COALESCE(cp.name, dp.name, mp.name, '') AS from_name, COALESCE(g.name, tp.name, '') AS to_name \
         FROM liaison_links l \
         LEFT JOIN committee_members c ON l.kind = 'committee_group' AND c.tenant_id = l.tenant_id AND c.id = l.from_id \
         LEFT JOIN people cp ON cp.tenant_id = c.tenant_id AND cp.id = c.person_id \
         LEFT JOIN delegates d ON l.kind = 'delegate_member' AND d.tenant_id = l.tenant_id AND d.id = l.from_id \
         LEFT JOIN people dp ON dp.tenant_id = d.tenant_id AND dp.id = d.person_id \
         LEFT JOIN people mp ON l.kind = 'member_resident' AND mp.tenant_id = l.tenant_id AND mp.id = l.from_id \
         LEFT JOIN delegate_groups g ON l.kind = 'committee_group' AND g.tenant_id = l.tenant_id AND g.id = l.to_id \
         LEFT JOIN people tp ON l.kind <> 'committee_group' AND tp.tenant_id = l.tenant_id AND tp.id = l.to_id"
    };
}

pub async fn get(store: &Store, id: Id) -> Result<Link> {
    let r = q(concat!(link_select!(), " WHERE l.id = $1"), [id.into()]).fetch_optional(&store.pool).await?;
    r.map(|r| link(&r)).ok_or_else(StoreError::not_found)
}

/// Links going out of `from_id` (all, or only those active on `on`).
pub async fn links_from(store: &Store, tenant_id: Id, kind: LinkKind, from_id: Id, on: Option<&str>) -> Result<Vec<Link>> {
    let rows = q(
        concat!(link_select!(), " WHERE l.tenant_id = $1 AND l.kind = $2 AND l.from_id = $3 ORDER BY l.ends_on IS NOT NULL, l.starts_on DESC, l.id"),
        [tenant_id.into(), kind.code().into(), from_id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .iter()
        .map(link)
        .filter(|l| on.map(|d| lianxin_domain::coverage::link_active(&l.starts_on, l.ends_on.as_deref(), d)).unwrap_or(true))
        .collect())
}

/// Links coming into `to_id`.
pub async fn links_to(store: &Store, tenant_id: Id, kind: LinkKind, to_id: Id) -> Result<Vec<Link>> {
    let rows = q(
        concat!(link_select!(), " WHERE l.tenant_id = $1 AND l.kind = $2 AND l.to_id = $3 ORDER BY l.ends_on IS NOT NULL, l.starts_on DESC, l.id"),
        [tenant_id.into(), kind.code().into(), to_id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.iter().map(link).collect())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct LinkInput {
    pub kind: String,
    pub from_id: Id,
    pub to_id: Id,
    #[serde(default)]
    pub starts_on: Option<String>,
}

/// Checks both ends of a link and returns (tenant, kind, start date).
async fn check(store: &Store, input: &LinkInput, change: &Change) -> Result<(Id, LinkKind, String)> {
    let mut e = Errors::new();
    let kind = LinkKind::from_code(input.kind.trim());
    if kind.is_none() {
        e.push(FieldError::new("kind", "bad_choice", "联系类别无效", "invalid kind of link"));
    }
    let start = e.opt_date("starts_on", "开始日期", input.starts_on.as_deref()).unwrap_or(change.today());
    e.finish()?;
    let kind = kind.unwrap_or(LinkKind::DelegateMember);
    let bad_from = |zh: &str, en: &str| StoreError::invalid(FieldError::new("from_id", "bad_end", zh, en));
    let bad_to = |zh: &str, en: &str| StoreError::invalid(FieldError::new("to_id", "bad_end", zh, en));
    let tenant = match kind {
        LinkKind::CommitteeGroup => {
            let r = q("SELECT tenant_id, term_id, until FROM committee_members WHERE id = $1", [input.from_id.into()])
                .fetch_optional(&store.pool)
                .await?
                .ok_or_else(|| bad_from("委员不存在", "no such committee member"))?;
            if r.os("until").is_some() {
                return Err(bad_from("该委员已离任", "the committee member has left"));
            }
            let g = congress::group(store, input.to_id).await.map_err(|_| bad_to("代表小组不存在", "no such group"))?;
            if g.term_id != r.i("term_id") {
                return Err(bad_to("代表小组与委员不属于同一届", "the group is of another term"));
            }
            r.i("tenant_id")
        }
        LinkKind::DelegateMember => {
            let d = congress::delegate(store, input.from_id).await.map_err(|_| bad_from("代表不存在", "no such delegate"))?;
            if d.status != "active" {
                return Err(bad_from("该代表不在任", "the delegate is not active"));
            }
            let p = people::get(store, input.to_id).await.map_err(|_| bad_to("党员不存在", "no such member"))?;
            if p.tenant_id != d.tenant_id || !p.is_member() {
                return Err(bad_to("只能联系本组织的党员", "a delegate links party members of the same tree"));
            }
            if p.id == d.person_id {
                return Err(bad_to("代表不能联系自己", "a delegate cannot link to themselves"));
            }
            d.tenant_id
        }
        LinkKind::MemberResident => {
            let m = people::get(store, input.from_id).await.map_err(|_| bad_from("党员不存在", "no such member"))?;
            if !m.is_member() {
                return Err(bad_from("联系群众的须是党员", "the linking person must be a party member"));
            }
            let r = people::get(store, input.to_id).await.map_err(|_| bad_to("群众不存在", "no such resident"))?;
            if r.tenant_id != m.tenant_id || r.is_member() {
                return Err(bad_to("只能联系本组织的群众", "a member links residents of the same tree"));
            }
            m.tenant_id
        }
    };
    Ok((tenant, kind, fmt_date(start)))
}

pub async fn create(store: &Store, input: &LinkInput, change: &Change) -> Result<Link> {
    let (tenant, kind, start) = check(store, input, change).await?;
    let dup = q(
        "SELECT COUNT(*) AS n FROM liaison_links WHERE tenant_id = $1 AND kind = $2 AND from_id = $3 AND to_id = $4 AND ends_on IS NULL",
        [tenant.into(), kind.code().into(), input.from_id.into(), input.to_id.into()],
    )
    .fetch_one(&store.pool)
    .await?
    .i("n");
    if dup > 0 {
        return Err(StoreError::invalid(FieldError::new("to_id", "duplicate", "这条联系已经存在", "this link already exists")));
    }
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO liaison_links (tenant_id, id, kind, from_id, to_id, starts_on, ends_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
        [tenant.into(), id.into(), kind.code().into(), input.from_id.into(), input.to_id.into(), start.as_str().into(), change.now_ms.into()],
    )
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        tenant,
        change,
        "create",
        "link",
        Some(id),
        None,
        Some(serde_json::json!({"kind": kind.code(), "from_id": input.from_id, "to_id": input.to_id, "starts_on": start}).to_string()),
    )
    .await?;
    tx.commit().await?;
    crate::reports::network_changed();
    get(store, id).await
}

/// Ends a link on `ends_on` (default today). The link stays as history.
pub async fn end(store: &Store, id: Id, ends_on: Option<&str>, change: &Change) -> Result<Link> {
    let before = get(store, id).await?;
    if before.ends_on.is_some() {
        return Err(StoreError::conflict("这条联系已经结束", "this link has already ended"));
    }
    let mut e = Errors::new();
    let end = e.opt_date("ends_on", "结束日期", ends_on).unwrap_or(change.today());
    e.finish()?;
    let end = fmt_date(end);
    if end < before.starts_on {
        return Err(StoreError::invalid(FieldError::new("ends_on", "out_of_range", "结束日期不能早于开始日期", "the end cannot precede the start")));
    }
    let mut tx = store.pool.begin().await?;
    q("UPDATE liaison_links SET ends_on = $1 WHERE tenant_id = $2 AND id = $3", [end.as_str().into(), before.tenant_id.into(), id.into()])
        .execute(&mut *tx)
        .await?;
    append(
        &mut tx,
        before.tenant_id,
        change,
        "end",
        "link",
        Some(id),
        serde_json::to_string(&before).ok(),
        Some(serde_json::json!({"ends_on": end}).to_string()),
    )
    .await?;
    tx.commit().await?;
    crate::reports::network_changed();
    get(store, id).await
}

/// The network of a term on a day: committee member → group and delegate → member pairs,
/// and each linked member's count of residents.
pub async fn active_links(store: &Store, term: &Term, on: &str) -> Result<(Vec<(Id, Id)>, Vec<(Id, Id)>, Vec<(Id, i64)>)> {
    let cg = q(
        "SELECT l.from_id, l.to_id FROM liaison_links l JOIN committee_members c ON c.tenant_id = l.tenant_id AND c.id = l.from_id \
         WHERE l.tenant_id = $1 AND l.kind = 'committee_group' AND c.term_id = $2 AND l.starts_on <= $3 AND (l.ends_on IS NULL OR l.ends_on > $3)",
        [term.tenant_id.into(), term.id.into(), on.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    let dm = q(
        "SELECT l.from_id, l.to_id FROM liaison_links l JOIN delegates d ON d.tenant_id = l.tenant_id AND d.id = l.from_id \
         WHERE l.tenant_id = $1 AND l.kind = 'delegate_member' AND d.term_id = $2 AND l.starts_on <= $3 AND (l.ends_on IS NULL OR l.ends_on > $3)",
        [term.tenant_id.into(), term.id.into(), on.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    // how many residents each member linked by this term's delegates has: counted by the
    // database, as a county has tens of thousands of these links
    let mr = q(
        "SELECT l.from_id, COUNT(DISTINCT l.to_id) AS n FROM liaison_links l \
         WHERE l.tenant_id = $1 AND l.kind = 'member_resident' AND l.starts_on <= $3 AND (l.ends_on IS NULL OR l.ends_on > $3) \
           AND l.from_id IN (SELECT dl.to_id FROM liaison_links dl JOIN delegates d ON d.tenant_id = dl.tenant_id AND d.id = dl.from_id \
                             WHERE dl.tenant_id = $1 AND dl.kind = 'delegate_member' AND d.term_id = $2) \
         GROUP BY l.from_id",
        [term.tenant_id.into(), term.id.into(), on.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    let pairs = |rows: Vec<AnyRow>| rows.iter().map(|r| (r.i("from_id"), r.i("to_id"))).collect::<Vec<_>>();
    Ok((pairs(cg), pairs(dm), mr.iter().map(|r| (r.i("from_id"), r.i("n"))).collect()))
}
