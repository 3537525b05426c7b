package dev.backfill.engine.processor;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.SpeakerRole;
import dev.backfill.protocol.call.Utterance;
import java.util.List;
import java.util.Map;

/**
 * The rep's patience: how long the rep waits after the customer stops before answering. Measured
 * at every hand-over from a customer utterance to the rep utterance right after it.
 */
public final class PatienceProcessor implements Processor {

  /** Number of customer-to-rep hand-overs, and the average and longest pause before the rep. */
  public record Result(
      @JsonProperty("answers") long answers,
      @JsonProperty("average_pause_ms") long averagePauseMs,
      @JsonProperty("max_pause_ms") long maxPauseMs) {}

  public PatienceProcessor() {}

  @Override
  public String id() {
    return "patience";
  }

  @Override
  public int version() {
    return 1;
  }

  @Override
  public String description() {
    return "Pause before the rep answers the customer: hand-overs, average and max pause in ms.";
  }

  @Override
  public Object process(Call call, Map<String, String> parameters) {
    List<Utterance> utterances = TranscriptChecks.utterances(call);
    long answers = 0;
    long totalPause = 0;
    long maxPause = 0;
    for (int i = 1; i < utterances.size(); i++) {
      Utterance before = utterances.get(i - 1);
      Utterance after = utterances.get(i);
      if (before.role() == SpeakerRole.CUSTOMER && after.role() == SpeakerRole.REP) {
        // A rep who starts before the customer has finished interrupted: no wait at all, so 0,
        // rather than a negative pause that would make an interrupting rep look patient on average.
        long pause = Math.max(0, after.startMs() - before.endMs());
        answers++;
        totalPause += pause;
        maxPause = Math.max(maxPause, pause);
      }
    }
    // Whole ms, half up; Math.round on the double is exact for any realistic call length.
    long average = answers == 0 ? 0 : Math.round((double) totalPause / answers);
    return new Result(answers, average, maxPause);
  }
}
