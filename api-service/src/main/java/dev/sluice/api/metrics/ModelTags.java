package dev.sluice.api.metrics;

/**
 * The value of a metric's {@code model} tag: the model itself when the model registry knows it, {@link #OTHER}
 * for any other string, so that what a tenant writes in a body can never grow the metrics registry
 * (docs/operations.md, "Metrics").
 */
public interface ModelTags {

    /** The tag of every model the registry does not know. */
    String OTHER = "other";

    /** {@code model} if it is a known model, else {@link #OTHER}; never calls the provider or the database. */
    String tag(String model);
}
