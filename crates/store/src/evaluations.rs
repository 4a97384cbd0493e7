//! Residents' evaluation of delegates in the database: rounds, one-time slips (only their
//! hashes are kept), and anonymous ratings (see `lianxin_domain::evaluation`).

use crate::audit::append;
use crate::congress::{Body, Term};
use crate::db::{q, RowExt, Store};
use crate::ids::new_id;
use crate::{Change, Result, StoreError};
use lianxin_domain::evaluation::{self, digest, slip_code, Rating, MAX_SLIPS};
use lianxin_domain::lang::Coded;
use lianxin_domain::{FieldError, Id};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Round {
    pub tenant_id: Id,
    pub id: Id,
    pub body_id: Id,
    pub term_id: Id,
    pub year: i64,
    pub closes_on: String,
}

fn round_of(r: &sqlx::any::AnyRow) -> Round {
    Round {
        tenant_id: r.i("tenant_id"),
        id: r.i("id"),
        body_id: r.i("body_id"),
        term_id: r.i("term_id"),
        year: r.i("year"),
        closes_on: r.s("closes_on"),
    }
}

pub async fn round(store: &Store, body: &Body, year: i64) -> Result<Option<Round>> {
    Ok(q(
        "SELECT tenant_id, id, body_id, term_id, year, closes_on FROM evaluation_rounds WHERE tenant_id = $1 AND body_id = $2 AND year = $3",
        [body.tenant_id.into(), body.id.into(), year.into()],
    )
    .fetch_optional(&store.pool)
    .await?
    .map(|r| round_of(&r)))
}

/// Opens the year's round of a body (one per year), taking ratings until `closes_on`.
pub async fn open(store: &Store, body: &Body, term: &Term, year: i64, closes_on: &str, change: &Change) -> Result<Round> {
    if lianxin_domain::error::parse_date(closes_on).is_none() {
        return Err(StoreError::invalid(FieldError::new(
            "closes_on",
            "bad_date",
            "截止日期格式应为 2026-12-31",
            "the closing date must look like 2026-12-31",
        )));
    }
    if round(store, body, year).await?.is_some() {
        return Err(StoreError::conflict("本年度的评议已经开启", "this year's evaluation is already open"));
    }
    let id = new_id(change.now_ms);
    let mut tx = store.pool.begin().await?;
    q(
        "INSERT INTO evaluation_rounds (tenant_id, id, body_id, term_id, year, closes_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [body.tenant_id.into(), id.into(), body.id.into(), term.id.into(), year.into(), closes_on.into(), change.now_ms.into()],
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        StoreError::from(e).duplicate_as(FieldError::new("year", "duplicate", "本年度的评议已经开启", "this year's evaluation is already open"))
    })?;
    append(
        &mut tx,
        body.tenant_id,
        change,
        "open_evaluation",
        "body",
        Some(body.id),
        None,
        Some(serde_json::json!({"year": year, "closes_on": closes_on}).to_string()),
    )
    .await?;
    tx.commit().await?;
    round(store, body, year).await?.ok_or_else(StoreError::not_found)
}

