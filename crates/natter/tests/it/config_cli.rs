//! `natter config example` and `natter config check` through the real binary, and the layering
//! of flags, variables and the file as `serve` resolves it.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_natter");

/// `natter <args>` with every `NATTER_*` option variable of this environment left out and `envs`
/// set instead.
fn natter(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    for option in natter::config::option_docs() {
        command.env_remove(option.env);
    }
    command
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn the_printed_example_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    let example = natter(&["config", "example"], &[]);
    assert!(example.status.success());
    let text = stdout(&example);
    for key in [
        "listen",
        "database_url",
        "timeout_ms",
        "custom_member_fields",
        "rate_limits",
    ] {
        assert!(text.contains(key), "the example documents {key}");
    }
    let path = dir.path().join("natter.toml");
    std::fs::write(&path, &text).unwrap();
    let data = dir.path().join("data");
    let check = natter(
        &[
            "config",
            "check",
            path.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[],
    );
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(stdout(&check).contains("is valid"), "{}", stdout(&check));
    assert!(!data.exists(), "check generates no key");
}

#[test]
fn a_flag_wins_over_a_variable_over_the_file_over_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("natter.toml");
    std::fs::write(
        &path,
        "listen = \"127.0.0.1:1111\"\ncluster_name = \"file\"\nmax_body_bytes = 5000\n\
         secret_key = \"k\"\n",
    )
    .unwrap();
    let check = natter(
        &[
            "config",
            "check",
            path.to_str().unwrap(),
            "--listen",
            "127.0.0.1:3333",
        ],
        &[
            ("NATTER_LISTEN", "127.0.0.1:2222"),
            ("NATTER_CLUSTER_NAME", "env"),
        ],
    );
    assert!(check.status.success(), "{}", stderr(&check));
    let resolved: toml::Table = stdout(&check).parse().unwrap();
    assert_eq!(resolved["listen"].as_str(), Some("127.0.0.1:3333"), "flag");
    assert_eq!(resolved["cluster_name"].as_str(), Some("env"), "variable");
    assert_eq!(resolved["max_body_bytes"].as_integer(), Some(5000), "file");
    assert_eq!(
        resolved["data_dir"].as_str(),
        Some("./natter-data"),
        "default"
    );
}

#[test]
fn check_names_what_is_wrong_and_masks_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("natter.toml");
    let path_arg = path.to_str().unwrap();

    std::fs::write(
        &path,
        "[[app]]\nsdkappid = 1\n\n[app.webhook]\ntimeout = 5\n",
    )
    .unwrap();
    let check = natter(&["config", "check", path_arg], &[]);
    assert!(!check.status.success());
    let message = stderr(&check);
    assert!(
        message.contains("unknown field `timeout`") && message.contains("line 5"),
        "{message}"
    );

    std::fs::write(
        &path,
        "database_url = \"postgres://natter:hunter2@db/natter\"\n\
         [[app]]\nsdkappid = 1\nsecret_key = \"topsecretkey\"\nwebhook_token = \"cbtoken\"\n",
    )
    .unwrap();
    let check = natter(&["config", "check", path_arg], &[]);
    assert!(check.status.success(), "{}", stderr(&check));
    let report = stdout(&check);
    for secret in ["hunter2", "topsecretkey", "cbtoken"] {
        assert!(!report.contains(secret), "{secret} shown:\n{report}");
    }
    assert!(
        report.contains("postgres://natter:********@db/natter"),
        "{report}"
    );
}
