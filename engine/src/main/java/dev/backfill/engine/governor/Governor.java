package dev.backfill.engine.governor;

import dev.backfill.protocol.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
 * The cluster's one governor (a cluster singleton): every page query on the primary, from any job
 * on any node, first takes a lease here and reports its cost when done. A lease is granted only
 * when the primary is not paused, a query slot is free, the cluster's query-time budget is not
 * spent, and the job's fair share of the row rate allows it.
 *
 * <p>The adaptive rate itself is {@link AdaptiveBudgetPolicy}, plain Java; this actor feeds it
 * health samples and enforces its decisions. Its state is soft on purpose: when it moves to
 * another node (its node died or left) it starts again in slow start, leases of the dead holder
 * simply expire, and jobs retry their asks.
 */
public final class Governor extends AbstractBehavior<Governor.Command> {

  public sealed interface Command extends CborSerializable {}

  /** Ask for a lease to read up to {@code rows} calls from the primary. */
  public record AcquireLease(
      String jobId, double weight, Double maxRowsPerSecond, int rows, ActorRef<LeaseReply> replyTo)
      implements Command {}

  /** The lease's query is done: it read {@code rows} rows in {@code queryMillis} of query time. */
  public record ReleaseLease(String leaseId, int rows, long queryMillis) implements Command {}

  public record GetView(ActorRef<GovernorView> replyTo) implements Command {}

  /** Change the budget and/or the thresholds (null: keep); answers the new view. */
  public record Update(
      GovernorBudget budget, HealthThresholds thresholds, ActorRef<StatusReply<GovernorView>> replyTo)
      implements Command {}

  public sealed interface LeaseReply extends CborSerializable {}

  public record LeaseGranted(String leaseId) implements LeaseReply {}

  public record LeaseDenied(Duration retryAfter, String reason) implements LeaseReply {}

  private enum Tick implements Command {
    INSTANCE
  }

  private enum SampleHealth implements Command {
    INSTANCE
  }

  private record HealthSampled(HealthSample sample, Throwable failure) implements Command {}

  /** A released slot's cool-down is over: it may be leased again. */
  private record SlotCooled(String leaseId) implements Command {}

  private record Lease(String jobId, Instant expiresAt, boolean released) {}

  /** A job's claim on the rate, and its own bucket refilled at its share. */
  private static final class JobMeter {
    double weight;
    Double maxRowsPerSecond;
    Instant lastSeen;
    String heldBackBecause;
    final TokenBucket rows;

    JobMeter(double ratePerSecond, long nowNanos) {
      // A page may be taken as soon as the bucket is not in debt; its cost is paid afterwards.
      this.rows = new TokenBucket(ratePerSecond, Math.max(1, ratePerSecond), nowNanos);
    }
  }

