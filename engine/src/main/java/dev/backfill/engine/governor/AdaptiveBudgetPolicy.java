package dev.backfill.engine.governor;

import static dev.backfill.engine.governor.SignalReading.CLEAR;
import static dev.backfill.engine.governor.SignalReading.CRITICAL;
import static dev.backfill.engine.governor.SignalReading.HOLDING;
import static dev.backfill.engine.governor.SignalReading.WARN;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides, sample by sample, how much of the budget the cluster may use: it grows the allowed
 * fraction while the primary is healthy, cuts it when the primary warns and stops everything when
 * the primary is critical, much like TCP congestion control.
 *
 * <p>Mutable and not thread-safe: one actor owns it and feeds it samples in order. Time comes only
 * from the samples, so the behaviour is the same in tests as with a real clock.
 */
public final class AdaptiveBudgetPolicy {

  /**
   * Samples may arrive several times a second; cutting the rate on each of them would collapse it
   * to the floor before the previous cut had any chance to show in the primary's health.
   */
  static final Duration MIN_TIME_BETWEEN_DECREASES = Duration.ofSeconds(1);

  /**
   * Slow start doubles at most once a second, however often samples come: a doubling must have
   * time to show in the primary's health (the live path's windows span seconds) before the next.
   */
  static final Duration MIN_TIME_BETWEEN_DOUBLINGS = Duration.ofSeconds(1);

  /**
   * After a pause slow start only doubles up to half of what was allowed before it, because that
   * level evidently contributed to the trouble; from there growth is additive and cautious.
   */
  private static final double SLOW_START_CEILING_AFTER_PAUSE = 0.5;

  private GovernorBudget budget;
  private HealthThresholds thresholds;
  private final AimdSettings aimd;

  private GovernorMode mode = GovernorMode.SLOW_START;
  /** While paused, the fraction in force before the pause: it sets the ceiling for resuming. */
  private double fraction;
  /** Slow start doubles up to here (TCP's ssthresh). */
  private double slowStartCeiling = 1.0;

  private Instant lastSampleAt;
  private Instant lastDecreaseAt;
  private Instant lastDoublingAt;
  private Instant lastCriticalAt;
  /** While paused: since when every signal has been clear without a break; null if not. */
  private Instant clearSince;

  private HealthSample lastSample;
  private String reason;

  /**
   * @param now when the policy starts; samples stamped earlier are taken as the wall clock having
   *     stepped back
   */
  public AdaptiveBudgetPolicy(
      GovernorBudget budget, HealthThresholds thresholds, AimdSettings aimd, Instant now) {
    this.budget = Objects.requireNonNull(budget, "budget");
    this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
    this.aimd = Objects.requireNonNull(aimd, "aimd");
    this.lastSampleAt = Objects.requireNonNull(now, "now");
    this.fraction = aimd.minFraction();
    this.reason = Reasons.slowStart(fraction);
  }

  public Decision onSample(HealthSample sample) {
    Objects.requireNonNull(sample, "sample");
    if (sample.at().isBefore(lastSampleAt)) {
      // The wall clock stepped back. Waiting for it to catch up with our remembered instants
      // could block decreases for as long as the step; restarting the clocks errs on the safe
      // side (an early decrease, a later resume).
      lastDecreaseAt = null;
      clearSince = null;
    }
    lastSampleAt = sample.at();
    lastSample = sample;

    SignalReading worst = SignalClassifier.worst(SignalClassifier.read(sample, thresholds));
    if (worst.state().equals(CRITICAL)) {
      pause(sample.at(), worst);
    } else if (mode == GovernorMode.PAUSED) {
      awaitResume(sample.at(), worst);
    } else if (worst.state().equals(WARN)) {
      backOff(sample.at(), worst);
    } else if (worst.state().equals(HOLDING)) {
      reason = Reasons.holding(worst, thresholds.hysteresis(), fraction);
    } else {
      grow(sample.at());
    }
    return current();
  }

