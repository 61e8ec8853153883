package dev.sluice.db.tenant;

import dev.sluice.db.NewEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.Immutable;

/** A row of {@code api_keys} as JPA inserts and reads it; revoking is a conditional update in {@link TenantRepository}. */
@Entity
@Immutable
@Table(name = "api_keys")
class ApiKeyEntity extends NewEntity<String> {

    @Id
    private String id;

    @Column(name = "tenant_id")
    private String tenantId;

    private String name;

    @Column(name = "key_hash")
    private byte[] keyHash;

    @Column(name = "key_prefix")
    private String keyPrefix;

    @Column(name = "created_at")
    private Instant createdAt;

    @Column(name = "revoked_at")
    private Instant revokedAt;

    protected ApiKeyEntity() {}

    ApiKeyEntity(String id, String tenantId, String name, byte[] keyHash, String keyPrefix, Instant createdAt) {
        this.id = id;
        this.tenantId = tenantId;
        this.name = name;
        this.keyHash = keyHash;
        this.keyPrefix = keyPrefix;
        this.createdAt = createdAt;
    }

    @Override
    public String getId() {
        return id;
    }

    ApiKey toApiKey() {
        return new ApiKey(id, tenantId, name, keyPrefix, createdAt, revokedAt);
    }
}
