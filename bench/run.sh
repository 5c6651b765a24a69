#!/usr/bin/env bash
# `make bench`: micro-benchmarks, the Nexmark suite (native and json-log modes) and the DuckDB
# peer, then bench/results/latest.{md,json}. Usage: bench/run.sh [BUILD_DIR]
#
# Environment (all optional):
#   SLUICE_BENCH_NATIVE_EVENTS  Nexmark events in native mode (default 10000000: 9.2M bids)
#   SLUICE_BENCH_JSON_EVENTS    Nexmark events in json-log mode (default 2173920: 2.0M bids)
#   SLUICE_BENCH_QUERIES        comma-separated subset, e.g. q0,q2 (default: all in the manifest)
#   SLUICE_BENCH_MODES          native,json-log (default both)
#   SLUICE_BENCH_REPEAT         runs per query and mode, median reported (default 3)
#   SLUICE_BENCH_MICRO=0        skip the Google Benchmark micro-benchmarks
#   SLUICE_BENCH_PEER=0         skip the DuckDB peer
#   SLUICE_BENCH_LATENCY=0      skip the latency bench
#   SLUICE_BENCH_VIEW=0         skip the materialized view point-read bench
#   SLUICE_BENCH_KAFKA=0        skip the Kafka consume -> produce bench
#   SLUICE_BENCH_MICRO_MIN_TIME seconds per micro-benchmark (default 0.05)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="$(cd "${1:-$ROOT/build}" && pwd)" || { echo "bench: no build dir ${1:-build}" >&2; exit 1; }
RESULTS="$ROOT/bench/results"
SLUICE="$BUILD_DIR/sluice"
RUNNER="$BUILD_DIR/bench/nexmark_runner"
MICRO="$BUILD_DIR/bench/micro_bench"
NATIVE_EVENTS="${SLUICE_BENCH_NATIVE_EVENTS:-10000000}"
JSON_EVENTS="${SLUICE_BENCH_JSON_EVENTS:-2173920}"
MODES="${SLUICE_BENCH_MODES:-native,json-log}"
QUERIES="${SLUICE_BENCH_QUERIES:-}"

mkdir -p "$RESULTS"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
START=$(date +%s)

for binary in "$SLUICE" "$RUNNER"; do
  [ -x "$binary" ] || { echo "bench: $binary is missing (run make build)" >&2; exit 1; }
done

# 1. Micro-benchmarks of the hot paths (short: they are a smoke signal, not the headline).
MICRO_JSON="$WORK/micro.json"
if [ "${SLUICE_BENCH_MICRO:-1}" != 0 ] && [ -x "$MICRO" ]; then
  echo "==> micro-benchmarks"
  "$MICRO" --benchmark_min_time="${SLUICE_BENCH_MICRO_MIN_TIME:-0.05}" \
    --benchmark_out="$MICRO_JSON" --benchmark_out_format=json || echo "bench: micro_bench failed"
else
  echo "==> micro-benchmarks: skipped"
fi

# 2. Nexmark through Sluice.
echo "==> nexmark (native $NATIVE_EVENTS events, json-log $JSON_EVENTS events)"
NEXMARK_JSONL="$WORK/nexmark.jsonl"
NDJSON_DIR="$WORK/ndjson"
runner_args=(--sluice "$SLUICE" --suite "$ROOT/bench/nexmark" --modes "$MODES"
  --native-events "$NATIVE_EVENTS" --json-events "$JSON_EVENTS" --results "$NEXMARK_JSONL"
  --work-dir "$WORK/nexmark" --repeat "${SLUICE_BENCH_REPEAT:-3}")
[ -n "$QUERIES" ] && runner_args+=(--queries "$QUERIES")
[ "${SLUICE_BENCH_PEER:-1}" != 0 ] && runner_args+=(--export-ndjson-dir "$NDJSON_DIR")
"$RUNNER" "${runner_args[@]}"
RUNNER_STATUS=$?

# 3. The DuckDB peer over the same records (json-log mode's streams as NDJSON, one file each).
PEER_JSONL="$WORK/peer.jsonl"
: > "$PEER_JSONL"
PEER_NOTE=""
if [ "${SLUICE_BENCH_PEER:-1}" = 0 ]; then
  PEER_NOTE="skipped (SLUICE_BENCH_PEER=0)"
