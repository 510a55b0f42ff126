"""Renders bench/run's records (server, figure, kind, jq-nats, floor, target; tab-separated)
as one markdown table: a row per figure, a column set per server."""

import sys

KINDS = {
    # kind: (format a value, ratio or difference text, met?, target text)
    "rate": (
        lambda v: f"{v / 1000:.1f}k/s" if v >= 10000 else f"{v:.0f}/s",
        lambda jq, fl: f"{jq / fl:.2f}×",
        lambda jq, fl, t: jq / fl >= t,
        lambda t: f"≥ {t:g}× floor",
    ),
    "rss": (
        lambda v: f"{v / 1024:.1f} MB",
        lambda jq, fl: f"{jq / fl:.2f}×",
        lambda jq, fl, t: jq / 1024 < t,
        lambda t: f"< {t:g} MB",
    ),
    "cpu": (
        lambda v: f"{v:.3f} ms",
        lambda jq, fl: f"{jq - fl:+.3f} ms",
        lambda jq, fl, t: True,
        lambda t: "",
    ),
    "cpu_us": (
        lambda v: f"{v:.1f} µs",
        lambda jq, fl: f"{jq - fl:+.1f} µs",
        lambda jq, fl, t: True,
        lambda t: "",
    ),
    "latency": (
        lambda v: f"{v:.3f} ms",
        lambda jq, fl: f"{jq - fl:+.3f} ms",
        lambda jq, fl, t: jq - fl <= t,
        lambda t: f"≤ floor + {t:g} ms",
    ),
}

servers, figures, cells = [], [], {}
for line in open(sys.argv[1]):
    server, figure, kind, jq, floor, target = line.rstrip("\n").split("\t")
    if server not in servers:
        servers.append(server)
    if figure not in [f for f, _, _ in figures]:
        figures.append((figure, kind, target))
    cells[server, figure] = (float(jq), float(floor))

head = ["figure", "target"]
for s in servers:
    head += [f"jq-nats ({s})", f"floor ({s})", f"ratio ({s})"]
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for figure, kind, target in figures:
    fmt, ratio, met, target_text = KINDS[kind]
    has_target = target not in ("", "-")
    row = [figure, target_text(float(target)) if has_target else ""]
    for s in servers:
        if (s, figure) not in cells:
            row += ["", "", ""]
            continue
        jq, fl = cells[s, figure]
        mark = ""
        if has_target:
            mark = " ✓" if met(jq, fl, float(target)) else " ✗"
        row += [fmt(jq), fmt(fl), ratio(jq, fl) + mark]
    print("| " + " | ".join(row) + " |")
