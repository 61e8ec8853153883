#!/usr/bin/env bash
# Input files end to end on one api-service with a small heap: upload a ~200 MB JSONL file, download it
# back and compare checksums, then create a batch from a smaller file.
#
#   bench/file-upload.sh            # HEAP=128m LINES=100000 LINE_BYTES=2000 BATCH_LINES=10000
#
# The api runs with -Xmx$HEAP (default 128m), smaller than the file: the upload only succeeds if it is
# spooled to disk and stored part by part, and the download only if it is streamed. Prints the sizes, the
# times and throughputs of upload and download, whether the bytes came back identical, the parts stored,
# and the time of POST /v1/batches {input_file_id} for BATCH_LINES lines (read back from the database,
# checked line by line and stored with COPY as they are read, so BATCH_LINES=100000 (190 MiB) works at
# HEAP=64m; its jobs are published to the broker but no worker runs them).
#
# Loopback only. It uses its own database (sluice_bench_files) and vhost (sluice-bench-files), dropped at the
# end, and its own port (28180); it does not touch the machine's other databases, vhosts or services.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN_DIR=$(mktemp -d /tmp/sluice-files.XXXXXX)
DB=sluice_bench_files
VHOST=sluice-bench-files
PORT=28180
API=http://localhost:$PORT
ADMIN_KEY=sk-admin-bench-files
HEAP=${HEAP:-128m}
LINES=${LINES:-100000}
LINE_BYTES=${LINE_BYTES:-2000}
BATCH_LINES=${BATCH_LINES:-10000}

[[ -f "$ROOT/api-service/target/api-service.jar" ]] || (cd "$ROOT" && ./mvnw -q -B -DskipTests package -pl api-service -am)

API_PID=
cleanup() {
  if [[ -n $API_PID ]]; then kill "$API_PID" 2>/dev/null || true; wait "$API_PID" 2>/dev/null || true; fi
  rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
  dropdb -h 127.0.0.1 -U postgres --if-exists "$DB" >/dev/null 2>&1 || true
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT

dropdb -h 127.0.0.1 -U postgres --if-exists "$DB" >/dev/null 2>&1 || true
createdb -h 127.0.0.1 -U postgres "$DB"
rabbitmqctl -q add_vhost "$VHOST" >/dev/null 2>&1 || true
rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*'

# No provider runs here: the lines' model is allowed by SLUICE_MODELS (docs/contract.md, "Models").
SERVER_PORT=$PORT SLUICE_ADMIN_KEY=$ADMIN_KEY SLUICE_MODELS=bench-model \
  SPRING_DATASOURCE_URL=jdbc:postgresql://localhost:5432/$DB SPRING_RABBITMQ_VIRTUAL_HOST=$VHOST \
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx"$HEAP" -Djava.io.tmpdir="$RUN_DIR" -jar "$ROOT/api-service/target/api-service.jar" \
  >"$RUN_DIR/api.log" 2>&1 &
API_PID=$!
for _ in $(seq 1 120); do
  curl -fsS "$API/actuator/health" >/dev/null 2>&1 && break
  kill -0 "$API_PID" 2>/dev/null || { echo "api did not start:" >&2; tail -20 "$RUN_DIR/api.log" >&2; exit 1; }
  sleep 0.5
done
KEY=$(curl -fsS -X POST "$API/admin/api-keys" -H "Authorization: Bearer $ADMIN_KEY" \
  -H 'Content-Type: application/json' -d '{"name":"bench"}' | jq -r .key)

# One chat line padded to LINE_BYTES bytes (newline included).
lines() {
  awk -v n="$1" -v size="$LINE_BYTES" 'BEGIN {
    for (i = 1; i <= n; i++) {
      head = sprintf("{\"custom_id\":\"r-%d\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"bench-model\",\"messages\":[{\"role\":\"user\",\"content\":\"", i)
      tail = "\"}]}}"
      pad = size - length(head) - length(tail) - 1
      printf "%s%s%s\n", head, sprintf("%" pad "s", ""), tail
    }
  }' | tr ' ' 'x'
}

lines "$LINES" >"$RUN_DIR/big.jsonl"
BYTES=$(stat -c %s "$RUN_DIR/big.jsonl")
UPLOAD=$(curl -fsS -o "$RUN_DIR/upload.json" -w '%{time_total}' -X POST "$API/v1/files" \
  -H "Authorization: Bearer $KEY" -F purpose=batch -F "file=@$RUN_DIR/big.jsonl")
FILE_ID=$(jq -r .id "$RUN_DIR/upload.json")
DOWNLOAD=$(curl -fsS -o "$RUN_DIR/back.jsonl" -w '%{time_total}' "$API/v1/files/$FILE_ID/content" \
  -H "Authorization: Bearer $KEY")
SAME=$([[ $(sha256sum <"$RUN_DIR/big.jsonl") == $(sha256sum <"$RUN_DIR/back.jsonl") ]] && echo yes || echo NO)
PARTS=$(psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "SELECT count(*) FROM file_parts WHERE file_id = '$FILE_ID'")
curl -fsS -X DELETE "$API/v1/files/$FILE_ID" -H "Authorization: Bearer $KEY" >/dev/null

lines "$BATCH_LINES" >"$RUN_DIR/batch.jsonl"
SMALL_ID=$(curl -fsS -X POST "$API/v1/files" -H "Authorization: Bearer $KEY" -F purpose=batch \
  -F "file=@$RUN_DIR/batch.jsonl" | jq -r .id)
CREATE=$(curl -fsS -o "$RUN_DIR/batch.json" -w '%{time_total}' -X POST "$API/v1/batches" \
  -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d "{\"input_file_id\":\"$SMALL_ID\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}")
TOTAL=$(jq -r .request_counts.total "$RUN_DIR/batch.json")

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
rate() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.0f", b / 1048576 / t }'; }
printf 'api heap (-Xmx)         %s\n' "$HEAP"
printf 'file                    %s lines, %s MiB (%s bytes)\n' "$LINES" "$(mb "$BYTES")" "$BYTES"
printf 'upload                  %.2f s  (%s MiB/s)  -> %s, %s parts\n' "$UPLOAD" "$(rate "$BYTES" "$UPLOAD")" "$FILE_ID" "$PARTS"
printf 'download                %.2f s  (%s MiB/s)  identical: %s\n' "$DOWNLOAD" "$(rate "$BYTES" "$DOWNLOAD")" "$SAME"
printf 'batch from file         %s lines (%s MiB) -> %s requests in %.2f s\n' "$BATCH_LINES" \
  "$(mb "$(stat -c %s "$RUN_DIR/batch.jsonl")")" "$TOTAL" "$CREATE"
[[ $SAME == yes && $TOTAL == "$BATCH_LINES" ]]
