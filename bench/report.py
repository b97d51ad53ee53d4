#!/usr/bin/env python3
"""Reads one bench/run.sh result file and prints ratio lines and target lines.

    python3 bench/report.py bench/results/latest.txt

Ratios are claudomator over peer, from the same run. For throughput (jobs/s) above 1 is better;
for latency and memory, below 1 is better.
"""
import sys


def parse(path):
    rows = []
    with open(path) as f:
        for line in f:
            words = line.split()
            if not words or "=" not in words[0] and words[0] not in ("profile", "machine"):
                continue
            d = {}
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


def find(rows, **kv):
    for d in rows:
        if all(d.get(k) == v for k, v in kv.items()):
            return d
    return None


def pg_free(rows, **kv):
    """A peer line without the Postgres insert (pg_insert=0)."""
    for d in rows:
        if all(d.get(k) == v for k, v in kv.items()) and d.get("pg_insert", "0") == "0":
            return d
    return None


def pg_with(rows, **kv):
    for d in rows:
        if all(d.get(k) == v for k, v in kv.items()) and d.get("pg_insert") == "1":
            return d
    return None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def f(x, nd=3):
    return "nan" if x is None else f"{x:.{nd}f}"


def main():
    rows = parse(sys.argv[1])
    c = lambda **kv: find(rows, peer="claudomator", **kv)  # noqa: E731
    cw1b = c(workload="W1", variant="batch")
    cw1s = c(workload="W1", variant="single")
    cw2 = c(workload="W2", agents="noop")
    cw2m = c(workload="W2", agents="exec,noop")
    cmem = c(workload="MEM")
    crss = c(workload="RSS")
    ckill = c(workload="RECOVERY_KILL")
    cflush = c(workload="RECOVERY_FLUSH")
    bw1b = pg_free(rows, peer="bullmq", workload="W1", variant="addBulk")
    bw1a = pg_free(rows, peer="bullmq", workload="W1", variant="add")
    bw2 = pg_free(rows, peer="bullmq", workload="W2")
    bpw1 = pg_with(rows, peer="bullmq", workload="W1", variant="addBulk")
    bpw2 = pg_with(rows, peer="bullmq", workload="W2")
    bmem = find(rows, peer="bullmq", workload="MEM")
    aw1 = find(rows, peer="apalis", workload="W1", variant="push_bulk")
    aw2 = find(rows, peer="apalis", workload="W2")
    arq = find(rows, peer="arq", workload="W1")

    out = []
    j = lambda d: num(d, "jobs_per_s")  # noqa: E731
    out.append(f"ratio workload=W1 claudomator_over_bullmq_addBulk={f(ratio(j(cw1b), j(bw1b)))}")
    out.append(f"ratio workload=W1 claudomator_single_over_bullmq_add={f(ratio(j(cw1s), j(bw1a)))}")
    out.append(f"ratio workload=W1 claudomator_over_bullmq_pg_addBulk={f(ratio(j(cw1b), j(bpw1)))}")
    out.append(f"ratio workload=W1 claudomator_over_apalis_push_bulk={f(ratio(j(cw1b), j(aw1)))}")
    if arq:
        out.append(f"ratio workload=W1 claudomator_single_over_arq={f(ratio(j(cw1s), j(arq)))}")
    for key in ("start_p50_ms", "start_p99_ms", "p50_ms", "p99_ms"):
        out.append(
            f"ratio workload=W2 {key} claudomator_over_bullmq={f(ratio(num(cw2, key), num(bw2, key)))} "
            f"claudomator_over_bullmq_pg={f(ratio(num(cw2, key), num(bpw2, key)))} "
            f"claudomator_over_apalis={f(ratio(num(cw2, key), num(aw2, key)))}"
        )
    if cw2m:
        out.append(
            f"ratio workload=W2 agents=exec,noop start_p99_ms claudomator_over_bullmq="
            f"{f(ratio(num(cw2m, 'start_p99_ms'), num(bw2, 'start_p99_ms')))}"
        )
    out.append(
        f"ratio workload=MEM claudomator_over_bullmq_bytes_per_task="
        f"{f(ratio(num(cmem, 'bytes_per_task'), num(bmem, 'bytes_per_task')))}"
    )

    def target(name, value, goal, ok):
        met = "n/a" if ok is None else ("yes" if ok else "no")
        out.append(f"target name={name} value={value} goal={goal} met={met}")

    r = ratio(j(cw1b), j(bw1b))
    target("w1_jobs_per_s_vs_bullmq_addBulk", f(r), ">=1.0", None if r is None else r >= 1.0)
    cs, bs = num(cw2, "start_p99_ms"), num(bw2, "start_p99_ms")
    target("w2_start_p99_vs_bullmq", f"{f(cs)}ms/{f(bs)}ms", "<=1.0x",
           None if cs is None or bs is None else cs <= bs)
    r = ratio(num(cmem, "bytes_per_task"), num(bmem, "bytes_per_task"))
    target("redis_bytes_per_task_vs_bullmq", f(r), "<=0.5", None if r is None else r <= 0.5)
    for who in ("api", "worker"):
        v = num(crss, f"{who}_rss_mb")
        target(f"{who}_idle_rss_mb", f(v, 1), "<=30", None if v is None else v <= 30)
    v, t = num(ckill, "kill_to_running_s"), num(ckill, "target_s")
    target("kill9_to_running_elsewhere_s", f(v), f"<={f(t, 1)}", None if v is None or t is None else v <= t)
    v = num(cflush, "flush_to_redispatched_s")
    target("flushall_to_redispatched_s", f(v), "<=5", None if v is None else v <= 5)
    print("\n".join(out))


if __name__ == "__main__":
    main()
