//! How jq-nats connects: natscli context files, flags and NATS_* variables resolved into one set
//! of settings (each remembering where it came from), then into an async-nats connection.
//!
//! Precedence, as natscli: flag > environment variable > context file > default.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _, Result};
use clap::parser::ValueSource;
use clap::ArgMatches;
use serde::{Deserialize, Serialize};

use crate::cli::GlobalArgs;
use crate::error::{with_hint, HintExt};

pub const DEFAULT_URL: &str = "nats://127.0.0.1:4222";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(&'static str),
    Env(&'static str),
    Context(String),
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "flag --{flag}"),
            Source::Env(var) => write!(f, "env {var}"),
            Source::Context(name) => write!(f, "context `{name}`"),
            Source::Default => f.write_str("default"),
        }
    }
}

impl Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&match self {
            Source::Flag(flag) => format!("flag:--{flag}"),
            Source::Env(var) => format!("env:{var}"),
            Source::Context(name) => format!("context:{name}"),
            Source::Default => "default".into(),
        })
    }
}

/// A resolved value and its source.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

/// A natscli context file, as natscli writes it. Unknown fields are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContextFile {
    pub description: Option<String>,
    pub url: Option<String>,
    pub token: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub creds: Option<String>,
    pub nkey: Option<String>,
    pub cert: Option<String>,
    pub key: Option<String>,
    pub ca: Option<String>,
    pub nsc: Option<String>,
    pub jetstream_domain: Option<String>,
    pub jetstream_api_prefix: Option<String>,
    pub inbox_prefix: Option<String>,
    pub user_jwt: Option<String>,
    pub user_seed: Option<String>,
    pub tls_first: Option<bool>,
}

/// The context in use, and how it was chosen.
#[derive(Debug, Clone, Serialize)]
pub struct ContextRef {
    pub name: String,
    pub path: PathBuf,
    /// `flag --context`, `env NATS_CONTEXT` or `context.txt` (the `nats context select`ed one).
    pub selected_by: String,
}

/// Every connection setting after resolution.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub context: Option<ContextRef>,
    pub servers: Setting<String>,
    pub user: Option<Setting<String>>,
    pub password: Option<Setting<String>>,
    pub token: Option<Setting<String>>,
    pub creds: Option<Setting<PathBuf>>,
    pub nkey: Option<Setting<PathBuf>>,
    pub user_jwt: Option<Setting<String>>,
    pub user_seed: Option<Setting<String>>,
    pub tls_cert: Option<Setting<PathBuf>>,
    pub tls_key: Option<Setting<PathBuf>>,
    pub tls_ca: Option<Setting<PathBuf>>,
    pub tls_first: Setting<bool>,
    pub timeout: Setting<Duration>,
    pub js_domain: Option<Setting<String>>,
    pub js_api_prefix: Option<Setting<String>>,
    pub inbox_prefix: Option<Setting<String>>,
    pub connection_name: Setting<String>,
}

/// `$XDG_CONFIG_HOME/nats`, else `~/.config/nats`, on every OS (as natscli).
pub fn nats_config_root() -> Result<PathBuf> {
    if let Some(xdg) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(xdg).join("nats"));
    }
    let home = dirs::home_dir()
        .ok_or_else(|| anyhow!("cannot find the home directory to look for natscli contexts"))?;
    Ok(home.join(".config").join("nats"))
}

pub fn context_dir() -> Result<PathBuf> {
    Ok(nats_config_root()?.join("context"))
}

/// Names of the contexts in the context directory, sorted.
pub fn known_contexts() -> Vec<String> {
    let Ok(dir) = context_dir() else {
        return Vec::new();
    };
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            (path.extension()? == "json")
                .then(|| path.file_stem()?.to_str().map(str::to_string))
                .flatten()
        })
        .collect();
    names.sort();
    names
}

