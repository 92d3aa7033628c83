//! The group pendency list over `/binfo` (`get_pendency`, the SDK's
//! `getGroupApplicationList`): the join requests the user may answer.

use serde_json::json;

use crate::harness::*;
use crate::on_both_engines;
use crate::sdk_client::SdkClient;

on_both_engines!(
    join_requests_in_the_pendency_list,
    |server: TestServer| async move {
        let mut owner = SdkClient::connect(&server, "pd_owner").await;
        let mut applicant = SdkClient::connect(&server, "pd_applicant").await;
        let mut member = SdkClient::connect(&server, "pd_member").await;
        server
            .ok(
                "profile/portrait_set",
                json!({"From_Account": "pd_applicant",
                   "ProfileItem": [{"Tag": "Tag_Profile_IM_Nick", "Value": "Ann"}]}),
            )
            .await;
        let group = server
            .ok(
                "group_open_http_svc/create_group",
                json!({"Type": "Public", "Name": "Club", "Owner_Account": "pd_owner",
                   "ApplyJoinOption": "NeedPermission",
                   "MemberList": [{"Member_Account": "pd_member"}]}),
            )
            .await["GroupId"]
            .as_str()
            .unwrap()
            .to_owned();
        let applied = applicant
            .call(
                "group_open_http_svc.apply_join_group",
                json!({"GroupId": group, "ApplyMsg": "let me in"}),
            )
            .await;
        assert_eq!(applied["JoinedStatus"], "WaitAdminApproval", "{applied}");

        // The SDK's body: the user as `Handle_Account`, from the start, 20 a page.
        let pendency = |user: &str| json!({"StartTime": 0, "Limit": 20, "Handle_Account": user});
        let list = owner
            .call("group_open_http_svc.get_pendency", pendency("pd_owner"))
            .await;
        assert_eq!(list["ErrorCode"], 0, "{list}");
        assert_eq!(list["NextStartTime"], 0);
        let item = &list["PendencyList"][0];
        assert_eq!(item["GroupId"], group.as_str(), "{list}");
        assert_eq!(item["GroupName"], "Club");
        assert_eq!(item["From_Account"], "pd_applicant");
        assert_eq!(item["FromUserNickName"], "Ann");
        assert_eq!(item["ApplyInviteMsg"], "let me in");
        assert_eq!(item["PendencyType"], 0);
        assert_eq!(item["Handled"], 0);
        // An ordinary member answers no requests: their list is empty.
        let none = member
            .call("group_open_http_svc.get_pendency", pendency("pd_member"))
            .await;
        assert_eq!(none["PendencyList"], json!([]), "{none}");

        // Once answered, the request leaves the list.
        let handled = owner
            .call(
                "group_open_http_svc.handle_apply_join_group",
                json!({"GroupId": group, "Applicant_Account": "pd_applicant",
                   "HandleMsg": "Agree", "ApprovalMsg": "welcome"}),
            )
            .await;
        assert_eq!(handled["ErrorCode"], 0, "{handled}");
        let list = owner
            .call("group_open_http_svc.get_pendency", pendency("pd_owner"))
            .await;
        assert_eq!(list["PendencyList"], json!([]), "{list}");
    }
);
