use std::path::Path;

use clap::{Args, FromArgMatches};
use natter_webhook::WebhookConfig;

use super::example::{example_toml, with_current_options_table};
use super::*;

/// Parses a `serve` command line, as `main` does, without reading the environment.
fn command_line(args: &[&str]) -> Options {
    let command = Options::augment_args(clap::Command::new("serve")).mut_args(|a| a.env(None));
    let matches = command
        .try_get_matches_from(std::iter::once("serve").chain(args.iter().copied()))
        .unwrap();
    Options::from_arg_matches(&matches)
        .unwrap()
        .without_defaults(&matches)
}

fn write_file(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("natter.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_flag_wins_over_the_file_and_the_file_over_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        "listen = \"127.0.0.1:1111\"\ncluster_name = \"from-file\"\nsecret_key = \"k\"\n",
    );
    let data_dir = dir.path().join("data");
    let mut options = command_line(&["--listen", "127.0.0.1:2222"]);
    assert_eq!(options.cluster_name, None, "clap's default is taken out");
    options.config = Some(file);
    options.data_dir = Some(data_dir.clone());
    let config = ServerConfig::resolve(options).unwrap();
    assert_eq!(config.listen.port(), 2222, "flag over file");
    assert_eq!(config.cluster_name, "from-file", "file over default");
    assert_eq!(config.max_body_bytes, 1_048_576, "default");
    assert_eq!(
        config.limits,
        crate::ConnectionLimits::default(),
        "the accept loop's defaults are the options'"
    );
    assert_eq!(
        config.client_timeout,
        natter_http::HttpConfig::default().client_timeout,
        "the HTTP layer's default"
    );
    assert_eq!(
        config.max_pending_logins,
        natter_http::HttpConfig::default().max_pending_logins,
        "the HTTP layer's default"
    );
    assert_eq!(
        config.max_viewers,
        natter_http::HttpConfig::default().max_viewers,
        "the HTTP layer's default"
    );
    assert_eq!(config.data_dir, data_dir);
    assert_eq!(config.apps[0].settings.sdkappid, 1_400_000_000);
    assert_eq!(config.apps[0].settings.admins, ["administrator"]);

    // Nothing given at all: the defaults, as before this table existed.
    let defaults = Options::defaults();
    assert_eq!(defaults.listen, Some("127.0.0.1:8080".parse().unwrap()));
    assert_eq!(defaults.data_dir, Some("./natter-data".into()));
    assert_eq!(defaults.sdkappid, Some(1_400_000_000));
    assert_eq!(defaults.admin.as_deref(), Some("administrator"));
    assert_eq!(defaults.cluster_name.as_deref(), Some("natter"));
    assert_eq!(
        defaults.max_body_bytes,
        Some(natter_http::HttpConfig::default().max_body_bytes),
        "the HTTP layer's default"
    );
    assert_eq!(defaults.database_url, None);
}

#[test]
fn a_zero_connection_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for flag in [
        "--max-connections",
        "--header-timeout",
        "--client-timeout",
        "--max-pending-logins",
        "--max-viewers",
        "--node-timeout",
        "--database-pool",
    ] {
        let mut options = command_line(&[flag, "0"]);
        options.data_dir = Some(dir.path().join("data"));
        options.secret_key = Some("k".into());
        let error = ServerConfig::resolve(options).unwrap_err().to_string();
        assert!(error.contains("must be at least 1"), "{flag}: {error}");
    }
}

/// The contract: every option is `--<name>`, `NATTER_<NAME>` and the TOML key `<name>`.
#[test]
fn every_option_is_a_flag_a_variable_and_a_key_of_one_name() {
    let docs = option_docs();
    assert_eq!(docs.len(), 33);
    for option in docs {
        let name = option.toml_key.clone().unwrap_or_else(|| "config".into());
        assert_eq!(option.flag, format!("--{}", name.replace('_', "-")));
        assert_eq!(option.env, format!("NATTER_{}", name.to_uppercase()));
        assert!(!option.doc.is_empty(), "{name} is documented");
    }
}

