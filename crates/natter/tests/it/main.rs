//! Integration tests: the real server on a random port, spoken to over HTTP.

mod client;
mod harness;
mod receiver;
mod sdk_client;

mod accounts;
mod binary;
mod binfo;
mod binfo_files;
mod binfo_groups;
mod binfo_push;
mod binfo_sns;
mod binfo_sync;
mod blocklists;
mod config_cli;
mod conversations;
mod cursors;
mod custom_fields;
mod edges;
mod friends;
mod groups;
mod live;
mod message_edits;
mod messages;
mod moderation;
mod panics;
mod profiles;
mod readiness;
mod rest_framework;
mod topics;
mod web_sdk;
mod webhooks;
