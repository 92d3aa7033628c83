//! Prometheus metrics. The recorder is process-wide (the `metrics` crate has one global
//! recorder), so every server in a process shares it.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const REQUESTS: &str = "natter_rest_requests_total";
pub const LATENCY: &str = "natter_rest_request_duration_seconds";

pub fn handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(LATENCY.into()),
                    &[
                        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
                    ],
                )
                .expect("bucket list is not empty")
                .install_recorder()
                .expect("installing the Prometheus recorder once");
            start_upkeep(handle.clone());
            handle
        })
        .clone()
}

/// Histogram samples queue up until upkeep folds them into buckets; do it in the background.
fn start_upkeep(handle: PrometheusHandle) {
    std::thread::Builder::new()
        .name("natter-metrics-upkeep".into())
        .spawn(move || loop {
            std::thread::sleep(std::time::Duration::from_secs(5));
            handle.run_upkeep();
        })
        .expect("spawning the metrics upkeep thread");
}

/// Records one REST call: its API (`service/command`, or `unknown`), ErrorCode and duration.
pub fn record_rest(api: &str, code: u32, seconds: f64) {
    metrics::counter!(REQUESTS, "api" => api.to_owned(), "code" => code.to_string()).increment(1);
    metrics::histogram!(LATENCY, "api" => api.to_owned()).record(seconds);
}
