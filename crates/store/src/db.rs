//! Connecting by URL, and the small query builder every repository uses.

use crate::{Result, StoreError};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, AssertSqlSafe, Row};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database URL that has been checked: a known scheme, and for SQLite a real path.
#[derive(Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl std::fmt::Debug for DbUrl {
    // Never print a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

impl DbUrl {
    /// Reads `sqlite://path`, `sqlite:path`, `postgres://…` or `postgresql://…`.
    /// Anything else is refused, so a typo never creates an empty database somewhere else.
    pub fn parse(url: &str) -> Result<DbUrl> {
        let url = url.trim();
        if let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            let path = rest.split('?').next().unwrap_or("");
            if path.is_empty() || path == ":memory:" {
                return Err(StoreError::Config(
                    "SQLite URL needs a file path, e.g. sqlite://data/lianxin.db (an in-memory database would lose everything) / SQLite 地址须包含文件路径".into(),
                ));
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_string()));
        }
        let scheme = url.split("://").next().filter(|_| url.contains("://"));
        Err(StoreError::Config(match scheme {
            Some(s) => format!("unknown database URL scheme '{s}': use sqlite://PATH or postgres://… / 不支持的数据库地址类型“{s}”"),
            None => format!(
                "'{url}' is not a database URL: use sqlite://{url} for a SQLite file or postgres://… / “{url}”不是数据库地址,SQLite 文件请写 sqlite://{url}"
            ),
        }))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbUrl::Sqlite(_) => Backend::Sqlite,
            DbUrl::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn redacted(&self) -> String {
        match self {
            DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DbUrl::Postgres(u) => match (u.find("://"), u.rfind('@')) {
                (Some(s), Some(at)) if at > s => {
                    let creds = &u[s + 3..at];
                    let user = creds.split(':').next().unwrap_or("");
                    format!("{}{}:***{}", &u[..s + 3], user, &u[at..])
                }
                _ => u.clone(),
            },
        }
    }

    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            DbUrl::Sqlite(p) => Some(p),
            DbUrl::Postgres(_) => None,
        }
    }
}

/// The handle every part of Lianxin uses to reach the database.
#[derive(Clone)]
pub struct Store {
    pub pool: AnyPool,
    pub backend: Backend,
    /// Tells apart two databases open in one process (tests, the bench) in process-wide caches.
    pub instance: u64,
    /// Where it was opened (another handle on the same database opens this).
    pub url: DbUrl,
    /// The full-text index derived from this database (see `search.rs`).
    pub search: std::sync::Arc<crate::search::SearchIndex>,
    /// The ballot writer (group commit), started at the first cast.
    intake: std::sync::Arc<std::sync::OnceLock<crate::intake::Intake>>,
    /// PostgreSQL's vacuum of the ballot box after closes: (one running, another asked for).
    vacuum: std::sync::Arc<(std::sync::atomic::AtomicBool, std::sync::atomic::AtomicBool)>,
}

static INSTANCES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_instance() -> u64 {
    INSTANCES.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
}

/// How to open a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// The database must already exist (serve an explicit URL).
    Existing,
    /// Create the SQLite file if it is missing (migrate, demo, the default data directory).
    CreateIfMissing,
}

