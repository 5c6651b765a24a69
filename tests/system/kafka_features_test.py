"""Kafka features against librdkafka's mock cluster, with kcat as the independent client:

- row functions: ROWTIME(), ROWKEY(), ROWMETA() read the timestamp, key, offset and headers kcat
  gave the records;
- 'key.format'='json' / 'primitive' with 'key.columns' set the output records' keys;
- ALTER STORE rotates the store's settings: sealed, never echoed, picked up by RESTART QUERY;
- 'delivery.guarantee'='exactly_once': the worker SIGKILLed several times right after its output
  committed, a read_committed kcat consumer sees every expected record exactly once (the mock
  cluster does not filter aborted transactions for read_committed consumers, so kills inside an
  open transaction cannot be judged against it: see docs/kafka.md);
- EXPLAIN CREATE over a Kafka store creates neither the declared topic nor the relation;
- a topic deleted under a running query fails it with a reason naming the topic.

usage: kafka_features_test.py <sluice binary> <sluice_kafka_mock binary>"""

import json
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafka_test  # noqa: E402
from kafka_test import kafka_session, assert_no_clear_password, kcat, worker_pid  # noqa: E402
from sluice_driver import check, main  # noqa: E402

NEW_PASSWORD = "rotated-Pw-77-never-in-clear"


