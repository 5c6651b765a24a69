"""Exactly-once under crashes: persistent queries whose workers are SIGKILLed at random moments,
again and again, while their input arrives in pieces. The supervisor restarts each worker from
its last checkpoint; at the end every output topic holds exactly the expected records: nothing
lost, nothing duplicated, no aggregate counted twice.

Each case below is one query with its expected output; adding a case (e.g. a materialized view)
means adding one entry to CASES and, if it is not read from a topic, its own reader."""

import collections
import json
import os
import random
import re
import struct
import time

from sluice_driver import PtyShell, check, main, run_sql

PIECES = 30            # input arrives in this many INSERTs
PER_PIECE = 120        # records per INSERT
STEP_MS = 250          # event time between two records
WINDOW_MS = 10000      # TUMBLE size of the windowed case
HOP_MS = 5000          # HOP advance (half the size) of the upstream-window cases
KEYS = 7


def input_rows():
    rows = []
    for idx in range(PIECES * PER_PIECE):
        rows.append((idx * STEP_MS, "k%d" % (idx % KEYS), idx))
    return rows


def expected_windows(rows):
    groups = collections.defaultdict(lambda: [0, 0])
    for ts, key, value in rows:
        group = groups[(ts // WINDOW_MS * WINDOW_MS, key)]
        group[0] += 1
        group[1] += value
    return collections.Counter(
        json.dumps({"window_start": start, "k": key, "n": n, "total": total}, sort_keys=True)
        for (start, key), (n, total) in groups.items())


def hop_counts(rows):
    """(window start, key) -> records, over HOP(SIZE 2 * HOP_MS, ADVANCE BY HOP_MS)."""
    counts = collections.Counter()
    for ts, key, _ in rows:
        last = ts // HOP_MS * HOP_MS
        for start in (last - HOP_MS, last):
            if start + 2 * HOP_MS > ts:
                counts[(start, key)] += 1
    return counts


def expected_hop_counts(rows):
    return collections.Counter(
        json.dumps({"window_start": start, "window_end": start + 2 * HOP_MS, "k": key, "n": n},
                   sort_keys=True)
        for (start, key), n in hop_counts(rows).items())


def expected_hop_top(rows):
    """Per window of hop_counts, its largest count and how many keys it has; the newest window
    waits for a later one of hop_counts to close it."""
    windows = collections.defaultdict(list)
    for (start, _), n in hop_counts(rows).items():
        windows[start].append(n)
    del windows[max(windows)]
    return collections.Counter(
        json.dumps({"window_start": start, "top": max(ns), "nkeys": len(ns)}, sort_keys=True)
        for start, ns in windows.items())


def expected_filtered(rows):
    return collections.Counter(
        json.dumps({"ts": ts, "k": key, "v2": value * 2}, sort_keys=True)
        for ts, key, value in rows if value % 3 != 0)


def expected_join_windows(rows):
    """join_windows: every record meets itself (v is unique), counted per 10 s window."""
    counts = collections.Counter(ts // WINDOW_MS * WINDOW_MS for ts, _, _ in rows)
    return collections.Counter(
        json.dumps({"window_start": start, "n": n}, sort_keys=True) for start, n in counts.items())


def expected_latest(rows):
    """key_stats: one upsert per record, the key's count and maximum so far."""
    stats = {}
    out = collections.Counter()
    for _, key, value in rows:
        n, high = stats.get(key, (0, value))
        stats[key] = (n + 1, max(high, value))
        out[json.dumps({"k": key, "n": n + 1, "high": max(high, value)}, sort_keys=True)] += 1
    return out


def expected_by_count(rows):
    """keys_by_count, a GROUP BY over the key_stats changelog: each update of a key retracts
    its previous row from group n - 1 (updated, or deleted with a tombstone once empty) and
    adds the new one to group n."""
    stats = {}
    groups = collections.defaultdict(lambda: [0, 0])  # n -> [keys, sum of highs]
    out = collections.Counter()

    def emit(n):
        keys, total = groups[n]
        if keys == 0:
            del groups[n]
            out["tombstone %d" % n] += 1
        else:
            out[json.dumps({"n": n, "keys": keys, "total": total}, sort_keys=True)] += 1

    for _, key, value in rows:
        old = stats.get(key)
        high = value if old is None else max(old[1], value)
        n = 1 if old is None else old[0] + 1
        if old is not None:
            groups[old[0]][0] -= 1
            groups[old[0]][1] -= old[1]
            emit(old[0])
        stats[key] = (n, high)
        groups[n][0] += 1
        groups[n][1] += high
        emit(n)
    return out


# name: (CREATE statement, expected output as a Counter of canonical JSON values; a tombstone
# counts as "tombstone <key>")
CASES = {
    "per_window": (
        "CREATE STREAM per_window WITH ('partitions'=2, 'checkpoint.interval.millis'=200) AS"
        " SELECT window_start, k, COUNT(*) AS n, SUM(v) AS total"
        " FROM TUMBLE(events, SIZE 10 SECOND) GROUP BY window_start, window_end, k;",
        expected_windows),
    # A window aggregate over the windows of another (docs/windows.md): their open groups are
    # restored from checkpoints like a TUMBLE's.
    "hop_counts": (
        "CREATE STREAM hop_counts WITH ('checkpoint.interval.millis'=200) AS"
        " SELECT window_start, window_end, k, COUNT(*) AS n"
        " FROM HOP(events, SIZE 10 SECOND, ADVANCE BY 5 SECOND) GROUP BY window_start, window_end, k;",
        expected_hop_counts),
    "hop_top": (
        "CREATE STREAM hop_top WITH ('checkpoint.interval.millis'=200) AS"
        " SELECT window_start, MAX(n) AS top, COUNT(*) AS nkeys FROM hop_counts"
        " GROUP BY window_start, window_end;",
        expected_hop_top),
    "filtered": (
        "CREATE STREAM filtered AS SELECT ts, k, v * 2 AS v2 FROM events WHERE v % 3 <> 0;",
        expected_filtered),
    # A GROUP BY over a join: join and aggregate state restored from one checkpoint.
    "join_windows": (
        "CREATE STREAM join_windows WITH ('checkpoint.interval.millis'=200) AS"
        " SELECT window_start, COUNT(*) AS n FROM TUMBLE(events a JOIN events b WITHIN 0 SECONDS"
        " ON a.v = b.v, SIZE 10 SECOND) GROUP BY window_start, window_end;",
        expected_join_windows),
    "key_stats": (
        "CREATE CHANGELOG key_stats WITH ('checkpoint.interval.millis'=200) AS"
        " SELECT k, COUNT(*) AS n, MAX(v) AS high FROM events GROUP BY k;",
        expected_latest),
    # A GROUP BY over a changelog: the previous row of each key is checkpointed state.
    "keys_by_count": (
        "CREATE CHANGELOG keys_by_count WITH ('checkpoint.interval.millis'=200) AS"
        " SELECT n, COUNT(*) AS keys, SUM(high) AS total FROM key_stats GROUP BY n;",
        expected_by_count),
    # key_stats under the smallest state cache: a few of the 7 groups fit in memory, the others
    # are evicted into the uncommitted state between checkpoints and read back (and commits come
    # early, as the uncommitted state outgrows the same budget).
    "key_stats_evicted": (
        "CREATE CHANGELOG key_stats_evicted WITH ('checkpoint.interval.millis'=200,"
        " 'state.cache.max.bytes'=1024) AS"
        " SELECT k, COUNT(*) AS n, MAX(v) AS high FROM events GROUP BY k;",
        expected_latest),
}


def worker_pid(shell, query_id, timeout=15.0):
    """The query's worker pid from DESCRIBE QUERY, waiting while it is being restarted."""
    deadline = time.monotonic() + timeout
    while True:
        start = len(shell.output)
        shell.statement("DESCRIBE QUERY %d;" % query_id)
        text = shell.output[start:]
        match = re.search(r"worker pid\s*\|?\s*(\d+)", text)
        if match:
            return int(match.group(1))
        check("FAILED" not in text, "query %d failed:\n%s" % (query_id, text))
        check(time.monotonic() < deadline, "query %d has no worker:\n%s" % (query_id, text))
        time.sleep(0.05)


def published_count(temp, topic):
    """Records readers can see in a local topic: the published end offset in each partition's
    head (append.lock: magic, crc, then base offset, end position, next offset, ...)."""
    topic_dir = os.path.join(temp.data_dir, "log", "topics", topic)
    total = 0
    for name in os.listdir(topic_dir):
        head = os.path.join(topic_dir, name, "append.lock")
        if name.isdigit() and os.path.exists(head):
            with open(head, "rb") as f:
                total += struct.unpack_from("<qqq", f.read(48), 8)[2]
    return total


def read_topic(binary, temp, topic, count):
    out = run_sql(binary, temp, "PRINT TOPIC '%s' FROM BEGINNING LIMIT %d;" % (topic, count),
                  extra=("--format", "jsonl"))
    values = collections.Counter()
    for line in out.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record["value"] is None:
                values["tombstone %s" % record["key"]] += 1
            else:
                values[json.dumps(json.loads(record["value"]), sort_keys=True)] += 1
    return values


def describe(counter, limit=5):
    return ", ".join("%s x%d" % (value, n) for value, n in list(counter.items())[:limit])


def test(binary, temp):
    seed = int(os.environ.get("SLUICE_CRASH_SEED", random.randrange(1 << 30)))
    print("crash_loop seed: %d (rerun with SLUICE_CRASH_SEED=%d)" % (seed, seed))
    rng = random.Random(seed)
    rows = input_rows()
    shell = PtyShell(binary, temp, extra=("--worker-crash-limit", "1000",
                                          "--worker-max-backoff-ms", "200"))
    kills = collections.Counter()
    started = time.monotonic()
    try:
        shell.expect(r"sluice:\S*> ")
        shell.statement("CREATE STREAM events (ts BIGINT, k VARCHAR, v BIGINT)"
                        " WITH ('timestamp'='ts', 'partitions'=1);")
        for create, _ in CASES.values():
            shell.statement(create)
        query_ids = list(range(1, len(CASES) + 1))
        for piece in range(PIECES):
            chunk = rows[piece * PER_PIECE:(piece + 1) * PER_PIECE]
            shell.statement("INSERT INTO events VALUES " +
                            ", ".join("(%d, '%s', %d)" % row for row in chunk) + ";")
            for query_id in query_ids:
                pid = worker_pid(shell, query_id)
                time.sleep(rng.uniform(0, 0.15))  # mid-batch, mid-checkpoint, or idle
                try:
                    os.kill(pid, 9)
                    kills[query_id] += 1
                except ProcessLookupError:
                    pass  # it was already being replaced
        # A record far ahead closes every window of the input (its own stays open).
        shell.statement("INSERT INTO events VALUES (%d, 'end', 0);" % (rows[-1][0] + 3600000))
        shell.statement("FLUSH;", timeout=90)
        start = len(shell.output)
        shell.statement("SHOW QUERIES;")
        listing = shell.output[start:]
        check("FAILED" not in listing, "a query failed:\n" + listing)
        shell.send("\\q\n")
        check(shell.wait_exit() == 0, "shell did not exit cleanly")
    finally:
        shell.close()
    print("kills per query: %s, %.1f s" % (dict(kills), time.monotonic() - started))
    for query_id in kills:
        check(kills[query_id] >= 20, "only %d kills of query %d" % (kills[query_id], query_id))

    all_rows = rows + [(rows[-1][0] + 3600000, "end", 0)]
    for topic, (_, expected_of) in CASES.items():
        # The record far ahead closes the windows of the input; its own stay open.
        windowed = topic in ("per_window", "hop_counts", "hop_top", "join_windows")
        expected = expected_of(rows if windowed else all_rows)
        count = published_count(temp, topic)
        check(count == sum(expected.values()),
              "%s holds %d records, expected %d" % (topic, count, sum(expected.values())))
        got = read_topic(binary, temp, topic, count)
        missing = expected - got
        extra = got - expected
        check(not missing and not extra,
              "%s differs: missing %d (%s), extra %d (%s)" %
              (topic, sum(missing.values()), describe(missing), sum(extra.values()),
               describe(extra)))


main(test)
