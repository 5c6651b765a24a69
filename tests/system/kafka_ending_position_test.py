"""'ending.position'='latest' over a Kafka topic (librdkafka's mock cluster, kcat producing and
consuming):

- an interactive SELECT reads the topic to its end as of its start and ends by itself;
- a persistent windowed query ends with its bounded source, its last window closed at the end;
  records produced afterwards are not read, FLUSH does not wait for them, and RESTART QUERY
  stops at the same end (pinned into the plan at CREATE), writing nothing again;
- with 'parallelism'=3 (and exactly-once) a windowed GROUP BY over three partitions (two
  stages, repartitioned) ends too, every window closed once stage 2 has every stage-1 worker's
  end mark, and a read_committed consumer sees what one worker writes; records produced later
  are not read.

usage: kafka_ending_position_test.py <sluice binary> <sluice_kafka_mock binary>"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_features_test import consume  # noqa: E402
from kafka_parallelism_test import start_query  # noqa: E402
from kafka_test import kafka_session, kcat  # noqa: E402
from sluice_driver import check, main  # noqa: E402


def produce(bootstrap, rows):
    kcat(["-P", "-b", bootstrap, "-t", "eb_in", "-p", "0"],
         "\n".join(json.dumps({"ts": ts, "v": v}) for ts, v in rows) + "\n")


def windows(bootstrap):
    return sorted((r["window_start"], r["n"]) for r in map(json.loads, consume(bootstrap, "eb_win")))


def keyed_windows(bootstrap, topic):
    return sorted((r["window_start"], r["k"], r["n"], r["total"])
                  for r in map(json.loads, consume(bootstrap, topic, committed=True)))


def test_parallel(shell, bootstrap):
    rows = [(1000 * i, "k%d" % (i % 4), i) for i in range(1, 40)]
    for partition in range(3):
        kcat(["-P", "-b", bootstrap, "-t", "eb_in3", "-p", str(partition)],
             "\n".join(json.dumps({"ts": ts, "k": k, "v": v})
                       for ts, k, v in rows[partition::3]) + "\n")
    # No row is late however the partitions' reads interleave.
    shell.statement("CREATE STREAM eb_in3 (ts BIGINT, k VARCHAR, v BIGINT) WITH ('store'='k', "
                    "'topic'='eb_in3', 'timestamp'='ts', 'source.allow.latency.millis'='100000');")
    select = ("AS SELECT window_start, k, COUNT(*) AS n, SUM(v) AS total FROM TUMBLE(eb_in3 WITH "
              "('ending.position'='latest'), SIZE 10 SECONDS) GROUP BY window_start, window_end, k;")
    # The parallel one exactly-once: its stage 2 commits its last windows as it ends.
    for topic, properties in (("eb_w1", ""), ("eb_w3", ", 'parallelism'=3, "
                                              "'delivery.guarantee'='exactly_once'")):
        start_query(shell, f"CREATE STREAM {topic} WITH ('store'='k', 'topic'='{topic}', "
                    f"'checkpoint.interval.millis'='20'{properties}) {select}")
    shell.statement("FLUSH;", timeout=60)
    kcat(["-P", "-b", bootstrap, "-t", "eb_in3", "-p", "0"],
         json.dumps({"ts": 2000, "k": "k2", "v": 1000}) + "\n")
    shell.statement("FLUSH;", timeout=60)
    want = {}
    for ts, k, v in rows:
        n, total = want.get((ts // 10000 * 10000, k), (0, 0))
        want[(ts // 10000 * 10000, k)] = (n + 1, total + v)
    want = sorted((start, k, n, total) for (start, k), (n, total) in want.items())
    for topic in ("eb_w1", "eb_w3"):
        got = keyed_windows(bootstrap, topic)
        check(got == want, f"{topic} holds {got}, wanted {want}")


def test(binary, mock_binary, temp):
    topics = ["eb_in:1", "eb_win:1", "eb_in3:3", "eb_w1:1", "eb_w3:1"]
    with kafka_session(binary, mock_binary, temp, topics, 5000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        produce(bootstrap, [(1000, 1), (2000, 2), (11000, 3), (12000, 4), (25000, 5)])
        shell.statement("CREATE STREAM eb_in (ts BIGINT, v BIGINT) WITH ('store'='k', "
                        "'topic'='eb_in', 'timestamp'='ts');")
        start = len(shell.output)
        shell.statement("SELECT SUM(v) AS total, COUNT(*) AS n FROM TUMBLE(eb_in WITH "
                        "('ending.position'='latest'), SIZE 1 HOUR) GROUP BY window_start, "
                        "window_end;", timeout=60)
        check(re.search(r"\b15\s*\|\s*5\b", shell.output[start:]),
              "the bounded interactive query did not end with its one window:\n"
              + shell.output[start:])

        query_id = start_query(shell, "CREATE STREAM eb_win WITH ('store'='k', 'topic'='eb_win', "
                        "'checkpoint.interval.millis'='20') AS SELECT window_start, COUNT(*) AS n "
                        "FROM TUMBLE(eb_in WITH ('ending.position'='latest'), SIZE 10 SECONDS) "
                        "GROUP BY window_start, window_end;")
        shell.statement("FLUSH;", timeout=60)
        produce(bootstrap, [(26000, 6), (41000, 7)])
        shell.statement("FLUSH;", timeout=60)
        want = [(0, 2), (10000, 2), (20000, 1)]  # window starts in epoch ms
        got = windows(bootstrap)
        check(got == want, f"the bounded query wrote {got}, wanted {want}")
        shell.statement(f"RESTART QUERY {query_id};")
        shell.statement("FLUSH;", timeout=60)
        got = windows(bootstrap)
        check(got == want, f"after RESTART QUERY the topic holds {got}, wanted {want}")
        test_parallel(shell, bootstrap)
        shell.close()


if __name__ == "__main__":
    main(test, extra_args=1)
