package dev.sluice.db.tenant;

import org.springframework.data.jpa.repository.JpaRepository;

/** Spring Data's repository of {@link ApiKeyEntity}; used only by {@link TenantRepository}. */
interface ApiKeyEntities extends JpaRepository<ApiKeyEntity, String> {
}
