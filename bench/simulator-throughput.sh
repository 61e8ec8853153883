#!/usr/bin/env bash
# Throughput: with no latency and no limit, how many chat completions per second the simulator serves
# to a few hundred concurrent keep-alive clients (virtual threads, JDK HttpClient) on this machine.
# Client and server share the CPU, so the figure is a lower bound for the server alone.
#
# Usage: bench/simulator-throughput.sh [requests, default 100000] [clients, default 200]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/simulator-lib.sh"

REQUESTS=${1:-100000}
CLIENTS=${2:-200}
simulator_build
export SIMULATOR_LATENCY_MS=0 SIMULATOR_JITTER_MS=0 SIMULATOR_LIMIT=none
simulator_start
echo "cores: $(nproc)"
bench_main Throughput "$SIM_URL" "$REQUESTS" "$CLIENTS"
