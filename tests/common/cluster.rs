//! A 3-node nats-server cluster with JetStream on loopback: each node its own store, its own
//! `server_name`, routes to the two others. Client ports are random (`-p -1` and the ports
//! file, as for a single [`super::Server`]); route ports must be known to the peers before any
//! starts, so they are taken by binding port 0 and releasing it. A port taken by someone else
//! in between makes that node exit at once (it cannot listen for routes), which is seen, and
//! the whole cluster is started again on new ports: a collision never goes unnoticed.

use std::path::PathBuf;
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::{rt, server_binary};

/// Names of the nodes, which are their `server_name`s.
pub const NODES: [&str; 3] = ["n1", "n2", "n3"];

/// One node of the cluster.
pub struct Node {
    pub name: String,
    child: Option<Child>,
    dir: PathBuf,
    config: PathBuf,
    pub port: u16,
    pub url: String,
    pub route_port: u16,
}

impl Node {
    fn log_path(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    pub fn running(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => c.try_wait().unwrap().is_none(),
            None => false,
        }
    }

    /// Starts the node (`port` None: a random client port); Err with its log when it exits
    /// before it listens.
    fn spawn(&mut self, port: Option<u16>) -> Result<(), String> {
        let ports_dir = self.dir.join("ports");
        let _ = std::fs::remove_dir_all(&ports_dir);
        std::fs::create_dir_all(&ports_dir).unwrap();
        let child = StdCommand::new(server_binary())
            .arg("-c")
            .arg(&self.config)
            .args(["-a", "127.0.0.1", "-p"])
            .arg(port.map(|p| p.to_string()).unwrap_or_else(|| "-1".into()))
            .arg("--ports_file_dir")
            .arg(&ports_dir)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.log_path()).unwrap())
            .spawn()
            .expect("spawn nats-server");
        let ports_file = ports_dir.join(format!("nats-server_{}.ports", child.id()));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(text) = std::fs::read_to_string(&ports_file) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                    let url = v["nats"][0].as_str().expect("nats url in ports file");
                    self.port = url.rsplit(':').next().unwrap().parse().unwrap();
                    self.url = format!("nats://127.0.0.1:{}", self.port);
                    return Ok(());
                }
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                self.child = None;
                return Err(format!(
                    "node {} exited ({status}) before listening; log:\n{}",
                    self.name,
                    self.log()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "node {} did not write its ports file; log:\n{}",
                    self.name,
                    self.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub struct Cluster {
    pub nodes: Vec<Node>,
    _dir: TempDir,
}

/// Free ports on 127.0.0.1, bound together (so distinct) and released.
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<std::net::TcpListener> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

impl Cluster {
    /// Starts the three nodes and waits until JetStream has a meta leader and can place an R3
    /// stream. Tries again on new route ports if a node cannot start.
    pub fn start() -> Cluster {
        let mut last = String::new();
        for _ in 0..3 {
            match Cluster::try_start() {
                Ok(c) => return c,
                Err(e) => last = e,
            }
        }
        panic!("the cluster did not start after 3 tries: {last}");
    }

    fn try_start() -> Result<Cluster, String> {
        let dir = tempfile::tempdir().expect("tempdir");
        let route_ports = free_ports(NODES.len());
        let mut nodes = Vec::new();
        for (i, name) in NODES.iter().enumerate() {
            let node_dir = dir.path().join(name);
            std::fs::create_dir_all(&node_dir).unwrap();
            let routes: Vec<String> = route_ports
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, p)| format!("\"nats-route://127.0.0.1:{p}\""))
                .collect();
            let config = format!(
                "server_name: {name}\n\
                 jetstream {{\n  store_dir: \"{store}\"\n  max_memory_store: 256MB\n  max_file_store: 2GB\n}}\n\
                 cluster {{\n  name: jqnats\n  listen: \"127.0.0.1:{port}\"\n  routes: [{routes}]\n}}\n",
                store = node_dir.join("store").display(),
                port = route_ports[i],
                routes = routes.join(", "),
            );
            let config_path = node_dir.join("server.conf");
            std::fs::write(&config_path, config).unwrap();
            nodes.push(Node {
                name: name.to_string(),
                child: None,
                dir: node_dir,
                config: config_path,
                port: 0,
                url: String::new(),
                route_port: route_ports[i],
            });
        }
        let mut cluster = Cluster { nodes, _dir: dir };
        for node in &mut cluster.nodes {
            node.spawn(None)?;
        }
        // A node that lost its route port to another process exits right after starting.
        std::thread::sleep(Duration::from_millis(100));
        for node in &mut cluster.nodes {
            if !node.running() {
                return Err(format!("node {} exited; log:\n{}", node.name, node.log()));
            }
        }
        cluster.wait_ready(Duration::from_secs(30))?;
        Ok(cluster)
    }

    /// Waits until the meta leader is elected and an R3 stream can be made (then removes it).
    fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let urls = self.urls();
        let deadline = Instant::now() + timeout;
        let ok = rt().block_on(async {
            let client = match connect(&urls).await {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("cluster: cannot connect to {urls}: {e}");
                    return false;
                }
            };
            let js = async_nats::jetstream::with_prefix(client, "$JS.API");
            while Instant::now() < deadline {
                let made = js
                    .create_stream(async_nats::jetstream::stream::Config {
                        name: "cluster_ready_probe".into(),
                        subjects: vec!["cluster.ready.probe".into()],
                        num_replicas: 3,
                        storage: async_nats::jetstream::stream::StorageType::Memory,
                        ..Default::default()
                    })
                    .await;
                if made.is_ok() {
                    return js.delete_stream("cluster_ready_probe").await.is_ok();
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            false
        });
        if ok {
            return Ok(());
        }
        let logs: Vec<String> = self
            .nodes
            .iter()
            .map(|n| format!("--- {} ---\n{}", n.name, n.log()))
            .collect();
        Err(format!(
            "JetStream did not become ready within {timeout:?}; logs:\n{}",
            logs.join("\n")
        ))
    }

    /// Every node's URL, comma-separated (for `-s` or a context's `url`).
    pub fn urls(&self) -> String {
        self.nodes
            .iter()
            .map(|n| n.url.clone())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The URLs of the nodes other than `skip`, comma-separated.
    pub fn urls_except(&self, skip: usize) -> String {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, n)| n.url.clone())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The index of the node named `server_name`.
    pub fn index_of(&self, server_name: &str) -> usize {
        self.nodes
            .iter()
            .position(|n| n.name == server_name)
            .unwrap_or_else(|| panic!("no node named {server_name}"))
    }

    /// kill -9 node `i`.
    pub fn kill(&mut self, i: usize) {
        self.nodes[i].kill();
    }

    /// Starts node `i` again: same store, same client and route ports.
    pub fn restart(&mut self, i: usize) {
        self.nodes[i].kill();
        let port = self.nodes[i].port;
        self.nodes[i]
            .spawn(Some(port))
            .unwrap_or_else(|e| panic!("restart: {e}"));
    }

    /// The node leading `stream` (from stream info's `cluster.leader`, asked through `url`),
    /// None while there is no leader.
    pub fn stream_leader(&self, url: &str, stream: &str) -> Option<usize> {
        let info = stream_info(url, stream)?;
        let leader = info.cluster?.leader?;
        Some(self.index_of(&leader))
    }

    /// Waits until `stream` has a leader other than `not` (asked through `url`) and returns it.
    pub fn wait_new_leader(&self, url: &str, stream: &str, not: usize, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(l) = self.stream_leader(url, stream).filter(|l| *l != not) {
                return l;
            }
            assert!(
                Instant::now() < deadline,
                "no new leader of `{stream}` within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for n in &mut self.nodes {
            n.kill();
        }
    }
}

/// Stream info through `url` (one or more comma-separated URLs), None on any error.
pub fn stream_info(url: &str, stream: &str) -> Option<async_nats::jetstream::stream::Info> {
    rt().block_on(async {
        let client = connect(url).await.ok()?;
        let js = async_nats::jetstream::new(client);
        let mut s = js.get_stream(stream).await.ok()?;
        s.info().await.ok().cloned()
    })
}

/// An independent client to any of `urls` (comma-separated: async-nats takes a list, not a
/// comma-separated string).
pub async fn connect(urls: &str) -> Result<async_nats::Client, async_nats::ConnectError> {
    let addrs: Vec<async_nats::ServerAddr> = urls
        .split(',')
        .map(|u| u.parse().expect("a server URL"))
        .collect();
    async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(2))
        .connect(addrs)
        .await
}
