#!/usr/bin/env bash
# Sourced by bench/large-batch.sh and bench/pacing-high-limits.sh: a whole Sluice stack (simulator, api,
# $WORKERS workers) from this tree's jars, with a database and RabbitMQ vhost of its own, started with
# bin/sluice-local from a scratch root (a symlink to the script plus copies of the jars, so a rebuild mid-run
# cannot pull them from under the JVMs). Everything is stopped and dropped when the calling script exits.
#
# The caller sets, before sourcing: NAME (used for the database, the vhost and the scratch dir), API_PORT,
# SIMULATOR_PORT, WORKER_BASE_PORT (worker i listens on WORKER_BASE_PORT + i), WORKERS, and exports the
# SIMULATOR_* / SLUICE_* settings it wants; then calls stack_start. Sets API, SIM, KEY, SCRATCH, JAVA.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULES=(upstream-simulator api-service worker-service)
PGUSER=${SPRING_DATASOURCE_USERNAME:-postgres}
DB=sluice_${NAME//-/_}
VHOST=sluice-$NAME
ADMIN_KEY=sk-admin-$NAME-0123456789   # the api refuses admin keys under 16 characters
API=http://localhost:$API_PORT
SIM=http://localhost:$SIMULATOR_PORT
STACK_STARTED=0

log() { printf '%s\n' "$*" >&2; }
die() { log "$NAME: $*"; exit 2; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%s\", ($1) }" </dev/null; }
psql_q() { psql -h localhost -U "$PGUSER" -d "$DB" -Atc "$1"; }
curl_json() { curl -fsS -m 30 "$@"; }

command -v jq >/dev/null || die "needs jq"
command -v rabbitmqctl >/dev/null || die "needs rabbitmqctl (for a vhost of its own)"
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java "$(command -v java || true)"; do
    if [[ -n $candidate && -x $candidate && $(java_major "$candidate") -ge 21 ]]; then JAVA=$candidate; break; fi
done
[[ -n ${JAVA:-} ]] || die "needs Java 21 or later (set JAVA_HOME)"
export JAVA_HOME=${JAVA%/bin/java}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$API_PORT" "$SIMULATOR_PORT" $(seq $((WORKER_BASE_PORT + 1)) $((WORKER_BASE_PORT + WORKERS))); do
    listening "$port" && die "something already listens on :$port (set API_PORT / SIMULATOR_PORT / WORKER_BASE_PORT)"
done

stack_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ $STACK_STARTED == 1 ]]; then
        local pids; pids=$(cat "$SCRATCH"/run/*.pid 2>/dev/null || true)
        "$SCRATCH/bin/sluice-local" stop >&2 || true
        for _ in $(seq 150); do   # graceful shutdowns, our pids only, before dropping the database
            local alive=0
            for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
            [[ $alive == 0 ]] && break
            sleep 0.2
        done
        for pid in $pids; do kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null; done
    fi
    dropdb -h localhost -U "$PGUSER" --if-exists --force "$DB" >/dev/null 2>&1 || true
    rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
    if [[ $rc == 0 ]]; then rm -rf "$SCRATCH"; else log "$NAME: exit $rc; logs kept in $SCRATCH/run/logs"; rm -rf "$SCRATCH"/*/target "$SCRATCH"/data; fi
    exit "$rc"
}
trap stack_cleanup EXIT
trap 'exit 130' INT TERM

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/sluice-$NAME.XXXXXX")
mkdir -p "$SCRATCH/bin" "$SCRATCH/data"
ln -s "$ROOT/bin/sluice-local" "$SCRATCH/bin/sluice-local"
for module in "${MODULES[@]}"; do
    if [[ ! -f $ROOT/$module/target/$module.jar ]]; then
        log "building the jars (./mvnw -q -B -DskipTests package) ..."
        (cd "$ROOT" && ./mvnw -q -B -DskipTests package) >&2
        break
    fi
done
for module in "${MODULES[@]}"; do
    mkdir -p "$SCRATCH/$module/target"
    cp "$ROOT/$module/target/$module.jar" "$SCRATCH/$module/target/"
done
JARS_DESC="git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(
    [[ -n $(git -C "$ROOT" status --porcelain -- '*.java' 2>/dev/null) ]] && echo ' + uncommitted Java changes' || true)"

