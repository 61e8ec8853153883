package dev.sluice.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/** {@code sluice keys create|list|revoke}: {@code /admin/api-keys}; a key is its tenant's. */
@Command(
        name = "keys",
        description = "Create, list and revoke API keys (each key is a tenant).",
        subcommands = {KeysCommand.Create.class, KeysCommand.List.class, KeysCommand.Revoke.class})
final class KeysCommand {

    /** {@code keys create NAME}: the key and its webhook secret are shown in this answer only. */
    @Command(name = "create", description = "Create a key and its tenant; the key is shown once.")
    static final class Create extends SluiceCommand {

        @Parameters(paramLabel = "NAME", description = "A name for the key, e.g. the team's.")
        String name;

        @Override
        public Integer call() {
            JsonNode key = sluice().admin()
                    .post("/admin/api-keys", ApiClient.JSON.createObjectNode().put("name", name));
            if (json()) {
                printJson(key);
                return ExitCode.OK.code();
            }
            new Table("id", Text.string(key.path("id")))
                    .row("name", Text.string(key.path("name")))
                    .row("tenant", Text.string(key.path("tenant_id")))
                    .row("key", Text.string(key.path("key")))
                    .row("webhook secret", Text.string(key.path("webhook_secret")))
                    .print(out());
            out().println("The key and the webhook secret are shown this once: store them now.");
            out().flush();
            return ExitCode.OK.code();
        }
    }

    /** {@code keys list}: no secrets, only each key's first characters. */
    @Command(name = "list", description = "List every key, live and revoked (no secrets).")
    static final class List extends SluiceCommand {

        @Override
        public Integer call() {
            JsonNode keys = sluice().admin().get("/admin/api-keys");
            if (json()) {
                printJson(keys);
                return ExitCode.OK.code();
            }
            Table table = new Table("ID", "NAME", "TENANT", "PREFIX", "CREATED", "REVOKED");
            for (JsonNode key : keys.path("data")) {
                table.row(
                        Text.string(key.path("id")),
                        Text.string(key.path("name")),
                        Text.string(key.path("tenant_id")),
                        Text.string(key.path("key_prefix")),
                        Text.time(key.path("created_at")),
                        Text.time(key.path("revoked_at")));
            }
            if (table.isEmpty()) {
                out().println("No keys yet: sluice keys create NAME");
            } else {
                table.print(out());
            }
            out().flush();
            return ExitCode.OK.code();
        }
    }

    /** {@code keys revoke ID}: the key stops working at once; its tenant's batches are kept. */
    @Command(name = "revoke", description = "Revoke a key: it stops working at once.")
    static final class Revoke extends SluiceCommand {

        @Parameters(paramLabel = "KEY_ID", description = "The key's id (key_...), from 'sluice keys list'.")
        String id;

        @Override
        public Integer call() {
            JsonNode revoked = sluice().admin().delete("/admin/api-keys/" + Text.segment(id));
            if (json()) {
                printJson(revoked);
            } else {
                out().println("Revoked " + Text.string(revoked.path("id")) + ".");
                out().flush();
            }
            return ExitCode.OK.code();
        }
    }
}
