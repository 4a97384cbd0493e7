//! Excel in: the import template, and the upload that imports a whole roster or nothing.

use super::page;
use crate::auth::Viewer;
use crate::error::{WebError, WebResult};
use crate::i18n::t as tx;
use crate::view::{content_disposition, Cell, Ctx, Field, Form, Link, Page, Panel, Table};
use crate::AppState;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use lianxin_domain::access::Permission;
use lianxin_store::import::{self, ImportError, InSheet, SHEETS};
use lianxin_store::{congress, orgs};

fn import_page(state_bodies: &[congress::Body], v: &Viewer, result: Option<Panel>, status: StatusCode) -> Response {
    let lang = v.lang;
    let mut p = Page::new(Ctx::new(v, "/import", "import"), tx(lang, "import"));
    p.actions.push(Link::new("/import/template.xlsx", tx(lang, "template")));
    if let Some(r) = result {
        p.panels.push(r);
    }
    let mut opts = vec![(String::new(), "—".to_string())];
    opts.extend(state_bodies.iter().map(|b| (b.id.to_string(), b.name.clone())));
    let mut f = Form::post(
        "/import",
        &v.csrf,
        tx(lang, "upload"),
        vec![
            Field::new("file", "file", tx(lang, "file"), "").required().hint(".xlsx / .csv"),
            Field::select("body_id", tx(lang, "bodies"), "", opts)
                .hint(lang.pick("导入代表、代表小组、代表联系时必选", "needed for delegates, groups and delegate links")),
            Field::select(
                "sheet",
                lang.pick("CSV 文件的内容", "What a CSV file holds"),
                "人员",
                SHEETS.iter().map(|s| (s.0.to_string(), s.0.to_string())).collect(),
            ),
        ],
    );
    f.multipart = true;
    p.panels.push(Panel { note: tx(lang, "import_help").into(), form: Some(f), ..Default::default() });
    p.render_status(status)
}

async fn bodies_for(state: &AppState, v: &Viewer) -> WebResult<Vec<congress::Body>> {
    let a = v.require_somewhere(Permission::Import)?;
    Ok(congress::bodies(&state.store, &a.scopes_for(Permission::EditDelegates)).await?)
}

pub async fn import_form(State(state): State<AppState>, v: Viewer) -> Response {
    let r = async {
        let bodies = bodies_for(&state, &v).await?;
        Ok(import_page(&bodies, &v, None, StatusCode::OK))
    }
    .await;
    page(&v, r)
}

/// The template: one sheet per kind with its columns and an example row, plus help.
pub async fn template(v: Viewer) -> Response {
    let r = async {
        v.require_somewhere(Permission::Import)?;
        let examples: [&[&str]; 5] = [
            &["CJ-XMQ", "下楣桥村党支部", "", "党支部", "农村"],
            &["李桂英", "女", "1975-06-03", "汉族", "高中/中专", "农民", "13907351234", "下楣桥村李家组12号", "正式党员", "2001-07-01", "", "CJ-XMQ"],
            &["2", "第一代表小组"],
            &["", "李桂英", "CJ-XMQ", "2", "农民", "第一选区", "第一代表小组", "选举产生", "2022-03-15"],
            &["党员联系群众", "", "", "李桂英", "CJ-XMQ", "", "王大山", "CJ-XMQ", "2022-06-01"],
        ];
        let sheets: Vec<crate::excel::SheetData> = SHEETS
            .iter()
            .zip(examples.iter())
            .map(|((name, _, cols), ex)| {
                (name.to_string(), cols.iter().map(|c| c.0.to_string()).collect(), vec![ex.iter().map(|s| s.to_string()).collect()])
            })
            .chain(std::iter::once((
                "说明".to_string(),
                vec!["说明 / Notes".to_string()],
                vec![
                    vec!["每个工作表的第一行是列名,请勿修改;示例行可删除。".to_string()],
                    vec!["组织代码用于识别组织,再次导入同一文件会更新而不会重复。上级组织须在前面的行或系统中;留空表示您管辖的根组织。".to_string()],
                    vec!["人员以身份证号识别;没有身份证号时以“姓名+出生日期+所属组织”识别。".to_string()],
                    vec!["代表、代表小组、代表联系须在上传时选择代表大会;届次填数字,如 2。".to_string()],
                    vec!["任何一行有错时整个文件不导入,并列出每个错误的工作表、行号和原因。".to_string()],
                ],
            )))
            .collect();
        let bytes = crate::excel::write_sheets(&sheets).map_err(WebError::Internal)?;
        Ok((
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
                (header::CONTENT_DISPOSITION, content_disposition("连心导入模板.xlsx")),
            ],
            bytes,
        )
            .into_response())
    }
    .await;
    page(&v, r)
}

