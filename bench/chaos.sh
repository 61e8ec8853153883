#!/usr/bin/env bash
# Chaos run: 300 jobs over 3 models against a flaky provider while the machinery is broken under it.
#
#   bench/chaos.sh
#
# The provider is the simulator with about 15 % of requests failing (5 % 5xx, 4 % dropped connections,
# 3 % truncated bodies, 3 % hangs) and a limit of 10 per 2 s per model. Sluice runs with two workers.
# While the batch runs, the script
#   t = 4 s   SIGKILLs worker 1 (no shutdown, whatever it held is left as it was),
#   t = 6 s   starts worker 1 again and a third worker (each waits until healthy, ~10 s),
#   then      restarts RabbitMQ (stop_app / start_app: every connection drops),
#   t = 22 s  restarts PostgreSQL (every connection drops), or as soon as the broker is back,
# then waits for the batch to end and prints: accepted, succeeded, failed, lost (jobs that never reached a
# terminal state, must be 0), results duplicated (result lines beyond one per job, must be 0), and upstream
# calls duplicated (2xx answers the provider gave beyond one per succeeded job: work a crash made it redo).
# Exit status 1 if anything was lost or duplicated in the results.
#
# Loopback only. It uses its own database (sluice_chaos) and vhost (sluice-chaos), dropped at the end, its own
# ports (api 28080, simulator 23010, workers 28081..) and run directory, and restarts the machine's RabbitMQ and
# PostgreSQL: run it when nothing else (a test run) needs them.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN_DIR=$(mktemp -d /tmp/sluice-chaos.XXXXXX)
DB=sluice_chaos
VHOST=sluice-chaos
ADMIN_KEY=sk-admin-chaos-bench
API_PORT=28080
SIMULATOR_PORT=23010
API=http://localhost:$API_PORT
SIM=http://localhost:$SIMULATOR_PORT
MODELS=(openai/gpt-4o-mini anthropic/claude-3-5-haiku meta-llama/llama-3.1-8b-instruct)
JOBS_PER_MODEL=100

EVENTS=()
log() {
  local line; line=$(printf '%7.1fs  %s' "$(awk -v s="${START:-$(date +%s.%N)}" -v n="$(date +%s.%N)" 'BEGIN { print n - s }')" "$*")
  printf '%s\n' "$line" >&2
  EVENTS+=("$line")
}
psql_q() { psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "$1"; }

for module in upstream-simulator api-service worker-service; do
  [[ -f "$ROOT/$module/target/$module.jar" ]] || (cd "$ROOT" && ./mvnw -q -B -DskipTests package)
done

export SLUICE_RUN_DIR=$RUN_DIR API_PORT SIMULATOR_PORT WORKER_BASE_PORT=28080
export SPRING_DATASOURCE_URL=jdbc:postgresql://localhost:5432/$DB
export SPRING_RABBITMQ_VIRTUAL_HOST=$VHOST
export SLUICE_ADMIN_KEY=$ADMIN_KEY
export SIMULATOR_LIMIT=10/2s SIMULATOR_LATENCY_MS=200 SIMULATOR_JITTER_MS=100 SIMULATOR_HANG_MS=60000
export SIMULATOR_FAILURE_RATE=0.05 SIMULATOR_RESET_RATE=0.04 SIMULATOR_TRUNCATE_RATE=0.03 SIMULATOR_HANG_RATE=0.03
export SLUICE_DEFAULT_LIMIT=10/2s
# A hang costs one read timeout; a dead worker's jobs come back after one lease; unconfirmed ones after 10 s.
export SLUICE_UPSTREAM_READ_TIMEOUT=3s SLUICE_LEASE_DURATION=12s SLUICE_RESCUE_INTERVAL=2s
export SLUICE_RETRY_MAX_ATTEMPTS=8 SLUICE_RETRY_MAX_BACKOFF=2s
export SLUICE_DISPATCH_REPUBLISH_AFTER=10s SLUICE_DISPATCH_SWEEP_INTERVAL=2s SLUICE_FINALIZATION_INTERVAL=2s

