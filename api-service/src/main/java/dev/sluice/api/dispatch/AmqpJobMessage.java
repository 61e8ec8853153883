package dev.sluice.api.dispatch;

import dev.sluice.common.JobMessage;
import dev.sluice.common.JobMessageCodec;
import java.nio.charset.StandardCharsets;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * A {@link JobMessage} as published to RabbitMQ:
 * <ul>
 *   <li>body: {@link JobMessageCodec#encode}, the JSON the worker-service reads with the same codec, no type
 *       header;</li>
 *   <li>{@code content_type} {@code application/json}, {@code content_encoding} {@code UTF-8};</li>
 *   <li>{@code delivery_mode} 2 (persistent), {@code priority} = the job's priority (0-9, 10 for a facade
 *       call);</li>
 *   <li>{@code message_id} = the job id.</li>
 * </ul>
 * It is published to the default exchange with its lane's queue name ({@code Queues.forLane}: model and tenant)
 * as routing key. A message only says "look at this job": the job row decides what happens.
 */
final class AmqpJobMessage {

    private AmqpJobMessage() {}

    static Message of(JobMessage job) {
        return MessageBuilder.withBody(JobMessageCodec.encode(job))
                .setContentType(MessageProperties.CONTENT_TYPE_JSON)
                .setContentEncoding(StandardCharsets.UTF_8.name())
                .setDeliveryMode(MessageDeliveryMode.PERSISTENT)
                .setPriority(job.priority())
                .setMessageId(job.jobId())
                .build();
    }
}
