#!/usr/bin/env python3
"""Consume-to-produce throughput of a stateless query over Kafka (librdkafka's mock cluster on
loopback, the real Kafka protocol): kcat produces N JSON bids into a 12-partition topic, a
persistent query filters and projects them into another topic, and the figure is records per
CPU-second of the query's worker process (utime + stime from /proc, read before it stops).
The output is checked with kcat (row count). The mock broker keeps only ~5 MB per partition
(older data is dropped), hence many partitions and a modest N. Usage: kafka_throughput.py BUILD_DIR [N] [OUT.json]
"""

import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from sluice_driver import PtyShell, TempDataDir, check  # noqa: E402


PARTITIONS = 12


def worker_cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 240000
    out_path = sys.argv[3] if len(sys.argv) > 3 else None
    mock = subprocess.Popen([os.path.join(build, "tests", "kafka", "sluice_kafka_mock"),
                             "--brokers", "1", "--topic", f"bids:{PARTITIONS}", "--topic", "cheap:6"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    temp = TempDataDir()
    shell = None
    try:
        bootstrap = mock.stdout.readline().strip()
        lines = []
        for i in range(count):
            lines.append(json.dumps({"auction": 1000 + i % 100, "bidder": 2000 + i % 997,
                                     "price": (i * 7919) % 10000, "channel": "Google",
                                     "url": f"https://www.nexmark.com/item/{i % 977}",
                                     "date_time": 1700000000000 + i, "extra": ""}))
        # One chunk per partition: kcat's partitioner would pile keyless records onto a few.
        for partition in range(PARTITIONS):
            chunk = lines[partition::PARTITIONS]
            produce = subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "bids", "-z", "none",
                                      "-p", str(partition)],
                                     input="\n".join(chunk) + "\n", text=True,
                                     capture_output=True)
            check(produce.returncode == 0, "kcat could not produce: " + produce.stderr)
        expected = sum(1 for i in range(count) if (i * 7919) % 10000 < 5000)

        shell = PtyShell(os.path.join(build, "sluice"), temp)
        shell.expect(r"sluice:\S*> ")
        shell.statement(f"CREATE STORE k WITH ('type'='kafka', 'uris'='{bootstrap}', "
                        "'tls.disabled'='true');")
        shell.statement("CREATE STREAM bids (auction BIGINT, bidder BIGINT, price BIGINT, "
                        "channel VARCHAR, url VARCHAR, date_time BIGINT, extra VARCHAR) "
                        "WITH ('store'='k', 'topic'='bids', 'timestamp'='date_time');")
        shell.statement("CREATE STREAM cheap (auction BIGINT, bidder BIGINT, dollars DOUBLE, "
                        "date_time BIGINT) WITH ('store'='k', 'topic'='cheap');")
        started = time.monotonic()
        shell.statement("INSERT INTO cheap SELECT auction, bidder, price * 0.908, date_time "
                        "FROM bids WHERE price < 5000;", wait_for=r"query (\d+) started")
        shell.expect(r"sluice:\S*> ")
        shell.statement("FLUSH;", timeout=600)
        wall = time.monotonic() - started
        start = len(shell.output)
        shell.statement("DESCRIBE QUERY 1;")
        pid = int(re.search(r"worker pid\s*\|?\s*(\d+)", shell.output[start:]).group(1))
        cpu = worker_cpu_seconds(pid)
        rss = peak_rss_mib(pid)
        consumed = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "cheap", "-e", "-q"],
                                  capture_output=True, text=True, timeout=600)
        got = sum(1 for line in consumed.stdout.split("\n") if line)
        check(got == expected, f"output topic holds {got} records, expected {expected}:\n" + shell.output[start:])
        result = {"records": count, "records_out": got, "wall_s": round(wall, 2),
                  "worker_cpu_s": round(cpu, 2), "records_per_cpu_s": round(count / cpu),
                  "peak_rss_mib": round(rss, 1)}
        print("kafka consume->produce: " + json.dumps(result))
        if out_path:
            with open(out_path, "w") as handle:
                json.dump(result, handle)
        return 0
    finally:
        if shell is not None:
            shell.close()
        mock.stdin.close()
        mock.wait(timeout=30)
        temp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
