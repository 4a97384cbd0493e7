//! Delegate studios and reception days: the office sets up studios, their days of the month
//! and the rota; everyone sees the public calendar of who receives residents where and when.

use super::{form_pairs as pairs, form_value as one, page, see_other};
use crate::auth::Viewer;
use crate::error::WebError;
use crate::i18n::t as tx;
use crate::view::{Cell, Ctx, Field, Form, Link, Page, Panel, Table};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use lianxin_domain::access::Permission;
use lianxin_domain::error::fmt_date;
use lianxin_domain::reception::{describe_days, StudioInput};
use lianxin_store::{congress, reception, PageReq};

/// The office's page: the studios, their days and rota, and forms to add a studio and set a rota.
pub async fn studios(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        v.require(Permission::ViewReports, &body.org_path)?;
        let edit = v.user()?.can(Permission::EditDelegates, &body.org_path);
        let lang = v.lang;
        let list = reception::studios(&state.store, &body).await?;
        let mut p = Page::new(
            Ctx::new(&v, &format!("/bodies/{id}/studios"), "bodies"),
            format!("{} · {}", body.name, lang.pick("代表工作室与接待日", "Studios and reception days")),
        );
        p.crumbs.push(Link::new(format!("/bodies/{id}"), &body.name));
        p.actions.push(Link::new(format!("/public/bodies/{id}/reception"), lang.pick("公开接待日历", "Public calendar")));
        let delegates = match super::congress::pick_term(&state, &body, None).await {
            Ok(t) => {
                congress::delegates(
                    &state.store,
                    &t,
                    &[None],
                    &congress::DelegateFilter { status: Some("active".into()), ..Default::default() },
                    PageReq::all(),
                )
                .await?
                .items
            }
            Err(_) => Vec::new(),
        };
        // the last reception days and the next ones, with what was recorded
        let today = state.today();
        let span_from = lianxin_domain::error::fmt_date(today - time::Duration::days(62));
        let span_to = lianxin_domain::error::fmt_date(today + time::Duration::days(31));
        let days = reception::calendar(&state.store, &body, &span_from, &span_to).await?;
        let today_s = lianxin_domain::error::fmt_date(today);
        for s in &list {
            let mut panel = Panel::titled(&s.name);
            let mine: Vec<&reception::Reception> = days.iter().filter(|d| d.studio_id == s.id).collect();
            let past: Vec<&&reception::Reception> = mine.iter().filter(|d| d.on <= today_s).collect();
            let shown = past.iter().rev().take(6).rev().copied().chain(mine.iter().filter(|d| d.on > today_s).take(3));
            panel.table = Some(Table {
                headers: vec![lang.pick("接待日", "Day").into(), lang.pick("值班代表", "On duty").into(), lang.pick("接待记录", "Record").into()],
                rows: shown
                    .map(|d| {
                        let who = d.delegate.as_ref().map(|x| x.1.clone()).unwrap_or_default();
                        let rec = match (&d.recorded, d.on <= today_s) {
                            (Some((_, summary)), _) => Cell::text(summary),
                            (None, true) => Cell::link(
                                lang.pick("补记接待情况", "Record this reception"),
                                format!("/bodies/{id}/activities/new?studio={}&on={}", s.id, d.on),
                            ),
                            (None, false) => Cell::text(""),
                        };
                        vec![Cell::text(&d.on), Cell::text(who), rec]
                    })
                    .collect(),
                empty: tx(lang, "none").into(),
            });
            panel.facts = vec![
                (lang.pick("地址", "Address").into(), s.address.clone()),
                (lang.pick("接待日", "Reception days").into(), format!("{} {}", describe_days(&s.days, lang), s.hours)),
                (lang.pick("值班代表(轮流)", "Rota (in turn)").into(), s.rota.iter().map(|r| r.1.clone()).collect::<Vec<_>>().join("、")),
            ];
            if edit {
                let mut f = Field::new("checks", "delegates", lang.pick("值班代表", "Delegates on the rota"), "");
                f.options = delegates.iter().map(|d| (d.id.to_string(), d.name.clone())).collect();
                let mut rota = Panel::titled(format!("{} · {}", s.name, lang.pick("设定值班表", "Set the rota")));
                rota.form =
                    Some(Form::post(format!("/bodies/{id}/studios/{}/rota", s.id), &v.csrf, lang.pick("设定值班表", "Set the rota"), vec![f]));
                rota.folded = true;
                p.panels.push(panel);
                p.panels.push(rota);
                continue;
            }
            p.panels.push(panel);
        }
        if list.is_empty() {
            p.panels.push(Panel { note: lang.pick("还没有代表工作室。", "No studios yet.").into(), ..Default::default() });
        }
        if edit {
            let mut add = Panel::titled(lang.pick("增加工作室", "Add a studio"));
            add.form = Some(Form::post(
                format!("/bodies/{id}/studios"),
                &v.csrf,
                tx(lang, "save"),
                vec![
                    Field::new("text", "name", lang.pick("名称", "Name"), "").required(),
                    Field::new("text", "address", lang.pick("地址", "Address"), "").required(),
                    Field::new("text", "days", lang.pick("每月接待日(如 4,14,24)", "Days of the month (e.g. 4,14,24)"), "4,14,24").required(),
                    Field::new("text", "hours", lang.pick("接待时间", "Hours"), "9:00–12:00"),
                ],
            ));
            p.panels.push(add);
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

pub async fn create(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let b = congress::body(&state.store, id).await?;
        v.require(Permission::EditDelegates, &b.org_path)?;
        let input = StudioInput {
            name: one(&f, "name").into(),
            address: one(&f, "address").into(),
            days: one(&f, "days").into(),
            hours: one(&f, "hours").into(),
        };
        let valid = input.validate().map_err(WebError::from)?;
        reception::create(&state.store, &b, &valid, &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{id}/studios")))
    }
    .await;
    page(&v, r)
}

pub async fn set_rota(State(state): State<AppState>, v: Viewer, Path((id, sid)): Path<(i64, i64)>, body: Bytes) -> Response {
    let r = async {
        let f = pairs(&body);
        v.check_csrf(one(&f, "_csrf"))?;
        let b = congress::body(&state.store, id).await?;
        v.require(Permission::EditDelegates, &b.org_path)?;
        let ds: Vec<i64> = f.iter().filter(|(k, _)| k == "delegates").filter_map(|(_, v)| v.parse().ok()).collect();
        reception::set_rota(&state.store, &b, sid, &ds, &v.change(&state)?).await?;
        Ok(see_other(&format!("/bodies/{id}/studios")))
    }
    .await;
    page(&v, r)
}

/// The public calendar: the next five weeks of reception days, where, when and who.
pub async fn public_calendar(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Response {
    let r = async {
        let body = congress::body(&state.store, id).await?;
        let lang = v.lang;
        let today = state.today();
        let until = today + time::Duration::days(35);
        let days = reception::calendar(&state.store, &body, &fmt_date(today), &fmt_date(until)).await?;
        let mut p = Page::new(
            Ctx::new(&v, &format!("/public/bodies/{id}/reception"), ""),
            format!("{} · {}", body.name, lang.pick("代表接待日", "Reception days")),
        );
        let mut panel = Panel::default();
        panel.note = lang
            .pick(
                "党代表在工作室接待群众,当面听取意见、反映诉求。",
                "Delegates receive residents in their studios to hear them and take their requests.",
            )
            .into();
        panel.table = Some(Table {
            headers: vec![
                lang.pick("日期", "Date").into(),
                lang.pick("时间", "Hours").into(),
                lang.pick("地点", "Where").into(),
                lang.pick("值班代表", "Delegate on duty").into(),
            ],
            rows: days
                .iter()
                .map(|d| {
                    vec![
                        Cell::text(&d.on),
                        Cell::text(&d.hours),
                        Cell::text(format!("{}({})", d.studio, d.address)),
                        match &d.delegate {
                            Some((did, name)) => Cell::link(name, format!("/public/delegates/{did}")),
                            None => Cell::text("—"),
                        },
                    ]
                })
                .collect(),
            empty: lang.pick("近期没有接待日", "No reception days soon").into(),
        });
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}
