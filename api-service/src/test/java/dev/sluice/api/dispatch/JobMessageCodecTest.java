package dev.sluice.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.JobMessage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;

class JobMessageCodecTest {

    @Test
    void writesThePlainJsonTheWorkerReads() {
        Message message = JobMessageCodec.toMessage(new JobMessage("job_abc", "openai/gpt-4o-mini \"x\"", 7));

        assertThat(new String(message.getBody(), StandardCharsets.UTF_8))
                .isEqualTo("{\"job_id\":\"job_abc\",\"model\":\"openai/gpt-4o-mini \\\"x\\\"\",\"priority\":7}");
        assertThat(message.getMessageProperties().getContentType()).isEqualTo("application/json");
        assertThat(message.getMessageProperties().getDeliveryMode()).isEqualTo(MessageDeliveryMode.PERSISTENT);
        assertThat(message.getMessageProperties().getPriority()).isEqualTo(7);
        assertThat(message.getMessageProperties().getMessageId()).isEqualTo("job_abc");
        assertThat(message.getMessageProperties().getHeaders()).doesNotContainKey("__TypeId__");
        assertThat(JobMessageCodec.fromMessage(message))
                .isEqualTo(new JobMessage("job_abc", "openai/gpt-4o-mini \"x\"", 7));
    }
}