  private static final Duration TICK = Duration.ofMillis(250);
  private static final Duration RETRY_WHEN_PAUSED = Duration.ofMillis(500);
  private static final Duration RETRY_WHEN_NO_SLOT = Duration.ofMillis(50);

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
                  timers.startTimerWithFixedDelay(SampleHealth.INSTANCE, settings.sampleInterval());
                  return new Governor(context, timers, settings, probe);
                }));
  }

  private final GovernorSettings settings;
  private final TimerScheduler<Command> timers;
  private final PrimaryHealthProbe probe;
  private final AdaptiveBudgetPolicy policy;
  private final Map<String, Lease> leases = new HashMap<>();
  private final Map<String, JobMeter> jobs = new LinkedHashMap<>();
  private final TokenBucket queryMillis;
  private boolean sampling;
  private Instant sampledAt;
  private long granted;
  private long denied;
  private long expired;

  private Governor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      GovernorSettings settings,
      PrimaryHealthProbe probe) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.probe = probe;
    this.policy = new AdaptiveBudgetPolicy(settings.budget(), settings.thresholds(), settings.aimd(), Instant.now());
    this.queryMillis = new TokenBucket(policy.current().queryMillisPerSecond(), 1, System.nanoTime());
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
        .onMessageEquals(SampleHealth.INSTANCE, this::onSampleHealth)
        .onMessage(HealthSampled.class, this::onHealthSampled)
        .onMessage(SlotCooled.class, cooled -> {
          leases.remove(cooled.leaseId());
          return this;
        })
        .build();
  }

  private Behavior<Command> onAcquire(AcquireLease request) {
    long now = System.nanoTime();
    Instant wallNow = Instant.now();
    JobMeter meter = jobs.computeIfAbsent(request.jobId(), id -> new JobMeter(0, now));
    meter.weight = request.weight() > 0 ? request.weight() : 1;
    Double cap = request.maxRowsPerSecond();
    meter.maxRowsPerSecond = cap != null && cap > 0 ? cap : null;
    meter.lastSeen = wallNow;
    reshare(now, wallNow);
    var decision = policy.current();
    String refusal = null;
    Duration retryAfter = null;
    if (decision.paused()) {
      refusal = decision.reason();
      retryAfter = RETRY_WHEN_PAUSED;
    } else if (leases.size() >= decision.concurrency()) {
      refusal = "all " + decision.concurrency() + " query slots on the primary are in use";
      retryAfter = RETRY_WHEN_NO_SLOT;
    } else if (queryMillis.nanosUntil(1, now) > 0) {
      refusal =
          String.format(
              "the primary's query-time budget (%.0f ms/s) is spent", decision.queryMillisPerSecond());
      retryAfter = Duration.ofNanos(queryMillis.nanosUntil(1, now));
    } else if (meter.rows.nanosUntil(request.rows(), now) > 0) {
      refusal = String.format("the job's share is %.0f calls/s", meter.rows.rate());
      retryAfter = Duration.ofNanos(Math.min(meter.rows.nanosUntil(request.rows(), now), 2_000_000_000L));
    }
    if (refusal != null) {
      denied++;
      meter.heldBackBecause = refusal;
      request.replyTo().tell(new LeaseDenied(retryAfter, refusal));
      return this;
    }
    meter.rows.take(request.rows(), now);
    meter.heldBackBecause = null;
    String leaseId = UUID.randomUUID().toString();
    leases.put(leaseId, new Lease(request.jobId(), wallNow.plus(settings.leaseTtl()), false));
    granted++;
    request.replyTo().tell(new LeaseGranted(leaseId));
    return this;
  }

  /**
   * The query is done, but its slot stays taken a little longer: the holder has closed its
   * connection, yet PostgreSQL needs a moment to end that backend, and a new connection opened at
   * once would briefly make one more than the cap on the primary.
   */
  private Behavior<Command> onRelease(ReleaseLease release) {
    Lease lease = leases.get(release.leaseId());
    if (lease != null && !lease.released()) {
      queryMillis.take(Math.max(0, release.queryMillis()), System.nanoTime());
      leases.put(release.leaseId(), new Lease(lease.jobId(), lease.expiresAt(), true));
      timers.startSingleTimer(release.leaseId(), new SlotCooled(release.leaseId()), settings.slotCooldown());
    }
    return this;
  }

  private Behavior<Command> onGetView(GetView request) {
    request.replyTo().tell(view());
    return this;
  }

  private Behavior<Command> onUpdate(Update update) {
    if (update.budget() != null) {
      policy.updateBudget(update.budget());
    }
    if (update.thresholds() != null) {
      policy.updateThresholds(update.thresholds());
    }
    long now = System.nanoTime();
    queryMillis.setRate(policy.current().queryMillisPerSecond(), now);
    reshare(now, Instant.now());
    getContext().getLog().info("governor updated: {}", policy.current().reason());
    update.replyTo().tell(StatusReply.success(view()));
    return this;
  }

  private Behavior<Command> onTick() {
    Instant now = Instant.now();
    leases.values().removeIf(
        lease -> {
          boolean dead = lease.expiresAt().isBefore(now);
          if (dead) {
            expired++;
            getContext().getLog().warn("lease of job {} expired: its holder is gone", lease.jobId());
          }
          return dead;
        });
    jobs.values().removeIf(meter -> meter.lastSeen.plus(settings.jobIdleAfter()).isBefore(now));
    return this;
  }

  private Behavior<Command> onSampleHealth() {
    if (!sampling) {
      sampling = true;
      getContext().pipeToSelf(probe.sample(), HealthSampled::new);
    }
    return this;
  }

  private Behavior<Command> onHealthSampled(HealthSampled sampled) {
    sampling = false;
    HealthSample sample = sampled.sample();
    if (sampled.failure() != null) {
      // No answer within the probe's timeout is the worst latency there is: count it as critical
      // (at least the critical threshold, whatever the timeout is set to).
      getContext().getLog().warn("{}", sampled.failure().getMessage());
      double asLatency =
          Math.max(settings.probeTimeout().toMillis(), policy.thresholds().probeLatencyCriticalMs());
      sample = new HealthSample(Instant.now(), asLatency, 0, null);
    }
    var before = policy.current();
    var after = policy.onSample(sample);
    sampledAt = sample.at();
    long now = System.nanoTime();
    queryMillis.setRate(after.queryMillisPerSecond(), now);
    reshare(now, sampledAt);
    if (before.mode() != after.mode()) {
      getContext().getLog().info("governor {} -> {}: {}", before.mode(), after.mode(), after.reason());
    }
    return this;
  }

  /** Splits the current row rate among the jobs that asked lately, by weight and cap. */
  private void reshare(long nowNanos, Instant wallNow) {
    Map<String, FairShare.Claim> claims = new LinkedHashMap<>();
    jobs.forEach((id, meter) -> claims.put(id, new FairShare.Claim(meter.weight, meter.maxRowsPerSecond)));
    Map<String, Double> shares = FairShare.allocate(policy.current().rowsPerSecond(), claims);
    shares.forEach((id, rate) -> jobs.get(id).rows.setRate(rate, nowNanos));
  }

  private GovernorView view() {
    var decision = policy.current();
    List<GovernorView.JobShare> shares = new ArrayList<>();
    jobs.forEach(
        (id, meter) ->
            shares.add(
                new GovernorView.JobShare(
                    id, meter.weight, meter.maxRowsPerSecond, meter.rows.rate(), meter.heldBackBecause)));
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
        (int) leases.values().stream().filter(lease -> !lease.released()).count(),
        shares,
        granted,
        denied,
        expired);
  }
}
