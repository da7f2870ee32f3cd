#!/usr/bin/env bash
# Runs every test of promo on Debian 12, as root, from a clean clone with nothing installed:
#   1. installs the dependencies (scripts/install-deps.sh),
#   2. builds and installs the extension (PGXS: make -j2 && make install),
#   3. builds the engine's unit tests and the libpqxx integration tests with CMake into build/,
#   4. runs the unit tests (ctest, no server),
#   5. in ONE throwaway PostgreSQL 15 cluster (pg_virtualenv): pg_regress and isolation tests
#      (make installcheck) and the libpqxx integration tests (ctest -L integration),
#   6. runs the crash tests (test/crash/*_crash.sh, each in its own throwaway cluster),
#   7. runs the operations tests (test/ops/*.sh: dump/restore and upgrade, own clusters),
#   8. builds the libFuzzer targets with clang into build/fuzz and runs each for a bounded time.
# A failing suite is counted and the run goes on. The last line printed is `N passed, N failed`
# (`, N skipped` follows when something was skipped); the exit code is non-zero when anything
# failed. Counts: gtest cases, pg_regress tests, isolation specs, integration cases, crash
# tests, operations tests, fuzzers; a build step that fails counts as one failure.
#
# Settings (environment): PROMO_FUZZ_SECONDS (default 30) bounds each fuzz target's run;
# PROMO_SKIP_DEPS=1 skips step 1 (for a machine already set up).
#
# Internal: `test.sh --cluster-suites` is step 5's body, run by pg_virtualenv inside the cluster.
set -uo pipefail # no -e: a failing suite must be counted, not end the run
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD_DIR=$PROMO_ROOT/build
FUZZ_BUILD_DIR=$BUILD_DIR/fuzz
LOG_DIR=$BUILD_DIR/logs
RESULTS=$BUILD_DIR/test-results.tsv
FUZZ_SECONDS=${PROMO_FUZZ_SECONDS:-30}
# Upper bound for one pg_regress or isolation run, so a hung test fails instead of hanging CI.
SUITE_TIMEOUT=900

# Appends one suite's counts to the results file. Usage: record SUITE PASSED FAILED SKIPPED NOTE
record() {
  printf '%s\t%d\t%d\t%d\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$RESULTS"
}

# Counts a ctest run from its log (one line per test: "Passed", "***Skipped" or a failure such
# as "***Failed", "***Timeout", "***Exception", "Not Run") and records it. A non-zero exit with
# no failing test in the log (ctest itself broke) counts as one failure.
record_ctest() {
  local suite=$1 log=$2 rc=$3 passed failed skipped
  passed=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* +Passed +[0-9.]+ sec' "$log")
  skipped=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .*Skipped' "$log")
  local all
  all=$(grep -cE '^ *[0-9]+/[0-9]+ Test +#[0-9]+: ' "$log")
  failed=$((all - passed - skipped))
  local note=""
  if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
    failed=1
    note="ctest exited $rc"
  fi
  if [ "$all" = 0 ]; then
    failed=$((failed == 0 ? 1 : failed))
    note="no tests found"
  fi
  record "$suite" "$passed" "$failed" "$skipped" "$note"
}

# Counts a pg_regress or pg_isolation_regress run from its log ("... ok", "... FAILED",
# "... failed (ignored)") and records it; a non-zero exit with no failing test counts as one.
record_pg_regress() {
  local suite=$1 log=$2 rc=$3 passed failed skipped note=""
  passed=$(grep -cE '\.\.\. ok( |$)' "$log")
  failed=$(grep -cE '\.\.\. FAILED' "$log")
  skipped=$(grep -cE '\.\.\. failed \(ignored\)' "$log")
  if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
    failed=1
    note="exited $rc before reporting a failing test"
    [ "$rc" = 124 ] && note="timed out after ${SUITE_TIMEOUT}s"
  fi
  record "$suite" "$passed" "$failed" "$skipped" "$note"
}

# Runs a command with its output both shown and saved to LOG; returns the command's exit code.
run_logged() {
  local log=$1
  shift
  "$@" 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}

