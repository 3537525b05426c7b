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
 * For the same reason a re-measured baseline may rise by at most {@link #MAX_RISE_PER_REFRESH}
 * at a time: a primary that a competing load made slow during the quiet moment must not become
 * the new normal at once, or the engine would climb back to full speed on a sick primary.
 *
 * <p>Probe latencies are the primary's own account of a live-shaped request (see
 * PrimaryHealthProbe), so this node's own load does not enter them. A ratio is the live path's
 * latency with what the probes show added, over the live path's own ({@code live-latency}, see
 * {@link #ratioOver}): 1.25 is a quarter of it added. Dividing by the probe's own latency (a tenth
 * of a millisecond on an idle primary) would call a timer's slack a slowdown.
 *
 * <p>The ratio it steers by is the worse of two: the median of the last {@code recent-span}
 * over the baseline median (moves within a second when the whole primary slows), and the
 * {@code tail-percentile} of the last {@code tail-span} over a reference tail (sees bursts that
 * only a few live queries run into). The reference tail is the baseline's, or, when it is higher,
 * the tail of the probes of the last {@link #UNTOUCHED_SPAN} that no engine query ran beside: on a
 * machine whose own noise (other processes, the kernel, the hypervisor) puts a slow probe in every
 * twenty, the tail is that noise whatever the backfill does (two short benchmark runs of
 * 2026-11-29: backed off from it, 32 calls/s and the live p99 at 1.30x; not, 188 calls/s and
 * 1.34x). While the primary's median has risen too (a competing load slows the untouched probes
 * as well, and a clean clone's yield test saw the governor react too little when all of it was
 * excused) it excuses at most {@code untouched-tail-excuse} times the baseline's tail (1.5 by
 * default, as a re-measured baseline may rise); while the median has not, up to two live-path
 * latencies above the baseline's tail (see {@link #excusable}). A burst the engine causes shows as probes beside its queries being slower than
 * the ones without. A primary slow for everyone is the median's to see. After the governor
 * backs off, the tail is judged only on probes taken since: older ones say nothing about the
 * lower rate, and would halve it again and again for the whole tail span after a single burst.
 *
 * <p>Not thread-safe; plain Java, owned by the governor, time given in nanoseconds.
 */
public final class LivePathMonitor {

  /**
   * The primary's own latency, without the backfill: the median of the last quiet moment's probes
   * (or of the last few seconds' while idle), and the tail over the last {@code probes} quiet
   * probes, pooled across quiet moments (see {@link #learn}).
   */
  public record Baseline(double medianMs, double tailMs, int probes, long learnedAtNanos) {}

  /**
   * What the monitor sees now; null parts are not known yet. {@code tailPending}: the governor
   * backed off lately and too few probes have come since to judge the tail, so the ratio is the
   * median's alone. {@code pauseRatio}: the ratio with the tail judged over the whole tail span
   * even after a back-off, the one a pause must be taken on (see {@link #estimate}).
   */
  public record Estimate(
      Double recentMedianMs,
      Double recentTailMs,
      Double untouchedTailMs,
      Double ratio,
      boolean tailPending,
      Double pauseRatio) {

    /**
     * The ratio the governor's policy judges: {@link #ratio}, except that a pause needs the whole
     * tail span's word. Fresh probes after a back-off that read {@code critical} while the span
     * does not back off further, at the span's ratio or the warning level, whichever is higher.
     */
    public Double judgedRatio(double warn, double critical) {
      if (ratio != null && ratio >= critical && pauseRatio != null && pauseRatio < critical) {
        return Math.max(pauseRatio, warn);
      }
      return ratio;
    }
  }

  /**
   * How far back the tail of probes that no engine query ran beside reaches: long enough to hold
   * {@link #UNTOUCHED_PROBES} of them while the backfill keeps the primary busy most of the time.
   */
  static final Duration UNTOUCHED_SPAN = Duration.ofSeconds(30);

