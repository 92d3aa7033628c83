//! The `natter` binary itself: CLI contract, banner, key persistence, signals, HTTPS.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_natter");

pub(crate) struct Banner {
    pub base: String,
    pub sdkappid: String,
    pub secret_key: String,
    pub usersig: String,
}

/// Starts `natter serve` and reads its banner up to the curl line. It starts with a soft
/// open-file limit of 256 (`exec` keeps the shell's process id), which Natter raises.
pub(crate) async fn serve(args: &[&str], envs: &[(&str, &str)]) -> (Child, Banner) {
    let mut child = Command::new("sh")
        .args(["-c", r#"ulimit -S -n 256 && exec "$0" "$@""#, BIN, "serve"])
        .args(args)
        .envs(envs.iter().copied())
        .env_remove("NATTER_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut base, mut sdkappid, mut secret_key, mut usersig) = (None, None, None, None);
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if line.contains(" listening on ") {
                base = words
                    .iter()
                    .find(|w| w.starts_with("http"))
                    .map(|w| w.to_string());
            }
            match words.first().copied() {
                Some("SDKAppID") => sdkappid = Some(words[1].to_owned()),
                Some("Secret") => secret_key = Some(words[2].to_owned()),
                Some("UserSig") => usersig = Some(words[1].to_owned()),
                Some("curl") => break,
                _ => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("banner within 30 s");
    (
        child,
        Banner {
            base: base.expect("address in banner"),
            sdkappid: sdkappid.expect("SDKAppID in banner"),
            secret_key: secret_key.expect("key in banner"),
            usersig: usersig.expect("UserSig in banner"),
        },
    )
}

pub(crate) async fn call(
    client: &reqwest::Client,
    banner: &Banner,
    api: &str,
    body: Value,
) -> Value {
    let url = format!(
        "{}/v4/{api}?sdkappid={}&identifier=administrator&usersig={}&random=1&contenttype=json",
        banner.base, banner.sdkappid, banner.usersig
    );
    client
        .post(url)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub(crate) async fn terminate(mut child: Child) -> std::process::ExitStatus {
    let pid = child.id().unwrap() as i32;
    // SIGTERM, as a service manager sends it.
    std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("exits after SIGTERM")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_defaults_banner_restart_and_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let client = reqwest::Client::new();

    let (child, first) = serve(&["--listen", "127.0.0.1:0", "--data-dir", data], &[]).await;
    assert_eq!(first.sdkappid, "1400000000");
    assert_eq!(
        first.secret_key.len(),
        64,
        "a generated key looks like Tencent's"
    );
    // Every client socket is a file: the soft open-file limit was raised to the hard one.
    #[cfg(target_os = "linux")]
    {
        let limits =
            std::fs::read_to_string(format!("/proc/{}/limits", child.id().unwrap())).unwrap();
        let open_files = limits
            .lines()
            .find(|l| l.starts_with("Max open files"))
            .unwrap();
        let fields: Vec<&str> = open_files.split_whitespace().collect();
        assert_eq!(fields[3], fields[4], "soft = hard: {open_files}");
        // The thread that hands freed memory back to the system runs (Linux keeps 15
        // characters of a thread's name).
        let tasks = std::fs::read_dir(format!("/proc/{}/task", child.id().unwrap())).unwrap();
        let names: Vec<String> = tasks
            .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
            .map(|name| name.trim().to_owned())
            .collect();
        assert!(
            names.iter().any(|n| n == "natter-free-mem"),
            "natter-free-memory runs: {names:?}"
        );
    }
    let reply = call(
        &client,
        &first,
        "im_open_login_svc/account_import",
        json!({"UserID": "kept"}),
    )
    .await;
    assert_eq!(reply["ErrorCode"], 0, "{reply}");
    assert!(terminate(child).await.success(), "graceful exit on SIGTERM");
    // Messages and keys are the owner's only: the data dir, the database and the key file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |p: std::path::PathBuf| std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        let data_dir = std::path::Path::new(data);
        assert_eq!(mode(data_dir.to_path_buf()), 0o700);
        assert_eq!(mode(data_dir.join("natter.db")), 0o600);
        assert_eq!(mode(data_dir.join("keys").join("1400000000.key")), 0o600);
    }

    // Same data dir: same key, same data.
    let (child, second) = serve(&["--listen", "127.0.0.1:0", "--data-dir", data], &[]).await;
    // The kept key is shown masked from now on (it is in the key file).
    assert_eq!(
        second.secret_key,
        format!("{}…", &first.secret_key[..4]),
        "the key is generated once and kept"
    );
    let reply = call(
        &client,
        &second,
        "im_open_login_svc/account_check",
        json!({"CheckItem": [{"UserID": "kept"}]}),
    )
    .await;
    assert_eq!(
        reply["ResultItem"][0]["AccountStatus"], "Imported",
        "{reply}"
    );
    // The first run's UserSig is still good.
    let reply = call(
        &client,
        &first_with_base(&first, &second),
        "im_open_login_svc/account_check",
        json!({"CheckItem": [{"UserID": "kept"}]}),
    )
    .await;
    assert_eq!(reply["ErrorCode"], 0);
    assert!(terminate(child).await.success());

    // `natter usersig` signs with the kept key.
    let output = std::process::Command::new(BIN)
        .args([
            "usersig",
            "--identifier",
            "administrator",
            "--data-dir",
            data,
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let sig = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    natter_usersig::verify(&sig, 1_400_000_000, "administrator", &first.secret_key, now).unwrap();
}

fn first_with_base(first: &Banner, second: &Banner) -> Banner {
    Banner {
        base: second.base.clone(),
        sdkappid: first.sdkappid.clone(),
        secret_key: first.secret_key.clone(),
        usersig: first.usersig.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environment_and_config_file_with_several_apps() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("natter.toml");
    std::fs::write(
        &config,
        r#"
[[app]]
sdkappid = 1400000111
secret_key = "key-one"
admins = ["administrator"]

[[app]]
sdkappid = 1400000222
secret_key = "key-two"
admins = ["administrator", "ops"]

[[app.custom_profile_fields]]
name = "Hobby"
type = "string"
"#,
    )
    .unwrap();
    let data = dir.path().join("data");
    let (child, banner) = serve(
        &["--config", config.to_str().unwrap()],
        &[
            ("NATTER_LISTEN", "127.0.0.1:0"),
            ("NATTER_DATA_DIR", data.to_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(banner.sdkappid, "1400000111");
    // A key from the configuration is never echoed, only its first characters.
    assert_eq!(banner.secret_key, "key-…");
    let client = reqwest::Client::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let two = Banner {
        base: banner.base.clone(),
        sdkappid: "1400000222".into(),
        secret_key: "key-two".into(),
        usersig: natter_usersig::generate(
            1_400_000_222,
            "key-two",
            "administrator",
            3600,
            now,
            None,
        ),
    };
    let reply = call(
        &client,
        &two,
        "im_open_login_svc/account_import",
        json!({"UserID": "only_in_two"}),
    )
    .await;
    assert_eq!(reply["ErrorCode"], 0, "{reply}");
    let reply = call(&client, &two, "profile/portrait_set", json!({"From_Account": "only_in_two", "ProfileItem": [{"Tag": "Tag_Profile_Custom_Hobby", "Value": "go"}]})).await;
    assert_eq!(
        reply["ErrorCode"], 0,
        "custom field declared for app two: {reply}"
    );
    let reply = call(
        &client,
        &banner,
        "im_open_login_svc/account_check",
        json!({"CheckItem": [{"UserID": "only_in_two"}]}),
    )
    .await;
    assert_eq!(
        reply["ResultItem"][0]["AccountStatus"], "NotImported",
        "apps never mix"
    );
    // App one's key does not open app two.
    let wrong = Banner {
        usersig: natter_usersig::generate(
            1_400_000_222,
            "key-one",
            "administrator",
            3600,
            now,
            None,
        ),
        ..two
    };
    let reply = call(
        &client,
        &wrong,
        "im_open_login_svc/account_check",
        json!({"CheckItem": [{"UserID": "x"}]}),
    )
    .await;
    assert_eq!(reply["ErrorCode"], 70009);
    assert!(terminate(child).await.success());
}

#[test]
fn help_explains_every_option() {
    let output = std::process::Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for option in [
        "--listen",
        "--data-dir",
        "--database-url",
        "--sdkappid",
        "--secret-key",
        "--admin",
        "--webhook-url",
        "--webhook-token",
        "--config",
        "--tls-cert",
        "--tls-key",
        "NATTER_LISTEN",
        "NATTER_DATABASE_URL",
    ] {
        assert!(
            help.contains(option),
            "serve --help lacks {option}:\n{help}"
        );
    }
    let output = std::process::Command::new(BIN)
        .args(["usersig", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for option in ["--identifier", "--expire", "--sdkappid", "--secret-key"] {
        assert!(
            help.contains(option),
            "usersig --help lacks {option}:\n{help}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_given_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let data = dir.path().join("data");
    let (child, banner) = serve(
        &[
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data.to_str().unwrap(),
            "--tls-cert",
            cert_path.to_str().unwrap(),
            "--tls-key",
            key_path.to_str().unwrap(),
        ],
        &[],
    )
    .await;
    assert!(banner.base.starts_with("https://"), "{}", banner.base);
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let reply = call(
        &client,
        &banner,
        "im_open_login_svc/account_check",
        json!({"CheckItem": [{"UserID": "administrator"}]}),
    )
    .await;
    assert_eq!(
        reply["ResultItem"][0]["AccountStatus"], "Imported",
        "{reply}"
    );
    // The console is served on the same port, over TLS too.
    let page = client
        .get(format!("{}/console/", banner.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.headers()["content-type"].to_str().unwrap(),
        "text/html; charset=utf-8"
    );
    assert!(page.text().await.unwrap().contains("Natter console"));
    assert!(terminate(child).await.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_acknowledged_is_lost_when_the_process_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let (mut child, banner) = serve(&["--listen", "127.0.0.1:0", "--data-dir", data], &[]).await;
    let banner = std::sync::Arc::new(banner);
    let client = reqwest::Client::new();
    // Writers import accounts as fast as they can; each remembers what was acknowledged.
    let mut writers = Vec::new();
    for writer in 0..8 {
        let (client, banner) = (client.clone(), banner.clone());
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0.. {
                let id = format!("w{writer}_{i}");
                let url = format!(
                    "{}/v4/im_open_login_svc/account_import?sdkappid={}&identifier=administrator&usersig={}&random=1",
                    banner.base, banner.sdkappid, banner.usersig
                );
                let Ok(response) = client.post(url).body(json!({"UserID": id}).to_string()).send().await else { break };
                let Ok(reply) = response.json::<Value>().await else { break };
                if reply["ErrorCode"] == 0 {
                    acknowledged.push(id);
                }
            }
            acknowledged
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // A crash: SIGKILL, no chance to flush anything.
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    assert!(
        acknowledged.len() > 50,
        "the writers got going ({} acknowledged)",
        acknowledged.len()
    );

    let (child, banner) = serve(&["--listen", "127.0.0.1:0", "--data-dir", data], &[]).await;
    for chunk in acknowledged.chunks(100) {
        let items: Vec<Value> = chunk.iter().map(|id| json!({"UserID": id})).collect();
        let reply = call(
            &client,
            &banner,
            "im_open_login_svc/account_check",
            json!({"CheckItem": items}),
        )
        .await;
        for (item, id) in reply["ResultItem"].as_array().unwrap().iter().zip(chunk) {
            assert_eq!(
                item["AccountStatus"], "Imported",
                "{id} was acknowledged before the crash"
            );
        }
    }
    assert!(terminate(child).await.success());
}
