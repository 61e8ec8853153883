package dev.sluice.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.JobMessage;
import dev.sluice.common.JobMessageCodec;
import dev.sluice.common.TokenEstimate;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;

class AmqpJobMessageTest {

    @Test
    void carriesTheSharedJsonBodyAsAPersistentPrioritisedMessage() {
        JobMessage job = new JobMessage("job_abc", "openai/gpt-4o-mini \"x\"", "tenant_1", 7, TokenEstimate.UNKNOWN);

        Message message = AmqpJobMessage.of(job);

        assertThat(message.getBody()).isEqualTo(JobMessageCodec.encode(job));
        assertThat(message.getMessageProperties().getContentType()).isEqualTo("application/json");
        assertThat(message.getMessageProperties().getContentEncoding()).isEqualTo("UTF-8");
        assertThat(message.getMessageProperties().getDeliveryMode()).isEqualTo(MessageDeliveryMode.PERSISTENT);
        assertThat(message.getMessageProperties().getPriority()).isEqualTo(7);
        assertThat(message.getMessageProperties().getMessageId()).isEqualTo("job_abc");
        assertThat(message.getMessageProperties().getHeaders()).doesNotContainKey("__TypeId__");
        assertThat(JobMessageCodec.decode(message.getBody(), "other", "other")).contains(job);
    }
}
