//! Contact cards (联系卡, seed 000): a print-ready sheet of bank-card-sized cards, one per
//! active delegate of a term (or of one group), each with the delegate's name, unit, group,
//! phone and a QR code of their public page, where a resident leaves a request without an
//! account. The QR code is drawn here as SVG (no image files, no fonts to embed).

use super::congress::pick_term;
use super::page;
use crate::auth::Viewer;
use crate::error::{WebError, WebResult};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use lianxin_domain::access::Permission;
use lianxin_store::{congress, PageReq};
use serde::Deserialize;

pub struct Card {
    pub name: String,
    pub org: String,
    pub group: String,
    pub phone: String,
    /// Where and when they receive residents ("郴江镇党代表工作室 每月4、14、24日 9:00–12:00").
    pub reception: String,
    /// Drawn by the QR encoder from the page's address: no user text inside.
    pub qr_svg: String,
}

#[derive(Template)]
#[template(path = "cards.html")]
pub struct CardsPage {
    pub lang: &'static str,
    pub title: String,
    pub heading: String,
    pub body_name: String,
    pub back: String,
    pub back_label: &'static str,
    pub print_label: &'static str,
    pub count_label: String,
    pub unit_label: &'static str,
    pub group_label: &'static str,
    pub phone_label: &'static str,
    pub reception_label: &'static str,
    pub scan_label: &'static str,
    pub cards: Vec<Card>,
}

/// The QR code of `url` as an SVG element, sized by the page's CSS.
pub fn qr_svg(url: &str) -> WebResult<String> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).map_err(|e| WebError::Internal(format!("QR: {e}")))?;
    let svg = code.render::<qrcode::render::svg::Color>().quiet_zone(true).build();
    // the encoder writes an XML declaration, which does not belong inside HTML
    Ok(svg.split_once("?>").map(|(_, rest)| rest.to_string()).unwrap_or(svg))
}

/// The address residents reach this server by: the Host the office used to open the page.
pub(crate) fn origin(headers: &HeaderMap, secure: bool) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("127.0.0.1");
    format!("{}://{host}", if secure { "https" } else { "http" })
}

#[derive(Deserialize, Default)]
pub struct CardsQuery {
    term: Option<i64>,
    group: Option<i64>,
}

pub async fn sheet(State(state): State<AppState>, v: Viewer, headers: HeaderMap, Path(id): Path<i64>, Query(q): Query<CardsQuery>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        v.require(Permission::EditDelegates, &body.org_path)?;
        let lang = v.lang;
        let term = pick_term(&state, &body, q.term).await?;
        let f = congress::DelegateFilter { group_id: q.group, status: Some("active".into()), ..Default::default() };
        let delegates = congress::delegates(&state.store, &term, &[None], &f, PageReq::all()).await?;
        let base = origin(&headers, state.config.secure_cookies);
        // a delegate's studio is the one whose rota names them, else the congress's first
        let studios = lianxin_store::reception::studios(&state.store, &body).await?;
        let reception_of = |did: i64| {
            studios
                .iter()
                .find(|s| s.rota.iter().any(|r| r.0 == did))
                .or(studios.first())
                .map(|s| format!("{} {} {}", s.name, lianxin_domain::reception::describe_days(&s.days, lang), s.hours).trim().to_string())
                .unwrap_or_default()
        };
        let mut cards = Vec::with_capacity(delegates.items.len());
        for d in &delegates.items {
            cards.push(Card {
                name: d.name.clone(),
                org: d.org_name.clone(),
                group: d.group_name.clone().unwrap_or_default(),
                phone: d.phone.clone().unwrap_or_default(),
                reception: reception_of(d.id),
                qr_svg: qr_svg(&format!("{base}/public/delegates/{}", d.id))?,
            });
        }
        let page_ = CardsPage {
            lang: lang.code(),
            title: format!("{} · {}", body.name, lang.pick("党代表联系卡", "Contact cards")),
            heading: lang.pick("党代表联系卡", "Delegate contact card").into(),
            body_name: body.name.clone(),
            back: format!("/bodies/{id}?term={}", term.id),
            back_label: lang.pick("返回", "Back"),
            print_label: lang.pick("打印", "Print"),
            count_label: format!("{} {}", cards.len(), lang.pick("张", "cards")),
            unit_label: lang.pick("单位", "Unit"),
            group_label: lang.pick("代表小组", "Group"),
            phone_label: lang.pick("电话", "Phone"),
            reception_label: lang.pick("接待", "Receives"),
            scan_label: lang.pick("扫码反映诉求", "Scan to leave a request"),
            cards,
        };
        Ok(Html(page_.render().map_err(WebError::from)?).into_response())
    }
    .await;
    page(&v, r)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_qr_code_is_an_svg_that_depends_on_the_address() {
        let a = super::qr_svg("http://127.0.0.1:8080/public/delegates/1").unwrap();
        let b = super::qr_svg("http://127.0.0.1:8080/public/delegates/2").unwrap();
        assert!(a.starts_with("<svg") && a.contains("<path") && a.ends_with("</svg>"));
        assert_ne!(a, b);
    }
}
