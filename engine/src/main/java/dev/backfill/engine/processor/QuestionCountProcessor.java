package dev.backfill.engine.processor;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.SpeakerRole;
import dev.backfill.protocol.call.Utterance;
import java.util.Map;

/** Questions asked by each side, counted as sentences that end with a question mark. */
public final class QuestionCountProcessor implements Processor {

  /** Questions per side and in total. */
  public record Result(
      @JsonProperty("rep_questions") long repQuestions,
      @JsonProperty("customer_questions") long customerQuestions,
      @JsonProperty("total_questions") long totalQuestions) {}

  public QuestionCountProcessor() {}

  @Override
  public String id() {
    return "question-count";
  }

  @Override
  public int version() {
    return 1;
  }

  @Override
  public String description() {
    return "Questions asked per side: sentences in the utterance text that end with '?'.";
  }

  @Override
  public Object process(Call call, Map<String, String> parameters) {
    long rep = 0;
    long customer = 0;
    for (Utterance u : TranscriptChecks.utterances(call)) {
      long questions = questions(u.text());
      if (u.role() == SpeakerRole.REP) {
        rep += questions;
      } else {
        customer += questions;
      }
    }
    return new Result(rep, customer, rep + customer);
  }

  /**
   * Counts each '?' that ends a sentence, i.e. is followed by whitespace or the end of the text. A
   * '?' followed by anything else is inside a word or a run like "??", so a run counts once (its
   * last mark) and "v2?beta" counts not at all. Text is optional in a transcript: none, no
   * questions.
   */
  static long questions(String text) {
    if (text == null) {
      return 0;
    }
    long count = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '?'
          && (i + 1 == text.length() || Character.isWhitespace(text.charAt(i + 1)))) {
        count++;
      }
    }
    return count;
  }
}
