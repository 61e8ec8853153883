package dev.sluice.api.idempotency;

import dev.sluice.api.web.ApiException;
import dev.sluice.db.idempotency.IdempotencyRecord;
import dev.sluice.db.idempotency.IdempotencyRepository;
import dev.sluice.db.idempotency.IdempotencyRepository.ObjectType;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Decides, inside the transaction that would store a new batch or job, whether the request is new or
 * a repeat of one made with the same key in the last 24 hours (docs/contract.md, "Client API"). The primary key of
 * {@code idempotency_keys} arbitrates: of concurrent requests with one key exactly one claims it; the
 * others wait for its commit, store nothing and answer with its object.
 */
@Component
public class IdempotencyKeys {

    /** How long a key stands for the object it created; afterwards it is free again. */
    static final Duration RETENTION = Duration.ofHours(24);

    private final IdempotencyRepository repository;

    IdempotencyKeys(IdempotencyRepository repository) {
        this.repository = repository;
    }

    /**
     * Claims {@code key} for {@code objectId}; call first in the storing transaction. Empty when the
     * caller should go on and store its object (no key, or the key was free); the id of the object the
     * key already created when this is the same request again, in which case the caller must store
     * nothing. A 409 {@code idempotency_key_reused} when the key was used for a different request.
     */
    public Optional<String> claim(String tenantId, IdempotencyKey key, ObjectType type, String objectId, Instant now) {
        if (key == null
                || repository.claim(
                        tenantId, key.value(), type, key.requestHash(), objectId, now, now.minus(RETENTION))) {
            return Optional.empty();
        }
        // The claim saw a live row, committed by now (ON CONFLICT waited for its transaction), so this
        // statement's snapshot holds it unless the tenant vanished in between.
        IdempotencyRecord held = repository
                .find(tenantId, key.value(), type)
                .orElseThrow(() -> ApiException.conflict(
                        "idempotency_key_in_use",
                        "Idempotency-Key '" + key.value()
                                + "' is being used by another request right now; try again."));
        if (!MessageDigest.isEqual(held.requestHash(), key.requestHash())) {
            throw new ApiException(
                    HttpStatus.CONFLICT,
                    "invalid_request_error",
                    IdempotencyKey.HEADER,
                    "idempotency_key_reused",
                    "Idempotency-Key '" + key.value() + "' was already used for a "
                            + "different request (" + type.wire() + " " + held.objectId() + ") in the last 24 "
                            + "hours; use a new key for a new request.");
        }
        return Optional.of(held.objectId());
    }
}
