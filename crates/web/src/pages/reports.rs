//! Composition (seed 001's table), coverage of the liaison network with its gaps, and the
//! audit log.

use super::{opt_id, page};
use crate::auth::Viewer;
use crate::error::WebResult;
use crate::i18n::{fill, t as tx};
use crate::pages::congress::pick_term;
use crate::view::{fmt_ms, qs, xlsx_response, Bar, Cell, Ctx, Field, Form, Link, Page, Pager, Panel, Stat, Table};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use lianxin_domain::access::Permission;
use lianxin_domain::composition::{Composition, Share};
use lianxin_domain::error::{fmt_date, parse_date};
use lianxin_domain::Lang;
use lianxin_store::audit::{self, AuditFilter};
use lianxin_store::reports::{self, CoverageReport};
use lianxin_store::{congress, PageReq};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    term: Option<String>,
    on: Option<String>,
    format: Option<String>,
}

pub fn composition_table(lang: Lang, c: &Composition) -> Table {
    let mut rows = Vec::new();
    for s in &c.sections {
        for r in &s.rows {
            rows.push(vec![Cell::text(&s.title), Cell::text(&r.label), Cell::text(r.share.count.to_string()), Cell::text(r.share.percent())]);
        }
    }
    for r in &c.highlights {
        rows.push(vec![
            Cell::text(tx(lang, "highlights")),
            Cell::text(&r.label),
            Cell::text(r.share.count.to_string()),
            Cell::text(r.share.percent()),
        ]);
    }
    Table {
        headers: vec![tx(lang, "kind").into(), tx(lang, "name").into(), tx(lang, "count").into(), tx(lang, "share").into()],
        rows,
        empty: tx(lang, "none").into(),
    }
}

fn bars(rows: &[lianxin_domain::composition::Row]) -> Vec<Bar> {
    rows.iter().map(|r| Bar { label: r.label.clone(), count: r.share.count, pct: r.share.percent(), width: r.share.tenths / 10 }).collect()
}

