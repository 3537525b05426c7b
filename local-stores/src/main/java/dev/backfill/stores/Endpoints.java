package dev.backfill.stores;

/** Where a node finds its stores: what a config file's backfill.primary/journal/cassandra say. */
public record Endpoints(
    String primaryUrl,
    String journalUrl,
    String user,
    String password,
    String cassandraHost,
    int cassandraPort) {

  public String cassandraContactPoint() {
    return cassandraHost + ":" + cassandraPort;
  }
}
