package dev.backfill.engine.threads;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import org.apache.pekko.dispatch.MonitorableThreadFactory;

/**
 * Fork-join workers of our own kind, named and wired as Pekko wires its own (daemon flag, context
 * class loader, uncaught-exception handler), so that thread dumps and logs read the same.
 */
final class PekkoWorkers implements ForkJoinPool.ForkJoinWorkerThreadFactory {

  private final MonitorableThreadFactory pekko;
  private final Function<ForkJoinPool, ForkJoinWorkerThread> make;

  private PekkoWorkers(MonitorableThreadFactory pekko, Function<ForkJoinPool, ForkJoinWorkerThread> make) {
    this.pekko = pekko;
    this.make = make;
  }

  /** Null when Pekko did not hand over its own factory (then the caller keeps Pekko's workers). */
  static PekkoWorkers of(ThreadFactory given, Function<ForkJoinPool, ForkJoinWorkerThread> make) {
    return given instanceof MonitorableThreadFactory pekko ? new PekkoWorkers(pekko, make) : null;
  }

  @Override
  public ForkJoinWorkerThread newThread(ForkJoinPool pool) {
    ForkJoinWorkerThread worker = pekko.wire(make.apply(pool));
    worker.setName(pekko.name() + "-" + pekko.counter().incrementAndGet());
    return worker;
  }
}
