//! Servers that require authentication, and what a client needs to pass each: user and
//! password, token, nkey, TLS with a private CA (and with client certificates), and creds (a
//! user JWT and seed) against a server in operator mode with a memory resolver.
//!
//! Every key, certificate and JWT is made here, per test: nothing is checked in. Each
//! [`AuthServer`] gives the same credentials three ways (flags, NATS_* variables, natscli context
//! fields) for jq-nats, and builds its own client for the test's independent checks.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use nkeys::KeyPair;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyUsagePurpose,
};
use serde_json::{json, Value};

use super::Server;

pub const USER: &str = "jqtester";
/// Distinct values, so a test can search any output for them.
pub const PASSWORD: &str = "pw-s3cret-4711";
pub const TOKEN: &str = "tok-s3cret-9f8e7d";

/// What the test's own client presents.
enum Material {
    UserPassword,
    Token,
    Nkey {
        seed: String,
    },
    Tls {
        ca: PathBuf,
    },
    MutualTls {
        ca: PathBuf,
        cert: PathBuf,
        key: PathBuf,
    },
    Creds {
        jwt: String,
        seed: String,
    },
}

/// A running server that requires one kind of authentication.
pub struct AuthServer {
    pub server: Server,
    /// jq-nats flags that authenticate (`-s URL` not included).
    pub flags: Vec<String>,
    /// The same credentials as NATS_* variables.
    pub env: Vec<(&'static str, String)>,
    /// The same credentials, and the URL, as natscli context fields.
    pub context: Value,
    material: Material,
}

impl AuthServer {
    pub fn url(&self) -> &str {
        &self.server.url
    }

    pub fn dir(&self) -> &Path {
        self.server.dir.path()
    }

    /// An independent client, authenticated the way the server wants.
    pub async fn client(&self) -> async_nats::Client {
        let opts = match &self.material {
            Material::UserPassword => {
                async_nats::ConnectOptions::with_user_and_password(USER.into(), PASSWORD.into())
            }
            Material::Token => async_nats::ConnectOptions::with_token(TOKEN.into()),
            Material::Nkey { seed } => async_nats::ConnectOptions::with_nkey(seed.clone()),
            Material::Tls { ca } => async_nats::ConnectOptions::new()
                .add_root_certificates(ca.clone())
                .require_tls(true),
            Material::MutualTls { ca, cert, key } => async_nats::ConnectOptions::new()
                .add_root_certificates(ca.clone())
                .add_client_certificate(cert.clone(), key.clone())
                .require_tls(true),
            Material::Creds { jwt, seed } => {
                // The JWT and seed themselves, not the creds file: the file's format is what
                // jq-nats is tested on.
                let kp = Arc::new(KeyPair::from_seed(seed).unwrap());
                async_nats::ConnectOptions::with_jwt(jwt.clone(), move |nonce| {
                    let kp = kp.clone();
                    async move { kp.sign(&nonce).map_err(async_nats::AuthError::new) }
                })
            }
        };
        opts.connect(self.url())
            .await
            .unwrap_or_else(|e| panic!("test client connects to {}: {e}", self.url()))
    }