/// Makes `n` new slips for a delegate of the round's term; returns their codes, which are
/// shown once (for printing) and kept only as hashes.
pub async fn issue_slips(store: &Store, r: &Round, delegate: Id, n: i64, change: &Change) -> Result<Vec<String>> {
    if !(1..=MAX_SLIPS).contains(&n) {
        return Err(StoreError::invalid(FieldError::new(
            "n",
            "range",
            format!("每次可发1到{MAX_SLIPS}张评议票"),
            format!("issue 1 to {MAX_SLIPS} slips at a time"),
        )));
    }
    let d = crate::congress::delegate(store, delegate).await?;
    if d.term_id != r.term_id || d.status != "active" {
        return Err(StoreError::invalid(FieldError::new(
            "delegate",
            "other_term",
            "只能为本届在任代表发评议票",
            "slips are for active delegates of the term",
        )));
    }
    let mut codes = Vec::with_capacity(n as usize);
    let mut tx = store.pool.begin().await?;
    for _ in 0..n {
        let mut raw = [0u8; 10];
        getrandom::fill(&mut raw).map_err(|e| StoreError::Config(format!("random: {e}")))?;
        let code = slip_code(raw);
        q(
            "INSERT INTO evaluation_slips (code_hash, tenant_id, round_id, delegate_id, used) VALUES ($1, $2, $3, $4, 0)",
            [digest(&code).into(), r.tenant_id.into(), r.id.into(), delegate.into()],
        )
        .execute(&mut *tx)
        .await?;
        codes.push(code);
    }
    append(
        &mut tx,
        r.tenant_id,
        change,
        "issue_slips",
        "delegate",
        Some(delegate),
        None,
        Some(serde_json::json!({"round": r.id, "slips": n}).to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Whom a slip is for (the delegate's id and name), if it is valid, unused and its round open on `today`.
pub async fn slip(store: &Store, code: &str, today: &str) -> Result<Option<(Id, String)>> {
    let row = q(
        "SELECT s.delegate_id, p.name, s.used, r.closes_on FROM evaluation_slips s \
         JOIN evaluation_rounds r ON r.tenant_id = s.tenant_id AND r.id = s.round_id \
         JOIN delegates d ON d.tenant_id = s.tenant_id AND d.id = s.delegate_id JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id \
         WHERE s.code_hash = $1",
        [digest(code).into()],
    )
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.filter(|r| r.i("used") == 0 && today <= r.s("closes_on").as_str()).map(|r| (r.i("delegate_id"), r.s("name"))))
}

/// Spends a slip on a rating. The slip is marked used and the rating written in one
/// transaction; the rating keeps neither the slip nor the time. A slip gives one rating,
/// even when two arrive at once.
pub async fn rate(store: &Store, code: &str, rating: Rating, comment: Option<&str>, today: &str) -> Result<()> {
    let row = q(
        "SELECT s.tenant_id, s.round_id, s.delegate_id, r.closes_on FROM evaluation_slips s JOIN evaluation_rounds r ON r.tenant_id = s.tenant_id AND r.id = s.round_id \
         WHERE s.code_hash = $1",
        [digest(code).into()],
    )
    .fetch_optional(&store.pool)
    .await?
    .ok_or_else(StoreError::not_found)?;
    if today > row.s("closes_on").as_str() {
        return Err(StoreError::conflict("本次评议已经截止", "this evaluation has closed"));
    }
    let mut tx = store.pool.begin().await?;
    let n =
        q("UPDATE evaluation_slips SET used = 1 WHERE code_hash = $1 AND used = 0", [digest(code).into()]).execute(&mut *tx).await?.rows_affected();
    if n == 0 {
        return Err(StoreError::conflict("这张评议票已经用过", "this slip has already been used"));
    }
    // a random id: an id made from the clock would date the rating
    let mut raw = [0u8; 8];
    getrandom::fill(&mut raw).map_err(|e| StoreError::Config(format!("random: {e}")))?;
    let id = (u64::from_le_bytes(raw) >> 1) as i64;
    q(
        "INSERT INTO evaluation_ratings (tenant_id, id, round_id, delegate_id, rating, comment) VALUES ($1, $2, $3, $4, $5, $6)",
        [row.i("tenant_id").into(), id.into(), row.i("round_id").into(), row.i("delegate_id").into(), rating.code().into(), comment.into()],
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Each delegate's result in a round (delegates with slips or ratings).
pub async fn results(store: &Store, r: &Round) -> Result<BTreeMap<Id, evaluation::Tally>> {
    let mut out: BTreeMap<Id, evaluation::Tally> = BTreeMap::new();
    for row in q(
        "SELECT delegate_id, COUNT(*) AS n FROM evaluation_slips WHERE tenant_id = $1 AND round_id = $2 GROUP BY delegate_id",
        [r.tenant_id.into(), r.id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    {
        out.entry(row.i("delegate_id")).or_default().slips = row.i("n");
    }
    for row in q(
        "SELECT delegate_id, rating, COUNT(*) AS n FROM evaluation_ratings WHERE tenant_id = $1 AND round_id = $2 GROUP BY delegate_id, rating",
        [r.tenant_id.into(), r.id.into()],
    )
    .fetch_all(&store.pool)
    .await?
    {
        let e = out.entry(row.i("delegate_id")).or_default();
        match Rating::from_code(&row.s("rating")) {
            Some(Rating::Good) => e.good += row.i("n"),
            Some(Rating::Fair) => e.fair += row.i("n"),
            Some(Rating::Poor) => e.poor += row.i("n"),
            None => {}
        }
    }
    Ok(out)
}

/// The comments a delegate received in a round (no names, in no particular order).
pub async fn comments(store: &Store, r: &Round, delegate: Id) -> Result<Vec<String>> {
    Ok(q(
        "SELECT comment FROM evaluation_ratings WHERE tenant_id = $1 AND round_id = $2 AND delegate_id = $3 AND comment IS NOT NULL ORDER BY comment",
        [r.tenant_id.into(), r.id.into(), delegate.into()],
    )
    .fetch_all(&store.pool)
    .await?
    .iter()
    .map(|c| c.s("comment"))
    .collect())
}
