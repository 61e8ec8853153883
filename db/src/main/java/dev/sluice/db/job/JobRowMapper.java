package dev.sluice.db.job;

import dev.sluice.common.JobStatus;
import dev.sluice.db.Timestamps;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.springframework.jdbc.core.RowMapper;

/** Maps a {@code SELECT * FROM jobs} row. */
final class JobRowMapper implements RowMapper<JobRow> {

    static final JobRowMapper INSTANCE = new JobRowMapper();

    @Override
    public JobRow mapRow(ResultSet rs, int rowNum) throws SQLException {
        return new JobRow(
                rs.getString("id"),
                rs.getString("tenant_id"),
                rs.getString("batch_id"),
                Timestamps.readInt(rs, "line_no"),
                rs.getString("custom_id"),
                rs.getString("url"),
                rs.getString("model"),
                rs.getString("body"),
                rs.getInt("priority"),
                JobStatus.fromWire(rs.getString("status")),
                rs.getInt("attempts"),
                rs.getString("webhook_url"),
                Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "started_at"),
                Timestamps.read(rs, "completed_at"),
                Timestamps.readInt(rs, "response_status"),
                rs.getString("response_body"),
                rs.getString("error_code"),
                rs.getString("error_message"),
                Timestamps.readInt(rs, "prompt_tokens"),
                Timestamps.readInt(rs, "completion_tokens"),
                Timestamps.readInt(rs, "total_tokens"),
                Timestamps.readInt(rs, "latency_ms"),
                rs.getBoolean("cached"),
                Timestamps.readTextArray(rs, "webhook_events"),
                Timestamps.read(rs, "content_expired_at"));
    }
}
