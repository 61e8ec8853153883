package dev.sluice.db.file;

import dev.sluice.db.NewEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A row of {@code files} (the metadata; an upload's bytes are {@code file_parts}, see {@link FilePartRepository}). */
@Entity
@Table(name = "files")
class FileEntity extends NewEntity<String> {

    @Id
    private String id;

    @Column(name = "tenant_id")
    private String tenantId;

    private String purpose;

    private String filename;

    private Long bytes;

    @Column(name = "batch_id")
    private String batchId;

    private String kind;

    @Column(name = "created_at")
    private Instant createdAt;

    /** Set by the retention sweep, in SQL ({@code RetentionRepository}); never written through JPA. */
    @Column(name = "expired_at", insertable = false, updatable = false)
    private Instant expiredAt;

    /** The listing order, assigned by the database ({@code GENERATED ALWAYS AS IDENTITY}). */
    @Column(insertable = false, updatable = false)
    private Long seq;

    protected FileEntity() {}

    FileEntity(
            String id,
            String tenantId,
            String purpose,
            String filename,
            long bytes,
            String batchId,
            String kind,
            Instant createdAt) {
        this.id = id;
        this.tenantId = tenantId;
        this.purpose = purpose;
        this.filename = filename;
        this.bytes = bytes;
        this.batchId = batchId;
        this.kind = kind;
        this.createdAt = createdAt;
    }

    @Override
    public String getId() {
        return id;
    }

    FileRow toRow() {
        return new FileRow(id, tenantId, purpose, filename, bytes, batchId, kind, createdAt, expiredAt);
    }
}
