"""GROUP BY with 'parallelism'=3 over librdkafka's mock cluster, repartitioned by key through a
local topic (docs/kafka.md "Parallelism"), with kcat as the independent client:

- a windowed COUNT/SUM per key and a non-windowed changelog give the same results with
  parallelism 1 and 3 over the same records, and both equal what Python computes;
- the watermark of stage 2 is the minimum over the source partitions: with 5 of 6 partitions
  past the end of the data, no window closes in either query; the 6th closes them all;
- a stage-2 worker and a stage-1 worker SIGKILLed mid-stream are restarted alone from their own
  checkpoints and the outputs stay exact (no count lost or doubled);
- DESCRIBE QUERY shows the repartition topic and both stages' workers, SHOW QUERIES one row;
- TERMINATE mid-stream keeps the repartition topic, and RESTART QUERY resumes both stages with
  exact counts; dropping the sink of a terminated query deletes the topic and RESTART says why
  it is refused;
- a new engine on the data dir resumes both stages from their checkpoints;
- a materialized view of the same GROUP BY with parallelism 3 reads as the expected counts;
- what stays refused: a parallel materialized view that is a projection (a GROUP BY over a
  changelog is kafka_repartition_changelog_test.py's, over a join
  kafka_repartition_join_group_test.py's).

usage: kafka_repartition_test.py <sluice binary> <sluice_kafka_mock binary>"""

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
from sluice_driver import PtyShell, check, main  # noqa: E402

PARTITIONS = 6
BASE = 1700000000000  # event time of id 0; ids are 10 ms apart, so 100 per 1-second window
FAR = BASE + 1000000  # the closing records' event time, past every window of the data
WINDOW_SQL = ("SELECT window_start, window_end, name, COUNT(*) AS n, SUM(amount) AS total "
              "FROM TUMBLE(grp_in, SIZE 1 SECOND) GROUP BY window_start, window_end, name")
COUNT_SQL = "SELECT name, COUNT(*) AS n, SUM(amount) AS total FROM grp_in " \
            "WHERE amount % 11 <> 0 GROUP BY name"


def produce(bootstrap, first, count, partitions=range(PARTITIONS)):
    """Records first..first+count-1, partition id % 6; returns them."""
    records = [{"id": i, "name": f"k{i % 7}", "amount": i, "ts": BASE + i * 10}
               for i in range(first, first + count)]
    for partition in partitions:
        part = [r for r in records if r["id"] % PARTITIONS == partition]
        if part:
            kcat(["-P", "-b", bootstrap, "-t", "grp_in", "-p", str(partition)],
                 "\n".join(json.dumps(r) for r in part) + "\n")
    return [r for r in records if r["id"] % PARTITIONS in partitions]


def close_partitions(bootstrap, partitions):
    """One record far in event time into each partition: it moves that partition's watermark."""
    records = []
    for partition in partitions:
        record = {"id": 1000000 + partition, "name": "zz", "amount": 1, "ts": FAR}
        kcat(["-P", "-b", bootstrap, "-t", "grp_in", "-p", str(partition)],
             json.dumps(record) + "\n")
        records.append(record)
    return records


def consume(bootstrap, topic):
    return [json.loads(line) for line in kafka_consume(bootstrap, topic)]


