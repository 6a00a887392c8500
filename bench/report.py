#!/usr/bin/env python3
"""Helpers for bench/run.sh: reads tool reports and prints tables.

  report.py count KIND REPORT PLANTED_JSON    -> "FINDINGS<TAB>FOUND/TOTAL<TAB>missed rule ids"
  report.py table MODE RESULTS_TSV MB         -> the results table

KIND is keyaudit, kingfisher, gitleaks, betterleaks or none. Only counts,
paths and rule ids are printed, never a secret. A planted key counts as found
by keyaudit when a finding has its rule id, path and line; for a peer (whose
rules are named differently) when any finding is at its path and line.
"""

import json
import sys


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    data = data.strip()
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        # JSON Lines
        return [json.loads(line) for line in data.splitlines() if line.strip()]


def locations(kind, report):
    """[(rule, path, line)] for each finding."""
    out = []
    if kind == "keyaudit":
        for f in report.get("findings", []):
            loc = f.get("location", {})
            out.append((f.get("rule"), loc.get("path") or "", loc.get("line")))
    elif kind == "kingfisher":
        items = report.get("findings", []) if isinstance(report, dict) else report
        if not isinstance(items, list):
            items = []
        for f in items:
            fin = f.get("finding", f)
            rule = (f.get("rule") or {}).get("id")
            path = fin.get("path") or ""
            git = fin.get("git_metadata") or {}
            if isinstance(git, dict) and git.get("file"):
                path = git.get("file", {}).get("path", path) if isinstance(git.get("file"), dict) else path
            out.append((rule, path, fin.get("line")))
    elif kind == "gitleaks":
        for f in report or []:
            out.append((f.get("RuleID"), f.get("File") or "", f.get("StartLine")))
    elif kind == "betterleaks":
        items = report.get("findings", []) if isinstance(report, dict) else (report or [])
        for f in items:
            loc = f.get("location", {})
            out.append((f.get("rule_id"), loc.get("path") or "", loc.get("start_line")))
    return out


def count(kind, report_path, planted_path):
    planted = json.load(open(planted_path))["planted"]
    if kind == "none":
        print(f"-\t-\t")
        return
    try:
        report = load(report_path)
    except (OSError, ValueError) as e:
        print(f"?\t?\tunreadable report ({e.__class__.__name__})")
        return
    if report is None:
        report = []
    locs = locations(kind, report)
    found, missed = 0, []
    for p in planted:
        hit = False
        for rule, path, line in locs:
            if not (path == p["path"] or path.endswith("/" + p["path"])):
                continue
            if line is not None and line != p["line"]:
                continue
            if kind == "keyaudit" and rule != p["rule"]:
                continue
            hit = True
            break
        if hit:
            found += 1
        else:
            missed.append(p["rule"])
    print(f"{len(locs)}\t{found}/{len(planted)}\t{','.join(missed)}")


def table(mode, tsv, mb):
    rows = []
    for line in open(tsv):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 7:
            rows.append(f)
    mb = float(mb)

    def wall(name):
        for r in rows:
            if r[0] == name and r[1] not in ("", "-"):
                return float(r[1])
        return None

    ka = wall("keyaudit")
    kf = wall("kingfisher")
    floor = wall("cat-file")
    if mode == "tree":
        head = ["tool", "wall s", "MB/s", "peak RSS MiB", "findings", "planted found", "x keyaudit", "note"]
    elif mode == "history":
        head = ["tool", "wall s", "MB/s", "peak RSS MiB", "findings", "planted found",
                "x kingfisher", "x cat-file", "note"]
    else:
        head = ["tool", "mean ms", "min ms", "max ms", "findings", "note"]
    table_rows = []
    for r in rows:
        name, w, rss, findings, planted, missed, note = r[:7]
        if mode == "staged":
            table_rows.append([name, w, rss, findings, planted, note])
            continue
        if w in ("", "-"):
            cells = [name, "-", "-", "-", "-", "-"] + (["-"] if mode == "tree" else ["-", "-"])
            table_rows.append(cells + [note])
            continue
        wv = float(w)
        cells = [name, f"{wv:.2f}", f"{mb / wv:.0f}" if wv > 0 else "-", f"{int(rss) / 1024:.0f}",
                 findings, planted + (f" (missed: {missed})" if missed and len(missed.split(",")) <= 4 else "")]
        if mode == "tree":
            cells.append(f"{wv / ka:.2f}" if ka else "-")
        else:
            cells.append(f"{wv / kf:.2f}" if kf else "-")
            cells.append(f"{wv / floor:.2f}" if floor else "-")
        table_rows.append(cells + [note])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *table_rows)]
    fmt = "  ".join("{:<%d}" % w for w in widths)
    print(fmt.format(*head))
    print(fmt.format(*["-" * w for w in widths]))
    for r in table_rows:
        print(fmt.format(*r))


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "count":
        count(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 5 and sys.argv[1] == "table":
        table(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