fn flag_source(matches: &ArgMatches, id: &str, flag: &'static str, env: &'static str) -> Source {
    match matches.value_source(id) {
        Some(ValueSource::EnvVariable) => Source::Env(env),
        _ => Source::Flag(flag),
    }
}

/// Finds the context to use: `--context`/NATS_CONTEXT, else the one named in context.txt.
fn select_context(global: &GlobalArgs, matches: &ArgMatches) -> Result<Option<ContextRef>> {
    if global.no_context {
        return Ok(None);
    }
    let root = nats_config_root()?;
    let dir = root.join("context");
    let (value, selected_by) = match &global.context {
        Some(v) if !v.is_empty() => (
            v.clone(),
            flag_source(matches, "context", "context", "NATS_CONTEXT").to_string(),
        ),
        _ => {
            let file = root.join("context.txt");
            match std::fs::read_to_string(&file) {
                Ok(text) if !text.trim().is_empty() => {
                    (text.trim().to_string(), format!("{}", file.display()))
                }
                _ => return Ok(None),
            }
        }
    };

    // A path to a .json file works as well as a name.
    let as_path = Path::new(&value);
    if value.ends_with(".json") && as_path.is_file() {
        let name = as_path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(&value)
            .to_string();
        return Ok(Some(ContextRef {
            name,
            path: as_path.to_path_buf(),
            selected_by,
        }));
    }
    if value.ends_with(".json") && (value.contains('/') || value.contains('\\')) {
        return Err(with_hint(
            anyhow!("context file {value} (from {selected_by}) does not exist"),
            "give the path to an existing context .json file, or a context name",
        ));
    }
    if value.contains("..") || value.contains('/') || value.contains('\\') {
        return Err(with_hint(
            anyhow!("invalid context name `{value}` (from {selected_by})"),
            "a context is a name without `..`, `/` or `\\`, or a path to an existing .json file",
        ));
    }
    let path = dir.join(format!("{value}.json"));
    if !path.is_file() {
        let known = known_contexts();
        let hint = if known.is_empty() {
            format!(
                "there are no contexts in {}; create one with `nats context save NAME --server URL`, or use --server",
                dir.display()
            )
        } else {
            format!(
                "known contexts: {} (in {}); pick one with --context or `nats context select`",
                known.join(", "),
                dir.display()
            )
        };
        return Err(with_hint(
            anyhow!("unknown context `{value}` (from {selected_by})"),
            hint,
        ));
    }
    Ok(Some(ContextRef {
        name: value,
        path,
        selected_by,
    }))
}

pub fn load_context_file(path: &Path) -> Result<ContextFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read context file {}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        with_hint(
            anyhow!(
                "failed to parse context file {} at line {} column {}: {}",
                path.display(),
                e.line(),
                e.column(),
                e
            ),
            "fix the JSON, or save the context again with `nats context save`",
        )
    })
}

/// `$VAR` and `${VAR}` expansion, then a leading `~`, as natscli does for context paths.
pub fn expand_path(raw: &str) -> PathBuf {
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let name: String = if chars.peek() == Some(&'{') {
            chars.next();
            let mut n = String::new();
            for c in chars.by_ref() {
                if c == '}' {
                    break;
                }
                n.push(c);
            }
            n
        } else {
            let mut n = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    n.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            n
        };
        if name.is_empty() {
            out.push('$');
        } else {
            out.push_str(&std::env::var(&name).unwrap_or_default());
        }
    }
    if out == "~" || out.starts_with("~/") {
        if let Some(home) = dirs::home_dir() {
            return home.join(out.trim_start_matches('~').trim_start_matches('/'));
        }
    }
    PathBuf::from(out)
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_ref().filter(|s| !s.is_empty()).cloned()
}