pub async fn composition(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<ReportQuery>) -> Response {
    let r = async {
        let b = congress::body(&state.store, id).await?;
        v.require(Permission::ViewReports, &b.org_path)?;
        let lang = v.lang;
        let t = pick_term(&state, &b, opt_id(&q.term)).await?;
        let on = q.on.as_deref().and_then(parse_date).unwrap_or(state.today());
        let c = reports::composition(&state.store, &b, &t, on, lang).await?;
        if q.format.as_deref() == Some("xlsx") {
            return Ok(xlsx_response(&format!("{}-代表结构.xlsx", b.name), "代表结构", &composition_table(lang, &c)));
        }
        let here = format!("/bodies/{id}/composition?term={}&on={}", t.id, fmt_date(on));
        let mut p = Page::new(Ctx::new(&v, &here, "bodies"), format!("{} · {}", b.name, tx(lang, "composition")));
        p.crumbs.push(Link::new(format!("/bodies/{id}?term={}", t.id), &b.name));
        p.actions.push(Link::new(format!("{here}&format=xlsx"), tx(lang, "export")));
        let mut head = Panel::default();
        head.form = Some(Form::filter(
            format!("/bodies/{id}/composition"),
            tx(lang, "search"),
            vec![Field::new("hidden", "term", "", t.id.to_string()), Field::new("date", "on", tx(lang, "on_date"), fmt_date(on))],
        ));
        head.stats.push(Stat {
            label: tx(lang, "delegate_count").into(),
            value: c.total.to_string(),
            sub: fill(tx(lang, "term_no"), &[("n", &t.number.to_string())]),
        });
        for h in &c.highlights {
            head.stats.push(Stat { label: h.label.clone(), value: h.share.percent(), sub: format!("{} {}", h.share.count, lang.pick("名", "")) });
        }
        // the report's own sentence, as seed 001 writes it
        if let Some(cat) = c.sections.first() {
            let parts: Vec<String> = cat
                .rows
                .iter()
                .map(|r| match lang {
                    Lang::Zh => format!("{}代表{}名,占{}", r.label, r.share.count, r.share.percent()),
                    Lang::En => format!("{} {} ({})", r.label, r.share.count, r.share.percent()),
                })
                .collect();
            head.note = match lang {
                Lang::Zh => format!("共有代表{}名,其中:{}。", c.total, parts.join(";")),
                Lang::En => format!("{} delegates: {}.", c.total, parts.join("; ")),
            };
        }
        p.panels.push(head);
        for s in &c.sections {
            p.panels.push(Panel { title: s.title.clone(), bars: bars(&s.rows), ..Default::default() });
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

fn share_stat(label: String, s: &Share) -> Stat {
    Stat { label, value: s.percent(), sub: format!("{} / {}", s.count, s.total) }
}

pub fn coverage_tables(lang: Lang, rep: &CoverageReport) -> Vec<(String, Table)> {
    let name = |id: &i64| rep.names.get(id).cloned().unwrap_or_default();
    let g = &rep.coverage.gaps;
    vec![
        (
            tx(lang, "committee_without_group").into(),
            Table {
                headers: vec![tx(lang, "person_name").into(), tx(lang, "org").into()],
                rows: g
                    .committee_without_group
                    .iter()
                    .map(|id| {
                        let (n, o) = name(id);
                        vec![Cell::text(n), Cell::text(o)]
                    })
                    .collect(),
                empty: tx(lang, "none").into(),
            },
        ),
        (
            tx(lang, "delegates_short").into(),
            Table {
                headers: vec![tx(lang, "person_name").into(), tx(lang, "org").into(), tx(lang, "linked_members").into()],
                rows: g
                    .delegates_short
                    .iter()
                    .map(|(id, n)| {
                        let (nm, o) = name(id);
                        vec![Cell::link(nm, format!("/delegates/{id}")), Cell::text(o), Cell::text(n.to_string())]
                    })
                    .collect(),
                empty: tx(lang, "none").into(),
            },
        ),
        (
            tx(lang, "members_without_residents").into(),
            Table {
                headers: vec![tx(lang, "person_name").into(), tx(lang, "org").into()],
                rows: g
                    .members_without_residents
                    .iter()
                    .map(|id| {
                        let (n, o) = name(id);
                        vec![Cell::link(n, format!("/people/{id}")), Cell::text(o)]
                    })
                    .collect(),
                empty: tx(lang, "none").into(),
            },
        ),
    ]
}

pub async fn coverage(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<ReportQuery>) -> Response {
    let r = async {
        let b = congress::body(&state.store, id).await?;
        v.require(Permission::ViewReports, &b.org_path)?;
        let lang = v.lang;
        let t = pick_term(&state, &b, opt_id(&q.term)).await?;
        let on = fmt_date(q.on.as_deref().and_then(parse_date).unwrap_or(state.today()));
        let rep = reports::coverage_report(&state.store, &b, &t, &on).await?;
        let tables = coverage_tables(lang, &rep);
        if q.format.as_deref() == Some("xlsx") {
            // one sheet: the gaps one after another, with a column saying which gap
            let mut all = Table {
                headers: vec![tx(lang, "gaps").into(), tx(lang, "person_name").into(), tx(lang, "org").into(), tx(lang, "count").into()],
                rows: Vec::new(),
                empty: String::new(),
            };
            for (title, t) in &tables {
                for r in &t.rows {
                    let mut row = vec![Cell::text(title)];
                    row.extend(r.iter().cloned());
                    all.rows.push(row);
                }
            }
            return Ok(xlsx_response(&format!("{}-联系覆盖.xlsx", b.name), "联系覆盖", &all));
        }
        let c = &rep.coverage;
        let here = format!("/bodies/{id}/coverage?term={}&on={on}", t.id);
        let mut p = Page::new(Ctx::new(&v, &here, "bodies"), format!("{} · {}", b.name, tx(lang, "coverage")));
        p.crumbs.push(Link::new(format!("/bodies/{id}?term={}", t.id), &b.name));
        p.actions.push(Link::new(format!("{here}&format=xlsx"), tx(lang, "export")));
        let mut head = Panel::default();
        head.form = Some(Form::filter(
            format!("/bodies/{id}/coverage"),
            tx(lang, "search"),
            vec![Field::new("hidden", "term", "", t.id.to_string()), Field::new("date", "on", tx(lang, "on_date"), &on)],
        ));
        head.stats = vec![
            share_stat(tx(lang, "committee_with_group").into(), &c.committee_with_group),
            share_stat(fill(tx(lang, "delegates_with_members"), &[("n", &c.min_members.to_string())]), &c.delegates_with_members),
            share_stat(tx(lang, "members_with_residents").into(), &c.members_with_residents),
            Stat {
                label: tx(lang, "avg_members").into(),
                value: format!("{}.{}", c.avg_members_per_delegate_tenths / 10, c.avg_members_per_delegate_tenths % 10),
                sub: String::new(),
            },
            Stat {
                label: tx(lang, "avg_residents").into(),
                value: format!("{}.{}", c.avg_residents_per_member_tenths / 10, c.avg_residents_per_member_tenths % 10),
                sub: String::new(),
            },
        ];
        p.panels.push(head);
        for (title, table) in tables {
            let n = table.rows.len();
            p.panels.push(Panel { title: format!("{title}({n})"), table: Some(table), ..Default::default() });
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    entity: Option<String>,
    entity_id: Option<String>,
    actor: Option<String>,
    page: Option<i64>,
    verify: Option<String>,
    format: Option<String>,
}

pub async fn audit(State(state): State<AppState>, v: Viewer, Query(q): Query<AuditQuery>) -> Response {
    let r: WebResult<Response> = async {
        let a = v.require_somewhere(Permission::ViewAudit)?;
        let lang = v.lang;
        // an office sees the entries of its own tree; administrators see all
        let tenants = if a.is_admin() {
            None
        } else {
            Some(a.scopes_for(Permission::ViewAudit).iter().flatten().filter_map(|p| lianxin_domain::org::root_of(p)).collect::<Vec<_>>())
        };
        let f = AuditFilter { tenants, entity: super::opt_str(&q.entity), entity_id: opt_id(&q.entity_id), actor: super::opt_str(&q.actor) };
        let export = q.format.as_deref() == Some("xlsx");
        let list = audit::list(&state.store, &f, if export { PageReq::new(Some(1), Some(100_000)) } else { PageReq::new(q.page, Some(50)) }).await?;
        let base = format!(
            "/audit?entity={}&entity_id={}&actor={}",
            qs(q.entity.as_deref().unwrap_or("")),
            qs(q.entity_id.as_deref().unwrap_or("")),
            qs(q.actor.as_deref().unwrap_or(""))
        );
        let mut p = Page::new(Ctx::new(&v, &base, "audit"), tx(lang, "audit"));
        p.actions.push(Link::new(format!("{base}&format=xlsx"), tx(lang, "export")));
        if a.is_admin() {
            p.actions.push(Link::new("/audit?verify=1", lang.pick("校验日志链", "Verify the chain")));
        }
        if q.verify.is_some() && a.is_admin() {
            let msg = match audit::verify(&state.store).await? {
                Ok(ok) => fill(tx(lang, "chain_ok"), &[("n", &ok.entries.to_string())]),
                Err(b) => fill(tx(lang, "chain_broken"), &[("w", &format!("{b:?}"))]),
            };
            p.panels.push(Panel { note: msg, ..Default::default() });
        }
        let mut panel = Panel::default();
        panel.form = Some(Form::filter(
            "/audit",
            tx(lang, "search"),
            vec![
                Field::new("text", "entity", tx(lang, "entity"), q.entity.clone().unwrap_or_default()),
                Field::new("text", "entity_id", "ID", q.entity_id.clone().unwrap_or_default()),
                Field::new("text", "actor", tx(lang, "actor"), q.actor.clone().unwrap_or_default()),
            ],
        ));
        panel.table = Some(Table {
            headers: vec![
                "#".into(),
                tx(lang, "time").into(),
                tx(lang, "actor").into(),
                tx(lang, "action").into(),
                tx(lang, "entity").into(),
                tx(lang, "before").into(),
                tx(lang, "after").into(),
            ],
            rows: list
                .items
                .iter()
                .map(|e| {
                    let short = |s: &Option<String>| s.as_deref().map(|x| x.chars().take(160).collect::<String>()).unwrap_or_default();
                    vec![
                        Cell::text(e.seq.to_string()),
                        Cell::text(fmt_ms(e.at_ms)),
                        Cell::text(&e.actor_name),
                        Cell::text(&e.action),
                        Cell::link(
                            format!("{} {}", e.entity, e.entity_id.map(|i| i.to_string()).unwrap_or_default()),
                            format!("/audit?entity={}&entity_id={}", e.entity, e.entity_id.unwrap_or(0)),
                        ),
                        Cell::text(short(&e.before)),
                        Cell::text(short(&e.after)),
                    ]
                })
                .collect(),
            empty: tx(lang, "none").into(),
        });
        if export {
            let full = |s: &Option<String>| s.clone().unwrap_or_default();
            let t = Table {
                headers: vec![
                    "#".into(),
                    tx(lang, "time").into(),
                    tx(lang, "actor").into(),
                    tx(lang, "action").into(),
                    tx(lang, "entity").into(),
                    "ID".into(),
                    tx(lang, "before").into(),
                    tx(lang, "after").into(),
                    "hash".into(),
                ],
                rows: list
                    .items
                    .iter()
                    .map(|e| {
                        vec![
                            Cell::text(e.seq.to_string()),
                            Cell::text(fmt_ms(e.at_ms)),
                            Cell::text(&e.actor_name),
                            Cell::text(&e.action),
                            Cell::text(&e.entity),
                            Cell::text(e.entity_id.map(|i| i.to_string()).unwrap_or_default()),
                            Cell::text(full(&e.before)),
                            Cell::text(full(&e.after)),
                            Cell::text(&e.hash),
                        ]
                    })
                    .collect(),
                empty: String::new(),
            };
            return Ok(xlsx_response("操作日志.xlsx", "操作日志", &t));
        }
        panel.pager = Some(Pager::new(lang, &list, &base));
        p.panels.push(panel);
        Ok(p.render())
    }
    .await;
    page(&v, r)
}
