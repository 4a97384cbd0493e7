//! Running counts of requests, kept in the same transaction as every write to a request, so
//! the numbers page reads a few thousand small rows instead of a province's millions of
//! requests. Two tables: per (month, status, category, handler) and per (month, delegate).
//!
//! Each request contributes one unit to one row of each table; a write takes the request's
//! contribution out before it changes and puts the new one in after. The counts are derived:
//! `rebuild` recomputes them from the requests (migration 14 does so once).

use crate::db::{insert_rows, q, RowExt, V};
use crate::Result;
use lianxin_domain::Id;
use sqlx::AnyConnection;

/// The columns of a request that its counts depend on.
macro_rules! columns {
    () => {
        "tenant_id, body_id, created_at, delegate_id, status, category, handler_org_id, replied_at, replied_on_time, feedback"
    };
}

/// How a row takes another row's worth of counts.
macro_rules! add_sums {
    () => {
        "n = t.n + excluded.n, closed = t.closed + excluded.closed, replied = t.replied + excluded.replied, \
         on_time = t.on_time + excluded.on_time, satisfied = t.satisfied + excluded.satisfied, basic = t.basic + excluded.basic, \
         unsatisfied = t.unsatisfied + excluded.unsatisfied"
    };
}

/// One request's contribution: which rows it counts in, and what it adds to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    tenant_id: Id,
    body_id: Id,
    month: i64,
    delegate_id: Option<Id>,
    status: String,
    category: String,
    handler: Id,
    m: Measures,
}

/// What one request adds to a row (each 0 or 1), or a row's sums.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measures {
    pub n: i64,
    pub closed: i64,
    pub replied: i64,
    pub on_time: i64,
    pub satisfied: i64,
    pub basic: i64,
    pub unsatisfied: i64,
}

impl Measures {
    fn of_row(r: &sqlx::any::AnyRow) -> Measures {
        use crate::orgs::sum_i;
        Measures {
            n: sum_i(r, "n"),
            closed: sum_i(r, "closed"),
            replied: sum_i(r, "replied"),
            on_time: sum_i(r, "on_time"),
            satisfied: sum_i(r, "satisfied"),
            basic: sum_i(r, "basic"),
            unsatisfied: sum_i(r, "unsatisfied"),
        }
    }
    pub fn add(&mut self, o: &Measures) {
        self.n += o.n;
        self.closed += o.closed;
        self.replied += o.replied;
        self.on_time += o.on_time;
        self.satisfied += o.satisfied;
        self.basic += o.basic;
        self.unsatisfied += o.unsatisfied;
    }
    fn times(&self, k: i64) -> [i64; 7] {
        [self.n, self.closed, self.replied, self.on_time, self.satisfied, self.basic, self.unsatisfied].map(|x| x * k)
    }
    pub fn rated(&self) -> i64 {
        self.satisfied + self.basic + self.unsatisfied
    }
}

/// The month (yyyymm, China Standard Time) an instant falls in.
pub fn month_of_ms(ms: i64) -> i64 {
    let d = lianxin_domain::proposal::date_of_day(crate::day_number_of_ms(ms));
    i64::from(d.year()) * 100 + i64::from(u8::from(d.month()))
}

fn of(r: &sqlx::any::AnyRow) -> Contribution {
    contribution(
        (r.i("tenant_id"), r.i("body_id"), r.i("created_at"), r.oi("delegate_id")),
        r.s("status"),
        r.s("category"),
        r.oi("handler_org_id"),
        (r.oi("replied_at"), r.oi("replied_on_time")),
        r.os("feedback").as_deref(),
    )
}

/// What a request read earlier (and changed under the guard of its version) counted.
pub fn of_request(r: &crate::requests::Request) -> Contribution {
    contribution(
        (r.tenant_id, r.body_id, r.created_at, r.delegate_id),
        r.status.clone(),
        r.category.clone(),
        r.handler_org_id,
        (r.replied_at, r.replied_on_time),
        r.feedback.as_deref(),
    )
}