/// Resolves every setting from flags, environment, the context and defaults.
pub fn resolve(global: &GlobalArgs, matches: &ArgMatches) -> Result<Resolved> {
    let context = select_context(global, matches)?;
    let file = match &context {
        Some(c) => load_context_file(&c.path)?,
        None => ContextFile::default(),
    };
    let ctx_source =
        || Source::Context(context.as_ref().map(|c| c.name.clone()).unwrap_or_default());

    if let (Some(c), Some(nsc)) = (&context, non_empty(&file.nsc)) {
        return Err(nsc_unsupported(&format!("context `{}`", c.name), &nsc));
    }

    // flag (or its env var) > context field > nothing
    let pick = |flag: &Option<String>,
                id: &str,
                name: &'static str,
                env: &'static str,
                field: &Option<String>|
     -> Option<Setting<String>> {
        if let Some(v) = flag.as_ref().filter(|v| !v.is_empty()) {
            return Some(Setting {
                value: v.clone(),
                source: flag_source(matches, id, name, env),
            });
        }
        non_empty(field).map(|value| Setting {
            value,
            source: ctx_source(),
        })
    };
    let path_of = |s: Option<Setting<String>>| {
        s.map(|s| Setting {
            value: expand_path(&s.value),
            source: s.source,
        })
    };
    let flag_only = |v: &Option<String>, name: &'static str, field: &Option<String>| {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            return Some(Setting {
                value: v.clone(),
                source: Source::Flag(name),
            });
        }
        non_empty(field).map(|value| Setting {
            value,
            source: ctx_source(),
        })
    };

    let servers =
        pick(&global.server, "server", "server", "NATS_URL", &file.url).unwrap_or(Setting {
            value: DEFAULT_URL.to_string(),
            source: Source::Default,
        });
    if servers.value.trim_start().starts_with("nsc://") {
        return Err(nsc_unsupported(
            &format!("the server URL (from {})", servers.source),
            &servers.value,
        ));
    }

    let tls_first = if global.tlsfirst {
        Setting {
            value: true,
            source: Source::Flag("tlsfirst"),
        }
    } else if file.tls_first == Some(true) {
        Setting {
            value: true,
            source: ctx_source(),
        }
    } else {
        Setting {
            value: false,
            source: Source::Default,
        }
    };
    // Parsed here rather than by clap, so an empty NATS_TIMEOUT counts as unset (like the other
    // NATS_* variables) and a bad one names where it came from.
    let timeout = match global.timeout.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(text) => {
            let source = flag_source(matches, "timeout", "timeout", "NATS_TIMEOUT");
            let value = crate::units::parse_duration(text)
                .map_err(|e| crate::error::usage(format!("{e} (from {source})")))?;
            Setting { value, source }
        }
        None => Setting {
            value: DEFAULT_TIMEOUT,
            source: Source::Default,
        },
    };

    let resolved = Resolved {
        servers,
        user: pick(&global.user, "user", "user", "NATS_USER", &file.user),
        password: pick(
            &global.password,
            "password",
            "password",
            "NATS_PASSWORD",
            &file.password,
        ),
        token: pick(&global.token, "token", "token", "NATS_TOKEN", &file.token),
        creds: path_of(pick(
            &global.creds,
            "creds",
            "creds",
            "NATS_CREDS",
            &file.creds,
        )),
        nkey: path_of(pick(&global.nkey, "nkey", "nkey", "NATS_NKEY", &file.nkey)),
        user_jwt: non_empty(&file.user_jwt).map(|value| Setting {
            value,
            source: ctx_source(),
        }),
        user_seed: non_empty(&file.user_seed).map(|value| Setting {
            value,
            source: ctx_source(),
        }),
        tls_cert: path_of(pick(
            &global.tlscert,
            "tlscert",
            "tlscert",
            "NATS_CERT",
            &file.cert,
        )),
        tls_key: path_of(pick(
            &global.tlskey,
            "tlskey",
            "tlskey",
            "NATS_KEY",
            &file.key,
        )),
        tls_ca: path_of(pick(&global.tlsca, "tlsca", "tlsca", "NATS_CA", &file.ca)),
        tls_first,
        timeout,
        js_domain: flag_only(&global.js_domain, "js-domain", &file.jetstream_domain),
        js_api_prefix: flag_only(
            &global.js_api_prefix,
            "js-api-prefix",
            &file.jetstream_api_prefix,
        ),
        inbox_prefix: flag_only(&global.inbox_prefix, "inbox-prefix", &file.inbox_prefix),
        connection_name: match &global.connection_name {
            Some(n) => Setting {
                value: n.clone(),
                source: Source::Flag("connection-name"),
            },
            None => Setting {
                value: "jq-nats".into(),
                source: Source::Default,
            },
        },
        context,
    };
    resolved.check_files()?;
    Ok(resolved)
}

