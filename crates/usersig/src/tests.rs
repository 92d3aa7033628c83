//! The vectors of `usersig.md` §9, made by Tencent's published PyPI and npm packages with the
//! clock frozen at 1700000000.

use super::*;

const APP: u64 = 1_400_000_000;
const KEY: &str = "test-secret-key";
const ADMIN: &str = "administrator";
const MADE_AT: i64 = 1_700_000_000;
const EXPIRES_AT: i64 = 1_700_086_400;

const PYPI: &str = "eJyrVgrxCdYrSy1SslJQMtIzUNJRAItkpqTmlWSmZUIkElNyM-Myi0uKEkvyi2BKilOyEwsKMlOACgxNDKAAKpdaUZBZlAqUsTAzgQuWZOaChAzN0RQXZ6aDLIkIz6lyDCtNc3ZJ069wKvQISCz0djHxTHTUr8xKTk0xzXDxzYsqzsn3M-e0VaoFAE8uNc0_";
const NPM: &str = "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwokpuZl5mcUlRYkl*UVQBcUp2YkFBZkpSlaGJgZQAJEpycxNVbIyNEcVTa0oyCxKVbKyMDOBCRVnpitZKUWE51Q5hpWmObuk6Vc4FXoEJBZ6u5h4JjrqV2Ylp6aYZrj45kUV5*T7mXvaKtUCAL4xNG0_";
const GO_STORED: &str = "eAEBrwBQ-3siVExTLnZlciI6IjIuMCIsIlRMUy5pZGVudGlmaWVyIjoiYWRtaW5pc3RyYXRvciIsIlRMUy5zZGthcHBpZCI6MTQwMDAwMDAwMCwiVExTLmV4cGlyZSI6ODY0MDAsIlRMUy50aW1lIjoxNzAwMDAwMDAwLCJUTFMuc2lnIjoiWFdsekFWdWZDRGYveEJxSFBhcUtENElhQS95amNlZDVoRE1uWnNsb043ST0ifQoCLTR3";

fn doc_of(usersig: &str) -> Map<String, Value> {
    serde_json::from_slice(&decode_wrapped(usersig).unwrap()).unwrap()
}

#[test]
fn hmac_matches_the_spec_vector() {
    let raw = signature(KEY, ADMIN, APP, 1_700_000_000, 86_400, None);
    assert_eq!(
        raw.iter().map(|b| format!("{b:02x}")).collect::<String>(),
        "5d6973015b9f0837ffc41a873daa8a0f821a03fca371e77984332766c96837b2"
    );
}

#[test]
fn official_library_sigs_verify() {
    for sig in [PYPI, NPM, GO_STORED] {
        let ok =
            verify(sig, APP, ADMIN, KEY, MADE_AT + 10).unwrap_or_else(|e| panic!("{sig}: {e:?}"));
        assert_eq!(ok.expires_at, EXPIRES_AT as u64);
        assert_eq!(ok.userbuf, None);
    }
}

#[test]
fn plain_standard_base64_is_accepted() {
    let plain: String = PYPI
        .chars()
        .map(|c| match c {
            '*' => '+',
            '-' => '/',
            '_' => '=',
            c => c,
        })
        .collect();
    verify(&plain, APP, ADMIN, KEY, MADE_AT).unwrap();
    // A `+` that a form decoder turned into a space, and missing padding.
    let spaced = plain.replace('+', " ").trim_end_matches('=').to_string();
    verify(&spaced, APP, ADMIN, KEY, MADE_AT).unwrap();
}

#[test]
fn our_sig_has_the_official_tls_sig_and_round_trips() {
    let ours = generate(APP, KEY, ADMIN, 86_400, MADE_AT as u64, None);
    let doc = doc_of(&ours);
    assert_eq!(
        doc["TLS.sig"],
        "XWlzAVufCDf/xBqHPaqKD4IaA/yjced5hDMnZsloN7I="
    );
    assert_eq!(doc["TLS.ver"], "2.0");
    assert_eq!(doc["TLS.sdkappid"], APP);
    assert_eq!(doc["TLS.time"], 1_700_000_000);
    assert_eq!(doc["TLS.expire"], 86_400);
    assert!(ours
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"*-_".contains(&b)));
    // zlib with the default level, as Python and Node write it.
    let raw = LENIENT_FOR_TEST
        .decode(ours.replace('*', "+").replace('-', "/").replace('_', "="))
        .unwrap();
    assert_eq!(&raw[..2], &[0x78, 0x9c]);
    verify(&ours, APP, ADMIN, KEY, MADE_AT).unwrap();
}

