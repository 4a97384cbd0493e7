//! Studios, their rota and the reception calendar (see `lianxin_domain::reception`).

use crate::audit::append;
use crate::congress::Body;
use crate::db::{q, RowExt, Store};
use crate::ids::new_id;
use crate::{Change, Result, StoreError};
use lianxin_domain::error::{fmt_date, parse_date};
use lianxin_domain::reception::{parse_days, rota, ValidStudio};
use lianxin_domain::{FieldError, Id};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Studio {
    pub tenant_id: Id,
    pub id: Id,
    pub body_id: Id,
    pub name: String,
    pub address: String,
    pub days: Vec<u8>,
    pub hours: String,
    pub rota_since: String,
    /// (delegate id, name) in turn order.
    pub rota: Vec<(Id, String)>,
}

pub async fn studios(store: &Store, body: &Body) -> Result<Vec<Studio>> {
    let rows = q(
        "SELECT tenant_id, id, body_id, name, address, days, hours, rota_since FROM studios WHERE tenant_id = $1 AND body_id = $2 ORDER BY name, id",
        [body.tenant_id.into(), body.id.into()],
    )
    .fetch_all(&store.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let rota = q(
            "SELECT sr.delegate_id, p.name FROM studio_rota sr JOIN delegates d ON d.tenant_id = sr.tenant_id AND d.id = sr.delegate_id \
             JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id WHERE sr.tenant_id = $1 AND sr.studio_id = $2 ORDER BY sr.position",
            [r.i("tenant_id").into(), r.i("id").into()],
        )
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|x| (x.i("delegate_id"), x.s("name")))
        .collect();
        out.push(Studio {
            tenant_id: r.i("tenant_id"),
            id: r.i("id"),
            body_id: r.i("body_id"),
            name: r.s("name"),
            address: r.s("address"),
            days: parse_days(&r.s("days")).unwrap_or_default(),
            hours: r.s("hours"),
            rota_since: r.s("rota_since"),
            rota,
        });
    }
    Ok(out)
}

pub async fn create(store: &Store, body: &Body, v: &ValidStudio, change: &Change) -> Result<Id> {
    let id = new_id(change.now_ms);
    let days: Vec<String> = v.days.iter().map(|d| d.to_string()).collect();
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO studios (tenant_id, id, body_id, name, address, days, hours, rota_since, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            body.tenant_id.into(),
            id.into(),
            body.id.into(),
            v.name.as_str().into(),
            v.address.as_str().into(),
            days.join(",").into(),
            v.hours.as_str().into(),
            fmt_date(change.today()).into(),
            change.now_ms.into(),
        ],
    )
    .execute(&mut *tx)
    .await?;
    append(&mut tx, body.tenant_id, change, "create", "studio", Some(id), None, serde_json::to_string(v).ok()).await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces a studio's rota; turns count again from today.
