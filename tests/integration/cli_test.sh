#!/usr/bin/env bash
# The `sluice` binary as a user runs it: -c, -f, stdin, output formats, errors with carets, exit
# codes. Usage: cli_test.sh path/to/sluice
set -u

SLUICE=${1:?usage: cli_test.sh path/to/sluice}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sluice-cli-test-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK/home"
mkdir -p "$HOME"
unset SLUICE_DATA
DATA="$WORK/data"
FAILURES=0

fail() {
  echo "FAIL: $1"
  echo "  exit code: $CODE"
  echo "  stdout: $(sed 's/^/    /' "$WORK/out")"
  echo "  stderr: $(sed 's/^/    /' "$WORK/err")"
  FAILURES=$((FAILURES + 1))
}

# run ARGS...: runs sluice with stdin from /dev/null unless STDIN_FILE is set.
run() {
  "$SLUICE" "$@" <"${STDIN_FILE:-/dev/null}" >"$WORK/out" 2>"$WORK/err"
  CODE=$?
}

expect_code() { [ "$CODE" -eq "$1" ] || fail "$2: wanted exit code $1"; }
expect_out() { grep -qF -- "$1" "$WORK/out" || fail "$2: stdout lacks '$1'"; }
expect_err() { grep -qF -- "$1" "$WORK/err" || fail "$2: stderr lacks '$1'"; }
expect_out_exactly() {
  [ "$(cat "$WORK/out")" = "$1" ] || fail "$2: stdout is not exactly:
$1"
}

# --- help and version -----------------------------------------------------------------------
run --help
expect_code 0 "--help"
for word in --data-dir SLUICE_DATA -f -c --format --continue-on-error --host Examples "Exit status"; do
  expect_out "$word" "--help"
done
run --version
expect_code 0 "--version"
expect_out "sluice " "--version"

# --- bad invocations exit 1 -------------------------------------------------------------------
run --data-dir "$DATA" --format xml -c "SHOW DATABASES;"
expect_code 1 "--format xml"
run --data-dir "$DATA" --no-such-option
expect_code 1 "unknown option"
run --host localhost -c "SHOW DATABASES;"
expect_code 1 "--host"
expect_err "not supported yet" "--host"
run --data-dir "$DATA" -f "$WORK/missing.sql"
expect_code 1 "-f of a missing file"
expect_err "missing.sql" "-f of a missing file"
touch "$WORK/not-a-dir"
run --data-dir "$WORK/not-a-dir" -c "SHOW DATABASES;"
expect_code 1 "data dir that is a file"
expect_err "cannot open data dir" "data dir that is a file"

# --- -c ---------------------------------------------------------------------------------------
run --data-dir "$DATA" -c "CREATE STREAM clicks (id BIGINT, url VARCHAR) WITH ('partitions'=1);
INSERT INTO clicks VALUES (1, 'a'), (2, 'b,c'), (3, NULL);"
expect_code 0 "-c create and insert"
expect_out "CREATE STREAM" "-c create and insert"
expect_out "INSERT 0 3" "-c create and insert"

run --data-dir "$DATA" -c "SELECT id, url FROM clicks LIMIT 3;"
expect_code 0 "-c select (table)"
expect_out_exactly " id | url
----+-----
  1 | a
  2 | b,c
  3 |
(3 rows)" "-c select (table)"

# --- output formats ---------------------------------------------------------------------------
run --data-dir "$DATA" --format csv -c "SELECT id, url FROM clicks LIMIT 3;"
expect_code 0 "--format csv"
expect_out_exactly 'id,url
1,a
2,"b,c"
3,' "--format csv"

run --data-dir "$DATA" --format json -c "SELECT id, url FROM clicks LIMIT 3;"
expect_code 0 "--format json"
expect_out_exactly '[
{"id":1,"url":"a"},
{"id":2,"url":"b,c"},
{"id":3,"url":null}
]' "--format json"
if command -v python3 >/dev/null; then
  python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) == 3' "$WORK/out" ||
    fail "--format json: not valid JSON"
fi

run --data-dir "$DATA" --format jsonl -c "SELECT id FROM clicks LIMIT 2;"
expect_code 0 "--format jsonl"
expect_out_exactly '{"id":1}
{"id":2}' "--format jsonl"