pub async fn import(State(state): State<AppState>, v: Viewer, mut mp: Multipart) -> Response {
    let r = async {
        let a = v.require_somewhere(Permission::Import)?.clone();
        let lang = v.lang;
        let mut file: Option<(String, Vec<u8>)> = None;
        let (mut body_id, mut csrf, mut sheet_kind) = (None, String::new(), "人员".to_string());
        while let Some(field) = mp.next_field().await.map_err(|e| WebError::BadRequest(e.to_string()))? {
            let name = field.name().unwrap_or("").to_string();
            match name.as_str() {
                "file" => {
                    let fname = field.file_name().unwrap_or("").to_string();
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|_| WebError::BadRequest(lang.pick("文件过大或上传中断", "the file is too large or the upload broke off").into()))?;
                    file = Some((fname, bytes.to_vec()));
                }
                "body_id" => body_id = field.text().await.ok().and_then(|s| s.trim().parse::<i64>().ok()),
                "_csrf" => csrf = field.text().await.unwrap_or_default(),
                "sheet" => sheet_kind = field.text().await.unwrap_or_default(),
                _ => {}
            }
        }
        v.check_csrf(&csrf)?;
        let bodies = bodies_for(&state, &v).await?;
        let Some((fname, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
            return Err(WebError::Invalid(vec![lianxin_domain::FieldError::new(
                "file",
                "required",
                "请选择要上传的文件",
                "choose a file to upload",
            )]));
        };
        let sheets: Vec<InSheet> = if fname.to_lowercase().ends_with(".csv") {
            let s = crate::excel::read_csv(&bytes, &sheet_kind).map_err(WebError::BadRequest)?;
            vec![InSheet { name: s.name, rows: s.rows }]
        } else {
            crate::excel::read_xlsx(&bytes).map_err(WebError::BadRequest)?.into_iter().map(|s| InSheet { name: s.name, rows: s.rows }).collect()
        };
        let body = match body_id {
            Some(id) => {
                let b = congress::body(&state.store, id).await?;
                v.require(Permission::EditDelegates, &b.org_path)?;
                Some(b)
            }
            None => None,
        };
        // the import lands in the importer's scope: the body's organisation, or their home tree
        let root = match &body {
            Some(b) => orgs::get(&state.store, b.org_id).await?,
            None => super::home_org(&state, &a, Permission::Import).await?,
        };
        v.require(Permission::Import, &root.path)?;
        let change = v.change(&state)?;
        match import::run(&state.store, &root, body.as_ref(), &sheets, &change, &|_, _| {}).await {
            Ok(rep) => {
                let table = Table {
                    headers: vec![tx(lang, "sheet").into(), tx(lang, "created").into(), tx(lang, "updated").into()],
                    rows: rep.counts.iter().map(|(s, c, u)| vec![Cell::text(s), Cell::text(c.to_string()), Cell::text(u.to_string())]).collect(),
                    empty: tx(lang, "none").into(),
                };
                Ok(import_page(
                    &bodies,
                    &v,
                    Some(Panel { title: tx(lang, "import_done").into(), table: Some(table), ..Default::default() }),
                    StatusCode::OK,
                ))
            }
            Err(ImportError::Rows(errs)) => {
                let table = Table {
                    headers: vec![tx(lang, "sheet").into(), tx(lang, "row").into(), tx(lang, "reason").into()],
                    rows: errs
                        .iter()
                        .map(|e| vec![Cell::text(&e.sheet), Cell::text(e.row.to_string()), Cell::text(lang.pick(&e.zh, &e.en))])
                        .collect(),
                    empty: String::new(),
                };
                Ok(import_page(
                    &bodies,
                    &v,
                    Some(Panel { title: tx(lang, "import_failed").into(), table: Some(table), ..Default::default() }),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ))
            }
            Err(ImportError::Store(e)) => Err(e.into()),
        }
    }
    .await;
    page(&v, r)
}