fn contribution(
    (tenant_id, body_id, created_at, delegate_id): (Id, Id, i64, Option<Id>),
    status: String,
    category: String,
    handler: Option<Id>,
    (replied_at, replied_on_time): (Option<i64>, Option<i64>),
    feedback: Option<&str>,
) -> Contribution {
    let replied = replied_at.is_some();
    let fb = |x: &str| i64::from(feedback == Some(x));
    Contribution {
        tenant_id,
        body_id,
        month: month_of_ms(created_at),
        delegate_id,
        category,
        handler: handler.unwrap_or(0),
        m: Measures {
            n: 1,
            closed: i64::from(status == "closed"),
            replied: i64::from(replied),
            on_time: i64::from(replied && replied_on_time == Some(1)),
            satisfied: fb("satisfied"),
            basic: fb("basic"),
            unsatisfied: fb("unsatisfied"),
        },
        status,
    }
}

/// A request's contribution as the transaction sees it now.
pub async fn read(conn: &mut AnyConnection, tenant: Id, id: Id) -> Result<Option<Contribution>> {
    let r = q(concat!("SELECT ", columns!(), " FROM requests WHERE tenant_id = $1 AND id = $2"), [tenant.into(), id.into()])
        .fetch_optional(&mut *conn)
        .await?;
    Ok(r.map(|r| of(&r)))
}

/// Moves a request's counts from `before` to `after` (either may be absent: a new request
/// has no `before`). Nothing is written when nothing changed.
pub async fn shift(conn: &mut AnyConnection, before: Option<&Contribution>, after: Option<&Contribution>) -> Result<()> {
    if before == after {
        return Ok(());
    }
    // always in the same order (out, then in) and by key, so two writers lock rows alike
    if let Some(b) = before {
        add(conn, b, -1).await?;
    }
    if let Some(a) = after {
        add(conn, a, 1).await?;
    }
    Ok(())
}

