//! The one table of every Tencent REST API: it dispatches requests, sets each API's default
//! frequency limit, and generates `docs/compatibility.md`. An API without a handler answers
//! 60009, never a fake success.

use natter_core::codes;

use crate::envelope::ServiceRules;
use crate::handler::{typed, Handler};
use crate::openapi::{describe, Described, Generators};
use crate::rest::{
    all_member_push, config_svc, group_open_attr_http_svc, group_open_avchatroom_http_svc,
    group_open_http_svc, im_open_login_svc, million_group_open_http_svc, open_msg_svc,
    openconfigsvr, openim, openim_msg_ext_http_svc, openim_robot_http_svc, profile, recentcontact,
    sns,
};

pub struct Api {
    pub service: &'static str,
    pub command: &'static str,
    pub title: &'static str,
    /// Tencent's English page: `https://www.tencentcloud.com/document/product/1047/<doc>`.
    pub doc: Option<u32>,
    /// Tencent's default frequency limit, calls per second per app.
    pub default_limit: u32,
    pub handler: Option<Handler>,
    /// The JSON Schemas of the handler's request and reply, for `docs/openapi.json`.
    pub describe: Option<fn(&mut Generators) -> Described>,
    /// The code of a call over the frequency limit (most APIs share one; a few have their own).
    pub over_limit_code: u32,
}

impl Api {
    /// `service/command`, as in the URL after `/v4/`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.service, self.command)
    }

    pub fn rules(&self) -> ServiceRules {
        ServiceRules::of(self.service)
    }

    const fn over_limit(mut self, code: u32) -> Self {
        self.over_limit_code = code;
        self
    }

    const fn with(mut self, handler: Handler, describe: fn(&mut Generators) -> Described) -> Self {
        self.handler = Some(handler);
        self.describe = Some(describe);
        self
    }
}

const fn api(
    service: &'static str,
    command: &'static str,
    title: &'static str,
    doc: u32,
    default_limit: u32,
) -> Api {
    Api {
        service,
        command,
        title,
        doc: if doc == 0 { None } else { Some(doc) },
        default_limit,
        handler: None,
        describe: None,
        over_limit_code: codes::REST_FREQUENCY_LIMIT,
    }
}

/// `route!(service::command, title, doc page, default limit)`: an implemented API. Its handler is
/// the function named after the command in `rest::<service>`, so the URL tells where the code is;
/// its request and reply types, read off the same function, go into `docs/openapi.json`.
macro_rules! route {
    ($service:ident :: $command:ident, $title:literal, $doc:literal, $limit:literal) => {
        api(
            stringify!($service),
            stringify!($command),
            $title,
            $doc,
            $limit,
        )
        .with(
            |ctx, body| typed(ctx, body, $service::$command),
            |generators| describe(generators, $service::$command),
        )
    };
}

/// Finds the API for a URL's service and command (case-sensitive, as Tencent's are).
pub fn find(service: &str, command: &str) -> Option<(usize, &'static Api)> {
    ROUTES
        .iter()
        .enumerate()
        .find(|(_, a)| a.service == service && a.command == command)
}

