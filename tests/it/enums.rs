//! Every Rust enum variant round-trips through its Postgres enum label.

use shared::domain::{AgentKind, Priority, Role, TaskState};
use tests::TestDb;

#[tokio::test]
async fn every_variant_round_trips_through_the_database() {
    let db = TestDb::create().await;
    for st in TaskState::ALL {
        let back: String = sqlx::query_scalar("SELECT $1::task_state::text")
            .bind(st.as_str())
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(back.parse::<TaskState>().unwrap(), st);
    }
    for a in AgentKind::ALL {
        let back: String = sqlx::query_scalar("SELECT $1::agent_kind::text")
            .bind(a.as_str())
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(back.parse::<AgentKind>().unwrap(), *a);
    }
    for p in Priority::ALL {
        let back: String = sqlx::query_scalar("SELECT $1::task_priority::text")
            .bind(p.as_str())
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(back.parse::<Priority>().unwrap(), *p);
    }
    for r in Role::ALL {
        let back: String = sqlx::query_scalar("SELECT $1::token_role::text")
            .bind(r.as_str())
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(back.parse::<Role>().unwrap(), *r);
    }
    let roles: Vec<String> = sqlx::query_scalar("SELECT unnest(enum_range(NULL::token_role))::text")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(roles.len(), Role::ALL.len());
    // And the database has no label Rust does not know.
    let labels: Vec<String> = sqlx::query_scalar("SELECT unnest(enum_range(NULL::task_state))::text")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(labels.len(), TaskState::ALL.len());
}
