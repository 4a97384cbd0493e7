//! Attached files on any page that has them (proposals, activities, requests): the list, the
//! upload form, reading an upload, and sending a file back as a download.

use crate::auth::Viewer;
use crate::error::{WebError, WebResult};
use crate::i18n::t as tx;
use crate::view::{fmt_ms, Cell, Field, Form, Panel, Table};
use axum::response::{IntoResponse, Response};
use lianxin_domain::Lang;
use lianxin_store::files::Attachment;

/// The "attachments" panel: the files (each a link under `base`, as `{base}/{id}`) and, when
/// `can_add`, a form that posts to `base`.
pub fn panel(lang: Lang, csrf: &str, files: &[Attachment], base: &str, can_add: bool) -> Panel {
    let mut fp = Panel::titled(lang.pick("附件", "Attachments"));
    fp.table = Some(Table {
        headers: vec![lang.pick("文件", "File").into(), lang.pick("大小", "Size").into(), tx(lang, "actor").into(), tx(lang, "time").into()],
        rows: files
            .iter()
            .map(|f| {
                vec![
                    Cell::link(&f.filename, format!("{base}/{}", f.id)),
                    Cell::text(format!("{:.1} KB", f.size as f64 / 1024.0)),
                    Cell::text(&f.uploaded_by),
                    Cell::text(fmt_ms(f.created_at)),
                ]
            })
            .collect(),
        empty: tx(lang, "none").into(),
    });
    if can_add {
        let mut f = Form::post(
            base,
            csrf,
            tx(lang, "upload"),
            vec![Field::new("file", "file", tx(lang, "file"), "")
                .required()
                .hint(lang.pick("照片(JPG、PNG)、PDF、Word、Excel 或文本,不超过 5 MB", "Photo (JPG, PNG), PDF, Word, Excel or text, 5 MB at most"))],
        );
        f.multipart = true;
        fp.form = Some(f);
    }
    fp
}

/// Reads a multipart upload: the file's name and bytes; the form's CSRF token is checked.
pub async fn read_upload(v: &Viewer, mut mp: axum::extract::Multipart) -> WebResult<(String, Vec<u8>)> {
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut csrf = String::new();
    while let Some(field) = mp.next_field().await.map_err(|e| WebError::BadRequest(e.to_string()))? {
        match field.name().unwrap_or("") {
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| WebError::BadRequest(v.lang.pick("文件过大或上传中断", "the file is too large or the upload broke off").into()))?;
                file = Some((name, bytes.to_vec()));
            }
            "_csrf" => csrf = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    v.check_csrf(&csrf)?;
    Ok(file.unwrap_or_default())
}

/// Sends a file as a download; never shown inline, so an uploaded page cannot run in
/// Lianxin's origin.
pub fn download((name, content_type, data): (String, String, Vec<u8>)) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (axum::http::header::CONTENT_DISPOSITION, crate::view::content_disposition(&name)),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        data,
    )
        .into_response()
}
