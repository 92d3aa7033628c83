//! `im_push` tasks: the call stores a task and answers its `TaskId` at once; a runner then walks
//! the app's accounts in batches after the task's persisted cursor and sends each matching
//! account the message through the normal one-to-one send ([`MessageService::send_at`]), so
//! storage, unread counts, pushes to online users and after-callbacks are those of an admin send.
//!
//! Surviving a restart: every delivery carries the task's own `MsgSeq`, `MsgRandom` and time, so
//! sending to an account again is the same message, which the store keeps once; the cursor and
//! counts move after each batch in one statement. A node that stops mid-task resumes from the
//! last saved batch, and a batch delivered but not yet saved is delivered again to no effect.
//! In a cluster each task is leased to one node; a clean stop gives the lease up, a crashed
//! node's lease runs out and another node claims the task.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use natter_core::{codes, ApiError, ApiResult, AppId, AppSettings, Clock};
use natter_store::{PushLabels, PushProgress, PushTaskRecord, Store};
use natter_webhook::Origin;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::check_tag;
use crate::internal;
use crate::messages::{MessageService, SendC2c};

/// Accounts read (and saved as progress) per batch.
pub const BATCH: usize = 100;
/// Deliveries of one task in flight at once. Every delivery is a durable write, so a push shares
/// the store's writer with all other traffic: at 16 a push to 100,000 accounts took 64 s but
/// halved concurrent `sendmsg` throughput; at 4 it takes about 3 minutes (Tencent: "typically
/// within one minute") and costs that traffic about a fifth (BENCHMARKS.md, `allpush`).
pub const CONCURRENCY: usize = 4;
/// Tencent's default: 100 pushes per app per day (UTC days here), at least a second apart.
pub const MAX_PER_DAY: usize = 100;
/// Most tags in one condition (`TagsAnd` and `TagsOr` together), and of attributes likewise.
pub const MAX_CONDITION_ITEMS: usize = 10;
/// How long a node holds a task without saving progress before another node may take it over.
const LEASE_MS: i64 = 30_000;
/// How often each node looks for tasks nobody holds (a crashed node's).
const CLAIM_EVERY: Duration = Duration::from_secs(10);

/// A push, as `im_push` asks for it (the body already checked).
#[derive(Debug, Clone)]
pub struct PushRequest {
    pub from: String,
    pub msg_random: u32,
    pub msg_life_time: u32,
    pub body: Vec<Value>,
    /// JSON text, empty when absent.
    pub offline_push_info: String,
    pub condition: ConditionRequest,
}

/// `Condition`, by tag and attribute name; all empty = everyone.
#[derive(Debug, Clone, Default)]
pub struct ConditionRequest {
    pub tags_and: Vec<String>,
    pub tags_or: Vec<String>,
    pub attrs_and: Vec<(String, String)>,
    pub attrs_or: Vec<(String, String)>,
}

/// The condition as stored: attributes by number, so renaming an attribute later does not
/// change whom a running task reaches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Condition {
    tags_and: Vec<String>,
    tags_or: Vec<String>,
    attrs_and: Vec<(u32, String)>,
    attrs_or: Vec<(u32, String)>,
}

impl Condition {
    fn everyone(&self) -> bool {
        self.tags_and.is_empty()
            && self.tags_or.is_empty()
            && self.attrs_and.is_empty()
            && self.attrs_or.is_empty()
    }

    /// Every `…And` item, and at least one `…Or` item when there are any.
    fn matches(&self, labels: &PushLabels) -> bool {
        let has_attr = |(i, v): &(u32, String)| labels.attrs.get(i) == Some(v);
        self.tags_and.iter().all(|t| labels.tags.contains(t))
            && (self.tags_or.is_empty() || self.tags_or.iter().any(|t| labels.tags.contains(t)))
            && self.attrs_and.iter().all(has_attr)
            && (self.attrs_or.is_empty() || self.attrs_or.iter().any(has_attr))
    }
}

