#!/usr/bin/env bash
# The pacing table at 15 requests per 6 s: each row three times, side by side, against the same provider in the same
# run:
#
#   direct  - the requests fired all at once straight at the provider, as the seed users did
#             (bench/pacing-direct.java: JDK HttpClient, one virtual thread per request, no retries);
#   perfect - a perfect in-memory pacer straight at the provider (bench/pacing-direct.java paced): per model the
#             first 15 at once, then request i exactly W + PERFECT_MARGIN_MS (100) after request i - 15 left, on its
#             own clock: no database, no queue, no claim. The reference the dispatch-latency issue sets;
#   sluice  - the same requests as one inline batch (POST /v1/batches); wall time runs from the POST until
#             the batch's event stream (GET /v1/batches/{id}/events) announces it completed.
#
# Rows: 1, 15 and 60 requests on one model, then 60 each on 5 models in one mixed batch (300).
# The provider is the upstream simulator with SIMULATOR_LIMIT=15/6s and the seed latency (800 ms + 0..300 ms);
# Sluice runs with SLUICE_DEFAULT_LIMIT=15/6s and $WORKERS workers, all started with bin/sluice-local.
# Before each measurement the simulator's stats and budgets are reset (POST /__reset), so its 429 count and
# per-model max_in_any_window are per row; before each Sluice row the script also waits until W + 1 s have passed
# since the previous Sluice row finished, so the provider's window and Sluice's pacer start empty.
#
# Per row it prints: wall, and two ratios: ideal / wall (the zero-margin ideal below) and perfect / wall (the
# perfect pacer's wall in the same row); for Sluice, the time from the batch's acceptance (batches.created_at) to
# the provider's first arrival of the row (the simulator's first_arrival_at, on the same machine's clock),
# and the overhead per window: the mean over models and i of (completion of job i+15 - completion of job i) - W, in
# completion order per model, i.e. what each window step costs beyond W (the perfect pacer's is its margin); and how
# late after their granted instants the row's requests left (the workers' sluice_pacer_send_lateness_seconds: the
# mean, and how many left over 20 ms late).
#
# Ideal (zero margin) for n requests on one model at N per W, with mean latency L = 0.95 s:
#   n <= N: all go at once                         -> L
#   n >  N: the last one may start at floor((n-1)/N)*W -> floor((n-1)/N)*W + L
# K models in parallel have the ideal of one model's share (5 x 60 -> same as 60: 18.95 s).
#
#   bench/pacing-table.sh                  WORKERS=2 (default), api on :18080, simulator on :13010
#   WORKERS=1 bench/pacing-table.sh
#   ROWS=1,60,5x60 bench/pacing-table.sh   a subset; "KxN" = N requests on each of K models in one batch
#   JARS_FROM=HEAD bench/pacing-table.sh   the committed code: git archive + build in a scratch dir, so
#                                          half-done edits in the tree (and their jars) stay out of it
#   JARS_FROM=<dir>                        the three jars under <dir>/<module>/target/
#   WARM_JOBS=3000 bench/pacing-table.sh   before the rows, the stack first serves about that many jobs on the
#                                          simulator's other models (15 per model per window, one batch a window),
#                                          so the rows measure a stack whose JIT has compiled the batch path, as in
#                                          a deployment that has been running, rather than one just started
# By default it uses this tree's jars as they are (building them only if missing).
#
# Loopback only. Isolation from anything else on the machine: the stack gets its own PostgreSQL database
# (sluice_pacing_bench) and RabbitMQ vhost (sluice-pacing-bench), both dropped at the end, and bin/sluice-local
# runs from a scratch root (a symlink to the script plus copies of the three jars), so its pid files are not
# the repository's run/ and a rebuild of the jars mid-run cannot pull them from under the running JVMs.
# Progress goes to stderr, the table and the summary to stdout. Exit status 1 if Sluice lost any request
# (success < 100 %) or a batch did not finish in time; 2 if it cannot start.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORKERS=${WORKERS:-2}
API_PORT=${API_PORT:-18080}
SIMULATOR_PORT=${SIMULATOR_PORT:-13010}
ROWS=${ROWS:-1,15,60,5x60}
PERFECT_MARGIN_MS=${PERFECT_MARGIN_MS:-100}
JARS_FROM=${JARS_FROM:-}
LIMIT_N=15
LIMIT_W=6
MEAN_LATENCY=0.95
MODELS=(openai/gpt-4o-mini anthropic/claude-3-5-haiku meta-llama/llama-3.1-8b-instruct google/gemini-2.0-flash-001
    mistralai/mistral-nemo)
