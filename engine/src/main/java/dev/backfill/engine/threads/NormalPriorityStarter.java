package dev.backfill.engine.threads;

import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread at normal priority whose only job is to start control-plane threads, which inherit
 * its policy. It is started by the first control-plane dispatcher, when the actor system starts,
 * on the thread that starts the system (a node's main thread, at normal priority), and lives as
 * long as the process.
 */
final class NormalPriorityStarter {

  private static final Logger log = LoggerFactory.getLogger(NormalPriorityStarter.class);
  private static final LinkedBlockingQueue<Runnable> starts = new LinkedBlockingQueue<>();
  private static Thread thread;

  private NormalPriorityStarter() {}

  static synchronized void ensureStarted() {
    if (thread != null) {
      return;
    }
    try {
      if (ThreadPolicy.ofCurrentThread() != ThreadPolicy.SCHED_OTHER) {
        log.warn(
            "control-plane threads inherit the CPU policy of {} ({}), not the normal one: start the node's"
                + " actor system from a thread at normal priority",
            Thread.currentThread().getName(),
            ThreadPolicy.ofCurrentThread());
      }
    } catch (IOException e) {
      log.debug("cannot read this thread's CPU policy", e);
    }
    thread = new Thread(NormalPriorityStarter::run, "backfill-control-plane-starter");
    thread.setDaemon(true);
    thread.start();
  }

  static void start(Runnable startOfAThread) {
    starts.add(startOfAThread);
  }

  private static void run() {
    while (true) {
      Runnable next;
      try {
        next = starts.take();
      } catch (InterruptedException e) {
        return;
      }
      try {
        next.run();
      } catch (RuntimeException | Error e) {
        log.error("could not start a control-plane thread", e);
      }
    }
  }
}
