//! One Redis connection type for both deployments: a single server (auto-reconnecting
//! `ConnectionManager`) or a Redis Cluster (`ClusterConnection`). Both multiplex commands over
//! few sockets, so they are cloned rather than pooled; blocking reads get their own connection
//! with a longer response timeout (a BLOCK on a shared connection would stall everyone else).

use std::time::Duration;

use anyhow::Context as _;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

/// Where Redis is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisTarget {
    /// One server.
    Single(String),
    /// Seed nodes of a cluster.
    Cluster(Vec<String>),
}

/// A connection to a single server or a cluster.
#[derive(Clone)]
pub enum RedisConn {
    /// Single server.
    Single(ConnectionManager),
    /// Cluster.
    Cluster(ClusterConnection),
}

impl std::fmt::Debug for RedisConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RedisConn::Single(_) => "RedisConn::Single",
            RedisConn::Cluster(_) => "RedisConn::Cluster",
        })
    }
}

impl RedisConn {
    /// Connects with the given response timeout.
    pub async fn connect(target: &RedisTarget, response_timeout: Duration) -> anyhow::Result<RedisConn> {
        match target {
            RedisTarget::Single(url) => {
                let client = redis::Client::open(url.as_str()).context("REDIS_URL is not a valid Redis URL")?;
                let cfg = ConnectionManagerConfig::new()
                    .set_response_timeout(Some(response_timeout))
                    .set_connection_timeout(Some(Duration::from_secs(5)))
                    .set_number_of_retries(3)
                    .set_max_delay(Duration::from_secs(2));
                let conn = client
                    .get_connection_manager_with_config(cfg)
                    .await
                    .context("connecting to Redis")?;
                Ok(RedisConn::Single(conn))
            }
            RedisTarget::Cluster(nodes) => {
                let client = redis::cluster::ClusterClientBuilder::new(nodes.clone())
                    .response_timeout(response_timeout)
                    .connection_timeout(Duration::from_secs(5))
                    .build()
                    .context("REDIS_URL does not list valid cluster nodes")?;
                let conn = client
                    .get_async_connection()
                    .await
                    .context("connecting to Redis Cluster")?;
                Ok(RedisConn::Cluster(conn))
            }
        }
    }
}

impl ConnectionLike for RedisConn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            RedisConn::Single(c) => c.req_packed_command(cmd),
            RedisConn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            RedisConn::Single(c) => c.req_packed_commands(pipeline, offset, count),
            RedisConn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            RedisConn::Single(c) => c.get_db(),
            RedisConn::Cluster(c) => c.get_db(),
        }
    }
}