  /**
   * Untouched probes a reference tail needs: at the 99th percentile the slowest of 100 (of 40, one
   * slow probe would excuse everything for the whole span while the engine kept the primary busy
   * five sixths of the time).
   */
  static final int UNTOUCHED_PROBES = 100;

  /**
   * How far above the baseline's tail, in multiples of {@code live-latency}, an untouched tail is
   * excused while the primary's median has not moved: 2, so that an untouched tail which alone
   * would read 3x (critical by default) is not excused beyond that (see {@link #excusable}).
   */
  static final double MAX_EXCUSED_LIVE_LATENCIES = 2.0;

  /** How much a baseline re-measured while jobs run may exceed the one before it. */
  static final double MAX_RISE_PER_REFRESH = 1.5;

  /**
   * A baseline learned while no job ran is re-measured this soon after jobs start: the node that
   * learned it may have been starting up (compiling, connecting), which makes probes slow, and a
   * baseline that is too slow hides the damage a job does. A quiet moment measures with the whole
   * engine idle.
   */
  static final Duration FIRST_REFRESH_AFTER_JOBS_START = Duration.ofSeconds(15);

  private static final Duration QUIET_KEEP = Duration.ofSeconds(10);

  /**
   * Fresh probes that judge the tail after a back-off (half a second of them): their 95th
   * percentile is their slowest. Waiting for a full tail span's worth (2.5 s) held the rate so
   * long that a competing load arriving meanwhile went unjudged past the one second the governor
   * has to react in.
   */
  static final int FRESH_TAIL_PROBES = 10;

  /** How many {@code live-latency}s one probe's wait counts for at most in {@link #meanWaitMs}. */
  public static final double WAIT_CAP_LIVE_LATENCIES = 2;

  private final LivePathSettings settings;
  private final LatencyWindow all;
  private final LatencyWindow quiet = new LatencyWindow(QUIET_KEEP);
  private final LatencyWindow untouched = new LatencyWindow(UNTOUCHED_SPAN);
  private final QuietProbePool pooled;
  /** Quiet probes the pool must hold before a quiet moment may end (see {@link #tailProbesWanted}). */
  private final int tailProbesWanted;
  private Baseline baseline;
  /** Start of the current quiet moment, or -1 when there is none. */
  private long quietSinceNanos = -1;
  /** When the last quiet moment began, successful or not: the next waits a refresh from here. */
  private long lastQuietAttemptNanos;
  private boolean attemptedQuiet;
  private int quietProbesSinceStart;
  /** Whether the baseline was learned while no job ran (and not since re-measured in a quiet moment). */
  private boolean learnedIdle;
  /** When jobs started asking after a time without any, or -1 while none ask. */
  private long jobsSinceNanos = -1;
  /** The tail is judged only on probes from here on, if set: the rate fell then (see {@link #judgeFrom}). */
  private boolean backedOff;

  private long judgedFromNanos;

  public LivePathMonitor(LivePathSettings settings) {
    this.settings = settings;
    Duration longest = settings.tailSpan().compareTo(settings.recentSpan()) > 0 ? settings.tailSpan() : settings.recentSpan();
    this.all = new LatencyWindow(longest);
    this.pooled = new QuietProbePool(tailSpanProbes());
    this.tailProbesWanted = tailProbesWanted(settings.tailPercentile(), settings.quietProbes(), tailSpanProbes());
  }

  /**
   * How many quiet probes a baseline's tail is read from at least, when a quiet moment has the
   * time: the fewest whose {@code percentile} (nearest rank) is not their slowest, 100 for the
   * 99th, but never fewer than a moment's {@code quietProbes} nor more than the pool holds. The
   * slowest of 30 is one stall of the machine's: read from the probes of the incident benchmark's
   * quiet runs (2026-12-03 j), the p99 of 30 consecutive probes was above 0.96-2.12 ms one time in
   * ten where their p99 over half a minute was 0.49-0.59; of 100, above 0.59-0.71.
   */
  static int tailProbesWanted(double percentile, int quietProbes, int poolCapacity) {
    int belowSlowest = (int) Math.ceil(100 / (100 - percentile) - 1e-9);
    return Math.min(poolCapacity, Math.max(quietProbes, belowSlowest));
  }