#[test]
fn flags_fill_the_default_app_and_apps_are_unique() {
    let dir = tempfile::tempdir().unwrap();
    let given = Options {
        admin: Some("boss".into()),
        webhook_url: Some("http://127.0.0.1:9/cb".into()),
        ..Default::default()
    };
    let apps = resolve_apps(&given, dir.path(), MissingKey::Generate).unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0].settings.sdkappid, 1_400_000_000);
    assert_eq!(apps[0].settings.admins, ["boss"]);
    assert_eq!(
        apps[0].webhook.url.as_deref(),
        Some("http://127.0.0.1:9/cb")
    );
    assert!(apps[0].key_generated);
    // The key is kept: a second resolution reads it back.
    let again = resolve_apps(&given, dir.path(), MissingKey::Generate).unwrap();
    assert_eq!(again[0].settings.secret_key, apps[0].settings.secret_key);
    assert!(!again[0].key_generated);

    let twice = parse_file("[[app]]\nsdkappid = 5\n[[app]]\nsdkappid = 5\n").unwrap();
    assert!(resolve_apps(&twice, dir.path(), MissingKey::Generate).is_err());
    let bad_url = Options {
        webhook_url: Some("ftp://x".into()),
        ..Default::default()
    };
    assert!(resolve_apps(&bad_url, dir.path(), MissingKey::Generate).is_err());
    let bad_field =
        parse_file("[[app]]\nsdkappid = 6\n[[app.custom_group_fields]]\nname = \"no spaces\"\n")
            .unwrap();
    assert!(resolve_apps(&bad_field, dir.path(), MissingKey::Generate).is_err());
}

/// `config check` on `text`, with a fresh data dir unless `data_dir` is given.
fn check_text(text: &str, data_dir: Option<&Path>) -> anyhow::Result<String> {
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        config: Some(write_file(dir.path(), text)),
        data_dir: Some(data_dir.map_or_else(|| dir.path().join("data"), Path::to_path_buf)),
        ..Default::default()
    };
    let report = check::check(options);
    assert!(
        !dir.path().join("data").exists(),
        "check writes nothing, not even a key"
    );
    report
}

/// The README's example `natter.toml` must stay valid.
#[test]
fn readme_example_config_passes_check() {
    let readme = include_str!("../../../../README.md");
    let start = readme
        .find("```toml\n")
        .expect("a TOML example in the README")
        + 8;
    let end = start + readme[start..].find("```").unwrap();
    let file = parse_file(&readme[start..end]).unwrap();
    assert_eq!(file.apps.len(), 2);
    assert_eq!(file.apps[0].admins, ["administrator", "ops"]);
    assert_eq!(file.apps[0].custom_profile_fields[0].name, "Hobby");
    assert_eq!(file.apps[0].custom_group_fields[0].max_bytes, 4096);
    assert_eq!(file.apps[0].custom_member_fields[0].name, "Seat");
    assert_eq!(file.apps[0].rate_limits["profile/portrait_get"], 1000);
    assert_eq!(file.apps[0].webhook.after_retries, 3);
    assert_eq!(file.apps[1].sdkappid, 1_400_000_001);
    check_text(&readme[start..end], None).unwrap();
}

/// The example with every `# key = value` line made a setting.
fn uncommented(example: &str) -> String {
    example
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest)
                if rest.split_once(" = ").is_some_and(|(key, _)| {
                    key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                }) =>
            {
                rest
            }
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every key path of a TOML table (`app.webhook.timeout_ms`); a map of APIs counts as one key.
fn key_paths(table: &toml::Table, prefix: &str, paths: &mut std::collections::BTreeSet<String>) {
    for (key, value) in table {
        let path = format!("{prefix}{key}");
        let tables: Vec<&toml::Table> = match value {
            toml::Value::Table(t) if key != "rate_limits" => vec![t],
            toml::Value::Array(items) => items.iter().filter_map(|v| v.as_table()).collect(),
            _ => vec![],
        };
        for table in tables {
            key_paths(table, &format!("{path}."), paths);
        }
        paths.insert(path);
    }
}

