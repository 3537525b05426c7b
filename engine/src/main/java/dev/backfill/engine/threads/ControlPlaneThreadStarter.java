package dev.backfill.engine.threads;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread under the normal policy (SCHED_OTHER, at the process's nice) whose only job is to
 * start control-plane threads, which inherit its policy. It is started by the first control-plane dispatcher, when the first actor system
 * starts, on the thread that starts the system (a node's main thread, under the normal policy), and
 * lives as long as the process, shared by every actor system in it.
 */
final class ControlPlaneThreadStarter {

  private static final Logger log = LoggerFactory.getLogger(ControlPlaneThreadStarter.class);
  private static final LinkedBlockingQueue<FutureTask<Void>> starts = new LinkedBlockingQueue<>();
  private static Thread thread;

  private ControlPlaneThreadStarter() {}

  static synchronized void ensureStarted() {
    if (thread != null) {
      return;
    }
    try {
      int policy = ThreadPolicy.ofCurrentThread();
      if (policy != ThreadPolicy.SCHED_OTHER) {
        log.warn(
            "control-plane threads inherit the CPU policy of {} ({}), not the normal one: start the node's"
                + " actor system from a thread at normal priority",
            Thread.currentThread().getName(),
            policy);
      }
    } catch (IOException e) {
      log.debug("cannot read this thread's CPU policy", e);
    }
    thread = new Thread(ControlPlaneThreadStarter::run, "backfill-control-plane-starter");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Runs {@code start} (a {@code Thread.start()}) on the starter and returns once it has: what it
   * throws reaches the caller, as it would have, so a fork-join pool that fails to start a worker
   * forgets it instead of counting a worker that never ran.
   */
  static void start(Runnable start) {
    if (Thread.currentThread() == thread) {
      start.run();
      return;
    }
    FutureTask<Void> task = new FutureTask<>(start, null);
    starts.add(task);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          task.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true; // a thread start is not to be abandoned halfway: wait it out
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException runtime) {
            throw runtime;
          }
          if (e.getCause() instanceof Error error) {
            throw error;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void run() {
    while (true) {
      try {
        starts.take().run(); // a FutureTask: what the start throws goes to its caller
      } catch (InterruptedException e) {
        // Nobody but the JVM's end has reason to stop it; the threads still to start need it.
        log.debug("the control-plane starter ignores an interrupt");
      }
    }
  }
}