impl Store {
    pub async fn connect(url: &DbUrl, open: Open) -> Result<Store> {
        sqlx::any::install_default_drivers();
        match url {
            DbUrl::Sqlite(path) => {
                let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
                if !parent.is_dir() {
                    return Err(StoreError::Config(format!(
                        "the folder {} does not exist: create it first, or choose another path / 目录 {} 不存在",
                        parent.display(),
                        parent.display()
                    )));
                }
                if path.is_dir() {
                    return Err(StoreError::Config(format!(
                        "{} is a folder, not a database file / {} 是目录,不是数据库文件",
                        path.display(),
                        path.display()
                    )));
                }
                if open == Open::Existing && !path.exists() {
                    return Err(StoreError::Config(format!(
                        "no database at {}: run `lianxin migrate --database-url sqlite://{}` to create one / 数据库文件不存在",
                        path.display(),
                        path.display()
                    )));
                }
                let mode = if open == Open::CreateIfMissing { "rwc" } else { "rw" };
                let conn_url = format!("sqlite://{}?mode={mode}", path.display());
                let pool = AnyPoolOptions::new()
                    .max_connections(4)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL lets readers run beside the writer; FULL sync means an
                            // acknowledged write survives a crash of the machine, not only of the
                            // process; case-sensitive LIKE lets subtree prefixes use the path index.
                            sqlx::raw_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA case_sensitive_like=ON;")
                                .execute(conn)
                                .await?;
                            Ok(())
                        })
                    })
                    .connect(&conn_url)
                    .await?;
                let index_dir = lianxin_search::index::dir_beside(path);
                Ok(Store {
                    pool,
                    backend: Backend::Sqlite,
                    instance: next_instance(),
                    url: url.clone(),
                    search: std::sync::Arc::new(crate::search::SearchIndex::new(Some(index_dir))),
                    intake: Default::default(),
                    vacuum: Default::default(),
                })
            }
            DbUrl::Postgres(u) => {
                let pool = AnyPoolOptions::new().max_connections(10).connect(u).await?;
                // each server's own index: in memory unless given a folder (`with_index_dir`)
                Ok(Store {
                    pool,
                    backend: Backend::Postgres,
                    instance: next_instance(),
                    url: url.clone(),
                    search: std::sync::Arc::new(crate::search::SearchIndex::new(None)),
                    intake: Default::default(),
                    vacuum: Default::default(),
                })
            }
        }
    }

    /// Keeps the search index in `dir` instead of the default (beside a SQLite file; in
    /// memory for PostgreSQL). Call before the first search.
    pub fn with_index_dir(mut self, dir: PathBuf) -> Store {
        self.search = std::sync::Arc::new(crate::search::SearchIndex::new(Some(dir)));
        self
    }

    /// The ballot writer of this store (see `intake.rs`).
    pub(crate) fn intake(&self) -> &crate::intake::Intake {
        self.intake.get_or_init(|| crate::intake::Intake::start(self.pool.clone(), self.backend))
    }

    /// Vacuums the ballot box and the roll on PostgreSQL, in the background: the close's
    /// key-order rewrite leaves the old rows dead. Closes in a row share one vacuum (one runs,
    /// and one more after it if asked for meanwhile); a failure loses nothing.
    pub(crate) fn vacuum_box(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        if self.backend != Backend::Postgres {
            return;
        }
        self.vacuum.1.store(true, SeqCst);
        if self.vacuum.0.swap(true, SeqCst) {
            return;
        }
        let (pool, flags) = (self.pool.clone(), self.vacuum.clone());
        tokio::spawn(async move {
            while flags.1.swap(false, SeqCst) {
                let _ = sqlx::raw_sql("VACUUM (ANALYZE) ballots, vote_roll").execute(&pool).await;
            }
            flags.0.store(false, SeqCst);
        });
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A bound value. Kept to the types that travel identically through both drivers.
#[derive(Debug, Clone)]
pub enum V {
    I(i64),
    OI(Option<i64>),
    T(String),
    OT(Option<String>),
    B(Vec<u8>),
}

impl From<i64> for V {
    fn from(v: i64) -> V {
        V::I(v)
    }
}
impl From<Option<i64>> for V {
    fn from(v: Option<i64>) -> V {
        V::OI(v)
    }
}
impl From<String> for V {
    fn from(v: String) -> V {
        V::T(v)
    }
}
impl From<&str> for V {
    fn from(v: &str) -> V {
        V::T(v.to_string())
    }
}
impl From<&String> for V {
    fn from(v: &String) -> V {
        V::T(v.clone())
    }
}
impl From<Option<String>> for V {
    fn from(v: Option<String>) -> V {
        V::OT(v)
    }
}
impl From<Option<&str>> for V {
    fn from(v: Option<&str>) -> V {
        V::OT(v.map(str::to_string))
    }
}

/// A query assembled from fixed SQL fragments and bound values. Only fragments written in
/// this crate go into the SQL text; every user value is a bound parameter.
#[derive(Debug, Clone, Default)]
pub struct Q {
    pub sql: String,
    pub args: Vec<V>,
}

impl Q {
    pub fn new(sql: &'static str) -> Q {
        Q { sql: sql.to_string(), args: Vec::new() }
    }
    /// Appends a fragment; each `?` in it becomes the next `$n` and takes the next value.
    pub fn push(&mut self, frag: &'static str, vals: impl IntoIterator<Item = V>) -> &mut Self {
        let mut vals = vals.into_iter();
        for c in frag.chars() {
            if c == '?' {
                self.args.push(vals.next().unwrap_or(V::OT(None)));
                self.sql.push('$');
                self.sql.push_str(&self.args.len().to_string());
            } else {
                self.sql.push(c);
            }
        }
        self
    }
    /// A fixed head (with no placeholders of its own) followed by a shared WHERE clause, so a
    /// list's count and its page are built from one set of conditions.
    pub fn head_where(head: &'static str, w: &Q) -> Q {
        Q { sql: format!("{head}{}", w.sql), args: w.args.clone() }
    }
    /// Appends a fragment chosen from a fixed list by the caller (an ORDER BY column…).
    pub fn push_raw(&mut self, frag: &'static str) -> &mut Self {
        self.sql.push_str(frag);
        self
    }
    /// `IN ($a, $b, …)` for a list of ids; an empty list matches nothing.
    pub fn push_in(&mut self, ids: &[i64]) -> &mut Self {
        if ids.is_empty() {
            self.sql.push_str("(NULL)");
            return self;
        }
        self.sql.push('(');
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.sql.push(',');
            }
            self.args.push(V::I(*id));
            self.sql.push('$');
            self.sql.push_str(&self.args.len().to_string());
        }
        self.sql.push(')');
        self
    }
    pub fn build(&self) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(AssertSqlSafe(self.sql.clone()));
        for a in &self.args {
            q = match a {
                V::I(v) => q.bind(*v),
                V::OI(v) => q.bind(*v),
                V::T(v) => q.bind(v.clone()),
                V::OT(v) => q.bind(v.clone()),
                V::B(v) => q.bind(v.clone()),
            };
        }
        q
    }
}

