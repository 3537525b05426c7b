package dev.backfill.bench.live;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The live recording path as an outside client of the primary, in a process of its own so that
 * nothing of the backfill under test (its JVM, its threads, its pauses) sits between the two. Runs
 * at a fixed arrival rate for a warm-up and a measured window, prints progress to stderr and one
 * {@link LiveResult} JSON line to stdout.
 */
public final class LiveWorkload {

  /** Printed to stderr as the measured window opens; a parent may wait for it before starting the backfill. */
  public static final String WARM_LINE = "live-workload: warm";

  private static final long HARD_STOP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final int LOGIN_TIMEOUT_SECONDS = 10;
  private static final int EXIT_USAGE = 2;
  private static final int EXIT_CANNOT_CONNECT = 3;

  private LiveWorkload() {}

  public static void main(String[] args) throws InterruptedException {
    LiveWorkloadOptions options;
    try {
      options = LiveWorkloadOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("live-workload: " + e.getMessage());
      System.err.println(LiveWorkloadOptions.USAGE);
      System.exit(EXIT_USAGE);
      return;
    }
    List<LiveConnection> connections = openConnections(options);

    // Connections are opened before the clock starts, so connecting is not billed to the first requests.
    long start = System.nanoTime();
    ArrivalSchedule schedule = new ArrivalSchedule(start, options.rate(), options.warmupSeconds(), options.seconds());
    long hardStop = schedule.windowEndNanos() + HARD_STOP_GRACE_NANOS;
    LiveTally tally = new LiveTally(TimeUnit.NANOSECONDS.toMicros(hardStop - start));
    List<LiveWorker> workers = new ArrayList<>();
    CountDownLatch workersDone = startWorkers(options, connections, schedule, tally, workers);
    System.err.printf(
        "live-workload: %d connections, %d requests/s, %d s warm-up, %d s window%n",
        options.connections(), options.rate(), options.warmupSeconds(), options.seconds());

    parkUntil(schedule.windowStartNanos());
    System.err.println(WARM_LINE);
    long total = (long) options.rate() * (options.warmupSeconds() + options.seconds());
    while (!workersDone.await(Math.min(PROGRESS_INTERVAL_NANOS, hardStop - System.nanoTime()), TimeUnit.NANOSECONDS)
        && System.nanoTime() < hardStop) {
      System.err.printf(
          "live-workload: %d of %d requests finished, %d errors in the window%n",
          tally.finished(), total, tally.measuredErrors());
    }
    long unfinished = 0;
    if (workersDone.getCount() > 0) {
      // The primary (or this client's core) is so loaded that the workload cannot keep up. Giving
      // up without a figure would hide the worst case: every measured request that never ran, or
      // still runs, is recorded with the time it has waited so far, a lower bound of its latency.
      long now = System.nanoTime();
      for (long slot = schedule.abandonRemaining(); slot < schedule.totalSlots(); slot++) {
        unfinished += recordUnfinished(schedule, tally, slot, now);
      }
      for (LiveWorker worker : workers) {
        long slot = worker.inFlightSlot();
        if (slot >= 0) {
          unfinished += recordUnfinished(schedule, tally, slot, now);
        }
      }
      System.err.printf(
          "live-workload: %d connections still busy 30 s after the window closed; %d measured requests"
              + " unfinished, recorded with the time they waited so far (lower bounds)%n",
          workersDone.getCount(), unfinished);
    }
    System.out.println(tally.result().withUnfinished(unfinished).toJson());
    System.out.flush();
    // Explicit, so that no thread a driver may have left behind keeps the parent waiting.
    System.exit(0);
  }

  private static List<LiveConnection> openConnections(LiveWorkloadOptions options) {
    DriverManager.setLoginTimeout(LOGIN_TIMEOUT_SECONDS);
    List<LiveConnection> connections = new ArrayList<>();
    try {
      for (int i = 0; i < options.connections(); i++) {
        LiveConnection connection = new LiveConnection(options.url(), options.user(), options.password());
        connections.add(connection);
        connection.open();
      }
    } catch (SQLException e) {
      System.err.println("live-workload: cannot connect to " + options.url() + ": " + e.getMessage());
      connections.forEach(LiveConnection::close);
      System.exit(EXIT_CANNOT_CONNECT);
    }
    return connections;
  }

  private static int recordUnfinished(ArrivalSchedule schedule, LiveTally tally, long slot, long now) {
    if (!schedule.isMeasured(slot)) {
      return 0;
    }
    tally.recordLatency(Math.max(0, now - schedule.dueNanos(slot)));
    return 1;
  }

  private static CountDownLatch startWorkers(
      LiveWorkloadOptions options,
      List<LiveConnection> connections,
      ArrivalSchedule schedule,
      LiveTally tally,
      List<LiveWorker> workers) {
    CountDownLatch done = new CountDownLatch(connections.size());
    for (int i = 0; i < connections.size(); i++) {
      LiveWorker worker = new LiveWorker(schedule, connections.get(i), tally, options.tenants());
      workers.add(worker);
      Thread thread = new Thread(() -> {
        try {
          worker.run();
        } finally {
          done.countDown();
        }
      }, "live-worker-" + i);
      thread.setDaemon(true);
      thread.start();
    }
    return done;
  }

  private static void parkUntil(long nanoTime) {
    for (long wait = nanoTime - System.nanoTime(); wait > 0; wait = nanoTime - System.nanoTime()) {
      LockSupport.parkNanos(wait);
    }
  }
}
