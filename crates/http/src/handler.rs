//! The one shape of a REST handler and the adapter that runs it.
//!
//! A handler is `async fn(Ctx, Request) -> ApiResult<Reply>`, with `Request` and `Reply` from
//! [`crate::wire`]. The adapter ([`typed`]) reads the JSON body into `Request` (a wrong type or a
//! missing field gets the service's Tencent code, naming the field) and turns `Reply` into the
//! envelope's fields. The route table stores every handler as one function-pointer type,
//! [`Handler`], made by the `route!` macro in `routes.rs`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use natter_core::{codes, ApiError, ApiResult, AppSettings};
use natter_services::Services;
use natter_webhook::Origin;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::envelope::{parse_body, ServiceRules};

pub type HandlerFuture = Pin<Box<dyn Future<Output = ApiResult<Value>> + Send>>;
/// Every handler in the route table, whatever its request and reply types.
pub type Handler = fn(Ctx, Value) -> HandlerFuture;

/// Everything a handler may use: the services, the calling app and who calls.
pub struct Ctx {
    pub services: Services,
    pub app: Arc<AppSettings>,
    /// The admin account in the URL's `identifier`; for a client's command, the logged-in user.
    pub identifier: String,
    /// `OptPlatform` and `ClientIP` of the callbacks this call fires: `RESTAPI` for REST, the
    /// client's platform for a client's command.
    pub origin: Origin,
    /// The rules of the service in the URL (its "invalid parameter" code, `ErrorDisplay`).
    pub rules: ServiceRules,
    /// The address the client reached Natter at (`scheme://host`), for URLs handed to it;
    /// known for `/binfo` commands.
    pub public_url: Option<std::sync::Arc<str>>,
}

impl Ctx {
    /// Reads a JSON value into `T` with the service's parse-error codes. The adapter does this for
    /// the request; a handler uses it for the open parts Tencent leaves untyped.
    pub fn parse<T: DeserializeOwned>(&self, body: Value) -> ApiResult<T> {
        parse_body(body, self.rules.invalid_param)
    }

    /// The context of a logged-in client's command in `service`: the user acts, from their
    /// platform.
    pub fn client(
        services: Services,
        session: &natter_services::sessions::Session,
        service: &str,
    ) -> Self {
        Self {
            services,
            app: session.app.clone(),
            identifier: session.user.clone(),
            origin: session.origin.clone(),
            rules: ServiceRules::of(service),
            public_url: None,
        }
    }

    /// The same context, knowing the address the client reached Natter at.
    pub fn reached_at(mut self, public_url: std::sync::Arc<str>) -> Self {
        self.public_url = Some(public_url);
        self
    }

    /// Where the call comes from, for the callbacks it fires.
    pub fn origin(&self) -> Origin {
        self.origin.clone()
    }
}

/// Runs a typed handler on a JSON body: parse, call, turn the reply into the envelope's fields.
pub fn typed<Req, Reply, Fut>(
    ctx: Ctx,
    body: Value,
    handler: impl FnOnce(Ctx, Req) -> Fut + Send + 'static,
) -> HandlerFuture
where
    Req: DeserializeOwned + Send + 'static,
    Reply: Serialize,
    Fut: Future<Output = ApiResult<Reply>> + Send + 'static,
{
    Box::pin(async move {
        let request = ctx.parse::<Req>(body)?;
        let reply = handler(ctx, request).await?;
        fields(reply)
    })
}

/// Turns a typed reply into the API's fields (`()` adds none).
pub fn fields<T: Serialize>(value: T) -> ApiResult<Value> {
    serde_json::to_value(value).map_err(|e| ApiError::new(codes::SERVICE_TIMEOUT, e.to_string()))
}