fn nsc_unsupported(what: &str, value: &str) -> anyhow::Error {
    with_hint(
        anyhow!("{what} uses nsc (`{value}`), which jq-nats does not support"),
        "run `nsc generate profile` for that user to get a creds file, then point the context at it: `nats context save NAME --server URL --creds FILE`",
    )
}

impl Resolved {
    /// The server URLs, split on commas.
    pub fn server_list(&self) -> Vec<String> {
        self.servers
            .value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Every file setting must name a readable file; say which and where it came from.
    fn check_files(&self) -> Result<()> {
        let files = [
            ("creds file", &self.creds),
            ("nkey seed file", &self.nkey),
            ("TLS certificate", &self.tls_cert),
            ("TLS key", &self.tls_key),
            ("TLS CA file", &self.tls_ca),
        ];
        for (what, setting) in files {
            let Some(s) = setting else { continue };
            if let Err(e) = std::fs::File::open(&s.value) {
                let reason = match e.kind() {
                    std::io::ErrorKind::NotFound => "does not exist".to_string(),
                    std::io::ErrorKind::PermissionDenied => "is not readable".to_string(),
                    _ => format!("cannot be opened: {e}"),
                };
                return Err(with_hint(
                    anyhow!("{what} {} (from {}) {reason}", s.value.display(), s.source),
                    format!(
                        "fix the path, or unset it where it came from ({})",
                        s.source
                    ),
                ));
            }
        }
        match (&self.tls_cert, &self.tls_key) {
            (Some(c), None) => bail!(
                "a TLS certificate is set (from {}) but no TLS key: set --tlskey too",
                c.source
            ),
            (None, Some(k)) => bail!(
                "a TLS key is set (from {}) but no TLS certificate: set --tlscert too",
                k.source
            ),
            _ => Ok(()),
        }
    }

    /// Which authentication method will be used, as natscli chooses it.
    pub fn auth_method(&self) -> &'static str {
        if self.user.is_some() && self.password.is_some() {
            "user and password"
        } else if self.creds.is_some() {
            "creds file"
        } else if self.nkey.is_some() {
            "nkey"
        } else if self.user_jwt.is_some() && self.user_seed.is_some() {
            "user JWT and seed"
        } else if self.user_jwt.is_some() {
            "user JWT"
        } else if self.token.is_some() || self.user.is_some() {
            "token"
        } else {
            match self.url_credentials() {
                Some((_, Some(_))) => "user and password (in the URL)",
                Some((_, None)) => "token (in the URL)",
                None => "none",
            }
        }
    }

    /// The user and password (or a lone token) written in a server URL, as in
    /// `nats://user:pass@host:4222`: async-nats does not read them from the URL itself.
    fn url_credentials(&self) -> Option<(String, Option<String>)> {
        self.server_list().iter().find_map(|url| {
            let addr: async_nats::ServerAddr = url.parse().ok()?;
            let user = addr.username()?.to_string();
            Some((user, addr.password().map(str::to_string)))
        })
    }

    /// Where the connection goes, for error messages: `nats://host:4222 (from flag --server)`.
    pub fn describe_server(&self) -> String {
        format!(
            "{} (from {})",
            redact_url(&self.servers.value),
            self.servers.source
        )
    }

