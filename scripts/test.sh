#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install what the tests drive
# (nginx, openssl, setpriv, GNU time) and what builds jemalloc (a C
# compiler, make), then run every test. Never skips:
# a missing tool makes the tests that need it fail loudly.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
[ -x /usr/bin/time ] || missing+=(time)
# jemalloc, the binary's allocator, is built from C source (tikv-jemalloc-sys).
command -v cc >/dev/null 2>&1 || missing+=(gcc)
command -v make >/dev/null 2>&1 || missing+=(make)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    # policy-rc.d keeps the Debian package from starting a system nginx on :80.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
  else
    echo "scripts/test.sh: missing ${missing[*]}; install them (sudo apt-get install ${missing[*]})" >&2
    exit 2
  fi
fi

# Not --all-targets: that would run the benchmarks (harness = false) as tests;
# .ci/run compiles them through clippy --all-targets.
cargo test "$@"
