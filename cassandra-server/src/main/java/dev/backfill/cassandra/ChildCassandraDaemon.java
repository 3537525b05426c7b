package dev.backfill.cassandra;

import org.apache.cassandra.service.CassandraDaemon;

/**
 * Starts a Cassandra server that ends when the process that launched it ends.
 *
 * <p>Tests and the demo run Cassandra as a child JVM. If their JVM is killed (kill -9, a Surefire
 * timeout) nothing would stop the child, which would then hold ports 7000/9042 and a data folder.
 * With {@code -Dbackfill.parent.pid=N} this launcher watches process N and exits when it is gone.
 * {@code ./backfill stores start} leaves the property out so that its stores outlive the command.
 */
public final class ChildCassandraDaemon {

  private ChildCassandraDaemon() {}

  public static void main(String[] args) {
    String parentPid = System.getProperty("backfill.parent.pid");
    if (parentPid != null && !parentPid.isBlank()) {
      ProcessHandle.of(Long.parseLong(parentPid.trim()))
          .ifPresentOrElse(
              parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(0)),
              () -> Runtime.getRuntime().halt(0));
    }
    CassandraDaemon.main(args);
  }
}
