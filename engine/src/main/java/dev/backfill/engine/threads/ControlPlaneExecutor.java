package dev.backfill.engine.threads;

import com.typesafe.config.Config;
import java.io.IOException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ForkJoinExecutorConfigurator;
import org.apache.pekko.dispatch.MonitorableThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fork-join dispatcher of the control plane (Pekko's default, internal and remoting
 * dispatchers): on a split node its threads are started by {@link ControlPlaneThreadStarter}, so
 * they run under the normal policy even when the pool grows because a data-plane thread (SCHED_IDLE)
 * handed it work. A fork-join pool starts a new worker on the thread that submits the task, and
 * the worker would inherit that thread's policy, which it could not undo.
 */
public final class ControlPlaneExecutor extends ForkJoinExecutorConfigurator {

  private static final Logger log = LoggerFactory.getLogger(ControlPlaneExecutor.class);
  private static final AtomicBoolean misplaced = new AtomicBoolean();

  private final boolean split;

  /** Pekko makes it with the dispatcher's whole configuration block. */
  public ControlPlaneExecutor(Config dispatcher, DispatcherPrerequisites prerequisites) {
    super(dispatcher.getConfig("fork-join-executor"), prerequisites);
    this.split = NodePriority.split(prerequisites.settings().config());
    if (split) {
      ControlPlaneThreadStarter.ensureStarted();
    }
  }

  @Override
  public ForkJoinPool.ForkJoinWorkerThreadFactory validate(ThreadFactory given) {
    PekkoWorkers workers = split ? PekkoWorkers.of(given, NormallyStartedWorker::new) : null;
    return workers == null ? super.validate(given) : workers;
  }

  private static final class NormallyStartedWorker extends MonitorableThreadFactory.PekkoForkJoinWorkerThread {
    NormallyStartedWorker(ForkJoinPool pool) {
      super(pool);
    }

    /**
     * Starts the thread from the starter, and returns once it has. JDK 17's fork-join pool starts
     * its workers through this method; later JDKs start them through a thread container that does
     * not call it, which {@link #onStart} tells.
     */
    @Override
    public void start() {
      ControlPlaneThreadStarter.start(this::startHere);
    }

    private void startHere() {
      super.start();
    }

    @Override
    protected void onStart() {
      try {
        if (ThreadPolicy.ofCurrentThread() == ThreadPolicy.SCHED_IDLE && misplaced.compareAndSet(false, true)) {
          log.error(
              "{} is a control-plane thread but runs under SCHED_IDLE: it was not started by the"
                  + " control-plane starter (a JDK other than 17?); the API may wait behind other processes",
              getName());
        }
      } catch (IOException e) {
        // no /proc: nothing was demoted either
      }
      super.onStart();
    }
  }
}
