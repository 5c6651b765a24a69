#!/bin/sh
# Builds the parser fuzz target with clang's libFuzzer (ASan + UBSan) straight from the sources,
# independent of the main (gcc) build, and fuzzes for a bounded time starting from corpus/.
# Usage: run_parser_fuzz.sh <source dir> <work dir> [seconds]
# Exit: 0 clean, 77 skipped (no clang++), anything else a crash or a build failure.
set -eu

src=$1
work=$2
seconds=${3:-30}

cxx=$(command -v clang++ || true)
if [ -z "$cxx" ]; then
  echo "SKIPPED: clang++ not found; the parser fuzz test needs clang's libFuzzer"
  exit 77
fi

mkdir -p "$work/corpus" "$work/artifacts"
binary="$work/parser_fuzz"
# The parser and the part of common it uses (Status, DataType).
sources="$src/tests/fuzz/parser_fuzz.cc $src/common/status.cc $src/common/types.cc $(ls "$src"/parser/*.cc)"

stale=yes
if [ -x "$binary" ]; then
  stale=no
  for file in $sources "$src"/parser/*.h "$src"/common/*.h; do
    if [ "$file" -nt "$binary" ]; then stale=yes; fi
  done
fi
if [ "$stale" = yes ]; then
  echo "building $binary"
  # shellcheck disable=SC2086  # $sources is a list of paths without spaces
  "$cxx" -std=c++20 -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$src" $sources -o "$binary.tmp"
  mv "$binary.tmp" "$binary"
fi

# Seeds are copied so the fuzzer's discoveries stay in the build tree, not the source tree.
cp "$src"/tests/fuzz/corpus/*.sql "$work/corpus/"

# libFuzzer's own failure exit code defaults to 77, which ctest would read as "skipped".
exec "$binary" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -error_exitcode=1 -timeout_exitcode=2 \
  -dict="$src/tests/fuzz/sql.dict" -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
  "$work/corpus"
