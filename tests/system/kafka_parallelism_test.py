"""'parallelism'=N over librdkafka's mock cluster, with kcat as the independent client:

- the same stateless query with parallelism 1 and 3 writes the same multiset of records;
- DESCRIBE QUERY shows 3 workers, each with a pid, its partitions (disjoint, covering all six)
  and its lag; SHOW QUERIES shows the parallelism;
- one of the 3 workers SIGKILLed mid-stream is restarted alone from its own checkpoint and
  nothing is lost (at-least-once: repeats are allowed, missing records are not); DESCRIBE QUERY
  counts the restart for that worker only (`worker k restarts`), the query's `restarts` sums them;
- with 'delivery.guarantee'='exactly_once' each worker has its own transactional.id: a worker
  killed right after a commit is restarted and a read_committed consumer sees every record
  exactly once (the mock's limits on transactions: docs/kafka.md);
- the refusals that need a Kafka source: exactly-once for a join with parallelism into a local
  store (into Kafka it works: kafka_exactly_once_parallel_test.py), more workers than partitions (GROUP BY and joins: kafka_repartition_test.py);
  a refused statement leaves nothing behind: no output topic (a new Kafka topic is not even
  asked for before the query passed its checks; a local one is deleted again), no repartition
  topic and no relation, also when it fails after them (its source's end offsets unreadable);
- a new engine on the data dir resumes the 3 workers, each from its own checkpoint.

usage: kafka_parallelism_test.py <sluice binary> <sluice_kafka_mock binary>"""

import collections
import json
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_features_test import consume as kafka_consume  # noqa: E402
from kafka_test import kafka_session, kcat  # noqa: E402
from sluice_driver import PtyShell, check, main  # noqa: E402

PARTITIONS = 6
QUERY_SQL = "SELECT id, UPPER(name) AS name FROM par_in WHERE id % 5 <> 0"


def produce(bootstrap, topic, first, count):
    """Records first..first+count-1, spread over the partitions by id."""
    records = [{"id": i, "name": f"n{i}"} for i in range(first, first + count)]
    for partition in range(PARTITIONS):
        part = [r for r in records if r["id"] % PARTITIONS == partition]
        kcat(["-P", "-b", bootstrap, "-t", topic, "-p", str(partition)],
             "\n".join(json.dumps(r) for r in part) + "\n")
    return [{"id": r["id"], "name": r["name"].upper()} for r in records if r["id"] % 5]


def consume(bootstrap, topic, committed=False):
    return [json.loads(line) for line in kafka_consume(bootstrap, topic, committed=committed)]


def key(record):
    return (record["id"], record["name"])


def start_query(shell, sql):
    start = len(shell.output)
    shell.statement(sql)
    match = re.search(r"query (\d+) started", shell.output[start:])
    check(match is not None, f"query did not start: {sql}\n{shell.output[start:]}")
    return int(match.group(1))


def start_on_kafka(shell, kind, name, parallelism, sql, extra=""):
    """Starts CREATE `kind` `name` AS `sql` into topic `name` of store k with `parallelism`
    (and `extra` properties, each starting with a comma); returns the query id."""
    return start_query(shell, f"CREATE {kind} {name} WITH ('store'='k', 'topic'='{name}', "
                       f"'parallelism'={parallelism}{extra}) AS {sql};")


def describe_workers(shell, query_id):
    """{worker index: (pid, state, [partitions], lag text)} from DESCRIBE QUERY."""
    start = len(shell.output)
    shell.statement(f"DESCRIBE QUERY {query_id};")
    text = shell.output[start:]
    workers = {}
    for index, pid, state in re.findall(r"^\s*worker (\d+)\s*\|\s*pid (\d+), (\w+)", text, re.M):
        workers[int(index)] = [int(pid), state, None, None]
    for index, listed in re.findall(r"^\s*worker (\d+) partitions\s*\|\s*([\d, ]*?)\s*$", text,
                                    re.M):
        if int(index) in workers:
            workers[int(index)][2] = [int(p) for p in listed.split(",") if p.strip()]
    for index, lag in re.findall(r"^\s*worker (\d+) lag\s*\|\s*(.*?)\s*$", text, re.M):
        if int(index) in workers:
            workers[int(index)][3] = lag
    return workers, text


