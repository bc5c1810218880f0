#!/usr/bin/env bash
# Installs the tools the benchmarks compare against, so their figures can be
# reproduced: nginx and openssl (also needed by the tests), crossplane
# (benches/check.rs), sslyze and testssl.sh (benches/probe.rs).
# The benchmarks skip a peer that is missing and say so; the tests need none
# of the Python tools.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq nginx openssl time testssl.sh
python3 -m pip install --quiet crossplane sslyze

for tool in nginx openssl crossplane sslyze testssl; do
    printf '%-10s %s\n' "$tool" "$(command -v "$tool" || echo missing)"
done
