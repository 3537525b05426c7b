package dev.backfill.cluster.node;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.backfill.cluster.http.Readiness;
import dev.backfill.engine.settings.EngineSettings.JournalSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Ready means: this node is an Up member of the cluster, Cassandra answers, and the journal
 * database answers. The primary is deliberately not checked here: readiness is polled often, and
 * touching the primary is the governor's job alone (its health shows in GET /governor).
 */
final class NodeReadiness implements Readiness {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final ActorSystem<?> system;
  private final CqlSession session;
  private final JournalSettings journal;
  private final Executor jdbcExecutor;

  NodeReadiness(ActorSystem<?> system, CqlSession session, JournalSettings journal, Executor jdbcExecutor) {
    this.system = system;
    this.session = session;
    this.journal = journal;
    this.jdbcExecutor = jdbcExecutor;
  }

  @Override
  public CompletionStage<Map<String, String>> check() {
    MemberStatus status = Cluster.get(system).selfMember().status();
    String cluster = status.equals(MemberStatus.up()) ? "ok" : "member is " + status + ", not Up";
    CompletionStage<String> cassandra =
        session
            .executeAsync(SimpleStatement.newInstance("SELECT release_version FROM system.local").setTimeout(TIMEOUT))
            .handle((rows, failure) -> failure == null ? "ok" : "does not answer: " + failure.getMessage());
    CompletionStage<String> journalCheck = CompletableFuture.supplyAsync(this::checkJournal, jdbcExecutor);
    return cassandra.thenCombine(
        journalCheck,
        (cassandraResult, journalResult) -> {
          Map<String, String> checks = new LinkedHashMap<>();
          checks.put("cluster", cluster);
          checks.put("cassandra", cassandraResult);
          checks.put("journal", journalResult);
          return checks;
        });
  }

  private String checkJournal() {
    Properties properties = new Properties();
    properties.setProperty("user", journal.user());
    properties.setProperty("password", journal.password());
    properties.setProperty("connectTimeout", Long.toString(TIMEOUT.toSeconds()));
    properties.setProperty("ApplicationName", "backfill-readiness");
    try (Connection connection = DriverManager.getConnection(journal.url(), properties);
        Statement statement = connection.createStatement()) {
      statement.setQueryTimeout((int) TIMEOUT.toSeconds());
      statement.execute("SELECT 1");
      return "ok";
    } catch (SQLException e) {
      return "does not answer: " + e.getMessage();
    }
  }
}
