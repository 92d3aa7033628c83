//! The callback authentication token: `Sign = lowercase hex(SHA-256(token ‖ RequestTime))`.

use sha2::{Digest, Sha256};

pub fn sign(token: &str, request_time_secs: i64) -> String {
    hex::encode(Sha256::digest(
        format!("{token}{request_time_secs}").as_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_tencents_worked_example() {
        assert_eq!(
            super::sign("xxxxyyyy", 1_669_872_112),
            "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"
        );
    }
}
