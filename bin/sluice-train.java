// The workload of `bin/sluice-local train`: what the api and a worker do for clients, run against a private stack
// whose JVMs record it (-XX:AOTCacheOutput), so that the AOT cache written when they stop holds the classes and the
// method profiles of the request paths, not only of the start (docs/operations.md, "Warm starts").
//
//   java bin/sluice-train.java <api url> <admin key> [rounds]
//
// Each round: chat calls through the facade one at a time, then from four callers at once (some streamed, some
// repeated so that the response cache answers them), embeddings and completions, single jobs, inline batches over five models and a batch from an
// uploaded file, each polled until it ends and its output read, and the admin reads an operator makes. Any step that
// fails ends the run with exit code 1: a cache is kept only from a run whose workload succeeded.
//
// Plain JDK, run with the source launcher (Java 21+). HTTP/1.1 JDK HttpClient, as bench/facade-bench.java.

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class SluiceTrain {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private static final List<String> MODELS = List.of(
            "openai/gpt-4o-mini",
            "anthropic/claude-3-5-haiku",
            "meta-llama/llama-3.1-8b-instruct",
            "google/gemini-2.0-flash-001",
            "mistralai/mistral-nemo");
    private static final int CALLERS = 4;
    private static final int SEQUENTIAL_CHATS = 500;
    private static final int CHATS_PER_CALLER = 200;
    private static final int BATCH_LINES = 1000;
    private static final Duration BATCH_DEADLINE = Duration.ofMinutes(3);

    private static String api;
    private static String key;

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java bin/sluice-train.java <api url> <admin key> [rounds]");
            System.exit(2);
        }
        api = args[0].replaceAll("/+$", "");
        String admin = args[1];
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        key = field(send("POST", "/admin/api-keys", admin, json("{\"name\":\"aot-training\"}"), 201), "key");
        for (int round = 1; round <= rounds; round++) {
            long started = System.nanoTime();
            facade(round);
            jobs(round);
            List<String> batches = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                batches.add(field(send("POST", "/v1/batches", key, json(inlineBatch(round, i)), 200), "id"));
            }
            batches.add(fileBatch(round));
            for (String id : batches) {
                finish(id);
            }
            for (String path : List.of(
                    "/admin/queues", "/admin/limits", "/admin/models", "/admin/tenants", "/admin/usage",
                    "/admin/jobs?status=succeeded", "/admin/rate-limit-events")) {
                send("GET", path, admin, HttpRequest.BodyPublishers.noBody(), 200);
            }
            System.err.printf(
                    "round %d of %d: %d facade calls, 100 single jobs, %d batch lines in %.1f s%n",
                    round,
                    rounds,
                    SEQUENTIAL_CHATS + CALLERS * CHATS_PER_CALLER + 400,
                    4 * BATCH_LINES,
                    (System.nanoTime() - started) / 1e9);
        }
    }

    /**
     * Chat calls one at a time (each finds the stack idle, as a lone caller's do), then from {@link #CALLERS} callers
     * at once, a tenth streamed and a tenth repeated (the response cache answers those); embeddings and completions.
     */
    private static void facade(int round) throws Exception {
        for (int i = 0; i < SEQUENTIAL_CHATS; i++) {
            chat(round, -1, i);
        }
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                int caller = c;
                done.add(callers.submit(() -> {
                    for (int i = 0; i < CHATS_PER_CALLER; i++) {
                        chat(round, caller, i);
                    }
                    for (int i = 0; i < 50; i++) {
                        String text = "r" + round + " c" + caller + " e" + i;
                        send("POST", "/v1/embeddings", key,
                                json("{\"model\":\"openai/text-embedding-3-small\",\"input\":\"" + text + "\"}"), 200);
                        send("POST", "/v1/completions", key, json(
                                "{\"model\":\"openai/gpt-3.5-turbo-instruct\",\"prompt\":\"" + text + "\"}"), 200);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    private static void chat(int round, int caller, int i) throws Exception {
        String model = MODELS.get(i % MODELS.size());
        boolean stream = i % 10 == 3;
        // Every tenth call asks the same deterministic question: the response cache answers it.
        String prompt = i % 10 == 7 ? "the cached question" : "r" + round + " c" + caller + " q" + i;
        send("POST", "/v1/chat/completions", key, json("{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}"), 200);
    }

    /** Single jobs, each read back until it has ended. */
    private static void jobs(int round) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(field(send("POST", "/v1/jobs", key, json("{\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\""
                    + MODELS.get(i % MODELS.size()) + "\",\"messages\":[{\"role\":\"user\",\"content\":\"job r" + round
                    + " " + i + "\"}]}}"), 202), "id"));
        }
        for (String id : ids) {
            long deadline = System.nanoTime() + BATCH_DEADLINE.toNanos();
            while (!Set.of("succeeded", "failed", "cancelled", "expired").contains(
                    field(send("GET", "/v1/jobs/" + id, key, HttpRequest.BodyPublishers.noBody(), 200), "status"))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("job " + id + " did not end within " + BATCH_DEADLINE);
                }
                Thread.sleep(20);
            }
        }
    }

    private static String inlineBatch(int round, int batch) {
        StringBuilder body = new StringBuilder(
                "{\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\",\"requests\":[");
        for (int i = 0; i < BATCH_LINES; i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append("{\"custom_id\":\"").append(i).append("\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",")
                    .append("\"body\":{\"model\":\"").append(MODELS.get(i % MODELS.size()))
                    .append("\",\"messages\":[{\"role\":\"user\",\"content\":\"b").append(round).append('.')
                    .append(batch).append(" line ").append(i).append("\"}]}}");
        }
        return body.append("]}").toString();
    }

    /** A JSONL file uploaded with {@code POST /v1/files} and a batch made from it, OpenAI's way. */
    private static String fileBatch(int round) throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < BATCH_LINES; i++) {
            lines.append("{\"custom_id\":\"f").append(i).append("\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",")
                    .append("\"body\":{\"model\":\"").append(MODELS.get(i % MODELS.size()))
                    .append("\",\"messages\":[{\"role\":\"user\",\"content\":\"file r").append(round).append(" line ")
                    .append(i).append("\"}]}}\n");
        }
        String boundary = "sluice-train-" + System.nanoTime();
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--"
                + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"train.jsonl\"\r\n"
                + "Content-Type: application/jsonl\r\n\r\n" + lines + "\r\n--" + boundary + "--\r\n";
        HttpRequest upload = HttpRequest.newBuilder(URI.create(api + "/v1/files"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart))
                .timeout(Duration.ofSeconds(60))
                .build();
        String file = field(check(upload, 200), "id");
        return field(send("POST", "/v1/batches", key, json("{\"input_file_id\":\"" + file
                + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}"), 200), "id");
    }

    /** Polls the batch until it has completed, then reads its output file and its results. */
    private static void finish(String id) throws Exception {
        long deadline = System.nanoTime() + BATCH_DEADLINE.toNanos();
        String batch;
        while (true) {
            batch = send("GET", "/v1/batches/" + id, key, HttpRequest.BodyPublishers.noBody(), 200);
            String status = field(batch, "status");
            if (status.equals("completed")) {
                break;
            }
            if (Set.of("failed", "expired", "cancelled").contains(status) || System.nanoTime() > deadline) {
                throw new IllegalStateException("batch " + id + " is " + status + ", not completed");
            }
            Thread.sleep(50);
        }
        send("GET", "/v1/files/" + field(batch, "output_file_id") + "/content", key,
                HttpRequest.BodyPublishers.noBody(), 200);
        send("GET", "/v1/batches/" + id + "/results", key, HttpRequest.BodyPublishers.noBody(), 200);
        send("GET", "/v1/batches/" + id + "/jobs", key, HttpRequest.BodyPublishers.noBody(), 200);
        send("GET", "/v1/batches?limit=20", key, HttpRequest.BodyPublishers.noBody(), 200);
    }

    private static HttpRequest.BodyPublisher json(String body) {
        return HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
    }

    private static String send(String method, String path, String bearer, HttpRequest.BodyPublisher body, int expected)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(api + path))
                .header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json")
                .method(method, body)
                .timeout(Duration.ofSeconds(60))
                .build();
        return check(request, expected);
    }

    private static String check(HttpRequest request, int expected) throws Exception {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            String body = response.body();
            throw new IllegalStateException(request.method() + " " + request.uri().getPath() + " answered "
                    + response.statusCode() + " (expected " + expected + "): "
                    + body.substring(0, Math.min(300, body.length())));
        }
        return response.body();
    }

    /** A top-level string field of a JSON object (the few this workload reads are plain strings). */
    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no \"" + name + "\" in " + json.substring(0, Math.min(300, json.length())));
        }
        return m.group(1);
    }
}
