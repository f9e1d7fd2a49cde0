#!/usr/bin/env python3
"""The console with a million cases: server time per page, page weights, search latency.

    scripts/scale.py [CASES]        (default 1000000; TIERDESK_BIN picks the binary,
                                     default target/release/tierdesk)

Starts `serve --demo` on a scratch SQLite database, opens 2,000 cases through the AWS
endpoint (so every row is written by Tierdesk itself), stops it, and copies those cases
in SQL until CASES are stored: spread over two years, 98% of the older ones resolved,
each copy with its own words (a 5,000-word vocabulary plus an error code of its own) in
its subject, its messages and the search index. Then it starts the server again on that
database and times, from this machine's loopback, what each console page costs as its
people use it, and staff's search for a case number, a rare word, two words and a common
word. Before measuring, it waits for the SLA rollup worker to fold every day it covers (and says
how long that took). Prints one line per measurement; BENCHMARKS.md has the figures.
"""

import gzip
import json
import http.cookiejar
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = os.environ.get("TIERDESK_BIN", str(ROOT / "target/release/tierdesk"))
LOADGEN = str(Path(BIN).with_name("tierdesk-loadgen"))
CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
TEMPLATES = 2_000
DAY_US = 86_400 * 1_000_000
EXTRA = os.environ.get("SCALE_SERVE_ARGS", "").split()


def start(db, port):
    env = dict(os.environ, TIERDESK_DATABASE=f"sqlite://{db}")
    out = open(Path(db).with_suffix(".log"), "w")
    p = subprocess.Popen([BIN, "serve", "--demo", "--listen", f"127.0.0.1:{port}", "--log", "warn"] + EXTRA,
                         env=env, stdout=out, stderr=subprocess.STDOUT, cwd=Path(db).parent)
    log = Path(db).with_suffix(".log")
    for _ in range(300):
        if "admin " in log.read_text():
            break
        time.sleep(0.1)
    return p, log.read_text()


