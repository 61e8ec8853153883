#!/usr/bin/env bash
# Sourced by bench/simulator-*.sh: finds a Java 21+, builds the simulator's fat jar if it is missing,
# starts it on a free port with the caller's SIMULATOR_* environment and stops it when the script exits.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR="$ROOT/upstream-simulator/target/upstream-simulator.jar"

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }

# The machine's default java may be 17; the simulator needs 21+.
for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java "$(command -v java)"; do
    if [[ -n $candidate && -x $candidate && $(java_major "$candidate") -ge 21 ]]; then
        JAVA=$candidate
        break
    fi
done
[[ -n ${JAVA:-} ]] || { echo "need Java 21 or later (set JAVA_HOME)" >&2; exit 1; }
export JAVA_HOME=${JAVA%/bin/java}

simulator_build() {
    if [[ ! -f $JAR ]]; then
        echo "building $JAR ..." >&2
        # -f rather than -pl ... -am: the simulator depends on no other module, and this works while
        # other modules are mid-edit.
        (cd "$ROOT" && ./mvnw -q -f upstream-simulator/pom.xml -DskipTests package) >&2
    fi
}

# Sets SIM_URL (base URL without /v1) and SIM_PID.
simulator_start() {
    SIM_LOG=$(mktemp)
    SERVER_PORT=0 "$JAVA" -jar "$JAR" >"$SIM_LOG" 2>&1 &
    SIM_PID=$!
    trap 'kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; rm -f "$SIM_LOG"' EXIT
    for _ in $(seq 200); do
        grep -q 'listening on' "$SIM_LOG" && break
        kill -0 "$SIM_PID" 2>/dev/null || { cat "$SIM_LOG" >&2; exit 1; }
        sleep 0.1
    done
    SIM_URL=$(grep -o 'listening on http://[^ ]*' "$SIM_LOG" | cut -d' ' -f3)
    [[ -n $SIM_URL ]] || { echo "simulator did not start:" >&2; cat "$SIM_LOG" >&2; exit 1; }
    echo "simulator: $(grep 'listening on' "$SIM_LOG")"
}

bench_main() {
    "$JAVA" -cp "$JAR" "dev.sluice.simulator.bench.$1" "${@:2}"
}
