//! Generated inputs for the UserSig decoder, which faces every request: whatever arrives, the
//! answer is a UserSig error with one of Tencent's 700xx codes, never a panic, and every sig the
//! generator makes verifies.

use natter_usersig::{encode_wrapped, generate, verify};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const CODES: [u32; 7] = [70001, 70002, 70003, 70009, 70013, 70014, 70016];
const NOW: i64 = 1_800_000_000;

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(10_000)
}

/// A value for one field of the decoded document: often of the right type, often not.
fn field_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        "[A-Za-z0-9+/=]{0,64}".prop_map(Value::from),
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        Just(json!([1, "x"])),
    ]
}

/// A decoded document with any subset of TLSSigAPIv2's fields, each of any value.
fn document() -> impl Strategy<Value = Vec<u8>> {
    let keys = [
        "TLS.ver",
        "TLS.identifier",
        "TLS.sdkappid",
        "TLS.expire",
        "TLS.time",
        "TLS.sig",
        "TLS.userbuf",
    ];
    proptest::collection::vec((0..keys.len(), field_value()), 0..10).prop_map(move |fields| {
        let mut doc = Map::new();
        for (i, value) in fields {
            doc.insert(keys[i].to_owned(), value);
        }
        serde_json::to_vec(&Value::Object(doc)).unwrap()
    })
}

fn assert_refused_with_a_code(sig: &str, identifier: &str) {
    match verify(sig, 1_400_000_000, identifier, "key", NOW) {
        Ok(_) => {}
        Err(e) => {
            assert!(CODES.contains(&e.code()), "{e:?} has code {}", e.code());
            assert!(!e.info().is_empty());
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_is_refused_with_a_code(sig in ".{0,300}", identifier in ".{0,40}") {
        assert_refused_with_a_code(&sig, &identifier);
    }

    #[test]
    fn text_in_the_sig_alphabet_is_refused_with_a_code(sig in "[A-Za-z0-9*_\\-]{0,400}") {
        assert_refused_with_a_code(&sig, "administrator");
    }

    #[test]
    fn any_compressed_bytes_are_refused_with_a_code(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        assert_refused_with_a_code(&encode_wrapped(&bytes), "administrator");
    }

    #[test]
    fn any_document_is_refused_with_a_code(doc in document()) {
        assert_refused_with_a_code(&encode_wrapped(&doc), "administrator");
    }

    #[test]
    fn every_generated_sig_verifies(
        sdkappid in 1_400_000_000u64..1_500_000_000,
        key in "[ -~]{1,64}",
        identifier in "[!-~]{1,32}",
        expire in 1u64..=86_400 * 365,
        userbuf in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
    ) {
        let sig = generate(sdkappid, &key, &identifier, expire, NOW as u64, userbuf.as_deref());
        let verified = verify(&sig, sdkappid, &identifier, &key, NOW).unwrap();
        prop_assert_eq!(verified.expires_at, NOW as u64 + expire);
        prop_assert_eq!(verified.userbuf, userbuf);
        // One wrong key byte is a signature mismatch, never anything else.
        let wrong = format!("{key}x");
        let refused = verify(&sig, sdkappid, &identifier, &wrong, NOW).unwrap_err();
        prop_assert_eq!(refused.code(), 70009);
    }
}
