package dev.backfill.engine.threads;

import com.typesafe.config.Config;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ForkJoinExecutorConfigurator;
import org.apache.pekko.dispatch.MonitorableThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fork-join dispatcher of the data plane ({@code executor = "dev.backfill.engine.threads.DataPlaneExecutor"},
 * configured by its {@code fork-join-executor} block): on a split node each of its threads
 * puts itself under SCHED_IDLE as it starts, before it runs any task.
 */
public final class DataPlaneExecutor extends ForkJoinExecutorConfigurator {

  private static final Logger log = LoggerFactory.getLogger(DataPlaneExecutor.class);

  private final boolean split;
  private final AtomicBoolean warned = new AtomicBoolean();

  /** Pekko makes it with the dispatcher's whole configuration block. */
  public DataPlaneExecutor(Config dispatcher, DispatcherPrerequisites prerequisites) {
    super(dispatcher.getConfig("fork-join-executor"), prerequisites);
    this.split = NodePriority.split(prerequisites.settings().config());
  }

  @Override
  public ForkJoinPool.ForkJoinWorkerThreadFactory validate(ThreadFactory given) {
    PekkoWorkers workers = split ? PekkoWorkers.of(given, BackgroundWorker::new) : null;
    return workers == null ? super.validate(given) : workers;
  }

  private final class BackgroundWorker extends MonitorableThreadFactory.PekkoForkJoinWorkerThread {
    BackgroundWorker(ForkJoinPool pool) {
      super(pool);
    }

    @Override
    protected void onStart() {
      String failure = ThreadPolicy.demoteCurrentThread();
      if (failure != null && warned.compareAndSet(false, true)) {
        log.warn("{} runs at the control plane's CPU priority, not in the background: {}", getName(), failure);
      }
      super.onStart();
    }
  }
}