# Step 5's body, run inside the throwaway cluster: pg_regress, isolation, integration tests.
# On a failure it prints the regression diffs and the server log while the cluster still exists.
cluster_suites() {
  local rc before_failed
  before_failed=$(awk -F'\t' '{ s += $3 } END { print s + 0 }' "$RESULTS")
  echo "cluster: PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER PGDATABASE=${PGDATABASE:-}"
  cd "$PROMO_ROOT" || return 1
  rm -f regression.diffs output_iso/regression.diffs

  section "pg_regress (make installcheck, REGRESS)"
  run_logged "$LOG_DIR/pg_regress.log" \
    timeout --kill-after=30 "$SUITE_TIMEOUT" make installcheck ISOLATION= PG_CONFIG="$PROMO_PG_CONFIG"
  rc=$?
  record_pg_regress pg_regress "$LOG_DIR/pg_regress.log" "$rc"

  section "isolation (make installcheck, ISOLATION)"
  run_logged "$LOG_DIR/isolation.log" \
    timeout --kill-after=30 "$SUITE_TIMEOUT" make installcheck REGRESS= PG_CONFIG="$PROMO_PG_CONFIG"
  rc=$?
  record_pg_regress isolation "$LOG_DIR/isolation.log" "$rc"

  section "integration tests (libpqxx, ctest -L integration)"
  run_logged "$LOG_DIR/integration.log" \
    ctest --test-dir "$BUILD_DIR" -L integration --output-on-failure --timeout 300
  rc=$?
  record_ctest integration "$LOG_DIR/integration.log" "$rc"

  local after_failed
  after_failed=$(awk -F'\t' '{ s += $3 } END { print s + 0 }' "$RESULTS")
  if [ "$after_failed" != "$before_failed" ]; then
    local diffs
    for diffs in regression.diffs output_iso/regression.diffs; do
      if [ -s "$diffs" ]; then
        section "$diffs"
        cat "$diffs"
      fi
    done
    section "server log"
    print_server_log 300
  fi
  return 0
}

# Builds the CMake tree (unit + integration tests, no fuzzers). When the whole build fails it
# still tries each test target alone, so one broken target does not hide the other suite.
build_cmake_tests() {
  quietly "$LOG_DIR/cmake-configure.log" \
    cmake -S "$PROMO_ROOT" -B "$BUILD_DIR" -G "Unix Makefiles" -DPROMO_FUZZ=OFF || return 1
  if quietly "$LOG_DIR/cmake-build.log" cmake --build "$BUILD_DIR" -j2; then
    return 0
  fi
  local target
  for target in promo_unit_tests promo_integration_tests; do
    cmake --build "$BUILD_DIR" -j2 --target "$target" >>"$LOG_DIR/cmake-build.log" 2>&1 || true
  done
  return 1
}

# Builds the fuzz targets with clang-14 + libFuzzer/ASan/UBSan and runs each one for
# FUZZ_SECONDS on its own corpus under build/ (seeded from test/fuzz/corpus/NAME when present).
# Each fuzzer counts as one test: passed when it ran out its time without a finding.
run_fuzzers() {
  local sources=("$PROMO_ROOT"/test/fuzz/fuzz_*.cpp)
  if [ ! -e "${sources[0]}" ]; then
    echo "no fuzz targets (test/fuzz/fuzz_*.cpp)"
    return 0
  fi
  if ! quietly "$LOG_DIR/fuzz-configure.log" env CC=clang-14 CXX=clang++-14 \
    cmake -S "$PROMO_ROOT" -B "$FUZZ_BUILD_DIR" -G "Unix Makefiles" -DPROMO_FUZZ=ON \
    -DPROMO_UNIT_TESTS=OFF -DPROMO_INTEGRATION_TESTS=OFF -DPROMO_BENCH=OFF; then
    record fuzz-build 0 1 0 "cmake configure failed"
    return 0
  fi
  # -k: one target that does not build must not stop the others (each counts as failed below).
  quietly "$LOG_DIR/fuzz-build.log" cmake --build "$FUZZ_BUILD_DIR" -j2 -- -k
  local src name corpus seeds passed=0 failed=0 failed_names=""
  for src in "${sources[@]}"; do
    name=$(basename "$src" .cpp)
    corpus=$BUILD_DIR/fuzz-corpus/$name
    seeds=$PROMO_ROOT/test/fuzz/corpus/$name
    mkdir -p "$corpus" "$BUILD_DIR/fuzz-artifacts"
    if [ ! -x "$FUZZ_BUILD_DIR/$name" ]; then
      echo "$name: not built"
      failed=$((failed + 1))
      failed_names+=" $name"
      continue
    fi
    local args=(-max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=20
      -print_final_stats=1 -artifact_prefix="$BUILD_DIR/fuzz-artifacts/$name-" "$corpus")
    [ -d "$seeds" ] && args+=("$seeds")
    echo "$name: fuzzing for ${FUZZ_SECONDS}s"
    if timeout --kill-after=30 $((FUZZ_SECONDS + 120)) \
      "$FUZZ_BUILD_DIR/$name" "${args[@]}" >"$LOG_DIR/$name.log" 2>&1; then
      grep -E '^stat::number_of_executed_units|^Done ' "$LOG_DIR/$name.log" | sed "s/^/  /"
      passed=$((passed + 1))
    else
      echo "$name: FAILED; last 80 lines of its log:"
      tail -n 80 "$LOG_DIR/$name.log"
      failed=$((failed + 1))
      failed_names+=" $name"
    fi
  done
  record fuzz "$passed" "$failed" 0 "${failed_names:+failed:$failed_names}"
}

