//! jq-nats against servers that require authentication: each kind given by flags, by NATS_*
//! variables and by a natscli context, and the errors when it is wrong.

mod common;

use common::auth::{self, AuthServer, PASSWORD, TOKEN, USER};
use common::*;

#[derive(Clone, Copy, Debug)]
enum Way {
    Flags,
    Env,
    Context,
}

/// `stream add` through `server` with its credentials given `way`, checked with the server's own
/// independent client; `context --json` must report `auth` as the method in use.
fn stream_add_works(server: &AuthServer, way: Way, auth: &str) {
    let env = TestEnv::new();
    let with_auth = |cmd: &mut assert_cmd::Command| match way {
        Way::Flags => {
            cmd.args(["-s", server.url()]).args(&server.flags);
        }
        Way::Env => {
            cmd.env("NATS_URL", server.url());
            for (k, v) in &server.env {
                cmd.env(k, v);
            }
        }
        Way::Context => {}
    };
    if let Way::Context = way {
        env.write_context("authed", server.context.clone());
        env.select_context("authed");
    }

    let mut cmd = env.jq();
    with_auth(&mut cmd);
    let out = cmd.args(["context", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view["auth"], auth, "{view:#}");

    let mut cmd = env.jq();
    with_auth(&mut cmd);
    let out = cmd
        .args(["stream", "add", "jobs", "--subjects", "jobs.*"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stream add via {way:?} failed:\n{}\nserver log:\n{}",
        stderr_of(&out),
        server.server.log()
    );
    assert!(stderr_of(&out).contains("created stream jobs"));

    rt().block_on(async {
        let js = server.js().await;
        let mut s = js.get_stream("jobs").await.expect("stream jobs exists");
        let c = s.info().await.unwrap().config.clone();
        assert_eq!(c.subjects, vec!["jobs.*"]);
        assert_eq!(
            c.retention,
            async_nats::jetstream::stream::RetentionPolicy::WorkQueue
        );
        js.get_stream("jobs_dlq")
            .await
            .expect("DLQ jobs_dlq exists");
    });
}

#[test]
fn user_password_via_flags() {
    stream_add_works(&auth::user_password(), Way::Flags, "user and password");
}

#[test]
fn user_password_via_env() {
    stream_add_works(&auth::user_password(), Way::Env, "user and password");
}

#[test]
fn user_password_via_context() {
    stream_add_works(&auth::user_password(), Way::Context, "user and password");
}

#[test]
fn token_via_flags() {
    stream_add_works(&auth::token(), Way::Flags, "token");
}

#[test]
fn token_via_env() {
    stream_add_works(&auth::token(), Way::Env, "token");
}

#[test]
fn token_via_context() {
    stream_add_works(&auth::token(), Way::Context, "token");
}

#[test]
fn nkey_via_flags() {
    stream_add_works(&auth::nkey(), Way::Flags, "nkey");
}

#[test]
fn nkey_via_env() {
    stream_add_works(&auth::nkey(), Way::Env, "nkey");
}

#[test]
fn nkey_via_context() {
    stream_add_works(&auth::nkey(), Way::Context, "nkey");
}

#[test]
fn tls_ca_via_flags() {
    stream_add_works(&auth::tls(), Way::Flags, "none");
    common::reliability::held(
        "Security",
        "--tlsca adds the CA that signed the server's certificate",
        "stream add over TLS succeeds with --tlsca, checked with the test's own TLS client",
    );
}

#[test]
fn tls_ca_via_env() {
    stream_add_works(&auth::tls(), Way::Env, "none");
}

#[test]
fn tls_ca_via_context() {
    stream_add_works(&auth::tls(), Way::Context, "none");
}

#[test]
fn tls_client_cert_via_flags() {
    stream_add_works(&auth::mutual_tls(), Way::Flags, "none");
}

#[test]
fn tls_client_cert_via_env() {
    stream_add_works(&auth::mutual_tls(), Way::Env, "none");
}

#[test]
fn tls_client_cert_via_context() {
    stream_add_works(&auth::mutual_tls(), Way::Context, "none");
}

#[test]
fn creds_via_flags() {
    stream_add_works(&auth::creds(), Way::Flags, "creds file");
}

#[test]
fn creds_via_env() {
    stream_add_works(&auth::creds(), Way::Env, "creds file");
}

#[test]
fn creds_via_context() {
    stream_add_works(&auth::creds(), Way::Context, "creds file");
}

/// Without this, the tests above could pass against servers that let anyone in.
#[test]
fn every_auth_server_refuses_a_client_without_credentials() {
    for server in [
        auth::user_password(),
        auth::token(),
        auth::nkey(),
        auth::mutual_tls(),
        auth::creds(),
    ] {
        let env = TestEnv::new();
        let mut cmd = env.jq();
        cmd.args(["-s", server.url(), "stream", "ls"]);
        // The TLS server needs its CA, or the failure would only be about trust.
        if server.flags.iter().any(|f| f == "--tlscert") {
            cmd.args(&server.flags[..2]);
        }
        let out = cmd.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{} let an anonymous client in: {}",
            server.url(),
            stdout_of(&out)
        );
        assert!(
            stderr_of(&out).contains(&format!("failed to connect to {}", server.url())),
            "{}",
            stderr_of(&out)
        );
    }
}

#[test]
fn wrong_password_names_the_server_and_where_it_came_from() {
    let server = auth::user_password();
    let env = TestEnv::new();
    let out = env
        .jq()
        .args(["-s", server.url(), "--user", USER, "--password", "not-it"])
        .args(["stream", "ls"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.starts_with(&format!(
            "error: failed to connect to {} (from flag --server)",
            server.url()
        )),
        "{err}"
    );
    assert!(err.contains("authorization violation"), "{err}");
    assert!(
        err.contains("hint: the server refused the credentials (user and password auth)"),
        "{err}"
    );
    assert!(!err.contains("not-it"), "the password is printed: {err}");

    // The same from a context: the source is the context.
    env.write_context(
        "staging",
        serde_json::json!({"url": server.url(), "user": USER, "password": "not-it"}),
    );
    let out = env
        .jq()
        .args(["--context", "staging", "stream", "ls"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains(&format!(
            "failed to connect to {} (from context `staging`)",
            server.url()
        )),
        "{err}"
    );
    assert!(!err.contains("not-it"), "the password is printed: {err}");
}

#[test]
fn user_without_password_is_sent_as_a_token() {
    let server = auth::token();
    let env = TestEnv::new();
    let out = env
        .jq()
        .args(["-s", server.url(), "--user", TOKEN, "context", "--json"])
        .output()
        .unwrap();
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view["auth"], "token");
    env.jq()
        .args(["-s", server.url(), "--user", TOKEN])
        .args(["stream", "add", "jobs", "--subjects", "jobs.*"])
        .assert()
        .success();
    rt().block_on(async {
        server.js().await.get_stream("jobs").await.unwrap();
    });
    // A password turns it into user and password auth, which this server refuses.
    env.jq()
        .args(["-s", server.url(), "--user", TOKEN, "--password", PASSWORD])
        .args(["stream", "ls"])
        .assert()
        .code(1);
}

#[test]
fn tls_with_the_wrong_ca_fails_clearly() {
    let server = auth::tls();
    let other = auth::Ca::new("some other CA");
    let other_ca = other.write(server.dir(), "other-ca");
    let env = TestEnv::new();
    let out = env
        .jq()
        .args(["-s", server.url(), "--tlsca", &path_str(&other_ca)])
        .args(["stream", "ls"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.starts_with(&format!(
            "error: failed to connect to {} (from flag --server)",
            server.url()
        )),
        "{err}"
    );
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert!(
        err.contains(&format!(
            "hint: check the server's TLS setup and the CA file {} (from flag --tlsca)",
            other_ca.display()
        )),
        "{err}"
    );

    // No CA at all: the system's roots do not know the test CA either.
    let out = env
        .jq()
        .args(["-s", server.url(), "stream", "ls"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains(
            "hint: the server uses TLS: trust the CA that signed its certificate with --tlsca FILE"
        ),
        "{err}"
    );
    common::reliability::held(
        "Security",
        "TLS with a CA that did not sign the server's certificate, and with none",
        "both refused (exit 1) naming the server and a certificate error, the hint names the CA file and where it came from, or says to give --tlsca",
    );
}

#[test]
fn tls_url_with_tlsca_works() {
    let server = auth::tls();
    let url = server.url().replace("nats://", "tls://");
    let env = TestEnv::new();
    env.jq()
        .args(["-s", &url])
        .args(&server.flags)
        .args(["stream", "add", "jobs", "--subjects", "jobs.*"])
        .assert()
        .success();
    rt().block_on(async {
        server.js().await.get_stream("jobs").await.unwrap();
    });
}

#[test]
fn jwt_parts_are_base64url_without_padding() {
    assert_eq!(auth::base64url(b""), "");
    assert_eq!(auth::base64url(b"f"), "Zg");
    assert_eq!(auth::base64url(b"fo"), "Zm8");
    assert_eq!(auth::base64url(b"foo"), "Zm9v");
    assert_eq!(auth::base64url(&[0xfb, 0xff]), "-_8");
}