# --- errors: psql style, exit code 3 ----------------------------------------------------------
run --data-dir "$DATA" -c "SELECT * FROM clickz LIMIT 1;"
expect_code 3 "misspelled relation"
expect_err 'ERROR: BINDER: relation "clickz" does not exist' "misspelled relation"
expect_err '(did you mean "clicks"?)' "misspelled relation"
expect_err "LINE 1: SELECT * FROM clickz LIMIT 1;" "misspelled relation"
# The caret sits under the 'c' of clickz: len("LINE 1: SELECT * FROM ") = 22.
grep -qx ' \{22\}\^' "$WORK/err" || fail "misspelled relation: caret not under clickz"

# The first error stops the script ...
run --data-dir "$DATA" -c "SELECT * FROM nope; CREATE STREAM after_error (a BIGINT);"
expect_code 3 "stop at first error"
run --data-dir "$DATA" -c "SHOW RELATIONS;"
grep -q after_error "$WORK/out" && fail "stop at first error: the statement after the error ran"

# ... unless --continue-on-error, which still reports the failure in the exit code.
run --data-dir "$DATA" --continue-on-error -c "SELECT * FROM nope; CREATE STREAM after_error (a BIGINT);"
expect_code 3 "--continue-on-error"
expect_err 'relation "nope" does not exist' "--continue-on-error"
expect_out "CREATE STREAM" "--continue-on-error"
run --data-dir "$DATA" -c "SHOW RELATIONS;"
expect_out after_error "--continue-on-error"

# --- -f: LINE numbers are lines of the file ---------------------------------------------------
cat >"$WORK/good.sql" <<'SQL'
-- a pipeline in a file
CREATE STREAM views (id BIGINT)
  WITH ('partitions'=1);
INSERT INTO views VALUES (7);
SQL
run --data-dir "$DATA" -f "$WORK/good.sql" -c "SELECT id FROM views LIMIT 1;"
expect_code 0 "-f then -c"
expect_out "INSERT 0 1" "-f then -c"
expect_out "(1 row)" "-f then -c"

cat >"$WORK/bad.sql" <<'SQL'
INSERT INTO views VALUES (8);

SELECT idd FROM views LIMIT 1;
INSERT INTO views VALUES (9);
SQL
run --data-dir "$DATA" -f "$WORK/bad.sql"
expect_code 3 "-f with an error"
expect_err 'column "idd" does not exist' "-f with an error"
expect_err "LINE 3: SELECT idd FROM views LIMIT 1;" "-f with an error"
run --data-dir "$DATA" --format csv -c "SELECT id FROM views LIMIT 2;"
expect_out_exactly 'id
7
8' "-f stops at its error"

# --- statements piped on stdin ----------------------------------------------------------------
printf 'SHOW RELATIONS;\nSELECT id\n  FROM views LIMIT 1;\n' >"$WORK/stdin.sql"
STDIN_FILE="$WORK/stdin.sql" run --data-dir "$DATA" --format csv
expect_code 0 "stdin"
expect_out "clicks" "stdin"
expect_out "id" "stdin"
grep -q "sluice:" "$WORK/out" && fail "stdin: a prompt was printed"
printf 'SELECT * FROM nope;\n' >"$WORK/stdin_bad.sql"
STDIN_FILE="$WORK/stdin_bad.sql" run --data-dir "$DATA"
expect_code 3 "stdin with an error"
expect_err 'relation "nope" does not exist' "stdin with an error"

# --- Ctrl-C (SIGINT) ends a continuous query normally; the script stops with exit code 130 ------
"$SLUICE" --data-dir "$DATA" -c "SELECT id FROM clicks; CREATE STREAM after_cancel (a BIGINT);" \
  </dev/null >"$WORK/out" 2>"$WORK/err" &
PID=$!
for _ in $(seq 300); do grep -q "^ *3$" "$WORK/out" && break; sleep 0.1; done
kill -INT "$PID"
wait "$PID"
CODE=$?
expect_code 130 "SIGINT"
expect_out "(3 rows)" "SIGINT"
run --data-dir "$DATA" -c "SHOW RELATIONS;"
grep -q after_cancel "$WORK/out" && fail "SIGINT: the statement after the cancelled one ran"

# --- SLUICE_DATA picks the data dir -----------------------------------------------------------
SLUICE_DATA="$DATA" run -c "SHOW RELATIONS;"
expect_code 0 "SLUICE_DATA"
expect_out "clicks" "SLUICE_DATA"

if [ "$FAILURES" -gt 0 ]; then
  echo "$FAILURES check(s) failed"
  exit 1
fi
echo "PASSED"