DB=sluice_pacing_bench
VHOST=sluice-pacing-bench
ADMIN_KEY=sk-admin-pacing-bench
API=http://localhost:$API_PORT
SIM=http://localhost:$SIMULATOR_PORT

log() { printf '%s\n' "$*" >&2; }
die() { log "pacing-table: $*"; exit 2; }
now() { printf '%s\n' "$EPOCHREALTIME"; }   # no process started
calc() { awk "BEGIN { printf \"%s\", ($1) }" </dev/null; }   # calc "<awk expression>" (parenthesised: a bare > would redirect)

command -v jq >/dev/null || die "needs jq"
command -v curl >/dev/null || die "needs curl"
[[ $WORKERS =~ ^[1-9][0-9]?$ ]] || die "WORKERS must be 1..99"
WARM_JOBS=${WARM_JOBS:-0}
[[ $WARM_JOBS =~ ^[0-9]+$ ]] || die "WARM_JOBS must be a number of jobs"

# --- Java 21+ -------------------------------------------------------------------------------------------
java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java \
        /usr/lib/jvm/temurin-21-jdk-amd64/bin/java "$(command -v java || true)"; do
    if [[ -n $candidate && -x $candidate && $(java_major "$candidate") -ge 21 ]]; then JAVA=$candidate; break; fi
done
[[ -n ${JAVA:-} ]] || die "needs Java 21 or later (set JAVA_HOME)"
export JAVA_HOME=${JAVA%/bin/java}

# --- refuse to run over anything already listening --------------------------------------------------------
# bin/sluice-local puts worker i on port 8080 + i whatever API_PORT says, so those ports must be free too.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
busy=()
for port in "$API_PORT" "$SIMULATOR_PORT" $(seq 8081 $((8080 + WORKERS))); do
    if listening "$port"; then
        if curl -fs -m 2 "http://localhost:$port/actuator/health" >/dev/null 2>&1; then
            busy+=("Sluice (api or worker) is already running on :$port")
        elif curl -fs -m 2 "http://localhost:$port/__stats" >/dev/null 2>&1; then
            busy+=("an upstream simulator is already running on :$port")
        else
            busy+=("something is already listening on :$port")
        fi
    fi
