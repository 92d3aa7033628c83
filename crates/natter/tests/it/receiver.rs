//! A real HTTP server standing in for the app backend that receives webhooks.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct Received {
    pub query: HashMap<String, String>,
    /// Query parameter names in the order they came.
    pub query_order: Vec<String>,
    pub body: Value,
    pub content_type: Option<String>,
}

/// How the receiver answers the next request.
#[derive(Debug, Clone)]
pub enum Answer {
    Json(Value),
    Status(u16),
    /// Sleeps this long before answering OK (to provoke a timeout).
    Slow(Duration),
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    script: VecDeque<Answer>,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

async fn handle(
    State(inner): State<Arc<Mutex<Inner>>>,
    RawQuery(query): RawQuery,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let received = Received {
        query_order: pairs.iter().map(|(k, _)| k.clone()).collect(),
        query: pairs.into_iter().collect(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let answer = {
        let mut inner = inner.lock().unwrap();
        inner.received.push(received);
        inner.script.pop_front()
    };
    let ok = json!({"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""});
    match answer {
        None => axum::Json(ok).into_response(),
        Some(Answer::Json(v)) => axum::Json(v).into_response(),
        Some(Answer::Status(code)) => StatusCode::from_u16(code).unwrap().into_response(),
        Some(Answer::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            axum::Json(ok).into_response()
        }
    }
}

impl Receiver {
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/im/callback", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, inner }
    }

    /// The same receiver over HTTPS that demands a client certificate issued by `client_ca_pem`
    /// (mutual TLS, as Tencent's legacy callback authentication).
    pub async fn start_mutual_tls(cert_pem: &str, key_pem: &str, client_ca_pem: &str) -> Self {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(client_ca_pem.as_bytes()).unwrap())
            .unwrap();
        let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots))
            .build()
            .unwrap();
        let mut config = rustls::ServerConfig::builder()
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![CertificateDer::from_pem_slice(cert_pem.as_bytes()).unwrap()],
                PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).unwrap(),
            )
            .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(inner.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!(
            "https://127.0.0.1:{}/im/callback",
            listener.local_addr().unwrap().port()
        );
        let tls = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config));
        let server = axum_server::from_tcp_rustls(listener, tls).unwrap();
        tokio::spawn(async move { server.serve(app.into_make_service()).await.unwrap() });
        Self { url, inner }
    }

    /// Queues answers for the next requests (then plain OK again).
    pub fn script(&self, answers: impl IntoIterator<Item = Answer>) {
        self.inner.lock().unwrap().script.extend(answers);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// Waits until `n` requests of `command` arrived (at most 10 s) and returns them.
    pub async fn wait_for(&self, command: &str, n: usize) -> Vec<Received> {
        for _ in 0..1000 {
            let got: Vec<Received> = self
                .received()
                .into_iter()
                .filter(|r| r.query.get("CallbackCommand").map(String::as_str) == Some(command))
                .collect();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{n} × {command} did not arrive; got {:?}", self.received());
    }

    /// How many requests of `command` came once `server` has delivered every callback it
    /// recorded (its outbox has drained and nothing is in flight): "none came" means none will.
    pub async fn settled_count(&self, server: &crate::harness::TestServer, command: &str) -> usize {
        server
            .services()
            .webhooks
            .drain()
            .await
            .expect("draining the webhook outbox");
        self.received()
            .iter()
            .filter(|r| r.query.get("CallbackCommand").map(String::as_str) == Some(command))
            .count()
    }
}