# Runs each self-contained test script matching a glob and records them as one suite. Such a
# script makes its own throwaway cluster and ends with exit 0 and a last line PASS when it
# holds; each script counts as one test. Usage: run_script_suite SUITE GLOB
# Suites: crash (test/crash/*_crash.sh: kill -9 the postmaster under a redeem load, restart,
# check invariants), ops (test/ops/*.sh: backup and restore, extension upgrade), cron
# (test/cron/*.sh: a real pg_cron schedule of promo.run_due() fires).
run_script_suite() {
  local suite=$1 pattern=$2 script name log passed=0 failed=0 failed_names=""
  for script in $pattern; do
    [ -e "$script" ] || continue
    name=$(basename "$script" .sh)
    log=$LOG_DIR/$suite-$name.log
    if run_logged "$log" timeout --kill-after=30 "$SUITE_TIMEOUT" bash "$script" &&
      [ "$(tail -n 1 "$log")" = PASS ]; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      failed_names+=" $name"
    fi
  done
  record "$suite" "$passed" "$failed" 0 "${failed_names:+failed:$failed_names}"
}

# Prints the per-suite table and the closing `N passed, N failed` line; returns 1 when anything
# failed or nothing ran at all.
summarize() {
  section "summary"
  awk -F'\t' '{ printf "  %-14s %4d passed %4d failed %4d skipped  %s\n", $1, $2, $3, $4, $5 }' \
    "$RESULTS"
  local passed failed skipped
  read -r passed failed skipped < <(awk -F'\t' '{ p += $2; f += $3; s += $4 }
    END { print p + 0, f + 0, s + 0 }' "$RESULTS")
  local elapsed=$(($(date +%s) - PROMO_START_TIME))
  echo "  total time: $((elapsed / 60))m $((elapsed % 60))s"
  if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
  else
    echo "$passed passed, $failed failed"
  fi
  [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
}

main() {
  mkdir -p "$BUILD_DIR" "$LOG_DIR"
  : >"$RESULTS"
  cd "$PROMO_ROOT" || exit 1

  section "dependencies"
  if [ "${PROMO_SKIP_DEPS:-}" != 1 ] && ! bash "$PROMO_ROOT/scripts/install-deps.sh"; then
    record dependencies 0 1 0 "scripts/install-deps.sh failed"
    summarize
    exit 1
  fi

  section "extension (make -j2 && make install)"
  local extension_ok=1
  if build_and_install_extension "$LOG_DIR/extension-build.log"; then
    echo "built and installed into $("$PROMO_PG_CONFIG" --pkglibdir)"
  else
    record extension-build 0 1 0 "make or make install failed"
    extension_ok=0
  fi

  section "CMake build (unit + integration tests) into build/"
  if build_cmake_tests; then
    echo "built"
  else
    record cmake-build 0 1 0 "cmake build failed (see build/logs/cmake-build.log)"
  fi

  section "unit tests (ctest, no server)"
  run_logged "$LOG_DIR/unit.log" \
    ctest --test-dir "$BUILD_DIR" -LE integration --output-on-failure -j2 --timeout 300
  record_ctest unit "$LOG_DIR/unit.log" $?

  section "throwaway PostgreSQL $PROMO_PG_VERSION cluster"
  if [ "$extension_ok" = 1 ]; then
    local lines_before
    lines_before=$(wc -l <"$RESULTS")
    in_throwaway_cluster bash "$PROMO_ROOT/scripts/test.sh" --cluster-suites
    local rc=$?
    if [ "$(wc -l <"$RESULTS")" = "$lines_before" ]; then
      record cluster 0 1 0 "pg_virtualenv failed (exit $rc) before the suites ran"
    fi
  else
    echo "skipped: the extension did not build (counted as the extension-build failure)"
  fi

  section "crash test (kill -9 during a redeem load, own throwaway cluster)"
  if [ "$extension_ok" = 1 ]; then
    run_script_suite crash "$PROMO_ROOT/test/crash/*_crash.sh"
  else
    echo "skipped: the extension did not build (counted as the extension-build failure)"
  fi

  section "operations tests (dump/restore, upgrade; own throwaway clusters)"
  if [ "$extension_ok" = 1 ]; then
    run_script_suite ops "$PROMO_ROOT/test/ops/*.sh"
  else
    echo "skipped: the extension did not build (counted as the extension-build failure)"
  fi

  section "scheduling test (pg_cron runs promo.run_due(), own throwaway cluster)"
  if [ "$extension_ok" = 1 ]; then
    run_script_suite cron "$PROMO_ROOT/test/cron/*.sh"
  else
    echo "skipped: the extension did not build (counted as the extension-build failure)"
  fi

  section "fuzzing (clang-14, libFuzzer, ${FUZZ_SECONDS}s per target)"
  run_fuzzers

  summarize
}

if [ "${1:-}" = --cluster-suites ]; then
  cluster_suites
else
  main "$@"
fi