cleanup() {
  "$ROOT/bin/sluice-local" stop >/dev/null 2>&1 || true
  rabbitmqctl -q await_startup --timeout 60 >/dev/null 2>&1 || rabbitmqctl -q start_app >/dev/null 2>&1 || true
  rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
  dropdb -h 127.0.0.1 -U postgres --if-exists "$DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

rabbitmqctl -q add_vhost "$VHOST" >/dev/null 2>&1 || true
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*'
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB" >/dev/null 2>&1 || true
SLUICE_WORKERS=2 "$ROOT/bin/sluice-local" start >&2

KEY=$(curl -fsS -X POST "$API/admin/api-keys" -H "Authorization: Bearer $ADMIN_KEY" \
  -H 'Content-Type: application/json' -d '{"name":"chaos"}' | jq -r .key)
BODY=$(jq -n --argjson models "$(printf '%s\n' "${MODELS[@]}" | jq -R . | jq -s .)" --argjson n "$JOBS_PER_MODEL" '{
  endpoint: "/v1/chat/completions",
  requests: [range($n * ($models | length)) as $i | {
    custom_id: "chaos-\($i)",
    body: {model: $models[$i % ($models | length)], messages: [{role: "user", content: "chaos \($i)"}]}
  }]}')
curl -fsS -X POST "$SIM/__reset" >/dev/null
START=$(date +%s.%N)
BATCH=$(curl -fsS -X POST "$API/v1/batches" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d "$BODY" | jq -r .id)
ACCEPTED=$(psql_q "SELECT count(*) FROM jobs WHERE batch_id = '$BATCH'")
log "accepted $BATCH with $ACCEPTED jobs"

at() { while awk -v s="$START" -v n="$(date +%s.%N)" -v t="$1" 'BEGIN { exit !(n - s < t) }'; do sleep 0.1; done; }

at 4;  kill -9 "$(cat "$RUN_DIR/worker-1.pid")"; log "SIGKILLed worker-1"
at 6;  SLUICE_WORKERS=3 "$ROOT/bin/sluice-local" start >/dev/null; log "started worker-1 again and worker-3"
at 12; rabbitmqctl -q stop_app; log "RabbitMQ stopped"; sleep 3; rabbitmqctl -q start_app; log "RabbitMQ started"
at 22; pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main restart; log "PostgreSQL restarted"

STATUS=""
for _ in $(seq 1 1200); do
  STATUS=$(curl -fsS "$API/v1/batches/$BATCH" -H "Authorization: Bearer $KEY" 2>/dev/null | jq -r .status || true)
  case "$STATUS" in completed|failed|expired|cancelled) break ;; esac
  sleep 0.5
done
log "batch $STATUS"

B=$(curl -fsS "$API/v1/batches/$BATCH" -H "Authorization: Bearer $KEY")
SUCCEEDED=$(psql_q "SELECT count(*) FROM jobs WHERE batch_id = '$BATCH' AND status = 'succeeded'")
FAILED=$(psql_q "SELECT count(*) FROM jobs WHERE batch_id = '$BATCH' AND status IN ('failed', 'cancelled', 'expired')")
LOST=$(( ACCEPTED - SUCCEEDED - FAILED ))
LINES=$( { for f in output_file_id error_file_id; do
  id=$(jq -r ".$f // empty" <<<"$B")
  if [[ -n $id ]]; then curl -fsS "$API/v1/files/$id/content" -H "Authorization: Bearer $KEY"; fi
done; } | jq -r .custom_id)
RESULT_LINES=$(grep -c . <<<"$LINES" || true)
DISTINCT=$(sort -u <<<"$LINES" | grep -c . || true)
STATS=$(curl -fsS "$SIM/__stats")
ANSWERED=$(jq .totals.answered <<<"$STATS")
ATTEMPTS=$(psql_q "SELECT coalesce(sum(attempts), 0) FROM jobs WHERE batch_id = '$BATCH'")
RETRIED=$(psql_q "SELECT count(*) FROM jobs WHERE batch_id = '$BATCH' AND attempts > 1")

cat <<EOF

chaos run, $(date -u +%Y-%m-%dT%H:%MZ), git $(git -C "$ROOT" rev-parse --short HEAD)
provider: limit 10/2s per model, 15 % faults (5 % 5xx, 4 % resets, 3 % truncated, 3 % hangs)
$(printf '%s\n' "${EVENTS[@]}")

accepted                   $ACCEPTED
succeeded                  $SUCCEEDED
failed                     $FAILED
lost                       $LOST
results duplicated         $(( RESULT_LINES - DISTINCT ))  ($RESULT_LINES result lines, $DISTINCT distinct custom_ids)
upstream calls duplicated  $(( ANSWERED - SUCCEEDED ))  (provider 2xx answers $ANSWERED, succeeded jobs $SUCCEEDED)
provider requests          $(jq .totals.requests <<<"$STATS") ($(jq .totals.errors.total <<<"$STATS") faults, $(jq .totals.rate_limited <<<"$STATS") 429s); attempts recorded $ATTEMPTS, jobs retried $RETRIED
EOF
[[ $LOST -eq 0 && $RESULT_LINES -eq $DISTINCT && $RESULT_LINES -eq $ACCEPTED ]]
