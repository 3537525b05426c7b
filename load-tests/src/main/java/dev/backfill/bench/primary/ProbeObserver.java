package dev.backfill.bench.primary;

import dev.backfill.engine.governor.GovernorSettings;
import dev.backfill.engine.governor.LatencyWindow;
import dev.backfill.engine.governor.PrimaryHealthProbe;
import dev.backfill.engine.settings.EngineSettings.PrimarySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The governor's probe, run by the benchmark beside every run (alone, naive and engine alike), so
 * that what the governor would read can be set beside what the live client measured: whether the
 * probe sees a naive fleet's damage, and whether it over- or under-states the engine's. It runs the
 * engine's own probe code at the governor's own interval, under a name of its own
 * ({@value #APPLICATION_NAME}), so the engine's connections are counted without it.
 */
public final class ProbeObserver implements AutoCloseable {

  public static final String APPLICATION_NAME = "bench-probe-observer";

  /**
   * What the probes of one window read: their count, median and tail (the governor's percentile),
   * in ms, and every probe's time in the order taken.
   */
  public record Reading(int probes, int failures, double medianMs, double tailMs, List<Double> millis) {
    public static final Reading NONE = new Reading(0, 0, Double.NaN, Double.NaN, List.of());
  }

  private final PrimaryHealthProbe probe;
  private final Duration interval;
  /** The governor's tail percentile, so the observer reads its probes as the governor does. */
  private final double tailPercentile;
  private final Thread thread;
  private final List<Double> millis = new ArrayList<>();
  /** When each probe ended, by the wall clock (as the nodes' logs are stamped): for the probes file. */
  private final List<java.time.Instant> endedAt = new ArrayList<>();
  private int failures;
  private volatile boolean running = true;

  private ProbeObserver(PrimarySettings primary, GovernorSettings governor) {
    this.probe =
        new PrimaryHealthProbe(
            primary, governor.probeQuery(), governor.probeRoundTrips(), governor.probeTimeout(), APPLICATION_NAME);
    this.interval = governor.livePath().probeInterval();
    this.tailPercentile = governor.livePath().tailPercentile();
    this.thread = new Thread(this::probeUntilStopped, "bench-probe-observer");
    this.thread.setDaemon(true);
  }

  public static ProbeObserver start(PrimarySettings primary, GovernorSettings governor) {
    ProbeObserver observer = new ProbeObserver(primary, governor);
    observer.thread.start();
    return observer;
  }

  /** Stops probing and reads the window's probes. */
  public Reading stop() throws InterruptedException {
    running = false;
    thread.join(Duration.ofSeconds(10).toMillis());
    synchronized (millis) {
      if (millis.isEmpty()) {
        return new Reading(0, failures, Double.NaN, Double.NaN, List.of());
      }
      double[] values = millis.stream().mapToDouble(Double::doubleValue).toArray();
      return new Reading(
          values.length,
          failures,
          LatencyWindow.nearestRank(values, 50),
          LatencyWindow.nearestRank(values, tailPercentile),
          List.copyOf(millis));
    }
  }

  /**
   * Writes every probe of the window (when it ended, UTC, and the primary's ms) as CSV, to line
   * them up with the governor's decisions in a node's log. Call after {@link #stop}.
   */
  public void writeProbes(java.nio.file.Path file) throws java.io.IOException {
    StringBuilder csv = new StringBuilder("ended_at_utc,primary_ms\n");
    synchronized (millis) {
      for (int i = 0; i < millis.size(); i++) {
        csv.append(endedAt.get(i).atOffset(java.time.ZoneOffset.UTC).toLocalTime())
            .append(String.format(java.util.Locale.ROOT, ",%.3f%n", millis.get(i)));
      }
    }
    java.nio.file.Files.writeString(file, csv);
  }

  private void probeUntilStopped() {
    while (running) {
      long next = System.nanoTime() + interval.toNanos();
      try {
        double primaryMillis = probe.latency().toCompletableFuture().get(10, TimeUnit.SECONDS).primaryMillis();
        synchronized (millis) {
          millis.add(primaryMillis);
          endedAt.add(java.time.Instant.now());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        synchronized (millis) {
          failures++;
        }
      }
      long wait = next - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    running = false;
    probe.close();
  }
}