# stack_start: fresh database and vhost, then simulator, api and $WORKERS workers; creates an API key.
stack_start() {
    dropdb -h localhost -U "$PGUSER" --if-exists --force "$DB" >/dev/null 2>&1 || true
    rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
    rabbitmqctl -q add_vhost "$VHOST" >/dev/null
    rabbitmqctl -q set_permissions -p "$VHOST" "${SPRING_RABBITMQ_USERNAME:-guest}" '.*' '.*' '.*' >/dev/null
    export SLUICE_RUN_DIR=$SCRATCH/run SLUICE_WORKERS=$WORKERS API_PORT SIMULATOR_PORT WORKER_BASE_PORT \
        SLUICE_ADMIN_KEY=$ADMIN_KEY SPRING_DATASOURCE_URL=jdbc:postgresql://localhost:5432/$DB \
        SPRING_RABBITMQ_VIRTUAL_HOST=$VHOST SLUICE_UPSTREAM_BASE_URL=$SIM
    STACK_STARTED=1
    "$SCRATCH/bin/sluice-local" start >&2
    KEY=$(curl_json -X POST "$API/admin/api-keys" -H "Authorization: Bearer $ADMIN_KEY" \
        -H 'Content-Type: application/json' -d "{\"name\":\"$NAME\"}" | jq -r .key)
    [[ -n $KEY && $KEY != null ]] || die "could not create an API key"
}

# Sluice's pacing margin in seconds (SLUICE_PACING_SAFETY_MARGIN as Nms or Ns; 100 ms by default).
margin_seconds() {
    local margin=${SLUICE_PACING_SAFETY_MARGIN:-100ms}
    if [[ $margin =~ ^([0-9]+)ms$ ]]; then calc "${BASH_REMATCH[1]} / 1000"
    elif [[ $margin =~ ^([0-9.]+)s$ ]]; then echo "${BASH_REMATCH[1]}"
    else die "SLUICE_PACING_SAFETY_MARGIN: Nms or Ns"; fi
}
stack_pid() { cat "$SCRATCH/run/$1.pid"; }                 # stack_pid api|simulator|worker-<i>
# Peak resident set since start or the last reset_peak_rss, in MiB (VmHWM).
peak_rss() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$(stack_pid "$1")/status"; }
# Resets VmHWM to the current RSS (Linux >= 4.0, our own processes), so a peak belongs to one measurement.
reset_peak_rss() { echo 5 >"/proc/$(stack_pid "$1")/clear_refs" 2>/dev/null || true; }
# "-Xmx<MiB>m <GC>" as the JVM chose them (sluice-local passes no heap flags: the JVM's defaults apply).
heap_settings() {
    "$JAVA_HOME/bin/jcmd" "$(stack_pid "$1")" VM.flags 2>/dev/null | tr ' ' '\n' | awk -F= '
        $1 == "-XX:MaxHeapSize" { heap = sprintf("-Xmx%dm", $2 / 1048576) }
        $1 ~ /^-XX:\+Use.*GC$/ { gc = substr($1, 9) }
        END { print heap " " gc }'
}
# CPU seconds (user + system) used so far by a process, or by the sum of several pids.
cpu_seconds() {
    local ticks; ticks=$(getconf CLK_TCK) total=0
    for pid in "$@"; do
        [[ -r /proc/$pid/stat ]] || continue
        total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
    done
    calc "$total / $ticks"
}
# CPU seconds of every PostgreSQL process of the server: the live ones (backends of any database, the WAL writer,
# checkpointer, autovacuum ...) and the children the postmaster has reaped (exited backends and autovacuum workers).
# The server is shared: whatever else uses it meanwhile is counted too.
postgres_cpu_seconds() {
    local postmaster; postmaster=$(pgrep -o -x postgres) || { echo 0; return; }
    local ticks; ticks=$(getconf CLK_TCK)
    local live; live=$(for pid in $(pgrep -x postgres); do sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }'; done | awk '{ t += $1 } END { print t + 0 }')
    local reaped; reaped=$(sed 's/^.*) //' "/proc/$postmaster/stat" | awk '{ print $14 + $15 }')
    calc "($live + $reaped) / $ticks"
}
# CPU seconds of the RabbitMQ server (its Erlang VM); shared like PostgreSQL.
broker_cpu_seconds() { cpu_seconds $(pgrep -x beam.smp || true); }
# CPU seconds the whole machine spent busy (every process, every core).
machine_busy() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }
# The PostgreSQL backends serving the stack's database right now (the connection pools keep them open).
pg_backends() { psql_q "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"; }
# Wait until the batch is terminal; prints "<status> <seconds waited>".
source "$ROOT/bench/batch-events.sh"
await_batch() {   # await_batch <id> <timeout s> <t0>: waits on the batch's event stream until it has ended
    local status
    status=$(batch_outcome "$API" "$KEY" "$1" "$(calc "sprintf(\"%.3f\", $3 + $2)")")
    echo "$status $(calc "$(now) - $3")"
}