def seed(db):
    words = [f"w{n:04d}" for n in range(5000)]
    rng = random.Random(12)
    c = sqlite3.connect(db)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=OFF")
    cols = [r[1] for r in c.execute("PRAGMA table_info(cases)") if r[1] not in ("display_id", "is_open")]
    tcols = [r[1] for r in c.execute("PRAGMA table_info(case_targets)")]
    mcols = [r[1] for r in c.execute("PRAGMA table_info(communications)") if r[1] != "id"]
    templates = c.execute("SELECT display_id, " + ", ".join(cols) + " FROM cases ORDER BY display_id").fetchall()
    targets = {}
    for r in c.execute("SELECT " + ", ".join(tcols) + " FROM case_targets"):
        targets.setdefault(r[0], []).append(r)
    messages = {}
    for r in c.execute("SELECT " + ", ".join(mcols) + " FROM communications"):
        messages.setdefault(r[0], []).append(r)
    now_us = max(t[cols.index("created_us") + 1] for t in templates)
    copies = CASES // len(templates)
    span_us = 730 * DAY_US
    next_display = c.execute("SELECT MAX(display_id) FROM cases").fetchone()[0] + 1
    next_message = c.execute("SELECT MAX(id) FROM communications").fetchone()[0] + 1
    ci = {name: i + 1 for i, name in enumerate(cols)}
    started = time.time()
    # Oldest copies first, so that cases and messages are numbered in the order they were
    # opened, as Tierdesk numbers them; the templates become the oldest of all below.
    for done_copies, k in enumerate(range(copies - 1, 0, -1), start=1):
        shift = span_us * k // copies
        case_rows, target_rows, message_rows, docs = [], [], [], []
        for t in templates:
            row = list(t[1:])
            display = next_display
            next_display += 1
            created = t[ci["created_us"]] - shift
            subject = " ".join(rng.choice(words) for _ in range(5))
            row[ci["case_id"] - 1] = f"case-{t[ci['account_id']]}-seed-2026-{display:016x}"
            row[ci["subject"] - 1] = subject
            row[ci["created_us"] - 1] = created
            row[ci["updated_us"] - 1] = created
            # Older cases are nearly all resolved, a few hours after they were opened.
            resolved = k > 3 and rng.random() < 0.98
            if resolved:
                done = created + rng.randint(1, 72) * 3_600_000_000
                row[ci["status"] - 1] = "resolved"
                row[ci["resolved_us"] - 1] = done
                row[ci["updated_us"] - 1] = done
                for name in ("sla_due_us", "queue_us"):
                    row[ci[name] - 1] = 2**63 - 1
                for name in ("sla_target", "awaiting_since_us"):
                    row[ci[name] - 1] = None
            case_rows.append([display] + row)
            for tr in targets.get(t[0], []):
                tr = list(tr)
                tr[0] = display
                for j, name in enumerate(tcols):
                    if name.endswith("_us") and tr[j] is not None:
                        tr[j] -= shift
                if resolved and tr[tcols.index("met_us")] is None:
                    tr[tcols.index("stopped_us")] = done
                    tr[tcols.index("next_event_us")] = None
                target_rows.append(tr)
            code = f"e{rng.randrange(10**6):06d}"
            for n, m in enumerate(messages.get(t[0], [])):
                m = list(m)
                m[0] = display
                m[mcols.index("created_us")] = m[mcols.index("created_us")] - shift
                body = " ".join(rng.choice(words) for _ in range(25)) + f" {code}"
                m[mcols.index("body")] = body
                message_rows.append([next_message] + m)
                text = (subject + " " + body) if n == 0 else body
                docs.append((next_message, text))
                next_message += 1
        c.executemany(f"INSERT INTO cases (display_id, {', '.join(cols)}) VALUES ({', '.join('?' * (len(cols) + 1))})", case_rows)
        c.executemany(f"INSERT INTO case_targets ({', '.join(tcols)}) VALUES ({', '.join('?' * len(tcols))})", target_rows)
        c.executemany(f"INSERT INTO communications (id, {', '.join(mcols)}) VALUES ({', '.join('?' * (len(mcols) + 1))})", message_rows)
        c.executemany("INSERT INTO case_text (rowid, terms) VALUES (?, ?)", docs)
        if done_copies % 50 == 0:
            c.commit()
            print(f"# seeded {done_copies * len(templates):,} cases in {time.time() - started:.0f} s", flush=True)
    # The templates, numbered first, are made the oldest cases.
    ids = [t[0] for t in templates]
    marks = ",".join("?" * len(ids))
    for table, key, columns in [
        ("cases", "display_id", ["created_us", "updated_us"]),
        ("communications", "case_display_id", ["created_us"]),
        ("case_targets", "case_display_id", [n for n in tcols if n.endswith("_us")]),
    ]:
        sets = ", ".join(f"{col} = {col} - {span_us}" for col in columns)
        c.execute(f"UPDATE {table} SET {sets} WHERE {key} IN ({marks})", ids)
    for name in ("resolved_us", "responded_us", "awaiting_since_us", "sla_due_us", "queue_us"):
        # (A deadline of i64::MAX means none: it stays.)
        c.execute(f"UPDATE cases SET {name} = {name} - {span_us} WHERE display_id IN ({marks}) "
                  f"AND {name} IS NOT NULL AND {name} < {2**62}", ids)
    # Cases written in SQL with past opening times: the SLA rollup covers their days again
    # (as after any import), and the worker folds them after the next start.
    c.execute("UPDATE sla_rollup_state SET covered_before = 0")
    c.commit()
    c.execute("ANALYZE")
    c.commit()
    c.close()


class Visitor:
    def __init__(self, url, email, password):
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.op.open(url + "/console/sign-in").read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrf": csrf, "email": email, "password": password}).encode()
        self.op.open(url + "/console/sign-in", data)

    def get(self, path):
        t = time.perf_counter()
        with self.op.open(self.url + path) as r:
            body = r.read()
        return (time.perf_counter() - t) * 1000, body


def times(v, path, n):
    v.get(path)  # warm
    ms, body = [], b""
    for _ in range(n):
        t, body = v.get(path)
        ms.append(t)
    ms.sort()
    return ms, body


def pct(ms, p):
    return ms[min(len(ms) - 1, int(len(ms) * p / 100))]


def main():
    # SCALE_DB=path keeps the seeded database there, and measures it again without seeding
    # when it exists (to compare two binaries on the same data).
    keep = os.environ.get("SCALE_DB")
    db = Path(keep) if keep else Path(tempfile.mkdtemp()) / "scale.db"
    port = 20000 + random.randrange(20000)
    if not db.exists():
        seed_new(db, port)
    measure(db, port)


