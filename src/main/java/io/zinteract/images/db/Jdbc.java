package io.zinteract.images.db;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.runtime.AgroalDataSourceUtil;
import io.quarkus.datasource.common.runtime.DataSourceUtil;
import io.zinteract.images.config.DatabaseUrlConfigSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
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

    /** Unchecked wrapper of {@link SQLException}, so repositories can be called from lambdas. */
    public static class DataAccessException extends RuntimeException {
        public DataAccessException(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
