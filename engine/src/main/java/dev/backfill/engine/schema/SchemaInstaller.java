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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Creates every schema the engine uses, idempotently: the primary's calls table (for development
 * and tests: in production it exists already), pekko-persistence-jdbc's tables in the journal
 * database, and the Cassandra keyspace with results, the outcome ledger and the result audit
 * ({@code call_result_writes}, created always and written only when {@code backfill.results.audit}
 * is on, so that turning the audit on needs no schema change).
 *
 * <p>Statements only ever add ({@code IF NOT EXISTS}): a table whose key changed gets a new name,
 * since Cassandra cannot change a primary key, and the old table is left alone, with a notice.
 */
public final class SchemaInstaller {

  /** Shipped inside pekko-persistence-jdbc's jar; read from there, never copied. */
  private static final String JOURNAL_DDL = "schema/postgres/postgres-create-schema.sql";

  /**
   * Tables of earlier schemas that a table of another name replaced, with why. Their rows cannot
   * be carried over, so the installer leaves them be and says so.
   */
  private static final Map<String, String> REPLACED =
      new TreeMap<>(
          Map.of(
              "results",
              "call_results, whose key has the processor's parameters too",
              "result_writes",
              "call_result_writes, the result audit keyed the same way"));

  private final EngineSettings settings;

  public SchemaInstaller(EngineSettings settings) {
    this.settings = settings;
  }

  /** @return what an operator should know about the schemas found (see {@link #installCassandra}) */
  public List<String> installAll() {
    installPrimary();
    installJournal();
    // A session of its own, without schema metadata: DDL then completes without the driver's
    // one-second metadata debounce (see CassandraSessions.forSchemaChanges); installCassandra
    // checks schema agreement itself instead.
    try (CqlSession session = CassandraSessions.forSchemaChanges(settings.cassandra())) {
      return installCassandra(session);
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

  /**
   * @return one notice per table of an earlier schema still in the keyspace (results and
   *     result_writes from before results were keyed by their parameters): the engine no longer
   *     reads or writes it, and the operator may drop it. Empty for a keyspace made by this version.
   */
  public List<String> installCassandra(CqlSession session) {
    var cassandra = settings.cassandra();
    String cql =
        resource("schema/cassandra.cql")
            .replace("${keyspace}", cassandra.keyspace())
            .replace("${replication_factor}", Integer.toString(cassandra.replicationFactor()));
    for (String statement : statements(cql)) {
      session.execute(SimpleStatement.newInstance(statement).setTimeout(cassandra.schemaTimeout()));
      if (!session.isSchemaMetadataEnabled()) {
        // The driver checks schema agreement after DDL only as part of its metadata refresh, so a
        // session without metadata (CassandraSessions.forSchemaChanges) must ask: wait, as the
        // driver would have, until every node has the change (or the agreement timeout passes),
        // so that the next statement sees the keyspace or table on whichever node it reaches.
        if (!session.checkSchemaAgreement()) {
          org.slf4j.LoggerFactory.getLogger(SchemaInstaller.class)
              .warn("Cassandra's nodes did not agree on the schema in time after: {}", statement);
        }
      }
    }
    return replacedTables(session, cassandra.keyspace());
  }

  private static List<String> replacedTables(CqlSession session, String keyspace) {
    // The keyspace is created unquoted, so Cassandra keeps its name in lower case.
    String name = keyspace.toLowerCase(Locale.ROOT);
    Set<String> tables = new HashSet<>();
    session
        .execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", name)
        .forEach(row -> tables.add(row.getString("table_name")));
    List<String> notices = new ArrayList<>();
    REPLACED.forEach(
        (table, replacement) -> {
          if (tables.contains(table)) {
            notices.add(
                "table "
                    + name
                    + "."
                    + table
                    + " is from an earlier schema and no longer read or written: it is replaced by "
                    + replacement
                    + ". Calls are computed again into the new table as jobs ask for them (the old"
                    + " key does not say which parameters a row was computed with, so its rows are"
                    + " not carried over). Drop it when nothing of yours reads it: DROP TABLE "
                    + name
                    + "."
                    + table
                    + ";");
          }
        });
    return notices;
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
