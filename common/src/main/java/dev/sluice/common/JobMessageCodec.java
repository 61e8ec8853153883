package dev.sluice.common;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The one wire format of a {@link JobMessage}: the api-service writes it, the worker reads it. The body is
 * UTF-8 JSON {@code {"job_id":"job_5f1c...","model":"gpt-4o-mini","tenant_id":"ten_...","priority":0,"prompt_tokens":212,
 * "max_output_tokens":40}} with no type header, so any
 * JSON reader can decode it (the AMQP properties around it are the publisher's, see docs/architecture.md).
 *
 * <p>Reading is lenient: unknown fields are ignored, a missing model or tenant is taken from the lane, a missing,
 * non-numeric or out-of-range priority does not matter (the broker has already ordered the message by it).
 * Only a body that is not a JSON object with a non-blank string {@code job_id} is unusable. Plain Java, since
 * {@code common} depends on no library: a small exact writer and a reader of just enough JSON.
 */
public final class JobMessageCodec {

    private JobMessageCodec() {}

    /** The message's body. */
    public static byte[] encode(JobMessage message) {
        String json = "{\"job_id\":" + quote(message.jobId()) + ",\"model\":" + quote(message.model())
                + ",\"tenant_id\":" + quote(message.tenantId()) + ",\"priority\":" + message.priority()
                + ",\"prompt_tokens\":"
                + message.tokens().promptTokens()
                + (message.tokens().maxOutputTokens() == null
                        ? ""
                        : ",\"max_output_tokens\":" + message.tokens().maxOutputTokens())
                + "}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The message in {@code body}, read from the lane of {@code laneModel} and {@code laneTenant}; empty when it
     * names no job.
     */
    public static Optional<JobMessage> decode(byte[] body, String laneModel, String laneTenant) {
        JsonObjectReader.Fields fields;
        try {
            fields = new JsonObjectReader(new String(body, StandardCharsets.UTF_8)).readObject();
        } catch (IllegalArgumentException notAnObject) {
            return Optional.empty();
        }
        if (!(fields.get("job_id") instanceof String jobId) || jobId.isBlank()) {
            return Optional.empty();
        }
        String model = fields.get("model") instanceof String named && !named.isBlank() ? named : laneModel;
        String tenant = fields.get("tenant_id") instanceof String named && !named.isBlank() ? named : laneTenant;
        int priority = (int) Math.clamp(priority(fields.get("priority")), 0, JobMessage.SYNCHRONOUS);
        return Optional.of(new JobMessage(jobId, model, tenant, priority, tokens(fields)));
    }

    /** The token estimate, or {@link TokenEstimate#UNKNOWN} when missing or not sensible (an older message). */
    private static TokenEstimate tokens(JsonObjectReader.Fields fields) {
        if (!(fields.get("prompt_tokens") instanceof Number prompt)
                || prompt.longValue() < 0
                || prompt.longValue() > Integer.MAX_VALUE) {
            return TokenEstimate.UNKNOWN;
        }
        Integer maxOutput = fields.get("max_output_tokens") instanceof Number max
                        && max.longValue() >= 0
                        && max.longValue() <= Integer.MAX_VALUE
                ? (int) max.longValue()
                : null;
        return new TokenEstimate((int) prompt.longValue(), maxOutput);
    }

    private static long priority(Object value) {
        if (value instanceof Number number) {
            return number.longValue();
        }
        if (value instanceof String text) {
            try {
                return Long.parseLong(text.strip());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    /** A JSON string literal of {@code text}, escaped as RFC 8259 requires. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
