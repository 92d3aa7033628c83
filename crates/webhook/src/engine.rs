//! The webhook engine: sends before-callbacks synchronously and delivers after-callbacks from the
//! durable outbox.
//!
//! After-callbacks are written by the services into the outbox in the same transaction as the
//! change they report. A delivery loop claims due events (the oldest pending event of each order
//! key, so one conversation's or group's callbacks arrive in order), POSTs them, and removes them
//! on success; a failure is retried with exponential backoff when the app enabled retries, and an
//! event whose attempts are exhausted becomes a dead letter, visible in the control plane. Nothing
//! is kept only in memory, so a restart loses nothing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use natter_core::{AppId, Clock};
use natter_store::{OutboxEntry, OutboxEvent, Store, StoreResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{watch, Notify};

use crate::config::{FailurePolicy, WebhookConfig};
use crate::log::{Delivery, DeliveryLog};
use crate::payloads::responses::{CallbackResponse, Verdict};
use crate::payloads::Payload;
use crate::{commands, sign};

/// How long a claimed event stays invisible to other delivery loops (other nodes).
const LEASE_MS: i64 = 30_000;
/// Most events one delivery round claims.
const CLAIM_BATCH: usize = 256;
/// How often the loop looks for due retries and other nodes' events without being woken.
const POLL: Duration = Duration::from_millis(500);

/// Who caused an event: `OptPlatform` and `ClientIP` in the callback URL.
#[derive(Debug, Clone)]
pub struct Origin {
    pub client_ip: String,
    /// `RESTAPI` for REST calls, the client's platform otherwise.
    pub platform: String,
    /// The client connection the action came from, so that what it causes is not echoed back
    /// to that connection. Never sent to the app.
    pub connection: Option<u64>,
}

/// `OptPlatform` of everything done through the REST API.
pub const REST_PLATFORM: &str = "RESTAPI";

impl Origin {
    pub fn rest(client_ip: impl ToString) -> Self {
        Self {
            client_ip: client_ip.to_string(),
            platform: REST_PLATFORM.into(),
            connection: None,
        }
    }

    /// A user's action from a client on `platform` (`iOS`, `Android`, `Web`, ...).
    pub fn client(client_ip: impl ToString, platform: impl Into<String>) -> Self {
        Self {
            client_ip: client_ip.to_string(),
            platform: platform.into(),
            connection: None,
        }
    }
}

/// Injected faults for the emulator: the next `count` deliveries of a command fail or time out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    Fail,
    Timeout,
}

/// What a before-callback decided.
#[derive(Debug, Clone, PartialEq)]
pub enum BeforeOutcome {
    /// Go ahead; the reply (when one came) may carry rewrites the caller applies.
    Allow(Option<Value>),
    /// `ErrorCode` 1: refuse with the API's documented code.
    Deny { info: String },
    /// `ErrorCode` 2 (messages): pretend success, store and deliver nothing.
    Discard,
    /// Another code: refuse with that code and the app's `ErrorInfo`.
    Custom { code: i64, info: String },
}

/// A before-callback's answer, undecided.
#[derive(Debug, Clone, PartialEq)]
pub enum Asked {
    /// The app does not want this callback.
    Off,
    /// The app answered with a well-formed envelope.
    Replied(Value),
    /// No usable answer (timeout, HTTP error, not JSON): the app's failure policy applies.
    Failed(FailurePolicy),
}

struct AppHooks {
    config: Arc<WebhookConfig>,
    client: reqwest::Client,
}

pub struct Webhooks {
    apps: RwLock<HashMap<AppId, AppHooks>>,
    store: Arc<dyn Store>,
    clock: Arc<Clock>,
    log: DeliveryLog,
    wake: Notify,
    faults: Mutex<HashMap<(AppId, String), (FaultKind, u32)>>,
    /// Held while outbox events are claimed and counted in flight, so [`drain`](Self::drain)
    /// sees every claim of this node either before or after it.
    claiming: tokio::sync::Mutex<()>,
    in_flight: InFlight,
    /// The node's operations counters (`getappinfo`): created here, the lowest layer that
    /// counts (callbacks sent and answered), and shared with the services.
    ops: Arc<natter_core::ops::Recorder>,
}

