package dev.sluice.worker;

import com.rabbitmq.client.AMQP;
import dev.sluice.common.Endpoint;
import dev.sluice.common.Ids;
import dev.sluice.common.JobMessage;
import dev.sluice.common.JobMessageCodec;
import dev.sluice.common.Queues;
import dev.sluice.common.TokenEstimate;
import dev.sluice.db.Timestamps;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.NewBatch;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.NewJob;
import dev.sluice.db.lane.LaneKey;
import dev.sluice.db.lane.LaneRepository;
import dev.sluice.db.model.ModelRepository;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Does what the api-service does when a client submits a batch, since it is not part of these tests: stores
 * a tenant, the batch and its jobs in one transaction, registers the models, declares their lane queues,
 * publishes one message per job exactly as the message contract says, and enters the lanes. The api-service creates tenants with JPA,
 * which the worker has not on its classpath (docs/architecture.md, "Persistence"), so here that is plain SQL.
 */
@TestComponent
public class Submissions {

    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);

    private final JdbcClient jdbc;
    private final BatchRepository batches;
    private final JobRepository jobs;
    private final ModelRepository models;
    private final LaneRepository lanes;
    private final AmqpAdmin admin;
    private final RabbitTemplate rabbit;
    private final TransactionTemplate transaction;

    Submissions(
            JdbcClient jdbc,
            BatchRepository batches,
            JobRepository jobs,
            ModelRepository models,
            LaneRepository lanes,
            AmqpAdmin admin,
            RabbitTemplate rabbit,
            TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.batches = batches;
        this.jobs = jobs;
        this.models = models;
        this.lanes = lanes;
        this.admin = admin;
        this.rabbit = rabbit;
        this.transaction = transaction;
    }

    /** Starts describing a batch. */
    public BatchBuilder batch() {
        return new BatchBuilder();
    }

    /** Stores a tenant with one API key and the webhook secret {@code webhookSecret} (as stored: clear or sealed). */
    public void tenant(String tenantId, String name, String webhookSecret) {
        Instant now = Instant.now();
        jdbc.sql("""
                INSERT INTO tenants (id, name, webhook_secret, created_at) VALUES (:id, :name, :secret, :now)
                """)
                .param("id", tenantId)
                .param("name", name)
                .param("secret", webhookSecret)
                .param("now", Timestamps.bind(now))
                .update();
        jdbc.sql("""
                INSERT INTO api_keys (id, tenant_id, name, key_hash, key_prefix, created_at)
                VALUES (:id, :tenantId, :name, :keyHash, 'sk-test', :now)
                """)
                .param("id", Ids.apiKey())
                .param("tenantId", tenantId)
                .param("name", name)
                .param("keyHash", Ids.random(32).getBytes(StandardCharsets.US_ASCII))
                .param("now", Timestamps.bind(now))
                .update();
    }

    /**
     * Publishes one job's message on its lane and enters the lane once the broker confirmed it, as the api-service
     * (or its sweeper) does: a worker taking from the lane then finds the message (docs/tenants.md).
     */
    public void publish(JobMessage message) {
        publishOnly(message);
        lanes.enter(List.of(new LaneKey(message.model(), message.tenantId())));
    }

    /**
     * Publishes one job's message on its lane and waits for the broker's confirm, without entering the lane: what a
     * publisher that died between does.
     */
    public void publishOnly(JobMessage message) {
        declareLane(message.model(), message.tenantId());
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .contentType(MessageProperties.CONTENT_TYPE_JSON)
                .deliveryMode(MessageDeliveryMode.toInt(MessageDeliveryMode.PERSISTENT))
                .priority(message.priority())
                .build();
        rabbit.execute(channel -> {
            // A channel of the template's cache: once in confirm mode it stays so, which its other uses ignore.
            channel.confirmSelect();
            channel.basicPublish("", message.lane(), properties, JobMessageCodec.encode(message));
            channel.waitForConfirmsOrDie(CONFIRM_TIMEOUT.toMillis());
            return null;
        });
    }

    /** Declares a lane's queue as the api-service does. */
    public void declareLane(String model, String tenantId) {
        admin.declareQueue(
                new Queue(Queues.forLane(model, tenantId), true, false, false, new HashMap<>(Queues.arguments())));
    }

    /** A batch being described: one job per call, in line order. */
    public final class BatchBuilder {

        private String tenantId = Ids.tenant();
        private boolean newTenant = true;
        private final String batchId = Ids.batch();
        private final List<NewJob> lines = new ArrayList<>();
        private int priority;
        private Instant expiresAt;
        private String webhookUrl;
        private String webhookSecret = "whsec_test";

        /** The batch's {@code webhook_url} and its tenant's {@code whsec_} secret. */
        public BatchBuilder webhook(String url, String secret) {
            webhookUrl = url;
            webhookSecret = secret;
            return this;
        }

        /** Submits for a tenant stored by an earlier batch instead of a new one. */
        public BatchBuilder ofTenant(String existingTenantId) {
            tenantId = existingTenantId;
            newTenant = false;
            return this;
        }

        /** When the batch's completion window closes; 24 h after {@link #store()} unless set. */
        public BatchBuilder expiresAt(Instant value) {
            expiresAt = value;
            return this;
        }

        /** The priority (0-9) of the lines added after this call. */
        public BatchBuilder priority(int value) {
            priority = value;
            return this;
        }

        /** A chat completion for {@code model}. */
        public BatchBuilder chat(String model, String content) {
            return line(Endpoint.CHAT_COMPLETIONS, model, """
                    {"model":"%s","messages":[{"role":"user","content":"%s"}]}""".formatted(model, content));
        }

        /** A chat completion for {@code model} whose answer may use at most {@code maxTokens}. */
        public BatchBuilder chat(String model, String content, int maxTokens) {
            return line(Endpoint.CHAT_COMPLETIONS, model, """
                    {"model":"%s","messages":[{"role":"user","content":"%s"}],"max_tokens":%d}""".formatted(model, content, maxTokens));
        }

        /** A text completion for {@code model}. */
        public BatchBuilder completion(String model, String prompt) {
            return line(Endpoint.COMPLETIONS, model, """
                    {"model":"%s","prompt":"%s","max_tokens":16}""".formatted(model, prompt));
        }

        /** An embedding for {@code model}. */
        public BatchBuilder embedding(String model, String input) {
            return line(Endpoint.EMBEDDINGS, model, """
                    {"model":"%s","input":"%s"}""".formatted(model, input));
        }

        /** {@code count} chat completions for {@code model}. */
        public BatchBuilder chats(String model, int count) {
            for (int i = 0; i < count; i++) {
                chat(model, "message " + i);
            }
            return this;
        }

        private BatchBuilder line(Endpoint endpoint, String model, String body) {
            int lineNo = lines.size() + 1;
            lines.add(new NewJob(
                    Ids.job(),
                    tenantId,
                    batchId,
                    lineNo,
                    "request-" + lineNo,
                    endpoint.path(),
                    model,
                    body,
                    priority,
                    null));
            return this;
        }

        /** Stores the batch and its jobs and declares the model queues, without publishing anything. */
        public SubmittedBatch store() {
            Instant now = Instant.now();
            Set<String> modelNames =
                    new TreeSet<>(lines.stream().map(NewJob::model).toList());
            transaction.executeWithoutResult(status -> {
                if (newTenant) {
                    tenant(tenantId, "test tenant", webhookSecret);
                }
                batches.insert(new NewBatch(
                        batchId,
                        tenantId,
                        Endpoint.CHAT_COMPLETIONS.path(),
                        "24h",
                        null,
                        null,
                        webhookUrl,
                        0,
                        lines.size(),
                        now,
                        expiresAt != null ? expiresAt : now.plus(Duration.ofHours(24))));
                jobs.insertAll(lines, now);
                models.register(modelNames, now);
            });
            for (String model : modelNames) {
                declareLane(model, tenantId);
            }
            return new SubmittedBatch(tenantId, batchId, List.copyOf(lines));
        }

        /** Stores the batch and publishes one message per job. */
        public SubmittedBatch submit() {
            SubmittedBatch batch = store();
            batch.messages().forEach(Submissions.this::publish);
            return batch;
        }

        /** Stores the batch and publishes one message per job, each carrying {@code tokens} as the api's estimate. */
        public SubmittedBatch submit(TokenEstimate tokens) {
            SubmittedBatch batch = store();
            batch.messages().stream()
                    .map(m -> new JobMessage(m.jobId(), m.model(), m.tenantId(), m.priority(), tokens))
                    .forEach(Submissions.this::publish);
            return batch;
        }
    }

    /** A stored batch. */
    public record SubmittedBatch(String tenantId, String batchId, List<NewJob> jobs) {

        /** Its job ids in line order. */
        public List<String> jobIds() {
            return jobs.stream().map(NewJob::id).toList();
        }

        /** The message of each job. */
        public List<JobMessage> messages() {
            return jobs.stream()
                    .map(job -> new JobMessage(
                            job.id(), job.model(), job.tenantId(), job.priority(), TokenEstimate.UNKNOWN))
                    .toList();
        }
    }
}
