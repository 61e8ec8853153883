package dev.sluice.db.tenant;

import org.springframework.data.jpa.repository.JpaRepository;

/** Spring Data's repository of {@link ApiKeyEntity}; used only by {@link TenantEntityRepository}. */
interface ApiKeyEntities extends JpaRepository<ApiKeyEntity, String> {}
