package dev.sluice.db.job;

import org.springframework.jdbc.core.RowMapper;

/** The mapper for whole {@code jobs} rows, for other repositories that read jobs (result files). */
public final class JobRows {

    /** Maps a {@code SELECT * FROM jobs} row. */
    public static final RowMapper<JobRow> MAPPER = JobRowMapper.INSTANCE;

    private JobRows() {}
}
