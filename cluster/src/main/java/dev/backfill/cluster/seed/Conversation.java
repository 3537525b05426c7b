package dev.backfill.cluster.seed;

import dev.backfill.cluster.seed.SalesTalk.Phase;
import dev.backfill.protocol.call.SpeakerRole;
import java.util.SplittableRandom;

/**
 * Turn-taking on one synthetic call: who has the floor, for how long, and who speaks next after
 * what pause. Mostly the sides alternate; sometimes the same person goes on, a colleague takes
 * over, the other side only acknowledges, or someone holds a 40-120 s monologue (a pitch, a demo,
 * a customer describing their setup). Turn lengths are steered so the reps talk 55-70% of the
 * time, a share drawn per call.
 */
final class Conversation {

  private static final long MIN_PAUSE_MS = 200;
  private static final long MAX_PAUSE_MS = 3_000;
  /** A monologue's pieces follow each other quickly: it is one person holding the floor. */
  private static final long MAX_MONOLOGUE_PAUSE_MS = 900;
  private static final long MIN_TURN_MS = 2_500;
  private static final long MAX_TURN_MS = 35_000;
  private static final long MIN_ACKNOWLEDGEMENT_MS = 600;
  private static final long MIN_MONOLOGUE_MS = 40_000;
  private static final long MAX_MONOLOGUE_MS = 120_000;
  private static final long MIN_MONOLOGUE_PIECE_MS = 10_000;
  private static final long MAX_MONOLOGUE_PIECE_MS = 25_000;

  /**
   * Average length of one rep turn plus one customer turn. Each side's turns get the part of it
   * that matches the call's rep share, so plain back-and-forth already lands near that share. Its
   * size sets how many utterances a call has: about one every 12 s with the pauses.
   */
  private static final long EXCHANGE_MS = 25_000;

  private static final double MIN_REP_SHARE = 0.55;
  private static final double MAX_REP_SHARE = 0.70;
  /** Before this much speech the measured rep share is too noisy to correct for. */
  private static final long SHARE_SETTLES_MS = 60_000;
  private static final double MAX_CORRECTION = 2.0;

  // What happens after a turn. Everything not covered hands the floor to the other side.
  private static final double MONOLOGUE_CHANCE = 0.015;
  private static final double CONTINUE_CHANCE = 0.12;
  private static final double COLLEAGUE_CHANCE = 0.06;
  /** Of the turns that go to the other side, how many are only a quick "Got it." */
  private static final double ACKNOWLEDGEMENT_CHANCE = 0.10;
  /** Monologues are mostly the rep pitching or demoing. */
  private static final double REP_MONOLOGUE_CHANCE = 0.75;

  /** Near the end people wrap up, but only in calls long enough to have had a conversation. */
  private static final long CLOSING_WINDOW_MS = 45_000;
  private static final long MIN_CALL_WITH_CLOSING_MS = 180_000;
  private static final long OPENING_WINDOW_MS = 30_000;

  private final SplittableRandom random;
  private final Cast cast;
  private final double repTarget;

  // The rep opens the call.
  private SpeakerRole role = SpeakerRole.REP;
  private String speaker;
  private long repMs;
  private long spokenMs;
  private long monologueLeftMs;
  private boolean inMonologue;
  private boolean acknowledgement;
  private boolean repGreeted;
  private boolean customerGreeted;
  private boolean repClosed;
  private boolean customerClosed;

  Conversation(SplittableRandom random, Cast cast) {
    this.random = random;
    this.cast = cast;
    this.repTarget = MIN_REP_SHARE + (MAX_REP_SHARE - MIN_REP_SHARE) * random.nextDouble();
    this.speaker = cast.lead(SpeakerRole.REP);
  }

  SpeakerRole role() {
    return role;
  }

  String speaker() {
    return speaker;
  }

  /** The silence before the first words: people settle in after joining. */
  long firstPause() {
    return pause(MAX_PAUSE_MS);
  }

