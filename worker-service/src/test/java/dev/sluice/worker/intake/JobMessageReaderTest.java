package dev.sluice.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.common.JobMessage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JobMessageReaderTest {

    private static final String QUEUE_MODEL = "openai/gpt-4o-mini";

    @Test
    void readsTheContract() {
        assertThat(read("{\"job_id\":\"job_1\",\"model\":\"openai/gpt-4o\",\"priority\":7}"))
                .isEqualTo(new JobMessage("job_1", "openai/gpt-4o", 7));
    }

    @Test
    void isLenientAboutEverythingButTheJobId() {
        assertThat(read("{\"job_id\":\"job_1\",\"batch_id\":\"batch_9\",\"extra\":[1]}"))
                .isEqualTo(new JobMessage("job_1", QUEUE_MODEL, 0));
        assertThat(read("{\"job_id\":\"job_1\",\"model\":\"m\",\"priority\":10}").priority()).isEqualTo(9);
        assertThat(read("{\"job_id\":\"job_1\",\"priority\":\"high\"}").priority()).isZero();
    }

    @Test
    void aMessageWithoutAJobIdIsUnusable() {
        assertThat(reader("{\"model\":\"m\"}")).isEmpty();
        assertThat(reader("{\"job_id\":\"\"}")).isEmpty();
        assertThat(reader("{\"job_id\":42}")).isEmpty();
        assertThat(reader("[\"job_1\"]")).isEmpty();
        assertThat(reader("job_1")).isEmpty();
        assertThat(reader("")).isEmpty();
    }

    private static JobMessage read(String body) {
        return reader(body).orElseThrow();
    }

    private static java.util.Optional<JobMessage> reader(String body) {
        return JobMessageReader.read(body.getBytes(StandardCharsets.UTF_8), QUEUE_MODEL);
    }
}
