"""A stream-changelog (temporal) join with 'parallelism'=3 over librdkafka's mock cluster, the
stream repartitioned by its join key and the changelog by its primary key through local topics
(docs/kafka.md "Temporal joins with parallelism N"), with kcat as the independent client:

- the changelog holds 30000 versions of other keys before the queries start: neither one worker
  nor 3 + 3 + 3 joins an order before the changelog was read to its end once, so both write the
  rows Python computes (each order meets its customer's version as of the order's time);
- tombstones (kcat -Z) and new versions written later delete and change customers for the
  orders after them, through the repartition topic;
- DESCRIBE QUERY shows both repartition topics and the three groups of three workers;
- a stage-2 worker SIGKILLed is restarted alone and still joins the later orders (at-least-once
  Kafka sink: repeats allowed, losses not);
- TERMINATE then RESTART QUERY resumes all nine workers, the versions kept in stage 2 included;
- again, with versions and later orders written while stopped and a stage-2 worker SIGKILLed
  as soon as it runs after RESTART: restarted alone, it still joins every order with the
  versions written before it. (Whether it dies before its first checkpoint of the new run, and
  so restores the previous run's caught-up marks, depends on timing; JoinStageTemporalTest
  reproduces that case deterministically.)
Exactly-once for it: kafka_exactly_once_temporal_test.py.

usage: kafka_repartition_temporal_test.py <sluice binary> <sluice_kafka_mock binary>"""

import collections
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_features_test import consume as kafka_consume  # noqa: E402
from kafka_parallelism_test import start_on_kafka  # noqa: E402
from kafka_repartition_join_test import (describe, describe_three_groups,  # noqa: E402
                                        wait_restarted)
from kafka_test import kafka_session, kcat  # noqa: E402
from sluice_driver import check, main  # noqa: E402

ORDER_PARTITIONS = 6
CUSTOMER_PARTITIONS = 4
CUSTOMERS = 200
FILLER = 30000
# Orders of the first phase are an hour old, those of the second an hour ahead: a tombstone has
# no 'ts' and takes its Kafka timestamp (when kcat wrote it), which lies between the two.
NOW = int(time.time() * 1000)
PAST = NOW - 3600 * 1000
FUTURE = NOW + 3600 * 1000
JOIN_SQL = ("SELECT o.id, o.who, o.amount, c.tier FROM orders o LEFT JOIN customers c "
            "ON o.who = c.who")


def produce_orders(bootstrap, first, count, base):
    orders = [{"id": i, "who": f"c{i % CUSTOMERS}", "amount": i, "ts": base + i * 10}
              for i in range(first, first + count)]
    for partition in range(ORDER_PARTITIONS):
        part = [o for o in orders if o["id"] % ORDER_PARTITIONS == partition]
        kcat(["-P", "-b", bootstrap, "-t", "orders", "-p", str(partition)],
             "\n".join(json.dumps(o) for o in part) + "\n")
    return orders


def produce_versions(bootstrap, versions):
    """(who, tier or None for a tombstone, ts) keyed by who; a customer's versions stay in one
    partition, in order."""
    by_partition = collections.defaultdict(list)
    for who, tier, ts in versions:
        value = "" if tier is None else json.dumps({"who": who, "tier": tier, "ts": ts})
        by_partition[sum(who.encode()) % CUSTOMER_PARTITIONS].append(f"{who}:{value}")
    for partition, lines in by_partition.items():
        kcat(["-P", "-b", bootstrap, "-t", "customers", "-p", str(partition), "-K", ":", "-Z"],
             "\n".join(lines) + "\n")


def expected_rows(orders, versions):
    by_who = collections.defaultdict(list)
    for who, tier, ts in versions:
        by_who[who].append((ts, tier))
    rows = collections.Counter()
    for o in orders:
        before = [v for v in by_who[o["who"]] if v[0] <= o["ts"]]
        tier = max(before, key=lambda v: v[0])[1] if before else None
        rows[(o["id"], o["who"], o["amount"], tier)] += 1
    return rows


def got_rows(topic, bootstrap):
    return collections.Counter(
        (r["id"], r["who"], r["amount"], r["tier"])
        for r in (json.loads(line) for line in kafka_consume(bootstrap, topic)))


def check_outputs(bootstrap, orders, versions, when, exact3):
    want = expected_rows(orders, versions)
    for topic, exact in (("tj1", True), ("tj3", exact3)):
        got = got_rows(topic, bootstrap)
        # After a RESTART the Kafka sink (at-least-once) may repeat rows, never lose one.
        same = got == want if exact else set(got) == set(want)
        check(same, f"{when}: {topic} wrote {sum(got.values())} rows, wanted "
              f"{sum(want.values())}; extra {list((got - want).items())[:3]}, missing "
              f"{list((want - got).items())[:3]}")


