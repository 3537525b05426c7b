package dev.backfill.engine.processor;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.SpeakerRole;
import dev.backfill.protocol.call.Utterance;
import java.util.Map;

/** How much of the talking each side of the call did. */
public final class TalkRatioProcessor implements Processor {

  /** Talk time per side in ms, and each side's share of the total talk time. */
  public record Result(
      @JsonProperty("rep_talk_ms") long repTalkMs,
      @JsonProperty("customer_talk_ms") long customerTalkMs,
      @JsonProperty("rep_share") double repShare,
      @JsonProperty("customer_share") double customerShare) {}

  public TalkRatioProcessor() {}

  @Override
  public String id() {
    return "talk-ratio";
  }

  @Override
  public int version() {
    return 1;
  }

  @Override
  public String description() {
    return "Speaking time per side (sum of utterance durations) and each side's share of it.";
  }

  @Override
  public Object process(Call call, Map<String, String> parameters) {
    long rep = 0;
    long customer = 0;
    for (Utterance u : TranscriptChecks.utterances(call)) {
      if (u.role() == SpeakerRole.REP) {
        rep += u.durationMs();
      } else {
        customer += u.durationMs();
      }
    }
    long total = rep + customer;
    // Silence (no utterances, or only zero-length ones) has no meaningful split; 0/0 would be NaN,
    // which JSON cannot carry as a number.
    if (total == 0) {
      return new Result(0, 0, 0.0, 0.0);
    }
    // Each share is rounded on its own, so the two may sum to 0.9999 or 1.0001; that is fine for a
    // ratio shown to people and keeps each figure independently checkable.
    return new Result(
        rep,
        customer,
        Decimals.round4((double) rep / total),
        Decimals.round4((double) customer / total));
  }
}