  /** How long the current speaker's next utterance lasts, if the call does not end first. */
  long turnLength() {
    if (monologueLeftMs > 0) {
      long piece =
          Math.min(monologueLeftMs, between(MIN_MONOLOGUE_PIECE_MS, MAX_MONOLOGUE_PIECE_MS));
      monologueLeftMs -= piece;
      return piece;
    }
    if (acknowledgement) {
      return between(MIN_ACKNOWLEDGEMENT_MS, SalesTalk.ACKNOWLEDGEMENT_MAX_MS);
    }
    return ordinaryTurnLength();
  }

  /** Where an utterance starting at {@code startMs} falls: each side greets and wraps up once. */
  Phase phase(long startMs, long callMs) {
    boolean rep = role == SpeakerRole.REP;
    Phase phase = Phase.DISCUSSION;
    if (startMs < OPENING_WINDOW_MS && !(rep ? repGreeted : customerGreeted)) {
      phase = Phase.OPENING;
    } else if (callMs >= MIN_CALL_WITH_CLOSING_MS
        && callMs - startMs <= CLOSING_WINDOW_MS
        && !(rep ? repClosed : customerClosed)) {
      phase = Phase.CLOSING;
    }
    if (rep) {
      repGreeted = true;
      repClosed |= phase == Phase.CLOSING;
    } else {
      customerGreeted = true;
      customerClosed |= phase == Phase.CLOSING;
    }
    return phase;
  }

  /**
   * Records that the current speaker spoke for {@code durationMs}, gives the floor to whoever
   * speaks next and returns the pause before they start.
   */
  long handOver(long durationMs) {
    spokenMs += durationMs;
    if (role == SpeakerRole.REP) {
      repMs += durationMs;
    }
    if (monologueLeftMs > 0) {
      return pause(MAX_MONOLOGUE_PAUSE_MS);
    }
    acknowledgement = false;
    // After a monologue someone else speaks, so monologues keep the length they were given.
    double roll = inMonologue ? 1 : random.nextDouble();
    inMonologue = false;
    if (roll < MONOLOGUE_CHANCE) {
      role = random.nextDouble() < REP_MONOLOGUE_CHANCE ? SpeakerRole.REP : SpeakerRole.CUSTOMER;
      speaker = cast.pick(random, role);
      monologueLeftMs = between(MIN_MONOLOGUE_MS, MAX_MONOLOGUE_MS);
      inMonologue = true;
    } else if (roll < MONOLOGUE_CHANCE + CONTINUE_CHANCE) {
      // The same person goes on after a breath: nothing changes.
    } else if (roll < MONOLOGUE_CHANCE + CONTINUE_CHANCE + COLLEAGUE_CHANCE
        && cast.size(role) > 1) {
      speaker = cast.colleagueOf(random, role, speaker);
    } else {
      role = role == SpeakerRole.REP ? SpeakerRole.CUSTOMER : SpeakerRole.REP;
      speaker = cast.pick(random, role);
      acknowledgement = random.nextDouble() < ACKNOWLEDGEMENT_CHANCE;
    }
    return pause(MAX_PAUSE_MS);
  }

  /**
   * Exponentially distributed above a minimum, so most turns are short and a few run long, with
   * the mean nudged towards the call's rep share whenever the conversation so far has drifted.
   */
  private long ordinaryTurnLength() {
    boolean rep = role == SpeakerRole.REP;
    double share = rep ? repTarget : 1 - repTarget;
    double correction = 1;
    if (spokenMs >= SHARE_SETTLES_MS) {
      double repSoFar = (double) repMs / spokenMs;
      double soFar = rep ? repSoFar : 1 - repSoFar;
      correction =
          Math.max(1 / MAX_CORRECTION, Math.min(MAX_CORRECTION, share / Math.max(soFar, 0.01)));
    }
    double mean = EXCHANGE_MS * share * correction;
    double exponential = -Math.log(1 - random.nextDouble());
    long length = MIN_TURN_MS + (long) ((mean - MIN_TURN_MS) * exponential);
    return Math.min(length, MAX_TURN_MS);
  }

  /** Short pauses are much more likely than long ones. */
  private long pause(long maxMs) {
    double u = random.nextDouble();
    return MIN_PAUSE_MS + (long) ((maxMs - MIN_PAUSE_MS) * u * u);
  }

  private long between(long min, long max) {
    return min + random.nextLong(max - min + 1);
  }
}
