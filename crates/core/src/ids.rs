//! Identifier rules shared by every API.

/// Longest UserID Tencent accepts, in bytes.
pub const MAX_USER_ID_BYTES: usize = 32;

/// Why a UserID is refused, worded for `ErrorInfo`.
pub fn user_id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("UserID is empty".into());
    }
    if id.len() > MAX_USER_ID_BYTES {
        return Some(format!(
            "UserID '{id}' is {} bytes; at most {MAX_USER_ID_BYTES} are allowed",
            id.len()
        ));
    }
    if id.bytes().any(|b| !(0x20..=0x7e).contains(&b)) {
        return Some(format!(
            "UserID {id:?} has a character outside printable ASCII"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_rules() {
        assert!(user_id_problem("alice_01-x").is_none());
        assert!(user_id_problem(&"a".repeat(32)).is_none());
        assert!(user_id_problem(&"a".repeat(33)).is_some());
        assert!(user_id_problem("").is_some());
        assert!(user_id_problem("tab\there").is_some());
        assert!(user_id_problem("日本").is_some());
    }
}