done
if ((${#busy[@]})); then
    printf 'pacing-table: refusing to start:\n' >&2
    printf '  %s\n' "${busy[@]}" >&2
    log "  (the bench uses API_PORT=$API_PORT, SIMULATOR_PORT=$SIMULATOR_PORT, and bin/sluice-local always puts"
    log "   worker i on 8080+i: 8081..$((8080 + WORKERS)). Stop that stack, e.g. 'bin/sluice-local stop', or pick"
    log "   other API_PORT / SIMULATOR_PORT.)"
    exit 2
fi

# --- jars, scratch root ------------------------------------------------------------------------------------
MODULES=(upstream-simulator api-service worker-service)
PGUSER=${SPRING_DATASOURCE_USERNAME:-postgres}
SCRATCH=
started=0
own_db=0
have_vhost=0
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ $started == 1 ]]; then
        local pids; pids=$(cat "$SCRATCH"/run/*.pid 2>/dev/null || true)
        "$SCRATCH/bin/sluice-local" stop >&2 || true
        # sluice-local stop sends SIGTERM; wait for the graceful shutdowns (by pid, ours only) before dropping.
        for _ in $(seq 150); do
            local alive=0
            for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
            [[ $alive == 0 ]] && break
            sleep 0.2
        done
        for pid in $pids; do kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null; done
    fi
    [[ $own_db == 1 ]] && { dropdb -h localhost -U "$PGUSER" --if-exists --force "$DB" >/dev/null 2>&1 || true; }
    [[ $have_vhost == 1 ]] && { rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true; }
    if [[ -z $SCRATCH ]]; then
        :
    elif [[ $rc == 0 ]]; then
        rm -rf "$SCRATCH"
    else
        rm -rf "$SCRATCH/src"
        for module in "${MODULES[@]}"; do rm -f "$SCRATCH/$module/target/$module.jar"; done
        log "pacing-table: exit $rc; logs kept in $SCRATCH/run/logs"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/sluice-pacing.XXXXXX")
mkdir -p "$SCRATCH/bin" "$SCRATCH/classes"
ln -s "$ROOT/bin/sluice-local" "$SCRATCH/bin/sluice-local"
if [[ -z $JARS_FROM ]]; then
    JARS=$ROOT
    for module in "${MODULES[@]}"; do
        if [[ ! -f $JARS/$module/target/$module.jar ]]; then
            log "building the jars (./mvnw -q -B -DskipTests package) ..."
            (cd "$ROOT" && ./mvnw -q -B -DskipTests package) >&2
            break
        fi
    done
    JARS_DESC="this tree's jars, git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(
        [[ -n $(git -C "$ROOT" status --porcelain -- '*.java' 2>/dev/null) ]] && echo ' + uncommitted Java changes' || true)"
elif [[ -d $JARS_FROM ]]; then
    JARS=$(cd "$JARS_FROM" && pwd)
    JARS_DESC="jars from $JARS"
else
    rev=$(git -C "$ROOT" rev-parse --verify --short "$JARS_FROM^{commit}" 2>/dev/null) ||
        die "JARS_FROM=$JARS_FROM is neither a directory nor a commit"
    JARS=$SCRATCH/src
    log "building the jars of $JARS_FROM ($rev) in $JARS ..."
    mkdir -p "$JARS"
    git -C "$ROOT" archive "$rev" | tar -x -C "$JARS"
    (cd "$JARS" && ./mvnw -q -B -DskipTests package) >&2
    JARS_DESC="built from git $rev$([[ $rev == "$JARS_FROM" ]] || echo " ($JARS_FROM)"), committed code only"
fi
for module in "${MODULES[@]}"; do
    [[ -f $JARS/$module/target/$module.jar ]] || die "no $JARS/$module/target/$module.jar"
    mkdir -p "$SCRATCH/$module/target"
    cp -p "$JARS/$module/target/$module.jar" "$SCRATCH/$module/target/"
    # The AOT caches `bin/sluice-local train` made from these jars, if any: the stack starts from them as it would
    # in use (docs/operations.md, "Warm starts"; SLUICE_AOT_CACHE=off starts it without them).
    if [[ -d $JARS/$module/target/aot ]]; then ln -s "$JARS/$module/target/aot" "$SCRATCH/$module/target/aot"; fi
done
JAR_TIMES=$(for m in "${MODULES[@]}"; do date -r "$JARS/$m/target/$m.jar" -u "+$m %H:%MZ"; done | paste -sd, - | sed 's/,/, /g')
rm -rf "$SCRATCH/src"
"$JAVA_HOME/bin/javac" -d "$SCRATCH/classes" "$ROOT/bench/pacing-direct.java"
LOGS=$SCRATCH/run/logs

# --- the stack ----------------------------------------------------------------------------------------------
# Only what this script sets: seed latency defaults, 15/6s on both sides.
unset SIMULATOR_WINDOW SIMULATOR_LATENCY_MS SIMULATOR_JITTER_MS SIMULATOR_FAILURE_RATE SIMULATOR_RESET_RATE \
    SIMULATOR_HANG_RATE SIMULATOR_TRUNCATE_RATE SIMULATOR_RETRY_AFTER SIMULATOR_HANG_MS SLUICE_UPSTREAM_BASE_URL
export SIMULATOR_LIMIT=$LIMIT_N/${LIMIT_W}s SLUICE_DEFAULT_LIMIT=$LIMIT_N/${LIMIT_W}s SLUICE_WORKERS=$WORKERS \
    API_PORT SIMULATOR_PORT SLUICE_ADMIN_KEY=$ADMIN_KEY \
    SPRING_DATASOURCE_URL=jdbc:postgresql://localhost:5432/$DB SPRING_RABBITMQ_VIRTUAL_HOST=$VHOST

# A fresh database and vhost each run: nothing left over from an earlier (killed) run, nothing shared.
own_db=1
dropdb -h localhost -U "$PGUSER" --if-exists --force "$DB" >/dev/null 2>&1 || true
if command -v rabbitmqctl >/dev/null && rabbitmqctl -q list_vhosts >/dev/null 2>&1; then
    rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
    rabbitmqctl -q add_vhost "$VHOST" >/dev/null
    have_vhost=1
    rabbitmqctl -q set_permissions -p "$VHOST" "${SPRING_RABBITMQ_USERNAME:-guest}" '.*' '.*' '.*' >/dev/null
else
    die "needs rabbitmqctl (to give the bench a vhost of its own, so no other Sluice consumes its queues)"
fi

log "starting simulator :$SIMULATOR_PORT, api :$API_PORT, $WORKERS worker(s) with bin/sluice-local (logs: $LOGS)"
started=1
"$SCRATCH/bin/sluice-local" start | tee "$SCRATCH/start.out" >&2
source "$ROOT/bench/started-from.sh"
STARTED_FROM=$(started_from "$SCRATCH/start.out")

curl_json() { curl -fsS -m 10 "$@"; }
source "$ROOT/bench/batch-events.sh"
KEY=$(curl_json -X POST "$API/admin/api-keys" -H "Authorization: Bearer $ADMIN_KEY" \
    -H 'Content-Type: application/json' -d '{"name":"pacing-table"}' | jq -r .key)
[[ -n $KEY && $KEY != null ]] || die "could not create an API key"

# --- measurements ---------------------------------------------------------------------------------------------
ideal() { calc "int(($1 - 1) / $LIMIT_N) * $LIMIT_W + $MEAN_LATENCY"; }   # ideal <requests per model>
reset_sim() { curl_json -X POST "$SIM/__reset" >/dev/null; }
# "<429s> <max over models of max_in_any_window> <first arrivals, comma-separated ISO-8601>"
sim_stats() {
    curl_json "$SIM/__stats" | jq -r '"\(.totals.rate_limited) \([.models[]? | .max_in_any_window // 0] | max // 0) \(
        [.models[]? | .first_arrival_at // empty] | if length == 0 then "-" else join(",") end)"'
}

# Diagnostic (stderr only), from the jobs table: when the batch's jobs were first claimed and last finished, and the
# two ends of the wall that lie outside the batch: from sending the POST (epoch $2) to created_at, and from completed_at
# to the event that announced it (epoch $3).
job_times() {
    psql -h localhost -U "$PGUSER" -d "$DB" -tA -F ' ' -c "SELECT
        'POST sent to created_at ' || round((extract(epoch FROM b.created_at) - $2)::numeric, 3) || ' s;',
        'first claim +' || round(extract(epoch FROM min(j.started_at) - b.created_at)::numeric, 2) || ' s,',
        'last claim +' || round(extract(epoch FROM max(j.started_at) - b.created_at)::numeric, 2) || ' s,',
        'last finished +' || round(extract(epoch FROM max(j.completed_at) - b.created_at)::numeric, 2) || ' s,',
        'batch completed +' || round(extract(epoch FROM b.completed_at - b.created_at)::numeric, 2) || ' s;',
        'announced ' || round(($3 - extract(epoch FROM b.completed_at))::numeric, 3) || ' s later'
        FROM jobs j JOIN batches b ON b.id = j.batch_id WHERE b.id = '$1' GROUP BY b.created_at, b.completed_at" \
        2>/dev/null || echo "(no job times)"
}

# Diagnostic (stderr only): when each model's first window was claimed (its LIMIT_N-th claim after created_at), for
# the slowest model and the fastest. Each later window of a model follows its first one's sends W + margin apart, so
# a first window that leaves late delays the model's last request, and the row's wall, by as much.
burst_times() {
    psql -h localhost -U "$PGUSER" -d "$DB" -tA -c "WITH c AS (
            SELECT j.started_at - b.created_at AS after,
                   row_number() OVER (PARTITION BY j.model ORDER BY j.started_at) AS n
              FROM jobs j JOIN batches b ON b.id = j.batch_id WHERE b.id = '$1')
        SELECT 'first window claimed by +' || round(extract(epoch FROM max(after))::numeric, 3)
               || ' s (slowest model), +' || round(extract(epoch FROM min(after))::numeric, 3) || ' s (fastest)'
          FROM c WHERE n = $LIMIT_N" 2>/dev/null || echo "(no first-window times)"
}

# batch_body <file> <per model> <model count>
batch_body() {
    jq -n --argjson n "$2" --argjson models "$(printf '%s\n' "${MODELS[@]:0:$3}" | jq -R . | jq -s .)" '{
      endpoint: "/v1/chat/completions",
      metadata: {bench: "pacing-table"},
      requests: [range($n) as $i | $models[] as $m | {
        custom_id: "\($m)-\($i)", method: "POST", url: "/v1/chat/completions",
        body: {model: $m, messages: [{role: "user", content: "Question \($i)"}]}}]
    }' >"$1"
}

# run_batch <body file> <timeout s>: prints "<status> <total> <completed> <failed> <wall s> <batch id> <POST sent, epoch s>
# <status seen, epoch s>"
run_batch() {
    local body=$1 timeout=$2 t0 id b status
    t0=$(now)
    id=$(curl_json -X POST "$API/v1/batches" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
        --data-binary "@$body" | jq -r .id)
    log "    POST /v1/batches answered in $(calc "sprintf(\"%.3f\", $(now) - $t0)") s"
    # A client waiting on the batch's event stream (bench/batch-events.sh): the wall holds no poll interval (until
    # 2026-12-06 a curl poll every 100 ms, which added 0-100 ms).
    status=$(batch_outcome "$API" "$KEY" "$id" "$(calc "sprintf(\"%.3f\", $t0 + $timeout)")")
    local t1; t1=$(now)
    b=$(curl_json "$API/v1/batches/$id" -H "Authorization: Bearer $KEY")
    jq -r --arg s "$status" --arg w "$(calc "$t1 - $t0")" --arg t0 "$t0" --arg t1 "$t1" \
        '"\($s) \(.request_counts.total) \(.request_counts.completed) \(.request_counts.failed) \($w) \(.id) \($t0) \($t1)"' <<<"$b"
}

log "warm-up: one request per model through Sluice (JIT, connections, each worker discovering the 5 models)"
batch_body "$SCRATCH/warm.json" 1 5
read -r wstatus _ wdone _ wwall _ < <(run_batch "$SCRATCH/warm.json" 30) || true
[[ ${wstatus:-} == completed && ${wdone:-} == 5 ]] || die "warm-up batch did not complete (${wstatus:-no answer}, ${wdone:-0}/5 succeeded; logs: $LOGS)"
log "  warm-up: $wstatus in ${wwall}s"
last_sluice_end=$(now)
# Until W + 1 s after the last Sluice batch ended, so the provider's window and Sluice's pacer start empty.
await_empty_window() {
    local wait_s; wait_s=$(calc "$last_sluice_end + $LIMIT_W + 1 - $(now)")
    if [[ $(calc "$wait_s > 0") == 1 ]]; then sleep "$wait_s"; fi
}

# WARM_JOBS: batches of LIMIT_N lines on each of the simulator's models outside the rows' five, one a window (each
# model's window full, no 429s), until at least that many jobs have run.
WARMED=0
if ((WARM_JOBS > 0)); then
    others=$(curl_json "$SIM/v1/models" -H 'Authorization: Bearer sk-pacing' | jq -c --argjson measured \
        "$(printf '%s\n' "${MODELS[@]}" | jq -R . | jq -s .)" '[.data[].id | select(. as $m | $measured | index($m) | not)]')
    per=$(jq length <<<"$others")
    ((per > 0)) || die "the simulator lists no other model to warm up on"
    jq -n --argjson models "$others" --argjson n "$LIMIT_N" '{endpoint: "/v1/chat/completions",
        metadata: {bench: "pacing-table warm-up"}, requests: [range($n) as $i | $models[] as $m | {custom_id:
          "\($m)-\($i)", method: "POST", url: "/v1/chat/completions",
          body: {model: $m, messages: [{role: "user", content: "Warm \($i)"}]}}]}' >"$SCRATCH/warm-more.json"
    warm_started=$(now)
    while ((WARMED < WARM_JOBS)); do
        await_empty_window
        read -r wstatus _ wdone _ < <(run_batch "$SCRATCH/warm-more.json" 60) || true
        [[ ${wstatus:-} == completed ]] || die "a warm-up batch did not complete (${wstatus:-no answer}; logs: $LOGS)"
        WARMED=$((WARMED + wdone))
        last_sluice_end=$(now)
    done
    log "  warm-up: $WARMED more jobs on $per other models in $(calc "sprintf(\"%.0f\", $(now) - $warm_started)") s"
fi

fmt_pct() { calc "sprintf(\"%.1f%%\", 100 * $1 / $2)"; }
TABLE=()
sluice_total=0 sluice_ok=0 sluice_429=0 direct_total=0 direct_ok=0 direct_429=0 perfect_total=0 perfect_ok=0 perfect_429=0
worst60=1 have60=0 lost=0 timed_out=0

# Sluice's side of a row: "<first call s after created_at> <overhead per window s>". The first call is the provider's
# first arrival of the row (the simulator's first_arrival_at, $2: comma-separated, one per model, or -; the simulator
# and PostgreSQL read the same machine's clock). The overhead is read from the completion times (send + the provider's
# latency, whose 0..300 ms jitter averages out over the window's pairs): since jobs are claimed before their slots
# open (grants in advance), claims do not mark sends.
sluice_times() {
    local arrivals="NULL"
    [[ ${2:--} != - ]] && arrivals="(SELECT min(t) FROM unnest(CAST(string_to_array('$2', ',') AS timestamptz[])) AS t)"
    psql -h localhost -U "$PGUSER" -d "$DB" -tA -F ' ' -c "WITH j AS (
            SELECT model, started_at, completed_at,
                   lead(completed_at, $LIMIT_N) OVER (PARTITION BY model ORDER BY completed_at) AS later
            FROM jobs WHERE batch_id = '$1')
        SELECT coalesce(round(extract(epoch FROM $arrivals - b.created_at)::numeric, 3)::text, '-'),
               coalesce(round((avg(extract(epoch FROM j.later - j.completed_at)) - $LIMIT_W)::numeric, 3)::text, '-')
        FROM batches b LEFT JOIN j ON j.later IS NOT NULL WHERE b.id = '$1' GROUP BY b.created_at" ||
        echo "- -"
}

ratio() { calc "sprintf(\"%.3f\", $1 / $2)"; }   # ratio <reference> <measured>

# "<sends> <seconds late, summed> <sends at most 20 ms late>" so far, over every worker: the workers' histogram of how
# long after its granted instant each request left (sluice_pacer_send_lateness_seconds, docs/operations.md).
send_lateness() {
    local port
    for port in $(seq 8081 $((8080 + WORKERS))); do
        curl -fsS -m 5 "http://localhost:$port/actuator/prometheus" 2>/dev/null || true
    done | awk '
        /^sluice_pacer_send_lateness_seconds_count\{/ { n += $NF }
        /^sluice_pacer_send_lateness_seconds_sum\{/ { s += $NF }
        /^sluice_pacer_send_lateness_seconds_bucket\{.*le="0\.02"/ { ok += $NF }
        END { printf "%d %.6f %d\n", n, s, ok }'
}

# row_line <label> <via> <total> <ok> <429s> <max window> <wall> <first call> <overhead> <ideal> <perfect wall> [<sends late>]
row_line() {
    local r_ideal="n/a" r_perfect="n/a"
    if [[ $4 == "$3" && $2 != direct ]]; then
        r_ideal=$(ratio "${10}" "$7")
        [[ -n ${11} && ${11} != - ]] && r_perfect=$(ratio "${11}" "$7")
    fi
    TABLE+=("| $1 | $2 | $(fmt_pct "$4" "$3") ($4/$3) | $5 | $6 | $(calc "sprintf(\"%.2f\", $7)") s | $8 | $9 | ${12:--} | $(calc "sprintf(\"%.2f\", ${10})") s | $r_ideal | $r_perfect |")
}

IFS=, read -ra row_specs <<<"$ROWS"
for spec in "${row_specs[@]}"; do
    if [[ $spec =~ ^([0-9]+)x([0-9]+)$ ]]; then k=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]}; else k=1 n=$spec; fi
    ((k >= 1 && k <= ${#MODELS[@]} && n >= 1)) || die "bad row '$spec' (N or KxN, K <= ${#MODELS[@]})"
    total=$((k * n))
    label=$total; ((k > 1)) && label="$total ($k × $n)"
    id_s=$(ideal "$n")
    models_csv=$(IFS=,; echo "${MODELS[*]:0:$k}")

    # direct: fresh provider budget, everything at once
    reset_sim
    read -r d_ok d_429c _ d_wall _ < <("$JAVA" -cp "$SCRATCH/classes" PacingDirect "$SIM" sk-direct "$n" "$models_csv") || true
    [[ -n ${d_wall:-} ]] || die "row $label: the direct burst failed"
    read -r d_429 d_max _ < <(sim_stats) || die "reading the simulator's /__stats failed"
    row_line "$label" direct "$total" "$d_ok" "$d_429" "$d_max" "$d_wall" "-" "-" "$id_s" ""
    direct_total=$((direct_total + total)) direct_ok=$((direct_ok + d_ok)) direct_429=$((direct_429 + d_429))
    log "row $label: direct  $d_ok/$total ok, $d_429 429s (client saw $d_429c), max/window $d_max, ${d_wall}s"

    # perfect: fresh provider budget, the in-memory pacer at W + PERFECT_MARGIN_MS
    reset_sim
    read -r p_ok _ _ p_wall p_over < <("$JAVA" -cp "$SCRATCH/classes" PacingDirect "$SIM" sk-perfect "$n" "$models_csv" \
        paced "$LIMIT_N" "$((LIMIT_W * 1000))" "$PERFECT_MARGIN_MS") || true
    [[ -n ${p_wall:-} ]] || die "row $label: the perfect pacer failed"
    read -r p_429 p_max _ < <(sim_stats) || die "reading the simulator's /__stats failed"
    p_over_txt="-"; ((n > LIMIT_N)) && p_over_txt="$(calc "sprintf(\"%.0f\", 1000 * $p_over)") ms"
    row_line "$label" "perfect ${PERFECT_MARGIN_MS} ms" "$total" "$p_ok" "$p_429" "$p_max" "$p_wall" "0 ms" "$p_over_txt" "$id_s" "$p_wall"
    perfect_total=$((perfect_total + total)) perfect_ok=$((perfect_ok + p_ok)) perfect_429=$((perfect_429 + p_429))
    log "row $label: perfect $p_ok/$total ok, $p_429 429s, max/window $p_max, ${p_wall}s, overhead/window ${p_over}s"

    # sluice: wait until W + 1 s after the previous Sluice row, fresh stats, one batch
    batch_body "$SCRATCH/row.json" "$n" "$k"
    await_empty_window
    reset_sim
    read -r l_n0 l_s0 l_ok0 < <(send_lateness)
    read -r s_status _ s_ok s_failed s_wall s_id s_t0 s_t1 < <(run_batch "$SCRATCH/row.json" "$(calc "15 + 3 * $id_s")") || true
    [[ -n ${s_status:-} ]] || die "row $label: submitting or polling the batch failed (see $LOGS)"
    last_sluice_end=$(now)
    sleep 0.2   # the last send times are recorded off the jobs' threads
    read -r l_n1 l_s1 l_ok1 < <(send_lateness)
    s_late_txt="-"
    if ((l_n1 > l_n0)); then
        s_late_txt="$(calc "sprintf(\"%.1f ms / %d of %d\", 1000 * ($l_s1 - $l_s0) / ($l_n1 - $l_n0), ($l_n1 - $l_n0) - ($l_ok1 - $l_ok0), $l_n1 - $l_n0)")"
    fi
    read -r s_429 s_max s_arrivals < <(sim_stats) || die "reading the simulator's /__stats failed"
    read -r s_first s_over < <(sluice_times "$s_id" "$s_arrivals")
    s_first_txt="-"; [[ ${s_first:--} != - ]] && s_first_txt="$(calc "sprintf(\"%.0f\", 1000 * $s_first)") ms"
    s_over_txt="-"; [[ ${s_over:--} != - ]] && s_over_txt="$(calc "sprintf(\"%.0f\", 1000 * $s_over)") ms"
    row_line "$label" sluice "$total" "$s_ok" "$s_429" "$s_max" "$s_wall" "$s_first_txt" "$s_over_txt" "$id_s" "$p_wall" "$s_late_txt"
    sluice_total=$((sluice_total + total)) sluice_ok=$((sluice_ok + s_ok)) sluice_429=$((sluice_429 + s_429))
    log "row $label: sluice  $s_status, $s_ok/$total ok, $s_failed failed, $s_429 429s, max/window $s_max, ${s_wall}s (ideal ${id_s}s, perfect ${p_wall}s), first call ${s_first:-?}s, overhead/window ${s_over:-?}s, sends late (mean / over 20 ms) $s_late_txt"
    log "    from the batch's created_at: $(job_times "$s_id" "$s_t0" "$s_t1")"
    [[ $n -lt $LIMIT_N ]] || log "    $(burst_times "$s_id")"
    ((s_ok == total)) || lost=1
    if [[ $s_status != completed ]]; then
        timed_out=1
        log "row $label: the batch is '$s_status' (time limit $(calc "15 + 3 * $id_s") s); stopping here"
        break
    fi
    if ((n == 60)); then
        have60=1
        r=$(calc "$p_wall / $s_wall")
        (($(calc "$r < $worst60"))) && worst60=$r
    fi
done

# --- report -----------------------------------------------------------------------------------------------------
cat <<EOF

Provider: upstream simulator, limit $LIMIT_N/${LIMIT_W}s per model per key (sliding), latency 800 ms + 0-300 ms.
Sluice: SLUICE_DEFAULT_LIMIT=$LIMIT_N/${LIMIT_W}s, safety margin ${SLUICE_PACING_SAFETY_MARGIN:-100ms (default)}, $WORKERS worker(s). $(nproc) cores, $("$JAVA" -version 2>&1 | head -1).
Jars: $JARS_DESC ($JAR_TIMES, $(date -u +%Y-%m-%d)); the api and the workers started from $STARTED_FROM.
Before the rows: one request per model$( ((WARMED > 0)) && echo ", then $WARMED jobs on the simulator's other models (WARM_JOBS)" || true).

| requests | via | success | 429s at the provider | max in any ${LIMIT_W} s window | wall | accept to first call | overhead per window | sends late: mean / over 20 ms | ideal | ideal/wall | perfect/wall |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
EOF
printf '%s\n' "${TABLE[@]}"
cat <<EOF

ideal = L if n <= $LIMIT_N, else floor((n-1)/$LIMIT_N)*$LIMIT_W s + L, L = $MEAN_LATENCY s (n per model; K-model rows have the ideal of one model's share): the zero-margin ideal.
perfect = the in-memory pacer at W + $PERFECT_MARGIN_MS ms, measured in the same row; perfect/wall is the target ratio (>= 0.97).
accept to first call: batches.created_at to the provider's first arrival of the row (the simulator's first_arrival_at).
overhead per window: mean over models and i of (send i+$LIMIT_N - send i) - $LIMIT_W s (Sluice: completion times); only rows over $LIMIT_N per model.
sends late: how long after its granted instant each of the row's requests left, from the workers' sluice_pacer_send_lateness_seconds (mean, and how many of the row's sends left over 20 ms late: those keep their 50 ms reservation, docs/pacing.md).
max in any window: the simulator's max_in_any_window, max over models (<= $LIMIT_N means the limit held).
ratios only where every request succeeded; direct wall = until the last answer, 429s included.

EOF
echo "perfect: $(calc "sprintf(\"%.1f\", 100 * $perfect_ok / $perfect_total)")% success ($perfect_ok/$perfect_total), $perfect_429 429s"
echo "direct: $(calc "sprintf(\"%.1f\", 100 * $direct_ok / $direct_total)")% success ($direct_ok/$direct_total), $direct_429 429s"
line="sluice: $(calc "sprintf(\"%g\", int(1000 * $sluice_ok / $sluice_total) / 10)")% success ($sluice_ok/$sluice_total), $sluice_429 429s"
if ((timed_out)); then
    line+=", a batch did not complete (see above)"
elif ((have60 == 0)); then
    line+=", no 60-request rows run"
else
    line+=", 60-per-model rows at perfect/wall >= $(calc "sprintf(\"%.3f\", $worst60)")"
fi
echo "$line"
((lost == 0 && timed_out == 0)) || exit 1