#[test]
fn the_example_passes_check_and_documents_every_key() {
    let example = example_toml();
    let report = check_text(&example, None).unwrap();
    assert!(report.contains("sdkappid = 1400000000"), "{report}");

    // The per-app values shown as defaults are the code's defaults.
    let file = parse_file(&example).unwrap();
    assert_eq!(file.apps[0].webhook, WebhookConfig::default());
    assert_eq!(
        file.apps[0].history_retention_days,
        AppTable::default().history_retention_days
    );

    // Every commented-out default or example has the right type, and every key is there: the
    // keys of a table in which every option is set.
    let all_set = uncommented(&example);
    let parsed = parse_file(&all_set).unwrap();
    assert_eq!(parsed.listen, Options::defaults().listen);
    let mut documented = Default::default();
    key_paths(
        &all_set.parse::<toml::Table>().unwrap(),
        "",
        &mut documented,
    );
    let mut defined = Default::default();
    key_paths(
        &toml::Table::try_from(every_key_set()).unwrap(),
        "",
        &mut defined,
    );
    assert_eq!(
        documented, defined,
        "natter config example lacks or invents keys"
    );
}

/// Options with every key given. Written without `..Default::default()`, so that a new key
/// does not compile until it is added here, and then to the example.
fn every_key_set() -> Options {
    let field = natter_core::CustomProfileField {
        name: "Hobby".into(),
        kind: natter_core::CustomFieldKind::String,
        max_bytes: 500,
    };
    let data_field = natter_core::CustomDataField {
        name: "Color".into(),
        max_bytes: 4096,
    };
    Options {
        config: None,
        listen: Some("127.0.0.1:8080".parse().unwrap()),
        data_dir: Some("d".into()),
        database_url: Some("u".into()),
        database_pool: Some(1),
        sdkappid: Some(1),
        secret_key: Some("k".into()),
        admin: Some("a".into()),
        webhook_url: Some("u".into()),
        webhook_token: Some("t".into()),
        tls_cert: Some("c".into()),
        tls_key: Some("k".into()),
        max_body_bytes: Some(1),
        max_connections: Some(1),
        max_connections_per_ip: Some(1),
        header_timeout: Some(1),
        idle_timeout: Some(1),
        client_timeout: Some(1),
        max_pending_logins: Some(1),
        max_viewers: Some(1),
        nats_url: Some("n".into()),
        cluster_name: Some("c".into()),
        node_timeout: Some(1),
        emulator: Some(super::EmulatorMode::Off),
        import: Some("seed.ndjson.gz".into()),
        export_on_exit: Some("state.ndjson.gz".into()),
        translate_url: Some("http://t".into()),
        translate_api_key: Some("k".into()),
        transcribe_url: Some("http://w".into()),
        transcribe_model: Some("m".into()),
        transcribe_api_key: Some("k".into()),
        ffmpeg: Some("off".into()),
        engine_timeout: Some(1),
        apps: vec![AppTable {
            sdkappid: 1,
            secret_key: Some("k".into()),
            admins: vec!["a".into()],
            webhook_url: Some("u".into()),
            webhook_token: Some("t".into()),
            history_retention_days: 0,
            c2c_friend_check: false,
            blocked_send_fails: false,
            login_policy: natter_core::LoginPolicy::PerPlatform,
            web_instances: 3,
            recall_window_secs: 300,
            custom_profile_fields: vec![field.clone()],
            custom_friend_fields: vec![field],
            custom_group_fields: vec![data_field.clone()],
            custom_member_fields: vec![data_field],
            rate_limits: [("profile/portrait_get".to_owned(), 1)].into(),
            webhook: WebhookConfig {
                url: Some("u".into()),
                token: Some("t".into()),
                commands: Some(Default::default()),
                timeout_ms: 1,
                on_before_failure: Default::default(),
                after_retries: 1,
                retry_base_ms: 1,
                retry_max_ms: 1,
                ca_cert: Some("c".into()),
                client_cert: Some("c".into()),
                client_key: Some("k".into()),
                source_ips: vec!["203.0.113.7".into()],
            },
            local_words: vec![natter_core::LocalWord {
                word: "w".into(),
                replacement: Some("*".into()),
                regex: true,
            }],
        }],
    }
}

