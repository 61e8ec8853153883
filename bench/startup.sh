#!/usr/bin/env bash
# Start time and heap of the api-service and the worker, each started alone against a fresh database (the
# api-service migrates it, then the worker starts against the migrated schema) and a RabbitMQ vhost of its own.
#
#   bench/startup.sh                          # this tree's jars (built if missing), 3 runs; and, when
#                                             # `bin/sluice-local train` made AOT caches for them, from the caches
#   RUNS=5 bench/startup.sh before=/tmp/jars-main after=/tmp/jars-branch
#
# Each LABEL=DIR names a directory holding api-service.jar and worker-service.jar; several are measured in
# turn within each run, so that the machine's load weighs on all of them alike. Per start it reports:
#   started  Spring's own "Started ... in X seconds" (from the start of the application context's startup)
#   ready    wall clock from launching the JVM to /actuator/health/readiness answering UP
#   cpu      CPU time (user + system) the process had used by then: on a machine shared with other work the
#            least noisy of the three
#   heap     heap in use after a full GC (jcmd GC.run, then GC.heap_info), MiB
#   rss      the process's resident set at that moment, MiB
# The JVM runs with bin/sluice-local's options for the api and the workers (bin/sluice-local java-options; no heap
# flags), as bin/sluice-local starts them. Needs jq-free bash, curl,
# psql tools, rabbitmqctl and a JDK 21+ (jcmd). Only the processes this script started are stopped.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-3}
PGUSER=${SPRING_DATASOURCE_USERNAME:-postgres}
TIMEOUT_S=${TIMEOUT_S:-180}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java
JCMD=$JAVA_HOME/bin/jcmd
[[ -x $JAVA && -x $JCMD ]] || { echo "needs a JDK 21+ (set JAVA_HOME)" >&2; exit 2; }

