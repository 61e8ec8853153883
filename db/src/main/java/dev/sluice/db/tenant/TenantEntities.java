package dev.sluice.db.tenant;

import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/** Spring Data's repository of {@link TenantEntity}; used only by {@link TenantEntityRepository}. */
interface TenantEntities extends JpaRepository<TenantEntity, String> {

    /** The tenant a live (unrevoked) key with this hash belongs to. */
    @Query("""
            SELECT t FROM ApiKeyEntity k JOIN TenantEntity t ON t.id = k.tenantId
             WHERE k.keyHash = :keyHash AND k.revokedAt IS NULL
            """)
    Optional<TenantEntity> findByLiveKeyHash(byte[] keyHash);
}
