#!/usr/bin/env python3
"""Aggregates Postgres statement durations logged with log_min_duration_statement = 0.

    python3 bench/sqlprofile.py LOGFILE OFFSET [DATABASE]

Reads the server log from byte OFFSET, keeps `duration:` lines of DATABASE (cm_bench), groups
them by statement shape (the text with numbers and literals blanked, first 110 characters) and
prints total ms, calls and mean ms per shape, largest total first. bench/run.sh uses it with
PROFILE=1 for the W1 batch run. Durations are wall time inside the server (CPU + waits).
"""
import re
import sys
from collections import defaultdict

path, offset = sys.argv[1], int(sys.argv[2])
db = sys.argv[3] if len(sys.argv) > 3 else "cm_bench"
pat = re.compile(r"@" + re.escape(db) + r" LOG:  duration: ([0-9.]+) ms  (?:execute [^:]*|statement|parse [^:]*|bind [^:]*): (.*)")
tot = defaultdict(float)
cnt = defaultdict(int)
with open(path, "rb") as f:
    f.seek(offset)
    for raw in f:
        line = raw.decode("utf-8", "replace")
        m = pat.search(line)
        if not m:
            continue
        sql = re.sub(r"\s+", " ", m.group(2)).strip()
        sql = re.sub(r"'[^']*'", "?", sql)
        sql = re.sub(r"\b\d+\b", "N", sql)
        key = sql[:110]
        tot[key] += float(m.group(1))
        cnt[key] += 1
all_ms = sum(tot.values())
print(f"sqlprofile total_ms={all_ms:.0f} statements={sum(cnt.values())}")
for k in sorted(tot, key=tot.get, reverse=True)[:15]:
    print(f"sqlprofile total_ms={tot[k]:.0f} share={tot[k] / max(all_ms, 1e-9):.2f} calls={cnt[k]} mean_ms={tot[k] / cnt[k]:.3f} sql=\"{k}\"")