    pub async fn js(&self) -> async_nats::jetstream::Context {
        async_nats::jetstream::new(self.client().await)
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// `authorization { user, password }`.
pub fn user_password() -> AuthServer {
    let server = Server::start_with_config(&format!(
        "authorization {{ user: \"{USER}\", password: \"{PASSWORD}\" }}\n"
    ));
    AuthServer {
        flags: strings(&["--user", USER, "--password", PASSWORD]),
        env: vec![
            ("NATS_USER", USER.into()),
            ("NATS_PASSWORD", PASSWORD.into()),
        ],
        context: json!({"url": server.url, "user": USER, "password": PASSWORD}),
        server,
        material: Material::UserPassword,
    }
}

/// `authorization { token }`.
pub fn token() -> AuthServer {
    let server = Server::start_with_config(&format!("authorization {{ token: \"{TOKEN}\" }}\n"));
    AuthServer {
        flags: strings(&["--token", TOKEN]),
        env: vec![("NATS_TOKEN", TOKEN.into())],
        context: json!({"url": server.url, "token": TOKEN}),
        server,
        material: Material::Token,
    }
}

/// A user nkey in `authorization { users }`; its seed in `user.nk` in the server's dir.
pub fn nkey() -> AuthServer {
    let user = KeyPair::new_user();
    let seed = user.seed().unwrap();
    let server = Server::start_with_config(&format!(
        "authorization {{ users: [ {{ nkey: \"{}\" }} ] }}\n",
        user.public_key()
    ));
    let seed_file = server.dir.path().join("user.nk");
    std::fs::write(&seed_file, format!("{seed}\n")).unwrap();
    let seed_path = seed_file.display().to_string();
    AuthServer {
        flags: strings(&["--nkey", &seed_path]),
        env: vec![("NATS_NKEY", seed_path.clone())],
        context: json!({"url": server.url, "nkey": seed_path}),
        server,
        material: Material::Nkey { seed },
    }
}

/// A certificate authority made for one test.
pub struct Ca {
    issuer: Issuer<'static, rcgen::KeyPair>,
    pub pem: String,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = rcgen::KeyPair::generate().unwrap();
        let pem = params.self_signed(&key).unwrap().pem();
        Ca {
            issuer: Issuer::new(params, key),
            pem,
        }
    }

    /// Writes the CA certificate as `<name>.pem` in `dir`.
    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(format!("{name}.pem"));
        std::fs::write(&path, &self.pem).unwrap();
        path
    }

    /// A certificate for 127.0.0.1 and localhost signed by this CA, written as `<name>.pem` and
    /// `<name>-key.pem` in `dir`: (cert, key).
    pub fn issue(
        &self,
        dir: &Path,
        name: &str,
        usage: ExtendedKeyUsagePurpose,
    ) -> (PathBuf, PathBuf) {
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, format!("jq-nats test {name}"));
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![usage];
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let cert_path = dir.join(format!("{name}.pem"));
        let key_path = dir.join(format!("{name}-key.pem"));
        std::fs::write(&cert_path, cert.pem()).unwrap();
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        (cert_path, key_path)
    }
}

fn conf_path(p: &Path) -> String {
    format!("{:?}", p.display().to_string())
}

/// A TLS server with a certificate from a private CA (`ca.pem` in the server's dir).
pub fn tls() -> AuthServer {
    let ca = Ca::new("jq-nats test CA");
    let mut ca_file = PathBuf::new();
    let server = Server::start_with_config_in(|dir| {
        ca_file = ca.write(dir, "ca");
        let (cert, key) = ca.issue(dir, "server", ExtendedKeyUsagePurpose::ServerAuth);
        format!(
            "tls {{\n  cert_file: {}\n  key_file: {}\n}}\n",
            conf_path(&cert),
            conf_path(&key)
        )
    });
    let ca_path = ca_file.display().to_string();
    AuthServer {
        flags: strings(&["--tlsca", &ca_path]),
        env: vec![("NATS_CA", ca_path.clone())],
        context: json!({"url": server.url, "ca": ca_path}),
        server,
        material: Material::Tls { ca: ca_file },
    }
}

/// A TLS server that also requires a client certificate from its CA (`verify: true`).
pub fn mutual_tls() -> AuthServer {
    let ca = Ca::new("jq-nats test CA");
    let mut files = (PathBuf::new(), PathBuf::new(), PathBuf::new());
    let server = Server::start_with_config_in(|dir| {
        let ca_file = ca.write(dir, "ca");
        let (cert, key) = ca.issue(dir, "server", ExtendedKeyUsagePurpose::ServerAuth);
        let (client_cert, client_key) =
            ca.issue(dir, "client", ExtendedKeyUsagePurpose::ClientAuth);
        let conf = format!(
            "tls {{\n  cert_file: {}\n  key_file: {}\n  ca_file: {}\n  verify: true\n}}\n",
            conf_path(&cert),
            conf_path(&key),
            conf_path(&ca_file)
        );
        files = (ca_file, client_cert, client_key);
        conf
    });
    let (ca, cert, key) = files;
    let [ca_s, cert_s, key_s] = [&ca, &cert, &key].map(|p| p.display().to_string());
    AuthServer {
        flags: strings(&["--tlsca", &ca_s, "--tlscert", &cert_s, "--tlskey", &key_s]),
        env: vec![
            ("NATS_CA", ca_s.clone()),
            ("NATS_CERT", cert_s.clone()),
            ("NATS_KEY", key_s.clone()),
        ],
        context: json!({"url": server.url, "ca": ca_s, "cert": cert_s, "key": key_s}),
        server,
        material: Material::MutualTls { ca, cert, key },
    }
}

