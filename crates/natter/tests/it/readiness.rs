//! `/_natter/health` (readiness) answers 503 naming what is down; `/_natter/live` (liveness)
//! stays 200 whatever the dependencies do.

use std::time::Duration;

use serde_json::Value;

use crate::harness::*;

async fn get(server: &TestServer, path: &str) -> (u16, Value) {
    let response = server
        .client
        .get(format!("{}{path}", server.base))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Polls the readiness check until it answers `status` (the state of a dependency changes in
/// the background: a lost link is noticed, a reconnect happens), for at most a minute.
async fn health_becomes(server: &TestServer, status: u16) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (now, body) = get(server, "/_natter/health").await;
        if now == status {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "health stayed {now}, not {status}: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_working_node_is_ready_and_alive() {
    let server = TestServer::start(Engine::Sqlite).await;
    let (status, health) = get(&server, "/_natter/health").await;
    assert_eq!(status, 200, "{health}");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["checks"]["store"], "ok");
    assert_eq!(health["down"], serde_json::json!([]));
    assert!(health["checks"].get("nats").is_none(), "{health}");
    let (status, live) = get(&server, "/_natter/live").await;
    assert_eq!((status, &live["status"]), (200, &"alive".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(natter_test_postgres),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… to run"
)]
async fn a_lost_database_makes_the_node_unready_but_alive() {
    let server = TestServer::start(Engine::Postgres).await;
    assert_eq!(health_becomes(&server, 200).await["checks"]["store"], "ok");
    let url = server.config.database_url.clone().unwrap();
    natter_store::conformance::drop_postgres_database(&url).await;
    let health = health_becomes(&server, 503).await;
    assert_eq!(health["status"], "down");
    assert_eq!(health["down"], serde_json::json!(["store"]), "{health}");
    assert!(health["checks"]["store"]
        .as_str()
        .unwrap()
        .starts_with("down"));
    let (status, _) = get(&server, "/_natter/live").await;
    assert_eq!(status, 200);
}

/// A NATS server of the test's own (the shared one must stay up for other tests), on a free port.
struct OwnNats {
    child: std::process::Child,
    port: u16,
}

impl OwnNats {
    /// A NATS with JetStream (a cluster node keeps presence in its key-value store), storing in
    /// `store` so a restart keeps the buckets.
    fn start(port: u16, store: &std::path::Path) -> Self {
        let binary = [
            "/usr/sbin/nats-server",
            "/usr/bin/nats-server",
            "nats-server",
        ]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok()
        })
        .expect("this test needs the nats-server binary (Debian's nats-server package)");
        let child = std::process::Command::new(binary)
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
            .arg(store)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starting nats-server");
        Self { child, port }
    }

    async fn wait_until_listening(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "nats-server did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnNats {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(natter_test_postgres, natter_test_nats)),
    ignore = "set NATTER_TEST_POSTGRES=postgres://… and NATTER_TEST_NATS=nats://… to run"
)]
async fn a_lost_nats_link_makes_a_cluster_node_unready_until_it_is_back() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = tempfile::tempdir().unwrap();
    let mut nats = OwnNats::start(port, store.path());
    nats.wait_until_listening().await;
    let server = TestServer::start_with(Engine::Postgres, |config| {
        config.nats_url = Some(format!("nats://127.0.0.1:{port}"));
    })
    .await;
    let health = health_becomes(&server, 200).await;
    assert_eq!(health["checks"]["nats"], "ok", "{health}");

    nats.stop();
    let health = health_becomes(&server, 503).await;
    assert_eq!(health["down"], serde_json::json!(["nats"]), "{health}");
    assert_eq!(get(&server, "/_natter/live").await.0, 200);

    let nats = OwnNats::start(port, store.path());
    nats.wait_until_listening().await;
    let health = health_becomes(&server, 200).await;
    assert_eq!(health["checks"]["nats"], "ok", "{health}");
}
