//! The first page after sign-in: where the viewer stands and what they can open.

use super::page;
use crate::auth::Viewer;
use crate::i18n::{label, t as tx};
use crate::view::{Cell, Ctx, Link, Page, Panel, Stat, Table};
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use lianxin_domain::access::{Permission, Role};
use lianxin_domain::lang::Coded;
use lianxin_store::{congress, orgs};

pub async fn home(State(state): State<AppState>, v: Viewer) -> Response {
    let Some(a) = v.actor.clone() else {
        return Redirect::to("/login").into_response();
    };
    let r = async {
        let lang = v.lang;
        let mut p = Page::new(Ctx::new(&v, "/", "home"), format!("{} · {}", tx(lang, "home"), a.display_name));
        let mut scope = Panel::titled(tx(lang, "my_scope"));
        for g in &a.grants {
            let place = match &g.scope_path {
                Some(path) => {
                    let id = lianxin_domain::org::ancestors(path).last().copied().unwrap_or(0);
                    orgs::get(&state.store, id).await.map(|o| o.name).unwrap_or_default()
                }
                None => tx(lang, "all").into(),
            };
            scope.facts.push((g.role.label().get(lang).into(), place));
        }
        p.panels.push(scope);
        if v.unread > 0 {
            let latest = lianxin_store::notices::list(&state.store, &a, lianxin_store::PageReq::new(Some(1), Some(5))).await?;
            let mut panel = Panel::titled(format!("{} · {} {}", tx(lang, "notices"), tx(lang, "unread"), v.unread));
            panel.table = Some(super::notices::table(&v, &latest.items));
            p.panels.push(panel);
        }
        if a.can_somewhere(Permission::ViewDelegates) {
            let scopes = a.scopes_for(Permission::ViewDelegates);
            let bodies = congress::bodies(&state.store, &scopes).await?;
            let today = lianxin_domain::error::fmt_date(state.today());
            let mut rows = Vec::new();
            for b in bodies.iter().take(50) {
                let term = congress::current_term(&state.store, b, &today).await?;
                let (term_text, n) = match &term {
                    Some(t) => {
                        let page = congress::delegates(
                            &state.store,
                            t,
                            &[None],
                            &congress::DelegateFilter { status: Some("active".into()), ..Default::default() },
                            lianxin_store::PageReq::new(Some(1), Some(1)),
                        )
                        .await?;
                        (crate::i18n::fill(tx(lang, "term_no"), &[("n", &t.number.to_string())]), page.total)
                    }
                    None => (tx(lang, "none").into(), 0),
                };
                rows.push(vec![
                    Cell::link(&b.name, format!("/bodies/{}", b.id)),
                    Cell::text(&b.org_name),
                    Cell::text(term_text),
                    Cell::text(n.to_string()),
                ]);
            }
            let mut panel = Panel::titled(tx(lang, "bodies"));
            panel.table = Some(Table {
                headers: vec![tx(lang, "name").into(), tx(lang, "org").into(), tx(lang, "term").into(), tx(lang, "delegate_count").into()],
                rows,
                empty: tx(lang, "none").into(),
            });
            p.panels.push(panel);
        }
        if a.can_somewhere(Permission::ViewOrgs) {
            let root = super::home_org(&state, &a, Permission::ViewOrgs).await?;
            let c = orgs::subtree_counts(&state.store, &root).await?;
            let mut panel = Panel::titled(format!("{} · {}", tx(lang, "subtree_counts"), root.name));
            let kinds: i64 = c.orgs_by_kind.iter().map(|(_, n)| n).sum();
            panel.stats = vec![
                Stat { label: tx(lang, "children").into(), value: kinds.to_string(), sub: String::new() },
                Stat { label: tx(lang, "members").into(), value: c.members.to_string(), sub: String::new() },
                Stat { label: tx(lang, "residents").into(), value: c.residents.to_string(), sub: String::new() },
            ];
            panel.links.push(Link::new(format!("/orgs/{}", root.id), tx(lang, "orgs")));
            p.panels.push(panel);
        }
        if a.grants.iter().all(|g| g.role == Role::HandlingUnit) {
            p.panels.push(Panel { note: label::<Role>(lang, "handling_unit"), ..Default::default() });
        }
        Ok(p.render())
    }
    .await;
    page(&v, r)
}
