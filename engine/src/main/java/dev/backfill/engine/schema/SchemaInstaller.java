package dev.backfill.engine.schema;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.backfill.engine.settings.EngineSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * Creates every schema the engine uses, idempotently: the primary's calls table (for development
 * and tests: in production it exists already), pekko-persistence-jdbc's tables in the journal
 * database, and the Cassandra keyspace with results, the outcome ledger and the result audit
 * ({@code result_writes}, created always and written only when {@code backfill.results.audit} is
 * on, so that turning the audit on needs no schema change).
 */
public final class SchemaInstaller {

  /** Shipped inside pekko-persistence-jdbc's jar; read from there, never copied. */
  private static final String JOURNAL_DDL = "schema/postgres/postgres-create-schema.sql";

  private final EngineSettings settings;

  public SchemaInstaller(EngineSettings settings) {
    this.settings = settings;
  }

  public void installAll() {
    installPrimary();
    installJournal();
    try (CqlSession session = CassandraSessions.withoutKeyspace(settings.cassandra())) {
      installCassandra(session);
    }
  }

  public void installPrimary() {
    var primary = settings.primary();
    runSql(primary.url(), primary.user(), primary.password(), statements(resource("schema/primary.sql")));
  }

  public void installJournal() {
    var journal = settings.journal();
    List<String> statements =
        statements(resource(JOURNAL_DDL)).stream().map(SchemaInstaller::idempotent).toList();
    runSql(journal.url(), journal.user(), journal.password(), statements);
  }

  public void installCassandra(CqlSession session) {
    var cassandra = settings.cassandra();
    String cql =
        resource("schema/cassandra.cql")
            .replace("${keyspace}", cassandra.keyspace())
            .replace("${replication_factor}", Integer.toString(cassandra.replicationFactor()));
    for (String statement : statements(cql)) {
      session.execute(SimpleStatement.newInstance(statement).setTimeout(cassandra.schemaTimeout()));
    }
  }

  /** The plugin's DDL creates its indexes without IF NOT EXISTS; make every statement re-runnable. */
  static String idempotent(String statement) {
    return statement
        .replaceFirst("(?i)^CREATE UNIQUE INDEX (?!IF NOT EXISTS)", "CREATE UNIQUE INDEX IF NOT EXISTS ")
        .replaceFirst(
            "(?i)^CREATE INDEX CONCURRENTLY (?!IF NOT EXISTS)",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS ")
        .replaceFirst("(?i)^CREATE INDEX (?!IF NOT EXISTS|CONCURRENTLY)", "CREATE INDEX IF NOT EXISTS ");
  }

  /** Splits a script on ';' at line ends, dropping comment lines. */
  static List<String> statements(String script) {
    StringBuilder withoutComments = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.trim().startsWith("--")) {
        withoutComments.append(line).append('\n');
      }
    }
    return Arrays.stream(withoutComments.toString().split(";\\s*\n"))
        .map(String::trim)
        .map(s -> s.endsWith(";") ? s.substring(0, s.length() - 1) : s)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  private static void runSql(String url, String user, String password, List<String> statements) {
    // Autocommit, one statement at a time: CREATE INDEX CONCURRENTLY refuses a transaction.
    try (Connection connection = DriverManager.getConnection(url, user, password);
        Statement statement = connection.createStatement()) {
      connection.setAutoCommit(true);
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("schema change failed on " + url + ": " + e.getMessage(), e);
    }
  }

  private static String resource(String name) {
    try (InputStream in = SchemaInstaller.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource on the classpath: " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + name, e);
    }
  }
}
