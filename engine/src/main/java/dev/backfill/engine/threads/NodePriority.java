package dev.backfill.engine.threads;

import com.typesafe.config.Config;
import java.util.Locale;

/**
 * Whether this process's node splits its CPU priority by plane ({@code backfill.node.cpu-priority =
 * split}): only then do the executors here change the scheduler. At {@code background} the node
 * puts its whole process under SCHED_IDLE when it starts (dev.backfill.cluster.local.CpuPriority),
 * and at {@code normal} leaves it alone.
 */
final class NodePriority {

  static final String PATH = "backfill.node.cpu-priority";

  private NodePriority() {}

  /** False when the setting is absent (an actor system that is not a node). */
  static boolean split(Config root) {
    return root.hasPath(PATH) && root.getString(PATH).trim().toLowerCase(Locale.ROOT).equals("split");
  }
}