    pub async fn connect_options(&self) -> Result<async_nats::ConnectOptions> {
        let mut opts = async_nats::ConnectOptions::new()
            .name(&self.connection_name.value)
            .connection_timeout(self.timeout.value)
            .request_timeout(Some(self.timeout.value));

        if let (Some(user), Some(pass)) = (&self.user, &self.password) {
            opts = opts.user_and_password(user.value.clone(), pass.value.clone());
        } else if let Some(creds) = &self.creds {
            opts = opts.credentials_file(&creds.value).await.with_context(|| {
                format!(
                    "failed to load creds file {} (from {})",
                    creds.value.display(),
                    creds.source
                )
            })?;
        } else if let Some(nkey) = &self.nkey {
            let seed = read_seed(&nkey.value).with_context(|| {
                format!(
                    "failed to read nkey seed file {} (from {})",
                    nkey.value.display(),
                    nkey.source
                )
            })?;
            opts = opts.nkey(seed);
        } else if let Some(jwt) = &self.user_jwt {
            let key_pair = match &self.user_seed {
                Some(seed) => Some(Arc::new(
                    nkeys::KeyPair::from_seed(seed.value.trim())
                        .map_err(|e| anyhow!("invalid user_seed in {}: {e}", seed.source))?,
                )),
                None => None,
            };
            opts = opts.jwt(jwt.value.clone(), move |nonce| {
                let key_pair = key_pair.clone();
                async move {
                    match key_pair {
                        Some(kp) => kp.sign(&nonce).map_err(async_nats::AuthError::new),
                        None => Ok(Vec::new()),
                    }
                }
            });
        }
        if let Some(token) = &self.token {
            opts = opts.token(token.value.clone());
        } else if let (Some(user), None) = (&self.user, &self.password) {
            // natscli sends a user without a password as a token.
            opts = opts.token(user.value.clone());
        } else if self.user.is_none() && self.password.is_none() {
            match self.url_credentials() {
                Some((user, Some(pass))) => opts = opts.user_and_password(user, pass),
                Some((token, None)) => opts = opts.token(token),
                None => {}
            }
        }

        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            opts = opts
                .add_client_certificate(cert.value.clone(), key.value.clone())
                .require_tls(true);
        }
        if let Some(ca) = &self.tls_ca {
            opts = opts
                .add_root_certificates(ca.value.clone())
                .require_tls(true);
        }
        if self.tls_first.value {
            opts = opts.tls_first();
        }
        if let Some(prefix) = &self.inbox_prefix {
            opts = opts.custom_inbox_prefix(&prefix.value);
        }
        Ok(opts)
    }

    /// Connects, turning failures into errors that name the server and where it came from.
    pub async fn connect(&self) -> Result<async_nats::Client> {
        self.connect_with(self.connect_options().await?).await
    }

    /// The server says it runs no JetStream: unless one answers through it (another server of
    /// its cluster, a domain), every command would fail with a bare "requested JetStream
    /// resource does not exist". Asked only then, so it costs nothing otherwise.
    pub async fn require_jetstream(
        &self,
        client: &async_nats::Client,
        js: &async_nats::jetstream::Context,
    ) -> Result<()> {
        if client.server_info().jetstream {
            return Ok(());
        }
        js.query_account().await.map(drop).map_err(|e| {
            with_hint(
                anyhow::Error::new(e).context(format!(
                    "JetStream is not enabled on {}",
                    self.describe_server()
                )),
                "jq-nats keeps jobs in JetStream streams: start the server with JetStream, `nats-server -js` (or a `jetstream {}` block in its config), or point jq-nats at one that has it",
            )
        })
    }

    pub async fn connect_with(
        &self,
        opts: async_nats::ConnectOptions,
    ) -> Result<async_nats::Client> {
        let mut addrs = Vec::new();
        for url in self.server_list() {
            let addr: async_nats::ServerAddr = url.parse().map_err(|e| {
                with_hint(
                    anyhow!(
                        "invalid server URL `{}` (from {}): {e}",
                        redact_url(&url),
                        self.servers.source
                    ),
                    "a server URL looks like nats://host:4222 or tls://host:4222",
                )
            })?;
            addrs.push(addr);
        }
        if addrs.is_empty() {
            bail!("no server URL given (from {})", self.servers.source);
        }
        opts.connect(addrs).await.map_err(|e| self.connect_error(e))
    }

    fn connect_error(&self, e: async_nats::ConnectError) -> anyhow::Error {
        use async_nats::ConnectErrorKind as K;
        let what = format!("failed to connect to {}", self.describe_server());
        let hint = match e.kind() {
            K::AuthorizationViolation | K::Authentication => format!(
                "the server refused the credentials ({} auth); check them with `jq-nats context`",
                self.auth_method()
            ),
            _ if e.kind() == K::Tls || is_tls_failure(&e) => match &self.tls_ca {
                Some(ca) => format!(
                    "check the server's TLS setup and the CA file {} (from {}); --tlsca/--tlscert/--tlskey or the context's ca/cert/key set them",
                    ca.value.display(),
                    ca.source
                ),
                None => "the server uses TLS: trust the CA that signed its certificate with --tlsca FILE (or NATS_CA, or the context's ca)".to_string(),
            },
            _ => "is the server running? Point jq-nats at it with --server URL, NATS_URL, or `nats context select NAME`".to_string(),
        };
        with_hint(anyhow::Error::new(e).context(what), hint)
    }

    /// A JetStream context honouring the domain or API prefix (a domain wins, as in natscli).
    pub fn jetstream(&self, client: async_nats::Client) -> async_nats::jetstream::Context {
        use async_nats::jetstream::context::ContextBuilder;
        let timeout = self.timeout.value;
        if let Some(domain) = &self.js_domain {
            ContextBuilder::new()
                .timeout(timeout)
                .domain(domain.value.clone())
                .build(client)
        } else if let Some(prefix) = &self.js_api_prefix {
            ContextBuilder::new()
                .timeout(timeout)
                .api_prefix(prefix.value.clone())
                .build(client)
        } else {
            ContextBuilder::new().timeout(timeout).build(client)
        }
    }
}

