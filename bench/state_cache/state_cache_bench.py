"""Throughput and peak memory of a non-windowed GROUP BY under a state cache budget.

Usage: state_cache_bench.py SLUICE_BINARY EVENTS KEYS [BUDGET_BYTES]

Fills a local stream with EVENTS random records over KEYS keys (datagen, seed 5), then runs
`CREATE CHANGELOG c [WITH ('state.cache.max.bytes'=BUDGET)] AS SELECT k, COUNT(*), SUM(v) FROM ev
GROUP BY k HAVING COUNT(*) > 1` over it and prints the worker's CPU seconds, events per CPU second
and peak RSS (VmHWM), read from /proc while the worker still runs. Without BUDGET the property is
not given (the default; a binary without the property is measured the same way)."""

import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "system"))
from sluice_driver import PtyShell, TempDataDir  # noqa: E402


def proc_stats(pid):
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    cpu_s = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    with open("/proc/%d/status" % pid) as status:
        peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
    return cpu_s, peak


def main():
    binary, events, keys = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    budget = sys.argv[4] if len(sys.argv) > 4 else None
    temp = TempDataDir()
    shell = PtyShell(binary, temp)
    try:
        shell.expect(r"sluice:\S*> ")
        shell.statement("CREATE STREAM gen (k BIGINT, v BIGINT) WITH ('store'='datagen',"
                        " 'generator'='random', 'events'=%d, 'seed'=5, 'fields.k.min'=0,"
                        " 'fields.k.max'=%d, 'fields.v.min'=0, 'fields.v.max'=9);"
                        % (events, keys - 1))
        shell.statement("CREATE STREAM ev (k BIGINT, v BIGINT) WITH ('partitions'=1);")
        shell.statement("INSERT INTO ev SELECT k, v FROM gen;")
        shell.statement("FLUSH;", timeout=600)
        with_clause = " WITH ('state.cache.max.bytes'=%s)" % budget if budget else ""
        started = time.monotonic()
        shell.statement("CREATE CHANGELOG c%s AS SELECT k, COUNT(*) AS n, SUM(v) AS total"
                        " FROM ev GROUP BY k HAVING COUNT(*) > 1;" % with_clause)
        shell.statement("FLUSH;", timeout=600)
        wall = time.monotonic() - started
        start = len(shell.output)
        shell.statement("DESCRIBE QUERY 2;")
        pid = int(re.search(r"worker pid\s*\|?\s*(\d+)", shell.output[start:]).group(1))
        cpu_s, peak = proc_stats(pid)
        print("events %d keys %d budget %s: worker cpu %.2f s, %.0f events/CPU-s, wall %.1f s,"
              " VmHWM %.1f MiB" % (events, keys, budget or "default", cpu_s, events / cpu_s,
                                   wall, peak / 1048576.0))
        shell.send("\\q\n")
        shell.wait_exit()
    finally:
        shell.close()
        temp.cleanup()


if __name__ == "__main__":
    main()