/// base64url without padding, as JWTs use it.
pub fn base64url(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// A NATS JWT: the claims, issued by `issuer` (its public key is `iss`), signed with its seed.
pub fn encode_jwt(issuer: &KeyPair, subject: &str, name: &str, nats: Value) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SERIAL: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let claims = json!({
        // Unique per JWT; the server does not check how it was made.
        "jti": format!("JQNATS{:X}{:X}", now.as_nanos(), SERIAL.fetch_add(1, Ordering::Relaxed)),
        "iat": now.as_secs(),
        "iss": issuer.public_key(),
        "sub": subject,
        "name": name,
        "nats": nats,
    });
    let header = base64url(br#"{"typ":"JWT","alg":"ed25519-nkey"}"#);
    let body = base64url(&serde_json::to_vec(&claims).unwrap());
    let signed = format!("{header}.{body}");
    let signature = issuer.sign(signed.as_bytes()).unwrap();
    format!("{signed}.{}", base64url(&signature))
}

/// The standard .creds layout (as `nsc generate creds` writes it).
pub fn creds_file_text(jwt: &str, seed: &str) -> String {
    format!(
        "-----BEGIN NATS USER JWT-----\n{jwt}\n------END NATS USER JWT------\n\n\
************************* IMPORTANT *************************\n\
NKEY Seed printed below can be used to sign and prove identity.\n\
NKEYs are sensitive and should be treated as secrets.\n\n\
-----BEGIN USER NKEY SEED-----\n{seed}\n------END USER NKEY SEED------\n\n\
*************************************************************\n"
    )
}

/// An operator, a system account, an account with JetStream and a user in it, all as JWTs made
/// here; the server trusts the operator and has both accounts preloaded in a memory resolver.
/// The user's creds file is `user.creds` in the server's dir.
pub fn creds() -> AuthServer {
    let operator = KeyPair::new_operator();
    let system = KeyPair::new_account();
    let account = KeyPair::new_account();
    let user = KeyPair::new_user();

    let operator_jwt = encode_jwt(
        &operator,
        &operator.public_key(),
        "jqnats-test-operator",
        json!({"type": "operator", "version": 2, "system_account": system.public_key()}),
    );
    let system_jwt = encode_jwt(
        &operator,
        &system.public_key(),
        "SYS",
        json!({
            "type": "account", "version": 2,
            "limits": {"subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1,
                       "wildcards": true, "conn": -1, "leaf": -1},
        }),
    );
    let account_jwt = encode_jwt(
        &operator,
        &account.public_key(),
        "JQ",
        json!({
            "type": "account", "version": 2,
            // Any non-zero storage limit enables JetStream for the account.
            "limits": {"subs": -1, "data": -1, "payload": -1, "imports": -1, "exports": -1,
                       "wildcards": true, "conn": -1, "leaf": -1,
                       "mem_storage": -1, "disk_storage": -1, "streams": -1, "consumer": -1},
        }),
    );
    let user_jwt = encode_jwt(
        &account,
        &user.public_key(),
        USER,
        json!({"type": "user", "version": 2, "pub": {}, "sub": {},
               "subs": -1, "data": -1, "payload": -1}),
    );
    let config = format!(
        "operator: {operator_jwt:?}\nsystem_account: {:?}\nresolver: MEMORY\nresolver_preload: {{\n  {:?}: {system_jwt:?}\n  {:?}: {account_jwt:?}\n}}\n",
        system.public_key(),
        system.public_key(),
        account.public_key(),
    );
    let server = Server::start_with_config(&config);
    let seed = user.seed().unwrap();
    let creds_file = server.dir.path().join("user.creds");
    std::fs::write(&creds_file, creds_file_text(&user_jwt, &seed)).unwrap();
    let creds_path = creds_file.display().to_string();
    AuthServer {
        flags: strings(&["--creds", &creds_path]),
        env: vec![("NATS_CREDS", creds_path.clone())],
        context: json!({"url": server.url, "creds": creds_path}),
        server,
        material: Material::Creds {
            jwt: user_jwt,
            seed,
        },
    }
}
