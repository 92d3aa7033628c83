//! Webhook settings of one app: Tencent's console switches, plus what Natter adds (timeouts,
//! failure policy, retries, TLS material).

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::commands;

/// What a before-callback that times out or fails means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailurePolicy {
    /// Tencent's default: carry on as if the app had allowed the action.
    #[default]
    Allow,
    /// Refuse the action.
    Deny,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// The callback URL (`http://` or `https://`). No URL, no callbacks.
    pub url: Option<String>,
    /// Authentication token: when set, requests carry `Sign` and `RequestTime`.
    pub token: Option<String>,
    /// The switches that are on, by command (shared switches named by their group command,
    /// as in Tencent's console). `None`: every callback is on.
    pub commands: Option<BTreeSet<String>>,
    /// How long a callback may take, in milliseconds (Tencent: 2 s).
    pub timeout_ms: u64,
    /// What a before-callback timeout or failure means (Tencent: allow).
    pub on_before_failure: FailurePolicy,
    /// Extra attempts for a failed after-callback (Tencent: none unless enabled).
    pub after_retries: u32,
    /// First retry delay, doubled on each further attempt up to `retry_max_ms`.
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// PEM CA certificate trusted for the callback server, in addition to the system roots.
    pub ca_cert: Option<PathBuf>,
    /// PEM client certificate and key presented to the callback server (mutual TLS).
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// The addresses (or CIDR ranges) callbacks leave from, as `ConfigSvc/GetIPList` reports
    /// them. Empty: the host's own outbound address towards the callback URL.
    pub source_ips: Vec<String>,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            url: None,
            token: None,
            commands: None,
            timeout_ms: 2_000,
            on_before_failure: FailurePolicy::Allow,
            after_retries: 0,
            retry_base_ms: 1_000,
            retry_max_ms: 60_000,
            ca_cert: None,
            client_cert: None,
            client_key: None,
            source_ips: Vec::new(),
        }
    }
}

impl WebhookConfig {
    /// Whether `command` is delivered: a URL is set and its switch is on.
    pub fn is_on(&self, command: &str) -> bool {
        if self.url.is_none() {
            return false;
        }
        // The over-limit alarm has no switch: it fires once a URL exists.
        if command == commands::ALERT_REQUEST_OVER_LIMIT {
            return true;
        }
        match &self.commands {
            None => true,
            Some(on) => on.contains(switch_of(command)),
        }
    }

    /// Delay before retry number `attempt` (1-based): exponential, capped.
    pub fn retry_delay_ms(&self, attempt: u32) -> u64 {
        let factor = 1u64 << attempt.saturating_sub(1).min(30);
        self.retry_base_ms
            .saturating_mul(factor)
            .min(self.retry_max_ms)
    }
}

/// The console switch a command is governed by: topic callbacks share their group counterparts'.
pub fn switch_of(command: &str) -> &str {
    match command {
        commands::GROUP_BEFORE_CREATE_TOPIC => commands::GROUP_BEFORE_CREATE_GROUP,
        commands::GROUP_AFTER_CREATE_TOPIC => commands::GROUP_AFTER_CREATE_GROUP,
        commands::GROUP_AFTER_TOPIC_DESTROYED => commands::GROUP_AFTER_GROUP_DESTROYED,
        commands::GROUP_AFTER_TOPIC_INFO_CHANGED => commands::GROUP_AFTER_GROUP_INFO_CHANGED,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_follow_tencents_console() {
        let mut config = WebhookConfig::default();
        assert!(
            !config.is_on(commands::PROFILE_PORTRAIT_SET),
            "no URL, nothing on"
        );
        config.url = Some("http://127.0.0.1:1/cb".into());
        assert!(
            config.is_on(commands::PROFILE_PORTRAIT_SET),
            "URL and no list: all on"
        );
        config.commands = Some([commands::GROUP_AFTER_GROUP_INFO_CHANGED.to_owned()].into());
        assert!(!config.is_on(commands::PROFILE_PORTRAIT_SET));
        assert!(
            config.is_on(commands::GROUP_AFTER_TOPIC_INFO_CHANGED),
            "shared switch"
        );
        assert!(
            config.is_on(commands::ALERT_REQUEST_OVER_LIMIT),
            "the alarm has no switch"
        );
    }

    #[test]
    fn retry_delays_double_up_to_the_cap() {
        let config = WebhookConfig {
            retry_base_ms: 100,
            retry_max_ms: 1_000,
            ..Default::default()
        };
        let delays: Vec<u64> = (1..=6).map(|a| config.retry_delay_ms(a)).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1_000, 1_000]);
    }
}
