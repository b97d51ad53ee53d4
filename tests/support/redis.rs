//! A Redis key prefix per test; every key under it is deleted on `Drop`.

/// Redis URL for tests (single server).
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Where the suite's Redis is: `TEST_REDIS_CLUSTER_NODES` (comma-separated seed URLs) runs the
/// whole suite against a cluster; otherwise the single server of `TEST_REDIS_URL`.
pub fn redis_target() -> shared::queue::RedisTarget {
    match std::env::var("TEST_REDIS_CLUSTER_NODES") {
        Ok(nodes) if !nodes.trim().is_empty() => {
            shared::queue::RedisTarget::Cluster(nodes.split(',').map(|s| s.trim().to_owned()).collect())
        }
        _ => shared::queue::RedisTarget::Single(redis_url()),
    }
}

/// The node URLs to clean up keys on (every node of a cluster).
fn node_urls() -> Vec<String> {
    match redis_target() {
        shared::queue::RedisTarget::Cluster(n) => n,
        shared::queue::RedisTarget::Single(u) => vec![u],
    }
}

/// One test's key space.
pub struct TestRedis {
    /// The prefix.
    pub prefix: String,
}

impl TestRedis {
    /// A fresh prefix.
    pub fn new() -> TestRedis {
        TestRedis {
            prefix: format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..12]),
        }
    }

    /// A plain connection for assertions and fault injection.
    pub async fn conn(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(redis_url())
            .expect("TEST_REDIS_URL")
            .get_multiplexed_async_connection()
            .await
            .expect("connect to Redis")
    }

    /// Deletes every key under the prefix (a flush limited to this test's key space).
    pub async fn flush(&self) {
        delete_prefix(&self.prefix).await;
    }
}

impl Default for TestRedis {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestRedis {
    fn drop(&mut self) {
        let prefix = self.prefix.clone();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(delete_prefix(&prefix));
        })
        .join();
    }
}

async fn delete_prefix(prefix: &str) {
    // Node by node and key by key: on a cluster node a multi-key DEL across slots is refused.
    for url in node_urls() {
        let Ok(client) = redis::Client::open(url) else { continue };
        let Ok(mut c) = client.get_multiplexed_async_connection().await else {
            continue;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{prefix}:*"))
            .query_async(&mut c)
            .await
            .unwrap_or_default();
        for k in keys {
            let _: Result<(), _> = redis::cmd("DEL").arg(k).query_async(&mut c).await;
        }
    }
}
