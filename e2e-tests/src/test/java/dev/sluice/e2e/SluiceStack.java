package dev.sluice.e2e;

import dev.sluice.testsupport.TestInfrastructure;
import dev.sluice.testsupport.TestSecrets;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The whole product as an operator runs it: the upstream simulator, one api-service and any
 * number of worker-service processes, all from their runnable jars, against this run's
 * PostgreSQL database and RabbitMQ vhost. Both services share the test secrets encryption key, so tenants'
 * webhook secrets are encrypted at rest as in production.
 */
final class SluiceStack implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(90);

    private final ServiceProcess simulator;
    private final ServiceProcess api;
    private final List<ServiceProcess> workers = new ArrayList<>();
    private final Map<String, String> workerEnv;
    private final String adminKey;

    private SluiceStack(ServiceProcess simulator, ServiceProcess api, Map<String, String> workerEnv, String adminKey) {
        this.simulator = simulator;
        this.api = api;
        this.workerEnv = workerEnv;
        this.adminKey = adminKey;
    }

    /**
     * Starts the simulator with {@code simulatorEnv} (added to the defaults), the api, and
     * {@code workers} workers with {@code sluiceEnv} (added to the connection settings). All processes start
     * at once and are then awaited: a worker waits for the api's migrations by itself, and on two cores the
     * JVMs' start-up is most of an end-to-end class's time.
     */
    static SluiceStack start(Map<String, String> simulatorEnv, Map<String, String> sluiceEnv, int workers) {
        ServiceProcess simulator = ServiceProcess.start("simulator", "upstream-simulator", simulatorEnv);
        String adminKey = "admin-" + UUID.randomUUID();
        Map<String, String> apiEnv = new HashMap<>(TestInfrastructure.environment());
        apiEnv.put("SLUICE_SECRETS_ENCRYPTION_KEY", TestSecrets.ENCRYPTION_KEY);
        // The model the simulator does not have, which tests send to see the provider's refusal reach the client:
        // allowed, so that Sluice passes it on instead of refusing it at submission (docs/contract.md, "Models").
        apiEnv.put("SLUICE_MODELS", "nobody/no-such-model");
        apiEnv.putAll(sluiceEnv);
        apiEnv.put("SLUICE_ADMIN_KEY", adminKey);
        // The api asks the provider itself for GET /v1/models, at the workers' upstream URL.
        apiEnv.put("SLUICE_UPSTREAM_BASE_URL", simulator.baseUrl().toString());
        ServiceProcess api = ServiceProcess.start("api", "api-service", apiEnv);

        Map<String, String> workerEnv = new HashMap<>(TestInfrastructure.environment());
        workerEnv.put("SLUICE_SECRETS_ENCRYPTION_KEY", TestSecrets.ENCRYPTION_KEY);
        workerEnv.putAll(sluiceEnv);
        workerEnv.put("SLUICE_UPSTREAM_BASE_URL", simulator.baseUrl().toString());
        SluiceStack stack = new SluiceStack(simulator, api, workerEnv, adminKey);
        for (int i = 0; i < workers; i++) {
            stack.workers.add(stack.launchWorker());
        }
        try {
            simulator.awaitReady("/__stats", STARTUP);
            api.awaitReady("/actuator/health", STARTUP);
            stack.workers.forEach(worker -> worker.awaitReady("/actuator/health", STARTUP));
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        return stack;
    }

    /** Starts one more worker and waits until it is healthy. */
    ServiceProcess startWorker() {
        ServiceProcess worker = launchWorker().awaitReady("/actuator/health", STARTUP);
        workers.add(worker);
        return worker;
    }

    private ServiceProcess launchWorker() {
        return ServiceProcess.start("worker-" + (workers.size() + 1), "worker-service", workerEnv);
    }

    /** The workers started so far, oldest first. */
    List<ServiceProcess> workers() {
        return List.copyOf(workers);
    }

    /** The api, authenticated as the operator. */
    Http admin() {
        return new Http(api.baseUrl(), adminKey);
    }

    /** The admin key, for clients configured by environment (the CLI's {@code SLUICE_ADMIN_KEY}). */
    String adminKey() {
        return adminKey;
    }

    /** The api, authenticated with a tenant's key. */
    Http client(String apiKey) {
        return new Http(api.baseUrl(), apiKey);
    }

    /** The api's base URL (without {@code /v1}), for clients such as the OpenAI SDK. */
    URI apiUrl() {
        return api.baseUrl();
    }

    /** Creates a tenant through the admin API and returns its key. */
    String newTenantKey(String name) {
        Http.Response created = admin().post("/admin/api-keys", Map.of("name", name));
        if (created.status() != 201 && created.status() != 200) {
            throw new IllegalStateException("creating a key failed: " + created);
        }
        return created.json().get("key").asString();
    }

    /** The simulator's own endpoints ({@code /__stats}, {@code /__config}). */
    Http simulator() {
        return new Http(simulator.baseUrl(), null);
    }

    /** Log tails of every process, for assertion messages. */
    String logs() {
        StringBuilder out = new StringBuilder();
        out.append("--- api ---\n").append(api.tail()).append('\n');
        for (ServiceProcess worker : workers) {
            out.append("--- worker ---\n").append(worker.tail()).append('\n');
        }
        return out.toString();
    }

    /** Stops every process at once (each gets SIGTERM, then SIGKILL if it lingers). */
    @Override
    public void close() {
        List<ServiceProcess> all = new ArrayList<>(workers);
        all.add(api);
        all.add(simulator);
        all.forEach(ServiceProcess::signalStop);
        all.forEach(ServiceProcess::close);
    }
}
