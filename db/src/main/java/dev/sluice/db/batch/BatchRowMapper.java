package dev.sluice.db.batch;

import dev.sluice.common.BatchStatus;
import dev.sluice.db.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.springframework.jdbc.core.RowMapper;

/** Maps a {@code SELECT * FROM batches} row. */
final class BatchRowMapper implements RowMapper<BatchRow> {

    static final BatchRowMapper INSTANCE = new BatchRowMapper();

    @Override
    public BatchRow mapRow(ResultSet rs, int rowNum) throws SQLException {
        Long prompt = Timestamps.readLong(rs, "prompt_tokens");
        Usage usage =
                prompt == null ? null : new Usage(prompt, rs.getLong("completion_tokens"), rs.getLong("total_tokens"));
        return new BatchRow(
                rs.getString("id"),
                rs.getString("tenant_id"),
                BatchStatus.fromWire(rs.getString("status")),
                rs.getString("endpoint"),
                rs.getString("completion_window"),
                rs.getString("input_file_id"),
                rs.getString("output_file_id"),
                rs.getString("error_file_id"),
                rs.getString("metadata"),
                rs.getString("webhook_url"),
                rs.getInt("priority"),
                rs.getInt("request_total"),
                Timestamps.readInt(rs, "request_completed"),
                Timestamps.readInt(rs, "request_failed"),
                usage,
                rs.getString("errors"),
                Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "in_progress_at"),
                Timestamps.read(rs, "expires_at"),
                Timestamps.read(rs, "finalizing_at"),
                Timestamps.read(rs, "completed_at"),
                Timestamps.read(rs, "failed_at"),
                Timestamps.read(rs, "expired_at"),
                Timestamps.read(rs, "cancelling_at"),
                Timestamps.read(rs, "cancelled_at"),
                Timestamps.readTextArray(rs, "webhook_events"));
    }
}
