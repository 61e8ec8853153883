package dev.sluice.db.file;

import java.util.List;
import java.util.Optional;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

/** Spring Data's repository of {@link FileEntity}; used only by {@link FileEntityRepository}. */
interface FileEntities extends JpaRepository<FileEntity, String> {

    Optional<FileEntity> findByIdAndTenantId(String id, String tenantId);

    /**
     * One page of the tenant's files, optionally of one purpose, after the file with id {@code afterId}.
     * A cursor that names no file of the tenant (deleted, or another tenant's) yields an empty page.
     */
    @Query("""
            SELECT f FROM FileEntity f
             WHERE f.tenantId = :tenantId
               AND (:purpose IS NULL OR f.purpose = :purpose)
               AND (:afterId IS NULL
                    OR f.seq < (SELECT a.seq FROM FileEntity a WHERE a.id = :afterId AND a.tenantId = :tenantId))
             ORDER BY f.seq DESC
            """)
    List<FileEntity> pageNewestFirst(String tenantId, String purpose, String afterId, Limit limit);

    /** As {@link #pageNewestFirst}, oldest first. */
    @Query("""
            SELECT f FROM FileEntity f
             WHERE f.tenantId = :tenantId
               AND (:purpose IS NULL OR f.purpose = :purpose)
               AND (:afterId IS NULL
                    OR f.seq > (SELECT a.seq FROM FileEntity a WHERE a.id = :afterId AND a.tenantId = :tenantId))
             ORDER BY f.seq ASC
            """)
    List<FileEntity> pageOldestFirst(String tenantId, String purpose, String afterId, Limit limit);

    /** An upload's size, set once its last part is stored. */
    @Transactional
    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("UPDATE FileEntity f SET f.bytes = :bytes WHERE f.id = :id")
    int setBytes(String id, long bytes);

    /** Deletes the tenant's file; {@code file_parts} go with it ({@code ON DELETE CASCADE}). */
    @Transactional
    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("DELETE FROM FileEntity f WHERE f.id = :id AND f.tenantId = :tenantId")
    int deleteOwned(String id, String tenantId);
}
