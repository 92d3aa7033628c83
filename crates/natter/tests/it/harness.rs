//! Starts the real server in-process on a random port, on SQLite or a fresh PostgreSQL database,
//! and speaks HTTP to it.

use std::path::PathBuf;
use std::sync::Arc;

use natter::config::{AppConfig, ServerConfig};
use natter_core::{AppSettings, Clock, CustomFieldKind, CustomProfileField};
use serde_json::Value;

pub const APP: u64 = 1_400_000_000;
pub const OTHER_APP: u64 = 1_400_000_001;
pub const KEY: &str = "test-secret-key";
pub const ADMIN: &str = "administrator";

#[derive(Clone, Copy, Debug)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub struct TestServer {
    pub base: String,
    pub clock: Arc<Clock>,
    pub client: reqwest::Client,
    pub config: ServerConfig,
    running: Option<natter::Running>,
    _dir: Option<tempfile::TempDir>,
}

fn declared(sdkappid: u64, names: &[&str]) -> Vec<natter_core::CustomDataField> {
    if sdkappid != OTHER_APP {
        return Vec::new();
    }
    names
        .iter()
        .map(|n| natter_core::CustomDataField {
            name: (*n).into(),
            max_bytes: 8,
        })
        .collect()
}

pub fn app_settings(sdkappid: u64) -> AppSettings {
    // The default app declares custom profile and friend fields and takes any group data key;
    // the other app is the reverse, so both sides of the one custom-field policy are tested.
    let declares_fields = sdkappid != OTHER_APP;
    let fields = |list: Vec<CustomProfileField>| if declares_fields { list } else { Vec::new() };
    AppSettings {
        sdkappid,
        secret_key: KEY.into(),
        admins: vec![ADMIN.into(), "second_admin".into()],
        custom_profile_fields: fields(vec![
            CustomProfileField {
                name: "Hobby".into(),
                kind: CustomFieldKind::String,
                max_bytes: 20,
            },
            CustomProfileField {
                name: "Score".into(),
                kind: CustomFieldKind::Integer,
                max_bytes: 500,
            },
        ]),
        rate_limits: [
            ("im_open_login_svc/account_import".to_owned(), 0),
            ("group_open_http_svc/get_appid_group_list".to_owned(), 0),
        ]
        .into_iter()
        .collect(),
        history_retention_days: 0,
        custom_friend_fields: fields(vec![
            CustomProfileField {
                name: "Test".into(),
                kind: CustomFieldKind::String,
                max_bytes: 20,
            },
            CustomProfileField {
                name: "Rank".into(),
                kind: CustomFieldKind::Integer,
                max_bytes: 500,
            },
        ]),
        c2c_friend_check: false,
        blocked_send_fails: false,
        custom_group_fields: declared(sdkappid, &["Color", "Level"]),
        custom_member_fields: declared(sdkappid, &["Seat"]),
        login_policy: natter_core::LoginPolicy::Unlimited,
        web_instances: 1,
        recall_window_secs: natter_core::DEFAULT_RECALL_WINDOW_SECS,
        local_words: vec![],
    }
}

pub fn test_config(data_dir: PathBuf, database_url: Option<String>) -> ServerConfig {
    ServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir,
        database_url,
        database_pool: natter_store::postgres::DEFAULT_POOL,
        tls: None,
        max_body_bytes: 64 * 1024,
        limits: natter::ConnectionLimits::default(),
        client_timeout: std::time::Duration::from_secs(90),
        max_pending_logins: 1000,
        max_viewers: 10_000,
        nats_url: None,
        cluster_name: "natter".into(),
        node_timeout: std::time::Duration::from_secs(15),
        emulator: true,
        import: None,
        export_on_exit: None,
        // No engines: a test that needs one names it (binfo_language.rs, binfo_covers.rs).
        engines: natter_services::engines::EngineConfig {
            transcribe_model: "whisper-1".into(),
            timeout: std::time::Duration::from_secs(30),
            ..Default::default()
        },
        apps: [APP, OTHER_APP]
            .into_iter()
            .map(|id| AppConfig {
                settings: app_settings(id),
                webhook: Default::default(),
                key_generated: false,
            })
            .collect(),
    }
}

impl TestServer {
    /// A server on `engine`. A PostgreSQL test runs only where `NATTER_TEST_POSTGRES` names a
    /// server (elsewhere it is marked ignored, see `build.rs`), so an unreachable server fails it.
    pub async fn start(engine: Engine) -> Self {
        Self::start_with(engine, |_| {}).await
    }