#[test]
fn check_refuses_unknown_keys_bad_values_and_keyless_apps() {
    let unknown = check_text("[[app]]\nsdkappid = 1\nadmin = \"x\"\n", None).unwrap_err();
    let message = format!("{unknown:#}");
    assert!(
        message.contains("unknown field `admin`") && message.contains("line 3"),
        "{message}"
    );
    let bad = check_text("listen = \"not an address\"\n", None).unwrap_err();
    assert!(format!("{bad:#}").contains("line 1"), "{bad:#}");
    let too_many = check_text(
        "[[app]]\nsdkappid = 1\nadmins = [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"]\n",
        None,
    )
    .unwrap_err();
    assert!(format!("{too_many:#}").contains("at most 10"));
    let empty_word = check_text(
        "[[app]]\nsdkappid = 1\nsecret_key = \"k\"\n[[app.local_words]]\nword = \" \"\n",
        None,
    )
    .unwrap_err();
    assert!(format!("{empty_word:#}").contains("local word of app 1 is empty"));
    // No key, and the data dir cannot hold one: it is a file.
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, "").unwrap();
    let keyless = check_text("[[app]]\nsdkappid = 7\n", Some(&not_a_dir)).unwrap_err();
    let message = format!("{keyless:#}");
    assert!(
        message.contains("app 7 has no secret_key") && message.contains("not a directory"),
        "{message}"
    );
    let missing_cert = check_text(
        "tls_cert = \"/nonexistent/cert.pem\"\ntls_key = \"/nonexistent/key.pem\"\n",
        None,
    )
    .unwrap_err();
    assert!(format!("{missing_cert:#}").contains("tls_cert"));
}

#[test]
fn check_masks_secrets() {
    let report = check_text(
        "database_url = \"postgres://natter:hunter2@db:5432/natter\"\n\
         nats_url = \"nats://user:natspass@nats:4222\"\n\
         [[app]]\nsdkappid = 9\nsecret_key = \"topsecretkey\"\n\
         [app.webhook]\nurl = \"https://x.example/cb\"\ntoken = \"callbacktoken\"\n",
        None,
    )
    .unwrap();
    for secret in ["hunter2", "natspass", "topsecretkey", "callbacktoken"] {
        assert!(!report.contains(secret), "{secret} shown:\n{report}");
    }
    assert!(
        report.contains("postgres://natter:********@db:5432/natter"),
        "{report}"
    );
    assert!(
        report.contains("url = \"https://x.example/cb\""),
        "{report}"
    );
    // What check prints is itself a configuration that parses.
    parse_file(report.split_once("\n\n").unwrap().1).unwrap();
}

#[test]
fn url_passwords_are_masked() {
    use check::mask_url_password as mask;
    assert_eq!(mask("postgres://u:p@h/db"), "postgres://u:********@h/db");
    assert_eq!(mask("postgres://u:p@ss@h"), "postgres://u:********@h");
    assert_eq!(mask("postgres://u@h/db?x=1"), "postgres://u@h/db?x=1");
    assert_eq!(mask("postgres://h/db"), "postgres://h/db");
    assert_eq!(mask("nats://h:4222"), "nats://h:4222");
}

/// README.md's options table must be what the definitions generate.
#[test]
fn readme_options_table_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let on_disk = std::fs::read_to_string(&path).unwrap();
    let generated = with_current_options_table(&on_disk);
    if std::env::var_os("NATTER_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    assert!(
        on_disk == generated,
        "README.md's options table is stale: run `NATTER_BLESS=1 cargo test -p natter --lib readme`"
    );
}

#[test]
fn emulator_mode_is_on_for_loopback_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let resolve = |args: &[&str]| {
        let mut options = command_line(args);
        options.data_dir = Some(dir.path().join("data"));
        options.secret_key = Some("k".into());
        ServerConfig::resolve(options).unwrap().emulator
    };
    assert!(resolve(&["--listen", "127.0.0.1:1"]), "auto, loopback");
    assert!(
        !resolve(&["--listen", "0.0.0.0:1"]),
        "auto, reachable by others"
    );
    assert!(
        resolve(&["--listen", "0.0.0.0:1", "--emulator", "on"]),
        "on"
    );
    assert!(
        !resolve(&["--listen", "127.0.0.1:1", "--emulator", "off"]),
        "off"
    );
}