def wait_for_new_pid(shell, query_id, worker, old_pid, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        workers, text = describe_workers(shell, query_id)
        if worker in workers and workers[worker][0] != old_pid and workers[worker][1] == "RUNNING":
            return workers
        check(time.monotonic() < deadline,
              f"worker {worker} of query {query_id} was not restarted:\n{text}")
        time.sleep(0.2)


def test_same_results(shell, bootstrap):
    shell.statement("CREATE STREAM par_in (id BIGINT, name VARCHAR) WITH ('store'='k', "
                    "'topic'='par_in');")
    expected = produce(bootstrap, "par_in", 1, 600)
    one = start_query(shell, "CREATE STREAM out1 WITH ('store'='k', 'topic'='par_out1', "
                      f"'parallelism'='1') AS {QUERY_SQL};")
    three = start_query(shell, "CREATE STREAM out3 WITH ('store'='k', 'topic'='par_out3', "
                        f"'parallelism'=3) AS {QUERY_SQL};")
    expected += produce(bootstrap, "par_in", 601, 600)
    shell.statement("FLUSH;", timeout=120)
    got1 = collections.Counter(key(r) for r in consume(bootstrap, "par_out1"))
    got3 = collections.Counter(key(r) for r in consume(bootstrap, "par_out3"))
    want = collections.Counter(key(r) for r in expected)
    check(got1 == want, f"parallelism 1 wrote {sum(got1.values())} records, wanted {len(expected)}")
    check(got3 == got1, f"parallelism 3 wrote {sum(got3.values())} records, parallelism 1 "
          f"{sum(got1.values())}; differences: {list((got3 - got1).items())[:5]} / "
          f"{list((got1 - got3).items())[:5]}")

    workers, text = describe_workers(shell, three)
    check(sorted(workers) == [0, 1, 2], "DESCRIBE QUERY does not show 3 workers:\n" + text)
    check(len({w[0] for w in workers.values()}) == 3, "the 3 workers share a pid:\n" + text)
    check(all(w[1] == "RUNNING" for w in workers.values()), "a worker is not RUNNING:\n" + text)
    listed = [p for w in workers.values() for p in (w[2] or [])]
    check(sorted(listed) == list(range(PARTITIONS)),
          f"workers' partitions are not disjoint and covering: {listed}\n" + text)
    check(all(w[3] == "0" for w in workers.values()), "lag after FLUSH is not 0:\n" + text)
    check(re.search(r"^\s*parallelism\s*\|\s*3\s*$", text, re.M), "no parallelism row:\n" + text)
    start = len(shell.output)
    shell.statement("SHOW QUERIES;")
    listing = shell.output[start:]
    check(re.search(rf"^\s*{three}\s*\|.*RUNNING.*\|\s*0\s*\|\s*3\s*$", listing, re.M) and
          re.search(rf"^\s*{one}\s*\|.*RUNNING.*\|\s*0\s*\|\s*1\s*$", listing, re.M),
          "SHOW QUERIES does not show parallelism 3 and 1 as RUNNING:\n" + listing)
    return three, expected


def test_kill_one_worker(shell, bootstrap, query_id, expected):
    workers, text = describe_workers(shell, query_id)
    victim_pid = workers[1][0]
    expected = expected + produce(bootstrap, "par_in", 1201, 3000)
    os.kill(victim_pid, signal.SIGKILL)  # while it works through its share of the 3000
    expected += produce(bootstrap, "par_in", 4201, 600)
    after = wait_for_new_pid(shell, query_id, 1, victim_pid)
    check(after[0][0] == workers[0][0] and after[2][0] == workers[2][0],
          "killing worker 1 restarted its siblings too")
    shell.statement("FLUSH;", timeout=120)
    got = collections.Counter(key(r) for r in consume(bootstrap, "par_out3"))
    want = collections.Counter(key(r) for r in expected)
    missing = want - got
    check(not missing, f"{sum(missing.values())} records lost after SIGKILL: "
          f"{list(missing)[:5]}")
    unexpected = set(got) - set(want)
    check(not unexpected, f"unexpected records: {list(unexpected)[:5]}")
    start = len(shell.output)
    shell.statement(f"DESCRIBE QUERY {query_id};")
    check(re.search(r"last crash\s*\|\s*worker 1 of 3: worker killed by signal 9",
                    shell.output[start:]), "DESCRIBE does not name the crashed worker:\n" +
          shell.output[start:])
    # Restarts per worker: only the killed one was restarted; the query's count is their sum.
    described = shell.output[start:]
    per_worker = {int(w): int(n) for w, n in
                  re.findall(r"worker (\d+) restarts\s*\|\s*(\d+)", described)}
    total = re.search(r"^\s*restarts\s*\|\s*(\d+)", described, re.M)
    check(per_worker == {0: 0, 1: 1, 2: 0} and total is not None and int(total.group(1)) == 1,
          "DESCRIBE QUERY does not show 1 restart of worker 1 only:\n" + described)
    return expected


def test_engine_restart(binary, temp, bootstrap, query_id, expected):
    """A new engine on the data dir resumes the 3 workers, each from its own checkpoint."""
    shell = PtyShell(binary, temp)
    try:
        shell.expect(r"sluice:\S*> ")
        expected = expected + produce(bootstrap, "par_in", 4801, 600)
        shell.statement("FLUSH;", timeout=120)
        workers, text = describe_workers(shell, query_id)
        check(sorted(workers) == [0, 1, 2] and all(w[1] == "RUNNING" for w in workers.values()),
              "the resumed query does not run 3 workers:\n" + text)
        got = collections.Counter(key(r) for r in consume(bootstrap, "par_out3"))
        want = collections.Counter(key(r) for r in expected)
        check(not (want - got), f"records lost across the engine restart: {list(want - got)[:5]}")
        check(not (set(got) - set(want)), f"unexpected records: {list(set(got) - set(want))[:5]}")
    finally:
        shell.close()


def test_exactly_once(shell, bootstrap):
    shell.statement("CREATE STREAM eo_in (id BIGINT, name VARCHAR) WITH ('store'='k', "
                    "'topic'='eo_in');")
    query_id = start_query(shell, "CREATE STREAM eo WITH ('store'='k', 'topic'='eo_out', "
                           "'delivery.guarantee'='exactly_once', 'parallelism'=3) AS "
                           "SELECT id, UPPER(name) AS name FROM eo_in WHERE id % 5 <> 0;")
    expected = []
    for round_idx in range(3):
        expected += produce(bootstrap, "eo_in", 1 + round_idx * 300, 300)
        shell.statement("FLUSH;", timeout=120)
        # Right after the workers' commits; the killed one resumes from its own offsets.
        workers, _ = describe_workers(shell, query_id)
        victim = round_idx % 3
        os.kill(workers[victim][0], signal.SIGKILL)
        wait_for_new_pid(shell, query_id, victim, workers[victim][0])
    shell.statement("FLUSH;", timeout=120)
    got = collections.Counter(key(r) for r in consume(bootstrap, "eo_out", committed=True))
    want = collections.Counter(key(r) for r in expected)
    check(got == want, f"read_committed consumer saw {sum(got.values())} records, wanted "
          f"{len(expected)}; extra {list((got - want).items())[:5]}, missing "
          f"{list((want - got).items())[:5]}")


def local_topics(shell):
    start = len(shell.output)
    shell.statement("SHOW TOPICS IN STORE local;")
    return set(re.findall(r"^\s*(\w+)\s*\|\s*\d+\s*$", shell.output[start:], re.M))


def test_refusals(shell, cluster):
    shell.statement("CREATE STREAM par_right (id BIGINT, tag VARCHAR) WITH ('store'='k', "
                    "'topic'='par_right');")
    shell.statement("CREATE STREAM par_gone (id BIGINT) WITH ('store'='k', 'topic'='par_gone');")
    # Its end offsets cannot be read any more: a query bounded by them fails at CREATE, after
    # its output and repartition topics were made.
    cluster.command("delete par_gone")
    topics_before = local_topics(shell)
    cases = [
        ("CREATE STREAM joined WITH ('parallelism'=2, 'delivery.guarantee'='exactly_once') AS "
         "SELECT a.id, b.tag FROM par_in a JOIN par_right b WITHIN 5 SECONDS ON a.id = b.id;",
         "the query must write to a Kafka store"),
        ("CREATE STREAM wide WITH ('store'='k', 'topic'='par_wide', 'parallelism'=7) AS "
         "SELECT id FROM par_in;",
         "'parallelism'=7 exceeds the 6 partitions of topic 'par_in'"),
        # A topic the mock cannot create (it has no CreateTopics): the refusal comes first.
        ("CREATE STREAM fresh WITH ('store'='k', 'topic'='par_fresh', 'partitions'=2, "
         "'parallelism'=7) AS SELECT id FROM par_in;",
         "'parallelism'=7 exceeds the 6 partitions of topic 'par_in'"),
        ("CREATE CHANGELOG gone_counts WITH ('parallelism'=2) AS SELECT id, COUNT(*) AS n FROM "
         "par_gone WITH ('ending.position'='latest') GROUP BY id;",
         "topic 'par_gone'"),
    ]
    for sql, message in cases:
        start = len(shell.output)
        shell.statement(sql, timeout=60)
        check(message in shell.output[start:], f"{sql} was not refused with {message!r}:\n" +
              shell.output[start:])
    topics_after = local_topics(shell)
    check(topics_after == topics_before,
          f"refused statements left local topics {sorted(topics_after - topics_before)}")
    listed = kcat(["-L", "-b", cluster.bootstrap])
    check('"par_fresh"' not in listed, "a refused statement created its Kafka topic:\n" + listed)
    start = len(shell.output)
    shell.statement("SHOW RELATIONS;")
    for name in ("joined", "wide", "fresh", "gone_counts"):
        check(re.search(rf"^\s*{name}\s*\|", shell.output[start:], re.M) is None,
              f"a refused statement left relation {name}:\n" + shell.output[start:])


def test(binary, mock_binary, temp):
    topics = [f"par_in:{PARTITIONS}", "par_out1:3", "par_out3:3", f"eo_in:{PARTITIONS}",
              "eo_out:2", "par_right:2", "par_counts:1", "par_joined:1", "par_wide:1", "par_gone:2"]
    with kafka_session(binary, mock_binary, temp, topics, 5000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        query_id, expected = test_same_results(shell, bootstrap)
        expected = test_kill_one_worker(shell, bootstrap, query_id, expected)
        test_exactly_once(shell, bootstrap)
        test_refusals(shell, cluster)
        shell.close()
        test_engine_restart(binary, temp, bootstrap, query_id, expected)


if __name__ == "__main__":
    main(test, extra_args=1)
