//! The wire types of Tencent's API: one module per service in the URL, one request and one reply
//! type per command, named after it (`profile::PortraitGet`, `profile::PortraitGetReply`). Field
//! names are Tencent's. The REST handlers and the client gateway both read and write these, so a
//! command has one shape whichever way it arrives.
//!
//! Types hold what the wire holds; turning them into a service's own request lives beside them
//! (`impl … { fn into_… }`), so every entry point converts the same way. `serde_json::Value`
//! appears only where Tencent's shape really is open (custom fields, message bodies kept verbatim).

pub mod group_open_attr_http_svc;
pub mod group_open_avchatroom_http_svc;
pub mod group_open_http_svc;
pub mod im_open_login_svc;
pub mod million_group_open_http_svc;
pub mod profile;
