package dev.sluice.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JobMessageCodecTest {

    private static final String QUEUE_MODEL = "openai/gpt-4o-mini";
    private static final String LANE_TENANT = "tenant_lane";
    private static final TokenEstimate NONE = TokenEstimate.UNKNOWN;

    @Test
    void writesThePlainJsonOfTheContract() {
        byte[] body =
                JobMessageCodec.encode(new JobMessage("job_abc", "openai/gpt-4o-mini \"x\"", "tenant_1", 7, NONE));

        assertThat(new String(body, StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"job_id\":\"job_abc\",\"model\":\"openai/gpt-4o-mini \\\"x\\\"\",\"tenant_id\":\"tenant_1\","
                                + "\"priority\":7,"
                                + "\"prompt_tokens\":0}");
    }

    @Test
    void carriesTheTokenEstimate() {
        JobMessage message = new JobMessage("job_1", "m", "tenant_1", 0, new TokenEstimate(212, 40));

        assertThat(new String(JobMessageCodec.encode(message), StandardCharsets.UTF_8))
                .isEqualTo("{\"job_id\":\"job_1\",\"model\":\"m\",\"tenant_id\":\"tenant_1\",\"priority\":0,"
                        + "\"prompt_tokens\":212,"
                        + "\"max_output_tokens\":40}");
        assertThat(JobMessageCodec.decode(JobMessageCodec.encode(message), "m", "other"))
                .contains(message);
        // An older message, or a nonsensical estimate: nothing known rather than a failure.
        assertThat(read("{\"job_id\":\"job_1\"}").tokens()).isEqualTo(TokenEstimate.UNKNOWN);
        assertThat(read("{\"job_id\":\"job_1\",\"prompt_tokens\":-4,\"max_output_tokens\":9}")
                        .tokens())
                .isEqualTo(TokenEstimate.UNKNOWN);
        assertThat(read("{\"job_id\":\"job_1\",\"prompt_tokens\":7,\"max_output_tokens\":\"x\"}")
                        .tokens())
                .isEqualTo(new TokenEstimate(7, null));
    }

    @Test
    void aTokenEstimateCostsThePromptCorrectedPlusTheAnswersMaximum() {
        assertThat(new TokenEstimate(200, 40).cost(1.0, 1024)).isEqualTo(240);
        assertThat(new TokenEstimate(200, null).cost(1.0, 1024)).isEqualTo(1224);
        assertThat(new TokenEstimate(200, 0).cost(1.26, 1024)).isEqualTo(252);
        assertThat(new TokenEstimate(200, 0).cost(Double.NaN, 1024)).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai/gpt-4o-mini", "m \"quoted\" \\ back", "tab\tnl\n cr\r \u0001 \u001f", "é ✓ 𝄞 /"})
    void whatIsWrittenReadsBackTheSame(String model) {
        for (int priority = 0; priority <= JobMessage.SYNCHRONOUS; priority++) {
            JobMessage message = new JobMessage("job_" + priority, model, "tenant_" + model, priority, NONE);

            assertThat(JobMessageCodec.decode(JobMessageCodec.encode(message), "other", "other"))
                    .contains(message);
        }
    }

    @Test
    void readsTheContract() {
        assertThat(read("{\"job_id\":\"job_1\",\"model\":\"openai/gpt-4o\",\"priority\":7}"))
                .isEqualTo(new JobMessage("job_1", "openai/gpt-4o", LANE_TENANT, 7, NONE));
        assertThat(read(" {\n \"priority\" : 3 , \"job_id\" : \"job_\\u0031\" } "))
                .isEqualTo(new JobMessage("job_1", QUEUE_MODEL, LANE_TENANT, 3, NONE));
        assertThat(read("{\"job_id\":\"job_1\",\"tenant_id\":\"tenant_9\",\"priority\":10}"))
                .isEqualTo(new JobMessage("job_1", QUEUE_MODEL, "tenant_9", JobMessage.SYNCHRONOUS, NONE));
    }

    @Test
    void isLenientAboutEverythingButTheJobId() {
        assertThat(
                        read(
                                "{\"job_id\":\"job_1\",\"batch_id\":\"batch_9\",\"extra\":[1,{\"a\":[true,null]}],\"x\":-1.5e3}"))
                .isEqualTo(new JobMessage("job_1", QUEUE_MODEL, LANE_TENANT, 0, NONE));
        assertThat(read("{\"job_id\":\"job_1\",\"model\":\"m\",\"priority\":11}")
                        .priority())
                .isEqualTo(10);
        assertThat(read("{\"job_id\":\"job_1\",\"priority\":-3}").priority()).isZero();
        assertThat(read("{\"job_id\":\"job_1\",\"priority\":99999999999999999999}")
                        .priority())
                .isEqualTo(10);
        assertThat(read("{\"job_id\":\"job_1\",\"priority\":\"high\"}").priority())
                .isZero();
        assertThat(read("{\"job_id\":\"job_1\",\"model\":\"\",\"priority\":null}")
                        .model())
                .isEqualTo(QUEUE_MODEL);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"model\":\"m\"}",
                "{\"job_id\":\"\"}",
                "{\"job_id\":\" \"}",
                "{\"job_id\":42}",
                "[\"job_1\"]",
                "job_1",
                "",
                "{\"job_id\":\"job_1\"",
                "{\"job_id\":\"job_1\"} x",
                "{\"job_id\":'job_1'}",
                "{\"job_id\":\"job_1\",}",
                "{\"job_id\":\"job\u0001\"}",
                "{\"a\":tru,\"job_id\":\"job_1\"}"
            })
    void aMessageWithoutAReadableJobIdIsUnusable(String body) {
        assertThat(decode(body)).isEmpty();
    }

    @Test
    void deepNestingIsRefusedNotRecursedInto() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);

        assertThat(decode("{\"job_id\":\"job_1\",\"x\":" + deep + "}")).isEmpty();
    }

    private static JobMessage read(String body) {
        return decode(body).orElseThrow();
    }

    private static Optional<JobMessage> decode(String body) {
        return JobMessageCodec.decode(body.getBytes(StandardCharsets.UTF_8), QUEUE_MODEL, LANE_TENANT);
    }
}