/// What a task sends, stored with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Spec {
    from: String,
    msg_random: u32,
    msg_seq: u32,
    msg_time: i64,
    msg_life_time: u32,
    body: Vec<Value>,
    offline_push_info: String,
    condition: Condition,
    client_ip: String,
}

/// Where a paused runner stops in a batch: before delivering it, or after delivering it and
/// before saving its progress (what a crash at the worst moment leaves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldPoint {
    Deliver,
    Save,
}

/// The control plane's pause of an app's pushes: `batches` more batches run whole, then the
/// runners hold at `at` until resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub batches: u64,
    pub at: HoldPoint,
}

/// A task's progress, for the control plane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskStatus {
    pub record: PushTaskRecord,
    pub from: String,
    /// Run by this node now.
    pub running_here: bool,
    /// Held by a pause on this node.
    pub held: bool,
}

/// Runs push tasks on this node. Clones share it.
#[derive(Clone)]
pub struct Runner {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    clock: Arc<Clock>,
    messages: MessageService,
    /// This process's name in task leases.
    node: String,
    stop: watch::Sender<bool>,
    pauses: watch::Sender<HashMap<AppId, Pause>>,
    /// The tasks running here, and whether each is held by a pause.
    live: Mutex<HashMap<(AppId, String), bool>>,
    handles: Mutex<Vec<JoinHandle<()>>>,
}

enum Step {
    Go,
    Stop,
}

