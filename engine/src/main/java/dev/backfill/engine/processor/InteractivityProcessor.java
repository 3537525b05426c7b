package dev.backfill.engine.processor;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.Utterance;
import java.util.List;
import java.util.Map;

/** How often the conversation changes hands: speaker switches per minute of transcript. */
public final class InteractivityProcessor implements Processor {

  /** Switches between adjacent utterances, the span they were counted over, and the rate. */
  public record Result(
      @JsonProperty("switches") long switches,
      @JsonProperty("span_ms") long spanMs,
      @JsonProperty("switches_per_minute") double switchesPerMinute) {}

  private static final double MS_PER_MINUTE = 60_000.0;

  public InteractivityProcessor() {}

  @Override
  public String id() {
    return "interactivity";
  }

  @Override
  public int version() {
    return 1;
  }

  @Override
  public String description() {
    return "Speaker switches per minute between the first utterance's start and the last's end.";
  }

  @Override
  public Object process(Call call, Map<String, String> parameters) {
    List<Utterance> utterances = TranscriptChecks.utterances(call);
    if (utterances.isEmpty()) {
      return new Result(0, 0, 0.0);
    }
    long switches = 0;
    for (int i = 1; i < utterances.size(); i++) {
      if (!utterances.get(i).speaker().equals(utterances.get(i - 1).speaker())) {
        switches++;
      }
    }
    // The span is the last utterance's end minus the first's start, as the transcript lists them;
    // clamped so that a transcript out of start order cannot give a negative span.
    long span =
        Math.max(0, utterances.get(utterances.size() - 1).endMs() - utterances.get(0).startMs());
    // A zero span (e.g. one zero-length utterance) has no rate; report 0.0 rather than NaN/Infinity.
    double perMinute = span == 0 ? 0.0 : Decimals.round4(switches / (span / MS_PER_MINUTE));
    return new Result(switches, span, perMinute);
  }
}
