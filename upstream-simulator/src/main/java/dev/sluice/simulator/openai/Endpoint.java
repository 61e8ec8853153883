package dev.sluice.simulator.openai;

import dev.sluice.simulator.SimulatorConfig;

/** The provider's routes. */
enum Endpoint {
    MODELS("GET", "/v1/models"),
    /** {@code /v1/models/{id}}; ids contain a slash, so everything after the prefix is the id. */
    MODEL("GET", "/v1/models/"),
    CHAT("POST", "/v1/chat/completions"),
    COMPLETIONS("POST", "/v1/completions"),
    EMBEDDINGS("POST", "/v1/embeddings");

    final String method;
    final String path;

    Endpoint(String method, String path) {
        this.method = method;
        this.path = path;
    }

    /** The route for {@code path} (trailing slash ignored), or null. */
    static Endpoint match(String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        for (Endpoint e : values()) {
            if (e == MODEL ? p.startsWith(e.path) : p.equals(e.path)) {
                return e;
            }
        }
        return null;
    }

    /** Completions and embeddings exist only when switched on; the seed provider answers them 404. */
    boolean enabled(SimulatorConfig config) {
        return switch (this) {
            case COMPLETIONS -> config.completions();
            case EMBEDDINGS -> config.embeddings();
            default -> true;
        };
    }
}
