//! Every command the pinned Web SDK (`@tencentcloud/chat` 3.6.6) can send, and the pushes it
//! takes, in the order of the SDK's own table. `docs/client-sdk.md` is generated from it.

use super::applications;
use super::c2c_own;
use super::commands::*;
use super::commands::{Command, Serving};
use super::conversations;
use super::extensions;
use super::files;
use super::follows;
use super::group_attributes as attrs;
use super::group_msgs;
use super::group_notices;
use super::group_notify;
use super::groups;
use super::invitations;
use super::language;
use super::live;
use super::moderation;
use super::pins;
use super::reactions;
use super::relay;
use super::rooms;
use super::search;
use super::status;
use super::sync;
use super::topics;
use crate::rest::{group_open_http_svc, profile, recentcontact, sns};

/// A command answered by one of this module's handlers.
macro_rules! served {
    ($handler:path) => {
        Serving::Served(|ctx, body| Box::pin($handler(ctx, body)))
    };
}

/// A command answered by one of this module's handlers that waits on an outside engine
/// ([`Serving::Slow`]).
macro_rules! slow {
    ($handler:path) => {
        Serving::Slow(|ctx, body| Box::pin($handler(ctx, body)))
    };
}

/// A command that is the REST API's own, run for the user (see [`as_user`]).
macro_rules! as_user {
    ($actor:literal, $handler:path) => {
        Serving::Served(|ctx, body| Box::pin(as_user(ctx, body, $actor, $handler)))
    };
}

/// Why the offline-push commands are not served: the vendor token and the push plugin's click
/// reports are for pushes to devices that are offline (APNs, FCM, the phone makers' channels),
/// which Natter does not send.
const NO_OFFLINE_PUSH: &str = "Natter sends no offline push (APNs, FCM or vendor channels)";

/// Why the invitee's answer to an invitation is not served: invitations wait for the owner or
/// an admin (`InviteJoinOption`), never for the invitee.
const NO_INVITEE_CONSENT: &str =
    "no invitation waits for the invitee's consent: InviteJoinOption names the owner and admins";

