package dev.sluice.api.admin;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.auth.ApiKeys;
import dev.sluice.api.auth.TenantKeys;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonBodies;
import dev.sluice.api.web.JsonInput;
import dev.sluice.api.web.ListPage;
import dev.sluice.api.web.PageQuery;
import dev.sluice.common.Ids;
import dev.sluice.common.secret.SecretCipher;
import dev.sluice.db.tenant.TenantEntityRepository;
import dev.sluice.db.tenant.TenantRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/api-keys}: an operator creates a key, which creates its tenant too; the key and the
 * tenant's webhook secret are shown in that one response and never again.
 * {@code POST /admin/api-keys/{id}/webhook-secret/rotate} gives the key's tenant a new webhook secret, shown once;
 * the old one stays valid for {@code sluice.webhook.secret-overlap} (24 h) and deliveries carry both signatures.
 * Secrets are stored encrypted when {@code SLUICE_SECRETS_ENCRYPTION_KEY} is set ({@link SecretCipher}). A revoked
 * key is refused from the next request on this replica, and on the others once the database's notification of the
 * change reaches them ({@link TenantKeys}).
 */
@RestController
@RequestMapping("/admin/api-keys")
@Tag(name = "Admin")
class ApiKeyController {

    private static final int MAX_NAME_LENGTH = 200;

    private final TenantEntityRepository tenants;
    private final TenantRepository keys;
    private final Clock clock;
    private final Duration secretOverlap;
    private final SecretCipher secrets;
    private final TenantKeys knownKeys;

    ApiKeyController(
            TenantEntityRepository tenants,
            TenantRepository keys,
            Clock clock,
            ApiProperties properties,
            SecretCipher secrets,
            TenantKeys knownKeys) {
        this.knownKeys = knownKeys;
        this.tenants = tenants;
        this.keys = keys;
        this.clock = clock;
        this.secretOverlap = properties.webhook().secretOverlap();
        this.secrets = secrets;
    }

    @Operation(
            summary = "Create an API key and its tenant (the key and webhook secret are shown only here)",
            requestBody =
                    @RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = AdminSchemas.CreateApiKey.class))))
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    ApiKeyViews.Created create(HttpServletRequest request) {
        String name = readName(JsonBodies.read(request));
        String key = ApiKeys.newKey();
        String webhookSecret = ApiKeys.newWebhookSecret();
        String keyId = Ids.apiKey();
        String tenantId = Ids.tenant();
        Instant now = clock.instant();
        tenants.createTenantWithKey(
                tenantId,
                keyId,
                name,
                ApiKeys.hash(key),
                ApiKeys.displayPrefix(key),
                secrets.seal(tenantId, webhookSecret),
                now);
        return new ApiKeyViews.Created(keyId, "api_key", name, tenantId, key, webhookSecret, now.getEpochSecond());
    }

    @Operation(summary = "List the API keys (without secrets)")
    @GetMapping
    ListPage<ApiKeyViews.Listed> list() {
        return ListPage.all(
                tenants.listKeys().stream().map(ApiKeyViews.Listed::of).toList(), ApiKeyViews.Listed::id);
    }

    @Operation(summary = "Revoke an API key")
    @DeleteMapping("/{id}")
    ApiKeyViews.Deleted revoke(@PathVariable String id) {
        if (!PageQuery.plausibleId(id) || !keys.revokeKey(id, clock.instant())) {
            throw ApiException.notFound("live API key", id);
        }
        // Here at once; other replicas when the revocation's notification reaches them.
        knownKeys.forgetAll();
        return new ApiKeyViews.Deleted(id, "api_key", true);
    }

    @Operation(summary = "Give the key's tenant a new webhook secret (shown only here)")
    @PostMapping("/{id}/webhook-secret/rotate")
    ApiKeyViews.RotatedSecret rotateWebhookSecret(@PathVariable String id) {
        if (!PageQuery.plausibleId(id)) {
            throw ApiException.notFound("live API key", id);
        }
        // The tenant id is the encryption's associated data, so it is needed before the secret is stored.
        String tenantId = keys.findTenantIdOfLiveKey(id).orElseThrow(() -> ApiException.notFound("live API key", id));
        String secret = ApiKeys.newWebhookSecret();
        Instant previousValidUntil = clock.instant().plus(secretOverlap);
        keys.rotateWebhookSecret(id, secrets.seal(tenantId, secret), previousValidUntil)
                .filter(tenantId::equals)
                .orElseThrow(() -> ApiException.notFound("live API key", id));
        knownKeys.forgetAll();
        return new ApiKeyViews.RotatedSecret(
                id, "webhook_secret", tenantId, secret, previousValidUntil.getEpochSecond());
    }

    private static String readName(byte[] body) {
        String name = null;
        try (JsonInput json = JsonInput.objectOf(body)) {
            Set<String> seen = new HashSet<>();
            for (String field = json.nextField(seen, null); field != null; field = json.nextField(seen, null)) {
                if (!field.equals("name")) {
                    throw ApiException.invalid(
                            field,
                            "unknown_parameter",
                            "Unrecognized parameter '" + field + "'; an API key takes only 'name'.");
                }
                name = json.stringOrNull("name");
            }
            json.end();
        }
        if (name == null || name.isBlank()) {
            throw ApiException.invalid("name", "missing_name", "Give the key a non-empty 'name'.");
        }
        name = name.strip();
        if (name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.invalid(
                    "name",
                    "invalid_name",
                    "'name' must be at most " + MAX_NAME_LENGTH + " characters without control characters.");
        }
        return name;
    }
}
