#!/usr/bin/env bash
# Sourced by bench/stack-lib.sh and bench/pacing-table.sh: waiting for a batch to end on its event stream.
#
# batch_outcome <api> <key> <batch id> <deadline, epoch s, in plain decimals>: prints the batch's outcome (completed, failed, expired,
# cancelled) as soon as its event stream (GET /v1/batches/{id}/events, docs/webhooks.md) announces it, or timeout. The
# stream's last event is named after the outcome and follows the finaliser's commit at once: no poll interval in the
# figure, and no polling process on the cores meanwhile. A stream that ends without it (the api restarting, say) is
# opened again until the deadline.
batch_outcome() {
    local api=$1 key=$2 id=$3 deadline=$4 left status=
    while [[ -z $status ]]; do
        left=$(awk -v d="$deadline" -v now="$EPOCHREALTIME" 'BEGIN { printf "%.2f", d - now }')
        [[ $left != -* && $left != 0.00 ]] || { status=timeout; break; }
        status=$(curl -sS -N -m "$left" "$api/v1/batches/$id/events" -H "Authorization: Bearer $key" 2>/dev/null |
            sed -u -n -E 's/^event: batch\.(completed|failed|expired|cancelled)\r?$/\1/p' | head -n 1) || true
        [[ -n $status ]] || sleep 0.2
    done
    echo "$status"
}
