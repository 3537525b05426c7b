package dev.backfill.engine.threads;

import com.typesafe.config.Config;
import java.util.Locale;

/** Whether this process's node keeps its data plane in the background ({@code backfill.node.cpu-priority}). */
final class NodePriority {

  static final String PATH = "backfill.node.cpu-priority";

  private NodePriority() {}

  /**
   * True unless the setting says {@code normal} or is absent (an actor system that is not a node).
   * A misspelt value counts as the default, background: a node refuses it when it starts
   * (dev.backfill.cluster.local.CpuPriority), and a dispatcher has no way to refuse.
   */
  static boolean background(Config root) {
    return root.hasPath(PATH) && !root.getString(PATH).trim().toLowerCase(Locale.ROOT).equals("normal");
  }
}
