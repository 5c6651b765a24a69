"""An interval join with 'parallelism'=3 over librdkafka's mock cluster, each side repartitioned
by its join key through a local topic (docs/kafka.md "Interval joins with parallelism N"), with
kcat as the independent client:

- the same LEFT interval join with parallelism 1 and 3 over the same kcat records writes the
  same matches and outer rows, both equal to what Python computes;
- DESCRIBE QUERY shows both repartition topics and the three groups of three workers;
- a stage-1 worker of the right side and a stage-2 worker SIGKILLed mid-stream are restarted
  alone; nothing is lost (the Kafka sink is at-least-once: a stage-2 crash may repeat output
  since its last checkpoint, never drop any);
- TERMINATE then RESTART QUERY resumes all nine workers, rows buffered in stage 2 included.

usage: kafka_repartition_join_test.py <sluice binary> <sluice_kafka_mock binary>"""

import collections
import json
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_features_test import consume as kafka_consume  # noqa: E402
from kafka_parallelism_test import start_on_kafka  # noqa: E402
from kafka_test import kafka_session, kcat  # noqa: E402
from sluice_driver import check, main  # noqa: E402

LEFT_PARTITIONS = 6
RIGHT_PARTITIONS = 4
BASE = 1700000000000  # event time of id 0; ids are 10 ms apart
FAR = BASE + 10000000  # the closing records' event time, past every interval of the data
JOIN_SQL = ("SELECT o.id, o.who, o.amount, p.pid, p.paid FROM orders o LEFT JOIN payments p "
            "WITHIN 2 SECONDS ON o.who = p.who")


def produce_side(bootstrap, topic, partitions, records):
    for partition in range(partitions):
        part = [r for r in records if r["id"] % partitions == partition]
        if part:
            kcat(["-P", "-b", bootstrap, "-t", topic, "-p", str(partition)],
                 "\n".join(json.dumps(r) for r in part) + "\n")
    return records


def produce(bootstrap, first, count):
    """Orders first..first+count-1 and a payment for every third of them (half of them 2.5 s
    late, out of the interval); a customer's orders are 5 s apart. Returns (orders, payments)."""
    orders = [{"id": i, "who": f"c{i % 500}", "amount": i, "ts": BASE + i * 10}
              for i in range(first, first + count)]
    payments = [{"id": i, "pid": 100000 + i, "who": f"c{i % 500}", "paid": i % 7,
                 "ts": BASE + i * 10 + (2500 if i % 2 else 300)}
                for i in range(first, first + count) if i % 3 == 0]
    produce_side(bootstrap, "orders", LEFT_PARTITIONS, orders)
    produce_side(bootstrap, "payments", RIGHT_PARTITIONS, payments)
    return orders, payments


def close_all(bootstrap):
    """A far record in every partition of both sides: every interval of the data closes."""
    orders = [{"id": 9000000 + p, "who": "zz", "amount": 0, "ts": FAR}
              for p in range(LEFT_PARTITIONS)]
    payments = [{"id": 9000000 + p, "pid": 0, "who": "zy", "paid": 0, "ts": FAR}
                for p in range(RIGHT_PARTITIONS)]
    for record in orders:
        kcat(["-P", "-b", bootstrap, "-t", "orders", "-p", str(record["id"] % LEFT_PARTITIONS)],
             json.dumps(record) + "\n")
    for record in payments:
        kcat(["-P", "-b", bootstrap, "-t", "payments", "-p",
              str(record["id"] % RIGHT_PARTITIONS)], json.dumps(record) + "\n")
    return orders, payments


def expected_rows(orders, payments, closed):
    """The LEFT join's rows: matches, and once `closed` (every interval of the data passed by
    the watermark) the unmatched orders (not FAR's, whose intervals stay open)."""
    by_who = collections.defaultdict(list)
    for p in payments:
        by_who[p["who"]].append(p)
    rows = collections.Counter()
    for o in orders:
        matched = [p for p in by_who[o["who"]] if abs(p["ts"] - o["ts"]) <= 2000]
        for p in matched:
            rows[(o["id"], o["who"], o["amount"], p["pid"], p["paid"])] += 1
        if not matched and closed and o["ts"] < FAR:
            rows[(o["id"], o["who"], o["amount"], None, None)] += 1
    return rows


def got_rows(topic, bootstrap):
    return collections.Counter(
        (r["id"], r["who"], r["amount"], r["pid"], r["paid"])
        for r in (json.loads(line) for line in kafka_consume(bootstrap, topic)))


def describe(shell, query_id):
    """{(group, worker): (pid, state)} (group: 'stage 1 left', 'stage 1 right', 'stage 2', and
    over a join's GROUP BY 'stage 3')."""
    start = len(shell.output)
    shell.statement(f"DESCRIBE QUERY {query_id};")
    text = shell.output[start:]
    workers = {}
    for group, index, pid, state in re.findall(
            r"^\s*(stage 1 left|stage 1 right|stage 2|stage 3) worker (\d+)\s*\|\s*"
            r"pid (\d+), (\w+)", text, re.M):
        workers[(group, int(index))] = (int(pid), state)
    return workers, text


