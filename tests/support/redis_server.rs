//! Redis servers a test owns: a single server (so a test may FLUSHALL without touching anyone
//! else's keys) or a 3-node cluster, from the machine's `redis-server`, on free loopback ports,
//! killed on `Drop`.

use std::time::Duration;

use tokio::process::{Child, Command};

use crate::wait_until;

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("addr").port()
}

/// A `redis-server` child process.
pub struct RedisServer {
    /// Its port.
    pub port: u16,
    _child: Child,
    _dir: Option<std::path::PathBuf>,
}

impl RedisServer {
    async fn spawn(extra: &[&str], dir: Option<std::path::PathBuf>) -> RedisServer {
        let port = free_port();
        let mut cmd = Command::new("redis-server");
        cmd.args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .args(extra)
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true);
        if let Some(d) = &dir {
            cmd.args(["--dir", &d.display().to_string()]);
        }
        let child = cmd.spawn().expect("start redis-server");
        let url = format!("redis://127.0.0.1:{port}");
        wait_until(Duration::from_secs(10), "redis-server to answer", || async {
            let c = redis::Client::open(url.as_str()).ok()?;
            let mut conn = c.get_multiplexed_async_connection().await.ok()?;
            redis::cmd("PING").query_async::<String>(&mut conn).await.ok()
        })
        .await;
        RedisServer {
            port,
            _child: child,
            _dir: dir,
        }
    }

    /// A standalone server.
    pub async fn start() -> RedisServer {
        Self::spawn(&[], None).await
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// FLUSHALL: every key of every user of this server is gone.
    pub async fn flushall(&self) {
        let c = redis::Client::open(self.url()).expect("url");
        let mut conn = c.get_multiplexed_async_connection().await.expect("connect");
        let _: () = redis::cmd("FLUSHALL").query_async(&mut conn).await.expect("FLUSHALL");
    }
}

/// A 3-master Redis Cluster on loopback.
pub struct RedisCluster {
    /// The nodes.
    pub nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts three nodes and joins them into a cluster.
    pub async fn start() -> RedisCluster {
        let mut nodes = Vec::new();
        for _ in 0..3 {
            let dir = std::env::temp_dir().join(format!("cm-cluster-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&dir).expect("cluster dir");
            nodes.push(
                RedisServer::spawn(
                    &["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"],
                    Some(dir),
                )
                .await,
            );
        }
        let addrs: Vec<String> = nodes.iter().map(|n| format!("127.0.0.1:{}", n.port)).collect();
        let status = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addrs)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(std::process::Stdio::null())
            .status()
            .await
            .expect("redis-cli --cluster create");
        assert!(status.success(), "cluster create failed");
        for n in &nodes {
            let url = n.url();
            wait_until(Duration::from_secs(20), "the cluster to be ok", || async {
                let c = redis::Client::open(url.as_str()).ok()?;
                let mut conn = c.get_multiplexed_async_connection().await.ok()?;
                let info: String = redis::cmd("CLUSTER").arg("INFO").query_async(&mut conn).await.ok()?;
                info.contains("cluster_state:ok").then_some(())
            })
            .await;
        }
        RedisCluster { nodes }
    }

    /// Seed node URLs.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }
}
