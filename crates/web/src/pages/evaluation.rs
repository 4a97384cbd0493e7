//! Residents' evaluation of delegates on the web: the office opens the year's round and
//! prints one-time slips for each delegate (codes with QR codes); a member or resident opens
//! the slip's link, without an account, and rates the delegate once; the office sees each
//! delegate's tally. Ratings are anonymous (see `lianxin_store::evaluations`).

use super::cards::qr_svg;
use super::congress::pick_term;
use super::{page, see_other};
use crate::auth::Viewer;
use crate::error::WebError;
use crate::i18n::t as tx;
use crate::view::{options, Cell, Ctx, Field, Form, Link, Page, Panel, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use axum::Form as FormData;
use lianxin_domain::access::Permission;
use lianxin_domain::error::fmt_date;
use lianxin_domain::evaluation::{check, normalise_slip, Rating};
use lianxin_store::{congress, evaluations, PageReq};
use serde::Deserialize;

/// Tries per address per ten minutes on the public slip pages.
const SLIP_TRIES_PER_IP: u32 = 30;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i64>,
}

pub async fn board(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<YearQuery>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        v.require(Permission::ViewReports, &body.org_path)?;
        let edit = v.user()?.can(Permission::EditDelegates, &body.org_path);
        let lang = v.lang;
        let year = q.year.unwrap_or(i64::from(state.today().year()));
        let mut p = Page::new(
            Ctx::new(&v, &format!("/bodies/{id}/evaluation"), "bodies"),
            format!("{} · {} {year}", body.name, lang.pick("群众评议代表", "Residents' evaluation")),
        );
        p.crumbs.push(Link::new(format!("/bodies/{id}/duty"), lang.pick("履职情况", "Duty board")));
        let Some(round) = evaluations::round(&state.store, &body, year).await? else {
            let mut panel = Panel::default();
            panel.note = lang.pick("本年度的评议还没有开启。", "This year's evaluation has not been opened.").into();
            if edit {
                panel.form = Some(Form::post(
                    format!("/bodies/{id}/evaluation"),
                    &v.csrf,
                    lang.pick("开启评议", "Open the evaluation"),
                    vec![
                        Field::new("hidden", "year", "", year.to_string()),
                        Field::new("date", "closes_on", lang.pick("截止日期", "Closes on"), format!("{year}-12-31")).required(),
                    ],
                ));
            }
            p.panels.push(panel);
            return Ok(p.render());
        };
        let term = congress::term(&state.store, round.term_id).await?;
        let tallies = evaluations::results(&state.store, &round).await?;
        let delegates = congress::delegates(
            &state.store,
            &term,
            &[None],
            &congress::DelegateFilter { status: Some("active".into()), ..Default::default() },
            PageReq::all(),
        )
        .await?;
        let mut head = Panel::default();
        head.note = format!("{}{}", lang.pick("评议截止日期:", "Closes on: "), round.closes_on);
        p.panels.push(head);
        let mut list = Panel::default();
        let mut headers = vec![
            tx(lang, "name").into(),
            lang.pick("已发评议票", "Slips").into(),
            lang.pick("已评议", "Responses").into(),
            lang.pick("参评率", "Response rate").into(),
            lang.pick("满意率", "Satisfied").into(),
        ];
        if edit {
            headers.push(lang.pick("发评议票", "Issue slips").into());
        }
        list.table = Some(Table {
            headers,
            rows: delegates
                .items
                .iter()
                .map(|d| {
                    let t = tallies.get(&d.id).cloned().unwrap_or_default();
                    let mut row = vec![
                        Cell::link(&d.name, format!("/delegates/{}/duty", d.id)),
                        Cell::text(t.slips.to_string()),
                        Cell::text(t.responses().to_string()),
                        Cell::text(t.response_rate().percent()),
                        Cell::text(t.satisfaction().percent()),
                    ];
                    if edit {
                        row.push(Cell::action(
                            lang.pick("发10张", "Issue 10"),
                            format!("/bodies/{id}/evaluation/slips?year={year}&delegate={}&n=10", d.id),
                        ));
                    }
                    row
                })
                .collect(),
            empty: tx(lang, "none").into(),
        });
        p.panels.push(list);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct OpenForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    year: i64,
    #[serde(default)]
    closes_on: String,
}

pub async fn open(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<OpenForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let body = congress::body(&state.store, id).await?;
        v.require(Permission::EditDelegates, &body.org_path)?;
        let term = pick_term(&state, &body, None).await?;
        evaluations::open(&state.store, &body, &term, f.year, f.closes_on.trim(), &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{id}/evaluation?year={}", f.year)))
    }
    .await;
    page(&v, r)
}

