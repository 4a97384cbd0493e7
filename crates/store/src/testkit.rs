//! Throw-away databases for tests: a SQLite file in a temporary folder, and a fresh
//! PostgreSQL database per test. The same test body runs against both (see [`db_test!`]).
//!
//! PostgreSQL is found at `LIANXIN_TEST_PG_URL` (default: the local server on 127.0.0.1:5432,
//! user postgres). If it cannot be reached the PostgreSQL half is skipped with a message,
//! unless `LIANXIN_REQUIRE_PG=1` (CI sets it), in which case the test fails.

use crate::db::{DbUrl, Open, Store};
use std::path::PathBuf;

pub struct TestDb {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Pg { admin_url: String, name: String },
}

fn random_suffix() -> String {
    let mut b = [0u8; 6];
    let _ = getrandom::fill(&mut b);
    lianxin_domain::audit::hex(&b)
}

pub fn pg_admin_url() -> String {
    std::env::var("LIANXIN_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("lianxin-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("test.db");
        let url = format!("sqlite://{}", path.display());
        let store = Store::connect(&DbUrl::parse(&url).expect("url"), Open::CreateIfMissing).await.expect("sqlite");
        crate::migrate::run(&store).await.expect("migrate");
        TestDb { store, url, cleanup: Cleanup::Dir(dir) }
    }

    /// A fresh PostgreSQL database, or `None` when no server is reachable and none is required.
    pub async fn postgres() -> Option<TestDb> {
        sqlx::any::install_default_drivers();
        let admin_url = pg_admin_url();
        let required = std::env::var("LIANXIN_REQUIRE_PG").map(|v| v == "1").unwrap_or(false);
        let admin = match sqlx::AnyPool::connect(&admin_url).await {
            Ok(p) => p,
            Err(e) => {
                assert!(!required, "PostgreSQL is required (LIANXIN_REQUIRE_PG=1) but unreachable at {admin_url}: {e}");
                eprintln!("note: PostgreSQL half skipped ({e}); set LIANXIN_TEST_PG_URL");
                return None;
            }
        };
        let name = format!("lianxin_t_{}", random_suffix());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.expect("create database");
        admin.close().await;
        let url = replace_db(&admin_url, &name);
        let store = Store::connect(&DbUrl::parse(&url).expect("url"), Open::Existing).await.expect("postgres");
        crate::migrate::run(&store).await.expect("migrate");
        Some(TestDb { store, url, cleanup: Cleanup::Pg { admin_url, name } })
    }

    pub async fn drop_db(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::Dir(d) => {
                let _ = std::fs::remove_dir_all(d);
            }
            Cleanup::Pg { admin_url, name } => {
                if let Ok(admin) = sqlx::AnyPool::connect(&admin_url).await {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(&admin).await;
                    admin.close().await;
                }
            }
        }
    }
}

/// The same server URL with another database name.
pub fn replace_db(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// Declares a test that runs once on SQLite and once on PostgreSQL:
/// `db_test!(name, |store| async move { … });`
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$store:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testkit::TestDb::sqlite().await;
                {
                    let $store = db.store.clone();
                    $body.await;
                }
                db.drop_db().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = $crate::testkit::TestDb::postgres().await else { return };
                {
                    let $store = db.store.clone();
                    $body.await;
                }
                db.drop_db().await;
            }
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_name() {
        assert_eq!(super::replace_db("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
        assert_eq!(super::replace_db("postgres://u@h/postgres?sslmode=disable", "x"), "postgres://u@h/x?sslmode=disable");
        assert_eq!(super::replace_db("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
