package dev.backfill.cluster.seed;

import dev.backfill.cluster.seed.SalesTalk.Phase;
import dev.backfill.protocol.call.Transcript;
import dev.backfill.protocol.call.Utterance;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes the transcript of a synthetic sales call: one or two reps and one to three customers
 * taking turns for the whole length of the call ({@link Conversation}), saying sales-call
 * sentences ({@link SalesTalk}). Utterances never overlap: each starts 0.2-3 s after the previous
 * one ends, and the last ends within a few seconds of the end of the call.
 *
 * <p>Deterministic: every random choice comes from the caller's {@link SplittableRandom}, so the
 * same random state always gives the same transcript. The generator itself holds no state and may
 * be shared between threads.
 */
public final class TranscriptGenerator {

  /** With less than this left of the call, nobody starts talking again. */
  private static final long MIN_UTTERANCE_MS = 800;

  /** Roughly one utterance per 12 s; a little more room saves growing the list. */
  private static final long MS_PER_EXPECTED_UTTERANCE = 10_000;

  private final SalesTalk talk = new SalesTalk();

  public TranscriptGenerator() {}

  /** A transcript filling a call of {@code durationSeconds} (an empty one for a 0-second call). */
  public Transcript generate(SplittableRandom random, int durationSeconds) {
    if (durationSeconds < 0) {
      throw new IllegalArgumentException(
          "durationSeconds must not be negative: " + durationSeconds);
    }
    long callMs = durationSeconds * 1_000L;
    Conversation conversation = new Conversation(random, Cast.draw(random));
    List<Utterance> utterances = new ArrayList<>((int) (callMs / MS_PER_EXPECTED_UTTERANCE) + 4);
    StringBuilder text = new StringBuilder(256);
    long start = conversation.firstPause();
    while (callMs - start >= MIN_UTTERANCE_MS) {
      // The call may end mid-sentence: the last utterance is cut at the end of the call.
      long end = Math.min(start + conversation.turnLength(), callMs);
      Phase phase = conversation.phase(start, callMs);
      text.setLength(0);
      talk.say(random, conversation.role(), phase, end - start, text);
      utterances.add(
          new Utterance(conversation.speaker(), conversation.role(), start, end, text.toString()));
      start = end + conversation.handOver(end - start);
    }
    return new Transcript(utterances);
  }
}