/// Server URLs with any password or token in them hidden: `nats://user:***@host:4222`.
pub fn redact_url(urls: &str) -> String {
    urls.split(',')
        .map(|url| {
            let start = url.find("://").map_or(0, |i| i + 3);
            let end = url[start..].find('/').map_or(url.len(), |i| start + i);
            match url[start..end].rfind('@') {
                Some(at) => {
                    let info = &url[start..start + at];
                    let kept = match info.split_once(':') {
                        Some((user, _)) => format!("{user}:***"),
                        // A lone user in a URL is a token.
                        None => "***".to_string(),
                    };
                    format!("{}{kept}{}", &url[..start], &url[start + at..])
                }
                None => url.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A TLS handshake failure: async-nats reports it as an I/O error wrapping the rustls error.
fn is_tls_failure(e: &async_nats::ConnectError) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(c) = cause {
        if c.downcast_ref::<async_nats::rustls::Error>().is_some()
            || c.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .is_some_and(|inner| inner.is::<async_nats::rustls::Error>())
        {
            return true;
        }
        cause = c.source();
    }
    false
}

/// An nkey seed file holds the seed on a line of its own (natscli accepts decorated files too).
fn read_seed(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path)?;
    text.lines()
        .map(str::trim)
        .find(|l| l.starts_with('S') && l.len() > 50)
        .map(str::to_string)
        .ok_or_else(|| anyhow!("no nkey seed (a line starting with `S`) in the file"))
        .hint("an nkey seed file holds a seed like SUAM..., as `nk -gen user` writes it")
}

/// What a user was not allowed to do, as the server said it: `-ERR 'Permissions Violation for
/// Publish to "orders.new"'` (or `Subscription to "_INBOX.>"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `publish to` or `subscribe to`.
    pub operation: &'static str,
    pub subject: String,
}

impl Refusal {
    /// The refusal in a server error, if it is one.
    pub fn parse(error: &async_nats::ServerError) -> Option<Refusal> {
        let async_nats::ServerError::Other(text) = error else {
            return None;
        };
        let lower = text.to_ascii_lowercase();
        let rest = lower.strip_prefix("permissions violation for ")?;
        let operation = if rest.starts_with("subscription") {
            "subscribe to"
        } else {
            "publish to"
        };
        let (start, end) = (text.find('"')?, text.rfind('"')?);
        let subject = if end > start {
            text[start + 1..end].to_string()
        } else {
            String::new()
        };
        Some(Refusal { operation, subject })
    }

    /// An error naming the subject and the operation, with what to do about it.
    pub fn into_error(self) -> anyhow::Error {
        let Refusal { operation, subject } = self;
        let what = if subject.starts_with("$JS.API.") {
            "jq-nats uses the JetStream API: allow the user to publish to `$JS.API.>`".to_string()
        } else if subject.starts_with("$JS.ACK.") {
            "workers acknowledge jobs on `$JS.ACK.>`: allow the user to publish to it".to_string()
        } else if operation == "subscribe to" && subject.starts_with("_INBOX.") {
            "replies come on `_INBOX.>`: allow the user to subscribe to it, or give --inbox-prefix a prefix it may subscribe to".to_string()
        } else {
            format!("allow the user to {operation} `{subject}`")
        };
        with_hint(
            anyhow!("permission denied: the server does not let this user {operation} `{subject}`"),
            format!("{what} in the server's permissions, or connect as a user who may (--user, --creds, --context)"),
        )
    }
}

/// The permission violations the server reported on a connection. The server drops a message
/// the user may not publish and says so only on the connection (async-nats gives it as an
/// `Event::ServerError`), so without watching for it a request there just times out.
#[derive(Debug, Clone)]
pub struct Refusals(Arc<tokio::sync::watch::Sender<Vec<Refusal>>>);

/// Distinct refusals kept (each job subject refused is one).
const MAX_REFUSALS: usize = 1024;

impl Default for Refusals {
    fn default() -> Self {
        Refusals(Arc::new(tokio::sync::watch::channel(Vec::new()).0))
    }
}

impl Refusals {
    /// Records the event if it is a permission violation.
    pub fn note(&self, event: &async_nats::Event) -> Option<Refusal> {
        let async_nats::Event::ServerError(e) = event else {
            return None;
        };
        let refusal = Refusal::parse(e)?;
        self.0.send_if_modified(|seen| {
            let new = seen.len() < MAX_REFUSALS && !seen.contains(&refusal);
            if new {
                seen.push(refusal.clone());
            }
            new
        });
        Some(refusal)
    }

    /// Waits for the first refusal.
    pub async fn first(&self) -> Refusal {
        self.wait(|_| true).await
    }

    /// The first refusal so far, if any.
    pub fn seen(&self) -> Option<Refusal> {
        self.0.borrow().first().cloned()
    }

    /// Waits for a refusal to publish to `subject`.
    pub async fn of_publish(&self, subject: &str) -> Refusal {
        self.wait(|r| r.operation == "publish to" && r.subject == subject)
            .await
    }

    async fn wait(&self, wanted: impl Fn(&Refusal) -> bool) -> Refusal {
        let mut rx = self.0.subscribe();
        let seen = rx.wait_for(|seen| seen.iter().any(&wanted)).await;
        match seen {
            Ok(seen) => seen.iter().find(|r| wanted(r)).cloned().expect("found"),
            // The sender lives in self, so the channel never closes.
            Err(_) => std::future::pending().await,
        }
    }

    /// `opts` with an event callback that records refusals and gives every event to `forward`.
    pub fn watch(
        &self,
        opts: async_nats::ConnectOptions,
        forward: Option<tokio::sync::mpsc::UnboundedSender<async_nats::Event>>,
    ) -> async_nats::ConnectOptions {
        let refusals = self.clone();
        opts.event_callback(move |event| {
            refusals.note(&event);
            if let Some(tx) = &forward {
                let _ = tx.send(event);
            }
            async {}
        })
    }
}

/// A connection, ready for commands: the client, its JetStream context and the settings used.
pub struct Conn {
    pub client: async_nats::Client,
    pub js: async_nats::jetstream::Context,
    pub settings: Resolved,
    pub refusals: Refusals,
}

impl Conn {
    pub async fn open(settings: Resolved) -> Result<Conn> {
        Conn::open_watching(settings, &Refusals::default()).await
    }

    /// Opens a connection whose permission violations go to `refusals`.
    pub async fn open_watching(settings: Resolved, refusals: &Refusals) -> Result<Conn> {
        let opts = refusals.watch(settings.connect_options().await?, None);
        let client = settings.connect_with(opts).await?;
        let js = settings.jetstream(client.clone());
        settings.require_jetstream(&client, &js).await?;
        Ok(Conn {
            client,
            js,
            settings,
            refusals: refusals.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_permission_violations() {
        let parse = |t: &str| Refusal::parse(&async_nats::ServerError::Other(t.into()));
        assert_eq!(
            parse("Permissions Violation for Publish to \"orders.new\""),
            Some(Refusal {
                operation: "publish to",
                subject: "orders.new".into()
            })
        );
        assert_eq!(
            parse("Permissions Violation for Subscription to \"_INBOX.x.*\""),
            Some(Refusal {
                operation: "subscribe to",
                subject: "_INBOX.x.*".into()
            })
        );
        assert_eq!(parse("Maximum Payload Violation"), None);
    }

    #[test]
    fn redacts_secrets_in_urls() {
        assert_eq!(
            redact_url("nats://u:pw@h:4222,tls://tok@h2:4222,nats://h3:4222"),
            "nats://u:***@h:4222,tls://***@h2:4222,nats://h3:4222"
        );
        assert_eq!(redact_url("h:4222"), "h:4222");
        assert_eq!(redact_url("a:b@h"), "a:***@h");
    }

    #[test]
    fn expands_vars_then_tilde() {
        std::env::set_var("JQ_NATS_TEST_DIR", "/tmp/x");
        assert_eq!(
            expand_path("$JQ_NATS_TEST_DIR/a.creds"),
            PathBuf::from("/tmp/x/a.creds")
        );
        assert_eq!(
            expand_path("${JQ_NATS_TEST_DIR}/b"),
            PathBuf::from("/tmp/x/b")
        );
        let home = dirs::home_dir().unwrap();
        assert_eq!(expand_path("~/c"), home.join("c"));
        assert_eq!(expand_path("/plain/path"), PathBuf::from("/plain/path"));
    }

    #[test]
    fn parses_natscli_context_and_ignores_unknown_fields() {
        let text = r#"{"description":"","url":"nats://127.0.0.1:4222","socks_proxy":"","token":"","user":"","password":"","creds":"","nkey":"","cert":"","key":"","ca":"","nsc":"","jetstream_domain":"","jetstream_api_prefix":"","jetstream_event_prefix":"","inbox_prefix":"","user_jwt":"","user_seed":"","color_scheme":"","tls_first":false,"windows_cert_store":"","windows_cert_match_by":"","windows_cert_match":"","windows_ca_certs_match":null}"#;
        let ctx: ContextFile = serde_json::from_str(text).unwrap();
        assert_eq!(ctx.url.as_deref(), Some("nats://127.0.0.1:4222"));
        assert_eq!(ctx.tls_first, Some(false));
    }
}
