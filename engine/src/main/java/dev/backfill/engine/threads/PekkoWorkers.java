package dev.backfill.engine.threads;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import org.apache.pekko.dispatch.MonitorableThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fork-join workers of our own kind (subclasses of Pekko's own, so that {@code
 * scala.concurrent.blocking} still works on them), named and wired as Pekko wires its own (daemon
 * flag, context class loader, uncaught-exception handler), so that thread dumps and logs read the
 * same.
 */
final class PekkoWorkers implements ForkJoinPool.ForkJoinWorkerThreadFactory {

  private static final Logger log = LoggerFactory.getLogger(PekkoWorkers.class);

  private final MonitorableThreadFactory pekko;
  private final Function<ForkJoinPool, ForkJoinWorkerThread> make;

  private PekkoWorkers(MonitorableThreadFactory pekko, Function<ForkJoinPool, ForkJoinWorkerThread> make) {
    this.pekko = pekko;
    this.make = make;
  }

  /**
   * Null when Pekko did not hand over its own factory (then the caller keeps Pekko's workers, at
   * whatever priority they get, and says so).
   */
  static PekkoWorkers of(ThreadFactory given, Function<ForkJoinPool, ForkJoinWorkerThread> make) {
    if (given instanceof MonitorableThreadFactory pekko) {
      return new PekkoWorkers(pekko, make);
    }
    log.warn("a dispatcher's threads keep Pekko's own kind and the priority they inherit: its thread factory is a {}", given.getClass());
    return null;
  }

  @Override
  public ForkJoinWorkerThread newThread(ForkJoinPool pool) {
    ForkJoinWorkerThread worker = pekko.wire(make.apply(pool));
    worker.setName(pekko.name() + "-" + pekko.counter().incrementAndGet());
    return worker;
  }
}