#[rustfmt::skip]
pub static COMMANDS: &[Command] = &[
    Command { name: "im_open_status.wslogin", serving: served!(ok) },
    Command { name: "im_open_status.wslogout", serving: served!(ok) },
    Command { name: "im_open_status.wshello", serving: served!(ok) },
    Command { name: "StatSvc.KickOther", serving: Serving::UnsentPush },
    Command { name: "im_cos_sign_svr.cos", serving: Serving::NotInProxyMode },
    Command { name: "im_cos_msg.pre_sig", serving: served!(files::pre_sig) },
    Command { name: "im_cos_msg.simple_sig", serving: served!(files::simple_sig) },
    Command { name: "im_cos_msg.get_imageinfo", serving: served!(files::get_imageinfo) },
    Command { name: "im_cos_msg.get_final_ip", serving: Serving::NotInProxyMode },
    Command { name: "im_cos_msg.video_cover", serving: slow!(files::video_cover) },
    Command { name: "im_sdk_config_mgr.fetch_imsdk_purchase_bitsv2", serving: served!(fetch_purchase_bits) },
    Command { name: "im_sdk_config_mgr.push_imsdk_purchase_bitsv2", serving: Serving::Push },
    Command { name: "im_sdk_config_mgr.fetch_config", serving: served!(fetch_config) },
    Command { name: "im_sdk_config_mgr.push_configv2", serving: Serving::Push },
    Command { name: "OverLoadPush.notify2", serving: Serving::Push },
    Command { name: "openim.getmsg", serving: served!(sync::getmsg) },
    Command { name: "im_msg_audit_mgr.get_local_words", serving: served!(moderation::get_local_words) },
    Command { name: "openim.sendmsg", serving: served!(sendmsg) },
    Command { name: "group_open_http_svc.send_group_msg", serving: served!(send_group_msg) },
    Command { name: "openim.msgwithdraw", serving: served!(sync::msgwithdraw) },
    Command { name: "group_open_http_svc.group_msg_recall", serving: served!(group_msgs::group_msg_recall) },
    Command { name: "openim.getroammsg", serving: served!(getroammsg) },
    Command { name: "openim.modify_c2c_msg", serving: served!(sync::modify_c2c_msg) },
    Command { name: "group_open_http_svc.group_msg_get", serving: served!(groups::group_msg_get) },
    Command { name: "openim.msgreaded", serving: served!(msgreaded) },
    Command { name: "openim.set_c2c_peer_mute_notifications", serving: served!(c2c_own::set_c2c_peer_mute_notifications) },
    Command { name: "openim.get_c2c_peer_mute_notifications", serving: served!(c2c_own::get_c2c_peer_mute_notifications) },
    Command { name: "group_open_http_svc.msg_read_report", serving: served!(groups::msg_read_report) },
    Command { name: "openim.read_all_unread_msg", serving: served!(conversations::read_all_unread_msg) },
    Command { name: "openim.delete_c2c_msg_ramble", serving: served!(c2c_own::delete_c2c_msg_ramble) },
    Command { name: "group_open_http_svc.delete_group_ramble_msg_by_seq", serving: served!(group_msgs::delete_group_ramble_msg_by_seq) },
    Command { name: "im_open_translate.ws_batch_trans_text", serving: slow!(language::ws_batch_trans_text) },
    Command { name: "im_open_speech.ws_sentence_recognition", serving: slow!(language::ws_sentence_recognition) },
    Command { name: "openim.modify_group_msg", serving: served!(group_msgs::modify_group_msg) },
    Command { name: "group_open_http_svc.get_group_msg_receipt", serving: served!(group_msgs::get_group_msg_receipt) },
    Command { name: "openim.c2c_msg_read_receipt", serving: served!(c2c_own::c2c_msg_read_receipt) },
    Command { name: "group_open_http_svc.group_msg_receipt", serving: served!(group_msgs::group_msg_receipt) },
    Command { name: "group_open_http_svc.get_group_msg_receipt_detail", serving: served!(group_msgs::get_group_msg_receipt_detail) },
    Command { name: "group_open_http_svc.get_group_msg_receipts_by_users", serving: served!(group_msgs::get_group_msg_receipts_by_users) },
    Command { name: "openim_msg_ext_http_svc.set_key_values", serving: served!(extensions::set_key_values) },
    Command { name: "openim_msg_ext_http_svc.get_key_values", serving: served!(extensions::get_key_values) },
    Command { name: "openim_msg_ext_http_svc.group_set_key_values", serving: served!(extensions::group_set_key_values) },
    Command { name: "openim_msg_ext_http_svc.group_get_key_values", serving: served!(extensions::group_get_key_values) },
    Command { name: "openim_msg_ext_http_svc.reaction_add", serving: served!(reactions::reaction_add) },
    Command { name: "openim_msg_ext_http_svc.reaction_del", serving: served!(reactions::reaction_del) },
    Command { name: "openim_msg_ext_http_svc.reaction_multi_stat", serving: served!(reactions::reaction_multi_stat) },
    Command { name: "openim_msg_ext_http_svc.reaction_iterate", serving: served!(reactions::reaction_iterate) },
    Command { name: "openim_msg_ext_http_svc.group_reaction_add", serving: served!(reactions::group_reaction_add) },
    Command { name: "openim_msg_ext_http_svc.group_reaction_del", serving: served!(reactions::group_reaction_del) },
    Command { name: "openim_msg_ext_http_svc.group_reaction_multi_stat", serving: served!(reactions::group_reaction_multi_stat) },
    Command { name: "openim_msg_ext_http_svc.group_reaction_iterate", serving: served!(reactions::group_reaction_iterate) },
    Command { name: "openim.get_peer_read_time", serving: served!(get_peer_read_time) },
    Command { name: "recentcontact.page_get", serving: served!(page_get) },
    Command { name: "recentcontact.batch_delete", serving: served!(conversations::batch_delete) },
    Command { name: "recentcontact.clear_msg", serving: served!(conversations::clear_msg) },
    Command { name: "recentcontact.top", serving: served!(conversations::top) },
    Command { name: "openim.deletemsg", serving: served!(group_notices::deletemsg) },
    Command { name: "recentcontact.mark_contact", serving: as_user!("From_Account", recentcontact::mark_contact) },
    Command { name: "recentcontact.create_contact_group", serving: as_user!("From_Account", recentcontact::create_contact_group) },
    Command { name: "recentcontact.del_contact_group", serving: as_user!("From_Account", recentcontact::del_contact_group) },
    Command { name: "recentcontact.update_contact_group", serving: served!(conversations::update_contact_group) },
    Command { name: "recentcontact.get_contact_group", serving: as_user!("From_Account", recentcontact::get_contact_group) },
    Command { name: "recentcontact.search_contact_group", serving: as_user!("From_Account", recentcontact::search_contact_group) },
    Command { name: "profile.portrait_get_all", serving: served!(portrait_get_all) },
    Command { name: "profile.portrait_set", serving: as_user!("From_Account", profile::portrait_set) },
    Command { name: "sns.black_list_get", serving: served!(black_list_get) },
    Command { name: "sns.black_list_add", serving: as_user!("From_Account", sns::black_list_add) },
    Command { name: "sns.black_list_delete", serving: as_user!("From_Account", sns::black_list_delete) },
    Command { name: "im_open_status.ws_set_custom_status", serving: served!(status::ws_set_custom_status) },
    Command { name: "im_open_status.ws_get_user_status", serving: served!(status::ws_get_user_status) },
    Command { name: "im_open_status.ws_status_subscribe", serving: served!(status::ws_status_subscribe) },
    Command { name: "im_open_status.ws_status_unsubscribe", serving: served!(status::ws_status_unsubscribe) },
    Command { name: "sns.friend_get", serving: as_user!("From_Account", sns::friend_get) },
    Command { name: "sns.friend_add", serving: served!(super::sns::friend_add) },
    Command { name: "sns.friend_update", serving: as_user!("From_Account", sns::friend_update) },
    Command { name: "sns.friend_delete", serving: as_user!("From_Account", sns::friend_delete) },
    Command { name: "sns.friend_get_specified", serving: served!(super::sns::friend_get_specified) },
    Command { name: "sns.friend_check", serving: as_user!("From_Account", sns::friend_check) },
    Command { name: "sns.pendency_get", serving: served!(super::sns::pendency_get) },
    Command { name: "sns.friend_response", serving: served!(super::sns::friend_response) },
    Command { name: "sns.pendency_delete", serving: served!(super::sns::pendency_delete) },
    Command { name: "sns.pendency_report", serving: served!(super::sns::pendency_report) },
    Command { name: "sns.group_add", serving: as_user!("From_Account", sns::group_add) },
    Command { name: "sns.group_delete", serving: as_user!("From_Account", sns::group_delete) },
    Command { name: "sns.group_get", serving: as_user!("From_Account", sns::group_get) },
    Command { name: "sns.group_update", serving: served!(super::sns::group_update) },
    Command { name: "group_open_http_svc.get_joined_group_list", serving: as_user!("Member_Account", group_open_http_svc::get_joined_group_list) },
    Command { name: "million_group_open_http_svc.get_joined_group_list", serving: served!(topics::get_joined_community_list) },
    Command { name: "group_open_http_svc.get_group_self_member_info", serving: served!(groups::get_group_self_member_info) },
    Command { name: "group_open_http_svc.create_group", serving: served!(groups::create_group) },
    Command { name: "group_open_http_svc.destroy_group", serving: served!(groups::destroy_group) },
    Command { name: "group_open_http_svc.modify_group_base_info", serving: served!(groups::modify_group_base_info) },
    Command { name: "group_open_http_svc.apply_join_group", serving: served!(groups::apply_join_group) },
    Command { name: "group_open_http_noauth_svc.apply_join_group", serving: served!(live::apply_join_group_noauth) },
    Command { name: "group_open_http_svc.quit_group", serving: served!(groups::quit_group) },
    Command { name: "group_open_http_svc.get_group_public_info", serving: served!(groups::get_group_public_info) },
    Command { name: "group_open_http_svc.change_group_owner", serving: served!(groups::change_group_owner) },
    Command { name: "group_open_http_svc.handle_apply_join_group", serving: served!(groups::handle_apply_join_group) },
    Command { name: "group_open_http_svc.handle_invite_join_permission_group", serving: served!(invitations::handle_invite_join_permission_group) },
    Command { name: "group_open_http_svc.handle_invite_join_group", serving: Serving::NotServed(NO_INVITEE_CONSENT) },
    Command { name: "group_open_http_svc.get_pendency", serving: served!(applications::get_pendency) },
    Command { name: "group_open_long_polling_http_svc.get_msg", serving: served!(live::get_msg) },
    Command { name: "group_open_long_polling_http_noauth_svc.get_msg", serving: served!(live::get_msg_noauth) },
    Command { name: "group_open_http_svc.get_online_member_num", serving: served!(rooms::get_online_member_num) },
    Command { name: "group_open_http_svc.set_group_attr", serving: served!(attrs::set_group_attr) },
    Command { name: "group_open_http_svc.modify_group_attr", serving: served!(attrs::modify_group_attr) },
    Command { name: "group_open_http_svc.delete_group_attr", serving: served!(attrs::delete_group_attr) },
    Command { name: "group_open_http_svc.clear_group_attr", serving: served!(attrs::clear_group_attr) },
    Command { name: "group_open_attr_http_svc.get_group_attr", serving: served!(attrs::get_group_attr) },
    Command { name: "group_open_http_svc.batch_get_group_notify", serving: served!(group_notify::batch_get_group_notify) },
    Command { name: "group_open_http_svc.update_group_counter", serving: served!(attrs::update_group_counter) },
    Command { name: "group_open_http_svc.get_group_counter", serving: served!(attrs::get_group_counter) },
    Command { name: "group_open_http_svc.pin_message", serving: served!(pins::pin_message) },
    Command { name: "group_open_http_svc.unpin_message", serving: served!(pins::unpin_message) },
    Command { name: "group_open_http_svc.get_pinned_messages", serving: served!(pins::get_pinned_messages) },
    Command { name: "group_open_http_svc.get_huge_group_msg", serving: served!(live::get_huge_group_msg) },
    Command { name: "million_group_open_http_svc.create_topic", serving: served!(topics::create_topic) },
    Command { name: "million_group_open_http_svc.destroy_topic", serving: served!(topics::destroy_topic) },
    Command { name: "million_group_open_http_svc.modify_topic", serving: served!(topics::modify_topic) },
    Command { name: "million_group_open_http_svc.get_topic", serving: served!(topics::get_topic) },
    Command { name: "group_open_http_svc.get_group_member_info", serving: served!(groups::get_group_member_info) },
    Command { name: "group_open_avchatroom_http_svc.get_members", serving: served!(rooms::get_members) },
    Command { name: "group_open_http_svc.get_specified_group_member_info", serving: served!(rooms::get_specified_group_member_info) },
    Command { name: "group_open_http_svc.add_group_member", serving: served!(invitations::add_group_member) },
    Command { name: "group_open_http_svc.delete_group_member", serving: served!(groups::delete_group_member) },
    Command { name: "group_open_http_svc.ban_group_member", serving: served!(rooms::ban_group_member) },
    Command { name: "group_open_http_svc.modify_group_member_info", serving: served!(groups::modify_group_member_info) },
    Command { name: "group_open_avchatroom_http_svc.modify_user_info", serving: served!(rooms::modify_user_info) },
    Command { name: "message_search.query", serving: served!(search::message_query) },
    Command { name: "user_search.query", serving: served!(search::user_query) },
    Command { name: "group_search.query", serving: served!(search::group_query) },
    Command { name: "group_member_search.query", serving: served!(search::group_member_query) },
    Command { name: "imopenstat.tim_web_report_v2", serving: served!(ok) },
    Command { name: "heartbeat.alive", serving: served!(ok) },
    Command { name: "im_open_push.msg_push", serving: Serving::Push },
    Command { name: "im_open_push.multi_msg_push_ws", serving: Serving::Push },
    Command { name: "openim.ws_msg_push_ack", serving: served!(ok) },
    Command { name: "im_open_status.stat_forceoffline", serving: Serving::Push },
    Command { name: "im_long_msg.get_relay_json_msg", serving: served!(relay::get_relay_json_msg) },
    Command { name: "im_long_msg.save_relay_json_msg", serving: served!(relay::save_relay_json_msg) },
    Command { name: "follow.follow_add", serving: served!(follows::follow_add) },
    Command { name: "follow.follow_delete", serving: served!(follows::follow_delete) },
    Command { name: "follow.follow_get_info", serving: served!(follows::follow_get_info) },
    Command { name: "follow.follow_get", serving: served!(follows::follow_get) },
    Command { name: "follow.follow_check", serving: served!(follows::follow_check) },
    Command { name: "im_open_status.ws_stat_settoken", serving: Serving::NotServed(NO_OFFLINE_PUSH) },
    Command { name: "im_open_status.ws_stat_foreground", serving: served!(ok) },
    Command { name: "im_open_status.ws_stat_background", serving: served!(ok) },
    Command { name: "offline_push_report.uniapp_sdk_report", serving: Serving::NotServed(NO_OFFLINE_PUSH) },
    Command { name: "im_msg_db_logic.ws_set_do_not_disturb", serving: served!(c2c_own::ws_set_do_not_disturb) },
    Command { name: "im_msg_db_logic.ws_get_do_not_disturb", serving: served!(c2c_own::ws_get_do_not_disturb) },
];