impl Runner {
    pub(crate) fn new(store: Arc<dyn Store>, clock: Arc<Clock>, messages: MessageService) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                clock,
                messages,
                node: format!("node-{:016x}", rand::random::<u64>()),
                stop: watch::channel(false).0,
                pauses: watch::channel(HashMap::new()).0,
                live: Mutex::new(HashMap::new()),
                handles: Mutex::new(Vec::new()),
            }),
        }
    }

    /// `im_push`: checks the request, stores the task and starts it here; answers its `TaskId`.
    pub async fn push(
        &self,
        app: &Arc<AppSettings>,
        numbers: &std::collections::BTreeMap<String, u32>,
        client_ip: String,
        req: PushRequest,
    ) -> ApiResult<String> {
        let condition = resolve(numbers, req.condition)?;
        let inner = &self.inner;
        let exists = inner
            .store
            .accounts_exist(app.sdkappid, vec![req.from.clone()])
            .await
            .map_err(internal(codes::PUSH_INTERNAL))?;
        if !exists[0] {
            return Err(ApiError::new(
                codes::C2C_FROM_ACCOUNT_INVALID,
                format!("From_Account {} is not imported", req.from),
            ));
        }
        let now = inner.clock.now_ms();
        let recent = inner
            .store
            .push_tasks(app.sdkappid, MAX_PER_DAY)
            .await
            .map_err(internal(codes::PUSH_INTERNAL))?;
        if recent.first().is_some_and(|t| now - t.created_ms < 1000) {
            return Err(ApiError::new(
                codes::PUSH_TOO_FREQUENT,
                "pushes must be more than 1 second apart",
            ));
        }
        let day_start = now - now.rem_euclid(86_400_000);
        if recent.iter().filter(|t| t.created_ms >= day_start).count() >= MAX_PER_DAY {
            return Err(ApiError::new(
                codes::PUSH_DAILY_LIMIT,
                format!("at most {MAX_PER_DAY} pushes per day (UTC)"),
            ));
        }
        let spec = Spec {
            from: req.from,
            msg_random: req.msg_random,
            msg_seq: rand::random(),
            msg_time: now.div_euclid(1000),
            msg_life_time: req.msg_life_time,
            body: req.body,
            offline_push_info: req.offline_push_info,
            condition,
            client_ip,
        };
        let record = PushTaskRecord {
            task_id: format!("{:032x}", rand::random::<u128>()),
            created_ms: now,
            spec: serde_json::to_string(&spec).expect("a push spec serializes"),
            cursor: String::new(),
            scanned: 0,
            delivered: 0,
            done: false,
            finished_ms: 0,
        };
        inner
            .store
            .create_push_task(
                app.sdkappid,
                record.clone(),
                inner.node.clone(),
                now + LEASE_MS,
            )
            .await
            .map_err(internal(codes::PUSH_INTERNAL))?;
        let task_id = record.task_id.clone();
        self.spawn(app.clone(), record);
        Ok(task_id)
    }

    /// Claims the tasks nobody holds (at start: those a stopped node left) and runs them, then
    /// looks again every few seconds, until [`shutdown`](Self::shutdown).
    pub async fn run(self, apps: crate::Apps) {
        let mut stop = self.inner.stop.subscribe();
        loop {
            let now = self.inner.clock.now_ms();
            let claimed = self
                .inner
                .store
                .claim_push_tasks(self.inner.node.clone(), now, now + LEASE_MS, 16)
                .await;
            match claimed {
                Ok(tasks) => {
                    for (app, record) in tasks {
                        match apps.get(app) {
                            Some(settings) => self.spawn(settings.clone(), record),
                            None => tracing::warn!(app, "push task of an app not configured"),
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "claiming push tasks failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(CLAIM_EVERY) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }

    /// Stops every runner at its next batch boundary (a runner held by a pause stops at once,
    /// its batch unsaved), gives up their leases, and waits for them.
    pub async fn shutdown(&self) {
        let _ = self.inner.stop.send(true);
        let handles = std::mem::take(&mut *self.inner.handles.lock().expect("handles lock"));
        for handle in handles {
            let _ = handle.await;
        }
    }

    /// Pauses (or, with `None`, resumes) the app's pushes on this node.
    pub fn set_pause(&self, app: AppId, pause: Option<Pause>) {
        self.inner.pauses.send_modify(|p| match pause {
            Some(pause) => {
                p.insert(app, pause);
            }
            None => {
                p.remove(&app);
            }
        });
    }

    pub fn pause(&self, app: AppId) -> Option<Pause> {
        self.inner.pauses.borrow().get(&app).copied()
    }

    /// The app's newest tasks (at most 100), newest first.
    pub async fn list(&self, app: AppId) -> ApiResult<Vec<TaskStatus>> {
        let records = self
            .inner
            .store
            .push_tasks(app, 100)
            .await
            .map_err(internal(codes::PUSH_INTERNAL))?;
        let live = self.inner.live.lock().expect("live lock").clone();
        Ok(records
            .into_iter()
            .map(|record| {
                let here = live.get(&(app, record.task_id.clone())).copied();
                let from = serde_json::from_str::<Spec>(&record.spec)
                    .map(|s| s.from)
                    .unwrap_or_default();
                TaskStatus {
                    from,
                    running_here: here.is_some(),
                    held: here == Some(true),
                    record,
                }
            })
            .collect())
    }

    fn spawn(&self, app: Arc<AppSettings>, record: PushTaskRecord) {
        let key = (app.sdkappid, record.task_id.clone());
        {
            let mut live = self.inner.live.lock().expect("live lock");
            // A task whose lease ran out while it was held here is claimed again by this
            // node's own loop: it is already running.
            if live.contains_key(&key) {
                return;
            }
            live.insert(key.clone(), false);
        }
        let this = self.clone();
        let handle = tokio::spawn(async move {
            this.run_task(&app, record).await;
            this.inner.live.lock().expect("live lock").remove(&key);
        });
        let mut handles = self.inner.handles.lock().expect("handles lock");
        handles.retain(|h| !h.is_finished());
        handles.push(handle);
    }

    async fn run_task(&self, app: &AppSettings, record: PushTaskRecord) {
        let inner = &self.inner;
        let (sdkappid, task_id) = (app.sdkappid, record.task_id.clone());
        let spec: Spec = match serde_json::from_str(&record.spec) {
            Ok(spec) => spec,
            Err(e) => {
                tracing::error!(app = sdkappid, task = %task_id, error = %e, "unreadable push task");
                return;
            }
        };
        let origin = Origin::rest(&spec.client_ip);
        let mut cursor = record.cursor;
        loop {
            if matches!(
                self.hold(sdkappid, &task_id, HoldPoint::Deliver).await,
                Step::Stop
            ) || *inner.stop.borrow()
            {
                break;
            }
            let page = match inner
                .store
                .push_targets(sdkappid, cursor.clone(), BATCH, !spec.condition.everyone())
                .await
            {
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!(app = sdkappid, task = %task_id, error = %e, "push paused: storage");
                    break;
                }
            };
            let done = page.len() < BATCH;
            let scanned = page.len() as u64;
            let next = page.last().map_or(cursor.clone(), |t| t.user_id.clone());
            // The sender does not message itself.
            let targets = page
                .into_iter()
                .filter(|t| t.user_id != spec.from && spec.condition.matches(&t.labels))
                .map(|t| t.user_id);
            let results: Vec<ApiResult<()>> = futures::stream::iter(targets)
                .map(|to| self.deliver(app, &origin, &spec, to))
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            if let Some(e) = results
                .iter()
                .filter_map(|r| r.as_ref().err())
                .find(|e| e.code == codes::C2C_INTERNAL)
            {
                // The batch is retried from the saved cursor, by whichever node claims it.
                tracing::warn!(app = sdkappid, task = %task_id, error = %e.info, "push paused: delivery failed");
                break;
            }
            let delivered = results.iter().filter(|r| r.is_ok()).count() as u64;
            if matches!(
                self.hold(sdkappid, &task_id, HoldPoint::Save).await,
                Step::Stop
            ) {
                break;
            }
            let now = inner.clock.now_ms();
            let progress = PushProgress {
                cursor: next.clone(),
                scanned,
                delivered,
                done,
            };
            match inner
                .store
                .advance_push_task(
                    sdkappid,
                    task_id.clone(),
                    inner.node.clone(),
                    progress,
                    now,
                    now + LEASE_MS,
                )
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!(app = sdkappid, task = %task_id, "push task taken over by another node");
                    return;
                }
                Err(e) => {
                    tracing::warn!(app = sdkappid, task = %task_id, error = %e, "push paused: storage");
                    break;
                }
            }
            inner
                .pauses
                .send_if_modified(|p| match p.get_mut(&sdkappid) {
                    Some(pause) if pause.batches > 0 => {
                        pause.batches -= 1;
                        true
                    }
                    _ => false,
                });
            if done {
                tracing::info!(app = sdkappid, task = %task_id, "push task finished");
                return;
            }
            cursor = next;
            // Let other work run between batches.
            tokio::task::yield_now().await;
        }
        // Stopping (or a storage failure): any node may resume from the saved cursor.
        if let Err(e) = inner
            .store
            .release_push_task(sdkappid, task_id.clone(), inner.node.clone())
            .await
        {
            tracing::warn!(app = sdkappid, task = %task_id, error = %e, "releasing push task failed");
        }
    }

    async fn deliver(
        &self,
        app: &AppSettings,
        origin: &Origin,
        spec: &Spec,
        to: String,
    ) -> ApiResult<()> {
        let req = SendC2c {
            from: spec.from.clone(),
            to,
            msg_seq: Some(spec.msg_seq),
            msg_random: spec.msg_random,
            body: spec.body.clone(),
            cloud_custom_data: String::new(),
            // Not kept in the sender's history nor echoed to its devices: Tencent's push has
            // no roaming on the sender's side, and an admin would get one copy per account.
            sync_other_machine: 2,
            msg_life_time: spec.msg_life_time,
            no_unread: false,
            no_last_msg: false,
            offline_push_info: spec.offline_push_info.clone(),
            supports_extension: false,
            // One before-callback per account of the app would stall the push on the app's
            // server; after-callbacks (from the outbox) are sent as for any send.
            forbid_before_callback: true,
            forbid_after_callback: false,
            client_time: None,
            need_read_receipt: false,
        };
        let to = req.to.clone();
        match self
            .inner
            .messages
            .send_at(app, origin, req, Some(spec.msg_time))
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                // An account deleted since the page was read is skipped.
                tracing::debug!(to = %to, code = e.code, "push delivery skipped");
                Err(e)
            }
        }
    }

    /// Waits while a pause holds this app's runners at `point`; [`Step::Stop`] when the node is
    /// stopping and the runner is held (a runner that is not held finishes its step first).
    async fn hold(&self, app: AppId, task_id: &str, point: HoldPoint) -> Step {
        let inner = &self.inner;
        let mut pauses = inner.pauses.subscribe();
        let mut stop = inner.stop.subscribe();
        let key = (app, task_id.to_owned());
        loop {
            let held = pauses
                .borrow_and_update()
                .get(&app)
                .is_some_and(|p| p.at == point && p.batches == 0);
            if let Some(h) = inner.live.lock().expect("live lock").get_mut(&key) {
                *h = held;
            }
            if !held {
                return Step::Go;
            }
            if *stop.borrow_and_update() {
                return Step::Stop;
            }
            tokio::select! {
                changed = pauses.changed() => if changed.is_err() { return Step::Stop },
                _ = stop.changed() => {}
            }
        }
    }
}