  /**
   * The decision in force, with rates from the current budget and the latest readings judged by
   * the current thresholds.
   */
  public Decision current() {
    List<SignalReading> signals =
        lastSample == null ? List.of() : SignalClassifier.read(lastSample, thresholds);
    if (mode == GovernorMode.PAUSED) {
      return new Decision(mode, 0, 0, 0, 0, reason, signals);
    }
    return new Decision(
        mode,
        fraction * budget.maxRowsPerSecond(),
        fraction * budget.maxQueryMillisPerSecond(),
        concurrency(),
        fraction,
        reason,
        signals);
  }

  /** Rescales the rates at once; the fraction, and so the learned health of the primary, stays. */
  public void updateBudget(GovernorBudget budget) {
    this.budget = Objects.requireNonNull(budget, "budget");
  }

  /** Judges the latest readings anew at once; the fraction only moves with the next sample. */
  public void updateThresholds(HealthThresholds thresholds) {
    this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
  }

  public GovernorBudget budget() {
    return budget;
  }

  public HealthThresholds thresholds() {
    return thresholds;
  }

  /** When a signal was last critical, for status pages; empty if it never was. */
  public Optional<Instant> lastCriticalAt() {
    return Optional.ofNullable(lastCriticalAt);
  }

  private void pause(Instant at, SignalReading cause) {
    // The fraction is left alone while paused so that resuming can derive its ceiling from it.
    mode = GovernorMode.PAUSED;
    lastCriticalAt = at;
    clearSince = null;
    reason = Reasons.paused(cause, thresholds.hysteresis());
  }

  private void awaitResume(Instant at, SignalReading worst) {
    Duration resumeAfter = thresholds.resumeAfter();
    if (!worst.state().equals(CLEAR)) {
      clearSince = null;
      reason = Reasons.waitingToResume(resumeAfter, Duration.ZERO, worst, thresholds.hysteresis());
      return;
    }
    if (clearSince == null) {
      clearSince = at;
    }
    Duration clearFor = Duration.between(clearSince, at);
    if (clearFor.compareTo(resumeAfter) < 0) {
      reason = Reasons.waitingToResume(resumeAfter, clearFor, null, thresholds.hysteresis());
      return;
    }
    slowStartCeiling = fraction * SLOW_START_CEILING_AFTER_PAUSE;
    fraction = aimd.minFraction();
    mode = GovernorMode.SLOW_START;
    clearSince = null;
    reason = Reasons.resumed(resumeAfter, fraction);
  }

  private void backOff(Instant at, SignalReading cause) {
    if (lastDecreaseAt == null
        || Duration.between(lastDecreaseAt, at).compareTo(MIN_TIME_BETWEEN_DECREASES) >= 0) {
      fraction = Math.max(aimd.minFraction(), fraction * aimd.decreaseFactor());
      slowStartCeiling = fraction;
      lastDecreaseAt = at;
    }
    mode = GovernorMode.BACKING_OFF;
    reason = Reasons.backingOff(cause, thresholds.hysteresis(), fraction);
  }

  private void grow(Instant at) {
    if (mode == GovernorMode.SLOW_START && fraction < slowStartCeiling) {
      if (lastDoublingAt != null
          && !at.isBefore(lastDoublingAt)
          && Duration.between(lastDoublingAt, at).compareTo(MIN_TIME_BETWEEN_DOUBLINGS) < 0) {
        reason = Reasons.slowStart(fraction);
        return;
      }
      lastDoublingAt = at;
      fraction = Math.min(fraction * 2, slowStartCeiling);
      if (fraction >= slowStartCeiling) {
        mode = GovernorMode.STEADY;
      }
    } else {
      fraction = Math.min(1.0, fraction + aimd.increaseFraction());
      mode = GovernorMode.STEADY;
    }
    reason =
        mode == GovernorMode.SLOW_START ? Reasons.slowStart(fraction) : Reasons.healthy(fraction);
  }

  // At least one query, or a small fraction of a small budget would round down to a pause.
  private int concurrency() {
    long rounded = Math.round(fraction * budget.maxConcurrentQueries());
    return (int) Math.min(budget.maxConcurrentQueries(), Math.max(1, rounded));
  }
}
