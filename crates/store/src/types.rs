use serde_json::Value;

/// One profile item: a `Tag_Profile_*` tag and its value (a JSON string or unsigned integer).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileValue {
    pub tag: String,
    pub value: Value,
}

impl ProfileValue {
    pub fn new(tag: impl Into<String>, value: impl Into<Value>) -> Self {
        Self {
            tag: tag.into(),
            value: value.into(),
        }
    }
}

/// One account to import, with the profile items the import sets (nick, face URL).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountImport {
    pub user_id: String,
    pub profile: Vec<ProfileValue>,
}
