package dev.sluice.common;

import java.util.Optional;

/** The provider endpoints a {@code Job} can call, by the path OpenAI's batch lines use. */
public enum Endpoint {

    /** {@code POST /v1/chat/completions}. */
    CHAT_COMPLETIONS("/v1/chat/completions"),
    /** {@code POST /v1/completions}. */
    COMPLETIONS("/v1/completions"),
    /** {@code POST /v1/embeddings}. */
    EMBEDDINGS("/v1/embeddings");

    private final String path;

    Endpoint(String path) {
        this.path = path;
    }

    /** The path, starting with {@code /v1}. */
    public String path() {
        return path;
    }

    /** The endpoint for a path such as {@code /v1/embeddings}, if it is one Sluice runs. */
    public static Optional<Endpoint> fromPath(String path) {
        for (Endpoint endpoint : values()) {
            if (endpoint.path.equals(path)) {
                return Optional.of(endpoint);
            }
        }
        return Optional.empty();
    }
}
