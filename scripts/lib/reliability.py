"""Renders RELIABILITY.md from the rows the reliability tests wrote (one JSON file per test and
server under target/tmp/reliability/<version>/, see tests/common/reliability.rs)."""

import json
import pathlib
import sys

AREAS = ["Faults", "Cluster", "Handlers", "Load", "Bad input", "Security"]

rows_dir, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
versions = sorted(
    (d.name for d in rows_dir.iterdir() if d.is_dir()),
    key=lambda v: [int(p) for p in v.split(".")],
    reverse=True,
)
rows = {}  # (area, tried) -> {version: outcome}
for v in versions:
    for f in sorted((rows_dir / v).glob("*.json")):
        r = json.loads(f.read_text())
        rows.setdefault((r["area"], r["tried"]), {})[v] = r["outcome"]


def order(key):
    area, tried = key
    return (AREAS.index(area) if area in AREAS else len(AREAS), area, tried)


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


lines = [
    "# Reliability: what was tried and what held",
    "",
    "Written by `scripts/test` from the rows the tests record as their last step (after every",
    "assertion passed), so a row here is a test that passed on the run that wrote this file.",
    "Each case is a test against real nats-servers on loopback; see the test named in",
    "`tests/` for exactly what it does. Do not edit by hand.",
    "",
    "| Area | What was tried | " + " | ".join(f"nats-server {v}" for v in versions) + " |",
    "|---|---|" + "---|" * len(versions),
]
for key in sorted(rows, key=order):
    area, tried = key
    lines.append(
        f"| {cell(area)} | {cell(tried)} | "
        + " | ".join(cell(rows[key].get(v, "not run")) for v in versions)
        + " |"
    )
out.write_text("\n".join(lines) + "\n")
print(f"{out}: {len(rows)} cases, servers {', '.join(versions)}", file=sys.stderr)