    pub async fn start_with(engine: Engine, adjust: impl FnOnce(&mut ServerConfig)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match engine {
            Engine::Sqlite => None,
            Engine::Postgres => Some(
                natter_store::conformance::fresh_postgres_url()
                    .await
                    .expect("a PostgreSQL test needs NATTER_TEST_POSTGRES=postgres://…"),
            ),
        };
        let mut config = test_config(dir.path().to_path_buf(), database_url);
        adjust(&mut config);
        Self::start_config(config, Some(dir)).await
    }

    pub async fn start_config(config: ServerConfig, dir: Option<tempfile::TempDir>) -> Self {
        let clock = Arc::new(Clock::system());
        let running = natter::start(&config, clock.clone()).await.unwrap();
        let scheme = if config.tls.is_some() {
            "https"
        } else {
            "http"
        };
        Self {
            base: format!("{scheme}://{}", running.addr),
            clock,
            client: reqwest::Client::new(),
            config,
            running: Some(running),
            _dir: dir,
        }
    }

    /// Stops the server and starts a new one on the same storage.
    pub async fn restart(&mut self) {
        self.running.take().unwrap().shutdown().await.unwrap();
        let running = natter::start(&self.config, self.clock.clone())
            .await
            .unwrap();
        self.base = format!("http://{}", running.addr);
        self.running = Some(running);
    }

    pub fn services(&self) -> &natter_services::Services {
        &self.running.as_ref().expect("server running").services
    }

    /// Starts a webhook receiver and points the default app's callbacks at it.
    pub async fn webhook_receiver(&self) -> crate::receiver::Receiver {
        let receiver = crate::receiver::Receiver::start().await;
        self.control(
            reqwest::Method::POST,
            "/_natter/webhooks/config",
            Some(serde_json::json!({"url": receiver.url})),
        )
        .await;
        receiver
    }

    /// Calls a control-plane endpoint as the admin of the default app.
    pub async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.client.request(
            method,
            format!("{}{path}?{}", self.base, self.admin_query()),
        );
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        request.send().await.unwrap().json().await.unwrap()
    }

    pub fn sig(&self, identifier: &str) -> String {
        natter_usersig::generate(
            APP,
            KEY,
            identifier,
            86_400,
            self.clock.now_secs() as u64,
            None,
        )
    }

    pub fn admin_query(&self) -> String {
        self.admin_query_for(APP)
    }

    pub fn admin_query_for(&self, app: u64) -> String {
        let sig =
            natter_usersig::generate(app, KEY, ADMIN, 86_400, self.clock.now_secs() as u64, None);
        format!("sdkappid={app}&identifier={ADMIN}&usersig={sig}&random=99999999&contenttype=json")
    }

    /// POSTs `body` to `/v4/<api>` as the admin of the default app.
    pub async fn call(&self, api: &str, body: Value) -> Value {
        self.call_with_query(api, &self.admin_query(), body.to_string())
            .await
    }

    pub async fn call_with_query(
        &self,
        api: &str,
        query: &str,
        body: impl Into<reqwest::Body>,
    ) -> Value {
        let response = self
            .client
            .post(format!("{}/v4/{api}?{query}", self.base))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            200,
            "Tencent answers HTTP 200 for every outcome"
        );
        response.json().await.unwrap()
    }

    /// Calls and asserts success; returns the reply.
    pub async fn ok(&self, api: &str, body: Value) -> Value {
        let reply = self.call(api, body).await;
        assert_eq!(reply["ActionStatus"], "OK", "{api}: {reply}");
        assert_eq!(reply["ErrorCode"], 0, "{api}: {reply}");
        reply
    }

    /// Calls and asserts failure with `code`; returns the reply.
    pub async fn fails(&self, api: &str, body: Value, code: u32) -> Value {
        let reply = self.call(api, body).await;
        assert_eq!(reply["ActionStatus"], "FAIL", "{api}: {reply}");
        assert_eq!(reply["ErrorCode"], code, "{api}: {reply}");
        assert!(
            !reply["ErrorInfo"].as_str().unwrap().is_empty(),
            "{api}: ErrorInfo must explain: {reply}"
        );
        reply
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = running.stopper().send(true);
        }
    }
}

/// Declares one test per storage engine: `mod name { sqlite, postgres }`. The PostgreSQL one is
/// reported as ignored where `NATTER_TEST_POSTGRES` is not set.
#[macro_export]
macro_rules! on_both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)(TestServer::start(Engine::Sqlite).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(natter_test_postgres),
                ignore = "set NATTER_TEST_POSTGRES=postgres://… to run"
            )]
            async fn postgres() {
                ($body)(TestServer::start(Engine::Postgres).await).await;
            }
        }
    };
}
