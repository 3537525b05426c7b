package dev.backfill.engine.governor;

import dev.backfill.engine.governor.GovernorSettingsEvent.OverridesChanged;
import dev.backfill.protocol.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;

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
 *
 * <p>Except for what an operator changed at run time: the budget and threshold fields set with
 * {@link Update} are kept in the journal by its child {@link GovernorSettingsStore} and lie over
 * the configured ones ({@link GovernorOverrides}). A change is in force only once the journal has
 * it, and a governor that starts reads them back before it grants any lease, so the cluster does
 * not run on a budget an operator had lowered after a move. It waits for them at most {@code
 * settings-read-timeout}: a journal that cannot be read (down, or holding an event that no longer
 * reads after an upgrade) must not stop every job for good. After that it grants leases on the
 * configuration, says so in its view, keeps reading, and applies the changes once read; {@link
 * ClearOverrides} drops them without reading the journal.
 */
public final class Governor extends AbstractBehavior<Governor.Command> {

  public sealed interface Command extends CborSerializable {}

  /**
   * Ask for a lease to read up to {@code rows} calls from the primary, on a connection of node
   * {@code holder}; granted, it goes by {@code leaseId}, which the asker chose, so that an asker
   * that stopped waiting for the answer can hand back a lease granted after all (see {@link
   * GovernedPrimary}). Null: the governor chooses.
   */
  public record AcquireLease(
      String jobId,
      double weight,
      Double maxRowsPerSecond,
      int rows,
      String holder,
      String leaseId,
      ActorRef<LeaseReply> replyTo)
      implements Command {}

  /**
   * The lease's query is done: it read {@code rows} rows in {@code queryMicros} of query time.
   * {@code connectionClosed}: the holder closed its connection for the slot afterwards (as a lease
   * that said {@code closeAfter} asked), so the slot can go to another node almost at once.
   */
  public record ReleaseLease(String leaseId, int rows, long queryMicros, boolean connectionClosed)
      implements Command {

    /** A release that keeps the connection open for the holder's next query on the slot. */
    public ReleaseLease(String leaseId, int rows, long queryMicros) {
      this(leaseId, rows, queryMicros, false);
    }
  }

  public record GetView(ActorRef<GovernorView> replyTo) implements Command {}

  /**
   * Set the budget and threshold fields named in {@code fields} ("max_rows_per_second",
   * "thresholds.live_ratio_warn", as {@link RuntimeLimits#fieldValues} names them) to their values
   * in {@code budget} and {@code thresholds} (null: keep), and keep them over the configuration;
   * every other field stays as it is. {@code fields} null: every field whose value differs from
   * the one in force. {@code by} says through what (it is shown with the change). Answers {@link
   * SettingsApplied} once the journal has the change, {@link SettingsRefused} for a value outside
   * {@link RuntimeLimits} or thresholds out of order, {@link SettingsUnavailable} when the journal
   * does not take it; in the last two nothing changed.
   */
  public record Update(
      GovernorBudget budget,
      HealthThresholds thresholds,
      Set<String> fields,
      String by,
      ActorRef<SettingsReply> replyTo)
      implements Command {}

  /**
   * Drop every runtime change: the configuration is in force again. Answers as {@link Update}. It
   * needs no reading of the journal: when the journal has not been read, the clear is written
   * after whatever it holds, with a snapshot from which every later reading starts.
   */
  public record ClearOverrides(String by, ActorRef<SettingsReply> replyTo) implements Command {}

  /** The answer to {@link Update} and {@link ClearOverrides}. */
  public sealed interface SettingsReply extends CborSerializable {}

  /** In the journal and in force. */
  public record SettingsApplied(GovernorView view) implements SettingsReply {}

  /** Not accepted (a value out of range, thresholds out of order): nothing changed, nothing kept. */
  public record SettingsRefused(String reason) implements SettingsReply {}

  /** The journal did not take the change (down, too slow, still being read): it is not in force. */
  public record SettingsUnavailable(String reason) implements SettingsReply {}

  public sealed interface LeaseReply extends CborSerializable {}

  /**
   * Run the query on the holder's connection for {@code slot}, reading at most {@code rows} rows.
   * {@code closeAfter}: another node waits for the slot and the holder's turn is over; this is its
   * last query on it, and it should close its connection for the slot when done and say so in the
   * release.
   */
  public record LeaseGranted(String leaseId, int slot, int rows, boolean closeAfter) implements LeaseReply {

    /** A lease whose holder keeps its connection open afterwards. */
    public LeaseGranted(String leaseId, int slot, int rows) {
      this(leaseId, slot, rows, false);
    }
  }

  public record LeaseDenied(Duration retryAfter, String reason) implements LeaseReply {}

  private enum Tick implements Command {
    INSTANCE
  }

  private enum Decide implements Command {
    INSTANCE
  }

  /** A slot may be free for a waiting request now (its handover is over, or the budget refilled). */
  private enum ServeWaiting implements Command {
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

  private record StoreReported(GovernorSettingsStore.Report report) implements Command {}

  /** What this node's replica holds of the baseline a governor before this one learned (null: none). */
  private record BaselineFound(SharedBaseline.Snapshot snapshot) implements Command {}

  /** A write of the baseline to the other nodes ended; {@code problem} null: it is on its way. */
  private record BaselineWritten(String problem) implements Command {}

  private enum StartStore implements Command {
    INSTANCE
  }

