//! Per-account state that the app's administrator keeps: global mutes
//! (`openconfigsvr/setnospeaking`) and chatbots (`openim_robot_http_svc`).

/// A mute end that never comes (Tencent's 4294967295, "for ever").
pub const MUTED_FOREVER: i64 = i64::MAX;

/// When a user's global mutes end, in Unix seconds: 0 (or any past second) means not muted,
/// [`MUTED_FOREVER`] means muted until lifted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GlobalMute {
    /// One-to-one sends.
    pub c2c_until: i64,
    /// Group sends.
    pub group_until: i64,
}

/// What `create_robot` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RobotCreate {
    /// A new chatbot (its account created if needed).
    Created,
    /// It was a chatbot already; its profile items were written again.
    Existed,
    /// The app has its maximum of chatbots; nothing was written.
    Full,
}