/// Deliveries of this node that were claimed (or, for notifications, started) and have not
/// settled yet.
#[derive(Default)]
struct InFlight {
    count: AtomicUsize,
    /// Deliveries settled so far; [`Webhooks::drain`] sees from it that one settled meanwhile.
    settled: AtomicU64,
    settled_now: Notify,
}

/// Settles one delivery counted in flight (by [`Webhooks::claim`] or `notify_now`) when it is
/// dropped: finished, failed or cancelled.
struct Flying<'a>(&'a InFlight);

impl Drop for Flying<'_> {
    fn drop(&mut self) {
        self.0.settled.fetch_add(1, Ordering::SeqCst);
        self.0.count.fetch_sub(1, Ordering::SeqCst);
        self.0.settled_now.notify_waiters();
    }
}

/// What one HTTP attempt came to.
struct Attempt {
    url: String,
    status: Option<u16>,
    response: Option<String>,
    latency: Duration,
    /// `Ok(reply JSON)` or `Err((outcome, error))`.
    result: Result<Value, (&'static str, String)>,
}

impl Webhooks {
    pub fn new(store: Arc<dyn Store>, clock: Arc<Clock>) -> Self {
        Self {
            apps: RwLock::new(HashMap::new()),
            store,
            log: DeliveryLog::default(),
            wake: Notify::new(),
            faults: Mutex::new(HashMap::new()),
            claiming: tokio::sync::Mutex::new(()),
            in_flight: InFlight::default(),
            ops: Arc::new(natter_core::ops::Recorder::new(clock.clone())),
            clock,
        }
    }

    /// The node's operations counters, which the services count into too.
    pub fn ops(&self) -> Arc<natter_core::ops::Recorder> {
        self.ops.clone()
    }

    /// Sets (or replaces, at run time) an app's webhook settings.
    pub fn configure(&self, app: AppId, config: WebhookConfig) -> Result<(), String> {
        crate::egress::check_source_ips(&config.source_ips)?;
        let client = http_client(&config)?;
        self.apps.write().expect("webhook config lock").insert(
            app,
            AppHooks {
                config: Arc::new(config),
                client,
            },
        );
        Ok(())
    }

    pub fn config(&self, app: AppId) -> Arc<WebhookConfig> {
        self.apps
            .read()
            .expect("webhook config lock")
            .get(&app)
            .map(|h| h.config.clone())
            .unwrap_or_default()
    }

    /// The addresses this app's callbacks leave from (`ConfigSvc/GetIPList`): the configured
    /// `source_ips`, else the host's outbound address towards its callback URL.
    pub async fn source_ips(&self, app: AppId) -> Vec<String> {
        let config = self.config(app);
        if !config.source_ips.is_empty() {
            return config.source_ips.clone();
        }
        crate::egress::outbound_addresses(config.url.as_deref()).await
    }

    fn client_and_config(&self, app: AppId) -> Option<(reqwest::Client, Arc<WebhookConfig>)> {
        let apps = self.apps.read().expect("webhook config lock");
        apps.get(&app).map(|h| (h.client.clone(), h.config.clone()))
    }

    pub fn is_on(&self, app: AppId, command: &str) -> bool {
        self.config(app).is_on(command)
    }

    /// The outbox row for an after-callback, or `None` when the app does not want it. The caller
    /// writes it in the same transaction as the change, then calls [`wake`](Self::wake).
    pub fn after<P: Payload>(
        &self,
        app: AppId,
        payload: &P,
        order_key: &str,
        origin: &Origin,
    ) -> Option<OutboxEvent> {
        if !self.is_on(app, P::COMMAND) {
            return None;
        }
        Some(OutboxEvent {
            command: P::COMMAND.to_owned(),
            order_key: order_key.to_owned(),
            body: payload.to_body().to_string(),
            client_ip: origin.client_ip.clone(),
            opt_platform: origin.platform.clone(),
        })
    }

    /// Tells the delivery loop that new outbox rows were committed.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Writes an after-callback that belongs to no stored change (a login, a member coming
    /// online in a live room) to the outbox on its own, and wakes delivery. A failure is
    /// logged: what it reports has happened already and cannot wait for it.
    pub async fn record_after<P: Payload>(
        &self,
        app: AppId,
        payload: &P,
        order_key: &str,
        origin: &Origin,
    ) {
        let Some(event) = self.after(app, payload, order_key, origin) else {
            return;
        };
        match self
            .store
            .enqueue_outbox(app, vec![event], self.clock.now_ms())
            .await
        {
            Ok(()) => self.wake(),
            Err(e) => {
                tracing::warn!(app, command = P::COMMAND, error = %e, "callback not recorded")
            }
        }
    }