pub async fn set_rota(store: &Store, body: &Body, studio: Id, delegates: &[Id], change: &Change) -> Result<()> {
    let s = studios(store, body).await?.into_iter().find(|s| s.id == studio).ok_or_else(StoreError::not_found)?;
    if !delegates.is_empty() {
        let mut b = crate::db::Q::new(
            "SELECT COUNT(*) AS n FROM delegates d JOIN terms t ON t.tenant_id = d.tenant_id AND t.id = d.term_id WHERE d.tenant_id = ",
        );
        b.push("? AND t.body_id = ? AND d.status = 'active' AND d.id IN ", [crate::db::V::I(body.tenant_id), crate::db::V::I(body.id)])
            .push_in(delegates);
        let mut uniq = delegates.to_vec();
        uniq.sort_unstable();
        uniq.dedup();
        if uniq.len() != delegates.len() || b.build().fetch_one(&store.pool).await?.i("n") != delegates.len() as i64 {
            return Err(StoreError::invalid(FieldError::new(
                "delegates",
                "other_body",
                "值班代表须是本代表大会的在任代表,且不重复",
                "the rota takes active delegates of this congress, once each",
            )));
        }
    }
    let mut tx = store.pool.begin().await?;
    q("DELETE FROM studio_rota WHERE tenant_id = $1 AND studio_id = $2", [s.tenant_id.into(), s.id.into()]).execute(&mut *tx).await?;
    for (k, d) in delegates.iter().enumerate() {
        q(
            "INSERT INTO studio_rota (tenant_id, studio_id, position, delegate_id) VALUES ($1, $2, $3, $4)",
            [s.tenant_id.into(), s.id.into(), (k as i64).into(), (*d).into()],
        )
        .execute(&mut *tx)
        .await?;
    }
    q("UPDATE studios SET rota_since = $1 WHERE tenant_id = $2 AND id = $3", [fmt_date(change.today()).into(), s.tenant_id.into(), s.id.into()])
        .execute(&mut *tx)
        .await?;
    append(&mut tx, s.tenant_id, change, "set_rota", "studio", Some(s.id), None, Some(serde_json::json!({"delegates": delegates}).to_string()))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// One reception day: when, where, who is on duty.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Reception {
    pub on: String,
    pub studio_id: Id,
    pub studio: String,
    pub address: String,
    pub hours: String,
    pub delegate: Option<(Id, String)>,
    /// The activity recording the reception held that day at that studio (id, summary).
    pub recorded: Option<(Id, String)>,
}

/// The reception days of all of a body's studios in `[from, to]` (ISO dates), in date order.
pub async fn calendar(store: &Store, body: &Body, from: &str, to: &str) -> Result<Vec<Reception>> {
    let (Some(f), Some(t)) = (parse_date(from), parse_date(to)) else {
        return Err(StoreError::invalid(FieldError::new("from", "bad_date", "日期格式应为 2026-11-01", "dates look like 2026-11-01")));
    };
    // the receptions recorded in the span, by (studio, day)
    let recorded: std::collections::HashMap<(Id, String), (Id, String)> = q(
        "SELECT l.subject_id AS studio, a.on_date, a.id, a.summary FROM activity_links l \
         JOIN activities a ON a.tenant_id = l.tenant_id AND a.id = l.activity_id \
         WHERE l.tenant_id = $1 AND l.subject = 'studio' AND a.body_id = $2 AND a.deleted_at IS NULL AND a.on_date >= $3 AND a.on_date <= $4 \
         ORDER BY a.id",
        [body.tenant_id.into(), body.id.into(), fmt_date(f).into(), fmt_date(t).into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|r| ((r.i("studio"), r.s("on_date")), (r.i("id"), r.s("summary"))))
    .collect();
    let mut out = Vec::new();
    for s in studios(store, body).await? {
        let anchor = parse_date(&s.rota_since).unwrap_or(f);
        let ids: Vec<Id> = s.rota.iter().map(|r| r.0).collect();
        for (day, who) in rota(&s.days, &ids, anchor, f, t) {
            out.push(Reception {
                on: fmt_date(day),
                studio_id: s.id,
                studio: s.name.clone(),
                address: s.address.clone(),
                hours: s.hours.clone(),
                delegate: who.and_then(|w| s.rota.iter().find(|r| r.0 == w).cloned()),
                recorded: recorded.get(&(s.id, fmt_date(day))).cloned(),
            });
        }
        // days before the rota began are still reception days, with nobody named yet
        if f < anchor {
            for day in lianxin_domain::reception::days_between(&s.days, f, t.min(anchor.previous_day().unwrap_or(anchor))) {
                out.push(Reception {
                    on: fmt_date(day),
                    studio_id: s.id,
                    studio: s.name.clone(),
                    address: s.address.clone(),
                    hours: s.hours.clone(),
                    delegate: None,
                    recorded: recorded.get(&(s.id, fmt_date(day))).cloned(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.on.cmp(&b.on).then(a.studio.cmp(&b.studio)));
    Ok(out)
}
