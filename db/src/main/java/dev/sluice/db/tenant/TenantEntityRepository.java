package dev.sluice.db.tenant;

import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.data.domain.Sort;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Tenants and their API keys as the api-service creates and looks them up, with JPA: present only where JPA is
 * (the api-service, see {@code JpaConfiguration}). Keys are looked up by hash; the key itself is never stored.
 * Every later change to a stored row is a conditional update in SQL, in {@link TenantRepository}.
 */
@Repository
@ConditionalOnClass(EntityManager.class)
public class TenantEntityRepository {

    private final TenantEntities tenants;
    private final ApiKeyEntities keys;

    TenantEntityRepository(TenantEntities tenants, ApiKeyEntities keys) {
        this.tenants = tenants;
        this.keys = keys;
    }

    /** Creates a tenant together with its first key, in one transaction. */
    @Transactional
    public void createTenantWithKey(
            String tenantId,
            String keyId,
            String name,
            byte[] keyHash,
            String keyPrefix,
            String webhookSecret,
            Instant now) {
        tenants.saveAndFlush(new TenantEntity(tenantId, name, webhookSecret, now));
        keys.saveAndFlush(new ApiKeyEntity(keyId, tenantId, name, keyHash, keyPrefix, now));
    }

    /** The tenant a live (unrevoked) key with this SHA-256 belongs to. */
    public Optional<Tenant> findByKeyHash(byte[] keyHash) {
        return tenants.findByLiveKeyHash(keyHash).map(TenantEntity::toTenant);
    }

    /** The tenant with this id, whatever the state of its keys (the admin API acts on its behalf). */
    public Optional<Tenant> findById(String tenantId) {
        return tenants.findById(tenantId).map(TenantEntity::toTenant);
    }

    /** Every key, oldest first, without secrets. */
    public List<ApiKey> listKeys() {
        return keys.findAll(Sort.by("createdAt", "id")).stream()
                .map(ApiKeyEntity::toApiKey)
                .toList();
    }
}