#[rustfmt::skip]
pub static ROUTES: &[Api] = &[
    route!(openim::sendmsg, "Send C2C to one user", 34919, 200),
    route!(openim::batchsendmsg, "Send C2C to many users", 34920, 200),
    route!(group_open_http_svc::send_group_msg, "Send group message", 34959, 200),
    route!(group_open_http_svc::send_group_system_notification, "Send group system notification", 34958, 200),
    route!(group_open_http_svc::send_broadcast_msg, "AVChatRoom broadcast", 49440, 1).over_limit(codes::GROUP_SEND_TOO_FAST),
    route!(openim::importmsg, "Import C2C messages", 35014, 200),
    route!(group_open_http_svc::import_group_msg, "Import group messages", 34968, 200),
    route!(openim::modify_c2c_msg, "Modify C2C history message", 47722, 200),
    route!(openim::modify_group_msg, "Modify group history message", 47948, 200),
    route!(openim::admin_getroammsg, "Pull C2C history", 35478, 200),
    route!(group_open_http_svc::group_msg_get_simple, "Pull group history", 34971, 200),
    route!(group_open_http_svc::delete_group_msg_by_sender, "Delete messages by sender", 34970, 200),
    route!(openim::admin_msgwithdraw, "Recall C2C message", 35015, 200),
    route!(group_open_http_svc::group_msg_recall, "Recall group messages", 34965, 200),
    route!(openim::admin_set_msg_read, "Mark C2C read", 38996, 200),
    route!(group_open_http_svc::get_group_msg_receipt_detail, "Group read-receipt details", 49438, 200),
    route!(group_open_http_svc::get_group_msg_receipt, "Group read receipts", 49439, 200),
    route!(openim_msg_ext_http_svc::get_key_values, "Get C2C msg extension", 51194, 200),
    route!(openim_msg_ext_http_svc::set_key_values, "Set C2C msg extension", 51195, 200),
    route!(openim_msg_ext_http_svc::group_get_key_values, "Get group msg extension", 52169, 200),
    route!(openim_msg_ext_http_svc::group_set_key_values, "Set group msg extension", 52170, 200),
    route!(all_member_push::im_push, "Push to all users", 37166, 200),
    route!(all_member_push::im_set_attr_name, "Set app attribute names", 37167, 100),
    route!(all_member_push::im_get_attr_name, "Get app attribute names", 37168, 100),
    route!(all_member_push::im_get_attr, "Get user attributes", 37169, 100),
    route!(all_member_push::im_set_attr, "Set user attributes", 37170, 100),
    route!(all_member_push::im_remove_attr, "Delete user attributes", 37171, 100),
    route!(all_member_push::im_get_tag, "Get user tags", 37172, 100),
    route!(all_member_push::im_add_tag, "Add user tags", 37173, 100),
    route!(all_member_push::im_remove_tag, "Delete user tags", 37174, 100),
    route!(all_member_push::im_remove_all_tags, "Delete all user tags", 37175, 100),
    route!(recentcontact::get_list, "Pull conversation list", 43087, 200),
    route!(group_open_http_svc::set_unread_msg_num, "Set member unread count", 34909, 200),
    route!(openim::get_c2c_unread_msg_num, "Query C2C unread count", 41046, 200),
    route!(recentcontact::delete, "Delete conversation", 43088, 200),
    route!(recentcontact::create_contact_group, "Create conversation group", 53437, 200),
    route!(recentcontact::update_contact_group, "Update conversation group", 53439, 200),
    route!(recentcontact::del_contact_group, "Delete conversation group", 53441, 200),
    route!(recentcontact::mark_contact, "Create/update conversation marks", 53438, 200),
    route!(recentcontact::search_contact_group, "Search conversation group marks", 53442, 200),
    route!(recentcontact::get_contact_group, "Pull conversation group mark data", 53440, 200),
    route!(group_open_http_svc::get_appid_group_list, "Get all groups", 34960, 1),
    route!(group_open_http_svc::create_group, "Create group", 34895, 200),
    route!(group_open_http_svc::destroy_group, "Disband group", 34896, 200),
    route!(group_open_http_svc::get_joined_group_list, "Joined groups of a user", 34925, 200),
    route!(group_open_http_svc::get_group_info, "Get group info", 34961, 200),
    route!(group_open_http_svc::modify_group_base_info, "Modify group base info", 34962, 200),
    route!(group_open_http_svc::import_group, "Import group", 34967, 200),
    route!(group_open_http_svc::add_group_member, "Add members", 34921, 200),
    route!(group_open_http_svc::delete_group_member, "Delete members", 34949, 200),
    route!(group_open_http_svc::ban_group_member, "Ban members (AV)", 50296, 200),
    route!(group_open_http_svc::unban_group_member, "Unban members (AV)", 50297, 200),
    route!(group_open_http_svc::get_group_ban_member, "Get banned list (AV)", 50295, 200),
    route!(group_open_http_svc::forbid_send_msg, "Bulk mute/unmute", 34951, 200),
    route!(group_open_http_svc::get_group_muted_account, "Get muted members", 34964, 200),
    route!(group_open_http_svc::get_group_shutted_uin, "Get muted members (legacy name)", 34964, 200),
    route!(group_open_http_svc::change_group_owner, "Change owner", 34966, 200),
    route!(group_open_http_svc::get_role_in_group, "Role in group", 34963, 200),
    route!(group_open_http_svc::import_group_member, "Import members", 34969, 200),
    route!(group_open_http_svc::get_group_member_info, "Get member info", 34948, 200),
    route!(group_open_http_svc::modify_group_member_info, "Modify member info", 34900, 200),
    route!(group_open_attr_http_svc::get_group_attr, "Get custom attributes", 44187, 200),
    route!(group_open_http_svc::modify_group_attr, "Modify custom attributes", 44188, 200),
    route!(group_open_http_svc::clear_group_attr, "Clear custom attributes", 44189, 200),
    route!(group_open_http_svc::set_group_attr, "Reset custom attributes", 44190, 200),
    route!(group_open_http_svc::delete_group_attr, "Delete custom attributes", 59499, 200),
    route!(group_open_http_svc::get_online_member_num, "AV online count", 38521, 200),
    route!(group_open_avchatroom_http_svc::get_members, "AV online member list", 50293, 200),
    route!(group_open_avchatroom_http_svc::modify_user_info, "AV member marks", 50294, 200),
    route!(million_group_open_http_svc::create_topic, "Create topic", 49471, 200),
    route!(million_group_open_http_svc::destroy_topic, "Disband topic", 49470, 200),
    route!(million_group_open_http_svc::get_topic, "Get topic", 49469, 200),
    route!(million_group_open_http_svc::modify_topic, "Modify topic", 49468, 200),
    route!(group_open_http_svc::import_topic, "Import topic", 53448, 200),
    route!(group_open_http_svc::get_group_counter, "Get counters", 53427, 200),
    route!(group_open_http_svc::update_group_counter, "Update counters", 53428, 200),
    route!(group_open_http_svc::delete_group_counter, "Delete counters", 53429, 200),
    route!(im_open_login_svc::account_import, "Import account", 34953, 200),
    route!(im_open_login_svc::multiaccount_import, "Import accounts", 34954, 100),
    route!(im_open_login_svc::account_delete, "Delete accounts", 34955, 100),
    route!(im_open_login_svc::account_check, "Check accounts", 34956, 100),
    route!(im_open_login_svc::kick, "Kick (invalidate login)", 34957, 200),
    route!(profile::portrait_set, "Set profile", 34916, 200),
    route!(profile::portrait_get, "Get profiles", 34917, 200),
    route!(openim::query_online_status, "Online status", 35477, 200),
    route!(openim::querystate, "Online status (legacy name)", 35477, 200),
    route!(openconfigsvr::setnospeaking, "Set global mute", 34923, 200),
    route!(openconfigsvr::getnospeaking, "Get global mute", 34924, 200),
    route!(openconfigsvr::getappinfo, "Operations data", 34886, 200),
    route!(open_msg_svc::get_history, "Download recent messages", 34885, 200),
    // Tencent's capitals are not a Rust module's name: the handler is named here.
    api("ConfigSvc", "GetIPList", "Server IP list", 36742, 200)
        .with(
            |ctx, body| typed(ctx, body, config_svc::get_ip_list),
            |generators| describe(generators, config_svc::get_ip_list),
        ),
    route!(openim_robot_http_svc::create_robot, "Create chatbot", 55281, 200),
    route!(openim_robot_http_svc::delete_robot, "Delete chatbot", 55282, 200),
    route!(openim_robot_http_svc::get_all_robots, "List chatbots", 55280, 200),
    route!(sns::friend_add, "Add friends", 34902, 200),
    route!(sns::friend_import, "Import friends", 34903, 200),
    route!(sns::friend_update, "Update friends", 34904, 200),
    route!(sns::friend_delete, "Delete friends", 34905, 200),
    route!(sns::friend_delete_all, "Delete all friends", 34906, 200),
    route!(sns::friend_check, "Check friends", 34907, 200),
    route!(sns::friend_get, "Pull friends", 34908, 200),
    route!(sns::friend_get_list, "Pull specified friends", 34910, 200),
    route!(sns::group_add, "Add friend lists", 34950, 200),
    route!(sns::group_delete, "Delete friend lists", 34926, 200),
    route!(sns::group_get, "Get friend lists", 40123, 200),
    route!(sns::black_list_add, "Add to blocklist", 34911, 200),
    route!(sns::black_list_delete, "Remove from blocklist", 34912, 200),
    route!(sns::black_list_get, "Pull blocklist", 34914, 200),
    route!(sns::black_list_check, "Check blocklist", 34913, 200),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_api_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for api in ROUTES {
            assert!(seen.insert(api.name()), "{} twice", api.name());
        }
    }
}