  /**
   * One probe's latency. {@code untouchedByEngine}: none of the engine's queries ran during the
   * probe. {@code engineQuiet}: nor within {@code quiet-settle} before it.
   */
  public void onProbe(long nowNanos, double millis, boolean untouchedByEngine, boolean engineQuiet, boolean jobsWaiting) {
    all.add(nowNanos, millis);
    if (untouchedByEngine) {
      untouched.add(nowNanos, millis);
    }
    if (!jobsWaiting) {
      jobsSinceNanos = -1;
    } else if (jobsSinceNanos < 0) {
      jobsSinceNanos = nowNanos;
    }
    if (!engineQuiet) {
      return;
    }
    quiet.add(nowNanos, millis);
    boolean inQuietMoment = quietSinceNanos >= 0;
    if (inQuietMoment || !jobsWaiting) {
      // Quiet probes between throttled pages are not pooled: they may have landed right after a burst.
      pooled.add(millis);
    }
    if (inQuietMoment) {
      quietProbesSinceStart++;
      // After the pool started again, the first moment goes on until it holds enough for a tail.
      if (quietProbesSinceStart >= settings.quietProbes() && pooled.size() >= tailProbesWanted) {
        learn(nowNanos, true);
      }
    } else if (!jobsWaiting) {
      // Idle: every quiet probe keeps the baseline current.
      learn(nowNanos, false);
    }
  }

