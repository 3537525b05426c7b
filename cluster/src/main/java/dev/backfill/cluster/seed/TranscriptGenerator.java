package dev.backfill.cluster.seed;

import dev.backfill.cluster.seed.SalesTalk.Phase;
import dev.backfill.protocol.call.SpeakerRole;
import dev.backfill.protocol.call.Transcript;
import dev.backfill.protocol.call.Utterance;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes the transcript of a synthetic sales call: one or two reps and one to three customers
 * taking turns for the whole length of the call, the reps talking 55-70% of the time, with the
 * occasional monologue (a pitch, a demo, a customer describing their setup) and quick
 * acknowledgements. Utterances never overlap: each starts 0.2-3 s after the previous one ends.
 *
 * <p>Deterministic: every random choice comes from the caller's {@link SplittableRandom}, so the
 * same random state always gives the same transcript. The generator itself holds no state and may
 * be shared between threads.
 */
public final class TranscriptGenerator {

  private static final long MIN_PAUSE_MS = 200;
  private static final long MAX_PAUSE_MS = 3_000;
  /** A monologue's pieces follow each other quickly: it is one person holding the floor. */
  private static final long MAX_MONOLOGUE_PAUSE_MS = 900;
  /** With less than this left of the call, nobody starts talking again. */
  private static final long MIN_UTTERANCE_MS = 800;
  private static final long MIN_TURN_MS = 2_500;
  private static final long MAX_TURN_MS = 35_000;
  private static final long MIN_ACKNOWLEDGEMENT_MS = 600;
  private static final long MIN_MONOLOGUE_MS = 40_000;
  private static final long MAX_MONOLOGUE_MS = 120_000;
  private static final long MIN_MONOLOGUE_PIECE_MS = 10_000;
  private static final long MAX_MONOLOGUE_PIECE_MS = 25_000;

  /**
   * Average length of one rep turn plus one customer turn. Each side's turns get the part of it
   * that matches the call's rep share, so plain back-and-forth already lands near that share.
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

  private final SalesTalk talk = new SalesTalk();

  public TranscriptGenerator() {}

  /** A transcript filling a call of {@code durationSeconds} (an empty one for a 0-second call). */
  public Transcript generate(SplittableRandom random, int durationSeconds) {
    if (durationSeconds < 0) {
      throw new IllegalArgumentException("durationSeconds must not be negative: " + durationSeconds);
    }
    long callMs = durationSeconds * 1_000L;
    Cast cast = Cast.draw(random);
    double repTarget = MIN_REP_SHARE + (MAX_REP_SHARE - MIN_REP_SHARE) * random.nextDouble();
    List<Utterance> utterances = new ArrayList<>((int) (callMs / 8_000) + 4);
    StringBuilder text = new StringBuilder(256);

    SpeakerRole role = SpeakerRole.REP;
    String speaker = cast.lead(SpeakerRole.REP);
    long start = pause(random, MAX_PAUSE_MS);
    long repMs = 0;
    long spokenMs = 0;
    long monologueLeftMs = 0;
    boolean inMonologue = false;
    boolean acknowledgement = false;
    boolean repGreeted = false;
    boolean customerGreeted = false;
    boolean repClosed = false;
    boolean customerClosed = false;

    while (callMs - start >= MIN_UTTERANCE_MS) {
      long length;
      if (monologueLeftMs > 0) {
        length = Math.min(monologueLeftMs, between(random, MIN_MONOLOGUE_PIECE_MS, MAX_MONOLOGUE_PIECE_MS));
        monologueLeftMs -= length;
      } else if (acknowledgement) {
        length = between(random, MIN_ACKNOWLEDGEMENT_MS, SalesTalk.ACKNOWLEDGEMENT_MAX_MS);
      } else {
        length = turnLength(random, role == SpeakerRole.REP, repTarget, repMs, spokenMs);
      }
      long end = Math.min(start + length, callMs);
      boolean rep = role == SpeakerRole.REP;

      // Each side greets once at the start and wraps up once at the end.
      Phase phase = Phase.DISCUSSION;
      if (start < OPENING_WINDOW_MS && !(rep ? repGreeted : customerGreeted)) {
        phase = Phase.OPENING;
      } else if (callMs >= MIN_CALL_WITH_CLOSING_MS
          && callMs - start <= CLOSING_WINDOW_MS
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

      text.setLength(0);
      talk.say(random, role, phase, end - start, text);
      utterances.add(new Utterance(speaker, role, start, end, text.toString()));
      spokenMs += end - start;
      if (rep) {
        repMs += end - start;
      }

      if (monologueLeftMs > 0) {
        start = end + pause(random, MAX_MONOLOGUE_PAUSE_MS);
        continue;
      }
      acknowledgement = false;
      // After a monologue someone else speaks, so monologues keep the length they were given.
      double roll = inMonologue ? 1 : random.nextDouble();
      inMonologue = false;
      if (roll < MONOLOGUE_CHANCE) {
        role = random.nextDouble() < REP_MONOLOGUE_CHANCE ? SpeakerRole.REP : SpeakerRole.CUSTOMER;
        speaker = cast.pick(random, role);
        monologueLeftMs = between(random, MIN_MONOLOGUE_MS, MAX_MONOLOGUE_MS);
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
      start = end + pause(random, MAX_PAUSE_MS);
    }
    return new Transcript(utterances);
  }

  /**
   * One ordinary turn: exponentially distributed above a minimum, so most turns are short and a
   * few run long, with the mean nudged towards the call's rep share whenever the conversation so
   * far has drifted from it.
   */
  private static long turnLength(
      SplittableRandom random, boolean rep, double repTarget, long repMs, long spokenMs) {
    double share = rep ? repTarget : 1 - repTarget;
    double correction = 1;
    if (spokenMs >= SHARE_SETTLES_MS) {
      double repSoFar = (double) repMs / spokenMs;
      double soFar = rep ? repSoFar : 1 - repSoFar;
      correction = Math.max(1 / MAX_CORRECTION, Math.min(MAX_CORRECTION, share / Math.max(soFar, 0.01)));
    }
    double mean = EXCHANGE_MS * share * correction;
    double exponential = -Math.log(1 - random.nextDouble());
    long length = MIN_TURN_MS + (long) ((mean - MIN_TURN_MS) * exponential);
    return Math.min(length, MAX_TURN_MS);
  }

  /** A pause between utterances, short ones much more likely than long ones. */
  private static long pause(SplittableRandom random, long maxMs) {
    double u = random.nextDouble();
    return MIN_PAUSE_MS + (long) ((maxMs - MIN_PAUSE_MS) * u * u);
  }

  private static long between(SplittableRandom random, long min, long max) {
    return min + random.nextLong(max - min + 1);
  }
}
