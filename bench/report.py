#!/usr/bin/env python3
"""Reads one bench/run.sh result file and prints median, ratio and target lines.

    python3 bench/report.py bench/results/latest.txt

run.sh runs claudomator and each peer alternately (A B A B …, `round=1..PAIRS` on every line).
For every workload this prints the median of each side over its rounds with the spread
(min, max), the ratio of the medians, and the range of the per-round ratios (A and B of the
same round ran back to back, so that range shows how much the machine moved meanwhile).
Lines without `round=` (older files) count as one round each.

Ratios are claudomator over peer. For throughput (jobs/s) above 1 is better; for latency and
memory, below 1 is better. Every output line is `word key=value …`, like the input.
"""
import statistics
import sys


def parse(path):
    rows = []
    with open(path) as f:
        for line in f:
            words = line.split()
            if not words or words[0] in ("median", "ratio", "target"):
                continue  # our own output, when a file is reported twice
            if "=" not in words[0] and words[0] not in ("profile", "machine"):
                continue
            d = {"_kind": words[0]} if "=" not in words[0] else {}
            for w in words:
                if "=" in w:
                    k, v = w.split("=", 1)
                    d.setdefault(k, v)
            rows.append(d)
    return rows


def num(d, k):
    try:
        return float(d[k]) if d and k in d else None
    except ValueError:
        return None


class Side:
    """Every line of one side of a comparison (one peer, workload, variant), in file order."""

    def __init__(self, rows, pg=None, **kv):
        self.kv = kv
        self.rows = [
            d
            for d in rows
            if all(d.get(k) == v for k, v in kv.items())
            and (pg is None or d.get("pg_insert", "0") == pg)
        ]

    def __bool__(self):
        return bool(self.rows)

    def values(self, key):
        return [v for v in (num(d, key) for d in self.rows) if v is not None]

    def by_round(self, key):
        out = {}
        for i, d in enumerate(self.rows):
            v = num(d, key)
            if v is not None:
                out.setdefault(d.get("round", f"line{i}"), v)
        return out

    def median(self, key):
        v = self.values(key)
        return statistics.median(v) if v else None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def f(x, nd=3):
    return "nan" if x is None else f"{x:.{nd}f}"