#[derive(askama::Template)]
#[template(path = "slips.html")]
pub struct SlipsPage {
    pub lang: &'static str,
    pub title: String,
    pub back: String,
    pub back_label: &'static str,
    pub print_label: &'static str,
    pub once_label: &'static str,
    pub heading: &'static str,
    pub delegate_label: &'static str,
    pub delegate: String,
    pub hint: &'static str,
    /// (code, QR code SVG drawn by the encoder)
    pub slips: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct SlipsQuery {
    year: i64,
    delegate: i64,
    n: i64,
}

#[derive(Deserialize, Default)]
pub struct CsrfField {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// Issues slips and shows them once, ready to print: each code with the QR code of its link.
pub async fn slips(
    State(state): State<AppState>,
    v: Viewer,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<SlipsQuery>,
    FormData(f): FormData<CsrfField>,
) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let body = congress::body(&state.store, id).await?;
        v.require(Permission::EditDelegates, &body.org_path)?;
        let lang = v.lang;
        let round = evaluations::round(&state.store, &body, q.year).await?.ok_or(WebError::NotFound)?;
        let d = congress::delegate(&state.store, q.delegate).await?;
        let codes = evaluations::issue_slips(&state.store, &round, d.id, q.n, &v.change(&state)?).await?;
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
            .unwrap_or("127.0.0.1");
        let base = format!("{}://{host}", if state.config.secure_cookies { "https" } else { "http" });
        let mut slips = Vec::with_capacity(codes.len());
        for c in codes {
            let svg = qr_svg(&format!("{base}/public/evaluate?c={c}"))?;
            slips.push((c, svg));
        }
        let sheet = SlipsPage {
            lang: lang.code(),
            title: format!("{} · {}", d.name, lang.pick("评议票", "Evaluation slips")),
            back: format!("/bodies/{id}/evaluation?year={}", q.year),
            back_label: lang.pick("返回", "Back"),
            print_label: lang.pick("打印", "Print"),
            once_label: lang.pick("评议码只显示这一次,请打印后分发。", "The codes are shown this once: print and hand them out."),
            heading: lang.pick("党代表履职群众评议票", "Delegate evaluation slip"),
            delegate_label: lang.pick("被评议代表", "Delegate"),
            delegate: d.name.clone(),
            hint: lang.pick("扫码或输入评议码,匿名评议,每票一次", "Scan or type the code; anonymous; once per slip"),
            slips,
        };
        let html = askama::Template::render(&sheet).map_err(WebError::from)?;
        Ok(Html(html).into_response())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct SlipQuery {
    c: Option<String>,
}

/// The public slip page: whom it is for, and the rating form.
pub async fn public_form(State(state): State<AppState>, v: Viewer, Query(q): Query<SlipQuery>) -> Response {
    let r = async {
        let lang = v.lang;
        let mut p = Page::new(Ctx::new(&v, "/public/evaluate", ""), lang.pick("群众评议代表", "Rate your delegate"));
        let typed = q.c.clone().unwrap_or_default();
        if typed.trim().is_empty() {
            let mut look = Panel::default();
            look.form = Some(Form::filter(
                "/public/evaluate",
                lang.pick("下一步", "Next"),
                vec![Field::new("text", "c", lang.pick("评议码", "Slip code"), "")],
            ));
            p.panels.push(look);
            return Ok(p.render());
        }
        if !state.throttle.allow(&format!("slip:{}", v.client), state.now_ms(), SLIP_TRIES_PER_IP) {
            return Err(WebError::TooMany);
        }
        let code = normalise_slip(&typed).ok_or(WebError::NotFound)?;
        let (_, name) = evaluations::slip(&state.store, &code, &fmt_date(state.today())).await?.ok_or(WebError::NotFound)?;
        let mut panel = Panel::titled(format!("{}{name}", lang.pick("评议代表:", "Delegate: ")));
        panel.note = lang
            .pick("评议是匿名的:系统不记录是谁、何时评议。每张评议票只能用一次。", "Anonymous: who rated and when is not kept. Each slip works once.")
            .into();
        panel.form = Some(Form::post(
            "/public/evaluate",
            "",
            lang.pick("提交评议", "Send"),
            vec![
                Field::new("hidden", "c", "", code),
                Field::select("rating", lang.pick("评议", "Rating"), "good", options::<Rating>(lang, None)),
                Field::new("textarea", "comment", lang.pick("意见建议(可不填)", "Comment (optional)"), ""),
            ],
        ));
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct RateForm {
    #[serde(default)]
    c: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

pub async fn public_rate(State(state): State<AppState>, v: Viewer, FormData(f): FormData<RateForm>) -> Response {
    let r = async {
        if !state.throttle.allow(&format!("slip:{}", v.client), state.now_ms(), SLIP_TRIES_PER_IP) {
            return Err(WebError::TooMany);
        }
        let code = normalise_slip(&f.c).ok_or(WebError::NotFound)?;
        let (rating, comment) = check(&f.rating, &f.comment).map_err(WebError::from)?;
        evaluations::rate(&state.store, &code, rating, comment.as_deref(), &fmt_date(state.today())).await?;
        let lang = v.lang;
        let mut p = Page::new(Ctx::new(&v, "/public/evaluate", ""), lang.pick("谢谢您的评议", "Thank you"));
        p.panels.push(Panel { note: lang.pick("您的评议已收到。", "Your rating has been received.").into(), ..Default::default() });
        Ok(p.render())
    }
    .await;
    page(&v, r)
}
