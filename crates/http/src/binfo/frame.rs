//! The Web SDK's frames. Uplink: a binary WebSocket frame holding the UTF-8 JSON text
//! `{"head": {…}, "body": {…}}`, where `head.cs` is the CRC-32 of the body's JSON text as sent (0 on
//! the few commands that skip it). Downlink: binary too (the SDK ignores text frames), either that
//! JSON or the four bytes `COMP` followed by its gzip.

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

/// Downlink frames at least this large are sent gzipped when the SDK asked for it; below it the
/// gzip header costs more than it saves.
const COMPRESS_FROM_BYTES: usize = 1024;
const COMPRESSED_MARK: &[u8] = b"COMP";

/// The `head` fields Natter reads; the SDK sends more (versions, abilities), all ignored.
#[derive(Debug, Default, Deserialize)]
pub struct Head {
    /// `service.command`, after the REST API's `v4/service/command`.
    #[serde(default)]
    pub servcmd: String,
    /// Pairs a reply with its request (with `servcmd`).
    #[serde(default)]
    pub seq: Value,
    #[serde(default)]
    pub identifier: Option<String>,
    #[serde(default)]
    pub usersig: Option<String>,
    /// After the first login: the session key Natter gave (`A2Key`) instead of the UserSig.
    #[serde(default)]
    pub a2: Option<String>,
    #[serde(default)]
    pub sdkappid: Option<Value>,
    /// CRC-32 of the body's text; 0 when the SDK did not compute one.
    #[serde(default)]
    pub cs: Option<u64>,
}

#[derive(Deserialize)]
struct RawUplink<'a> {
    #[serde(borrow)]
    head: Option<&'a RawValue>,
    #[serde(borrow)]
    body: Option<&'a RawValue>,
}

/// One request from the SDK.
#[derive(Debug)]
pub struct Uplink {
    pub head: Head,
    pub body: Value,
}

/// Why an uplink frame could not be read. The reply still needs `servcmd` and `seq` when the
/// head was readable, so that the SDK's request fails at once instead of waiting 15 s.
#[derive(Debug)]
pub struct BadFrame {
    pub servcmd: String,
    pub seq: Value,
    pub info: String,
}

/// Reads an uplink frame and checks its checksum.
pub fn read(bytes: &[u8]) -> Result<Uplink, BadFrame> {
    let bad = |head: Head, info: String| BadFrame {
        servcmd: head.servcmd,
        seq: head.seq,
        info,
    };
    let raw: RawUplink = serde_json::from_slice(bytes).map_err(|e| {
        bad(
            Head::default(),
            format!("the frame is not JSON {{head, body}}: {e}"),
        )
    })?;
    let head: Head = match raw.head {
        Some(head) => serde_json::from_str(head.get())
            .map_err(|e| bad(Head::default(), format!("head: {e}")))?,
        None => return Err(bad(Head::default(), "the frame has no head".into())),
    };
    let body_text = raw.body.map_or("{}", RawValue::get);
    if let Some(sent) = head.cs.filter(|cs| *cs != 0) {
        let computed = u64::from(crc32fast::hash(body_text.as_bytes()));
        if sent != computed {
            return Err(bad(
                head,
                format!("checksum cs {sent} does not match the body (CRC-32 {computed})"),
            ));
        }
    }
    match serde_json::from_str::<Value>(body_text) {
        Ok(body @ Value::Object(_)) => Ok(Uplink { head, body }),
        Ok(_) => Err(bad(head, "body must be a JSON object".into())),
        Err(e) => Err(bad(head, format!("body: {e}"))),
    }
}

#[derive(Serialize)]
struct DownHead<'a> {
    servcmd: &'a str,
    seq: &'a Value,
}

#[derive(Serialize)]
struct Downlink<'a, B: Serialize> {
    head: DownHead<'a>,
    body: &'a B,
}

/// Writes a downlink frame: `head` names the command and `seq` (the request's for a reply, any
/// unused number for a push); gzipped behind `COMP` when `compress` and worth it.
pub fn write<B: Serialize>(servcmd: &str, seq: &Value, body: &B, compress: bool) -> Vec<u8> {
    let frame = Downlink {
        head: DownHead { servcmd, seq },
        body,
    };
    let json = serde_json::to_vec(&frame).expect("a frame of JSON values always serialises");
    if !compress || json.len() < COMPRESS_FROM_BYTES {
        return json;
    }
    let mut out = Vec::with_capacity(json.len() / 3 + COMPRESSED_MARK.len());
    out.extend_from_slice(COMPRESSED_MARK);
    let mut gzip = GzEncoder::new(out, Compression::fast());
    gzip.write_all(&json)
        .expect("writing to memory cannot fail");
    gzip.finish().expect("writing to memory cannot fail")
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use serde_json::json;

    use super::*;

    fn uplink(body: &str, cs: u32) -> Vec<u8> {
        format!(r#"{{"head":{{"servcmd":"openim.sendmsg","seq":7,"cs":{cs}}},"body":{body}}}"#)
            .into_bytes()
    }

    #[test]
    fn a_checksum_over_the_body_text_is_checked() {
        let body = r#"{"To_Account":"bob"}"#;
        let good = read(&uplink(body, crc32fast::hash(body.as_bytes()))).unwrap();
        assert_eq!(good.head.servcmd, "openim.sendmsg");
        assert_eq!(good.body, json!({"To_Account": "bob"}));
        assert!(read(&uplink(body, 0)).is_ok(), "0: no checksum");
        let bad = read(&uplink(body, 12345)).unwrap_err();
        assert_eq!(bad.seq, json!(7), "the head is kept to answer the request");
        assert!(bad.info.contains("checksum"), "{}", bad.info);
    }

    #[test]
    fn unreadable_frames_say_why() {
        assert!(read(b"not json").unwrap_err().info.contains("not JSON"));
        assert!(read(br#"{"body":{}}"#)
            .unwrap_err()
            .info
            .contains("no head"));
        let array = read(br#"{"head":{"seq":1},"body":[1]}"#).unwrap_err();
        assert!(array.info.contains("object"), "{}", array.info);
    }

    #[test]
    fn large_downlink_frames_are_gzipped_behind_comp() {
        let small = write("heartbeat.alive", &json!(3), &json!({"ErrorCode": 0}), true);
        assert_eq!(small[0], b'{');
        let text = "x".repeat(4096);
        let big = write("openim.getmsg", &json!(4), &json!({ "Text": text }), true);
        assert_eq!(&big[..4], b"COMP");
        let mut json = String::new();
        flate2::read::GzDecoder::new(&big[4..])
            .read_to_string(&mut json)
            .unwrap();
        let frame: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(frame["head"], json!({"servcmd": "openim.getmsg", "seq": 4}));
        assert_eq!(frame["body"]["Text"].as_str().unwrap().len(), 4096);
        let plain = write("openim.getmsg", &json!(4), &json!({ "Text": text }), false);
        assert_eq!(plain[0], b'{');
    }
}