def window_rows(records):
    """Multiset of (window index, name, n, total) of the closed windows of `records`."""
    groups = collections.defaultdict(lambda: [0, 0])
    for r in records:
        if r["ts"] >= FAR:
            continue  # its window stays open
        group = groups[((r["ts"] - BASE) // 1000, r["name"])]
        group[0] += 1
        group[1] += r["amount"]
    return collections.Counter((w, name, n, total) for (w, name), (n, total) in groups.items())


def got_window_rows(rows):
    starts = sorted({str(r["window_start"]) for r in rows})
    index = {start: i for i, start in enumerate(starts)}
    return collections.Counter((index[str(r["window_start"])], r["name"], r["n"], r["total"])
                               for r in rows)


def final_counts(records):
    totals = {}
    for r in records:
        if r["amount"] % 11 == 0:
            continue
        n, total = totals.get(r["name"], (0, 0))
        totals[r["name"]] = (n + 1, total + r["amount"])
    return totals


def got_final_counts(rows):
    """The last update of each key (a key's updates share a partition, in order)."""
    return {r["name"]: (r["n"], r["total"]) for r in rows}


def describe(shell, query_id):
    """{(stage, worker): (pid, state, [partitions], lag)} and the text of DESCRIBE QUERY."""
    start = len(shell.output)
    shell.statement(f"DESCRIBE QUERY {query_id};")
    text = shell.output[start:]
    workers = {}
    for stage, index, pid, state in re.findall(
            r"^\s*stage (\d) worker (\d+)\s*\|\s*pid (\d+), (\w+)", text, re.M):
        workers[(int(stage), int(index))] = [int(pid), state, None, None]
    for stage, index, listed in re.findall(
            r"^\s*stage (\d) worker (\d+) partitions\s*\|\s*([\d, ]*?)\s*$", text, re.M):
        if (int(stage), int(index)) in workers:
            workers[(int(stage), int(index))][2] = [int(p) for p in listed.split(",") if p.strip()]
    for stage, index, lag in re.findall(r"^\s*stage (\d) worker (\d+) lag\s*\|\s*(.*?)\s*$",
                                        text, re.M):
        if (int(stage), int(index)) in workers:
            workers[(int(stage), int(index))][3] = lag
    return workers, text


def wait_restarted(shell, query_id, worker, old_pid, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        workers, text = describe(shell, query_id)
        if worker in workers and workers[worker][0] != old_pid and workers[worker][1] == "RUNNING":
            return workers
        check(time.monotonic() < deadline, f"{worker} of query {query_id} not restarted:\n{text}")
        time.sleep(0.2)


def check_describe(shell, query_id):
    workers, text = describe(shell, query_id)
    check(sorted(workers) == [(s, w) for s in (1, 2) for w in range(3)],
          "DESCRIBE QUERY does not show 3 workers per stage:\n" + text)
    check(len({w[0] for w in workers.values()}) == 6, "workers share a pid:\n" + text)
    check(all(w[1] == "RUNNING" for w in workers.values()), "a worker is not RUNNING:\n" + text)
    stage1 = sorted(p for (s, _), w in workers.items() if s == 1 for p in w[2])
    check(stage1 == list(range(PARTITIONS)), f"stage 1 partitions {stage1}:\n" + text)
    check(workers[(2, 1)][2] == [1, 4, 7], "stage 2 worker 1 does not read the repartition "
          "topic's partitions 1, 4, 7:\n" + text)
    check(all(w[3] == "0" for w in workers.values()), "lag after FLUSH is not 0:\n" + text)
    check(re.search(rf"repartition topic\s*\|\s*_sluice_repartition_{query_id}\s*$", text, re.M),
          "no repartition topic row:\n" + text)


def test(binary, mock_binary, temp):
    topics = [f"grp_in:{PARTITIONS}", "win1:2", "win3:2", "cnt1:2", "cnt3:2", "grp_bad:1"]
    with kafka_session(binary, mock_binary, temp, topics, 5000) as (cluster, shell):
        bootstrap = cluster.bootstrap
        # A latency allowance larger than the data's span: no record is ever late, however the
        # partitions' reads interleave; windows close only when every partition got its
        # closing record.
        shell.statement("CREATE STREAM grp_in (id BIGINT, name VARCHAR, amount BIGINT, "
                        "ts BIGINT) WITH ('store'='k', 'topic'='grp_in', 'timestamp'='ts', "
                        "'source.allow.latency.millis'='100000');")
        records = produce(bootstrap, 1, 600)
        queries = {}
        for name, parallelism, kind, sql in [("win1", 1, "STREAM", WINDOW_SQL),
                                             ("win3", 3, "STREAM", WINDOW_SQL),
                                             ("cnt1", 1, "CHANGELOG", COUNT_SQL),
                                             ("cnt3", 3, "CHANGELOG", COUNT_SQL)]:
            queries[name] = start_on_kafka(shell, kind, name, parallelism, sql)
        records += produce(bootstrap, 601, 600)
        shell.statement("FLUSH;", timeout=120)
        check_describe(shell, queries["win3"])
        start = len(shell.output)
        shell.statement("SHOW QUERIES;")
        listing = shell.output[start:]
        for name in ("win3", "cnt3"):
            rows = re.findall(rf"^\s*{queries[name]}\s*\|.*$", listing, re.M)
            check(len(rows) == 1 and re.search(r"RUNNING.*\|\s*3\s*$", rows[0]),
                  f"SHOW QUERIES does not show {name} once, RUNNING with parallelism 3:\n" +
                  listing)
        check(got_final_counts(consume(bootstrap, "cnt3")) == final_counts(records),
              "cnt3 differs from the expected counts after FLUSH")

        # SIGKILL mid-stream: stage 2 of the windowed query, stage 1 of the changelog.
        win_workers, _ = describe(shell, queries["win3"])
        cnt_workers, _ = describe(shell, queries["cnt3"])
        records += produce(bootstrap, 1201, 3000)
        os.kill(win_workers[(2, 1)][0], signal.SIGKILL)
        os.kill(cnt_workers[(1, 2)][0], signal.SIGKILL)
        records += produce(bootstrap, 4201, 600)
        after = wait_restarted(shell, queries["win3"], (2, 1), win_workers[(2, 1)][0])
        check(after[(2, 0)][0] == win_workers[(2, 0)][0] and
              after[(1, 1)][0] == win_workers[(1, 1)][0],
              "killing one worker restarted its siblings too")
        wait_restarted(shell, queries["cnt3"], (1, 2), cnt_workers[(1, 2)][0])

        # 5 of 6 partitions past the data: the 6th still holds every window open.
        records += close_partitions(bootstrap, range(PARTITIONS - 1))
        shell.statement("FLUSH;", timeout=120)
        for name in ("win1", "win3"):
            early = consume(bootstrap, name)
            check(not early, f"{name} closed {len(early)} windows while partition 5 was behind")
        records += close_partitions(bootstrap, [PARTITIONS - 1])
        shell.statement("FLUSH;", timeout=120)

        want = window_rows(records)
        got1 = got_window_rows(consume(bootstrap, "win1"))
        got3 = got_window_rows(consume(bootstrap, "win3"))
        check(got1 == want, f"parallelism 1 wrote {sum(got1.values())} window rows, wanted "
              f"{sum(want.values())}; extra {list((got1 - want).items())[:3]}, missing "
              f"{list((want - got1).items())[:3]}")
        check(got3 == want, describe(shell, queries["win3"])[1] +
              f"parallelism 3 wrote {sum(got3.values())} window rows, wanted "
              f"{sum(want.values())}; extra {list((got3 - want).items())[:3]}, missing "
              f"{list((want - got3).items())[:3]}")
        want_counts = final_counts(records)
        for name in ("cnt1", "cnt3"):
            got = got_final_counts(consume(bootstrap, name))
            check(got == want_counts, f"{name} final counts {sorted(got.items())} != "
                  f"{sorted(want_counts.items())}")
        start = len(shell.output)
        shell.statement(f"DESCRIBE QUERY {queries['win3']};")
        check(re.search(r"last crash\s*\|\s*stage 2 worker 1 of 3: worker killed by signal 9",
                        shell.output[start:]), "DESCRIBE does not name the crashed worker:\n" +
              shell.output[start:])

        # TERMINATE mid-stream keeps the repartition topic and every worker's checkpoint:
        # RESTART QUERY resumes both stages, rows stage 2 had not read yet included, and rows
        # produced while terminated count once.
        topic_dir = os.path.join(temp.data_dir, "log", "topics",
                                 f"_sluice_repartition_{queries['cnt3']}")
        records += produce(bootstrap, 5001, 3000)
        shell.statement(f"TERMINATE QUERY {queries['cnt3']};")
        check(os.path.isdir(topic_dir), f"{topic_dir} did not survive TERMINATE QUERY")
        records += produce(bootstrap, 8001, 600)
        shell.statement(f"RESTART QUERY {queries['cnt3']};")
        shell.statement("FLUSH;", timeout=120)
        workers, text = describe(shell, queries["cnt3"])
        check(len(workers) == 6 and all(w[1] == "RUNNING" for w in workers.values()),
              "the restarted query does not run 3 + 3 workers:\n" + text)
        want_counts = final_counts(records)
        for name in ("cnt1", "cnt3"):
            got = got_final_counts(consume(bootstrap, name))
            check(got == want_counts, f"{name} after TERMINATE and RESTART: "
                  f"{sorted(got.items())} != {sorted(want_counts.items())}")

        # Dropping a relation a terminated query uses releases it: the repartition topic goes,
        # and RESTART QUERY says why it cannot resume.
        topic_dir = os.path.join(temp.data_dir, "log", "topics",
                                 f"_sluice_repartition_{queries['win3']}")
        shell.statement(f"TERMINATE QUERY {queries['win3']};")
        check(os.path.isdir(topic_dir), f"{topic_dir} did not survive TERMINATE QUERY")
        shell.statement("DROP STREAM win3;")
        check(not os.path.exists(topic_dir), f"{topic_dir} survived DROP STREAM win3")
        start = len(shell.output)
        shell.statement(f"RESTART QUERY {queries['win3']};")
        check("(default_db.public.win3) was dropped after it was terminated" in
              shell.output[start:], "RESTART of a query whose sink was dropped was not "
              "refused:\n" + shell.output[start:])
        check_parallel_view(shell, records)
        test_refusals(shell)
        shell.close()
        test_engine_restart(binary, temp, bootstrap, queries, records)


def test_engine_restart(binary, temp, bootstrap, queries, records):
    """A new engine on the data dir resumes both stages, each worker from its own checkpoint."""
    shell = PtyShell(binary, temp)
    try:
        shell.expect(r"sluice:\S*> ")
        records = records + produce(bootstrap, 9001, 600)
        shell.statement("FLUSH;", timeout=120)
        workers, text = describe(shell, queries["cnt3"])
        check(len(workers) == 6 and all(w[1] == "RUNNING" for w in workers.values()),
              "the resumed query does not run 3 + 3 workers:\n" + text)
        want = final_counts(records)
        for name in ("cnt1", "cnt3"):
            got = got_final_counts(consume(bootstrap, name))
            check(got == want, f"{name} after the engine restart: {sorted(got.items())} != "
                  f"{sorted(want.items())}")
    finally:
        shell.close()


def check_parallel_view(shell, records):
    """The same GROUP BY as a materialized view with parallelism 3: its stages read the Kafka
    topic, its view worker applies the local view topic to the store; full and point reads."""
    shell.statement(f"CREATE MATERIALIZED VIEW cntv3 WITH ('parallelism'=3) AS {COUNT_SQL};")
    shell.statement("FLUSH;", timeout=120)
    want = final_counts(records)
    for where in ("", " WHERE name = 'k3'"):
        start = len(shell.output)
        shell.statement(f"SELECT name, n, total FROM cntv3{where} ORDER BY name;")
        got = {name: (int(n), int(total)) for name, n, total in re.findall(
            r"^\s*(k\d+|zz)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*$", shell.output[start:], re.M)}
        wanted = want if not where else {"k3": want["k3"]}
        check(got == wanted, f"parallel view cntv3{where}: {sorted(got.items())} != "
              f"{sorted(wanted.items())}")


def test_refusals(shell):
    cases = [
        ("CREATE MATERIALIZED VIEW grp_view WITH ('parallelism'=2) AS "
         "SELECT name FROM grp_in;",
         "needs a GROUP BY in a materialized view"),
    ]
    for sql, message in cases:
        check_refused(shell, sql, message)


def check_refused(shell, sql, message):
    start = len(shell.output)
    shell.statement(sql)
    check(message in shell.output[start:], f"{sql} was not refused with {message!r}:\n" +
          shell.output[start:])


if __name__ == "__main__":
    main(test, extra_args=1)