def describe_three_groups(shell, query_id):
    """describe(), checking 3 + 3 + 3 running workers and both repartition topics."""
    workers, text = describe(shell, query_id)
    check(len(workers) == 9 and all(w[1] == "RUNNING" for w in workers.values()),
          "DESCRIBE QUERY does not show 3 + 3 + 3 running workers:\n" + text)
    check(re.search(r"repartition topics\s*\|\s*_sluice_repartition_(\d+), "
                    r"_sluice_repartition_\1_right", text), "no repartition topics:\n" + text)
    return workers


def wait_restarted(shell, query_id, worker, old_pid, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        workers, text = describe(shell, query_id)
        if worker in workers and workers[worker][0] != old_pid and workers[worker][1] == "RUNNING":
            return workers
        check(time.monotonic() < deadline, f"{worker} of query {query_id} not restarted:\n{text}")
        time.sleep(0.2)


def check_outputs(bootstrap, orders, payments, when, exact3, closed):
    want = expected_rows(orders, payments, closed)
    got1 = got_rows("joined1", bootstrap)
    got3 = got_rows("joined3", bootstrap)
    check(got1 == want, f"{when}: parallelism 1 wrote {sum(got1.values())} rows, wanted "
          f"{sum(want.values())}; extra {list((got1 - want).items())[:3]}, missing "
          f"{list((want - got1).items())[:3]}")
    # After a stage-2 crash the Kafka sink may repeat rows, never lose one.
    same = got3 == want if exact3 else set(got3) == set(want)
    check(same, f"{when}: parallelism 3 wrote {sum(got3.values())} rows, wanted "
          f"{sum(want.values())}; extra {list((got3 - want).items())[:3]}, missing "
          f"{list((want - got3).items())[:3]}")


def terminate_restart_close(shell, query_id, bootstrap, sides, first, before, during):
    """TERMINATEs the query after `before` more records each side (ids from `first`), produces
    `during` more while it is stopped, RESTARTs it, closes every interval and FLUSHes; returns
    `sides` (orders, payments) with all that was produced."""
    orders, payments = sides
    for start, count, statement in ((first, before, f"TERMINATE QUERY {query_id};"),
                                    (first + before, during, f"RESTART QUERY {query_id};")):
        more = produce(bootstrap, start, count)
        orders, payments = orders + more[0], payments + more[1]
        shell.statement(statement)
    closing = close_all(bootstrap)
    shell.statement("FLUSH;", timeout=120)
    return orders + closing[0], payments + closing[1]


def create_sides(shell):
    """The streams orders and payments over their Kafka topics. A latency allowance larger than
    the data's span: no row is ever late, however the partitions' reads interleave."""
    for name, columns in [("orders", "id BIGINT, who VARCHAR, amount BIGINT, ts BIGINT"),
                          ("payments", "id BIGINT, pid BIGINT, who VARCHAR, paid BIGINT, "
                                       "ts BIGINT")]:
        shell.statement(f"CREATE STREAM {name} ({columns}) WITH ('store'='k', "
                        f"'topic'='{name}', 'timestamp'='ts', "
                        "'source.allow.latency.millis'='1000000');")


def test(binary, mock_binary, temp):
    topics = [f"orders:{LEFT_PARTITIONS}", f"payments:{RIGHT_PARTITIONS}", "joined1:2",
              "joined3:2"]
    with kafka_session(binary, mock_binary, temp, topics, 5000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        create_sides(shell)
        orders, payments = produce(bootstrap, 1, 600)
        queries = {}
        for name, parallelism in [("joined1", 1), ("joined3", 3)]:
            queries[name] = start_on_kafka(shell, "STREAM", name, parallelism, JOIN_SQL)
        more = produce(bootstrap, 601, 600)
        orders, payments = orders + more[0], payments + more[1]
        shell.statement("FLUSH;", timeout=120)
        workers = describe_three_groups(shell, queries["joined3"])
        # The watermark (each partition's latest time - 1000 s) closed no interval: matches only.
        check_outputs(bootstrap, orders, payments, "before any crash", exact3=True, closed=False)

        # SIGKILL mid-stream: a stage-1 worker of the right side and a stage-2 worker.
        more = produce(bootstrap, 1201, 2000)
        orders, payments = orders + more[0], payments + more[1]
        os.kill(workers[("stage 1 right", 1)][0], signal.SIGKILL)
        os.kill(workers[("stage 2", 2)][0], signal.SIGKILL)
        more = produce(bootstrap, 3201, 600)
        orders, payments = orders + more[0], payments + more[1]
        wait_restarted(shell, queries["joined3"], ("stage 1 right", 1),
                       workers[("stage 1 right", 1)][0])
        after = wait_restarted(shell, queries["joined3"], ("stage 2", 2),
                               workers[("stage 2", 2)][0])
        check(after[("stage 2", 0)][0] == workers[("stage 2", 0)][0],
              "killing one worker restarted its siblings too")

        # TERMINATE mid-stream, records meanwhile, RESTART: every worker resumes.
        orders, payments = terminate_restart_close(shell, queries["joined3"], bootstrap,
                                                   (orders, payments), 3801, 1000, 400)
        check_outputs(bootstrap, orders, payments, "after the crashes and RESTART",
                      exact3=False, closed=True)


if __name__ == "__main__":
    main(test, extra_args=1)
