package dev.backfill.engine.settings;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/** The {@code backfill} block of the configuration, read once. Keys are explained in backfill.conf. */
public record EngineSettings(
    PrimarySettings primary,
    JournalSettings journal,
    CassandraSettings cassandra,
    CallSettings calls,
    JobSettings jobs,
    ResultSettings results) {

  public record PrimarySettings(
      String url,
      String user,
      String password,
      String applicationName,
      int pageSize,
      double targetBurstMillis,
      Duration queryTimeout) {}

  public record JournalSettings(String url, String user, String password, int maxConnections) {}

  public record CassandraSettings(
      List<String> contactPoints,
      String localDatacenter,
      String keyspace,
      int replicationFactor,
      Duration requestTimeout,
      Duration schemaTimeout) {}

  public record CallSettings(
      int parallelism,
      Duration askTimeout,
      int attempts,
      Duration minBackoff,
      Duration maxBackoff,
      int mailboxCapacity) {}

  public record JobSettings(
      int checkpointEveryCalls, Duration checkpointEvery, Duration keeperInterval, int blocksInFlight) {}

  /** {@code audit}: every result write also appends a row to {@code call_result_writes}. */
  public record ResultSettings(boolean audit) {}

  public static EngineSettings create(Config root) {
    Config config = root.getConfig("backfill");
    Config primary = config.getConfig("primary");
    Config journal = config.getConfig("journal");
    Config cassandra = config.getConfig("cassandra");
    Config calls = config.getConfig("calls");
    Config jobs = config.getConfig("jobs");
    Config results = config.getConfig("results");
    EngineSettings settings =
        new EngineSettings(
            new PrimarySettings(
                primary.getString("url"),
                primary.getString("user"),
                primary.getString("password"),
                primary.getString("application-name"),
                positive(primary, "page-size"),
                positiveMillis(primary, "target-burst-millis"),
                primary.getDuration("query-timeout")),
            new JournalSettings(
                journal.getString("url"),
                journal.getString("user"),
                journal.getString("password"),
                positive(journal, "max-connections")),
            new CassandraSettings(
                cassandra.getStringList("contact-points"),
                cassandra.getString("local-datacenter"),
                cassandra.getString("keyspace"),
                positive(cassandra, "replication-factor"),
                cassandra.getDuration("request-timeout"),
                cassandra.getDuration("schema-timeout")),
            new CallSettings(
                positive(calls, "parallelism"),
                calls.getDuration("ask-timeout"),
                positive(calls, "attempts"),
                calls.getDuration("min-backoff"),
                calls.getDuration("max-backoff"),
                positive(calls, "mailbox-capacity")),
            new JobSettings(
                positive(jobs, "checkpoint-every-calls"),
                jobs.getDuration("checkpoint-every"),
                jobs.getDuration("keeper-interval"),
                positive(jobs, "blocks-in-flight")),
            new ResultSettings(results.getBoolean("audit")));
    settings.requireSeparateJournal();
    return settings;
  }

  /**
   * The journal must never live in the primary database: the whole point of the engine is that
   * its own writes do not land on the database that live traffic depends on.
   */
  private void requireSeparateJournal() {
    if (sameDatabase(primary.url(), journal.url())) {
      throw new IllegalArgumentException(
          "backfill.journal.url and backfill.primary.url name the same database ("
              + primary.url()
              + "): the engine's journal must not be written to the primary database. Point"
              + " backfill.journal.url (or BACKFILL_JOURNAL_URL) at another database.");
    }
  }

  private static boolean sameDatabase(String a, String b) {
    return stripParameters(a).equalsIgnoreCase(stripParameters(b));
  }

  private static String stripParameters(String url) {
    int question = url.indexOf('?');
    return (question < 0 ? url : url.substring(0, question)).replace("localhost", "127.0.0.1");
  }

  private static double positiveMillis(Config config, String key) {
    double value = config.getDouble(key);
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          config.origin().description() + ": " + key + " must be a positive number of milliseconds, was " + value);
    }
    return value;
  }

  private static int positive(Config config, String key) {
    int value = config.getInt(key);
    if (value < 1) {
      throw new IllegalArgumentException(
          config.origin().description() + ": " + key + " must be at least 1, was " + value);
    }
    return value;
  }
}