  /**
   * Whether new page queries must wait because the baseline is being (re-)measured. Starts a quiet
   * moment when there is no baseline or it is older than {@code baseline-refresh}, but never
   * sooner than a refresh after the last attempt, so a moment that failed (probes too slow, or
   * failing) does not hold the jobs back again and again.
   */
  public boolean holdForQuiet(long nowNanos) {
    if (quietSinceNanos >= 0) {
      if (nowNanos - quietSinceNanos > settings.quietMax().toNanos()) {
        if (quietProbesSinceStart >= settings.quietProbes()) {
          // Enough for a median, short of what the tail wants (probes came late): a tail read from
          // fewer probes is still a baseline, and waiting longer would hold the jobs back for it.
          learn(nowNanos, true);
        }
        quietSinceNanos = -1;
        return false;
      }
      return true;
    }
    boolean due =
        baseline == null
            || nowNanos - baseline.learnedAtNanos() >= settings.baselineRefresh().toNanos()
            || (learnedIdle
                && jobsSinceNanos >= 0
                && nowNanos - jobsSinceNanos >= FIRST_REFRESH_AFTER_JOBS_START.toNanos());
    long retryAfter =
        baseline == null || learnedIdle ? settings.quietMax().toNanos() * 6 : settings.baselineRefresh().toNanos();
    if (due && (!attemptedQuiet || nowNanos - lastQuietAttemptNanos >= retryAfter)) {
      quietSinceNanos = nowNanos;
      lastQuietAttemptNanos = nowNanos;
      attemptedQuiet = true;
      quietProbesSinceStart = 0;
      // Only probes of this moment count: quiet probes from gaps between throttled pages may have
      // landed right after a burst.
      quiet.clear();
      if (baseline == null || learnedIdle) {
        // Nor idle ones in the tail's pool: the node may have been starting up (see learn).
        pooled.clear();
      }
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

  /** Whether the baseline was learned while no job ran (and not re-measured in a quiet moment since). */
  public boolean learnedIdle() {
    return learnedIdle;
  }

  /**
   * Takes a baseline that another governor learned (before this one took over, see {@link
   * SharedBaseline}), unless this one has learned its own: it ends a quiet moment held for lack of
   * one, and is re-measured when the governor that learned it would have re-measured it (at once,
   * if that is past). Returns whether it was taken.
   */
  public boolean inherit(Baseline inherited, boolean inheritedLearnedIdle) {
    if (baseline != null) {
      return false;
    }
    baseline = inherited;
    learnedIdle = inheritedLearnedIdle;
    quietSinceNanos = -1;
    // A quiet moment cut short here is no failed attempt: one that is due goes ahead at once.
    attemptedQuiet = false;
    quiet.clear();
    return true;
  }

  /**
   * The governor backed off at {@code nowNanos}: from now on the tail is judged only on probes
   * taken after it. The tail spans seconds, and probes taken before the back-off say nothing about
   * the rate after it: judged on them, one burst would halve the rate once a second for the whole
   * span (to 1/32 of it over 5 s, measured so in the incident benchmark) long after it was over.
   * Until enough fresh probes make a percentile, the median alone is judged.
   */
  public void judgeFrom(long nowNanos) {
    backedOff = true;
    judgedFromNanos = nowNanos;
  }

  /**
   * The recent latencies and their ratio to the baseline. After a back-off the ratio judges the
   * tail on the probes since, as few as {@link #FRESH_TAIL_PROBES}, whose 95th percentile is their
   * slowest: right for backing off further (older probes say nothing about the lower rate), but
   * one slow probe of the machine's own (a page-out, a preempted backend: 20 ms now and then on
   * this machine with no backfill at all) would read as critical and pause every job for seconds
   * (the incident benchmark of 2026-11-30 d: pauses at 3.4x and 10.3x while the live client saw
   * 1.1-1.5x). So {@code pauseRatio} judges the tail over the whole tail span, where one probe is
   * not the percentile; a primary slow for everyone shows in the median, which both share.
   */
  public Estimate estimate(long nowNanos) {
    OptionalDouble recentMedian = all.percentile(nowNanos, settings.recentSpan(), 50, 1);
    boolean sinceBackOff = backedOff && nowNanos - judgedFromNanos < settings.tailSpan().toNanos();
    OptionalDouble spanTail = tailOver(nowNanos, settings.tailSpan(), minTailProbes(), true);
    OptionalDouble recentTail =
        sinceBackOff
            ? tailOver(nowNanos, Duration.ofNanos(nowNanos - judgedFromNanos), FRESH_TAIL_PROBES, false)
            : spanTail;
    OptionalDouble untouchedTail =
        untouched.percentile(nowNanos, UNTOUCHED_SPAN, settings.tailPercentile(), UNTOUCHED_PROBES);
    // Whether the primary is slower for everyone, for a co-located engine's excuse: over the tail
    // span, so that one second's few probes do not flip it (see excusable). Not needed otherwise.
    OptionalDouble spanMedian =
        settings.coLocated() ? all.percentile(nowNanos, settings.tailSpan(), 50, minTailProbes()) : OptionalDouble.empty();
    Double ratio = ratio(recentMedian, spanMedian, recentTail, untouchedTail);
    return new Estimate(
        recentMedian.isPresent() ? recentMedian.getAsDouble() : null,
        recentTail.isPresent() ? recentTail.getAsDouble() : null,
        untouchedTail.isPresent() ? untouchedTail.getAsDouble() : null,
        ratio,
        sinceBackOff && recentTail.isEmpty(),
        sinceBackOff ? ratio(recentMedian, spanMedian, spanTail, untouchedTail) : ratio);
  }

  /**
   * The tail percentile of the probes of the last {@code span}, if at least {@code minProbes}
   * came; else, when {@code slowestIfFew}, the slowest of them (a slow primary answers fewer).
   */
  private OptionalDouble tailOver(long nowNanos, Duration span, int minProbes, boolean slowestIfFew) {
    OptionalDouble tail = all.percentile(nowNanos, span, settings.tailPercentile(), minProbes);
    if (tail.isEmpty() && slowestIfFew) {
      return all.percentile(nowNanos, span, 100, 1);
    }
    return tail;
  }

  /**
   * The mean wait a probe of the last tail span had past the baseline's median, or null without a
   * baseline or with too few probes. Shown beside the tail, not steered by (yet): the tail is one
   * of a few slow probes, and two streams of the same probe read 10 s tails two to three times
   * apart (the incident benchmark, 2026-12-03); read offline from the benchmark's probes, this
   * mean separated the engine's runs from the quiet ones in every 10 s window where the tail did
   * not. Shown so that it can be compared with the live client's p99 before the governor uses it.
   * Each probe counts up to {@link #WAIT_CAP_LIVE_LATENCIES} live latencies: uncapped, one 40 ms
   * stall of the machine's made a quiet window read like the engine's (quick run 12-03 b).
   */
  public Double meanWaitMs(long nowNanos) {
    if (baseline == null) {
      return null;
    }
    double capMs = WAIT_CAP_LIVE_LATENCIES * settings.liveLatency().toNanos() / 1_000_000.0;
    OptionalDouble wait = all.meanPast(nowNanos, settings.tailSpan(), baseline.medianMs(), capMs, minTailProbes());
    return wait.isPresent() ? wait.getAsDouble() : null;
  }

  /** The worse of the median's ratio and the tail's, or null without a baseline or a median. */
  private Double ratio(
      OptionalDouble recentMedian, OptionalDouble spanMedian, OptionalDouble recentTail, OptionalDouble untouchedTail) {
    if (baseline == null || recentMedian.isEmpty()) {
      return null;
    }
    double fast = ratioOver(recentMedian.getAsDouble(), baseline.medianMs());
    if (recentTail.isEmpty()) {
      return fast;
    }
    double excused = Math.min(untouchedTail.orElse(0), excusable(spanMedian));
    double referenceTail = Math.max(baseline.tailMs(), excused);
    return Math.max(fast, ratioOver(recentTail.getAsDouble(), referenceTail));
  }

  /**
   * How slow the tail of probes that no engine query ran beside may be and still be excused as the
   * reference. A competing load makes the primary slower for everyone: its median rises with its
   * tail, so while the median over the tail span has risen past {@code untouched-tail-excuse}
   * times the baseline's, untouched probes excuse no more than that many times the baseline's
   * tail (what a re-measured baseline may rise by) and the load is still seen, within seconds.
   *
   * <p>Where the engine shares the primary's machine ({@code co-located}; off by default: the
   * clean-clone run of GovernorYieldsToLivePathTest saw a competing load that raised the probes'
   * tail more than their median go unanswered with it on) and the median has not moved, a tail
   * that probes away from the engine's queries show as
   * much as probes beside them is not the primary queueing behind the engine's queries: on two
   * cores shared with the engine's JVM and Cassandra, both cores busy put about 4 ms into the live
   * path's p99 whatever ran on them (the incident benchmark's controls, 2026-12-01), and the
   * governor holding one node at 1% of its budget (138 calls/s) did not take it away (4.85x; run
   * g, at 1,351 calls/s: 3.32x). Part of it is still the engine's (its JVM's and Cassandra's CPU,
   * which an idle node does not spend), but not a part its rate decides. It is excused up to
   * {@link #MAX_EXCUSED_LIVE_LATENCIES} times {@code live-latency} above the baseline's tail: an
   * untouched tail beyond that would read critical on its own, and then the live path is in
   * trouble whoever caused it, so the engine gets out of the way. What the engine's queries add on
   * top of the reference is judged either way. 1 excuses nothing; a median that cannot be told
   * (NaN) excuses no more than the cap.
   */
  private double excusable(OptionalDouble spanMedian) {
    double excuse = settings.untouchedTailExcuse();
    // With an excuse of 1 no median counts as unmoved: 1 excuses nothing, co-located or not.
    boolean medianUnmoved =
        excuse > 1 && spanMedian.isPresent() && spanMedian.getAsDouble() <= baseline.medianMs() * excuse;
    if (!settings.coLocated() || !medianUnmoved) {
      return baseline.tailMs() * excuse;
    }
    return baseline.tailMs() + MAX_EXCUSED_LIVE_LATENCIES * settings.liveLatency().toNanos() / 1_000_000.0;
  }

  /**
   * The live path's tail latency as the backfill leaves it, over its own: what the probes show
   * added to {@code referenceMs}, as a share of {@code live-latency} (or of the reference, when the
   * primary itself is slower than that). Waiting for a core or behind a page query adds about as
   * many milliseconds to a live request as to the probe, and what is added to a typical request is
   * added to the tail too; but the live path's own tail is several times the probe (round trips,
   * an insert, a commit). Divided by the probe instead, 0.3 ms of waiting read as 2x: the governor
   * held one node to 18-108 calls/s in the incident benchmark of 2026-11-30 while the live path's
   * p99 moved by 5-8% (one naive worker: 480-580 calls/s).
   */
  private double ratioOver(double recentMs, double referenceMs) {
    return liveRatio(recentMs, referenceMs, settings.liveLatency().toNanos() / 1_000_000.0);
  }

  /**
   * The live ratio of probes reading {@code recentMs} against a healthy {@code referenceMs}, for a
   * live path whose own latency is {@code liveLatencyMs}: see {@link #ratioOver}. Public so that an
   * outside observer (the incident benchmark) reads its probes exactly as the governor does.
   */
  public static double liveRatio(double recentMs, double referenceMs, double liveLatencyMs) {
    double liveMs = Math.max(liveLatencyMs, referenceMs);
    return (liveMs + recentMs - referenceMs) / liveMs;
  }

  /**
   * Learns the baseline from the quiet probes. Its median is this moment's (or, idle, the last few
   * seconds'): 30 probes tell a median well, and it follows the primary's health at once. Its tail
   * is the same percentile over the last quiet probes pooled across moments, as many as the tail
   * span holds, so that the reference and the tail judged against it are read from as many probes
   * and share their sampling noise. One moment's 30 probes put the tail at their slowest: in the
   * incident benchmark of 2026-12-03 baselines of 1.14, 1.87 and 2.26 ms where the live client's
   * probes alone read 0.6-0.76 ms, and the governor let the engine add that much to the live path.
   * The pool starts again with the first moment after jobs start: idle probes may have been taken
   * while the node started up (pooled, GovernorYieldsToLivePathTest's governor kept a startup tail
   * and let a competing load through), and that first moment goes on until the pool holds enough
   * probes for a tail that is not their slowest (100 for the 99th percentile: about 5 s instead of
   * 1.5, each time jobs start after none ran; see {@link #tailProbesWanted}). So a job's first
   * three minutes are judged against the second slowest of 100 quiet probes, and each
   * re-measurement adds 30, up to the 400 that the tail span holds after half an hour.
   */
  private void learn(long nowNanos, boolean inQuietMoment) {
    OptionalDouble median = quiet.percentile(nowNanos, QUIET_KEEP, 50, settings.quietProbes());
    OptionalDouble tail = pooled.percentile(settings.tailPercentile(), settings.quietProbes());
    if (median.isEmpty() || tail.isEmpty()) {
      return;
    }
    // A floor against a clock that rounds a very fast probe to 0, which would make any ratio infinite.
    double floor = 0.01;
    double medianMs = Math.max(floor, median.getAsDouble());
    double tailMs = Math.max(floor, tail.getAsDouble());
    if (inQuietMoment && baseline != null) {
      medianMs = Math.min(medianMs, baseline.medianMs() * MAX_RISE_PER_REFRESH);
      tailMs = Math.min(tailMs, baseline.tailMs() * MAX_RISE_PER_REFRESH);
    }
    baseline = new Baseline(medianMs, tailMs, pooled.size(), nowNanos);
    learnedIdle = !inQuietMoment;
    if (inQuietMoment) {
      quietSinceNanos = -1;
      quiet.clear();
    }
  }

  /** Half the probes the tail span should hold, so that one slow or missed probe does not blind it. */
  private int minTailProbes() {
    return Math.max(3, tailSpanProbes() / 2);
  }

  /** The probes the tail span holds when every probe answers in time. */
  private int tailSpanProbes() {
    return (int) Math.max(1, settings.tailSpan().toNanos() / settings.probeInterval().toNanos());
  }
}
