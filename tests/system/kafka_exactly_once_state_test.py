"""'delivery.guarantee'='exactly_once' for stateful queries (parallelism 1) over librdkafka's mock
cluster, with kcat as the independent producer and read_committed consumer:

- a windowed GROUP BY (TUMBLE), a non-windowed GROUP BY (a changelog) and an interval self-join
  read the same topic;
- each worker is killed at the two points of a checkpoint's two-phase commit (docs/checkpoints.md):
  after the state was prepared and before the Kafka transaction committed ('prepared'), and after
  the transaction committed and before the state was applied ('transaction_committed'), through
  the <state_dir>/crash-at file the worker reads (runtime/pipeline/crash_point.h); then SIGKILLed
  right after a FLUSH; the windowed one also SIGKILLed mid-stream while its transaction holds no
  output (the mock shows aborted transactions' records to read_committed consumers, so a kill
  with output in an open transaction could only be checked against a real broker);
- at the end the read_committed kcat sees every window row exactly once, and each key's changelog
  updates count up strictly (a repeated or lower count would be input counted twice or output
  repeated) to the exact final counts, and the join's output holds each record once.
With 'parallelism' > 1: kafka_exactly_once_parallel_test.py.

usage: kafka_exactly_once_state_test.py <sluice binary> <sluice_kafka_mock binary>"""

import collections
import json
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_features_test import consume as kafka_consume  # noqa: E402
from kafka_parallelism_test import start_query  # noqa: E402
from kafka_test import kafka_session, kcat, worker_pid  # noqa: E402
from sluice_driver import check, main  # noqa: E402

BASE = 1700000000000  # event time of id 0; ids are 10 ms apart, so 100 per 1-second window
FAR = BASE + 10000000  # the closing records' event time, past every window of the data
KEYS = 5


class Input:
    """The input records sent so far (ids from 0, keys k0..k<keys-1>), and how they are sent to
    `topic`: record id goes to partition id % partitions, each partition in id order (so no
    record is ever late)."""

    def __init__(self, bootstrap, topic, partitions, keys):
        self.bootstrap, self.topic, self.partitions, self.keys = bootstrap, topic, partitions, keys
        self.records = []

    def take(self, count):
        """The next `count` records, counted as sent."""
        first = len(self.records)
        batch = [{"id": i, "k": f"k{i % self.keys}", "v": i, "ts": BASE + i * 10}
                 for i in range(first, first + count)]
        self.records.extend(batch)
        return batch

    def produce(self, records, partitions=None):
        for partition in partitions if partitions is not None else range(self.partitions):
            part = [r for r in records if r["id"] % self.partitions == partition]
            if part:
                kcat(["-P", "-b", self.bootstrap, "-t", self.topic, "-p", str(partition)],
                     "\n".join(json.dumps(r) for r in part) + "\n")