/// Inserts rows of values in multi-row statements of `per` rows each (`head` ends with
/// `VALUES`). Used by bulk loads (the demo), where one statement per row would be slow.
pub async fn insert_rows<const N: usize>(conn: &mut sqlx::AnyConnection, head: &'static str, rows: &[[V; N]], per: usize) -> Result<()> {
    for chunk in rows.chunks(per) {
        let mut qq = Q::new(head);
        for (i, row) in chunk.iter().enumerate() {
            qq.push_raw(if i == 0 { " (" } else { ", (" });
            for (j, v) in row.iter().enumerate() {
                qq.push(if j == 0 { "?" } else { ", ?" }, [v.clone()]);
            }
            qq.push_raw(")");
        }
        qq.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Shorthand for a query with positional arguments: `q("… $1 … $2", [a.into(), b.into()])`.
pub fn q<const N: usize>(sql: &'static str, args: [V; N]) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    let mut qq = sqlx::query(sql);
    for a in args {
        qq = match a {
            V::I(v) => qq.bind(v),
            V::OI(v) => qq.bind(v),
            V::T(v) => qq.bind(v),
            V::OT(v) => qq.bind(v),
            V::B(v) => qq.bind(v),
        };
    }
    qq
}

/// Reading columns by name with the error mapped once.
pub trait RowExt {
    fn i(&self, col: &str) -> i64;
    fn oi(&self, col: &str) -> Option<i64>;
    fn s(&self, col: &str) -> String;
    fn os(&self, col: &str) -> Option<String>;
}

impl RowExt for AnyRow {
    // A column missing or of the wrong type is a programming error caught by the
    // conformance tests, so a default is returned rather than a panic in production.
    fn i(&self, col: &str) -> i64 {
        self.try_get::<i64, _>(col).unwrap_or_default()
    }
    fn oi(&self, col: &str) -> Option<i64> {
        self.try_get::<Option<i64>, _>(col).ok().flatten()
    }
    fn s(&self, col: &str) -> String {
        self.try_get::<Option<String>, _>(col).ok().flatten().unwrap_or_default()
    }
    fn os(&self, col: &str) -> Option<String> {
        self.try_get::<Option<String>, _>(col).ok().flatten()
    }
}

/// Escapes a user's search text for LIKE (`%`, `_` and the escape character itself).
pub fn like_pattern(s: &str) -> String {
    let mut out = String::from("%");
    for c in s.trim().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        assert!(matches!(DbUrl::parse("sqlite://data/x.db").unwrap(), DbUrl::Sqlite(p) if p == Path::new("data/x.db")));
        assert!(matches!(DbUrl::parse("sqlite:x.db?mode=rwc").unwrap(), DbUrl::Sqlite(p) if p == Path::new("x.db")));
        assert!(DbUrl::parse("postgres://u:secret@127.0.0.1/db").is_ok());
        assert!(DbUrl::parse("mysql://localhost/db").is_err());
        assert!(DbUrl::parse("data/x.db").is_err());
        assert!(DbUrl::parse("sqlite::memory:").is_err());
        let u = DbUrl::parse("postgres://u:secret@127.0.0.1/db").unwrap();
        assert_eq!(u.redacted(), "postgres://u:***@127.0.0.1/db");
        assert!(!format!("{u:?}").contains("secret"));
    }

    #[test]
    fn the_builder_numbers_placeholders() {
        let mut q = Q::new("SELECT * FROM t WHERE a = 1");
        q.push(" AND b = ? AND c LIKE ?", [V::I(3), V::T("x".into())]).push_raw(" AND d IN ").push_in(&[4, 5]);
        assert_eq!(q.sql, "SELECT * FROM t WHERE a = 1 AND b = $1 AND c LIKE $2 AND d IN ($3,$4)");
        assert_eq!(q.args.len(), 4);
        assert_eq!(like_pattern("5%_"), "%5\\%\\_%");
    }
}
