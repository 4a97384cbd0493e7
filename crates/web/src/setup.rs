//! Accounts for the demo: one per role, each scoped as a real office would scope it.

use crate::auth::hash_password_sync;
use crate::error::{WebError, WebResult};
use lianxin_domain::access::Role;
use lianxin_store::db::{q, RowExt};
use lianxin_store::users::{self, NewUser};
use lianxin_store::{congress, demo, Change, Store};

/// The demo password of every demo account (printed at start-up; change it for real use).
pub const DEMO_PASSWORD: &str = "lianxin2026";

/// (username, what the account is) for the demo logins.
pub struct DemoLogin {
    pub username: &'static str,
    pub role_zh: String,
}

/// Creates the demo accounts if they are missing; returns them all.
pub async fn demo_users(store: &Store, change: &Change, argon_m_kib: u32, argon_t: u32) -> WebResult<Vec<DemoLogin>> {
    let hash = hash_password_sync(DEMO_PASSWORD, argon_m_kib, argon_t)?;
    let town = congress::body(store, demo_town_body(store).await?).await?;
    let county_body = congress::body(store, demo_body_by_org(store, demo::COUNTY_ID).await?).await?;
    let today = lianxin_domain::error::fmt_date(change.today());
    let town_term = congress::current_term(store, &town, &today).await?.ok_or(WebError::NotFound)?;
    let first = |sql: &'static str, args: [lianxin_store::db::V; 1]| async move {
        q(sql, args).fetch_optional(&store.pool).await.map(|r| r.map(|r| r.i("person_id"))).map_err(|e| WebError::Internal(e.to_string()))
    };
    let delegate_person =
        first("SELECT person_id FROM delegates WHERE term_id = $1 AND status = 'active' ORDER BY id LIMIT 1", [town_term.id.into()]).await?;
    let delegate2_person =
        first("SELECT person_id FROM delegates WHERE term_id = $1 AND status = 'active' ORDER BY id DESC LIMIT 1", [town_term.id.into()]).await?;
    let committee_person = first("SELECT person_id FROM committee_members WHERE term_id = $1 ORDER BY id LIMIT 1", [town_term.id.into()]).await?;
    let xisa_body = congress::body(store, demo_body_by_org(store, demo::COUNTY_ID + 1).await?).await?;
    let xisa_term = congress::current_term(store, &xisa_body, &today).await?.ok_or(WebError::NotFound)?;
    let xisa_delegate =
        first("SELECT person_id FROM delegates WHERE term_id = $1 AND status = 'active' ORDER BY id LIMIT 1", [xisa_term.id.into()]).await?;
    let unit_org = q("SELECT id FROM orgs WHERE tenant_id = $1 AND kind = 'unit' ORDER BY id LIMIT 1", [demo::TOWN_ID.into()])
        .fetch_optional(&store.pool)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .map(|r| r.i("id"));

    // username, description, role, scope organisation, body, person
    type Spec<'a> = (&'static str, &'a str, Role, Option<i64>, Option<i64>, Option<i64>);
    let specs: Vec<Spec> = vec![
        ("admin", "系统管理员", Role::Admin, None, None, None),
        ("office", "郴江镇党代表联络办公室", Role::LiaisonOffice, Some(demo::TOWN_ID), Some(town.id), None),
        ("county", "西畴县委党代表联络办公室", Role::LiaisonOffice, Some(demo::COUNTY_ID), Some(county_body.id), None),
        ("committee", "郴江镇党委委员", Role::CommitteeMember, Some(demo::TOWN_ID), Some(town.id), committee_person),
        ("delegate", "郴江镇党代表", Role::Delegate, Some(demo::TOWN_ID), Some(town.id), delegate_person),
        ("delegate2", "郴江镇党代表(联名)", Role::Delegate, Some(demo::TOWN_ID), Some(town.id), delegate2_person),
        ("xisa.delegate", "西洒镇党代表", Role::Delegate, Some(xisa_body.org_id), Some(xisa_body.id), xisa_delegate),
        ("unit", "郴江镇党政综合办公室(承办单位)", Role::HandlingUnit, unit_org, None, None),
    ];
    let mut out = Vec::new();
    for (username, name, role, scope, body, person) in specs {
        if users::by_name(store, username).await?.is_none() {
            let display = match person {
                Some(pid) => format!("{}({name})", lianxin_store::people::get(store, pid).await?.name),
                None => name.to_string(),
            };
            let tenant = scope.map(|s| if s >= demo::COUNTY_ID { demo::COUNTY_ID } else { demo::TOWN_ID });
            let u = users::create(
                store,
                &NewUser { username: username.into(), display_name: display, password_hash: hash.clone(), tenant_id: tenant, person_id: person },
                change,
            )
            .await?;
            users::grant(store, u.id, role, scope, body, change).await?;
        }
        out.push(DemoLogin { username, role_zh: name.to_string() });
    }
    Ok(out)
}

async fn demo_town_body(store: &Store) -> WebResult<i64> {
    demo_body_by_org(store, demo::TOWN_ID).await
}

async fn demo_body_by_org(store: &Store, org_id: i64) -> WebResult<i64> {
    q("SELECT id FROM bodies WHERE org_id = $1 ORDER BY id LIMIT 1", [org_id.into()])
        .fetch_optional(&store.pool)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .map(|r| r.i("id"))
        .ok_or(WebError::NotFound)
}
