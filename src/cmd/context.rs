//! `jq-nats context [info]`: every connection setting, its value and where it came from.

use anyhow::Result;
use serde::Serialize;

use super::Env;
use crate::context::{redact_url, resolve, Setting, Source};

#[derive(Serialize)]
struct Row {
    setting: &'static str,
    value: Option<String>,
    source: Option<Source>,
}

#[derive(Serialize)]
struct View {
    context: Option<crate::context::ContextRef>,
    auth: &'static str,
    settings: Vec<Row>,
}

fn row<T: ToString>(setting: &'static str, s: &Option<Setting<T>>, secret: bool) -> Row {
    match s {
        Some(s) => Row {
            setting,
            value: Some(if secret {
                "***".to_string()
            } else {
                s.value.to_string()
            }),
            source: Some(s.source.clone()),
        },
        None => Row {
            setting,
            value: None,
            source: None,
        },
    }
}

fn path_row(setting: &'static str, s: &Option<Setting<std::path::PathBuf>>) -> Row {
    let s = s.as_ref().map(|s| Setting {
        value: s.value.display().to_string(),
        source: s.source.clone(),
    });
    row(setting, &s, false)
}

pub fn run(env: &Env) -> Result<()> {
    let r = resolve(&env.global, &env.matches)?;
    let settings = vec![
        row(
            "server",
            &Some(Setting {
                value: redact_url(&r.servers.value),
                source: r.servers.source.clone(),
            }),
            false,
        ),
        // A user without a password is sent as a token.
        row("user", &r.user, r.password.is_none()),
        row("password", &r.password, true),
        row("token", &r.token, true),
        path_row("creds", &r.creds),
        path_row("nkey", &r.nkey),
        row("user_jwt", &r.user_jwt, true),
        row("user_seed", &r.user_seed, true),
        path_row("tlscert", &r.tls_cert),
        path_row("tlskey", &r.tls_key),
        path_row("tlsca", &r.tls_ca),
        row("tlsfirst", &Some(r.tls_first.clone()), false),
        row(
            "timeout",
            &Some(Setting {
                value: crate::units::format_duration(r.timeout.value),
                source: r.timeout.source.clone(),
            }),
            false,
        ),
        row("js-domain", &r.js_domain, false),
        row("js-api-prefix", &r.js_api_prefix, false),
        row("inbox-prefix", &r.inbox_prefix, false),
        row("connection-name", &Some(r.connection_name.clone()), false),
    ];
    let view = View {
        context: r.context.clone(),
        auth: r.auth_method(),
        settings,
    };
    let p = &env.printer;
    if p.json {
        return p.json(&view);
    }
    let mut text = match &view.context {
        Some(c) => format!(
            "context: {} ({}, selected by {})\n",
            c.name,
            c.path.display(),
            c.selected_by
        ),
        None => "context: none\n".to_string(),
    };
    text.push_str(&format!("auth: {}\n", view.auth));
    let mut table = p.table(&["SETTING", "VALUE", "FROM"]);
    for row in view.settings.iter().filter(|r| r.value.is_some()) {
        table.add_row(vec![
            row.setting.to_string(),
            row.value.clone().unwrap_or_default(),
            row.source
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
        ]);
    }
    text.push_str(&table.trim_fmt());
    p.out(text)
}
