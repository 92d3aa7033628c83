//! Files through the Web SDK's upload flow: `/binfo` hands out a signed upload URL and a
//! download URL on Natter (`im_cos_msg.simple_sig`, `pre_sig`), the upload is a plain `PUT`
//! there, and anyone with the download URL gets the bytes back. Refusals: a forged, moved or
//! expired upload URL, a second upload to one URL, a file over its kind's size limit.

use std::io::Read;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

use crate::harness::*;
use crate::on_both_engines;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const WAIT: Duration = Duration::from_secs(10);

/// One Web SDK connection, speaking its frames (as in `binfo.rs`).
struct SdkSocket {
    socket: Socket,
    seq: u64,
}

impl SdkSocket {
    async fn login(server: &TestServer, user: &str) -> Self {
        let url = format!(
            "{}/binfo?sdkappid={APP}&instanceid=abc&platform=7&sdkversion=3.6.6&compress=gzip",
            server.base.replacen("http", "ws", 1)
        );
        let (socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let mut sdk = Self { socket, seq: 7000 };
        let reply = sdk
            .request(
                "im_open_status.wslogin",
                json!({"identifier": user, "usersig": server.sig(user), "sdkappid": APP}),
                json!({"State": "Online"}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
        sdk
    }

    async fn request(&mut self, servcmd: &str, head: Value, body: Value) -> Value {
        self.seq += 1;
        let body_text = body.to_string();
        let mut full_head = json!({
            "ver": "v4", "platform": 7, "servcmd": servcmd, "seq": self.seq,
            "cs": crc32fast::hash(body_text.as_bytes()),
        });
        for (key, value) in head.as_object().unwrap() {
            full_head[key] = value.clone();
        }
        let frame = format!(r#"{{"head":{full_head},"body":{body_text}}}"#);
        self.socket
            .send(Message::Binary(frame.into_bytes().into()))
            .await
            .unwrap();
        loop {
            let message = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("a frame in time")
                .expect("the connection is open")
                .unwrap();
            let Message::Binary(bytes) = message else {
                continue;
            };
            let json = if bytes.starts_with(b"COMP") {
                let mut text = String::new();
                flate2::read::GzDecoder::new(&bytes[4..])
                    .read_to_string(&mut text)
                    .unwrap();
                text
            } else {
                String::from_utf8(bytes.to_vec()).unwrap()
            };
            let frame: Value = serde_json::from_str(&json).unwrap();
            if frame["head"]["servcmd"] == servcmd && frame["head"]["seq"] == self.seq {
                return frame["body"].clone();
            }
        }
    }

    async fn call(&mut self, servcmd: &str, body: Value) -> Value {
        self.request(servcmd, json!({}), body).await
    }

    /// `simple_sig` for one file of `file_type`: (upload URL, download URL).
    async fn presign(&mut self, file_type: u64) -> (String, String) {
        let reply = self
            .call(
                "im_cos_msg.simple_sig",
                json!({
                    "uint32_upload_method": 0, "uint32_platform": 7, "uint32_sdkappid": APP,
                    "str_user_id": "alice", "uint32_scene": 1,
                    "rpt_upload_object": [
                        {"uint32_file_id": 1, "uint32_file_type": file_type, "str_file_name": "a.png"}
                    ],
                }),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
        let signed = &reply["rpt_pre_sig"][0];
        assert_eq!(signed["uint32_file_id"], 1, "{reply}");
        (
            signed["str_upload_url"].as_str().unwrap().to_owned(),
            signed["str_download_url"].as_str().unwrap().to_owned(),
        )
    }
}

/// A 3×2 PNG's first bytes (enough for its size) and some more.
fn png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&3u32.to_be_bytes());
    png.extend_from_slice(&2u32.to_be_bytes());
    png.extend((0..5000u32).map(|i| (i % 256) as u8));
    png
}

on_both_engines!(
    files_round_trip_through_signed_upload_urls,
    |server: TestServer| async move {
        let mut alice = SdkSocket::login(&server, "alice").await;
        let (upload, download) = alice.presign(1).await;
        let files = format!("{}/_natter/files/{APP}/", server.base);
        assert!(
            upload.starts_with(&files),
            "{upload} is on Natter, at the address the SDK used"
        );
        assert!(download.starts_with(&files), "{download}");
        assert!(
            upload.starts_with(&download),
            "upload {upload} and download {download} name one file"
        );

        // Nothing there before the upload.
        let before = server.client.get(&download).send().await.unwrap();
        assert_eq!(before.status(), 404);

        // A browser's preflight, then the upload: the file as the body, as COS takes it.
        let preflight = server
            .client
            .request(reqwest::Method::OPTIONS, &upload)
            .header("Origin", "http://app.example")
            .header("Access-Control-Request-Method", "PUT")
            .send()
            .await
            .unwrap();
        assert!(preflight.status().is_success(), "{}", preflight.status());
        assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
        let put = server
            .client
            .put(&upload)
            .header("Content-Type", "image/png")
            .body(png())
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), 200, "{}", put.text().await.unwrap());

        // Anyone with the URL downloads the same bytes.
        let got = reqwest::Client::new().get(&download).send().await.unwrap();
        assert_eq!(got.status(), 200);
        assert_eq!(got.headers()["content-type"], "image/png");
        assert_eq!(
            got.headers()["content-length"],
            png().len().to_string().as_str()
        );
        assert_eq!(got.headers()["access-control-allow-origin"], "*");
        assert_eq!(got.bytes().await.unwrap().to_vec(), png());

        // The image's sizes, as the SDK asks for them after an upload.
        let info = alice
            .call(
                "im_cos_msg.get_imageinfo",
                json!({ "str_image_url": download }),
            )
            .await;
        assert_eq!(info["ErrorCode"], 0, "{info}");
        let original = &info["rpt_msg_image_info"][0];
        assert_eq!(
            (
                original["uint32_image_type"].clone(),
                original["uint32_width"].clone(),
                original["uint32_height"].clone()
            ),
            (json!(3), json!(3), json!(2)),
            "{info}"
        );
        assert_eq!(original["str_url"], download.as_str());

        // One upload per URL.
        let again = server
            .client
            .put(&upload)
            .body("other")
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 409);
        let still = server.client.get(&download).send().await.unwrap();
        assert_eq!(still.bytes().await.unwrap().to_vec(), png());

        // Forged: another user, another kind, another file, another signature.
        let (upload, download) = alice.presign(255).await;
        for (from, to) in [
            ("user=alice", "user=mallory"),
            ("kind=file", "kind=video"),
            ("sig=", "sig=00"),
        ] {
            let forged = upload.replace(from, to);
            assert_ne!(forged, upload);
            let put = server.client.put(&forged).body("x").send().await.unwrap();
            assert_eq!(put.status(), 403, "{forged}");
        }
        let moved = upload.replace(&format!("/{APP}/"), &format!("/{OTHER_APP}/"));
        let put = server.client.put(&moved).body("x").send().await.unwrap();
        assert_eq!(
            put.status(),
            403,
            "the grant of one app is no good in another"
        );
        let (other_upload, _) = alice.presign(255).await;
        let other_id = other_upload
            .split('/')
            .next_back()
            .unwrap()
            .split('?')
            .next()
            .unwrap();
        let this_id = upload
            .split('/')
            .next_back()
            .unwrap()
            .split('?')
            .next()
            .unwrap();
        let swapped = upload.replace(this_id, other_id);
        let put = server.client.put(&swapped).body("x").send().await.unwrap();
        assert_eq!(put.status(), 403, "a grant is for its own file id");
        assert_eq!(
            server.client.get(&download).send().await.unwrap().status(),
            404
        );
        // The untouched URL still works, with no Content-Type given.
        let put = server
            .client
            .put(&upload)
            .body("hello")
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), 200);
        let got = server.client.get(&download).send().await.unwrap();
        assert_eq!(got.headers()["content-type"], "application/octet-stream");
        assert_eq!(got.text().await.unwrap(), "hello");

        // Over the kind's limit (20 MB for a sound): refused from the declared length alone.
        let (upload, _) = alice.presign(3).await;
        let status = put_declaring(&server, &upload, 20 * 1024 * 1024 + 1).await;
        assert_eq!(status, 413);

        // pre_sig (proxyServer without fileUploadProxy): the same URLs, at the top level.
        let reply = alice
            .call(
                "im_cos_msg.pre_sig",
                json!({"file_type": 2, "file_name": "v.mp4", "upload_method": 0, "duration": 900}),
            )
            .await;
        assert_eq!(reply["ErrorCode"], 0, "{reply}");
        let upload = reply["upload_url"].as_str().unwrap().to_owned();
        let download = reply["download_url"].as_str().unwrap();
        assert!(upload.starts_with(download), "{reply}");
        assert!(
            upload.starts_with(&files) && upload.contains("kind=video"),
            "{reply}"
        );
        let bad = alice
            .call(
                "im_cos_msg.pre_sig",
                json!({"file_type": 9, "file_name": "x"}),
            )
            .await;
        assert_ne!(bad["ErrorCode"], 0, "{bad}");

        // Expired: a grant is good for 15 minutes.
        server.clock.advance_ms(901_000);
        let put = server
            .client
            .put(&upload)
            .body("late")
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), 403);
        assert!(put.text().await.unwrap().contains("expired"));

        // Ids that are not ids, unknown apps.
        for path in ["nope", "..%2F..%2Fnatter.db"] {
            let url = format!("{files}{path}");
            assert_eq!(
                server.client.get(&url).send().await.unwrap().status(),
                404,
                "{url}"
            );
        }
        let unknown = format!("{}/_natter/files/42/abc", server.base);
        assert_eq!(
            server.client.get(&unknown).send().await.unwrap().status(),
            404
        );
    }
);

/// A `PUT` whose headers declare `length` bytes and send none; the status line's code.
async fn put_declaring(server: &TestServer, url: &str, length: u64) -> u16 {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request =
        format!("PUT /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {length}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = [0u8; 12];
    tokio::time::timeout(WAIT, stream.read_exact(&mut head))
        .await
        .expect("an answer in time")
        .unwrap();
    let _ = server;
    std::str::from_utf8(&head[9..12]).unwrap().parse().unwrap()
}