def seed_new(db, port):
    db.parent.mkdir(parents=True, exist_ok=True)
    server, log = start(db, port)
    keys = dict(re.findall(r"(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)=(\S+)", log))
    base = [LOADGEN, "--endpoint", f"http://127.0.0.1:{port}", "--access-key", keys["AWS_ACCESS_KEY_ID"],
            "--secret-key", keys["AWS_SECRET_ACCESS_KEY"]]
    subprocess.run(base + ["--scenario", "create-case", "--requests", str(TEMPLATES), "--concurrency", "16"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(base + ["--scenario", "add-communication", "--requests", str(TEMPLATES), "--concurrency", "16"],
                   check=True, stdout=subprocess.DEVNULL)
    server.terminate()
    server.wait()
    seed(str(db))


def catch_up(db):
    """Waits for the rollup worker to fold every day it covers, and says how long it took.
    Until then a report reads the unfolded days from the cases: right, but slower."""
    started = time.time()
    c = sqlite3.connect(db)
    while True:
        now_us = int(time.time() * 1_000_000)
        covered = c.execute("SELECT covered_before FROM sla_rollup_state").fetchone()[0]
        stale = c.execute("SELECT COUNT(*) FROM sla_rollup_stale WHERE from_us <= ?", (now_us,)).fetchone()[0]
        if covered >= now_us // DAY_US - 1 and stale == 0:
            break
        time.sleep(0.5)
    days = c.execute("SELECT COUNT(DISTINCT day) FROM sla_rollup").fetchone()[0]
    print(f"# rollup: {days} days folded in {time.time() - started:.1f} s after start", flush=True)


def measure(db, port):
    total = sqlite3.connect(db).execute("SELECT COUNT(*) FROM cases").fetchone()[0]
    words = [f"w{n:04d}" for n in range(5000)]
    print(f"# {total:,} cases stored ({db.stat().st_size / 2**20:,.0f} MB)", flush=True)
    server, log = start(db, port)
    try:
        catch_up(db)
        found = re.findall(r"^\s+(customer|tam|admin)\s+(\S+)\s+password (\S+)", log, re.M)
        people = {role: (email, password) for role, email, password in found}
        url = f"http://127.0.0.1:{port}"
        admin = Visitor(url, *people["admin"])
        customer = Visitor(url, *people["customer"])
        newest = sqlite3.connect(db).execute("SELECT case_id, display_id FROM cases ORDER BY display_id LIMIT 1").fetchone()
        print(f"{'page':44} {'p50 ms':>8} {'p99 ms':>8} {'bytes':>8} {'gzipped':>8}")
        for who, path, n in [
            (admin, "/console/queue", 50),
            (admin, f"/console/queue/{newest[0]}", 50),
            (admin, "/console/sla", 10),
            (admin, "/console/sla?weeks=52", 5),
            (admin, "/console/accounts/111122223333", 50),
            (admin, "/console/activity", 50),
            (customer, "/console/cases", 50),
            (customer, "/console", 50),
        ]:
            ms, body = times(who, path, n)
            print(f"{path[:44]:44} {pct(ms, 50):8.1f} {pct(ms, 99):8.1f} {len(body):8d} {len(gzip.compress(body, 9)):8d}",
                  flush=True)
        rng = random.Random(7)
        for label, make in [
            ("search: a case number", lambda: str(newest[1] + rng.randrange(total))),
            ("search: an error code (one case)", lambda: f"e{rng.randrange(10**6):06d}"),
            ("search: two words", lambda: f"{rng.choice(words)} {rng.choice(words)}"),
            ("search: one common word", lambda: rng.choice(words)),
        ]:
            ms = []
            for _ in range(200):
                t, _ = admin.get("/console/search?" + urllib.parse.urlencode({"q": make()}))
                ms.append(t)
            ms.sort()
            print(f"{label:44} {pct(ms, 50):8.1f} {pct(ms, 99):8.1f}", flush=True)
        # The AWS API on the same data: pages of 100 followed through nextToken, and cases
        # by id; then the server's resident memory, which the cases stored must not set.
        keys = dict(re.findall(r"(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY)=(\S+)", log))
        base = [LOADGEN, "--endpoint", url, "--access-key", keys["AWS_ACCESS_KEY_ID"],
                "--secret-key", keys["AWS_SECRET_ACCESS_KEY"], "--json", "--requests", "100000000"]
        for label, scenario, concurrency in [("DescribeCases, page of 100", "describe-page", 2),
                                             ("DescribeCases by id", "describe-by-id", 64),
                                             ("CreateCase", "create-case", 16)]:
            out = subprocess.run(base + ["--scenario", scenario, "--concurrency", str(concurrency), "--duration", "10"],
                                 check=True, capture_output=True, text=True).stdout
            r = json.loads(out)
            print(f"{label + f', {concurrency} in flight':44} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} "
                  f"{r['per_second']:8.0f}/s", flush=True)
        rss = int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{server.pid}/status").read_text()).group(1))
        print(f"# server resident memory after these runs: {rss / 1024:,.0f} MB", flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