async fn add(conn: &mut AnyConnection, c: &Contribution, k: i64) -> Result<()> {
    let [n, closed, replied, on_time, satisfied, basic, unsatisfied] = c.m.times(k).map(V::I);
    q(
        concat!(
            "INSERT INTO request_tallies AS t (tenant_id, body_id, month, status, category, handler_org_id, n, closed, replied, on_time, satisfied, basic, unsatisfied) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (tenant_id, body_id, month, status, category, handler_org_id) DO UPDATE SET ",
            add_sums!()
        ),
        [
            V::I(c.tenant_id),
            V::I(c.body_id),
            V::I(c.month),
            V::T(c.status.clone()),
            V::T(c.category.clone()),
            V::I(c.handler),
            n.clone(),
            closed.clone(),
            replied.clone(),
            on_time.clone(),
            satisfied.clone(),
            basic.clone(),
            unsatisfied.clone(),
        ],
    )
    .execute(&mut *conn)
    .await?;
    if let Some(d) = c.delegate_id {
        q(
            concat!(
                "INSERT INTO request_delegate_tallies AS t (tenant_id, body_id, month, delegate_id, n, closed, replied, on_time, satisfied, basic, unsatisfied) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (tenant_id, body_id, month, delegate_id) DO UPDATE SET ",
                add_sums!()
            ),
            [V::I(c.tenant_id), V::I(c.body_id), V::I(c.month), V::I(d), n, closed, replied, on_time, satisfied, basic, unsatisfied],
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Recomputes every count from the requests: read in batches and summed in memory (the
/// rows are few), then written in multi-row statements.
pub async fn rebuild(conn: &mut AnyConnection) -> Result<()> {
    use std::collections::BTreeMap;
    q("DELETE FROM request_tallies", []).execute(&mut *conn).await?;
    q("DELETE FROM request_delegate_tallies", []).execute(&mut *conn).await?;
    let mut main: BTreeMap<(Id, Id, i64, String, String, Id), Measures> = BTreeMap::new();
    let mut per_delegate: BTreeMap<(Id, Id, i64, Id), Measures> = BTreeMap::new();
    let tenants: Vec<Id> = q("SELECT DISTINCT tenant_id FROM requests", []).fetch_all(&mut *conn).await?.iter().map(|r| r.i("tenant_id")).collect();
    // tenant by tenant, along the primary key, so each batch starts where the last ended
    let mut next = tenants.into_iter().map(|t| (t, i64::MIN)).collect::<Vec<_>>();
    while let Some((tenant, after)) = next.pop() {
        let rows = q(
            concat!("SELECT id, ", columns!(), " FROM requests WHERE tenant_id = $1 AND id > $2 ORDER BY tenant_id, id LIMIT 10000"),
            [tenant.into(), after.into()],
        )
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else { continue };
        next.push((tenant, last.i("id")));
        for r in &rows {
            let c = of(r);
            main.entry((c.tenant_id, c.body_id, c.month, c.status.clone(), c.category.clone(), c.handler)).or_default().add(&c.m);
            if let Some(d) = c.delegate_id {
                per_delegate.entry((c.tenant_id, c.body_id, c.month, d)).or_default().add(&c.m);
            }
        }
    }
    let sums = |m: &Measures| [m.n, m.closed, m.replied, m.on_time, m.satisfied, m.basic, m.unsatisfied].map(V::I);
    let rows: Vec<[V; 13]> = main
        .iter()
        .map(|((t, b, month, status, category, h), m)| {
            let [n, c, r, o, s, ba, u] = sums(m);
            [V::I(*t), V::I(*b), V::I(*month), V::T(status.clone()), V::T(category.clone()), V::I(*h), n, c, r, o, s, ba, u]
        })
        .collect();
    insert_rows(
        conn,
        "INSERT INTO request_tallies (tenant_id, body_id, month, status, category, handler_org_id, n, closed, replied, on_time, satisfied, basic, unsatisfied) VALUES",
        &rows,
        500,
    )
    .await?;
    let rows: Vec<[V; 11]> = per_delegate
        .iter()
        .map(|((t, b, month, d), m)| {
            let [n, c, r, o, s, ba, u] = sums(m);
            [V::I(*t), V::I(*b), V::I(*month), V::I(*d), n, c, r, o, s, ba, u]
        })
        .collect();
    insert_rows(
        conn,
        "INSERT INTO request_delegate_tallies (tenant_id, body_id, month, delegate_id, n, closed, replied, on_time, satisfied, basic, unsatisfied) VALUES",
        &rows,
        500,
    )
    .await?;
    Ok(())
}

/// One row of the sums by (status, category, handler) over a span of months.
#[derive(Debug, Clone)]
pub struct Bucket {
    pub status: String,
    pub category: String,
    pub handler: Option<String>,
    pub m: Measures,
}

/// The sums for a body over months [from, to] (yyyymm, inclusive). Summed by the handler's
/// id first; the few handlers' names are read afterwards.
pub async fn buckets(pool: &sqlx::AnyPool, tenant: Id, body: Id, from: i64, to: i64) -> Result<Vec<Bucket>> {
    let rows = q(
        "SELECT status, category, handler_org_id, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(closed) AS BIGINT) AS closed, CAST(SUM(replied) AS BIGINT) AS replied, \
                CAST(SUM(on_time) AS BIGINT) AS on_time, CAST(SUM(satisfied) AS BIGINT) AS satisfied, CAST(SUM(basic) AS BIGINT) AS basic, \
                CAST(SUM(unsatisfied) AS BIGINT) AS unsatisfied \
         FROM request_tallies WHERE tenant_id = $1 AND body_id = $2 AND month >= $3 AND month <= $4 \
         GROUP BY status, category, handler_org_id HAVING SUM(n) <> 0",
        [tenant.into(), body.into(), from.into(), to.into()],
    )
    .fetch_all(pool)
    .await?;
    let mut ids: Vec<Id> = rows.iter().map(|r| r.i("handler_org_id")).filter(|h| *h != 0).collect();
    ids.sort_unstable();
    ids.dedup();
    let names = names_of(pool, "SELECT id, name FROM orgs WHERE tenant_id = ", tenant, &ids).await?;
    Ok(rows
        .iter()
        .map(|r| Bucket {
            status: r.s("status"),
            category: r.s("category"),
            handler: names.get(&r.i("handler_org_id")).cloned(),
            m: Measures::of_row(r),
        })
        .collect())
}

/// `id → name` for a list of ids (`head` ends with "tenant_id = ").
async fn names_of(pool: &sqlx::AnyPool, head: &'static str, tenant: Id, ids: &[Id]) -> Result<std::collections::HashMap<Id, String>> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let mut b = crate::db::Q::new(head);
        b.push("? AND id IN ", [V::I(tenant)]).push_in(chunk);
        for r in b.build().fetch_all(pool).await? {
            out.insert(r.i("id"), r.s("name"));
        }
    }
    Ok(out)
}

/// The sums per delegate (with the delegate's name, group and organisation).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ByDelegate {
    pub delegate_id: Id,
    pub name: String,
    pub group: Option<String>,
    pub org: String,
    #[serde(skip)]
    pub m: Measures,
}

pub async fn by_delegate(pool: &sqlx::AnyPool, tenant: Id, body: Id, from: i64, to: i64) -> Result<Vec<ByDelegate>> {
    let rows = q(
        "SELECT delegate_id, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(closed) AS BIGINT) AS closed, CAST(SUM(replied) AS BIGINT) AS replied, \
                CAST(SUM(on_time) AS BIGINT) AS on_time, CAST(SUM(satisfied) AS BIGINT) AS satisfied, CAST(SUM(basic) AS BIGINT) AS basic, \
                CAST(SUM(unsatisfied) AS BIGINT) AS unsatisfied \
         FROM request_delegate_tallies WHERE tenant_id = $1 AND body_id = $2 AND month >= $3 AND month <= $4 \
         GROUP BY delegate_id HAVING SUM(n) <> 0",
        [tenant.into(), body.into(), from.into(), to.into()],
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<Id> = rows.iter().map(|r| r.i("delegate_id")).collect();
    // who they are: name, group, organisation
    let mut who = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let mut b = crate::db::Q::new(
            "SELECT d.id, p.name, g.name AS grp, o.name AS org FROM delegates d \
             JOIN people p ON p.tenant_id = d.tenant_id AND p.id = d.person_id \
             JOIN orgs o ON o.tenant_id = p.tenant_id AND o.id = p.org_id \
             LEFT JOIN delegate_groups g ON g.tenant_id = d.tenant_id AND g.id = d.group_id WHERE d.tenant_id = ",
        );
        b.push("? AND d.id IN ", [V::I(tenant)]).push_in(chunk);
        for r in b.build().fetch_all(pool).await? {
            who.insert(r.i("id"), (r.s("name"), r.os("grp"), r.s("org")));
        }
    }
    let mut out: Vec<ByDelegate> = rows
        .iter()
        .filter_map(|r| {
            let (name, group, org) = who.get(&r.i("delegate_id"))?.clone();
            Some(ByDelegate { delegate_id: r.i("delegate_id"), name, group, org, m: Measures::of_row(r) })
        })
        .collect();
    out.sort_by(|a, b| b.m.n.cmp(&a.m.n).then(a.name.cmp(&b.name)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::month_of_ms;

    #[test]
    fn months_are_counted_in_china_standard_time() {
        // 2025-12-31 16:00 UTC is 2026-01-01 00:00 in Beijing
        let ms = 1_767_196_800_000;
        assert_eq!(month_of_ms(ms), 202601);
        assert_eq!(month_of_ms(ms - 1), 202512);
    }
}
