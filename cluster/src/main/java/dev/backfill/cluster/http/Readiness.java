package dev.backfill.cluster.http;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Whether this node can take work: it has joined the cluster and its own stores answer. */
public interface Readiness {

  /** Each check by name ("cluster", "cassandra", "journal") with "ok" or what is wrong. */
  CompletionStage<Map<String, String>> check();
}