  /** A change waiting for the journal, answered as unavailable once past its deadline. */
  private record Pending(Command request, long deadlineNanos) {}

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
  /** The probe connection's socket gives up this long after the probe's own timeout. */
  private static final Duration PROBE_SOCKET_GRACE = Duration.ofSeconds(2);
  /**
   * How long a change may wait for the journal (to be read at start, then to take the change)
   * before it is answered as unavailable: well under the API's ask timeout (10 s), so that a PATCH
   * says the journal failed rather than that the cluster did not answer. The store that did not
   * answer in time is stopped and forgotten at once; a new one reads the journal again.
   */
  static final Duration SAVE_TIMEOUT = Duration.ofSeconds(5);
  /** A store stopped by the journal is started again after this, doubling up to the longest. */
  private static final Duration STORE_RESTART_FIRST = Duration.ofSeconds(1);
  private static final Duration STORE_RESTART_LONGEST = Duration.ofSeconds(10);
  /** Changes waiting for the journal at most; more are answered as unavailable at once. */
  private static final int MAX_PENDING = 100;
  /**
   * Lease requests waiting for a query slot at most: far more than a cluster's readers (jobs
   * times blocks in flight). More are refused, to ask again shortly.
   */
  private static final int MAX_WAITING_FOR_SLOT = 10_000;

  /** The cluster's governor, keeping its runtime changes in the journal ({@link GovernorSettingsStore#PERSISTENCE_ID}). */
  public static ActorRef<Command> init(
      ActorSystem<?> system, GovernorSettings settings, PrimaryHealthProbe probe) {
    return ClusterSingleton.get(system)
        .init(
            SingletonActor.of(
                Behaviors.supervise(create(settings, probe, GovernorSettingsStore.PERSISTENCE_ID, true))
                    .onFailure(SupervisorStrategy.restartWithBackoff(
                        Duration.ofSeconds(1), Duration.ofSeconds(10), 0.2)),
                "governor"));
  }

  /**
   * A governor whose runtime changes live in its memory only, lost when it stops: for tests that
   * run one without a journal.
   */
  public static Behavior<Command> create(GovernorSettings settings, PrimaryHealthProbe probe) {
    return create(settings, probe, null);
  }

  /**
   * A governor that keeps its runtime changes in the journal under {@code settingsId}, and reads
   * them back before it grants a lease, or until {@code settings-read-timeout} has passed.
   */
  public static Behavior<Command> create(
      GovernorSettings settings, PrimaryHealthProbe probe, PersistenceId settingsId) {
    return create(settings, probe, settingsId, false);
  }