def wait_for_state(shell, query_id, pattern, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        start = len(shell.output)
        shell.statement("SHOW QUERIES;")
        recent = shell.output[start:]
        if re.search(rf"^\s*{query_id}\s*\|.*{pattern}", recent, re.M):
            return recent
        check(time.monotonic() < deadline,
              f"query {query_id} never matched {pattern!r}:\n{recent}")
        time.sleep(0.5)


def consume(bootstrap, topic, fmt=None, committed=False):
    args = ["-C", "-b", bootstrap, "-t", topic, "-e", "-q"]
    if fmt:
        args += ["-f", fmt]
    if committed:
        args += ["-X", "isolation.level=read_committed"]
    return [line for line in kcat(args).split("\n") if line]


def test_row_functions(shell, bootstrap):
    lines = [f"key{i}:" + json.dumps({"id": i}) for i in range(1, 4)]
    kcat(["-P", "-b", bootstrap, "-t", "ev", "-K", ":", "-H", "trace=abc"], "\n".join(lines) + "\n")
    kcat(["-P", "-b", bootstrap, "-t", "ev"], json.dumps({"id": 4}) + "\n")  # no key, no header
    stamps = consume(bootstrap, "ev", fmt="%T\\n")
    check(len(stamps) == 4, f"kcat read {stamps} timestamps from ev")
    shell.statement("CREATE STREAM ev (id BIGINT) WITH ('store'='k', 'topic'='ev');")
    shell.statement(
        "CREATE STREAM ev_meta WITH ('store'='k', 'topic'='ev_meta') AS SELECT id, "
        "ROWKEY() AS k, ROWTIME() AS t, ROWMETA()->topic AS topic, ROWMETA()->partition AS p, "
        "ROWMETA()->offset AS o, ROWMETA()->timestamp_type AS tt, "
        "ROWMETA()->headers['trace'] AS trace FROM ev;")
    shell.statement("FLUSH;", timeout=120)
    got = [json.loads(line) for line in consume(bootstrap, "ev_meta")]
    want = [{"id": i, "k": f"key{i}" if i < 4 else None, "t": int(stamps[i - 1]), "topic": "ev",
             "p": 0, "o": i - 1, "tt": "CreateTime", "trace": "abc" if i < 4 else None}
            for i in range(1, 5)]
    check(got == want, f"row functions over Kafka gave {got}, wanted {want}")
    # In a join each side's calls read that side's Kafka record.
    shell.statement(
        "CREATE STREAM ev_join WITH ('store'='k', 'topic'='ev_join') AS SELECT a.id, "
        "ROWKEY(a) AS ka, ROWMETA(a)->headers['trace'] AS trace, ROWMETA(b)->topic AS tb, "
        "ROWMETA(b)->offset AS ob FROM ev a JOIN ev_meta b WITHIN 1 HOUR ON a.id = b.id;")
    shell.statement("FLUSH;", timeout=120)
    got = sorted((json.loads(line) for line in consume(bootstrap, "ev_join")),
                 key=lambda r: r["id"])
    want = [{"id": i, "ka": f"key{i}" if i < 4 else None, "trace": "abc" if i < 4 else None,
             "tb": "ev_meta", "ob": i - 1} for i in range(1, 5)]
    check(got == want, f"row functions in a join over Kafka gave {got}, wanted {want}")


def test_key_format(shell, bootstrap):
    shell.statement("CREATE STREAM keyed_json WITH ('store'='k', 'topic'='keyed_json', "
                    "'key.columns'='id, k', 'key.format'='json') AS SELECT id, ROWKEY() AS k "
                    "FROM ev WHERE id < 3;")
    shell.statement("CREATE STREAM keyed_prim WITH ('store'='k', 'topic'='keyed_prim', "
                    "'key.columns'='id', 'key.format'='primitive') AS SELECT id FROM ev "
                    "WHERE id < 3;")
    shell.statement("FLUSH;", timeout=120)
    keys = [json.loads(line) for line in consume(bootstrap, "keyed_json", fmt="%k\\n")]
    check(keys == [{"id": 1, "k": "key1"}, {"id": 2, "k": "key2"}],
          f"'key.format'='json' wrote keys {keys}")
    keys = consume(bootstrap, "keyed_prim", fmt="%k\\n")
    check(keys == ["1", "2"], f"'key.format'='primitive' wrote keys {keys}")


def test_alter_store(shell, bootstrap, data_dir):
    # ev_meta is query 1. Point the store at a port nobody listens on: RESTART QUERY picks the
    # new setting up and the query retries, naming it; back to the cluster, it runs again.
    start = len(shell.output)
    shell.statement(f"ALTER STORE k SET ('uris'='127.0.0.1:9', "
                    f"'kafka.sasl.password'='{NEW_PASSWORD}');")
    check("ALTER STORE" in shell.output[start:], "ALTER STORE failed:\n" + shell.output[start:])
    start = len(shell.output)
    shell.statement("DESCRIBE STORE k;")
    described = shell.output[start:]
    check("127.0.0.1:9" in described and "********" in described and
          NEW_PASSWORD not in described, "DESCRIBE STORE after ALTER STORE:\n" + described)
    shell.statement("RESTART QUERY 1;")
    wait_for_state(shell, 1, r"RETRYING.*broker unreachable for store k \(127\.0\.0\.1:9\)")
    shell.statement(f"ALTER STORE k SET ('uris'='{bootstrap}');")
    shell.statement("RESTART QUERY 1;")
    kcat(["-P", "-b", bootstrap, "-t", "ev", "-K", ":"], "key5:" + json.dumps({"id": 5}) + "\n")
    shell.statement("FLUSH;", timeout=120)
    got = [json.loads(line)["id"] for line in consume(bootstrap, "ev_meta")]
    check(got == [1, 2, 3, 4, 5], f"after ALTER STORE and RESTART QUERY ev_meta holds {got}")
    # The rotated password is sealed: not in the catalog, the audit log, or the worker.
    kafka_test.PASSWORD = NEW_PASSWORD  # what assert_no_clear_password looks for
    assert_no_clear_password(data_dir, worker_pid(shell, 1))


def test_exactly_once(shell, bootstrap):
    shell.statement("CREATE STREAM eo_src (id BIGINT, name VARCHAR) WITH ('store'='k', "
                    "'topic'='eo_in');")
    start = len(shell.output)
    shell.statement("CREATE STREAM eo_bad WITH ('store'='k', 'topic'='eo_out', "
                    "'delivery.guarantee'='exactly-once') AS SELECT id FROM eo_src;")
    check("must be 'at_least_once' (the default) or 'exactly_once', got 'exactly-once'"
          in shell.output[start:], "a bad 'delivery.guarantee' is not refused:\n" +
          shell.output[start:])
    start = len(shell.output)
    shell.statement("CREATE STREAM eo WITH ('store'='k', 'topic'='eo_out', "
                    "'delivery.guarantee'='exactly_once') AS SELECT id, UPPER(name) AS name "
                    "FROM eo_src WHERE id % 3 <> 0;")
    match = re.search(r"query (\d+) started", shell.output[start:])
    check(match is not None, "exactly-once query did not start:\n" + shell.output[start:])
    query_id = int(match.group(1))
    expected = []
    next_id = 1
    for round_idx in range(4):
        batch = [{"id": i, "name": f"n{i}"} for i in range(next_id, next_id + 60)]
        next_id += 60
        for partition in (0, 1):
            kcat(["-P", "-b", bootstrap, "-t", "eo_in", "-p", str(partition)],
                 "\n".join(json.dumps(r) for r in batch[partition::2]) + "\n")
        expected += [{"id": r["id"], "name": r["name"].upper()} for r in batch if r["id"] % 3]
        shell.statement("FLUSH;", timeout=120)
        # Right after its output committed, before it may have saved positions of its own.
        # The supervisor restarts the killed worker from the transaction's committed offsets.
        old_pid = worker_pid(shell, query_id)
        os.kill(old_pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while True:
            start = len(shell.output)
            shell.statement(f"DESCRIBE QUERY {query_id};")
            pid = re.search(r"worker pid\s*\|?\s*(\d+)", shell.output[start:])
            if pid is not None and int(pid.group(1)) != old_pid:
                break
            check(time.monotonic() < deadline, "killed exactly-once worker was not restarted")
            time.sleep(0.1)
    shell.statement("FLUSH;", timeout=120)
    got = [json.loads(line) for line in consume(bootstrap, "eo_out", committed=True)]
    got.sort(key=lambda r: r["id"])
    check(got == expected, f"read_committed consumer saw {len(got)} records, wanted "
          f"{len(expected)}; first differences: "
          f"{[r for r in got if got.count(r) > 1][:5]} / "
          f"{[r for r in expected if r not in got][:5]}")


def test_explain(shell, bootstrap):
    # EXPLAIN of a CREATE whose declared topic is missing plans it as it would run (exactly-once,
    # the declared partitions) but creates neither the topic nor the relation nor a query.
    start = len(shell.output)
    shell.statement("EXPLAIN CREATE STREAM eo_explained WITH ('store'='k', "
                    "'topic'='explained_new', 'partitions'=2, "
                    "'delivery.guarantee'='exactly_once') AS SELECT id FROM eo_src;")
    shown = shell.output[start:]
    check("delivery exactly_once" in shown and "topic 'explained_new', 2 partitions" in shown,
          "EXPLAIN does not show the Kafka sink and its guarantee:\n" + shown)
    topics = kcat(["-L", "-b", bootstrap, "-J"])
    check("explained_new" not in topics, "EXPLAIN created the Kafka topic:\n" + topics)
    start = len(shell.output)
    shell.statement("SHOW RELATIONS;")
    check("eo_explained" not in shell.output[start:],
          "EXPLAIN created the relation:\n" + shell.output[start:])


def test_deleted_topic(shell, cluster, bootstrap):
    kcat(["-P", "-b", bootstrap, "-t", "doomed"], json.dumps({"id": 1}) + "\n")
    shell.statement("CREATE STREAM doomed (id BIGINT) WITH ('store'='k', 'topic'='doomed');")
    start = len(shell.output)
    shell.statement("CREATE STREAM doomed_out WITH ('store'='k', 'topic'='doomed_out') AS "
                    "SELECT id FROM doomed;")
    match = re.search(r"query (\d+) started", shell.output[start:])
    check(match is not None, "query over doomed did not start:\n" + shell.output[start:])
    shell.statement("FLUSH;", timeout=120)
    cluster.command("delete doomed")
    recent = wait_for_state(shell, int(match.group(1)), "FAILED", timeout=90)
    check(re.search(r"FAILED.*topic 'doomed'.*no longer exists", recent) is not None,
          "a deleted topic does not fail the query naming it:\n" + recent)


def test(binary, mock_binary, temp):
    topics = ["ev:1", "ev_meta:1", "ev_join:1", "keyed_json:1", "keyed_prim:1", "eo_in:2",
              "eo_out:1", "doomed:1", "doomed_out:1"]
    with kafka_session(binary, mock_binary, temp, topics, 3000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        test_row_functions(shell, bootstrap)
        test_key_format(shell, bootstrap)
        test_alter_store(shell, bootstrap, temp.data_dir)
        test_exactly_once(shell, bootstrap)
        test_explain(shell, bootstrap)
        test_deleted_topic(shell, cluster, bootstrap)


if __name__ == "__main__":
    main(test, extra_args=1)
