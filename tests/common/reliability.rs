//! Rows of RELIABILITY.md: a reliability test calls [`held`] as its last step, after every
//! assertion passed, so a row exists only for what held on this run. `scripts/test` collects
//! the rows of both servers and renders the table (scripts/lib/reliability.py).

use std::path::PathBuf;

/// Records that `tried` (in `area`: "Faults", "Cluster", "Handlers", "Load", "Bad input",
/// "Security") held against the server under test, with `outcome` saying what held, numbers
/// included ("200000 published = 180112 done + 19888 dead, 0 lost, 37 run twice").
pub fn held(area: &str, tried: &str, outcome: &str) {
    let (a, b, c) = super::server_version();
    let dir = rows_dir().join(format!("{a}.{b}.{c}"));
    std::fs::create_dir_all(&dir).expect("create reliability rows dir");
    let slug: String = format!("{area}-{tried}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let row = serde_json::json!({"area": area, "tried": tried, "outcome": outcome});
    std::fs::write(dir.join(format!("{slug}.json")), row.to_string()).expect("write row");
}

/// Where rows go: target/tmp/reliability/<server version>/.
pub fn rows_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reliability")
}
