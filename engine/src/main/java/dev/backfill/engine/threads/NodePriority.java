package dev.backfill.engine.threads;

import com.typesafe.config.Config;
import java.util.Locale;

/**
 * Whether this process's node splits its CPU priority by plane ({@code backfill.node.cpu-priority =
 * split}, the default; blank means the default): only then do the executors here change the
 * scheduler. At {@code background} the node
 * puts its whole process under SCHED_IDLE when it starts (dev.backfill.cluster.local.CpuPriority),
 * and at {@code normal} leaves it alone.
 */
final class NodePriority {

  static final String PATH = "backfill.node.cpu-priority";

  private NodePriority() {}

  /**
   * False when the setting is absent (an actor system that does not load the engine's
   * configuration). Any that does is split unless told otherwise; only a node's process
   * (NodeCommand) also lowers itself to nice 19 first, so an in-process node (the tests', which
   * set {@code normal}) that is split keeps its control plane at the JVM's own niceness.
   */
  static boolean split(Config root) {
    if (!root.hasPath(PATH)) {
      return false;
    }
    String priority = root.getString(PATH).trim().toLowerCase(Locale.ROOT);
    return priority.isEmpty() || priority.equals("split");
  }
}
