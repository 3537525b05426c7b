package dev.backfill.engine.processor;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.SpeakerRole;
import dev.backfill.protocol.call.Utterance;
import java.util.List;
import java.util.Map;

/**
 * The longest stretch one person held the floor. A monologue is a maximal run of consecutive
 * utterances by the same speaker, measured from the start of its first utterance to the end of its
 * last, so the speaker's own pauses inside the run count towards it.
 */
public final class LongestMonologueProcessor implements Processor {

  /** The longest monologue overall (who and which side), and the longest per side. */
  public record Result(
      @JsonProperty("longest_ms") long longestMs,
      @JsonProperty("speaker") String speaker,
      @JsonProperty("role") SpeakerRole role,
      @JsonProperty("longest_rep_ms") long longestRepMs,
      @JsonProperty("longest_customer_ms") long longestCustomerMs) {}

  public LongestMonologueProcessor() {}

  @Override
  public String id() {
    return "longest-monologue";
  }

  @Override
  public int version() {
    return 1;
  }

  @Override
  public String description() {
    return "Longest run of consecutive utterances by one speaker, overall and per side, in ms.";
  }

  @Override
  public Object process(Call call, Map<String, String> parameters) {
    List<Utterance> utterances = TranscriptChecks.utterances(call);
    long longest = 0;
    Utterance longestFirst = null;
    long longestRep = 0;
    long longestCustomer = 0;
    int runStart = 0;
    while (runStart < utterances.size()) {
      Utterance first = utterances.get(runStart);
      int runEnd = runStart; // inclusive index of the run's last utterance
      while (runEnd + 1 < utterances.size() && sameSpeaker(first, utterances.get(runEnd + 1))) {
        runEnd++;
      }
      // Clamped because a transcript out of start order could otherwise give a negative length.
      long length = Math.max(0, utterances.get(runEnd).endMs() - first.startMs());
      // Strictly greater: on a tie the earlier monologue wins, so reruns always agree.
      if (longestFirst == null || length > longest) {
        longest = length;
        longestFirst = first;
      }
      if (first.role() == SpeakerRole.REP) {
        longestRep = Math.max(longestRep, length);
      } else {
        longestCustomer = Math.max(longestCustomer, length);
      }
      runStart = runEnd + 1;
    }
    return new Result(
        longest,
        longestFirst == null ? null : longestFirst.speaker(),
        longestFirst == null ? null : longestFirst.role(),
        longestRep,
        longestCustomer);
  }

  /**
   * The role is compared as well as the name: a name that shows up on both sides is bad data, and
   * splitting the run there keeps each side's figure made of that side's speech only.
   */
  private static boolean sameSpeaker(Utterance a, Utterance b) {
    return a.speaker().equals(b.speaker()) && a.role() == b.role();
  }
}
