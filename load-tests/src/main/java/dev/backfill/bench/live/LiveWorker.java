package dev.backfill.bench.live;

import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/** One connection's thread: takes the next due request, waits for its time, runs it. */
final class LiveWorker implements Runnable {

  private static final int MIN_DURATION_SECONDS = 20;
  private static final int MAX_DURATION_SECONDS = 3600;

  private final ArrivalSchedule schedule;
  private final LiveConnection connection;
  private final LiveTally tally;
  private final int tenants;

  LiveWorker(ArrivalSchedule schedule, LiveConnection connection, LiveTally tally, int tenants) {
    this.schedule = schedule;
    this.connection = connection;
    this.tally = tally;
    this.tenants = tenants;
  }

  /** The slot this worker is running now, or -1: at a hard stop it counts as unfinished. */
  private volatile long inFlightSlot = -1;

  @Override
  public void run() {
    try {
      for (long slot = schedule.takeSlot(); slot >= 0; slot = schedule.takeSlot()) {
        long due = schedule.dueNanos(slot);
        waitUntil(due);
        inFlightSlot = slot;
        runOne(slot, due);
        inFlightSlot = -1;
      }
    } finally {
      connection.close();
    }
  }

  long inFlightSlot() {
    return inFlightSlot;
  }

  private void runOne(long slot, long due) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String tenant = LiveWorkloadOptions.tenantName(1 + random.nextInt(tenants));
    int duration = random.nextInt(MIN_DURATION_SECONDS, MAX_DURATION_SECONDS + 1);
    String source = random.nextBoolean() ? "phone" : "web_conference";
    try {
      connection.recordAndReadLatest(tenant, duration, source);
      long latency = System.nanoTime() - due;
      if (schedule.isMeasured(slot)) {
        tally.recordLatency(latency);
      }
    } catch (SQLException e) {
      tally.recordError(schedule.isMeasured(slot), e.getMessage());
      connection.recover();
    }
    tally.recordFinished();
  }

  /** Parks rather than spins: the workload shares the machine with what it measures. */
  private static void waitUntil(long due) {
    for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
      LockSupport.parkNanos(wait);
    }
  }
}