    /// Sends a before-callback and waits (up to the timeout) for the app's decision.
    pub async fn before<P: Payload>(
        &self,
        app: AppId,
        payload: &P,
        origin: &Origin,
    ) -> BeforeOutcome {
        match self.ask(app, payload, origin).await {
            Asked::Off => BeforeOutcome::Allow(None),
            Asked::Replied(reply) => decide(reply),
            Asked::Failed(FailurePolicy::Allow) => BeforeOutcome::Allow(None),
            Asked::Failed(FailurePolicy::Deny) => BeforeOutcome::Deny {
                info: "the app's before-callback failed and its policy is to deny".into(),
            },
        }
    }

    /// Sends a before-callback and returns the app's answer as it came, for callbacks whose
    /// answer carries more than a verdict (per-item decisions).
    pub async fn ask<P: Payload>(&self, app: AppId, payload: &P, origin: &Origin) -> Asked {
        let Some((client, config)) = self.client_and_config(app) else {
            return Asked::Off;
        };
        if !config.is_on(P::COMMAND) {
            return Asked::Off;
        }
        let body = payload.to_body();
        let attempt = self
            .attempt(app, &client, &config, P::COMMAND, &body, origin)
            .await;
        let asked = match &attempt.result {
            Ok(reply) if serde_json::from_value::<CallbackResponse>(reply.clone()).is_ok() => {
                Asked::Replied(reply.clone())
            }
            _ => Asked::Failed(config.on_before_failure),
        };
        self.record(app, P::COMMAND, body, attempt, 1, None);
        asked
    }

