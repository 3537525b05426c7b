package dev.backfill.engine.governor;

import dev.backfill.protocol.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.pattern.StatusReply;

/**
 * The cluster's one governor (a cluster singleton): every query on the primary, from any job on
 * any node, first takes a lease here and reports its cost when done. A lease is granted only when
 * the primary is not paused, the baseline is not being re-measured, a connection slot is free
 * (and, if another node used it last, handed over), the cluster's query-time budget is not spent,
 * and the job's fair share of the row rate allows it. The lease says how many rows the page may
 * read, so that a page query lasts about {@code target-page-millis}.
 *
 * <p>It watches the live path with a probe many times a second ({@link LivePathMonitor}) and
 * feeds {@link AdaptiveBudgetPolicy}, plain Java, with the live latency's ratio to its healthy
 * baseline. Its state is soft on purpose: when it moves to another node it starts again in slow
 * start, learns the baseline anew, leases of the dead holder expire, and jobs retry their asks.
 */
public final class Governor extends AbstractBehavior<Governor.Command> {

  public sealed interface Command extends CborSerializable {}

  /**
   * Ask for a lease to read up to {@code rows} calls from the primary, on a connection of node
   * {@code holder}.
   */
  public record AcquireLease(
      String jobId,
      double weight,
      Double maxRowsPerSecond,
      int rows,
      String holder,
      ActorRef<LeaseReply> replyTo)
      implements Command {}

  /** The lease's query is done: it read {@code rows} rows in {@code queryMicros} of query time. */
  public record ReleaseLease(String leaseId, int rows, long queryMicros) implements Command {}

  public record GetView(ActorRef<GovernorView> replyTo) implements Command {}

  /**
   * Change the budget and/or the thresholds (null: keep); answers the new view, or an error saying
   * why the change was refused (a value outside {@link RuntimeLimits}), with nothing changed.
   */
  public record Update(
      GovernorBudget budget, HealthThresholds thresholds, ActorRef<StatusReply<GovernorView>> replyTo)
      implements Command {}

  public sealed interface LeaseReply extends CborSerializable {}

  /** Run the query on the holder's connection for {@code slot}, reading at most {@code rows} rows. */
  public record LeaseGranted(String leaseId, int slot, int rows) implements LeaseReply {}

  public record LeaseDenied(Duration retryAfter, String reason) implements LeaseReply {}

  private enum Tick implements Command {
    INSTANCE
  }

  private enum Decide implements Command {
    INSTANCE
  }

  private enum ProbeLivePath implements Command {
    INSTANCE
  }

  private enum ReadLoad implements Command {
    INSTANCE
  }

  private record LivePathProbed(PrimaryHealthProbe.ProbeTiming timing, Throwable failure, long startedNanos)
      implements Command {}

  private record LoadRead(PrimaryHealthProbe.PrimaryLoad load, Throwable failure) implements Command {}

  private static final Duration TICK = Duration.ofMillis(250);
  private static final Duration RETRY_WHEN_PAUSED = Duration.ofMillis(500);
  private static final Duration RETRY_WHEN_NO_SLOT = Duration.ofMillis(20);
  private static final Duration RETRY_WHEN_QUIET = Duration.ofMillis(200);
  /** A refused claim changes only when the job is tuned (PATCH /jobs/{id}): ask again now and then. */
  private static final Duration RETRY_WHEN_CLAIM_REFUSED = Duration.ofSeconds(1);
  /**
   * The longest wait a denial asks for. A tiny rate can put the pay-off of a debt years away,
   * beyond what a scheduler takes; asking again soon also picks up a rate raised meanwhile.
   */
  private static final Duration LONGEST_RETRY = Duration.ofSeconds(2);
  /** How long a node keeps a slot another node waits for: nodes take turns this long each. */
  private static final Duration SLOT_TENURE = Duration.ofSeconds(5);
  /** The probe connection's socket gives up this long after the probe's own timeout. */
  private static final Duration PROBE_SOCKET_GRACE = Duration.ofSeconds(2);

