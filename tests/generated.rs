//! The checked-in completions and man pages match the clap model.

use std::path::Path;

#[test]
fn generated_files_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let regenerate = std::env::var_os("JQ_NATS_REGENERATE").is_some();
    let files = jq_nats::generate::all_files();
    let mut stale = Vec::new();
    for (rel, contents) in &files {
        let path = root.join(rel);
        if regenerate {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, contents).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(contents.as_slice()) {
            stale.push(rel.clone());
        }
    }
    // A generated file whose command is gone is stale too.
    for dir in ["completions", "man"] {
        for entry in std::fs::read_dir(root.join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            let rel = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if !files.iter().any(|(r, _)| *r == rel) {
                if regenerate {
                    std::fs::remove_file(entry.path()).unwrap();
                } else {
                    stale.push(rel);
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are stale: {}\nregenerate them with: JQ_NATS_REGENERATE=1 cargo test --test generated",
        stale.join(", ")
    );
}

#[test]
fn man_pages_document_exit_codes() {
    let files = jq_nats::generate::all_files();
    let (_, top) = files
        .iter()
        .find(|(p, _)| p == "man/jq-nats.1")
        .expect("top man page");
    let text = String::from_utf8_lossy(top);
    assert!(text.contains("Exit codes"), "man page lacks exit codes");
    assert!(text.contains("130"));
}
