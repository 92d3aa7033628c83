//! Documentation generated from the definitions: `natter config example` (a complete, commented
//! `natter.toml`) and the options table of the README.

use super::options::{option_docs, OptionDoc, Options};

/// The `[[app]]` part of the example: the documentation of every per-app key.
const APP_TABLES: &str = include_str!("app_tables.toml");

/// A value for each option that has no default, shown (commented out) in the example.
fn example_value(key: &str) -> Option<&'static str> {
    Some(match key {
        "database_url" => r#""postgres://natter:password@127.0.0.1:5432/natter""#,
        "secret_key" => r#""…64 hex characters…""#,
        "webhook_url" => r#""https://backend.example.com/im/callback""#,
        "webhook_token" => r#""my-callback-token""#,
        "tls_cert" => r#""/etc/natter/cert.pem""#,
        "tls_key" => r#""/etc/natter/key.pem""#,
        "nats_url" => r#""nats://127.0.0.1:4222""#,
        "import" => r#""seed.ndjson.gz""#,
        "export_on_exit" => r#""state.ndjson.gz""#,
        "translate_url" => r#""http://127.0.0.1:5000""#,
        "translate_api_key" => r#""my-libretranslate-key""#,
        "transcribe_url" => r#""http://127.0.0.1:8000""#,
        "transcribe_api_key" => r#""my-transcription-key""#,
        _ => return None,
    })
}

/// A complete `natter.toml`: every key with what it does and its default or an example. The
/// top-level keys are commented out (each line shows the default); the `[[app]]` table is a
/// working example.
pub fn example_toml() -> String {
    let defaults = toml::Table::try_from(Options::defaults()).expect("defaults serialize");
    let mut out = String::from(
        "# natter.toml: every key, with its default or an example (`natter config example`).\n\
         # A line `# key = value` shows a default or an example: remove the `#` to set it.\n\
         # Check a file with `natter config check natter.toml`.\n\
         #\n\
         # The top-level keys are also flags and NATTER_* variables, which win over the file.\n",
    );
    for option in option_docs() {
        let Some(key) = option.toml_key.as_deref() else {
            continue;
        };
        let value = match defaults.get(key) {
            Some(default) => default.to_string(),
            None => example_value(key)
                .unwrap_or_else(|| panic!("option {key} needs a default or an example value"))
                .to_owned(),
        };
        out.push('\n');
        for line in wrap(&option.doc, 98) {
            out.push_str(&format!("# {line}\n"));
        }
        out.push_str(&format!("# ({}, {})\n", option.flag, option.env));
        out.push_str(&format!("# {key} = {value}\n"));
    }
    out.push('\n');
    out.push_str(APP_TABLES);
    out
}

/// The README's table of options (between its `options-table` markers).
pub fn readme_options_table() -> String {
    let mut out =
        String::from("| flag | variable | TOML key | default | what |\n|---|---|---|---|---|\n");
    for OptionDoc {
        toml_key,
        flag,
        env,
        value_name,
        default,
        doc,
        ..
    } in option_docs()
    {
        let key = toml_key.map(|k| format!("`{k}`")).unwrap_or_default();
        let default = default
            .map(|d| format!("`{d}`"))
            .unwrap_or_else(|| "none".into());
        out.push_str(&format!(
            "| `{flag} {value_name}` | `{env}` | {key} | {default} | {} |\n",
            doc.replace('|', "\\|")
        ));
    }
    out
}

/// `text` in lines of at most `width` characters (a longer word stays whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("never empty");
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// The first line of the README's generated table's marker, and the line that ends it.
const README_TABLE_START: &str = "<!-- options-table:";
const README_TABLE_END: &str = "<!-- end of options-table -->";

/// `readme` with the text between its options-table markers replaced by the current table.
pub fn with_current_options_table(readme: &str) -> String {
    let start = readme
        .find(README_TABLE_START)
        .expect("the README has the options-table marker");
    // The table begins after the marker comment, which ends with `-->`.
    let table_start = start + readme[start..].find("-->\n").expect("the marker ends") + 4;
    let table_end = readme
        .find(README_TABLE_END)
        .expect("the README has the end-of-table marker");
    format!(
        "{}{}{}",
        &readme[..table_start],
        readme_options_table(),
        &readme[table_end..]
    )
}
