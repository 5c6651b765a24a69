#!/usr/bin/env python3
"""Turns the raw results of bench/run.sh into bench/results/latest.md and latest.json."""

import argparse
import datetime
import json
import os
import platform
import subprocess


def read_jsonl(path):
    if not path or not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def machine():
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory_gib = None
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            memory_gib = round(kib / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        revision = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                                  capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain"],
                               capture_output=True, text=True, check=True).stdout.strip()
        if dirty:
            revision += "+dirty"
    except (OSError, subprocess.CalledProcessError):
        revision = "unknown"
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory_gib,
            "kernel": platform.release(), "revision": revision}


def rate(value):
    if value is None:
        return "-"
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1e3:
        return f"{value / 1e3:.0f}K"
    return f"{value:.0f}"


def seconds(value):
    return "-" if value is None else f"{value:.2f}"


def verdict(run):
    """pass / miss against the issue's targets, or why there is no verdict."""
    if run["status"] == "unsupported":
        return "not yet supported (" + (run.get("note") or "needs operators not built yet") + ")"
    if run["status"] == "failed":
        return "FAILED: " + run["note"]
    if run["status"] == "mismatch":
        return "WRONG RESULT"
    checks = []
    if run["mode"] == "native":
        checks.append(run["events_per_cpu_s"] >= run["target_events_per_cpu_s"])
    else:
        if run.get("limit"):
            checks.append(run["limit"]["fraction"] >= 0.60)
        if run.get("peer_ratio") is not None:
            checks.append(run["peer_ratio"] >= 1.0)
    return "pass" if checks and all(checks) else "miss"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nexmark")
    parser.add_argument("--peer")
    parser.add_argument("--peer-note", default="")
    parser.add_argument("--micro")
    parser.add_argument("--out-md", required=True)
    parser.add_argument("--out-json", required=True)
    parser.add_argument("--elapsed", type=int, default=0)
    parser.add_argument("--latency")
    parser.add_argument("--view-reads")
    parser.add_argument("--kafka")
    args = parser.parse_args()

    runs = read_jsonl(args.nexmark)
    peer = {p["query"]: p for p in read_jsonl(args.peer)}
    for run in runs:
        p = peer.get(run["query"])
        if run["mode"] == "json-log" and p and p["events_per_cpu_s"] > 0 and \
                run["status"] in ("ok", "mismatch"):
            run["peer_events_per_cpu_s"] = p["events_per_cpu_s"]
            run["peer_ratio"] = run["events_per_cpu_s"] / p["events_per_cpu_s"]
            run["peer_records_out_match"] = p["records_out"] == run["records_out"]
        run["verdict"] = verdict(run)

    micro = []
    if args.micro and os.path.exists(args.micro):
        with open(args.micro) as f:
            for b in json.load(f).get("benchmarks", []):
                micro.append({"name": b["name"], "real_time": b.get("real_time"),
                              "cpu_time": b.get("cpu_time"), "time_unit": b.get("time_unit"),
                              "items_per_second": b.get("items_per_second"),
                              "bytes_per_second": b.get("bytes_per_second")})

    latency = read_jsonl(args.latency)
    view_reads = read_jsonl(args.view_reads)
    kafka = read_jsonl(args.kafka)

    info = machine()
    repeats = max([len(r.get("cpu_s_of_repeats", [])) for r in runs] + [1])
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    report = {"generated_at": now, "machine": info, "elapsed_s": args.elapsed,
              "nexmark": runs, "peer": list(peer.values()), "peer_note": args.peer_note,
              "micro": micro, "latency": latency, "view_reads": view_reads, "kafka": kafka}
    with open(args.out_json, "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")

    md = ["# Sluice benchmark results", "",
          f"{now} on {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, "
          f"Linux {info['kernel']}; revision {info['revision']}; `make bench` took "
          f"{args.elapsed} s.", "",
          "Events per CPU-second = source records read / (user + sys CPU seconds of the worker "
          f"process, from wait4), median of {repeats} run(s) per query. Peak RSS is the worker's own "
          "VmHWM, which it reports to the runner (not wait4's ru_maxrss: Linux carries the forking "
          "runner's RSS through exec into it). Results are verified inside the bench: row counts (and, in "
          "json-log mode, a checksum of the output rows) match a reference computed without "
          "the engine.", ""]

    native = [r for r in runs if r["mode"] == "native"]
    if native:
        md += ["## Nexmark, native (datagen -> query -> discarding sink)", "",
               "| query | events | wall s | CPU s | events/CPU-s | peak RSS MiB | target | result |",
               "|---|---:|---:|---:|---:|---:|---:|---|"]
        for r in native:
            if r["status"] in ("unsupported", "failed"):
                md.append(f"| {r['query']} | | | | | | {rate(r['target_events_per_cpu_s'])} | "
                          f"{r['verdict']} |")
                continue
            md.append(f"| {r['query']} | {r['events']:,} | {seconds(r['wall_s'])} | "
                      f"{seconds(r['cpu_s'])} | {rate(r['events_per_cpu_s'])} | "
                      f"{r['peak_rss_mib']:.0f} | {rate(r['target_events_per_cpu_s'])} | "
                      f"{r['verdict']} |")
        md.append("")
        # The setup's persistent queries (intermediate streams and changelogs the measured
        # query reads) are counted in the table's CPU seconds; this says how much of it they are.
        setup = [r for r in native if r.get("setup_cpu_s", 0) > 0]
        if setup:
            md += ["CPU seconds above include the setup queries (the persistent queries whose "
                   "output a measured query reads, run before it: q4's join and MAX per auction, "
                   "q5's HOP counts and their maxima, q7's and q8's window aggregates); events are "
                   "the Nexmark events of the streams the query reads. Of which:", "",
                   "| query | setup CPU s | setup peak RSS MiB |", "|---|---:|---:|"]
            for r in setup:
                rss = f"{r['setup_peak_rss_mib']:.0f}" if r.get("setup_peak_rss_mib", 0) > 0 else ""
                md.append(f"| {r['query']} | {seconds(r['setup_cpu_s'])} | {rss} |")
            md.append("")

    json_log = [r for r in runs if r["mode"] == "json-log"]
    if json_log:
        md += ["## Nexmark, json-log (JSON records in a local topic -> query -> local topic)", "",
               "Limit: the same records read from the log and parsed with simdjson (two fields), "
               "in one process, best of 3 passes. Targets: >= 60% of the limit and >= 1.0x "
               "DuckDB.", "",
               "| query | events | wall s | CPU s | events/CPU-s | peak RSS MiB | limit "
               "events/CPU-s | % of limit | DuckDB events/CPU-s | Sluice/DuckDB | result |",
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in json_log:
            if r["status"] in ("unsupported", "failed"):
                md.append(f"| {r['query']} | | | | | | | | | | {r['verdict']} |")
                continue
            limit = r.get("limit") or {}
            fraction = f"{100 * limit['fraction']:.0f}%" if limit else "-"
            ratio = f"{r['peer_ratio']:.2f}x" if r.get("peer_ratio") is not None else "-"
            md.append(f"| {r['query']} | {r['events']:,} | {seconds(r['wall_s'])} | "
                      f"{seconds(r['cpu_s'])} | {rate(r['events_per_cpu_s'])} | "
                      f"{r['peak_rss_mib']:.0f} | {rate(limit.get('events_per_cpu_s'))} | "
                      f"{fraction} | {rate(r.get('peer_events_per_cpu_s'))} | {ratio} | "
                      f"{r['verdict']} |")
        md.append("")
        if args.peer_note:
            md += [f"peer: {args.peer_note}", ""]
        elif peer:
            fmt = next(iter(peer.values())).get("output_format", "json")
            md += [f"DuckDB: `@duckdb/node-api`, `COPY (query) TO '/dev/null' (FORMAT "
                   f"{fmt.upper()})` over the same records as NDJSON, CPU seconds of the node "
                   "process.", ""]

    if latency:
        md += ["## Latency (append to visibility in the output topic)", "",
               "A persistent query `SELECT seq, UPPER(payload), sent_us FROM lat_in WHERE seq >= 0` "
               "in its worker; records appended at a fixed rate; the first second not counted. "
               "Target: p99 <= 10 ms at 50,000 events/s.", "",
               "| rate/s | partitions | records | p50 ms | p99 ms | p99.9 ms | max ms | result |",
               "|---:|---:|---:|---:|---:|---:|---:|---|"]
        for l in latency:
            verdict_text = "pass" if l["p99_us"] <= 10000 else "miss"
            md.append(f"| {l['rate']:,} | {l['partitions']} | {l['records']:,} | "
                      f"{l['p50_us'] / 1000:.2f} | {l['p99_us'] / 1000:.2f} | "
                      f"{l['p999_us'] / 1000:.2f} | {l['max_us'] / 1000:.2f} | {verdict_text} |")
        md.append("")

    if view_reads:
        md += ["## Point reads on a materialized view while it is updated", "",
               "`CREATE MATERIALIZED VIEW vr AS SELECT k, COUNT(*), SUM(v) FROM vr_in GROUP BY k` "
               "loaded with one record per key, then updated at a fixed rate on random keys while "
               "one session runs `SELECT * FROM vr WHERE k = '...'` (the whole statement: parse, "
               "bind, privilege check, audit, plan, Get on the view store's secondary). "
               "*store* is the view store's own Get on the same keys (its reader catches up "
               "with the worker in the background, *refresh* per catch-up); *floor* is a "
               "statement that reads nothing (`SHOW STORES`: parse and a synced audit record). "
               "Target: p99 <= 1 ms.", "",
               "| keys | updates/s | load s | reads | p50 ms | p99 ms | p99.9 ms | floor p50/p99 ms "
               "| store p50/p99 ms | refresh ms | result |",
               "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for v in view_reads:
            verdict_text = "pass" if v["p99_us"] <= 1000 else "miss"
            md.append(f"| {v['keys']:,} | {v['update_rate']:,} | {v['load_s']:.1f} | "
                      f"{v['reads']:,} | {v['p50_us'] / 1000:.3f} | {v['p99_us'] / 1000:.3f} | "
                      f"{v['p999_us'] / 1000:.3f} | "
                      f"{v['statement_floor_p50_us'] / 1000:.3f}/"
                      f"{v['statement_floor_p99_us'] / 1000:.3f} | "
                      f"{v['store_p50_us'] / 1000:.3f}/{v['store_p99_us'] / 1000:.3f} | "
                      f"{v['refresh_p50_us'] / 1000:.2f} | {verdict_text} |")
        md.append("")

    if kafka:
        md += ["## Kafka consume -> produce (librdkafka mock cluster on loopback)", "",
               "`INSERT INTO cheap SELECT auction, bidder, price * 0.908, date_time FROM bids "
               "WHERE price < 5000` from a 12-partition topic (records produced by kcat) to a "
               "6-partition topic; CPU of the worker process including librdkafka's threads; "
               "output count checked with kcat.", "",
               "| records in | records out | wall s | worker CPU s | records/CPU-s | peak RSS MiB |",
               "|---:|---:|---:|---:|---:|---:|"]
        for k in kafka:
            md.append(f"| {k['records']:,} | {k['records_out']:,} | {k['wall_s']:.2f} | "
                      f"{k['worker_cpu_s']:.2f} | {rate(k['records_per_cpu_s'])} | "
                      f"{k['peak_rss_mib']:.0f} |")
        md.append("")

    if micro:
        md += ["## Micro-benchmarks (Google Benchmark, short runs)", "",
               "| benchmark | CPU time | items/s |", "|---|---:|---:|"]
        for b in micro:
            cpu = f"{b['cpu_time']:.0f} {b['time_unit']}" if b["cpu_time"] is not None else "-"
            md.append(f"| {b['name']} | {cpu} | {rate(b['items_per_second'])} |")
        md.append("")

    with open(args.out_md, "w") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