def main():
    rows = parse(sys.argv[1])
    c = lambda **kv: Side(rows, peer="claudomator", **kv)  # noqa: E731
    cw1b = c(workload="W1", variant="batch")
    cw1s = c(workload="W1", variant="single")
    cw2 = c(workload="W2", agents="noop")
    cw2m = c(workload="W2", agents="exec,noop")
    cmem = c(workload="MEM")
    crss = c(workload="RSS")
    ckill = c(workload="RECOVERY_KILL")
    cflush = c(workload="RECOVERY_FLUSH")
    chist = c(workload="W1_HISTORY")
    bw1b = Side(rows, pg="0", peer="bullmq", workload="W1", variant="addBulk")
    bw1a = Side(rows, pg="0", peer="bullmq", workload="W1", variant="add")
    bw2 = Side(rows, pg="0", peer="bullmq", workload="W2")
    bpw1 = Side(rows, pg="1", peer="bullmq", workload="W1", variant="addBulk")
    bpw2 = Side(rows, pg="1", peer="bullmq", workload="W2")
    bmem = Side(rows, peer="bullmq", workload="MEM")
    aw1 = Side(rows, peer="apalis", workload="W1", variant="push_bulk")
    aw2 = Side(rows, peer="apalis", workload="W2")
    arq = Side(rows, peer="arq", workload="W1")

    out = []

    def median_line(name, side, keys):
        if not side:
            return
        parts = [f"median side={name} runs={len(side.rows)}"]
        for k in keys:
            v = side.values(k)
            if v:
                parts.append(f"{k}={f(statistics.median(v))} {k}_min={f(min(v))} {k}_max={f(max(v))}")
        out.append(" ".join(parts))

    w1 = ["jobs_per_s"]
    w2 = ["start_p50_ms", "start_p99_ms", "p50_ms", "p99_ms"]
    for name, side, keys in (
        ("claudomator_w1_batch", cw1b, w1),
        ("claudomator_w1_single", cw1s, w1),
        ("bullmq_w1_addBulk", bw1b, w1),
        ("bullmq_w1_add", bw1a, w1),
        ("bullmq_pg_w1_addBulk", bpw1, w1),
        ("apalis_w1_push_bulk", aw1, w1),
        ("arq_w1", arq, w1),
        ("claudomator_w2", cw2, w2),
        ("claudomator_w2_mixed", cw2m, ["start_p50_ms", "start_p99_ms"]),
        ("bullmq_w2", bw2, w2),
        ("bullmq_pg_w2", bpw2, w2),
        ("apalis_w2", aw2, w2),
        ("claudomator_w1_history", chist, ["jobs_per_s", "ratio_to_empty", "bytes_per_task"]),
    ):
        median_line(name, side, keys)
    # CPU seconds of each process during the claudomator runs (the driver's profile lines).
    cpu = ["wall_s", "postgres_backends_cpu_s", "worker_cpu_s", "api_cpu_s", "redis_cpu_s"]
    for name, side in (
        ("profile_w1_batch", Side(rows, _kind="profile", workload="W1", variant="batch")),
        ("profile_w1_single", Side(rows, _kind="profile", workload="W1", variant="single")),
        ("profile_w2", Side(rows, _kind="profile", workload="W2", agents="noop")),
    ):
        median_line(name, side, cpu)

    def ratio_of_medians(a, b, key):
        """The ratio of the medians, and the min/max of the ratios of the same rounds."""
        r = ratio(a.median(key), b.median(key))
        ra, rb = a.by_round(key), b.by_round(key)
        per = [ratio(ra[k], rb[k]) for k in ra if k in rb]
        per = [x for x in per if x is not None]
        pairs = f"pairs={len(per)}"
        if per:
            pairs += f" pair_min={f(min(per))} pair_max={f(max(per))}"
        return r, pairs

    def ratio_line(prefix, name, a, b, key):
        r, pairs = ratio_of_medians(a, b, key)
        out.append(f"ratio {prefix} {name}={f(r)} {pairs}")
        return r

    ratio_line("workload=W1", "claudomator_over_bullmq_addBulk", cw1b, bw1b, "jobs_per_s")
    ratio_line("workload=W1", "claudomator_single_over_bullmq_add", cw1s, bw1a, "jobs_per_s")
    ratio_line("workload=W1", "claudomator_over_bullmq_pg_addBulk", cw1b, bpw1, "jobs_per_s")
    ratio_line("workload=W1", "claudomator_over_apalis_push_bulk", cw1b, aw1, "jobs_per_s")
    if arq:
        ratio_line("workload=W1", "claudomator_single_over_arq", cw1s, arq, "jobs_per_s")
    for key in w2:
        for peer, side in (("bullmq", bw2), ("bullmq_pg", bpw2), ("apalis", aw2)):
            ratio_line(f"workload=W2 metric={key}", f"claudomator_over_{peer}", cw2, side, key)
    if cw2m:
        ratio_line("workload=W2 agents=exec,noop metric=start_p99_ms", "claudomator_over_bullmq",
                   cw2m, bw2, "start_p99_ms")
    ratio_line("workload=MEM", "claudomator_over_bullmq_bytes_per_task", cmem, bmem, "bytes_per_task")

    def target(name, value, goal, ok):
        met = "n/a" if ok is None else ("yes" if ok else "no")
        out.append(f"target name={name} value={value} goal={goal} met={met}")

    j = "jobs_per_s"
    r = ratio(cw1b.median(j), bw1b.median(j))
    target("w1_jobs_per_s_vs_bullmq_addBulk", f(r), ">=1.0", None if r is None else r >= 1.0)
    r = ratio(cw1s.median(j), bw1a.median(j))
    target("w1_single_jobs_per_s_vs_bullmq_add", f(r), ">=0.6", None if r is None else r >= 0.6)
    for key, goal in (("start_p99_ms", 1.0), ("start_p50_ms", 2.0)):
        cs, bs = cw2.median(key), bw2.median(key)
        target(f"w2_{key.removesuffix('_ms')}_vs_bullmq", f"{f(cs)}ms/{f(bs)}ms", f"<={goal}x",
               None if cs is None or bs is None else cs <= goal * bs)
    r = ratio(cmem.median("bytes_per_task"), bmem.median("bytes_per_task"))
    target("redis_bytes_per_task_vs_bullmq", f(r), "<=0.5", None if r is None else r <= 0.5)
    for who in ("api", "worker"):
        v = crss.median(f"{who}_rss_mb")
        target(f"{who}_idle_rss_mb", f(v, 1), "<=30", None if v is None else v <= 30)
    v, t = ckill.median("kill_to_running_s"), ckill.median("target_s")
    target("kill9_to_running_elsewhere_s", f(v), f"<={f(t, 1)}", None if v is None or t is None else v <= t)
    v = cflush.median("flush_to_redispatched_s")
    target("flushall_to_redispatched_s", f(v), "<=5", None if v is None else v <= 5)
    if chist:
        v = chist.median("ratio_to_empty")
        target("w1_on_history_vs_empty", f(v), ">=0.9", None if v is None else v >= 0.9)
    print("\n".join(out))


if __name__ == "__main__":
    main()
