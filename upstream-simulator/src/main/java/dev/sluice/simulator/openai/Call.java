package dev.sluice.simulator.openai;

import java.util.List;

/**
 * A validated completion request, its answer prepared up front (building it is cheap and deterministic).
 *
 * @param model the requested model, a known one
 * @param response the full JSON answer
 * @param chunks the server-sent events to stream instead, when the request asked for {@code stream: true};
 *     otherwise null
 */
record Call(String model, Object response, List<Object> chunks) {

    boolean streamed() {
        return chunks != null;
    }
}
