//! Hotspots and research topics (issue 4, items 9 and 11). The office sees requests about the
//! same problem grouped (by words, category and place, over a span of days) and turns a group,
//! or a single recurring request, into a research topic; delegates see the open topics and
//! record the research, which closes the topic and links the activity to its requests.

use super::requests::parts;
use super::{page, see_other};
use crate::auth::Viewer;
use crate::error::WebError;
use crate::i18n::{label, t as tx};
use crate::view::{fmt_ms, Cell, Ctx, Field, Form, Link, Page, Pager, Panel, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form as FormData;
use lianxin_domain::hotspot::Settings;
use lianxin_domain::proposal::{date_of_day, day_number};
use lianxin_domain::request::RequestCategory;
use lianxin_store::{congress, requests, topics, PageReq};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct HotspotQuery {
    days: Option<i64>,
    /// Overlap in percent above which two requests are alike.
    similarity: Option<u32>,
    min_size: Option<usize>,
}

/// The hotspots of the last `days` days (90 by default), each with a form to make it a topic.
pub async fn hotspots(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<HotspotQuery>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        if !parts(&state, &v, &body).await?.office {
            return Err(WebError::Forbidden);
        }
        let lang = v.lang;
        let days = q.days.unwrap_or(90).clamp(7, 366);
        let defaults = Settings::default();
        let settings = Settings {
            min_similarity_pct: q.similarity.unwrap_or(defaults.min_similarity_pct).clamp(10, 90),
            min_size: q.min_size.unwrap_or(defaults.min_size).clamp(2, 50),
            ..defaults
        };
        let today = day_number(state.today());
        let found = requests::hotspots(&state.store, &body, today - days + 1, today, &settings).await?;
        let mut p = Page::new(Ctx::new(&v, &format!("/bodies/{id}/requests/hotspots"), "bodies"), format!("{} · {}", body.name, lang.pick("热点难点", "Hotspots")));
        p.crumbs.push(Link::new(format!("/bodies/{id}/requests"), lang.pick("群众诉求", "Citizen requests")));
        p.actions.push(Link::new(format!("/bodies/{id}/topics"), lang.pick("调研课题", "Research topics")));
        let mut head = Panel::default();
        head.note = lang
            .pick(
                &format!("同一类别、用词相近(同一地点时要求更低)的诉求归为一组;{} 件及以上成为热点。最多分析最近 {} 件。", settings.min_size, requests::HOTSPOT_WINDOW),
                &format!(
                    "Requests of one category in similar words (less alike at the same place) form a group; {} or more make a hotspot. At most the newest {} are read.",
                    settings.min_size,
                    requests::HOTSPOT_WINDOW
                ),
            )
            .to_string();
        head.form = Some(Form::filter(
            format!("/bodies/{id}/requests/hotspots"),
            tx(lang, "search"),
            vec![
                Field::new("number", "days", lang.pick("最近天数", "Last days"), days.to_string()),
                Field::new("number", "similarity", lang.pick("相似度(%)", "Similarity (%)"), settings.min_similarity_pct.to_string()),
                Field::new("number", "min_size", lang.pick("最少件数", "Fewest requests"), settings.min_size.to_string()),
            ],
        ));
        if found.is_empty() {
            head.errors.push(lang.pick("这段时间没有成组的诉求。", "No group of alike requests in this span.").into());
        }
        p.panels.push(head);
        let date = |d: i64| lianxin_domain::error::fmt_date(date_of_day(d));
        for h in found.iter().take(50) {
            let hs = &h.hotspot;
            let words = hs.top_terms.join("、");
            let mut panel = Panel::titled(format!("{} · {} · {} {}", label::<RequestCategory>(lang, &hs.category), words, hs.ids.len(), lang.pick("件", "requests")));
            panel.facts = vec![
                (lang.pick("时间", "When").into(), format!("{} — {}", date(hs.first_day), date(hs.last_day))),
                (
                    lang.pick("地点", "Places").into(),
                    hs.places.iter().take(5).map(|(pl, n)| format!("{pl}({n})")).collect::<Vec<_>>().join(" "),
                ),
            ];
            panel.links = hs.ids.iter().zip(&h.codes).take(30).map(|(rid, code)| Link::new(format!("/requests/{rid}"), code)).collect();
            let title = format!("{}:{}", label::<RequestCategory>(lang, &hs.category), words);
            let mut f = Form::post(
                format!("/bodies/{id}/topics"),
                &v.csrf,
                lang.pick("立为调研课题", "Make it a research topic"),
                vec![
                    Field::new("text", "title", lang.pick("课题名称", "Topic"), title).required(),
                    Field::new("hidden", "requests", "", hs.ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")),
                ],
            );
            f.inline = true;
            panel.form = Some(f);
            p.panels.push(panel);
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct TopicForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    note: String,
    /// Request ids, comma-separated.
    #[serde(default)]
    requests: String,
}

pub async fn create(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, FormData(f): FormData<TopicForm>) -> Response {
    let r = async {
        v.check_csrf(&f.csrf)?;
        let body = congress::body(&state.store, id).await?;
        if !parts(&state, &v, &body).await?.office {
            return Err(WebError::Forbidden);
        }
        let ids: Vec<i64> = f.requests.split(',').filter_map(|s| s.trim().parse().ok()).collect();
        topics::create(&state.store, &body, &f.title, &f.note, &ids, &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{id}/topics")))
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    page: Option<i64>,
}

/// The topics, open ones first: the office's to follow, a delegate's to take up.
pub async fn list(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<ListQuery>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        let pt = parts(&state, &v, &body).await?;
        if !pt.office && pt.delegate.is_none() {
            return Err(WebError::Forbidden);
        }
        let lang = v.lang;
        let result = topics::list(&state.store, &body, PageReq::new(q.page, Some(50))).await?;
        let base = format!("/bodies/{id}/topics?x=");
        let mut p = Page::new(Ctx::new(&v, &base, "bodies"), format!("{} · {}", body.name, lang.pick("调研课题", "Research topics")));
        p.crumbs.push(Link::new(format!("/bodies/{id}/requests"), lang.pick("群众诉求", "Citizen requests")));
        if pt.office {
            p.actions.push(Link::new(format!("/bodies/{id}/requests/hotspots"), lang.pick("热点难点", "Hotspots")));
        }
        let mut panel = Panel::default();
        panel.table = Some(Table {
            headers: vec![
                lang.pick("课题", "Topic").into(),
                lang.pick("诉求件数", "Requests").into(),
                tx(lang, "status").into(),
                lang.pick("提出", "Set by").into(),
                tx(lang, "time").into(),
                String::new(),
            ],
            rows: result
                .items
                .iter()
                .map(|t| {
                    let open = t.status == "open";
                    vec![
                        Cell::text(&t.title),
                        Cell::text(t.requests.to_string()),
                        Cell::text(if open { lang.pick("待调研", "Open") } else { lang.pick("已调研", "Researched") }),
                        Cell::text(&t.created_by),
                        Cell::text(fmt_ms(t.created_at)),
                        if open {
                            Cell::link(lang.pick("记录调研", "Record the research"), format!("/bodies/{id}/activities/new?topic={}", t.id))
                        } else {
                            Cell::link(lang.pick("查看活动", "See the activity"), format!("/bodies/{id}/activities?kind=research"))
                        },
                    ]
                })
                .collect(),
            empty: lang.pick("还没有调研课题", "No research topics yet").into(),
        });
        panel.pager = Some(Pager::new(lang, &result, &base));
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}