def test(binary, mock_binary, temp):
    topics = [f"orders:{ORDER_PARTITIONS}", f"customers:{CUSTOMER_PARTITIONS}", "tj1:2", "tj3:2"]
    with kafka_session(binary, mock_binary, temp, topics, 5000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        # A latency allowance larger than the data's span: no order is ever late.
        shell.statement("CREATE STREAM orders (id BIGINT, who VARCHAR, amount BIGINT, ts BIGINT) "
                        "WITH ('store'='k', 'topic'='orders', 'timestamp'='ts', "
                        "'source.allow.latency.millis'='100000000');")
        shell.statement("CREATE CHANGELOG customers (who VARCHAR, tier VARCHAR, ts BIGINT, "
                        "PRIMARY KEY (who)) WITH ('store'='k', 'topic'='customers', "
                        "'timestamp'='ts');")
        # Many versions of other keys first, then each customer's: gold from before the orders,
        # silver for every third from the middle of them.
        versions = [(f"filler{j}", "x", PAST - 5000) for j in range(FILLER)]
        versions += [(f"c{i}", "gold", PAST - 1000) for i in range(CUSTOMERS)]
        versions += [(f"c{i}", "silver", PAST + 3000) for i in range(0, CUSTOMERS, 3)]
        produce_versions(bootstrap, versions)
        orders = produce_orders(bootstrap, 1, 600, PAST)
        queries = {}
        for name, parallelism in [("tj1", 1), ("tj3", 3)]:
            queries[name] = start_on_kafka(shell, "STREAM", name, parallelism, JOIN_SQL)
        shell.statement("FLUSH;", timeout=120)
        workers = describe_three_groups(shell, queries["tj3"])
        check_outputs(bootstrap, orders, versions, "over the changelog as it was", exact3=True)

        # A stage-2 worker SIGKILLed restarts alone: the changelog writers, still running, do not
        # announce again, so it must take from its checkpoint that they had caught up (else it
        # would never read an order again and FLUSH would time out).
        os.kill(workers[("stage 2", 1)][0], signal.SIGKILL)
        wait_restarted(shell, queries["tj3"], ("stage 2", 1), workers[("stage 2", 1)][0])

        # Tombstones for the first 50 customers, platinum for the next 50, then later orders.
        changes = [(f"c{i}", None, NOW) for i in range(50)]
        changes += [(f"c{i}", "platinum", FUTURE - 1000) for i in range(50, 100)]
        produce_versions(bootstrap, changes)
        versions += changes
        shell.statement("FLUSH;", timeout=120)
        orders += produce_orders(bootstrap, 601, 400, FUTURE)
        shell.statement("FLUSH;", timeout=120)
        check_outputs(bootstrap, orders, versions, "after deletes and updates", exact3=False)

        # TERMINATE, versions and orders meanwhile, RESTART: every worker resumes.
        shell.statement(f"TERMINATE QUERY {queries['tj3']};")
        changes = [(f"c{i}", "bronze", FUTURE + 10005) for i in range(100, 150)]
        produce_versions(bootstrap, changes)
        versions += changes
        shell.statement("FLUSH;", timeout=120)
        shell.statement(f"RESTART QUERY {queries['tj3']};")
        shell.statement("FLUSH;", timeout=120)
        orders += produce_orders(bootstrap, 1001, 600, FUTURE)
        shell.statement("FLUSH;", timeout=120)
        check_outputs(bootstrap, orders, versions, "after RESTART", exact3=False)

        # TERMINATE, versions then orders after them meanwhile, RESTART and at once SIGKILL a
        # stage-2 worker, which restarts alone.
        stage2 = ("stage 2", 0)
        old_pid = describe_three_groups(shell, queries["tj3"])[stage2][0]
        shell.statement(f"TERMINATE QUERY {queries['tj3']};")
        changes = [(f"c{i}", "tin", FUTURE + 16005) for i in range(150, 200)]
        produce_versions(bootstrap, changes)
        versions += changes
        shell.statement("FLUSH;", timeout=120)
        orders += produce_orders(bootstrap, 1601, 400, FUTURE)
        shell.statement(f"RESTART QUERY {queries['tj3']};")
        deadline = time.monotonic() + 60
        while True:
            workers, text = describe(shell, queries["tj3"])
            if stage2 in workers and workers[stage2][0] not in (0, old_pid) and \
                    workers[stage2][1] in ("STARTING", "RUNNING"):
                break
            check(time.monotonic() < deadline, "stage 2 worker 0 never started:\n" + text)
            time.sleep(0.01)
        os.kill(workers[stage2][0], signal.SIGKILL)
        wait_restarted(shell, queries["tj3"], stage2, workers[stage2][0])
        shell.statement("FLUSH;", timeout=120)
        check_outputs(bootstrap, orders, versions, "after RESTART and a stage-2 crash",
                      exact3=False)


if __name__ == "__main__":
    main(test, extra_args=1)