    /// Sends a notification that records no change (`Alert.RequestOverLimit`) at once, in the
    /// background; it is logged like every delivery but not kept in the outbox.
    pub fn notify_now<P: Payload + Send + 'static>(
        self: &Arc<Self>,
        app: AppId,
        payload: P,
        origin: Origin,
    ) {
        let Some((client, config)) = self.client_and_config(app) else {
            return;
        };
        if !config.is_on(P::COMMAND) {
            return;
        }
        let this = self.clone();
        // Counted before it is spawned, so a drain that starts now waits for it.
        self.in_flight.count.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            let _flying = Flying(&this.in_flight);
            let body = payload.to_body();
            let attempt = this
                .attempt(app, &client, &config, P::COMMAND, &body, &origin)
                .await;
            this.record(app, P::COMMAND, body, attempt, 1, None);
        });
    }

    /// The newest deliveries of an app, newest first.
    pub fn recent_deliveries(&self, app: AppId) -> Vec<Delivery> {
        self.log.recent(app)
    }

    /// The newest dead letters of an app (after-callbacks whose attempts ran out).
    pub async fn dead_letters(
        &self,
        app: AppId,
        limit: usize,
    ) -> natter_store::StoreResult<Vec<natter_store::DeadLetter>> {
        self.store.dead_letters(app, limit).await
    }

    /// The deliveries logged after `after` (a [`Delivery::id`]), newest first.
    pub fn deliveries_since(&self, app: AppId, after: u64) -> Vec<Delivery> {
        self.log.since(app, after)
    }

    /// The id of the newest delivery logged on this node (any app): a cursor for the next poll.
    pub fn last_delivery_id(&self) -> u64 {
        self.log.last_id()
    }

    /// Sends a logged delivery again (`id` from the log) as a new after-callback through the
    /// outbox: same command, body, client IP and platform, with the usual retries and a new
    /// log entry; the app's answer changes nothing (a before-callback's decision was taken).
    /// `Ok(false)` when the log no longer holds that delivery.
    pub async fn replay(&self, app: AppId, id: u64) -> StoreResult<bool> {
        let Some(delivery) = self.log.find(app, id) else {
            return Ok(false);
        };
        let query = delivery.url.split_once('?').map_or("", |(_, q)| q);
        let param = |name: &str| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let event = OutboxEvent {
            command: delivery.command.clone(),
            // Its own key: a replay waits for no other event and holds none up.
            order_key: format!("replay:{id}"),
            body: delivery.body.to_string(),
            client_ip: param("ClientIP"),
            opt_platform: param("OptPlatform"),
        };
        self.store
            .enqueue_outbox(app, vec![event], self.clock.now_ms())
            .await?;
        self.wake();
        Ok(true)
    }

    /// Sends a dead letter (one of the newest `DEAD_LETTERS_SEARCHED`) again, like
    /// [`replay`](Self::replay). `Ok(false)` when there is no such dead letter.
    pub async fn replay_dead_letter(&self, app: AppId, id: i64) -> StoreResult<bool> {
        const DEAD_LETTERS_SEARCHED: usize = 1000;
        let dead = self.store.dead_letters(app, DEAD_LETTERS_SEARCHED).await?;
        let Some(letter) = dead.into_iter().find(|d| d.id == id) else {
            return Ok(false);
        };
        let mut event = letter.event;
        event.order_key = format!("replay-dead:{id}");
        self.store
            .enqueue_outbox(app, vec![event], self.clock.now_ms())
            .await?;
        self.wake();
        Ok(true)
    }

    pub fn clear_log(&self, app: AppId) {
        self.log.clear(app);
    }

    /// Makes the next `count` deliveries of `command` for `app` fail or time out.
    pub fn inject_fault(&self, app: AppId, command: &str, kind: FaultKind, count: u32) {
        let mut faults = self.faults.lock().expect("fault lock");
        if count == 0 {
            faults.remove(&(app, command.to_owned()));
        } else {
            faults.insert((app, command.to_owned()), (kind, count));
        }
    }

    fn take_fault(&self, app: AppId, command: &str) -> Option<FaultKind> {
        let mut faults = self.faults.lock().expect("fault lock");
        let key = (app, command.to_owned());
        let (kind, left) = faults.get_mut(&key)?;
        let kind = *kind;
        *left -= 1;
        if *left == 0 {
            faults.remove(&key);
        }
        Some(kind)
    }

    /// The delivery loop; runs until `stop` turns true. Up to [`CLAIM_BATCH`] deliveries are in
    /// flight at once; new events are claimed as soon as half of them have finished, so one slow
    /// receiver reply does not hold up the rest. Order per key holds because only the oldest
    /// pending event of a key can be claimed, and a claimed one blocks its successors.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let mut in_flight = futures::stream::FuturesUnordered::new();
        let mut last_count = Instant::now() - Duration::from_secs(1);
        loop {
            if *stop.borrow() {
                // Let started deliveries finish (each is bounded by the callback timeout), so
                // their outbox rows are settled before storage closes.
                while futures::StreamExt::next(&mut in_flight).await.is_some() {}
                return;
            }
            let room = CLAIM_BATCH - in_flight.len();
            let claimed = if room >= CLAIM_BATCH / 2 {
                match self.claim(room).await {
                    Ok((claimed, _)) => claimed,
                    Err(e) => {
                        tracing::warn!(error = %e, "claiming webhook outbox failed");
                        Vec::new()
                    }
                }
            } else {
                Vec::new()
            };
            // Counting the outbox reads every pending row: once a second is enough for a gauge.
            if last_count.elapsed() >= Duration::from_secs(1) {
                last_count = Instant::now();
                if let Ok(pending) = self.store.outbox_len().await {
                    metrics::gauge!("natter_webhook_outbox_pending").set(pending as f64);
                }
            }
            let claimed_any = !claimed.is_empty();
            for entry in claimed {
                // Spawned, so deliveries go on while this loop waits on storage.
                let engine = self.clone();
                in_flight.push(tokio::spawn(async move { engine.deliver(entry).await }));
            }
            if in_flight.is_empty() {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            if claimed_any && in_flight.len() < CLAIM_BATCH / 2 {
                // Room is left: look for more before waiting on a delivery.
                continue;
            }
            // Wait for a delivery to finish (or for new events while deliveries run).
            tokio::select! {
                _ = futures::StreamExt::next(&mut in_flight) => {}
                _ = self.wake.notified(), if in_flight.len() < CLAIM_BATCH / 2 => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Claims up to `limit` due outbox events and counts them in flight (each
    /// [`deliver`](Self::deliver) settles one). Also says whether this node was idle: nothing
    /// claimed, nothing in flight, and no delivery settled while claiming (one that settled could
    /// have made its key's next event due).
    async fn claim(&self, limit: usize) -> StoreResult<(Vec<OutboxEntry>, bool)> {
        let _claiming = self.claiming.lock().await;
        let settled = self.in_flight.settled.load(Ordering::SeqCst);
        let claimed = self
            .store
            .claim_outbox(self.clock.now_ms(), LEASE_MS, limit)
            .await?;
        let idle = claimed.is_empty()
            && self.in_flight.count.load(Ordering::SeqCst) == 0
            && self.in_flight.settled.load(Ordering::SeqCst) == settled;
        self.in_flight
            .count
            .fetch_add(claimed.len(), Ordering::SeqCst);
        Ok((claimed, idle))
    }

    /// Delivers every after-callback that is due and waits for this node's deliveries in flight
    /// (the loop's and notifications sent at once); returns once no outbox event is due and
    /// nothing is in flight. Everything recorded before the call has then been sent, retried
    /// later or dead-lettered, so "no callback came" can be asserted. An event whose retry is
    /// scheduled for later is not waited for, nor one another node has claimed.
    pub async fn drain(&self) -> StoreResult<()> {
        loop {
            // Listening before looking, so a delivery that settles meanwhile is not missed.
            let settled = self.in_flight.settled_now.notified();
            tokio::pin!(settled);
            settled.as_mut().enable();
            let (claimed, idle) = self.claim(CLAIM_BATCH).await?;
            if idle {
                return Ok(());
            }
            if claimed.is_empty() {
                settled.await;
            } else {
                futures::future::join_all(claimed.into_iter().map(|entry| self.deliver(entry)))
                    .await;
            }
        }
    }

    /// Delivers one claimed event and settles it (see [`claim`](Self::claim)).
    async fn deliver(&self, entry: OutboxEntry) {
        let _flying = Flying(&self.in_flight);
        let app = entry.app;
        let command = entry.event.command.clone();
        let body: Value = serde_json::from_str(&entry.event.body).unwrap_or(Value::Null);
        let Some((client, config)) = self.client_and_config(app).filter(|(_, c)| c.url.is_some())
        else {
            // The URL was removed after the event was written: nobody to tell.
            let _ = self.store.finish_outbox(entry.id).await;
            return;
        };
        let origin = Origin {
            client_ip: entry.event.client_ip.clone(),
            platform: entry.event.opt_platform.clone(),
            connection: None,
        };
        let attempt = self
            .attempt(app, &client, &config, &command, &body, &origin)
            .await;
        let attempts = entry.attempts + 1;
        let stored = match &attempt.result {
            Ok(_) => {
                self.record(app, &command, body, attempt, attempts, None);
                self.store.finish_outbox(entry.id).await
            }
            Err((_, error)) if attempts <= config.after_retries => {
                let error = error.clone();
                let next = self.clock.now_ms() + config.retry_delay_ms(attempts) as i64;
                self.record(app, &command, body, attempt, attempts, Some("retrying"));
                metrics::counter!("natter_webhook_retries_total", "command" => command.clone())
                    .increment(1);
                self.store
                    .retry_outbox(entry.id, attempts, next, error)
                    .await
            }
            Err((_, error)) => {
                let error = error.clone();
                tracing::warn!(app, command = %command, attempts, error = %error, "webhook dead-lettered");
                self.record(app, &command, body, attempt, attempts, Some("dead"));
                metrics::counter!("natter_webhook_dead_total", "command" => command.clone())
                    .increment(1);
                self.store
                    .dead_letter_outbox(entry.id, attempts, error, self.clock.now_ms())
                    .await
            }
        };
        if let Err(e) = stored {
            // The lease runs out and the event is delivered again: at-least-once.
            tracing::warn!(error = %e, "updating webhook outbox failed");
        }
    }

    /// One HTTP POST of `body` to the app's URL with Tencent's query parameters.
    async fn attempt(
        &self,
        app: AppId,
        client: &reqwest::Client,
        config: &WebhookConfig,
        command: &str,
        body: &Value,
        origin: &Origin,
    ) -> Attempt {
        let url = callback_url(config, app, command, origin, self.clock.now_secs());
        let started = Instant::now();
        let failed = |outcome: &'static str,
                      error: String,
                      status: Option<u16>,
                      response: Option<String>| Attempt {
            url: url.clone(),
            status,
            response,
            latency: started.elapsed(),
            result: Err((outcome, error)),
        };
        if let Some(fault) = self.take_fault(app, command) {
            return match fault {
                FaultKind::Fail => failed(
                    "injected-failure",
                    "fault injected: failure".into(),
                    None,
                    None,
                ),
                FaultKind::Timeout => failed(
                    "injected-timeout",
                    "fault injected: timeout".into(),
                    None,
                    None,
                ),
            };
        }
        let sent = client
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(Duration::from_millis(config.timeout_ms))
            .body(body.to_string())
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return failed(
                    "timeout",
                    format!("no answer within {} ms", config.timeout_ms),
                    None,
                    None,
                )
            }
            Err(e) => return failed("failed", format!("request failed: {e}"), None, None),
        };
        let status = response.status().as_u16();
        let text =
            match tokio::time::timeout(Duration::from_millis(config.timeout_ms), response.text())
                .await
            {
                Ok(Ok(text)) => text,
                Ok(Err(e)) => {
                    return failed(
                        "failed",
                        format!("reading the reply failed: {e}"),
                        Some(status),
                        None,
                    )
                }
                Err(_) => {
                    return failed(
                        "timeout",
                        format!("reply not finished within {} ms", config.timeout_ms),
                        Some(status),
                        None,
                    )
                }
            };
        let shown: String = text.chars().take(4096).collect();
        if status != 200 {
            return failed(
                "failed",
                format!("HTTP {status}"),
                Some(status),
                Some(shown),
            );
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(reply) if reply.is_object() => Attempt {
                url,
                status: Some(status),
                response: Some(shown),
                latency: started.elapsed(),
                result: Ok(reply),
            },
            _ => failed(
                "failed",
                "the reply is not a JSON object".into(),
                Some(status),
                Some(shown),
            ),
        }
    }

    fn record(
        &self,
        app: AppId,
        command: &str,
        body: Value,
        attempt: Attempt,
        attempts: u32,
        outcome_override: Option<&str>,
    ) {
        let (outcome, error) = match &attempt.result {
            Ok(_) => ("ok", None),
            Err((outcome, error)) => (*outcome, Some(error.clone())),
        };
        let outcome = outcome_override.unwrap_or(outcome);
        // Operations data: a request went out unless a fault was injected in its place; it was
        // answered when the app replied with a JSON object.
        if !matches!(&attempt.result, Err((o, _)) if o.starts_with("injected")) {
            use natter_core::ops::field;
            self.ops.add(app, field::CALLBACK_REQ, 1);
            if attempt.result.is_ok() {
                self.ops.add(app, field::CALLBACK_RSP, 1);
            }
        }
        metrics::counter!("natter_webhook_deliveries_total", "command" => command.to_owned(), "outcome" => outcome.to_owned())
            .increment(1);
        metrics::histogram!("natter_webhook_delivery_seconds", "command" => command.to_owned())
            .record(attempt.latency.as_secs_f64());
        self.log.record(
            app,
            Delivery {
                id: 0,
                at_ms: self.clock.now_ms() - attempt.latency.as_millis() as i64,
                command: command.to_owned(),
                url: attempt.url,
                body,
                status: attempt.status,
                response: attempt.response,
                latency_ms: attempt.latency.as_millis() as u64,
                outcome: outcome.to_owned(),
                attempts,
                error,
            },
        );
    }
}

/// Reads a before-callback reply: `ErrorCode` 0 allow, 1 deny, 2 discard, anything else custom.
/// `None` when the reply is not a callback answer at all (handled like a failure).
fn decide(reply: Value) -> BeforeOutcome {
    let answer: CallbackResponse = serde_json::from_value(reply.clone()).unwrap_or_default();
    let info = answer.error_info.clone();
    match answer.verdict() {
        Verdict::Allow => BeforeOutcome::Allow(Some(reply)),
        Verdict::Deny => BeforeOutcome::Deny { info },
        Verdict::Discard => BeforeOutcome::Discard,
        Verdict::Code(code) => BeforeOutcome::Custom { code, info },
    }
}

/// The configured URL plus Tencent's query parameters, in the order of Tencent's examples.
pub fn callback_url(
    config: &WebhookConfig,
    app: AppId,
    command: &str,
    origin: &Origin,
    now_secs: i64,
) -> String {
    let base = config.url.as_deref().unwrap_or_default();
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("SdkAppid", &app.to_string());
    query.append_pair("CallbackCommand", command);
    query.append_pair("contenttype", "json");
    // Documented quirks: these callbacks carry no ClientIP, the AV member state one no platform.
    let without_ip = [
        commands::ALERT_REQUEST_OVER_LIMIT,
        commands::GROUP_SEND_MSG_EXCEPTION,
        commands::GROUP_ON_MEMBER_STATE_CHANGE,
    ];
    if !without_ip.contains(&command) {
        query.append_pair("ClientIP", &origin.client_ip);
    }
    if command != commands::GROUP_ON_MEMBER_STATE_CHANGE {
        // Documented quirk: the online-status callback spells iOS as `IOS`.
        let platform = match (command, origin.platform.as_str()) {
            (commands::STATE_STATE_CHANGE, "iOS") => "IOS",
            (_, platform) => platform,
        };
        query.append_pair("OptPlatform", platform);
    }
    if let Some(token) = config.token.as_deref().filter(|t| !t.is_empty()) {
        query.append_pair("Sign", &sign::sign(token, now_secs));
        query.append_pair("RequestTime", &now_secs.to_string());
    }
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}{}", query.finish())
}

