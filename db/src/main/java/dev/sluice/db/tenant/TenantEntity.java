package dev.sluice.db.tenant;

import dev.sluice.db.NewEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.Immutable;

/**
 * A row of {@code tenants} as JPA inserts and reads it. Immutable to JPA: its secrets change only through the
 * conditional updates of {@link TenantRepository}, which a stale entity must never overwrite.
 */
@Entity
@Immutable
@Table(name = "tenants")
class TenantEntity extends NewEntity<String> {

    @Id
    private String id;

    private String name;

    @Column(name = "webhook_secret")
    private String webhookSecret;

    @Column(name = "created_at")
    private Instant createdAt;

    protected TenantEntity() {}

    TenantEntity(String id, String name, String webhookSecret, Instant createdAt) {
        this.id = id;
        this.name = name;
        this.webhookSecret = webhookSecret;
        this.createdAt = createdAt;
    }

    @Override
    public String getId() {
        return id;
    }

    Tenant toTenant() {
        return new Tenant(id, name, webhookSecret);
    }
}
