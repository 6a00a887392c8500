#!/usr/bin/env python3
"""Deterministic benchmark corpora for bench/run.sh.

  corpus.py tree    OUT MB                 a directory of real source text plus planted keys
  corpus.py history OUT MB COMMITS          a bare git repository (built with git fast-import)
  corpus.py plant   DIR                    one planted key file in DIR (staged check)
  corpus.py sources                         print the source directories that would be used

Source text comes from the directories in $BENCH_SOURCES (colon-separated);
by default ~/.cargo/registry/src, then the running Python's standard library.
Files are taken in sorted order: regular files only (no symlinks), text only
(a NUL byte in the first 8 KiB excludes a file), at most 1 MiB each, never
under a dot-directory or a vendored-dependency directory (keyaudit skips
those, so every tool sees the same bytes). When the sources hold fewer bytes
than asked for, the list is taken again under a new prefix (pass2/, ...).

Planted keys are synthetic, drawn from a fixed-seed PRNG, shaped like the
examples in src/detect/rules.rs. Their expected locations go to
OUT.planted.json (rule id, path, line, and in history mode the commit that
introduced them); the values themselves are in that file too, so bench/run.sh
can check them, and must never print them.
"""

import json
import os
import random
import string
import subprocess
import sys

MAX_FILE = 1 << 20
SKIP_DIRS = {
    "node_modules", ".venv", "venv", "__pycache__", "site-packages", "dist-packages",
    ".tox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "target", ".next", ".cache",
    ".gradle", ".git", "vendor", "build", "dist",
}
TEXT_EXT = {
    "rs", "py", "pyi", "toml", "md", "txt", "c", "h", "cc", "cpp", "hpp", "json", "yaml",
    "yml", "js", "ts", "html", "css", "sh", "rst", "cfg", "ini", "in", "s", "S", "go",
    "java", "xml", "lock", "pest", "proto", "sql", "csv", "tcl", "el", "bat", "ps1",
}

SEED = 20261125


def sources():
    env = os.environ.get("BENCH_SOURCES")
    if env:
        dirs = [d for d in env.split(":") if d]
    else:
        import sysconfig
        dirs = [os.path.expanduser("~/.cargo/registry/src"), sysconfig.get_paths()["stdlib"]]
    return [os.path.realpath(d) for d in dirs if os.path.isdir(d)]


def is_text(path):
    try:
        with open(path, "rb") as f:
            head = f.read(8192)
    except OSError:
        return False
    return b"\0" not in head


