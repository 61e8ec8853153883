package dev.sluice.db.file;

import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Repository;

/**
 * The {@code files} rows the api-service records, lists, reads and deletes, with JPA: present only where JPA is
 * (the api-service, see {@code JpaConfiguration}). A batch's result files are recorded, and every file's content
 * rendered, in SQL by {@link FileRepository}.
 */
@Repository
@ConditionalOnClass(EntityManager.class)
public class FileEntityRepository {

    private final FileEntities files;

    FileEntityRepository(FileEntities files) {
        this.files = files;
    }

    /**
     * Records an uploaded input file (purpose {@code batch}) with size 0; call inside the transaction
     * that stores its parts and then {@link #setBytes}.
     */
    public void insertInputFile(String id, String tenantId, String filename, Instant now) {
        files.saveAndFlush(new FileEntity(id, tenantId, "batch", filename, 0, null, "input", now));
    }

    /**
     * Records the input file of an inline batch (purpose {@code batch}, kind {@code input}), whose
     * {@code bytes} the caller summed with {@link InputLine#bytes}; call inside the batch's transaction.
     */
    public void insertBatchInputFile(
            String id, String tenantId, String batchId, String filename, long bytes, Instant now) {
        files.saveAndFlush(new FileEntity(id, tenantId, "batch", filename, bytes, batchId, "input", now));
    }

    /** Sets an uploaded file's size once all its parts are stored. */
    public void setBytes(String id, long bytes) {
        files.setBytes(id, bytes);
    }

    /** The file if it exists and belongs to the tenant. */
    public Optional<FileRow> find(String tenantId, String id) {
        return files.findByIdAndTenantId(id, tenantId).map(FileEntity::toRow);
    }

    /**
     * Up to {@code limit} of the tenant's files, of {@code purpose} (null: any), newest first or oldest
     * first, after the one with id {@code afterId} (null: from the start).
     */
    public List<FileRow> page(String tenantId, String purpose, String afterId, boolean newestFirst, int limit) {
        Limit max = Limit.of(limit);
        List<FileEntity> page = newestFirst
                ? files.pageNewestFirst(tenantId, purpose, afterId, max)
                : files.pageOldestFirst(tenantId, purpose, afterId, max);
        return page.stream().map(FileEntity::toRow).toList();
    }

    /**
     * Deletes the tenant's file and, with it, an upload's bytes; false when the tenant has no such file.
     * Batches keep their own copy of every line, so a batch made from the file is unaffected.
     */
    public boolean delete(String tenantId, String id) {
        return files.deleteOwned(id, tenantId) == 1;
    }
}