/// One client per app, so its CA and client certificate apply; it keeps connections alive.
fn http_client(config: &WebhookConfig) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .pool_idle_timeout(Duration::from_secs(90))
        .connect_timeout(Duration::from_millis(config.timeout_ms.max(1)));
    if let Some(ca) = &config.ca_cert {
        let pem =
            std::fs::read(ca).map_err(|e| format!("reading webhook CA {}: {e}", ca.display()))?;
        let cert = reqwest::Certificate::from_pem(&pem)
            .map_err(|e| format!("webhook CA {}: {e}", ca.display()))?;
        builder = builder.add_root_certificate(cert);
    }
    match (&config.client_cert, &config.client_key) {
        (Some(cert), Some(key)) => {
            let mut pem = std::fs::read(cert).map_err(|e| {
                format!("reading webhook client certificate {}: {e}", cert.display())
            })?;
            pem.push(b'\n');
            pem.extend(
                std::fs::read(key)
                    .map_err(|e| format!("reading webhook client key {}: {e}", key.display()))?,
            );
            let identity = reqwest::Identity::from_pem(&pem)
                .map_err(|e| format!("webhook client certificate: {e}"))?;
            builder = builder.identity(identity);
        }
        (None, None) => {}
        _ => return Err("webhook client_cert and client_key must be given together".into()),
    }
    builder
        .build()
        .map_err(|e| format!("building the webhook HTTP client: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(config: &WebhookConfig, command: &str, platform: &str) -> String {
        let origin = Origin {
            client_ip: "10.0.0.1".into(),
            platform: platform.into(),
            connection: None,
        };
        callback_url(config, 1_400_000_000, command, &origin, 1_669_872_112)
    }

    #[test]
    fn query_parameters_follow_tencents_examples() {
        let mut config = WebhookConfig {
            url: Some("https://h/cb".into()),
            ..Default::default()
        };
        assert_eq!(
            url(&config, commands::PROFILE_PORTRAIT_SET, "RESTAPI"),
            "https://h/cb?SdkAppid=1400000000&CallbackCommand=Profile.CallbackPortraitSet&contenttype=json&ClientIP=10.0.0.1&OptPlatform=RESTAPI"
        );
        assert!(url(&config, commands::STATE_STATE_CHANGE, "iOS").ends_with("&OptPlatform=IOS"));
        assert!(url(&config, commands::C2C_AFTER_SEND_MSG, "iOS").ends_with("&OptPlatform=iOS"));
        assert!(url(&config, commands::GROUP_ON_MEMBER_STATE_CHANGE, "Web")
            .ends_with("contenttype=json"));
        config.url = Some("https://h/cb?tenant=a".into());
        config.token = Some("xxxxyyyy".into());
        assert_eq!(
            url(&config, commands::ALERT_REQUEST_OVER_LIMIT, "RESTAPI"),
            "https://h/cb?tenant=a&SdkAppid=1400000000&CallbackCommand=Alert.RequestOverLimit&contenttype=json&OptPlatform=RESTAPI\
             &Sign=17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061&RequestTime=1669872112"
        );
    }
}
