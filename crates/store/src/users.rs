//! Users, their grants (a role over a subtree), sessions and API tokens. Passwords arrive
//! here already hashed (argon2id, in the web layer); tokens are stored as SHA-256 hashes.

use crate::audit::append;
use crate::db::{q, RowExt, Store};
use crate::ids::new_id;
use crate::orgs;
use crate::{Change, Result, StoreError};
use lianxin_domain::access::{Actor, Grant, Role};
use lianxin_domain::error::Errors;
use lianxin_domain::lang::Coded;
use lianxin_domain::{FieldError, Id};
use serde::Serialize;
use sqlx::any::AnyRow;

/// After this many wrong passwords in a row the account is locked for [`LOCK_MS`].
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: Id,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub tenant_id: Option<Id>,
    pub person_id: Option<Id>,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub disabled: bool,
    pub lang: String,
}

fn user(r: &AnyRow) -> User {
    User {
        id: r.i("id"),
        username: r.s("username"),
        display_name: r.s("display_name"),
        password_hash: r.s("password_hash"),
        tenant_id: r.oi("tenant_id"),
        person_id: r.oi("person_id"),
        failed_logins: r.i("failed_logins"),
        locked_until: r.oi("locked_until"),
        disabled: r.i("disabled") != 0,
        lang: r.s("lang"),
    }
}

pub async fn by_name(store: &Store, username: &str) -> Result<Option<User>> {
    Ok(q("SELECT * FROM users WHERE username = $1", [username.trim().into()]).fetch_optional(&store.pool).await?.map(|r| user(&r)))
}

pub async fn by_id(store: &Store, id: Id) -> Result<User> {
    q("SELECT * FROM users WHERE id = $1", [id.into()]).fetch_optional(&store.pool).await?.map(|r| user(&r)).ok_or_else(StoreError::not_found)
}

pub async fn list(store: &Store) -> Result<Vec<User>> {
    Ok(q("SELECT * FROM users ORDER BY username", []).fetch_all(&store.pool).await?.iter().map(user).collect())
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub tenant_id: Option<Id>,
    pub person_id: Option<Id>,
}

pub fn validate_username(username: &str) -> Result<String> {
    let mut e = Errors::new();
    let u = e.text("username", "用户名", username, 40);
    if !u.is_empty() && !u.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@')) {
        e.push(FieldError::new("username", "bad_format", "用户名只能用字母、数字和 . _ - @", "username may use letters, digits and . _ - @"));
    }
    e.finish()?;
    Ok(u.to_ascii_lowercase())
}

pub async fn create(store: &Store, u: &NewUser, change: &Change) -> Result<User> {
    let username = validate_username(&u.username)?;
    let mut e = Errors::new();
    let display = e.text("display_name", "姓名", &u.display_name, 40);
    e.finish()?;
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO users (id, username, display_name, password_hash, tenant_id, person_id, failed_logins, disabled, lang, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, 0, 'zh-CN', $7, $7)",
        [
            id.into(),
            username.as_str().into(),
            display.as_str().into(),
            u.password_hash.as_str().into(),
            u.tenant_id.into(),
            u.person_id.into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| StoreError::from(e).duplicate_as(FieldError::new("username", "duplicate", "用户名已被使用", "this username is taken")))?;
    append(
        &mut tx,
        u.tenant_id.unwrap_or(0),
        change,
        "create",
        "user",
        Some(id),
        None,
        Some(serde_json::json!({"username": username, "display_name": display}).to_string()),
    )
    .await?;
    tx.commit().await?;
    by_id(store, id).await
}