  public static ActorRef<Command> init(
      ActorSystem<?> system, GovernorSettings settings, PrimaryHealthProbe probe) {
    return ClusterSingleton.get(system)
        .init(
            SingletonActor.of(
                Behaviors.supervise(create(settings, probe))
                    .onFailure(SupervisorStrategy.restartWithBackoff(
                        Duration.ofSeconds(1), Duration.ofSeconds(10), 0.2)),
                "governor"));
  }

  public static Behavior<Command> create(GovernorSettings settings, PrimaryHealthProbe probe) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
                  timers.startTimerWithFixedDelay(Decide.INSTANCE, settings.sampleInterval());
                  timers.startTimerWithFixedDelay(ProbeLivePath.INSTANCE, settings.livePath().probeInterval());
                  timers.startTimerWithFixedDelay(ReadLoad.INSTANCE, settings.loadInterval());
                  return new Governor(context, settings, probe);
                }));
  }

  private final GovernorSettings settings;
  private final PrimaryHealthProbe probe;
  private final AdaptiveBudgetPolicy policy;
  private final QuerySlots slots;
  private final PageSizer pageSizer;
  private final LivePathMonitor livePath;
  private final JobMeters jobs = new JobMeters();
  private final TokenBucket queryMillis;
  private boolean probing;
  private long probeStartedNanos;
  private boolean readingLoad;
  private PrimaryHealthProbe.PrimaryLoad load = new PrimaryHealthProbe.PrimaryLoad(0, null);
  /** When a query of the engine last started or ended on the primary. */
  private long lastEngineActivityNanos;
  /** When a live probe last failed; a failure counts as critical at the next decision. */
  private long lastProbeFailureNanos = Long.MIN_VALUE / 2;
  private long lastDecisionNanos = System.nanoTime();
  private Instant sampledAt;
  private long granted;
  private long denied;
  private long expired;
  /** The latest probe's round trip as this node saw it (NaN before the first). */
  private double latestRoundTripMs = Double.NaN;

  private Governor(ActorContext<Command> context, GovernorSettings settings, PrimaryHealthProbe probe) {
    super(context);
    this.settings = settings;
    this.probe = probe;
    this.policy = new AdaptiveBudgetPolicy(settings.budget(), settings.thresholds(), settings.aimd(), Instant.now());
    long now = System.nanoTime();
    this.slots = new QuerySlots(settings.slotHandover(), SLOT_TENURE);
    slots.assumeHeldElsewhere(settings.budget().maxConcurrentQueries(), now);
    // Queries of a previous governor's leases may still run: no probe counts as quiet before the handover.
    this.lastEngineActivityNanos = now + settings.slotHandover().toNanos();
    this.pageSizer = new PageSizer(settings.targetPageMillis(), settings.minPageRows(), Integer.MAX_VALUE);
    this.livePath = new LivePathMonitor(settings.livePath());
    this.queryMillis = new TokenBucket(policy.current().queryMillisPerSecond(), 1, now);
    context.getLog().info("governor started on this node: {}", policy.current().reason());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(AcquireLease.class, this::onAcquire)
        .onMessage(ReleaseLease.class, this::onRelease)
        .onMessage(GetView.class, this::onGetView)
        .onMessage(Update.class, this::onUpdate)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(Decide.INSTANCE, this::onDecide)
        .onMessageEquals(ProbeLivePath.INSTANCE, this::onProbeLivePath)
        .onMessage(LivePathProbed.class, this::onLivePathProbed)
        .onMessageEquals(ReadLoad.INSTANCE, this::onReadLoad)
        .onMessage(LoadRead.class, this::onLoadRead)
        .build();
  }

  private Behavior<Command> onAcquire(AcquireLease request) {
    long now = System.nanoTime();
    Instant wallNow = Instant.now();
    if (request.jobId() == null || request.holder() == null) {
      request.replyTo().tell(new LeaseDenied(RETRY_WHEN_PAUSED, "a lease needs a job and a holder"));
      return this;
    }
    // Jobs journaled before the API had ranges may claim more than their top. Above it nothing a
    // share can tell apart changes, so it reads as the top (a cap: as none) and such a job goes on
    // after an upgrade; only what no range holds (not a number, not above zero) is refused.
    double weight = Math.min(request.weight(), RuntimeLimits.PRIORITY.high());
    Double maxRows = request.maxRowsPerSecond();
    if (maxRows != null && maxRows > RuntimeLimits.CALLS_PER_SECOND.high()) {
      maxRows = null;
    }
    String claimRefused = RuntimeLimits.claimRefusal(weight, maxRows);
    if (claimRefused != null) {
      // Not claimed, so a bad weight or cap never reaches the fair share of the other jobs.
      denied++;
      request
          .replyTo()
          .tell(
              new LeaseDenied(
                  RETRY_WHEN_CLAIM_REFUSED,
                  "the governor refuses this job's claim: " + claimRefused + "; change it with PATCH /jobs/" + request.jobId()));
      return this;
    }
    JobMeters.JobMeter meter = jobs.claim(request.jobId(), weight, maxRows, wallNow, now);
    reshare(now);
    var decision = policy.current();
    int rows = pageSizer.rows(Math.max(1, request.rows()));
    String refusal = null;
    Duration retryAfter = null;
    if (livePath.holdForQuiet(now)) {
      refusal =
          "measuring the primary's own latency without the backfill (a quiet moment of at most "
              + settings.livePath().quietMax().toSeconds()
              + " s)";
      retryAfter = RETRY_WHEN_QUIET;
    } else if (decision.paused()) {
      refusal = decision.reason();
      retryAfter = RETRY_WHEN_PAUSED;
    } else if (slots.busy() >= decision.concurrency()) {
      refusal = "all " + decision.concurrency() + " query slots on the primary are in use";
      retryAfter = RETRY_WHEN_NO_SLOT;
    } else if (queryMillis.nanosUntil(1, now) > 0) {
      refusal =
          String.format(
              "the primary's query-time budget (%.0f ms/s) is spent: %s", decision.queryMillisPerSecond(), decision.reason());
      retryAfter = Duration.ofNanos(Math.min(queryMillis.nanosUntil(1, now), LONGEST_RETRY.toNanos()));
    } else if (meter.rows.nanosUntil(rows, now) > 0) {
      refusal = String.format("the job's share is %.0f calls/s: %s", meter.rows.rate(), decision.reason());
      retryAfter = Duration.ofNanos(Math.min(meter.rows.nanosUntil(rows, now), LONGEST_RETRY.toNanos()));
    }
    String leaseId = UUID.randomUUID().toString();
    int slot = -1;
    if (refusal == null) {
      slot =
          slots.take(
              leaseId, request.holder(), request.jobId(), decision.concurrency(), now, settings.leaseTtl().toNanos());
      if (slot < 0) {
        refusal = "waiting for a query slot to be handed over from another node";
        retryAfter = Duration.ofNanos(Math.max(RETRY_WHEN_NO_SLOT.toNanos(),
            slots.nanosUntilHandover(request.holder(), decision.concurrency(), now)));
      }
    }
    if (refusal != null) {
      denied++;
      Instant since = meter.heldBack(refusal, wallNow);
      request.replyTo().tell(new LeaseDenied(retryAfter, refusal + " (held back since " + since + ")"));
      return this;
    }
    meter.rows.take(rows, now);
    meter.granted();
    lastEngineActivityNanos = now;
    granted++;
    request.replyTo().tell(new LeaseGranted(leaseId, slot, rows));
    return this;
  }

  private Behavior<Command> onRelease(ReleaseLease release) {
    long now = System.nanoTime();
    if (slots.release(release.leaseId(), now) >= 0) {
      double millis = Math.max(0, release.queryMicros()) / 1000.0;
      // At most a second's worth of debt: one query that ran into its timeout must not lock every
      // job out for minutes.
      queryMillis.take(Math.min(millis, Math.max(1, queryMillis.rate())), now);
      pageSizer.observe(release.rows(), millis);
      lastEngineActivityNanos = now;
    }
    return this;
  }

  private Behavior<Command> onGetView(GetView request) {
    request.replyTo().tell(view());
    return this;
  }

  /**
   * Applies a change whole, or refuses it whole when a value is out of range. The API checks every
   * value first; this is for one that gets past it: thrown here, it would restart the governor,
   * which would lose every job's share and every earlier change, and do so again at the next bad
   * message. Values in range cannot make the policy, the buckets or the fair share throw.
   */
  private Behavior<Command> onUpdate(Update update) {
    GovernorBudget previousBudget = policy.budget();
    HealthThresholds previousThresholds = policy.thresholds();
    GovernorBudget budget = update.budget() == null ? previousBudget : update.budget();
    HealthThresholds thresholds = update.thresholds() == null ? previousThresholds : update.thresholds();
    Map<String, String> refused = new LinkedHashMap<>(RuntimeLimits.refusedChanges(previousBudget, budget));
    refused.putAll(RuntimeLimits.refusedChanges(previousThresholds, thresholds));
    if (!refused.isEmpty()) {
      return refuse(
          update,
          refused.entrySet().stream()
              .map(entry -> entry.getKey() + " " + entry.getValue())
              .collect(Collectors.joining("; ")));
    }
    long now = System.nanoTime();
    policy.updateBudget(budget);
    policy.updateThresholds(thresholds);
    queryMillis.setRate(policy.current().queryMillisPerSecond(), now);
    reshare(now);
    getContext().getLog().info("governor updated: {}", policy.current().reason());
    update.replyTo().tell(StatusReply.success(view()));
    return this;
  }

  private Behavior<Command> refuse(Update update, String reason) {
    getContext().getLog().warn("governor update refused, nothing changed: {}", reason);
    update.replyTo().tell(StatusReply.error(reason));
    return this;
  }

  private Behavior<Command> onTick() {
    long now = System.nanoTime();
    for (QuerySlots.Expired lease : slots.expire(now)) {
      expired++;
      getContext().getLog().warn("lease of job {} on slot {} expired: its holder is gone", lease.jobId(), lease.slot());
    }
    jobs.forgetIdle(settings.jobIdleAfter(), Instant.now());
    return this;
  }

  private Behavior<Command> onProbeLivePath() {
    if (!probing) {
      probing = true;
      long started = System.nanoTime();
      probeStartedNanos = started;
      getContext().pipeToSelf(probe.latency(), (timing, failure) -> new LivePathProbed(timing, failure, started));
    }
    return this;
  }

  private Behavior<Command> onLivePathProbed(LivePathProbed probed) {
    probing = false;
    long now = System.nanoTime();
    if (probed.failure() != null) {
      lastProbeFailureNanos = now;
      getContext().getLog().warn("{}", probed.failure().getMessage());
      return this;
    }
    latestRoundTripMs = probed.timing().roundTripMillis();
    // Untouched: no engine query ran during the probe. Quiet: nor ended or started shortly before it.
    boolean untouched = slots.busy() == 0 && lastEngineActivityNanos < probed.startedNanos();
    boolean quiet =
        untouched && lastEngineActivityNanos < probed.startedNanos() - settings.livePath().quietSettle().toNanos();
    livePath.onProbe(now, probed.timing().primaryMillis(), untouched, quiet, !jobs.isEmpty());
    return this;
  }

  private Behavior<Command> onReadLoad() {
    if (!readingLoad) {
      readingLoad = true;
      getContext().pipeToSelf(probe.load(), LoadRead::new);
    }
    return this;
  }

  private Behavior<Command> onLoadRead(LoadRead read) {
    readingLoad = false;
    if (read.failure() != null) {
      getContext().getLog().warn("{}", read.failure().getMessage());
    } else {
      load = read.load();
    }
    return this;
  }

  /**
   * Judges the probes since the last decision and moves the rate. A probe that failed, or one
   * still unanswered past the probe connection's socket timeout, counts as critical, so a primary
   * too slow to answer never freezes the rate where it was. It holds the rate (decides nothing)
   * while no probe answered within the last second, and after a back-off until fresh probes can
   * judge the tail again.
   */
  private Behavior<Command> onDecide() {
    long now = System.nanoTime();
    // A probe still running is judged when it answers, on the primary's clock; this node's clock
    // would count its own delays. The primary cancels a probe at its timeout and the connection
    // gives up on a silent primary 2 s later: only a probe unanswered past both is overdue, so a
    // stall of this node alone never pauses every job.
    var estimate = livePath.estimate(now);
    double latencyMs;
    boolean overdue =
        probing && now - probeStartedNanos > settings.probeTimeout().plus(PROBE_SOCKET_GRACE).toNanos();
    if (lastProbeFailureNanos >= lastDecisionNanos || overdue) {
      // No answer within the probe's timeout is the worst latency there is: count it as critical
      // (at least the critical threshold, whatever the timeout is set to).
      latencyMs = Math.max(settings.probeTimeout().toMillis(), policy.thresholds().probeLatencyCriticalMs());
    } else if (estimate.recentMedianMs() == null) {
      // No probe answered within the last second (the governor just started, or probes are slow
      // but not yet failing): nothing new to judge, the rate holds.
      lastDecisionNanos = now;
      return this;
    } else if (estimate.tailPending() && !(estimate.ratio() != null && estimate.ratio() >= policy.thresholds().liveRatioWarn())) {
      // Backed off lately, and too few probes since to judge the tail: growing on the median alone
      // would climb straight back into the bursts the tail saw. Hold until fresh probes can tell.
      lastDecisionNanos = now;
      return this;
    } else {
      latencyMs = estimate.recentMedianMs();
    }
    lastDecisionNanos = now;
    HealthSample sample =
        new HealthSample(Instant.now(), latencyMs, load.activeBackends(), load.replicationLagMs(), estimate.ratio());
    var before = policy.current();
    var after = policy.onSample(sample);
    sampledAt = sample.at();
    queryMillis.setRate(after.queryMillisPerSecond(), now);
    reshare(now);
    if (after.rowsPerSecond() < before.rowsPerSecond()) {
      livePath.judgeFrom(now);
    }
    if (before.mode() != after.mode()) {
      getContext().getLog().info("governor {} -> {}: {}", before.mode(), after.mode(), after.reason());
    }
    return this;
  }

  /** Splits the current row rate among the jobs that asked lately, by weight and cap. */
  private void reshare(long nowNanos) {
    jobs.reshare(policy.current().rowsPerSecond(), nowNanos);
  }

  private GovernorView view() {
    long now = System.nanoTime();
    var decision = policy.current();
    List<GovernorView.JobShare> shares = jobs.shares();
    var baseline = livePath.baseline();
    var estimate = livePath.estimate(now);
    var live =
        new GovernorView.LivePath(
            baseline == null ? null : baseline.medianMs(),
            baseline == null ? null : baseline.tailMs(),
            settings.livePath().tailPercentile(),
            baseline == null ? null : (now - baseline.learnedAtNanos()) / 1_000_000_000.0,
            estimate.recentMedianMs(),
            estimate.recentTailMs(),
            estimate.untouchedTailMs(),
            estimate.ratio(),
            livePath.inQuietMoment(),
            Double.isNaN(latestRoundTripMs) ? null : latestRoundTripMs);
    double millisPerRow = pageSizer.millisPerRow();
    var pages =
        new GovernorView.Pages(
            pageSizer.targetMillis(), Double.isNaN(millisPerRow) ? null : millisPerRow, pageSizer.rows(Integer.MAX_VALUE));
    return new GovernorView(
        policy.budget(),
        policy.thresholds(),
        decision.mode().name(),
        decision.paused(),
        decision.reason(),
        decision.rowsPerSecond(),
        decision.queryMillisPerSecond(),
        decision.concurrency(),
        decision.signals(),
        sampledAt,
        live,
        pages,
        slots.busy(),
        shares,
        granted,
        denied,
        expired);
  }
}