declare -a LABELS DIRS
if (($# == 0)); then
    for module in api-service worker-service; do
        [[ -f $ROOT/$module/target/$module.jar ]] || (cd "$ROOT" && ./mvnw -q -B -DskipTests package >&2)
    done
    SCRATCH_JARS=$(mktemp -d)
    cp "$ROOT/api-service/target/api-service.jar" "$ROOT/worker-service/target/worker-service.jar" "$SCRATCH_JARS/"
    LABELS=("$(git -C "$ROOT" rev-parse --short HEAD)"); DIRS=("$SCRATCH_JARS")
    # The same jars started as bin/sluice-local starts them once trained (docs/operations.md, "Warm starts"), if the
    # caches were made from these jars.
    trained=1
    for module in api-service worker-service; do
        "$ROOT/bin/sluice-local" aot-cache "$module" >/dev/null || trained=0
    done
    if [[ $trained == 1 ]]; then LABELS+=("${LABELS[0]} from its AOT cache"); DIRS+=(aot); fi
else
    for arg in "$@"; do LABELS+=("${arg%%=*}"); DIRS+=("${arg#*=}"); done
fi

NAME=startup-$$
DB=sluice_bench_${NAME//-/_}
VHOST=sluice-bench-$NAME
LOGS=$(mktemp -d)
PID=

cleanup() {
    local rc=$?
    if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
    dropdb -h localhost -U "$PGUSER" --if-exists --force "$DB" >/dev/null 2>&1 || true
    rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
    [[ -n ${SCRATCH_JARS:-} ]] && rm -rf "$SCRATCH_JARS"
    if [[ $rc == 0 ]]; then rm -rf "$LOGS"; else echo "logs kept in $LOGS" >&2; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

fresh_database() {
    dropdb -h localhost -U "$PGUSER" --if-exists --force "$DB" >/dev/null 2>&1 || true
    createdb -h localhost -U "$PGUSER" "$DB"
    rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
    rabbitmqctl -q add_vhost "$VHOST" >/dev/null
    rabbitmqctl -q set_permissions -p "$VHOST" "${SPRING_RABBITMQ_USERNAME:-guest}" '.*' '.*' '.*' >/dev/null
}

read -r -a SERVICE_OPTIONS <<<"$("$ROOT/bin/sluice-local" java-options)"

# java_args <dir> <module>: ARGS, how to start the module's jar in <dir>, or from this tree's AOT cache when <dir> is
# "aot"
java_args() {
    if [[ $1 == aot ]]; then
        ARGS=("${SERVICE_OPTIONS[@]}" -XX:AOTCache="$ROOT/$2/target/aot/$2.aot" -jar "$ROOT/$2/target/aot/$2.jar")
    else
        ARGS=("${SERVICE_OPTIONS[@]}" -jar "$1/$2.jar")
    fi
}

# measure <log> <java args...>: prints "started ready cpu heap rss" (seconds, seconds, CPU seconds, MiB, MiB)
measure() {
    local log=$1 port t0 started ready cpu heap rss jar=${*: -1}
    shift
    port=$(free_port)
    t0=$(now_ms)
    SERVER_PORT=$port SPRING_DATASOURCE_URL=jdbc:postgresql://localhost:5432/$DB \
        SPRING_RABBITMQ_VIRTUAL_HOST=$VHOST SLUICE_ADMIN_KEY=sk-admin-bench-startup SLUICE_UPSTREAM_BASE_URL=http://127.0.0.1:9 \
        "$JAVA" "$@" >"$log" 2>&1 &
    PID=$!
    until curl -fsS -m 2 "http://127.0.0.1:$port/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; do
        kill -0 "$PID" 2>/dev/null || { echo "$jar exited; see $log" >&2; exit 1; }
        (($(now_ms) - t0 < TIMEOUT_S * 1000)) || { echo "$jar not ready after ${TIMEOUT_S}s; see $log" >&2; exit 1; }
        sleep 0.05
    done
    ready=$(awk "BEGIN { printf \"%.2f\", ($(now_ms) - $t0) / 1000 }")
    started=$(sed -n 's/.*Started [A-Za-z]* in \([0-9.]*\) seconds.*/\1/p' "$log" | head -1)
    "$JCMD" "$PID" GC.run >/dev/null
    cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' "/proc/$PID/stat")
    heap=$("$JCMD" "$PID" GC.heap_info | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -1)
    heap=$(awk "BEGIN { printf \"%.1f\", $heap / 1024 }")
    rss=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status")
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
    echo "$started $ready $cpu $heap $rss"
}

declare -A RESULTS
echo "Java: $("$JAVA" -version 2>&1 | head -1); $(nproc) cores; $RUNS runs" >&2
for run in $(seq "$RUNS"); do
    for i in "${!LABELS[@]}"; do
        fresh_database
        java_args "${DIRS[$i]}" api-service
        api=$(measure "$LOGS/api-$i-$run.log" "${ARGS[@]}")
        java_args "${DIRS[$i]}" worker-service
        worker=$(measure "$LOGS/worker-$i-$run.log" "${ARGS[@]}")
        RESULTS["${LABELS[$i]} api $run"]=$api
        RESULTS["${LABELS[$i]} worker $run"]=$worker
        echo "run $run ${LABELS[$i]}: api $api | worker $worker  (started s, ready s, cpu s, heap MiB, rss MiB)" >&2
    done
done

echo
echo "| jars | service | started (s) | ready (s) | CPU to ready (s) | heap after full GC (MiB) | RSS (MiB) |"
echo "|---|---|---|---|---|---|---|"
median() { tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for service in api worker; do
    for i in "${!LABELS[@]}"; do
        cols=("" "" "" "" "")
        for run in $(seq "$RUNS"); do
            read -r -a f <<<"${RESULTS["${LABELS[$i]} $service $run"]}"
            for c in 0 1 2 3 4; do cols[c]+="${cols[c]:+ }${f[c]}"; done
        done
        row="| ${LABELS[$i]} | $service"
        for c in 0 1 2 3 4; do row+=" | **$(echo "${cols[c]}" | median)** (${cols[c]// /, })"; done
        echo "$row |"
    done
done
echo
echo "Bold: the median of the $RUNS runs; in brackets each run, in order."
