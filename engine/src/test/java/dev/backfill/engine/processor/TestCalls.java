package dev.backfill.engine.processor;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.CallChannel;
import dev.backfill.protocol.call.SpeakerRole;
import dev.backfill.protocol.call.Transcript;
import dev.backfill.protocol.call.Utterance;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Small builders for hand-written test calls, shared by the processor tests. */
final class TestCalls {

  private TestCalls() {}

  static Call call(Utterance... utterances) {
    return new Call(
        42L,
        "acme",
        Instant.parse("2024-03-01T10:00:00Z"),
        600,
        CallChannel.PHONE,
        new Transcript(List.of(utterances)));
  }

  static Utterance rep(String speaker, long startMs, long endMs, String text) {
    return new Utterance(speaker, SpeakerRole.REP, startMs, endMs, text);
  }

  static Utterance customer(String speaker, long startMs, long endMs, String text) {
    return new Utterance(speaker, SpeakerRole.CUSTOMER, startMs, endMs, text);
  }

  /**
   * Runs the processor on each kind of malformed call and checks it is refused with a message that
   * names the bad utterance (always index 1, after a valid one) and what is wrong with it.
   */
  static void assertRefusesMalformedCalls(Processor processor, Map<String, String> parameters) {
    Utterance ok = rep("ann", 0, 1000, "Hello.");
    Map<String, Call> cases =
        Map.of(
            "utterances[1]: speaker is missing",
            call(ok, new Utterance(null, SpeakerRole.CUSTOMER, 1000, 2000, "Hi.")),
            "utterances[1]: role is missing",
            call(ok, new Utterance("bob", null, 1000, 2000, "Hi.")),
            "utterances[1]: start_ms -5 is negative",
            call(ok, customer("bob", -5, 2000, "Hi.")),
            "utterances[1]: end_ms 1500 is before start_ms 2000",
            call(ok, customer("bob", 2000, 1500, "Hi.")));
    cases.forEach(
        (expected, call) -> {
          MalformedCallException e =
              assertThrows(MalformedCallException.class, () -> processor.process(call, parameters));
          assertTrue(
              e.getMessage().equals(expected),
              () -> "expected '" + expected + "' but got '" + e.getMessage() + "'");
        });
    Call noTranscript =
        new Call(42L, "acme", Instant.EPOCH, 0, CallChannel.WEB_CONFERENCE, null);
    MalformedCallException e =
        assertThrows(
            MalformedCallException.class, () -> processor.process(noTranscript, parameters));
    assertTrue(e.getMessage().equals("transcript: missing"), e.getMessage());
  }
}
