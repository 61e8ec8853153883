package dev.sluice.simulator.openai;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The seed provider's 58 models, ids in {@code vendor/model} form. Any of them works on any endpoint. */
public final class Models {

    /** One entry of {@code GET /v1/models}. */
    public record Model(String id, String object, long created, String ownedBy) {}

    /** The list object of {@code GET /v1/models}. */
    public record ModelList(String object, List<Model> data) {}

    private static final Map<String, List<String>> BY_VENDOR = vendors();
    private static final Map<String, Model> BY_ID = catalog();
    private static final ModelList LIST = new ModelList("list", List.copyOf(BY_ID.values()));

    private Models() {}

    /** Every model, in a fixed order. */
    public static ModelList list() {
        return LIST;
    }

    /** Every model and then {@code extra} (those not among the 58), in a fixed order. */
    public static ModelList list(List<String> extra) {
        if (extra.isEmpty()) {
            return LIST;
        }
        List<Model> all = new ArrayList<>(LIST.data());
        for (String id : extra) {
            if (!BY_ID.containsKey(id)) {
                all.add(extra(id, all.size()));
            }
        }
        return new ModelList("list", List.copyOf(all));
    }

    /** The model with {@code id}, among the 58 or {@code extra}. */
    public static Optional<Model> find(String id, List<String> extra) {
        Optional<Model> seed = find(id);
        if (seed.isPresent() || !extra.contains(id)) {
            return seed;
        }
        return Optional.of(extra(id, BY_ID.size() + extra.indexOf(id)));
    }

    /** Every model id, in the same order. */
    public static List<String> ids() {
        return List.copyOf(BY_ID.keySet());
    }

    /** The model with {@code id}, if the provider has it. */
    public static Optional<Model> find(String id) {
        return Optional.ofNullable(BY_ID.get(id));
    }

    private static Model extra(String id, int position) {
        int slash = id.indexOf('/');
        String owner = slash > 0 ? id.substring(0, slash) : "simulator";
        return new Model(id, "model", 1_700_000_000L + position * 86_400L, owner);
    }

    private static Map<String, Model> catalog() {
        Map<String, Model> byId = new LinkedHashMap<>();
        BY_VENDOR.forEach((vendor, names) -> names.forEach(name -> {
            String id = vendor + "/" + name;
            // Deterministic creation dates, one day apart, so listings are stable across runs.
            byId.put(id, new Model(id, "model", 1_700_000_000L + byId.size() * 86_400L, vendor));
        }));
        return byId;
    }

    private static Map<String, List<String>> vendors() {
        Map<String, List<String>> v = new LinkedHashMap<>();
        v.put(
                "openai",
                List.of(
                        "gpt-4o",
                        "gpt-4o-mini",
                        "gpt-4.1",
                        "gpt-4.1-mini",
                        "gpt-4.1-nano",
                        "gpt-4-turbo",
                        "gpt-3.5-turbo",
                        "gpt-3.5-turbo-instruct",
                        "o1",
                        "o1-mini",
                        "o3-mini",
                        "o4-mini",
                        "text-embedding-3-small",
                        "text-embedding-3-large"));
        v.put(
                "anthropic",
                List.of(
                        "claude-3-5-haiku",
                        "claude-3-5-sonnet",
                        "claude-3-7-sonnet",
                        "claude-3-opus",
                        "claude-3-haiku",
                        "claude-sonnet-4"));
        v.put(
                "google",
                List.of(
                        "gemini-2.0-flash-001",
                        "gemini-2.0-flash-lite-001",
                        "gemini-2.5-flash",
                        "gemini-2.5-pro",
                        "gemma-2-9b-it",
                        "gemma-3-27b-it"));
        v.put(
                "meta-llama",
                List.of(
                        "llama-3.1-8b-instruct",
                        "llama-3.1-70b-instruct",
                        "llama-3.1-405b-instruct",
                        "llama-3.2-1b-instruct",
                        "llama-3.2-3b-instruct",
                        "llama-3.3-70b-instruct",
                        "llama-4-maverick"));
        v.put(
                "mistralai",
                List.of(
                        "mistral-7b-instruct",
                        "mistral-nemo",
                        "mistral-small-3.1-24b-instruct",
                        "mistral-large",
                        "mixtral-8x7b-instruct",
                        "codestral-2501",
                        "pixtral-12b"));
        v.put(
                "qwen",
                List.of(
                        "qwen-2.5-7b-instruct",
                        "qwen-2.5-72b-instruct",
                        "qwen-2.5-coder-32b-instruct",
                        "qwq-32b",
                        "qwen3-235b-a22b"));
        v.put("deepseek", List.of("deepseek-chat", "deepseek-r1", "deepseek-r1-distill-llama-70b", "deepseek-v3"));
        v.put("cohere", List.of("command-r", "command-r-plus", "command-a"));
        v.put("x-ai", List.of("grok-2", "grok-3-mini"));
        v.put("microsoft", List.of("phi-3-mini-128k-instruct", "phi-4"));
        v.put("nvidia", List.of("llama-3.1-nemotron-70b-instruct"));
        v.put("amazon", List.of("nova-lite-v1"));
        long count = v.values().stream().flatMap(List::stream).count();
        if (count != 58) {
            throw new IllegalStateException("the seed provider lists 58 models, the catalog has " + count);
        }
        return v;
    }
}
