//! 消息 / Notices: what happened to the viewer's proposals (and, for a handling unit, what
//! was assigned to it). Opening one marks it read and goes to what it is about.

use super::account::CsrfOnly;
use super::{page, see_other};
use crate::auth::Viewer;
use crate::error::WebError;
use crate::i18n::t as tx;
use crate::view::{fmt_ms, Cell, Ctx, Form, Page, Pager, Panel, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form as FormData;
use lianxin_domain::notice::wording;
use lianxin_store::{notices, PageReq};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    page: Option<i64>,
}

/// A notice as one line, in the reader's language.
pub(crate) fn line(n: &notices::Notice, lang: lianxin_domain::Lang) -> String {
    match n.kind() {
        Some(k) => wording(k, &n.subject, lang),
        None => n.subject.clone(),
    }
}

pub(crate) fn table(v: &Viewer, items: &[notices::Notice]) -> Table {
    let lang = v.lang;
    Table {
        headers: vec![tx(lang, "notice").into(), tx(lang, "time").into(), tx(lang, "status").into()],
        rows: items
            .iter()
            .map(|n| {
                vec![
                    Cell::link(line(n, lang), format!("/notices/{}", n.id)),
                    Cell::text(fmt_ms(n.created_at)),
                    Cell::text(if n.read_at.is_some() { tx(lang, "read") } else { tx(lang, "unread") }),
                ]
            })
            .collect(),
        empty: tx(lang, "no_notices").into(),
    }
}

pub async fn list(State(state): State<AppState>, v: Viewer, Query(q): Query<ListQuery>) -> Response {
    let r = async {
        let a = v.user()?;
        let lang = v.lang;
        let result = notices::list(&state.store, a, PageReq::new(q.page, Some(30))).await?;
        let mut p = Page::new(Ctx::new(&v, "/notices", "notices"), tx(lang, "notices"));
        let mut panel = Panel::default();
        panel.table = Some(table(&v, &result.items));
        panel.pager = Some(Pager::new(lang, &result, "/notices"));
        if v.unread > 0 {
            panel.form = Some(Form::post("/notices/read", &v.csrf, tx(lang, "mark_all_read"), vec![]));
        }
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

pub async fn open(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let a = v.user()?;
        // someone else's notice is as good as missing
        let n = notices::open(&state.store, a, id, state.now_ms()).await?.ok_or(WebError::NotFound)?;
        // only a path inside Lianxin is followed
        let to = if n.link.starts_with('/') && !n.link.starts_with("//") { n.link } else { "/notices".to_string() };
        Ok(see_other(&to))
    }
    .await;
    page(&v, r)
}

pub async fn read_all(State(state): State<AppState>, v: Viewer, FormData(f): FormData<CsrfOnly>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        notices::read_all(&state.store, v.user()?, state.now_ms()).await?;
        Ok(see_other("/notices"))
    }
    .await;
    page(&v, r)
}
