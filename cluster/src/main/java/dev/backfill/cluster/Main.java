package dev.backfill.cluster;

import dev.backfill.cluster.cli.BackfillCommand;
import picocli.CommandLine;

/** The one entry point: {@code ./backfill COMMAND}. See {@link BackfillCommand}. */
public final class Main {

  /** The JVM's own setting for the common ForkJoinPool's threads. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private Main() {}

  public static void main(String[] args) {
    atLeastTwoCommonPoolThreads();
    System.exit(BackfillCommand.commandLine().execute(args));
  }

  /**
   * On a machine with two cores or fewer the common pool gets one thread, and then the JDK runs
   * every asynchronous CompletableFuture callback that names no executor on a new thread of its
   * own. Scala's CompletableFuture, which Pekko's Java API answers asks with, makes every callback
   * asynchronous. The engine's own hot paths hand answers on without that (OnCompletingThread);
   * two threads here keep any other such callback, in a library too, on pooled threads. Set before
   * anything touches the pool, and only where nobody chose a value.
   */
  private static void atLeastTwoCommonPoolThreads() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(COMMON_POOL_PARALLELISM, "2");
    }
  }
}