const LENIENT_FOR_TEST: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[test]
fn userbuf_variant_matches_the_official_sig() {
    let ours = generate(APP, KEY, ADMIN, 86_400, MADE_AT as u64, Some(b"abc"));
    let doc = doc_of(&ours);
    assert_eq!(doc["TLS.userbuf"], "YWJj");
    assert_eq!(
        doc["TLS.sig"],
        "Hw7hqzMIZ9NrJjvSJLorjqVgvI0q47vOphxz8Z4veFQ="
    );
    let ok = verify(&ours, APP, ADMIN, KEY, MADE_AT).unwrap();
    assert_eq!(ok.userbuf.as_deref(), Some(&b"abc"[..]));
}

#[test]
fn expiry_is_strict_and_checked_before_the_hmac() {
    assert!(verify(PYPI, APP, ADMIN, KEY, EXPIRES_AT).is_ok());
    let late = verify(PYPI, APP, ADMIN, KEY, EXPIRES_AT + 1).unwrap_err();
    assert_eq!(
        late,
        VerifyError::Expired {
            expired_at: EXPIRES_AT as u64
        }
    );
    assert_eq!(late.code(), 70001);
    // Wrong key and expired: expired wins, as in Tencent's checker.
    let both = verify(PYPI, APP, ADMIN, "other-key", EXPIRES_AT + 1).unwrap_err();
    assert_eq!(both.code(), 70001);
}

#[test]
fn each_failure_gets_its_code() {
    let cases: Vec<(Result<Verified, VerifyError>, u32)> = vec![
        (verify("", APP, ADMIN, KEY, MADE_AT), 70002),
        (verify(PYPI, APP, ADMIN, "wrong-key", MADE_AT), 70009),
        (verify(PYPI, APP, "someone", KEY, MADE_AT), 70013),
        (verify(PYPI, 1_400_000_001, ADMIN, KEY, MADE_AT), 70014),
        (verify(&PYPI[..60], APP, ADMIN, KEY, MADE_AT), 70003),
        (verify("%%%not-base64%%%", APP, ADMIN, KEY, MADE_AT), 70003),
        (
            verify(&encode_wrapped(b"not json"), APP, ADMIN, KEY, MADE_AT),
            70003,
        ),
        (
            verify(r#"{"TLS.sig":"x"}"#, APP, ADMIN, KEY, MADE_AT),
            70016,
        ),
    ];
    for (i, (result, code)) in cases.into_iter().enumerate() {
        assert_eq!(result.unwrap_err().code(), code, "case {i}");
    }
}

#[test]
fn v1_ecdsa_documents_are_refused_as_legacy() {
    let v1 = r#"{"TLS.account_type":"0","TLS.identifier":"administrator","TLS.appid_at_3rd":"0","TLS.sdk_appid":"1400000000","TLS.expire_after":"86400","TLS.version":"201512300000","TLS.time":"1700000000","TLS.sig":"MEUCIQ=="}"#;
    let err = verify(&encode_wrapped(v1.as_bytes()), APP, ADMIN, KEY, MADE_AT).unwrap_err();
    assert_eq!(err, VerifyError::LegacyFormat);
    assert_eq!(err.code(), 70016);
}

#[test]
fn wrong_field_types_are_malformed() {
    let doc = r#"{"TLS.ver":"2.0","TLS.identifier":"administrator","TLS.sdkappid":"1400000000","TLS.expire":86400,"TLS.time":1700000000,"TLS.sig":"XWlzAVufCDf/xBqHPaqKD4IaA/yjced5hDMnZsloN7I="}"#;
    let err = verify(&encode_wrapped(doc.as_bytes()), APP, ADMIN, KEY, MADE_AT).unwrap_err();
    assert_eq!(err.code(), 70003, "{err:?}");
}

#[test]
fn decompression_bombs_are_refused() {
    let huge = vec![b' '; 1 << 20];
    let err = decode_wrapped(&encode_wrapped(&huge)).unwrap_err();
    assert!(err.contains("more than"), "{err}");
}
