#!/usr/bin/env bash
# What polling a batch costs: GET /v1/batches/{id} latency under POLLERS (32) concurrent pollers, each polling
# back to back for DURATION (20) s, first on a 10-job batch, then on a LINES (100,000)-job batch while two
# workers run it against an instant provider. Prints requests/s, p50 and p99 of each, beside issue 16's figures
# for the recount it replaced (7 requests/s, p99 8.7 s) and its target (p99 <= 50 ms).
#
#   bench/polling.sh                              # LINES=100000 POLLERS=32 DURATION=20 WORKERS=2
#   LINES=20000 DURATION=10 bench/polling.sh
#
# The 10-job batch is on a paused model, so it stays in_progress (its counts are read live, like the big one's).
# The simulator answers at once (no latency, a limit far above the load) and Sluice's default limit matches.
# Loopback only; its own database (sluice_polling) and vhost (sluice-polling), dropped at the end; ports
# API_PORT 48080, SIMULATOR_PORT 43010, WORKER_BASE_PORT 48080 (workers on 48081..).
set -euo pipefail

NAME=polling
LINES=${LINES:-100000}
POLLERS=${POLLERS:-32}
DURATION=${DURATION:-20}
WORKERS=${WORKERS:-2}
API_PORT=${API_PORT:-48080}
SIMULATOR_PORT=${SIMULATOR_PORT:-43010}
WORKER_BASE_PORT=${WORKER_BASE_PORT:-48080}
source "$(dirname "${BASH_SOURCE[0]}")/stack-lib.sh"

unset SIMULATOR_FAILURE_RATE SIMULATOR_RESET_RATE SIMULATOR_HANG_RATE SIMULATOR_TRUNCATE_RATE SIMULATOR_RETRY_AFTER
export SIMULATOR_LIMIT=1000000/1s SIMULATOR_LATENCY_MS=0 SIMULATOR_JITTER_MS=0 SLUICE_DEFAULT_LIMIT=1000000/1s
log "starting simulator :$SIMULATOR_PORT (instant), api :$API_PORT, $WORKERS worker(s)"
stack_start

# batch <lines> <model>: submits an inline batch, prints its id
batch() {
    awk -v n="$1" -v model="$2" 'BEGIN {
        printf "{\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\",\"requests\":["
        for (i = 0; i < n; i++)
            printf "%s{\"custom_id\":\"c-%d\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"Question %d\"}]}}", (i ? "," : ""), i, model, i
        printf "]}"
    }' >"$SCRATCH/data/body.json"
    curl -fsS -m 600 -X POST "$API/v1/batches" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
        --data-binary "@$SCRATCH/data/body.json" | jq -r .id
}

# poll <batch id>: POLLERS threads GET the batch back to back for DURATION s; prints "requests/s p50 p99 errors"
poll() {
    python3 - "$API_PORT" "$KEY" "$1" "$POLLERS" "$DURATION" <<'PY'
import http.client, sys, threading, time
port, key, batch, pollers, duration = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
times, errors, lock = [], [0], threading.Lock()
end = time.monotonic() + duration
def run():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    mine, bad = [], 0
    while time.monotonic() < end:
        t = time.monotonic()
        try:
            conn.request("GET", "/v1/batches/" + batch, headers={"Authorization": "Bearer " + key})
            response = conn.getresponse(); response.read()
            if response.status != 200: bad += 1
            else: mine.append(time.monotonic() - t)
        except Exception:
            bad += 1; conn.close(); conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    with lock:
        times.extend(mine); errors[0] += bad
threads = [threading.Thread(target=run) for _ in range(pollers)]
start = time.monotonic()
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.monotonic() - start
times.sort()
pct = lambda p: times[min(len(times) - 1, int(p * len(times)))] * 1000 if times else float("nan")
print(f"{len(times) / elapsed:.0f} {pct(0.50):.1f} {pct(0.99):.1f} {errors[0]}")
PY
}

counts() { curl_json "$API/v1/batches/$1" -H "Authorization: Bearer $KEY" | jq -c .request_counts; }

PAUSED=openai/gpt-4o RUNNING=openai/gpt-4o-mini
curl_json -X POST "$API/admin/pause" -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \
    -d "{\"model\":\"$PAUSED\"}" >/dev/null
SMALL=$(batch 10 "$PAUSED")
log "10-job batch $SMALL (paused model): $(counts "$SMALL")"
read -r small_rps small_p50 small_p99 small_err < <(poll "$SMALL")
log "  after polling: $(counts "$SMALL")"

log "submitting the $LINES-job batch ..."
LARGE=$(batch "$LINES" "$RUNNING")
log "$LINES-job batch $LARGE: $(counts "$LARGE")"
read -r large_rps large_p50 large_p99 large_err < <(poll "$LARGE")
log "  after polling: $(counts "$LARGE")"
large_status=$(curl_json "$API/v1/batches/$LARGE" -H "Authorization: Bearer $KEY" | jq -r .status)

echo "GET /v1/batches/{id}, $POLLERS pollers back to back for $DURATION s each, $WORKERS workers, instant provider ($JARS_DESC)"
printf '%-44s %10s %10s %10s %7s\n' batch 'req/s' 'p50 ms' 'p99 ms' errors
printf '%-44s %10s %10s %10s %7s\n' "10 jobs (paused model)" "$small_rps" "$small_p50" "$small_p99" "$small_err"
printf '%-44s %10s %10s %10s %7s\n' "$LINES jobs (running; $large_status after)" "$large_rps" "$large_p50" "$large_p99" "$large_err"
printf '%-44s %10s %10s %10s %7s\n' "issue 16, recounting (100000 jobs)" 7 - 8700 -
printf '%-44s %10s %10s %10s %7s\n' "target" - - '<= 50' 0
