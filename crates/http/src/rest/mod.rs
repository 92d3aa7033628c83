//! The REST handlers, one module per Tencent service name in the URL (`/v4/<service>/<command>`),
//! one function per command. Each is `async fn(Ctx, Request) -> ApiResult<Reply>` with its types
//! from [`crate::wire`]; [`crate::dispatch`] runs them.

pub mod all_member_push;
pub mod config_svc;
pub mod group_open_attr_http_svc;
pub mod group_open_avchatroom_http_svc;
pub mod group_open_http_svc;
pub mod im_open_login_svc;
pub mod million_group_open_http_svc;
pub mod open_msg_svc;
pub mod openconfigsvr;
pub mod openim;
pub mod openim_msg_ext_http_svc;
pub mod openim_robot_http_svc;
pub mod profile;
pub mod recentcontact;
pub mod sns;