elif ! ls "$NDJSON_DIR"/*.ndjson >/dev/null 2>&1; then
  PEER_NOTE="unavailable (no json-log input was produced)"
elif ! command -v node >/dev/null 2>&1; then
  PEER_NOTE="unavailable (node is not installed)"
else
  PEER_DIR="$ROOT/bench/peer"
  if [ ! -d "$PEER_DIR/node_modules/@duckdb/node-api" ]; then
    echo "==> installing @duckdb/node-api into bench/peer/node_modules"
    if ! (cd "$PEER_DIR" && npm install --no-audit --no-fund --no-package-lock --loglevel=error \
          >"$WORK/npm.log" 2>&1); then
      PEER_NOTE="unavailable (npm install failed: $(tail -n 3 "$WORK/npm.log" | tr '\n' ' '))"
    fi
  fi
  if [ -z "$PEER_NOTE" ]; then
    echo "==> peer: DuckDB over $(cat "$NDJSON_DIR"/*.ndjson | wc -l) NDJSON records"
    if ! node "$PEER_DIR/duckdb_peer.mjs" --ndjson-dir "$NDJSON_DIR" --suite "$ROOT/bench/nexmark" \
          --queries "$QUERIES" --out "$PEER_JSONL"; then
      PEER_NOTE="unavailable (the DuckDB run failed, see above)"
    fi
  fi
fi
[ -n "$PEER_NOTE" ] && echo "peer: $PEER_NOTE"

# 4. Latency: append-to-visibility through a persistent query at 50,000 records/s.
LATENCY_JSONL="$WORK/latency.jsonl"
: > "$LATENCY_JSONL"
LATENCY="$BUILD_DIR/bench/latency_bench"
if [ "${SLUICE_BENCH_LATENCY:-1}" != 0 ] && [ -x "$LATENCY" ]; then
  echo "==> latency at 50000 records/s"
  "$LATENCY" --sluice "$SLUICE" --rate 50000 --seconds 10 --json "$LATENCY_JSONL" \
    || echo "bench: latency_bench failed"
fi

# 4b. Point reads on a 1M-key materialized view while it is updated.
VIEW_JSONL="$WORK/view_reads.jsonl"
: > "$VIEW_JSONL"
VIEW_BENCH="$BUILD_DIR/bench/view_read_bench"
if [ "${SLUICE_BENCH_VIEW:-1}" != 0 ] && [ -x "$VIEW_BENCH" ]; then
  echo "==> materialized view point reads (1M keys, 20000 updates/s)"
  "$VIEW_BENCH" --sluice "$SLUICE" --keys 1000000 --rate 20000 --seconds 10 --json "$VIEW_JSONL" \
    || echo "bench: view_read_bench failed"
fi

# 5. Kafka: consume -> produce through librdkafka's mock cluster (needs kcat).
KAFKA_JSONL="$WORK/kafka.jsonl"
: > "$KAFKA_JSONL"
if [ "${SLUICE_BENCH_KAFKA:-1}" != 0 ] && command -v kcat >/dev/null 2>&1 &&
   [ -x "$BUILD_DIR/tests/kafka/sluice_kafka_mock" ]; then
  echo "==> kafka consume -> produce"
  python3 "$ROOT/bench/kafka/kafka_throughput.py" "$BUILD_DIR" 240000 "$WORK/kafka.json" \
    && cat "$WORK/kafka.json" >> "$KAFKA_JSONL" && echo >> "$KAFKA_JSONL" \
    || echo "bench: kafka_throughput failed"
fi

# 6. The report.
python3 "$ROOT/bench/report.py" --nexmark "$NEXMARK_JSONL" --peer "$PEER_JSONL" \
  --latency "$LATENCY_JSONL" --view-reads "$VIEW_JSONL" --kafka "$KAFKA_JSONL" \
  --peer-note "$PEER_NOTE" --micro "$MICRO_JSON" --out-md "$RESULTS/latest.md" \
  --out-json "$RESULTS/latest.json" --elapsed "$(( $(date +%s) - START ))"
echo "==> wrote bench/results/latest.md and latest.json in $(( $(date +%s) - START )) s"
cat "$RESULTS/latest.md"
exit "$RUNNER_STATUS"