def wait_restarted(shell, query_id, old_pid, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        start = len(shell.output)
        shell.statement(f"DESCRIBE QUERY {query_id};")
        text = shell.output[start:]
        pid = re.search(r"worker pid\s*\|?\s*(\d+)", text)
        if pid is not None and int(pid.group(1)) != old_pid and \
                re.search(r"^\s*state\s*\|\s*RUNNING", text, re.M):
            return int(pid.group(1))
        check(time.monotonic() < deadline, f"query {query_id} was not restarted:\n{text}")
        time.sleep(0.2)


def crash_at(data_dir, query_id, point):
    with open(os.path.join(data_dir, "state", str(query_id), "crash-at"), "w") as handle:
        handle.write(point + "\n")


def expected_windows(records):
    counts = collections.Counter(((r["ts"] - BASE) // 1000, r["k"]) for r in records
                                 if r["ts"] < FAR)
    return collections.Counter((w, k, n) for (w, k), n in counts.items())


def got_windows(rows):
    starts = sorted({str(r["window_start"]) for r in rows})
    index = {start: i for i, start in enumerate(starts)}
    return collections.Counter((index[str(r["window_start"])], r["k"], r["n"]) for r in rows)


def check_changelog(rows, records):
    want = collections.Counter(r["k"] for r in records)
    sums = collections.Counter()
    for r in records:
        sums[r["k"]] += r["v"]
    last = {}
    for row in rows:
        previous = last.get(row["k"], (0, 0))
        check(row["n"] > previous[0], f"key {row['k']}: update n={row['n']} after n={previous[0]} "
              "(input counted twice or output repeated)")
        last[row["k"]] = (row["n"], row["total"])
    check(last == {k: (n, sums[k]) for k, n in want.items()},
          f"final counts {last}, wanted {dict(want)} (sums {dict(sums)})")


def close_and_check(shell, bootstrap, source, topics):
    """Closes every window of the data (a record far ahead in each partition of the `source`
    Input), waits for the queries, then checks what a
    read_committed consumer sees in their output `topics` (windows, changelog, join): every
    window row once, each key's counts rising strictly to the totals, each join row once."""
    first = len(source.records)
    far = [{"id": first + p, "k": "zz", "v": 0, "ts": FAR} for p in range(source.partitions)]
    source.records.extend(far)
    source.produce(far)
    records = source.records
    shell.statement("FLUSH;", timeout=180)
    windows, changelog, join = topics
    rows = [json.loads(line) for line in kafka_consume(bootstrap, windows, committed=True)]
    got, want = got_windows(rows), expected_windows(records)
    check(got == want, f"read_committed consumer saw {sum(got.values())} window rows, wanted "
          f"{sum(want.values())}; extra {list((got - want).items())[:5]}, missing "
          f"{list((want - got).items())[:5]}")
    rows = [json.loads(line) for line in kafka_consume(bootstrap, changelog, committed=True)]
    check_changelog(rows, records)
    rows = [json.loads(line) for line in kafka_consume(bootstrap, join, committed=True)]
    got = collections.Counter(r["id"] for r in rows)
    want = collections.Counter(r["id"] for r in records)
    check(got == want and all(r["v"] == r["id"] or r["v"] == 0 for r in rows),
          f"the join's read_committed output has {sum(got.values())} rows, wanted "
          f"{sum(want.values())}; extra {list((got - want).items())[:5]}, missing "
          f"{sorted(want - got)[:10]}")


def test(binary, mock_binary, temp):
    topics = ["st_in:2", "st_win:1", "st_cnt:1", "st_join:1"]
    with kafka_session(binary, mock_binary, temp, topics, 5000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        shell.statement("CREATE STREAM st_in (id BIGINT, k VARCHAR, v BIGINT, ts BIGINT) WITH "
                        "('store'='k', 'topic'='st_in', 'timestamp'='ts', "
                        "'source.allow.latency.millis'='2000');")
        # One record per partition before the queries start: until a partition has given a
        # record it does not hold the watermark back, and the first round's other partition
        # could come late (the engine's rule, not exactly-once's).
        source = Input(bootstrap, "st_in", 2, KEYS)
        source.produce(source.take(2))
        win = start_query(shell, "CREATE STREAM st_win WITH ('store'='k', 'topic'='st_win', "
                          "'delivery.guarantee'='exactly_once') AS SELECT window_start, k, "
                          "COUNT(*) AS n FROM TUMBLE(st_in, SIZE 1 SECOND) "
                          "GROUP BY window_start, window_end, k;")
        cnt = start_query(shell, "CREATE CHANGELOG st_cnt WITH ('store'='k', 'topic'='st_cnt', "
                          "'delivery.guarantee'='exactly_once') AS SELECT k, COUNT(*) AS n, "
                          "SUM(v) AS total FROM st_in GROUP BY k;")
        joined = start_query(shell, "CREATE STREAM st_join WITH ('store'='k', "
                             "'topic'='st_join', 'delivery.guarantee'='exactly_once') AS "
                             "SELECT a.id, b.v FROM st_in a JOIN st_in b WITHIN 1 SECOND "
                             "ON a.id = b.id;")
        queries = (win, cnt, joined)
        data_dir = temp.data_dir
        shell.statement("FLUSH;", timeout=120)

        source.produce(source.take(300))
        shell.statement("FLUSH;", timeout=120)
        for point in ("transaction_committed", "prepared", "transaction_committed"):
            pids = {q: worker_pid(shell, q) for q in queries}
            for query_id in queries:
                crash_at(data_dir, query_id, point)
            source.produce(source.take(300))
            for query_id in queries:
                wait_restarted(shell, query_id, pids[query_id])
            shell.statement("FLUSH;", timeout=120)
        # Killed right after its commit.
        for query_id in queries:
            pid = worker_pid(shell, query_id)
            os.kill(pid, signal.SIGKILL)
            wait_restarted(shell, query_id, pid)
        source.produce(source.take(300))
        shell.statement("FLUSH;", timeout=120)
        # The windowed query killed mid-stream: partition 1 gets nothing, so its watermark holds
        # every window open and the open transaction holds no output; its state and positions
        # must still go back together.
        pid = worker_pid(shell, win)
        batch = source.take(6000)
        source.produce(batch, partitions=(0,))
        time.sleep(0.3)
        os.kill(pid, signal.SIGKILL)
        wait_restarted(shell, win, pid)
        source.produce(batch, partitions=(1,))
        close_and_check(shell, bootstrap, source,
                        ("st_win", "st_cnt", "st_join"))
        shell.close()


if __name__ == "__main__":
    main(test, extra_args=1)
