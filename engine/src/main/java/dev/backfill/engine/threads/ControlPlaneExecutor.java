package dev.backfill.engine.threads;

import com.typesafe.config.Config;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ThreadFactory;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ForkJoinExecutorConfigurator;

/**
 * A fork-join dispatcher of the control plane (Pekko's default, internal and remoting
 * dispatchers): on a background node its threads are started by {@link NormalPriorityStarter}, so
 * they run at normal priority even when the pool grows because a data-plane thread (SCHED_IDLE)
 * handed it work. A fork-join pool starts a new worker on the thread that submits the task, and
 * the worker would inherit that thread's policy, which it could not undo.
 */
public final class ControlPlaneExecutor extends ForkJoinExecutorConfigurator {

  private final boolean background;

  /** Pekko makes it with the dispatcher's whole configuration block. */
  public ControlPlaneExecutor(Config dispatcher, DispatcherPrerequisites prerequisites) {
    super(dispatcher.getConfig("fork-join-executor"), prerequisites);
    this.background = NodePriority.background(prerequisites.settings().config());
    if (background) {
      NormalPriorityStarter.ensureStarted();
    }
  }

  @Override
  public ForkJoinPool.ForkJoinWorkerThreadFactory validate(ThreadFactory given) {
    PekkoWorkers workers = background ? PekkoWorkers.of(given, NormallyStartedWorker::new) : null;
    return workers == null ? super.validate(given) : workers;
  }

  private static final class NormallyStartedWorker extends ForkJoinWorkerThread {
    NormallyStartedWorker(ForkJoinPool pool) {
      super(pool);
    }

    /**
     * Starts the thread from the starter, a moment later. The pool counts the worker from here
     * on; should the starter fail to start it (the machine out of threads), the pool runs one
     * worker short, as it would after any worker's death it was not told of.
     */
    @Override
    public void start() {
      NormalPriorityStarter.start(this::startHere);
    }

    private void startHere() {
      super.start();
    }
  }
}
