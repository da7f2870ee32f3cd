#!/usr/bin/env bash
# Installs everything promo needs to build, test, fuzz, benchmark and demo on Debian 12, as root.
# Idempotent: when every package is already there it changes nothing and touches no network;
# otherwise it runs `apt-get update` once and installs only what is missing.
#
# Debian's postgresql-15 package creates a cluster "15 main" and starts it on install. promo's
# scripts never use that cluster (they run their own throwaway one with pg_virtualenv), so any
# service start is blocked while this script installs, and a "15 main" that comes up anyway is
# stopped again: nothing this script starts is left running.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Every package, checked with apt-cache on Debian 12 (bookworm). What each is for:
PACKAGES=(
  build-essential g++ make pkg-config git ca-certificates # compilers and tools
  cmake                                                   # engine library, unit/integration tests
  postgresql-15 postgresql-client-15                      # server, psql, pg_regress, isolation
  postgresql-server-dev-15                                # PGXS and server headers
  postgresql-common                                       # pg_virtualenv, pg_lsclusters
  libpq-dev libpqxx-dev nlohmann-json3-dev                # integration tests
  libgtest-dev                                            # unit tests
  libbenchmark-dev                                        # micro-benchmarks
  clang-14 libclang-rt-14-dev                             # libFuzzer + ASan/UBSan runtimes
  clang-format                                            # the repo's .clang-format
  postgresql-15-cron                                      # pg_cron, to schedule promo.run_due()
)

# Prints the packages from PACKAGES that are not installed.
missing_packages() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      echo "$pkg"
    fi
  done
}

# Prints "VERSION CLUSTER" for every running PostgreSQL cluster under /etc/postgresql.
online_clusters() {
  if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters -h 2>/dev/null | awk '$4 ~ /^online/ { print $1, $2 }'
  fi
}

# Installs the given packages without starting any service: a temporary policy-rc.d (the
# Debian mechanism for this, also used by container images) denies every start while apt runs.
install_without_starting_services() {
  local policy=/usr/sbin/policy-rc.d added_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    added_policy=$policy
  fi
  # shellcheck disable=SC2064  # expand now: the trap must remove exactly this file
  trap "rm -f $added_policy" EXIT
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
  rm -f "$added_policy"
  trap - EXIT
}

main() {
  if [ "$(id -u)" != 0 ]; then
    echo "install-deps.sh must run as root (it installs Debian packages)" >&2
    exit 1
  fi
  local missing
  missing=$(missing_packages)
  if [ -z "$missing" ]; then
    echo "install-deps: all ${#PACKAGES[@]} packages are installed"
    return 0
  fi
  echo "install-deps: installing ${missing//$'\n'/ }"
  local before
  before=$(online_clusters)
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  # shellcheck disable=SC2086  # one package name per word
  install_without_starting_services $missing
  # Stop any cluster the installation brought up (one that was running before is left alone).
  local version name
  while read -r version name; do
    [ -n "$version" ] || continue
    if ! grep -qx "$version $name" <<<"$before"; then
      echo "install-deps: stopping cluster $version/$name started by the package installation"
      pg_ctlcluster "$version" "$name" stop || true
    fi
  done < <(online_clusters)
  missing=$(missing_packages)
  if [ -n "$missing" ]; then
    echo "install-deps: still missing after apt-get install: ${missing//$'\n'/ }" >&2
    exit 1
  fi
  echo "install-deps: done"
}

main "$@"
