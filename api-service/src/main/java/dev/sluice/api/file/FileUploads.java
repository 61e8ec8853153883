package dev.sluice.api.file;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.quota.TenantQuotas;
import dev.sluice.api.web.ApiException;
import dev.sluice.common.Ids;
import dev.sluice.db.file.FileEntityRepository;
import dev.sluice.db.file.FilePartRepository;
import dev.sluice.db.file.FileRow;
import dev.sluice.db.tenant.Tenant;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Stores an upload in PostgreSQL one part at a time as it is read from the spooled request, checking
 * it on the way ({@link JsonlCheck}). The file row and all its parts are written in one transaction,
 * so a refused or broken upload leaves nothing behind, and any api replica can serve the file.
 */
@Service
class FileUploads {

    private final FileEntityRepository files;
    private final FilePartRepository parts;
    private final TransactionTemplate transaction;
    private final Clock clock;
    private final long maxLineBytes;
    private final TenantQuotas quotas;

    FileUploads(
            FileEntityRepository files,
            FilePartRepository parts,
            TransactionTemplate transaction,
            Clock clock,
            ApiProperties properties,
            TenantQuotas quotas) {
        this.quotas = quotas;
        this.files = files;
        this.parts = parts;
        this.transaction = transaction;
        this.clock = clock;
        this.maxLineBytes = properties.input().maxLineSize().toBytes();
    }

    /**
     * Stores {@code content} ({@code declaredBytes} long, as the multipart part says) as the tenant's new input
     * file (purpose {@code batch}) and returns it; over the tenant's stored-bytes quota, a 429 and nothing stored.
     */
    FileRow store(Tenant tenant, String filename, InputStream content, long declaredBytes) {
        String id = Ids.file();
        Instant now = clock.instant();
        quotas.precheckStoredBytes(tenant.id(), Math.max(0, declaredBytes));
        transaction.executeWithoutResult(status -> {
            files.insertInputFile(id, tenant.id(), filename, now);
            long bytes = copyParts(id, content);
            files.setBytes(id, bytes);
            quotas.checkStoredBytes(tenant.id(), bytes);
        });
        return files.find(tenant.id(), id).orElseThrow();
    }

    private long copyParts(String id, InputStream content) {
        JsonlCheck check = new JsonlCheck(maxLineBytes);
        byte[] buffer = new byte[FilePartRepository.PART_SIZE];
        long total = 0;
        try (content) {
            for (int partNo = 0; ; partNo++) {
                int n = content.readNBytes(buffer, 0, buffer.length);
                if (n == 0) {
                    break;
                }
                check.feed(buffer, n);
                parts.insert(id, partNo, n == buffer.length ? buffer : Arrays.copyOf(buffer, n));
                total += n;
            }
        } catch (IOException e) {
            throw ApiException.invalid("file", "unreadable_file", "The uploaded file could not be read completely.");
        }
        check.finish();
        return total;
    }
}
