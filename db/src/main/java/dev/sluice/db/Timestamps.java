package dev.sluice.db;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/** Conversions between Java values ({@link Instant} mostly) and the JDBC types PostgreSQL's driver speaks. */
public final class Timestamps {

    private Timestamps() {}

    /** An instant as a bind value for a {@code timestamptz} parameter (null stays null). */
    public static OffsetDateTime bind(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** Reads a {@code timestamptz} column (null stays null). */
    public static Instant read(ResultSet rs, String column) throws SQLException {
        Timestamp value = rs.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    /** Reads a nullable integer column. */
    public static Integer readInt(ResultSet rs, String column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    /** Reads a nullable bigint column. */
    public static Long readLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    /** Reads a nullable {@code text[]} column. */
    public static List<String> readTextArray(ResultSet rs, String column) throws SQLException {
        Array value = rs.getArray(column);
        return value == null ? null : List.of((String[]) value.getArray());
    }
}