/// Checks a condition (Tencent's codes) and turns attribute names into numbers.
fn resolve(
    numbers: &std::collections::BTreeMap<String, u32>,
    req: ConditionRequest,
) -> ApiResult<Condition> {
    let has_tags = !req.tags_and.is_empty() || !req.tags_or.is_empty();
    let has_attrs = !req.attrs_and.is_empty() || !req.attrs_or.is_empty();
    if has_tags && has_attrs {
        return Err(ApiError::new(
            codes::PUSH_TAGS_AND_ATTRS,
            "a condition takes tags or attributes, not both",
        ));
    }
    if req.tags_and.len() + req.tags_or.len() > MAX_CONDITION_ITEMS {
        return Err(ApiError::new(
            codes::PUSH_TOO_MANY_TAGS,
            format!("at most {MAX_CONDITION_ITEMS} tags in a condition"),
        ));
    }
    if req.attrs_and.len() + req.attrs_or.len() > MAX_CONDITION_ITEMS {
        return Err(ApiError::new(
            codes::PUSH_ATTR_INVALID,
            format!("at most {MAX_CONDITION_ITEMS} attributes in a condition"),
        ));
    }
    for tag in req.tags_and.iter().chain(&req.tags_or) {
        check_tag(tag)?;
    }
    if let Some(tag) = req.tags_and.iter().find(|t| req.tags_or.contains(t)) {
        return Err(ApiError::new(
            codes::PUSH_TAG_REPEATED,
            format!("tag {tag:?} is in both TagsAnd and TagsOr"),
        ));
    }
    let attrs = |list: Vec<(String, String)>| -> ApiResult<Vec<(u32, String)>> {
        list.into_iter()
            .map(|(name, value)| Ok((super::number(numbers, &name)?, value)))
            .collect()
    };
    Ok(Condition {
        tags_and: req.tags_and,
        tags_or: req.tags_or,
        attrs_and: attrs(req.attrs_and)?,
        attrs_or: attrs(req.attrs_or)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(tags: &[&str], attrs: &[(u32, &str)]) -> PushLabels {
        PushLabels {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            attrs: attrs.iter().map(|(i, v)| (*i, v.to_string())).collect(),
        }
    }

    #[test]
    fn conditions_need_every_and_and_one_or() {
        let c = Condition {
            tags_and: vec!["a".into(), "b".into()],
            tags_or: vec!["x".into(), "y".into()],
            ..Default::default()
        };
        assert!(c.matches(&labels(&["a", "b", "y"], &[])));
        assert!(!c.matches(&labels(&["a", "b"], &[])), "no Or tag");
        assert!(!c.matches(&labels(&["a", "x"], &[])), "an And tag missing");
        let c = Condition {
            attrs_or: vec![(0, "f".into()), (1, "sz".into())],
            ..Default::default()
        };
        assert!(c.matches(&labels(&[], &[(1, "sz")])));
        assert!(!c.matches(&labels(&[], &[(0, "m"), (2, "sz")])));
        assert!(Condition::default().everyone());
        assert!(Condition::default().matches(&labels(&[], &[])));
    }
}
