package dev.sluice.cli;

import picocli.CommandLine.Command;

/**
 * {@code sluice batch}: the OpenAI Batch API's workflow. Only {@code /v1/files} and {@code /v1/batches}
 * are used, so these commands work against any OpenAI-compatible Batch API as well as Sluice.
 */
@Command(
        name = "batch",
        description = "Submit, follow and fetch batches (any OpenAI-compatible Batch API).",
        subcommands = {
            BatchSubmit.class,
            BatchList.class,
            BatchGet.class,
            BatchWait.class,
            BatchCancel.class,
            BatchResults.class
        })
final class BatchCommand {}
