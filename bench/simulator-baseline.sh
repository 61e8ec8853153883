#!/usr/bin/env bash
# Baseline: the provider without Sluice. Reproduces the seed report's concurrency table by firing
# 1, 3, 5, 8 and 15 parallel chat requests (one model, one key) straight at the simulator with its
# default settings (15/60s sliding, 800 ms + 0..300 ms latency).
#
# Two passes:
#   fresh  - POST /__reset before each round: every round has the whole 15-request budget.
#   shared - the rounds back to back in one 60 s window, as a client that ran them one after another
#            saw; this is the mechanism behind the report's 4/15 and ~60 %.
#
# Usage: bench/simulator-baseline.sh [rounds, default 1,3,5,8,15]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/simulator-lib.sh"

ROUNDS=${1:-1,3,5,8,15}
simulator_build
# Defaults only: make sure nothing in the caller's environment changes them.
unset SIMULATOR_LIMIT SIMULATOR_WINDOW SIMULATOR_LATENCY_MS SIMULATOR_JITTER_MS SIMULATOR_FAILURE_RATE \
    SIMULATOR_RESET_RATE SIMULATOR_HANG_RATE SIMULATOR_TRUNCATE_RATE SIMULATOR_RETRY_AFTER
simulator_start
bench_main Burst "$SIM_URL" fresh "$ROUNDS"
bench_main Burst "$SIM_URL" shared "$ROUNDS"
