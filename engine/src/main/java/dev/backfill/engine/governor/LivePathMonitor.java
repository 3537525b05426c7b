package dev.backfill.engine.governor;

import java.time.Duration;
import java.util.OptionalDouble;

/**
 * The live path as the governor sees it: probe latencies judged against the primary's own healthy
 * baseline, not against absolute milliseconds (a primary whose live queries take 2 ms is in
 * trouble at 10 ms, long before any fixed threshold that suits every primary).
 *
 * <p>The baseline is learned from quiet probes: those taken while none of the engine's queries
 * ran or had just ended. With no job running every probe is quiet, so the baseline follows the
 * primary's own load. While jobs run, a quiet moment (no new page query for about two seconds)
 * re-measures it every {@code baseline-refresh}. Re-measuring costs about 1% of the backfill's
 * time; a rolling low percentile of probes taken during the backfill would cost nothing, but it
 * would drift up with the backfill's own load and hide exactly the damage it is meant to show.
 *
 * <p>The ratio it steers by is the worse of two: the median of the last {@code recent-span}
 * against the baseline median (moves within a second when the whole primary slows), and the
 * {@code tail-percentile} of the last {@code tail-span} against the baseline's (sees bursts that
 * only a few live queries run into).
 *
 * <p>Not thread-safe; plain Java, owned by the governor, time given in nanoseconds.
 */
public final class LivePathMonitor {

  /** The primary's own latency, without the backfill. */
  public record Baseline(double medianMs, double tailMs, int probes, long learnedAtNanos) {}

  /** What the monitor sees now; the ratio is null until a baseline and enough probes exist. */
  public record Estimate(Double recentMedianMs, Double recentTailMs, Double ratio) {}

  private static final Duration QUIET_KEEP = Duration.ofSeconds(10);

  private final LivePathSettings settings;
  private final LatencyWindow all;
  private final LatencyWindow quiet = new LatencyWindow(QUIET_KEEP);
  private Baseline baseline;
  /** Start of the current quiet moment, or -1 when there is none. */
  private long quietSinceNanos = -1;
  private int quietProbesSinceStart;

  public LivePathMonitor(LivePathSettings settings) {
    this.settings = settings;
    Duration longest = settings.tailSpan().compareTo(settings.recentSpan()) > 0 ? settings.tailSpan() : settings.recentSpan();
    this.all = new LatencyWindow(longest);
  }

  /**
   * One probe's latency. {@code engineQuiet}: none of the engine's queries ran on the primary
   * during the probe or within {@code quiet-settle} before it.
   */
  public void onProbe(long nowNanos, double millis, boolean engineQuiet, boolean jobsWaiting) {
    all.add(nowNanos, millis);
    if (!engineQuiet) {
      return;
    }
    quiet.add(nowNanos, millis);
    boolean inQuietMoment = quietSinceNanos >= 0;
    if (inQuietMoment) {
      quietProbesSinceStart++;
    }
    // Idle (no job asks for leases): every quiet probe keeps the baseline current. In a quiet
    // moment: once it has gathered enough probes of its own.
    if ((!jobsWaiting && !inQuietMoment) || (inQuietMoment && quietProbesSinceStart >= settings.quietProbes())) {
      learn(nowNanos, inQuietMoment ? quietProbesSinceStart : settings.quietProbes());
    }
  }

  /** A probe that failed: it counts in no percentile; the governor judges it as critical itself. */
  public void onProbeFailed(long nowNanos) {
    if (quietSinceNanos >= 0 && nowNanos - quietSinceNanos > settings.quietMax().toNanos()) {
      quietSinceNanos = -1;
    }
  }

  /**
   * Whether new page queries must wait because the baseline is being (re-)measured. Starts a quiet
   * moment when none exists yet, or when the baseline is older than {@code baseline-refresh}.
   */
  public boolean holdForQuiet(long nowNanos) {
    if (quietSinceNanos >= 0) {
      if (nowNanos - quietSinceNanos > settings.quietMax().toNanos()) {
        // Probes failed or the engine never went quiet: give up for now, try again at the next refresh.
        quietSinceNanos = -1;
        if (baseline != null) {
          baseline = new Baseline(baseline.medianMs(), baseline.tailMs(), baseline.probes(), nowNanos);
        }
        return false;
      }
      return true;
    }
    if (baseline == null || nowNanos - baseline.learnedAtNanos() >= settings.baselineRefresh().toNanos()) {
      quietSinceNanos = nowNanos;
      quietProbesSinceStart = 0;
      return true;
    }
    return false;
  }

  public boolean inQuietMoment() {
    return quietSinceNanos >= 0;
  }

  public Baseline baseline() {
    return baseline;
  }

  public Estimate estimate(long nowNanos) {
    int recentMin = minProbes(settings.recentSpan());
    int tailMin = minProbes(settings.tailSpan());
    OptionalDouble recentMedian = all.percentile(nowNanos, settings.recentSpan(), 50, recentMin);
    OptionalDouble recentTail = all.percentile(nowNanos, settings.tailSpan(), settings.tailPercentile(), tailMin);
    Double ratio = null;
    if (baseline != null && (recentMedian.isPresent() || recentTail.isPresent())) {
      double fast = recentMedian.isPresent() ? recentMedian.getAsDouble() / baseline.medianMs() : 0;
      double tail = recentTail.isPresent() ? recentTail.getAsDouble() / baseline.tailMs() : 0;
      ratio = Math.max(fast, tail);
    }
    return new Estimate(
        recentMedian.isPresent() ? recentMedian.getAsDouble() : null,
        recentTail.isPresent() ? recentTail.getAsDouble() : null,
        ratio);
  }

  private void learn(long nowNanos, int probes) {
    Duration span = QUIET_KEEP;
    OptionalDouble median = quiet.percentile(nowNanos, span, 50, settings.quietProbes());
    OptionalDouble tail = quiet.percentile(nowNanos, span, settings.tailPercentile(), settings.quietProbes());
    if (median.isEmpty() || tail.isEmpty()) {
      return;
    }
    // A floor against a clock that rounds a very fast probe to 0, which would make any ratio infinite.
    double floor = 0.01;
    baseline =
        new Baseline(Math.max(floor, median.getAsDouble()), Math.max(floor, tail.getAsDouble()), probes, nowNanos);
    if (quietSinceNanos >= 0) {
      quietSinceNanos = -1;
      quiet.clear();
    }
  }

  /** Half the probes a span should hold, so that one slow or missed probe does not blind it. */
  private int minProbes(Duration span) {
    return (int) Math.max(3, span.toNanos() / settings.probeInterval().toNanos() / 2);
  }
}
