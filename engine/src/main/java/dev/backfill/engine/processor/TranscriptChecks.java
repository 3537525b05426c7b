package dev.backfill.engine.processor;

import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.Utterance;
import java.util.List;
import java.util.Objects;

/**
 * The structural checks every processor needs before it can trust a transcript. Kept in one place
 * so that all processors refuse the same calls with the same messages, and a call that fails one
 * processor for bad data fails them all for the same reason.
 */
final class TranscriptChecks {

  private TranscriptChecks() {}

  /**
   * The call's utterances, once each has been checked.
   *
   * @throws MalformedCallException naming the first bad utterance by its index, since retrying a
   *     call whose stored data is wrong can never succeed
   */
  static List<Utterance> utterances(Call call) {
    Objects.requireNonNull(call, "call");
    if (call.transcript() == null) {
      throw new MalformedCallException("transcript: missing");
    }
    List<Utterance> utterances = call.transcript().utterances();
    for (int i = 0; i < utterances.size(); i++) {
      String problem = problem(utterances.get(i));
      if (problem != null) {
        throw new MalformedCallException("utterances[" + i + "]: " + problem);
      }
    }
    return utterances;
  }

  /** What is wrong with one utterance, or null when nothing is. */
  private static String problem(Utterance u) {
    if (u.speaker() == null) {
      return "speaker is missing";
    }
    if (u.role() == null) {
      return "role is missing";
    }
    if (u.startMs() < 0) {
      return "start_ms " + u.startMs() + " is negative";
    }
    if (u.endMs() < u.startMs()) {
      return "end_ms " + u.endMs() + " is before start_ms " + u.startMs();
    }
    return null;
  }
}
