//! A database per test: created from `TEST_DATABASE_URL`'s server, migrated, dropped on `Drop`.

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};

/// Admin URL (a role that may CREATE DATABASE).
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://claudomator:claudomator@127.0.0.1:5432/claudomator".into())
}

fn url_with_db(base: &str, db: &str) -> String {
    let (head, _) = base.rsplit_once('/').expect("TEST_DATABASE_URL has a path");
    format!("{head}/{db}")
}

/// One test's database.
pub struct TestDb {
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
    /// A pool for the test's own queries.
    pub pool: PgPool,
}

impl TestDb {
    /// Creates and migrates a fresh database.
    pub async fn create() -> TestDb {
        let name = format!("cm_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&admin_url())
            .await
            .expect("connect to TEST_DATABASE_URL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let url = url_with_db(&admin_url(), &name);
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect(&url)
            .await
            .expect("connect test db");
        shared::store::MIGRATOR.run(&pool).await.expect("migrate test db");
        TestDb { name, url, pool }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async context; do the cleanup on a thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect(&admin_url()).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                }
            });
        })
        .join();
    }
}
