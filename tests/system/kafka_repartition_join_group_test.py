"""A windowed GROUP BY over a LEFT interval join with 'parallelism'=3 over librdkafka's mock
cluster: four groups of three workers, the join's rows repartitioned a second time, by group key,
through a third local topic (docs/kafka.md "GROUP BY over a join with parallelism N"), with kcat
as the independent client:

- DESCRIBE QUERY shows the three repartition topics and the four groups of three workers;
- a stage-2 (join) worker and a stage-3 (aggregate) worker SIGKILLed mid-stream are restarted
  alone, and TERMINATE then RESTART QUERY resumes all twelve;
- once every window of the data closed, parallelism 1 and 3 wrote the same rows, both equal to
  the windows Python computes from the records. No window had closed before the crashes, so
  even the at-least-once Kafka sink holds no repeat.

usage: kafka_repartition_join_group_test.py <sluice binary> <sluice_kafka_mock binary>"""

import collections
import json
import os
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_features_test import consume as kafka_consume  # noqa: E402
from kafka_parallelism_test import start_on_kafka  # noqa: E402
from kafka_repartition_join_test import (FAR, create_sides, describe, produce,  # noqa: E402
                                         terminate_restart_close, wait_restarted)
from kafka_test import kafka_session  # noqa: E402
from sluice_driver import check, main  # noqa: E402

WINDOW_MS = 10000
GROUP_SQL = ("SELECT window_start, o.who, COUNT(*) AS n, COUNT(p.pid) AS paid_n, "
             "SUM(o.amount) AS total FROM TUMBLE(orders o LEFT JOIN payments p WITHIN 2 SECONDS "
             "ON o.who = p.who, SIZE 10 SECONDS) GROUP BY window_start, window_end, o.who")


def expected_windows(orders, payments):
    """(who, n, paid_n, total) per window and customer of the data (FAR's windows stay open):
    a match's time is the later of its rows', an unmatched order's its own."""
    by_who = collections.defaultdict(list)
    for p in payments:
        by_who[p["who"]].append(p)
    groups = collections.defaultdict(lambda: [0, 0, 0])
    for o in orders:
        if o["ts"] >= FAR:
            continue
        matched = [p for p in by_who[o["who"]] if abs(p["ts"] - o["ts"]) <= 2000]
        for time_ms, paid in ([(max(o["ts"], p["ts"]), 1) for p in matched] or [(o["ts"], 0)]):
            group = groups[(time_ms // WINDOW_MS, o["who"])]
            group[0] += 1
            group[1] += paid
            group[2] += o["amount"]
    return collections.Counter((who, *values) for (_, who), values in groups.items())


def got_rows(topic, bootstrap):
    return collections.Counter(
        (str(r["window_start"]), r["who"], r["n"], r["paid_n"], r["total"])
        for r in (json.loads(line) for line in kafka_consume(bootstrap, topic)))


def test(binary, mock_binary, temp):
    topics = ["orders:6", "payments:4", "grouped1:2", "grouped3:2"]
    with kafka_session(binary, mock_binary, temp, topics, 5000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        # No window closes before close_all: the latency allowance exceeds the data's span.
        create_sides(shell)
        orders, payments = produce(bootstrap, 1, 600)
        queries = {}
        for name, parallelism in [("grouped1", 1), ("grouped3", 3)]:
            queries[name] = start_on_kafka(shell, "STREAM", name, parallelism, GROUP_SQL)
        shell.statement("FLUSH;", timeout=120)
        workers, text = describe(shell, queries["grouped3"])
        check(len(workers) == 12 and all(w[1] == "RUNNING" for w in workers.values()),
              "DESCRIBE QUERY does not show 4 groups of 3 running workers:\n" + text)
        check(re.search(r"repartition topics\s*\|\s*_sluice_repartition_(\d+), "
                        r"_sluice_repartition_\1_right, _sluice_repartition_\1_grouped", text),
              "no grouped repartition topic:\n" + text)

        # SIGKILL mid-stream: a join worker (stage 2) and an aggregating one (stage 3).
        more = produce(bootstrap, 601, 2000)
        orders, payments = orders + more[0], payments + more[1]
        os.kill(workers[("stage 2", 1)][0], signal.SIGKILL)
        os.kill(workers[("stage 3", 2)][0], signal.SIGKILL)
        more = produce(bootstrap, 2601, 600)
        orders, payments = orders + more[0], payments + more[1]
        wait_restarted(shell, queries["grouped3"], ("stage 2", 1), workers[("stage 2", 1)][0])
        after = wait_restarted(shell, queries["grouped3"], ("stage 3", 2),
                               workers[("stage 3", 2)][0])
        check(after[("stage 3", 0)][0] == workers[("stage 3", 0)][0],
              "killing one worker restarted its siblings too")

        # TERMINATE mid-stream, records meanwhile, RESTART: every worker resumes.
        orders, payments = terminate_restart_close(shell, queries["grouped3"], bootstrap,
                                                   (orders, payments), 3201, 800, 400)

        want = expected_windows(orders, payments)
        got1 = got_rows("grouped1", bootstrap)
        got3 = got_rows("grouped3", bootstrap)
        check(collections.Counter(row[1:] for row in got1.elements()) == want,
              f"parallelism 1 wrote {sum(got1.values())} windows, wanted {sum(want.values())}")
        check(got3 == got1, f"parallelism 3 wrote {sum(got3.values())} windows, parallelism 1 "
              f"{sum(got1.values())}; extra {list((got3 - got1).items())[:3]}, missing "
              f"{list((got1 - got3).items())[:3]}")


if __name__ == "__main__":
    main(test, extra_args=1)
