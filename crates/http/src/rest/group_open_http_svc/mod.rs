//! `v4/group_open_http_svc/*`: groups, their members and their messages. One file per area, as
//! in `natter_services::groups`; the wire types are in [`crate::wire::group_open_http_svc`].

mod attributes;
mod bans;
mod counters;
mod delivery;
mod imports;
mod info;
mod members;
mod messages;
mod receipts;
mod rooms;

pub use attributes::{clear_group_attr, delete_group_attr, modify_group_attr, set_group_attr};
pub use bans::{ban_group_member, get_group_ban_member, unban_group_member};
pub use counters::{delete_group_counter, get_group_counter, update_group_counter};
pub use delivery::{send_broadcast_msg, send_group_system_notification};
pub use imports::{
    delete_group_msg_by_sender, import_group, import_group_member, import_group_msg, import_topic,
    set_unread_msg_num,
};
pub use info::{
    create_group, destroy_group, get_appid_group_list, get_group_info, get_joined_group_list,
    modify_group_base_info,
};
pub use members::{
    add_group_member, change_group_owner, delete_group_member, forbid_send_msg,
    get_group_member_info, get_group_muted_account, get_group_shutted_uin, get_role_in_group,
    modify_group_member_info,
};
pub use messages::{group_msg_get_simple, group_msg_recall, send_group_msg};
pub use receipts::{get_group_msg_receipt, get_group_msg_receipt_detail};
pub use rooms::get_online_member_num;
