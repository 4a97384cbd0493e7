//! Attached files (scans, photos, documents) of proposals, activities and requests, kept in the
//! database with everything else: one backup, one transaction. A file is judged by its name
//! *and* its first bytes, so a renamed file is refused.

use crate::db::{q, RowExt, V};
use crate::ids::new_id;
use crate::{Change, Result, StoreError};
use lianxin_domain::{FieldError, Id};
use serde::Serialize;

/// The largest file accepted (a scanned page, a phone photo or a short report).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// What a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Proposal,
    Activity,
    Request,
    AgendaItem,
}

impl Owner {
    pub fn code(self) -> &'static str {
        match self {
            Owner::Proposal => "proposal",
            Owner::Activity => "activity",
            Owner::Request => "request",
            Owner::AgendaItem => "agenda_item",
        }
    }
}

/// What a file is, by its name and its first bytes.
pub fn content_type(filename: &str, bytes: &[u8]) -> Option<&'static str> {
    let ext = filename.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    let starts = |m: &[u8]| bytes.starts_with(m);
    match ext.as_str() {
        "pdf" if starts(b"%PDF-") => Some("application/pdf"),
        "png" if starts(b"\x89PNG\r\n\x1a\n") => Some("image/png"),
        "jpg" | "jpeg" if starts(b"\xff\xd8\xff") => Some("image/jpeg"),
        "docx" if starts(b"PK\x03\x04") => Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "xlsx" if starts(b"PK\x03\x04") => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "txt" if std::str::from_utf8(bytes).is_ok() => Some("text/plain; charset=utf-8"),
        _ => None,
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Attachment {
    pub id: Id,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub created_at: i64,
}

/// A checked file: its clean name and type.
pub struct Checked {
    pub name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Checks an upload: a name, some bytes, at most 5 MB, a known type whose content matches.
pub fn check(filename: &str, bytes: Vec<u8>) -> Result<Checked> {
    let name: String = filename.rsplit(['/', '\\']).next().unwrap_or("").chars().filter(|c| !c.is_control()).take(120).collect();
    if name.trim().is_empty() || bytes.is_empty() {
        return Err(StoreError::invalid(FieldError::new("file", "required", "请选择要上传的文件", "choose a file to upload")));
    }
    if bytes.len() > MAX_BYTES {
        return Err(StoreError::invalid(FieldError::new("file", "too_large", "附件不能超过 5 MB", "an attachment may be at most 5 MB")));
    }
    let Some(ct) = content_type(&name, &bytes) else {
        return Err(StoreError::invalid(FieldError::new(
            "file",
            "bad_type",
            "只接受 PDF、Word(.docx)、Excel(.xlsx)、JPG、PNG 或 UTF-8 文本文件,且内容须与扩展名相符",
            "only PDF, .docx, .xlsx, JPG, PNG or UTF-8 text files whose content matches the name",
        )));
    };
    Ok(Checked { name, content_type: ct, bytes })
}

/// Stores a checked file in the caller's transaction (which also records why).
pub async fn insert(conn: &mut sqlx::AnyConnection, tenant: Id, owner: Owner, owner_id: Id, f: Checked, change: &Change) -> Result<Attachment> {
    let id = new_id(change.now_ms);
    let size = f.bytes.len() as i64;
    q(
        "INSERT INTO attachments (tenant_id, id, owner, owner_id, filename, content_type, size, data, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        [
            tenant.into(),
            id.into(),
            owner.code().into(),
            owner_id.into(),
            f.name.as_str().into(),
            f.content_type.into(),
            size.into(),
            V::B(f.bytes),
            change.actor_name.as_str().into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *conn)
    .await?;
    Ok(Attachment {
        id,
        filename: f.name,
        content_type: f.content_type.into(),
        size,
        uploaded_by: change.actor_name.clone(),
        created_at: change.now_ms,
    })
}

/// The files of one owner, oldest first (without their bytes).
pub async fn list(pool: &sqlx::AnyPool, tenant: Id, owner: Owner, owner_id: Id) -> Result<Vec<Attachment>> {
    let rows = q(
        "SELECT id, filename, content_type, size, uploaded_by, created_at FROM attachments WHERE tenant_id = $1 AND owner = $2 AND owner_id = $3 ORDER BY created_at, id",
        [tenant.into(), owner.code().into(), owner_id.into()],
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Attachment {
            id: r.i("id"),
            filename: r.s("filename"),
            content_type: r.s("content_type"),
            size: r.i("size"),
            uploaded_by: r.s("uploaded_by"),
            created_at: r.i("created_at"),
        })
        .collect())
}

/// One file's name, type and bytes, if it belongs to that owner.
pub async fn data(pool: &sqlx::AnyPool, tenant: Id, owner: Owner, owner_id: Id, id: Id) -> Result<(String, String, Vec<u8>)> {
    use sqlx::Row;
    let r = q(
        "SELECT filename, content_type, data FROM attachments WHERE tenant_id = $1 AND owner = $2 AND owner_id = $3 AND id = $4",
        [tenant.into(), owner.code().into(), owner_id.into(), id.into()],
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(StoreError::not_found)?;
    let bytes: Vec<u8> = r.try_get("data").map_err(StoreError::from)?;
    Ok((r.s("filename"), r.s("content_type"), bytes))
}