def candidate_files():
    """Yields (source index, relative path, absolute path), sorted, deterministic."""
    for si, root in enumerate(sources()):
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                ext = name.rsplit(".", 1)[-1] if "." in name else ""
                if ext not in TEXT_EXT:
                    continue
                path = os.path.join(dirpath, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                size = os.path.getsize(path)
                if size == 0 or size > MAX_FILE:
                    continue
                if not is_text(path):
                    continue
                yield si, os.path.relpath(path, root), path


def take(limit_bytes):
    """Returns [(corpus relative path, absolute source path, size)] up to limit_bytes."""
    files = list(candidate_files())
    if not files:
        sys.exit("corpus.py: no source files found (set BENCH_SOURCES)")
    out, total, npass = [], 0, 1
    while total < limit_bytes:
        for si, rel, path in files:
            prefix = f"s{si}" if npass == 1 else f"pass{npass}/s{si}"
            size = os.path.getsize(path)
            out.append((f"{prefix}/{rel}", path, size))
            total += size
            if total >= limit_bytes:
                break
        npass += 1
    return out


# ---------------------------------------------------------------- planted keys

class Keys:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def pick(self, alphabet, n):
        while True:
            s = "".join(self.r.choice(alphabet) for _ in range(n))
            if any(c.isdigit() for c in s) and any(c.isalpha() for c in s):
                return s

    def alnum(self, n):
        return self.pick(string.ascii_letters + string.digits, n)

    def hexl(self, n):
        return self.pick("0123456789abcdef", n)

    def b64(self, n):
        return self.pick(string.ascii_letters + string.digits + "+/", n)

    def uuid(self):
        h = self.hexl(32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def plants(seed):
    """Files with planted keys: [(path, text, [(rule, line, value)])]."""
    k = Keys(seed)
    out = []

    bk, bs = k.alnum(64), k.alnum(64)
    out.append(("bots/alpha/config.py",
                "# Trading bot settings\nimport os\n\n"
                f'BINANCE_API_KEY = "{bk}"\n'
                f'BINANCE_API_SECRET = "{bs}"\n'
                "SYMBOL = \"BTC/USDT\"\n",
                [("binance-api-key", 4, bk), ("binance-api-secret", 5, bs)]))

    ok, osec = k.uuid(), k.pick("0123456789ABCDEF", 32)
    out.append(("bots/alpha/live.py",
                "import ccxt\n\n"
                f'okx = ccxt.okx({{"apiKey": "{ok}", "secret": "{osec}"}})\n'
                "print(okx.fetch_balance())\n",
                [("okx-api-key", 3, ok), ("okx-api-secret", 3, osec)]))

    fk, fs = k.alnum(64), k.alnum(64)
    tg = f"{k.r.randrange(10**9, 10**10)}:AA{k.pick(string.ascii_letters + string.digits + '_-', 33)}"
    out.append(("bots/beta/user_data/config.json",
                "{\n"
                '    "max_open_trades": 3,\n'
                '    "stake_currency": "USDT",\n'
                '    "exchange": {\n'
                '        "name": "binance",\n'
                f'        "key": "{fk}",\n'
                f'        "secret": "{fs}",\n'
                '        "pair_whitelist": ["BTC/USDT", "ETH/USDT"]\n'
                "    },\n"
                '    "telegram": {\n'
                '        "enabled": true,\n'
                f'        "token": "{tg}",\n'
                '        "chat_id": "123456789"\n'
                "    }\n"
                "}\n",
                [("binance-api-key", 6, fk), ("binance-api-secret", 7, fs),
                 ("telegram-bot-token", 12, tg)]))

    yk, ys, pk = k.alnum(18), k.alnum(36), "0x" + k.hexl(64)
    out.append(("bots/gamma/.env.production",
                "# production settings\n"
                f"BYBIT_API_KEY={yk}\n"
                f"BYBIT_API_SECRET={ys}\n"
                f"PRIVATE_KEY={pk}\n"
                "LOG_LEVEL=info\n",
                [("bybit-api-key", 2, yk), ("bybit-api-secret", 3, ys), ("evm-private-key", 4, pk)]))

    kk, ks = k.b64(56), k.b64(86) + "=="
    out.append(("bots/delta/kraken.yml",
                "kraken:\n"
                f"  api_key: {kk}\n"
                f"  api_secret: {ks}\n"
                "  pairs: [XBTUSD]\n",
                [("kraken-api-key", 2, kk), ("kraken-private-key", 3, ks)]))
    return out


# ---------------------------------------------------------------- tree mode

def build_tree(out_dir, mb):
    os.makedirs(out_dir, exist_ok=True)
    total = 0
    files = take(mb << 20)
    for rel, src, size in files:
        dst = os.path.join(out_dir, "src", rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(src, "rb") as f, open(dst, "wb") as g:
            g.write(f.read())
        total += size
    expected = []
    for path, text, keys in plants(SEED):
        dst = os.path.join(out_dir, path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "w") as g:
            g.write(text)
        total += len(text)
        for rule, line, value in keys:
            expected.append({"rule": rule, "path": path, "line": line, "value": value})
    with open(out_dir.rstrip("/") + ".planted.json", "w") as f:
        json.dump({"files": len(files) + len(plants(SEED)), "bytes": total, "planted": expected}, f, indent=1)
    print(f"tree corpus: {len(files)} source files + {len(plants(SEED))} planted, {total / 1e6:.1f} MB")


# ---------------------------------------------------------------- history mode

def build_history(out_dir, mb, commits):
    """A bare repository: `commits` commits on main, each adding a slice of the
    source files or editing one already there; planted keys are added by some
    commits and deleted (or replaced by placeholders) a few commits later; one
    key lives only on a side branch, one only behind a tag."""
    if os.path.exists(out_dir):
        sys.exit(f"corpus.py: {out_dir} exists")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", out_dir], check=True)
    files = take(mb << 20)
    r = random.Random(SEED + 1)
    pl = plants(SEED + 2)  # different values from the tree corpus
    # Which commit adds/removes each planted file.
    events = {}  # commit index -> list of actions
    n = commits
    schedule = [(int(n * 0.05), int(n * 0.05) + 3),   # added, deleted 3 commits later
                (int(n * 0.30), int(n * 0.30) + 1),
                (int(n * 0.55), int(n * 0.55) + 10),
                (int(n * 0.80), None),                 # side branch only
                (int(n * 0.90), None)]                 # tag only
    for i, ((path, text, keys), (add, rm)) in enumerate(zip(pl, schedule)):
        events.setdefault(add, []).append(("add", i))
        if rm is not None:
            events.setdefault(rm, []).append(("del", i))

    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=out_dir,
                            stdin=subprocess.PIPE)
    w = proc.stdin
    mark = [0]

    def blob(data):
        mark[0] += 1
        w.write(b"blob\nmark :%d\ndata %d\n" % (mark[0], len(data)))
        w.write(data)
        w.write(b"\n")
        return mark[0]

    def commit(ref, i, msg, ops, parent=None):
        mark[0] += 1
        m = mark[0]
        when = 1500000000 + i * 600
        who = f"Dev {i % 7} <dev{i % 7}@example.com> {when} +0000"
        msgb = msg.encode()
        w.write(f"commit {ref}\nmark :{m}\nauthor {who}\ncommitter {who}\n".encode())
        w.write(b"data %d\n%s\n" % (len(msgb), msgb))
        if parent is not None:
            w.write(b"from :%d\n" % parent)
        for op in ops:
            w.write(op)
        return m

    # Spread files over ~60% of the commits; the rest edit an existing file.
    per_add = max(1, -(-len(files) // max(1, int(n * 0.6))))
    fi = 0
    added = []
    largest = []
    edit_largest = int(os.environ.get("BENCH_EDIT_LARGEST", "0"))
    head = None
    expected = []
    blob_bytes = 0
    for i in range(n):
        ops = []
        if fi < len(files) and (i % 5 < 3 or n - i <= (len(files) - fi) // per_add + 1):
            for rel, src, size in files[fi:fi + per_add]:
                with open(src, "rb") as f:
                    data = f.read()
                b = blob(data)
                blob_bytes += len(data)
                ops.append(b"M 100644 :%d %s\n" % (b, rel.encode()))
                added.append((rel, src))
                if edit_largest:
                    largest.append((rel, src))
                    largest.sort(key=lambda e: -os.path.getsize(e[1]))
                    del largest[edit_largest:]
            fi += per_add
            msg = f"add {rel}"
        elif added:
            # BENCH_EDIT_LARGEST=N: edits go to the N largest files added so far,
            # like a real bot repository whose big files (strategies, notebooks,
            # data) change again and again: much blob content, small packs.
            pool = largest[:edit_largest] if edit_largest else added
            rel, src = pool[r.randrange(len(pool))]
            with open(src, "rb") as f:
                data = f.read()
            data += b"\n// edit %d\n" % i
            b = blob(data)
            blob_bytes += len(data)
            ops.append(b"M 100644 :%d %s\n" % (b, rel.encode()))
            msg = f"edit {rel}"
        else:
            msg = "empty"
        side = None
        for action, pi in events.get(i, []):
            path, text, keys = pl[pi]
            if action == "add":
                data = text.encode()
                b = blob(data)
                blob_bytes += len(data)
                op = b"M 100644 :%d %s\n" % (b, path.encode())
                if schedule[pi][1] is None:
                    side = (pi, op)
                else:
                    ops.append(op)
                    msg = f"configure {path}"
                    for rule, line, value in keys:
                        expected.append({"rule": rule, "path": path, "line": line, "value": value,
                                         "where": "main, deleted later"})
            else:
                ops.append(b"D %s\n" % path.encode())
                msg = f"remove {path}"
        head = commit("refs/heads/main", i, msg, ops, head)
        if side is not None:
            pi, op = side
            path, text, keys = pl[pi]
            if pi == 3:
                commit("refs/heads/old-bot", i, f"wip {path}", [op], head)
                where = "branch old-bot only"
            else:
                t = commit("refs/heads/release-tmp", i, f"release {path}", [op], head)
                w.write(b"tag v0.9-keys\nfrom :%d\ntagger Dev 0 <dev0@example.com> %d +0000\ndata 4\nv0.9\n"
                        % (t, 1500000000 + i * 600))
                where = "tag v0.9-keys only"
            for rule, line, value in keys:
                expected.append({"rule": rule, "path": path, "line": line, "value": value, "where": where})
    w.write(b"done\n")
    w.close()
    if proc.wait() != 0:
        sys.exit("corpus.py: git fast-import failed")
    subprocess.run(["git", "update-ref", "-d", "refs/heads/release-tmp"], cwd=out_dir,
                   stderr=subprocess.DEVNULL)
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=out_dir, check=True)
    with open(out_dir.rstrip("/") + ".planted.json", "w") as f:
        json.dump({"commits": n, "files": len(files), "blob_bytes": blob_bytes, "planted": expected}, f, indent=1)
    print(f"history corpus: {n} commits, {len(files)} files, {blob_bytes / 1e6:.1f} MB of blobs written "
          "(before deduplication)")


def plant(out_dir):
    """Writes one planted file (fresh values) into out_dir, for the staged check."""
    path, text, keys = plants(SEED + 3)[0]
    dst = os.path.join(out_dir, path)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "w") as g:
        g.write(text)
    expected = [{"rule": r, "path": path, "line": l, "value": v} for r, l, v in keys]
    with open(out_dir.rstrip("/") + ".planted.json", "w") as f:
        json.dump({"planted": expected}, f, indent=1)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "plant":
        plant(sys.argv[2])
    elif len(sys.argv) >= 2 and sys.argv[1] == "sources":
        print("\n".join(sources()))
    elif len(sys.argv) == 4 and sys.argv[1] == "tree":
        build_tree(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] == "history":
        build_history(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
