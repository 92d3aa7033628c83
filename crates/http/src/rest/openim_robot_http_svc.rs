//! `v4/openim_robot_http_svc/*`: chatbot accounts.

use natter_core::ApiResult;

use crate::handler::Ctx;
use crate::wire::openim_robot_http_svc::{
    CreateRobot, DeleteRobot, GetAllRobots, GetAllRobotsReply,
};

pub async fn create_robot(ctx: Ctx, req: CreateRobot) -> ApiResult<()> {
    ctx.services
        .robots
        .create(ctx.app.sdkappid, req.into_new_robot())
        .await
}

pub async fn delete_robot(ctx: Ctx, req: DeleteRobot) -> ApiResult<()> {
    ctx.services
        .robots
        .delete(ctx.app.sdkappid, &req.robot_account)
        .await
}

pub async fn get_all_robots(ctx: Ctx, _req: GetAllRobots) -> ApiResult<GetAllRobotsReply> {
    Ok(GetAllRobotsReply {
        robot_account: ctx.services.robots.list(ctx.app.sdkappid).await?,
    })
}
