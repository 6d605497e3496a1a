package io.zinteract.images.db;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.runtime.AgroalDataSourceUtil;
import io.quarkus.datasource.common.runtime.DataSourceUtil;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plain JDBC on the application's datasource. Every call blocks, so callers run it on a worker thread, never on
 * the event loop.
 */
@ApplicationScoped
public class Jdbc {

    private final AgroalDataSource dataSource;
    private final boolean postgresql;

    public Jdbc() {
        Optional<AgroalDataSource> pg = AgroalDataSourceUtil.dataSourceIfActive(DatabaseUrlConfigSource.POSTGRESQL);
        this.postgresql = pg.isPresent();
        this.dataSource = pg.orElseGet(() -> AgroalDataSourceUtil.dataSourceIfActive(DataSourceUtil.DEFAULT_DATASOURCE_NAME)
                .orElseThrow(() -> new IllegalStateException("no active datasource")));
    }

    /** True on PostgreSQL (DATABASE_URL), false on the embedded SQLite; for the few statements that differ. */
    public boolean postgresql() {
        return postgresql;
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    /** Runs {@code work} on a connection in auto-commit mode. */
    public <T> T withConnection(SqlWork<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.apply(connection);
        } catch (SQLException e) {
            throw new DataAccessException(e);
        }
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(SqlWork<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                T result = work.apply(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new DataAccessException(e);
        }
    }

    /** Reads one row of a result; called once per row, with the cursor on it. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** One statement on its own auto-commit connection; returns the number of rows it changed. */
    public int update(String sql, Object... args) {
        return withConnection(c -> update(c, sql, args));
    }

    /** Every row of a query on its own auto-commit connection. */
    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        return withConnection(c -> query(c, sql, mapper, args));
    }

    /** The first row of a query on its own auto-commit connection, if there is one. */
    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        return withConnection(c -> queryOne(c, sql, mapper, args));
    }

    /** One statement on {@code connection} (e.g. inside {@link #inTransaction}); returns the rows it changed. */
    public static int update(Connection connection, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(connection, sql, args)) {
            return ps.executeUpdate();
        }
    }

    /** Every row of a query on {@code connection}. */
    public static <T> List<T> query(Connection connection, String sql, RowMapper<T> mapper, Object... args)
            throws SQLException {
        try (PreparedStatement ps = prepare(connection, sql, args); ResultSet rs = ps.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
            return rows;
        }
    }

    /** The first row of a query on {@code connection}, if there is one. */
    public static <T> Optional<T> queryOne(Connection connection, String sql, RowMapper<T> mapper, Object... args)
            throws SQLException {
        try (PreparedStatement ps = prepare(connection, sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.ofNullable(mapper.map(rs)) : Optional.empty();
        }
    }

    /**
     * Binds positional arguments: {@code null} as an untyped NULL (both drivers infer the column's type), an enum by
     * its name, anything else as the driver maps it.
     */
    private static PreparedStatement prepare(Connection connection, String sql, Object... args) throws SQLException {
        PreparedStatement ps = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) {
                Object arg = args[i];
                if (arg == null) {
                    ps.setNull(i + 1, Types.NULL);
                } else if (arg instanceof Enum<?> e) {
                    ps.setString(i + 1, e.name());
                } else {
                    ps.setObject(i + 1, arg);
                }
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    /** Unchecked wrapper of {@link SQLException}, so repositories can be called from lambdas. */
    public static class DataAccessException extends RuntimeException {
        public DataAccessException(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