  /**
   * As above; with {@code shareBaseline} (in a cluster only) the live path's baseline is shared
   * with the other nodes, and a governor that starts on one of them begins from it ({@link SharedBaseline}).
   */
  static Behavior<Command> create(
      GovernorSettings settings, PrimaryHealthProbe probe, PersistenceId settingsId, boolean shareBaseline) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
                  timers.startTimerWithFixedDelay(Decide.INSTANCE, settings.sampleInterval());
                  // Without a probe (a test of the governor alone, with no primary) nothing is probed.
                  if (probe != null) {
                    timers.startTimerWithFixedDelay(ProbeLivePath.INSTANCE, settings.livePath().probeInterval());
                    timers.startTimerWithFixedDelay(ReadLoad.INSTANCE, settings.loadInterval());
                  }
                  return new Governor(context, timers, settings, probe, settingsId, shareBaseline);
                }));
  }

  private final GovernorSettings settings;
  private final PrimaryHealthProbe probe;
  private final TimerScheduler<Command> timers;
  /** Where the runtime changes are kept; null: in memory only. */
  private final PersistenceId settingsId;
  private final ActorRef<GovernorSettingsStore.Report> storeReports;
  /**
   * The running settings store; null while none runs (it failed, or was given up on and stopped:
   * a new one comes later).
   */
  private ActorRef<GovernorSettingsStore.Command> store;
  /** The running store's generation: reports from an earlier one, stopped since, are ignored. */
  private int storeGeneration;
  /** Stores started to read the journal, shown while it cannot be read. */
  private int readAttempts;
  /** The running store knows what the journal holds (read it, or cleared it) and takes changes. */
  private boolean storeReady;
  /** What the journal holds is known (read, or cleared without reading) and in force. */
  private boolean settingsRead;
  /** When this governor started to read its runtime changes: leases wait for them from then on, for a while. */
  private final long readingSinceNanos;
  private final Instant readingSince;
  /** The wait for the runtime changes was given up on and said so (logged once). */
  private boolean leasingUnread;
  /** Why the journal could not be used lately, or null. */
  private String storeProblem;
  private Duration storeRestartDelay = STORE_RESTART_FIRST;
  private GovernorOverrides overrides = GovernorOverrides.NONE;
  /** Overrides that do not fit this configuration, with why; the configured values hold for them. */
  private Map<String, String> overridesNotApplied = Map.of();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  /** The change the store is writing now, or null: one at a time, each judged on what is in force. */
  private Pending saving;
  private final AdaptiveBudgetPolicy policy;
  private final QuerySlots slots;
  private final PageSizer pageSizer;
  private final LivePathMonitor livePath;
  /** Where the baseline is shared with the other nodes; null: not shared (no cluster). */
  private final SharedBaseline sharedBaseline;
  /** The baseline taken from the governor before this one, and whose node learned it; null: none. */
  private LivePathMonitor.Baseline inheritedBaseline;
  private String inheritedFrom;
  private final JobMeters jobs = new JobMeters();
  /** Lease requests that found every slot busy, answered when one frees or their wait is up. */
  private final LeaseQueue waitingForSlot = new LeaseQueue(MAX_WAITING_FOR_SLOT);
  /** When the pending {@link ServeWaiting} timer fires ({@code System.nanoTime}); MAX_VALUE: none. */
  private long serveWaitingAtNanos = Long.MAX_VALUE;
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

  private Governor(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      GovernorSettings settings,
      PrimaryHealthProbe probe,
      PersistenceId settingsId,
      boolean shareBaseline) {
    super(context);
    this.settings = settings;
    this.probe = probe;
    this.timers = timers;
    this.settingsId = settingsId;
    this.policy = new AdaptiveBudgetPolicy(settings.budget(), settings.thresholds(), settings.aimd(), Instant.now());
    long now = System.nanoTime();
    this.slots = new QuerySlots(settings.slotHandover(), settings.slotTenure());
    slots.assumeHeldElsewhere(settings.budget().maxConcurrentQueries(), now);
    // Queries of a previous governor's leases may still run: no probe counts as quiet before the handover.
    this.lastEngineActivityNanos = now + settings.slotHandover().toNanos();
    this.pageSizer = new PageSizer(settings.targetPageMillis(), settings.minPageRows(), Integer.MAX_VALUE);
    this.livePath = new LivePathMonitor(settings.livePath());
    if (shareBaseline && probe != null) {
      this.sharedBaseline = new SharedBaseline(context, probe.primaryUrl(), BaselineFound::new, BaselineWritten::new);
      sharedBaseline.read();
    } else {
      this.sharedBaseline = null;
    }
    this.queryMillis = new TokenBucket(policy.current().queryMillisPerSecond(), 1, TokenBucket.SCHEDULER_SLACK, now);
    this.readingSinceNanos = now;
    this.readingSince = Instant.now();
    if (settingsId == null) {
      this.storeReports = null;
      this.settingsRead = true;
    } else {
      this.storeReports = context.messageAdapter(GovernorSettingsStore.Report.class, StoreReported::new);
      startReading();
    }
    context.getLog().info("governor started on this node: {}", policy.current().reason());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(AcquireLease.class, this::onAcquire)
        .onMessage(ReleaseLease.class, this::onRelease)
        .onMessage(GetView.class, this::onGetView)
        .onMessage(Update.class, this::onSettingsRequest)
        .onMessage(ClearOverrides.class, this::onSettingsRequest)
        .onMessage(StoreReported.class, this::onStoreReported)
        .onMessageEquals(StartStore.INSTANCE, this::onStartStore)
        .onSignal(Terminated.class, this::onStoreStopped)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(Decide.INSTANCE, this::onDecide)
        .onMessageEquals(ServeWaiting.INSTANCE, () -> {
          serveWaitingAtNanos = Long.MAX_VALUE;
          serveWaiting(System.nanoTime());
          return this;
        })
        .onSignal(PostStop.class, signal -> dismissWaiting())
        .onSignal(PreRestart.class, signal -> dismissWaiting())
        .onMessageEquals(ProbeLivePath.INSTANCE, this::onProbeLivePath)
        .onMessage(LivePathProbed.class, this::onLivePathProbed)
        .onMessageEquals(ReadLoad.INSTANCE, this::onReadLoad)
        .onMessage(LoadRead.class, this::onLoadRead)
        .onMessage(BaselineFound.class, this::onBaselineFound)
        .onMessage(BaselineWritten.class, this::onBaselineWritten)
        .build();
  }

  private Behavior<Command> onAcquire(AcquireLease request) {
    long now = System.nanoTime();
    Instant wallNow = Instant.now();
    if (request.jobId() == null || request.holder() == null) {
      request.replyTo().tell(new LeaseDenied(RETRY_WHEN_PAUSED, "a lease needs a job and a holder"));
      return this;
    }
    double weight = claimedWeight(request);
    Double maxRows = claimedCap(request);
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
    String leaseId = request.leaseId() != null ? request.leaseId() : UUID.randomUUID().toString();
    Verdict verdict = judge(request, leaseId, meter, now);
    if (verdict.slotWait() && waitingForSlot.park(leaseId, request, now + slotWaitNanos())) {
      meter.heldBack(verdict.refusal(), wallNow);
      serveLaterAtHandover(now);
      return this;
    }
    answer(request, verdict, meter, wallNow);
    return this;
  }

  // Jobs journaled before the API had ranges may claim more than their top. Above it nothing a
  // share can tell apart changes, so it reads as the top (a cap: as none) and such a job goes on
  // after an upgrade; only what no range holds (not a number, not above zero) is refused.
  private static double claimedWeight(AcquireLease request) {
    return Math.min(request.weight(), RuntimeLimits.PRIORITY.high());
  }

  private static Double claimedCap(AcquireLease request) {
    Double maxRows = request.maxRowsPerSecond();
    return maxRows != null && maxRows > RuntimeLimits.CALLS_PER_SECOND.high() ? null : maxRows;
  }

  /**
   * What a lease request gets now: {@code granted}, or refused for {@code refusal}, to ask again
   * after {@code retryAfter}. {@code slotWait}: refused only because no query slot is free for it
   * yet, so it may wait in {@link #waitingForSlot} for one instead.
   */
  private record Verdict(LeaseGranted granted, String refusal, Duration retryAfter, boolean slotWait) {

    static Verdict refused(String refusal, Duration retryAfter) {
      return new Verdict(null, refusal, retryAfter, false);
    }
  }

  /** Judges a request against everything that can hold it back, and takes the slot and rows when none does. */
  private Verdict judge(AcquireLease request, String leaseId, JobMeters.JobMeter meter, long now) {
    var decision = policy.current();
    int rows = pageSizer.rows(Math.max(1, request.rows()));
    if (awaitingSettings(now)) {
      // A budget an operator lowered at run time may be in the journal: none of the configured one
      // is granted before it is known, or the wait for it is over.
      return Verdict.refused(awaitingSettingsReason(), RETRY_WHEN_PAUSED);
    }
    if (livePath.holdForQuiet(now)) {
      return Verdict.refused(
          "measuring the primary's own latency without the backfill (a quiet moment of at most "
              + settings.livePath().quietMax().toSeconds()
              + " s)",
          RETRY_WHEN_QUIET);
    }
    if (decision.paused()) {
      return Verdict.refused(decision.reason(), RETRY_WHEN_PAUSED);
    }
    if (slots.busy() >= decision.concurrency()) {
      slots.wantTurn(request.holder(), decision.concurrency());
      return new Verdict(
          null, "all " + decision.concurrency() + " query slots on the primary are in use", RETRY_WHEN_NO_SLOT, true);
    }
    if (queryMillis.nanosUntil(1, now) > 0) {
      return Verdict.refused(
          String.format(
              "the primary's query-time budget (%.0f ms/s) is spent: %s", decision.queryMillisPerSecond(), decision.reason()),
          Duration.ofNanos(Math.min(queryMillis.nanosUntil(1, now), LONGEST_RETRY.toNanos())));
    }
    if (meter.rows.nanosUntil(rows, now) > 0) {
      return Verdict.refused(
          String.format("the job's share is %.0f calls/s: %s", meter.rows.rate(), decision.reason()),
          Duration.ofNanos(Math.min(meter.rows.nanosUntil(rows, now), LONGEST_RETRY.toNanos())));
    }
    QuerySlots.Taken slot =
        slots.take(leaseId, request.holder(), request.jobId(), decision.concurrency(), now, settings.leaseTtl().toNanos());
    if (slot.slot() < 0) {
      return new Verdict(
          null,
          "waiting for a query slot to be handed over from another node",
          Duration.ofNanos(Math.max(RETRY_WHEN_NO_SLOT.toNanos(),
              slots.nanosUntilHandover(request.holder(), decision.concurrency(), now))),
          true);
    }
    meter.rows.take(rows, now);
    meter.granted();
    lastEngineActivityNanos = now;
    if (granted == 0) {
      // How long a governor that moved kept every job waiting (settings, slot hand-over, baseline).
      getContext().getLog().info("first lease of this governor, {} ms after it started", (now - readingSinceNanos) / 1_000_000);
    }
    granted++;
    return new Verdict(new LeaseGranted(leaseId, slot.slot(), rows, slot.closeAfter()), null, null, false);
  }

  private void answer(AcquireLease request, Verdict verdict, JobMeters.JobMeter meter, Instant wallNow) {
    if (verdict.granted() != null) {
      request.replyTo().tell(verdict.granted());
      return;
    }
    denied++;
    Instant since = meter.heldBack(verdict.refusal(), wallNow);
    request.replyTo().tell(new LeaseDenied(verdict.retryAfter(), verdict.refusal() + " (held back since " + since + ")"));
  }

  /**
   * How long a request may wait for a slot: a third of the askers' timeout, so that it is answered
   * (by the next tick at the latest) well before its asker gives up on it.
   */
  private long slotWaitNanos() {
    return settings.askTimeout().toNanos() / 3;
  }

  /**
   * Offers free query slots to the requests waiting for one, longest waiting first, each judged
   * afresh (the primary may have been paused meanwhile, or its job's share spent). A request whose
   * time to wait is up is told to ask again at once. Called whenever a slot may have come free.
   */
  private void serveWaiting(long now) {
    if (waitingForSlot.isEmpty()) {
      return;
    }
    Instant wallNow = Instant.now();
    for (LeaseQueue.Waiting waiting : waitingForSlot.inOrder()) {
      AcquireLease request = waiting.request();
      if (now >= waiting.answerByNanos()) {
        waitingForSlot.remove(waiting.leaseId());
        denied++;
        request
            .replyTo()
            .tell(new LeaseDenied(Duration.ZERO, "every query slot on the primary stayed in use while it waited: ask again"));
        continue;
      }
      if (slots.busy() >= policy.current().concurrency()) {
        // Requests behind this one waited less: only their deadlines can be up, and they are later.
        break;
      }
      long untilBudget = queryMillis.nanosUntil(1, now);
      if (untilBudget > 0) {
        // The query-time budget is spent for every job alike: they keep their places until it is not.
        serveWaitingIn(untilBudget, now);
        return;
      }
      int known = jobs.size();
      JobMeters.JobMeter meter = jobs.claim(request.jobId(), claimedWeight(request), claimedCap(request), wallNow, now);
      if (jobs.size() != known) {
        reshare(now);
      }
      Verdict verdict = judge(request, waiting.leaseId(), meter, now);
      if (!verdict.slotWait()) {
        waitingForSlot.remove(waiting.leaseId());
        answer(request, verdict, meter, wallNow);
      }
    }
    serveLaterAtHandover(now);
  }

  /**
   * A free slot that another node used last goes to a waiting request only after its handover:
   * serve the waiting again then, rather than at the next tick.
   */
  private void serveLaterAtHandover(long now) {
    int limit = policy.current().concurrency();
    if (waitingForSlot.isEmpty() || slots.busy() >= limit) {
      return;
    }
    long soonest = Long.MAX_VALUE;
    for (LeaseQueue.Waiting waiting : waitingForSlot.inOrder()) {
      long until = slots.nanosUntilHandover(waiting.request().holder(), limit, now);
      if (until > 0) {
        soonest = Math.min(soonest, until);
      }
    }
    if (soonest != Long.MAX_VALUE) {
      serveWaitingIn(soonest, now);
    }
  }

  /**
   * Serves the waiting again in {@code delayNanos}, unless that is already due sooner. The budget's
   * refill and a handover share one timer; each serving works out anew when the next is due, so
   * keeping the earlier of two never loses the later, where replacing one with the other could
   * leave a free slot unused until the next tick.
   */
  private void serveWaitingIn(long delayNanos, long now) {
    long at = now + delayNanos;
    if (at < serveWaitingAtNanos) {
      serveWaitingAtNanos = at;
      timers.startSingleTimer(ServeWaiting.INSTANCE, Duration.ofNanos(delayNanos));
    }
  }

  /**
   * Tells every waiting request to ask again, when this governor stops (its singleton moves) or
   * restarts: its queue goes with it, and an asker left waiting would wait out its whole ask.
   */
  private Behavior<Command> dismissWaiting() {
    for (LeaseQueue.Waiting waiting : waitingForSlot.inOrder()) {
      waitingForSlot.remove(waiting.leaseId());
      waiting.request().replyTo().tell(new LeaseDenied(Duration.ZERO, "the governor is stopping: ask again"));
    }
    return this;
  }

  private Behavior<Command> onRelease(ReleaseLease release) {
    long now = System.nanoTime();
    if (waitingForSlot.remove(release.leaseId())) {
      // Its asker gave up waiting and handed the lease back before it was granted.
      return this;
    }
    if (slots.release(release.leaseId(), release.connectionClosed(), now) >= 0) {
      double millis = Math.max(0, release.queryMicros()) / 1000.0;
      // At most a second's worth of debt: one query that ran into its timeout must not lock every
      // job out for minutes.
      queryMillis.take(Math.min(millis, Math.max(1, queryMillis.rate())), now);
      pageSizer.observe(release.rows(), millis);
      if (release.queryMicros() > 0) {
        // A lease handed back unused (its asker gave up, or stopped) ran nothing on the primary.
        lastEngineActivityNanos = now;
      }
      serveWaiting(now);
    }
    return this;
  }

  private Behavior<Command> onGetView(GetView request) {
    request.replyTo().tell(view());
    return this;
  }

  private Behavior<Command> onSettingsRequest(Command request) {
    if (pending.size() >= MAX_PENDING) {
      reply(request, new SettingsUnavailable("too many changes are waiting for the journal; nothing changed, retry"));
    } else if (settingsId != null && request instanceof ClearOverrides clear && !storeReady && saving == null) {
      clearWithoutReading(clear);
    } else if (settingsId != null && store == null) {
      reply(request, new SettingsUnavailable(journalUnavailable()));
    } else {
      pending.add(new Pending(request, System.nanoTime() + SAVE_TIMEOUT.toNanos()));
      nextSettingsRequest();
    }
    return this;
  }

  /** Takes the waiting changes in turn, each judged on the settings in force once the one before is. */
  private void nextSettingsRequest() {
    while (saving == null && (settingsId == null || storeReady) && !pending.isEmpty()) {
      Pending next = pending.poll();
      if (next.request() instanceof Update update) {
        startUpdate(update, next);
      } else if (next.request() instanceof ClearOverrides clear) {
        startClear(clear, next);
      }
    }
  }

  /**
   * Accepts a change whole, or refuses it whole when a value is out of range or the thresholds
   * would be out of order. The API checks every value first; this is for one that gets past it:
   * thrown here, it would restart the governor, which would lose every job's share, and do so
   * again at the next bad message. Values in range cannot make the policy, the buckets or the fair
   * share throw. A refused change is not written anywhere.
   */
  private void startUpdate(Update update, Pending request) {
    GovernorBudget budgetInForce = policy.budget();
    HealthThresholds thresholdsInForce = policy.thresholds();
    Map<String, Double> inForce = RuntimeLimits.fieldValues(budgetInForce, thresholdsInForce);
    Map<String, Double> asked =
        RuntimeLimits.fieldValues(
            update.budget() == null ? budgetInForce : update.budget(),
            update.thresholds() == null ? thresholdsInForce : update.thresholds());
    Map<String, Double> changes = new LinkedHashMap<>();
    asked.forEach(
        (field, value) -> {
          boolean named =
              update.fields() == null
                  ? Double.compare(value, inForce.get(field)) != 0
                  : update.fields().contains(field);
          if (named) {
            changes.put(field, value);
          }
        });
    Map<String, Double> next = new LinkedHashMap<>(inForce);
    next.putAll(changes);
    GovernorBudget budget;
    HealthThresholds thresholds;
    try {
      budget = RuntimeLimits.budget(next);
      thresholds = RuntimeLimits.thresholds(next);
    } catch (IllegalArgumentException outOfOrder) {
      refuse(update, outOfOrder.getMessage());
      return;
    }
    Map<String, String> refused = new LinkedHashMap<>(RuntimeLimits.refusedChanges(budgetInForce, budget));
    refused.putAll(RuntimeLimits.refusedChanges(thresholdsInForce, thresholds));
    if (!refused.isEmpty()) {
      refuse(
          update,
          refused.entrySet().stream()
              .map(entry -> entry.getKey() + " " + entry.getValue())
              .collect(Collectors.joining("; ")));
      return;
    }
    if (changes.isEmpty()) {
      update.replyTo().tell(new SettingsApplied(view()));
      return;
    }
    Instant at = Instant.now();
    if (settingsId == null) {
      applyOverrides(overrides.with(new OverridesChanged(changes, at, update.by())), update.by());
      update.replyTo().tell(new SettingsApplied(view()));
      return;
    }
    saving = request;
    store.tell(new GovernorSettingsStore.Change(changes, at, update.by(), storeReports));
  }

  private void startClear(ClearOverrides clear, Pending request) {
    if (overrides.fields().isEmpty()) {
      clear.replyTo().tell(new SettingsApplied(view()));
    } else if (settingsId == null) {
      applyOverrides(GovernorOverrides.NONE, clear.by());
      clear.replyTo().tell(new SettingsApplied(view()));
    } else {
      saving = request;
      store.tell(new GovernorSettingsStore.Clear(Instant.now(), clear.by(), storeReports));
    }
  }

  private void refuse(Update update, String reason) {
    getContext().getLog().warn("governor update refused, nothing changed: {}", reason);
    update.replyTo().tell(new SettingsRefused(reason));
  }

  private static void reply(Command request, SettingsReply reply) {
    if (request instanceof Update update) {
      update.replyTo().tell(reply);
    } else if (request instanceof ClearOverrides clear) {
      clear.replyTo().tell(reply);
    }
  }

  private Behavior<Command> onStoreReported(StoreReported reported) {
    GovernorSettingsStore.Report report = reported.report();
    if (store == null || report.generation() != storeGeneration) {
      // From a store given up on (it failed, or did not answer in time), whose end may even have
      // come first (a child's failure is a system message): the next store reads the journal anew,
      // and the governor follows that.
      return this;
    }
    if (report instanceof GovernorSettingsStore.Recovered recovered) {
      storeReady = true;
      settingsKnown(recovered.overrides(), "read from the journal");
    } else if (report instanceof GovernorSettingsStore.ClearedWithoutReading) {
      storeReady = true;
      settingsKnown(GovernorOverrides.NONE, "cleared without reading the journal");
      answerSaving();
    } else if (report instanceof GovernorSettingsStore.SnapshotAfterClearFailed failed) {
      // The clear is the journal's last word, so no runtime change holds; but what lies before it
      // may still stop a reading. A new store reads it again, and the view shows if it cannot.
      settingsKnown(GovernorOverrides.NONE, "cleared without reading the journal");
      Pending clear = saving;
      saving = null;
      storeFailed(
          "the clear is in the journal, but not the snapshot after it (" + failed.reason() + "), so what the"
              + " journal holds before the clear may still not read");
      if (clear != null) {
        reply(clear.request(), new SettingsApplied(view()));
      }
    } else if (report instanceof GovernorSettingsStore.Saved saved) {
      applyOverrides(saved.overrides(), "a change");
      answerSaving();
    }
    nextSettingsRequest();
    return this;
  }

  /** What the journal holds is known: in force from now on, and leases need not wait for it. */
  private void settingsKnown(GovernorOverrides known, String how) {
    boolean first = !settingsRead;
    boolean leasedMeanwhile = leasingUnread;
    settingsRead = true;
    storeProblem = null;
    storeRestartDelay = STORE_RESTART_FIRST;
    applyOverrides(known, "the journal");
    if (first) {
      // The previous governor may have leased more slots than the configuration has, if its
      // budget was raised at run time: none of those goes out before the handover either.
      slots.assumeHeldElsewhere(policy.budget().maxConcurrentQueries(), System.nanoTime());
      getContext()
          .getLog()
          .info(
              "governor settings {}{}: {}",
              how,
              leasedMeanwhile ? " after leases went out on the configuration" : "",
              describeOverrides());
    }
  }

  /** The change the store was writing is in the journal and in force. */
  private void answerSaving() {
    if (saving != null) {
      reply(saving.request(), new SettingsApplied(view()));
      saving = null;
    }
  }

  /** The store ended by itself: the journal failed it. One stopped on purpose was forgotten before. */
  private Behavior<Command> onStoreStopped(Terminated stopped) {
    if (!stopped.getRef().equals(store)) {
      return this;
    }
    storeFailed(stopped instanceof ChildFailed failed ? String.valueOf(failed.getCause().getMessage()) : "it stopped");
    return this;
  }

  private Behavior<Command> onStartStore() {
    if (store == null) {
      startReading();
    }
    return this;
  }

  private void startReading() {
    readAttempts++;
    int generation = ++storeGeneration;
    watchStore(GovernorSettingsStore.create(settingsId, storeReports, generation), generation);
  }

  private void watchStore(Behavior<GovernorSettingsStore.Command> behavior, int generation) {
    store = getContext().spawn(behavior, "settings-" + generation);
    getContext().watch(store);
    storeReady = false;
  }

  /**
   * Stops the running store, if any, and forgets it at once, so that no change is sent to it while
   * it dies; its late reports and its end are ignored ({@link #onStoreReported}, {@link
   * #onStoreStopped}).
   */
  private void stopStore() {
    if (store != null) {
      getContext().stop(store);
    }
    store = null;
    storeReady = false;
  }

  /**
   * The store failed, or is given up on: answers whoever waits for it (nothing changed) and starts
   * a new one, which reads the journal again, after a backoff.
   */
  private void storeFailed(String cause) {
    stopStore();
    storeProblem =
        "the journal of the governor's settings failed at "
            + Instant.now()
            + ": "
            + cause
            + "; reading it again in "
            + storeRestartDelay.toMillis()
            + " ms";
    getContext().getLog().warn("{}", storeProblem);
    if (saving != null) {
      reply(saving.request(), new SettingsUnavailable(journalUnavailable()));
      saving = null;
    }
    while (!pending.isEmpty()) {
      reply(pending.poll().request(), new SettingsUnavailable(journalUnavailable()));
    }
    timers.startSingleTimer(StartStore.INSTANCE, storeRestartDelay);
    storeRestartDelay =
        storeRestartDelay.multipliedBy(2).compareTo(STORE_RESTART_LONGEST) > 0
            ? STORE_RESTART_LONGEST
            : storeRestartDelay.multipliedBy(2);
  }

  /**
   * Drops every runtime change without reading the journal: the way out when it cannot be read
   * (an event or snapshot that no longer reads), and harmless when it simply has not been yet. The
   * store reading it is stopped; the changes waiting for it were asked before the clear and would
   * land after it, so they are answered as not made.
   */
  private void clearWithoutReading(ClearOverrides clear) {
    while (!pending.isEmpty()) {
      reply(
          pending.poll().request(),
          new SettingsUnavailable(
              "the runtime changes were cleared (" + clear.by() + ") before the journal could take this"
                  + " change; nothing was changed, retry"));
    }
    stopStore();
    timers.cancel(StartStore.INSTANCE);
    int generation = ++storeGeneration;
    watchStore(GovernorSettingsStore.clearing(settingsId, storeReports, generation), generation);
    getContext().getLog().warn("clearing the governor's runtime changes without reading the journal ({})", clear.by());
    saving = new Pending(clear, System.nanoTime() + SAVE_TIMEOUT.toNanos());
    store.tell(new GovernorSettingsStore.Clear(Instant.now(), clear.by(), storeReports));
  }

  private String journalUnavailable() {
    return "the governor's settings journal is unavailable, so nothing was changed; retry once it is back"
        + (storeProblem == null ? "" : " (" + storeProblem + ")");
  }

  /** Answers the changes that waited too long for the journal; one it is writing gives the store up. */
  private void expireSettingsRequests(long now) {
    if (saving != null && now - saving.deadlineNanos() > 0) {
      reply(
          saving.request(),
          new SettingsUnavailable(
              "the governor's settings journal did not confirm the change within "
                  + SAVE_TIMEOUT.toSeconds()
                  + " s, so it is not in force; should the journal have stored it after all, it"
                  + " comes into force when the governor reads the journal again (GET /governor shows it)"));
      saving = null;
      // A new store reads what the journal really holds, and the governor follows that.
      storeFailed("it did not confirm a change within " + SAVE_TIMEOUT.toSeconds() + " s");
    }
    while (!pending.isEmpty() && now - pending.peek().deadlineNanos() > 0) {
      reply(
          pending.poll().request(),
          new SettingsUnavailable(
              "the governor has not read its settings journal within "
                  + SAVE_TIMEOUT.toSeconds()
                  + " s, so nothing was changed; retry"
                  + (storeProblem == null ? "" : " (" + storeProblem + ")")));
    }
  }

  /**
   * Leases wait for the runtime changes in the journal: they are not known yet, and the wait for
   * them ({@code settings-read-timeout}) is not over.
   */
  private boolean awaitingSettings(long nowNanos) {
    return !settingsRead && nowNanos - readingSinceNanos < settings.settingsReadTimeout().toNanos();
  }

  private String readingSettings() {
    return "reading the runtime changes to the budget and thresholds from the journal since "
        + readingSince
        + " (attempt "
        + readAttempts
        + ")";
  }

  private String storeProblemSuffix() {
    return storeProblem == null ? "" : ": " + storeProblem;
  }

  /** Why no lease goes out while the runtime changes are awaited. */
  private String awaitingSettingsReason() {
    return "no lease: the governor is "
        + readingSettings()
        + ", and waits for them at most "
        + describe(settings.settingsReadTimeout())
        + storeProblemSuffix();
  }

  /** Leases go out although the runtime changes could not be read. */
  private String unreadSettingsNote() {
    return "on the configured budget and thresholds: the runtime changes in the journal could not be read within "
        + describe(settings.settingsReadTimeout())
        + " and come into force once read; still "
        + readingSettings();
  }

  private static String describe(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
  }

  /** Puts the configuration with these overrides in force. */
  private void applyOverrides(GovernorOverrides next, String from) {
    overrides = next;
    GovernorOverrides.InForce inForce = next.over(settings.budget(), settings.thresholds());
    if (!inForce.notApplied().isEmpty() && !inForce.notApplied().equals(overridesNotApplied)) {
      getContext().getLog().warn("governor overrides not applied, the configuration holds for them: {}", inForce.notApplied());
    }
    overridesNotApplied = inForce.notApplied();
    if (inForce.budget().equals(policy.budget()) && inForce.thresholds().equals(policy.thresholds())) {
      return;
    }
    long now = System.nanoTime();
    policy.updateBudget(inForce.budget());
    policy.updateThresholds(inForce.thresholds());
    queryMillis.setRate(policy.current().queryMillisPerSecond(), now);
    reshare(now);
    getContext().getLog().info("governor settings from {} in force: {}; {}", from, describeOverrides(), policy.current().reason());
  }

  private String describeOverrides() {
    if (overrides.fields().isEmpty()) {
      return "the configuration";
    }
    return "the configuration with "
        + overrides.fields().entrySet().stream()
            .map(field -> field.getKey() + " = " + NumberRange.format(field.getValue().value()))
            .sorted()
            .collect(Collectors.joining(", "));
  }

  private Behavior<Command> onTick() {
    long now = System.nanoTime();
    expireSettingsRequests(now);
    if (!settingsRead && !leasingUnread && !awaitingSettings(now)) {
      leasingUnread = true;
      getContext().getLog().warn("governor leases go out {}{}", unreadSettingsNote(), storeProblemSuffix());
    }
    for (QuerySlots.Expired lease : slots.expire(now)) {
      expired++;
      getContext().getLog().warn("lease of job {} on slot {} expired: its holder is gone", lease.jobId(), lease.slot());
    }
    jobs.forgetIdle(settings.jobIdleAfter(), Instant.now());
    // Also answers, within a tick, the requests whose time to wait is up.
    serveWaiting(now);
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
    if (sharedBaseline != null) {
      sharedBaseline.offer(livePath.baseline(), livePath.learnedIdle(), now);
    }
    return this;
  }

  private Behavior<Command> onBaselineWritten(BaselineWritten written) {
    if (written.problem() != null) {
      getContext().getLog().warn("{}", written.problem());
    }
    return this;
  }

  private Behavior<Command> onBaselineFound(BaselineFound found) {
    var shared = found.snapshot();
    if (shared == null) {
      getContext().getLog().info("no live-path baseline shared by an earlier governor: this one learns its own");
      return this;
    }
    long now = System.nanoTime();
    long ageNanos = Math.max(0, Duration.between(shared.learnedAt(), Instant.now()).toNanos());
    var baseline = new LivePathMonitor.Baseline(shared.medianMs(), shared.tailMs(), shared.probes(), now - ageNanos);
    if (livePath.inherit(baseline, shared.learnedIdle())) {
      sharedBaseline.adopt(baseline, now);
      inheritedBaseline = baseline;
      inheritedFrom = shared.learnedBy();
      getContext()
          .getLog()
          .info(
              "live-path baseline taken over from the governor on {}, learned {} s ago: median {} ms, tail {} ms",
              shared.learnedBy(),
              ageNanos / 1_000_000_000,
              String.format("%.3f", shared.medianMs()),
              String.format("%.3f", shared.tailMs()));
    }
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
        new HealthSample(Instant.now(), latencyMs, load.activeBackends(), load.replicationLagMs(), liveRatio(estimate));
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
    // The concurrency may have grown.
    serveWaiting(now);
    return this;
  }

  private Double liveRatio(LivePathMonitor.Estimate estimate) {
    var thresholds = policy.thresholds();
    return estimate.judgedRatio(thresholds.liveRatioWarn(), thresholds.liveRatioCritical());
  }

  /** Splits the current row rate among the jobs that asked lately, by weight and cap. */
  private void reshare(long nowNanos) {
    jobs.reshare(policy.current().rowsPerSecond(), nowNanos);
  }

  private String baselineFrom(LivePathMonitor.Baseline baseline) {
    if (baseline == null) {
      return null;
    }
    return baseline == inheritedBaseline
        ? "the governor before this one, on " + inheritedFrom
        : "this governor's probes, on " + getContext().getSystem().address();
  }

  private GovernorView view() {
    long now = System.nanoTime();
    var decision = policy.current();
    // What leases see: none go out while the runtime changes are awaited, whatever the policy says.
    boolean awaiting = awaitingSettings(now);
    String reason = decision.reason();
    if (awaiting) {
      reason = awaitingSettingsReason();
    } else if (!settingsRead) {
      reason = reason + "; " + unreadSettingsNote();
    }
    List<GovernorView.JobShare> shares = jobs.shares();
    var baseline = livePath.baseline();
    var estimate = livePath.estimate(now);
    var live =
        new GovernorView.LivePath(
            baseline == null ? null : baseline.medianMs(),
            baseline == null ? null : baseline.tailMs(),
            baseline == null ? null : baseline.probes(),
            settings.livePath().tailPercentile(),
            baseline == null ? null : (now - baseline.learnedAtNanos()) / 1_000_000_000.0,
            estimate.recentMedianMs(),
            estimate.recentTailMs(),
            estimate.untouchedTailMs(),
            livePath.meanWaitMs(now),
            estimate.ratio(),
            livePath.inQuietMoment(),
            Double.isNaN(latestRoundTripMs) ? null : latestRoundTripMs,
            baselineFrom(baseline),
            inheritedFrom);
    double millisPerRow = pageSizer.millisPerRow();
    var pages =
        new GovernorView.Pages(
            pageSizer.targetMillis(), Double.isNaN(millisPerRow) ? null : millisPerRow, pageSizer.rows(Integer.MAX_VALUE));
    return new GovernorView(
        policy.budget(),
        policy.thresholds(),
        settingsView(now),
        awaiting ? GovernorMode.PAUSED.name() : decision.mode().name(),
        awaiting || decision.paused(),
        reason,
        awaiting ? 0 : decision.rowsPerSecond(),
        awaiting ? 0 : decision.queryMillisPerSecond(),
        awaiting ? 0 : decision.concurrency(),
        decision.signals(),
        sampledAt,
        live,
        pages,
        slots.busy(),
        waitingForSlot.size(),
        shares,
        granted,
        denied,
        expired,
        slots.handovers(),
        slots.closedHandovers());
  }

  private GovernorView.Settings settingsView(long now) {
    Map<String, Double> configured = RuntimeLimits.fieldValues(settings.budget(), settings.thresholds());
    List<GovernorView.FieldOverride> fields = new ArrayList<>();
    for (String field : overrides.ordered(configured)) {
      GovernorOverrides.FieldOverride override = overrides.fields().get(field);
      fields.add(
          new GovernorView.FieldOverride(
              field,
              override.value(),
              configured.get(field),
              !overridesNotApplied.containsKey(field),
              override.changedAt(),
              override.by()));
    }
    GovernorView.SettingsSource source;
    if (!settingsRead) {
      source =
          awaitingSettings(now)
              ? GovernorView.SettingsSource.READING_JOURNAL
              : GovernorView.SettingsSource.CONFIGURATION_UNTIL_READ;
    } else if (fields.stream().anyMatch(GovernorView.FieldOverride::applied)) {
      source = GovernorView.SettingsSource.OVERRIDES;
    } else {
      source = GovernorView.SettingsSource.CONFIGURATION;
    }
    List<String> problems = new ArrayList<>();
    overridesNotApplied.forEach((field, why) -> problems.add(field + " not applied: " + why));
    if (source == GovernorView.SettingsSource.CONFIGURATION_UNTIL_READ) {
      problems.add(
          "the runtime changes in the journal could not be read within "
              + describe(settings.settingsReadTimeout())
              + ", so leases go out on the configured budget and thresholds; still "
              + readingSettings()
              + "; DELETE /governor/overrides drops them without reading the journal");
    }
    if (storeProblem != null) {
      problems.add(storeProblem);
    }
    if (settingsId == null) {
      problems.add("this governor has no journal: its runtime changes are lost when it stops");
    }
    return new GovernorView.Settings(source, fields, problems.isEmpty() ? null : String.join("; ", problems));
  }
}