pub async fn set_password(store: &Store, id: Id, password_hash: &str, change: &Change) -> Result<()> {
    let u = by_id(store, id).await?;
    let mut tx = store.pool.begin().await?;
    q(
        "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE id = $3",
        [password_hash.into(), change.now_ms.into(), id.into()],
    )
    .execute(&mut *tx)
    .await?;
    // a new password ends every session of the old one
    q("DELETE FROM sessions WHERE user_id = $1", [id.into()]).execute(&mut *tx).await?;
    append(&mut tx, u.tenant_id.unwrap_or(0), change, "password", "user", Some(id), None, None).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_lang(store: &Store, id: Id, lang: &str) -> Result<()> {
    q("UPDATE users SET lang = $1 WHERE id = $2", [lang.into(), id.into()]).execute(&store.pool).await?;
    Ok(())
}

/// Records a failed sign-in; returns whether the account is now locked.
pub async fn record_failed_login(store: &Store, id: Id, now_ms: i64) -> Result<bool> {
    let r = q("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins", [id.into()]).fetch_one(&store.pool).await?;
    let n = r.i("failed_logins");
    if n >= MAX_FAILED_LOGINS {
        q("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2", [(now_ms + LOCK_MS).into(), id.into()]).execute(&store.pool).await?;
        return Ok(true);
    }
    Ok(false)
}

pub async fn record_good_login(store: &Store, id: Id) -> Result<()> {
    q("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", [id.into()]).execute(&store.pool).await?;
    Ok(())
}

// ---------------------------------------------------------------- grants

#[derive(Debug, Clone, Serialize)]
pub struct GrantRow {
    pub id: Id,
    pub user_id: Id,
    pub role: String,
    pub scope_org_id: Option<Id>,
    pub scope_name: Option<String>,
    pub body_id: Option<Id>,
}

pub async fn grant(store: &Store, user_id: Id, role: Role, scope_org_id: Option<Id>, body_id: Option<Id>, change: &Change) -> Result<Id> {
    if role != Role::Admin && scope_org_id.is_none() {
        return Err(StoreError::invalid(FieldError::new(
            "scope_org_id",
            "required",
            "除系统管理员外,角色须限定在某个组织范围内",
            "every role but administrator needs an organisation scope",
        )));
    }
    let tenant = match scope_org_id {
        Some(o) => Some(orgs::get(store, o).await?.tenant_id),
        None => None,
    };
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO user_grants (id, user_id, role, tenant_id, scope_org_id, body_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [id.into(), user_id.into(), role.code().into(), tenant.into(), scope_org_id.into(), body_id.into(), change.now_ms.into()],
    )
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        tenant.unwrap_or(0),
        change,
        "grant",
        "user",
        Some(user_id),
        None,
        Some(serde_json::json!({"role": role.code(), "scope_org_id": scope_org_id, "body_id": body_id}).to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn grants(store: &Store, user_id: Id) -> Result<Vec<GrantRow>> {
    let rows = q(
        "SELECT g.id, g.user_id, g.role, g.scope_org_id, o.name AS scope_name, g.body_id FROM user_grants g \
         LEFT JOIN orgs o ON o.tenant_id = g.tenant_id AND o.id = g.scope_org_id WHERE g.user_id = $1 ORDER BY g.created_at",
        [user_id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| GrantRow {
            id: r.i("id"),
            user_id: r.i("user_id"),
            role: r.s("role"),
            scope_org_id: r.oi("scope_org_id"),
            scope_name: r.os("scope_name"),
            body_id: r.oi("body_id"),
        })
        .collect())
}

/// The actor a user acts as: their grants with each scope resolved to its current path
/// (so moving an organisation moves its users' scopes with it).
pub async fn actor(store: &Store, u: &User) -> Result<Actor> {
    let rows = q(
        "SELECT g.role, g.body_id, o.path FROM user_grants g LEFT JOIN orgs o ON o.tenant_id = g.tenant_id AND o.id = g.scope_org_id WHERE g.user_id = $1",
        [u.id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    let grants = rows
        .iter()
        .filter_map(|r| {
            let role = Role::from_code(&r.s("role"))?;
            let path = r.os("path");
            // a scoped grant whose organisation vanished grants nothing
            if role != Role::Admin && path.is_none() {
                return None;
            }
            Some(Grant { role, scope_path: if role == Role::Admin { None } else { path }, body_id: r.oi("body_id") })
        })
        .collect();
    Ok(Actor { user_id: u.id, username: u.username.clone(), display_name: u.display_name.clone(), person_id: u.person_id, grants })
}

// ---------------------------------------------------------------- sessions

pub struct SessionRow {
    pub user_id: Id,
    pub csrf: String,
    pub expires_at: i64,
}

pub async fn create_session(store: &Store, token_hash: &str, user_id: Id, csrf: &str, now_ms: i64, ttl_ms: i64) -> Result<()> {
    q(
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        [token_hash.into(), user_id.into(), csrf.into(), now_ms.into(), (now_ms + ttl_ms).into()],
    )
    .execute(&store.pool)
    .await?;
    Ok(())
}

pub async fn session(store: &Store, token_hash: &str, now_ms: i64) -> Result<Option<SessionRow>> {
    let r = q("SELECT user_id, csrf, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2", [token_hash.into(), now_ms.into()])
        .fetch_optional(&store.pool)
        .await?;
    Ok(r.map(|r| SessionRow { user_id: r.i("user_id"), csrf: r.s("csrf"), expires_at: r.i("expires_at") }))
}

pub async fn delete_session(store: &Store, token_hash: &str) -> Result<()> {
    q("DELETE FROM sessions WHERE token_hash = $1", [token_hash.into()]).execute(&store.pool).await?;
    Ok(())
}

pub async fn purge_sessions(store: &Store, now_ms: i64) -> Result<u64> {
    Ok(q("DELETE FROM sessions WHERE expires_at <= $1", [now_ms.into()]).execute(&store.pool).await?.rows_affected())
}

// ---------------------------------------------------------------- API tokens

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: Id,
    pub user_id: Id,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

fn token(r: &AnyRow) -> ApiToken {
    ApiToken {
        id: r.i("id"),
        user_id: r.i("user_id"),
        name: r.s("name"),
        created_at: r.i("created_at"),
        last_used_at: r.oi("last_used_at"),
        revoked_at: r.oi("revoked_at"),
    }
}

pub async fn create_token(store: &Store, user_id: Id, name: &str, token_hash: &str, change: &Change) -> Result<ApiToken> {
    let mut e = Errors::new();
    let name = e.text("name", "令牌名称", name, 60);
    e.finish()?;
    let u = by_id(store, user_id).await?;
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
        [id.into(), user_id.into(), name.as_str().into(), token_hash.into(), change.now_ms.into()],
    )
    .execute(&mut *tx)
    .await?;
    append(
        &mut tx,
        u.tenant_id.unwrap_or(0),
        change,
        "create",
        "api_token",
        Some(id),
        None,
        Some(serde_json::json!({"name": name, "user_id": user_id}).to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(ApiToken { id, user_id, name, created_at: change.now_ms, last_used_at: None, revoked_at: None })
}

pub async fn tokens(store: &Store, user_id: Id) -> Result<Vec<ApiToken>> {
    Ok(q("SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC", [user_id.into()])
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(token)
        .collect())
}

/// The user a live token belongs to; marks it used.
pub async fn user_by_token(store: &Store, token_hash: &str, now_ms: i64) -> Result<Option<User>> {
    let r = q("SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL", [token_hash.into()]).fetch_optional(&store.pool).await?;
    let Some(r) = r else { return Ok(None) };
    // at most one write a minute per token: an integration polling the API must not turn
    // every read into a synchronous disk write
    q(
        "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        [now_ms.into(), token_hash.into(), (now_ms - 60_000).into()],
    )
    .execute(&store.pool)
    .await?;
    Ok(Some(by_id(store, r.i("user_id")).await?))
}

pub async fn revoke_token(store: &Store, user_id: Id, token_id: Id, change: &Change) -> Result<()> {
    let u = by_id(store, user_id).await?;
    let mut tx = store.pool.begin().await?;
    let n = q(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        [change.now_ms.into(), token_id.into(), user_id.into()],
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::not_found());
    }
    append(&mut tx, u.tenant_id.unwrap_or(0), change, "revoke", "api_token", Some(token_id), None, None).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- server secrets

/// A secret shared by every server of this database (64 hex digits), made at first use. Two
/// servers asking at once get the same one: the first insert wins, both read it back.
pub async fn server_secret(store: &Store, name: &str, now_ms: i64) -> Result<String> {
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|e| crate::StoreError::Config(format!("random: {e}")))?;
    q(
        "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        [name.into(), lianxin_domain::audit::hex(&raw).into(), now_ms.into()],
    )
    .execute(&store.pool)
    .await?;
    Ok(q("SELECT value FROM server_secrets WHERE name = $1", [name.into()]).fetch_one(&store.pool).await?.s("value"))
}
