package dev.sluice.api.dispatch;

import dev.sluice.common.JobMessage;
import java.nio.charset.StandardCharsets;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The wire form of a {@link JobMessage}, which the worker-service reads:
 * <ul>
 *   <li>body: UTF-8 JSON {@code {"job_id":"job_5f1c...","model":"gpt-4o-mini","priority":0}}, no
 *       type header, so any JSON reader can decode it;</li>
 *   <li>{@code content_type} {@code application/json}, {@code content_encoding} {@code UTF-8};</li>
 *   <li>{@code delivery_mode} 2 (persistent), {@code priority} = the job's priority (0-9);</li>
 *   <li>{@code message_id} = the job id.</li>
 * </ul>
 * It is published to the default exchange with the model's queue name ({@code Queues.forModel})
 * as routing key. A message only says "look at this job": the job row decides what happens.
 */
final class JobMessageCodec {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private JobMessageCodec() {
    }

    static Message toMessage(JobMessage job) {
        ObjectNode body = JSON.createObjectNode();
        body.put("job_id", job.jobId());
        body.put("model", job.model());
        body.put("priority", job.priority());
        return MessageBuilder.withBody(JSON.writeValueAsBytes(body))
                .setContentType(MessageProperties.CONTENT_TYPE_JSON)
                .setContentEncoding(StandardCharsets.UTF_8.name())
                .setDeliveryMode(MessageDeliveryMode.PERSISTENT)
                .setPriority(job.priority())
                .setMessageId(job.jobId())
                .build();
    }

    /** Reads a message back; used by tests, and the reference for any other reader. */
    static JobMessage fromMessage(Message message) {
        var body = JSON.readTree(message.getBody());
        return new JobMessage(body.get("job_id").asString(), body.get("model").asString(), body.get("priority").asInt());
    }
}
