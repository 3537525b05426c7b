package dev.backfill.engine.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backfill.engine.testing.LocalActorConfig;
import dev.backfill.protocol.call.CallRow;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Requests too large for a frame between nodes are refused before they are sent, saying why. */
@ExtendWith(LogCapturingExtension.class)
class RequestSizeLimitTest {

  private static final int FRAME = 256 * 1024;

  private static ActorTestKit testKit;
  private static RequestSizeLimit limit;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "RequestSizeLimitTest",
            LocalActorConfig.with("pekko.remote.artery.advanced.maximum-frame-size = " + FRAME + "b"));
    limit = RequestSizeLimit.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void theLimitIsTheFrameLessRoomForTheEnvelope() {
    assertEquals(FRAME - RequestSizeLimit.ENVELOPE_ALLOWANCE, limit.maxRequestBytes());
  }

  @Test
  void anOrdinaryCallFits() {
    assertNull(limit.refusal(request(transcriptOf("x", 20_000))));
  }

  @Test
  void aCallWhoseTextCouldExceedTheLimitIsMeasuredAndFitsIfItDoes() {
    // 100,000 characters of two bytes each: under the limit, though three bytes each would not be.
    assertNull(limit.refusal(request(transcriptOf("é", 100_000))));
  }

  @Test
  void aCallLargerThanAFrameIsRefusedSayingWhyAndWhatToDo() {
    CallEntity.Process request = request(transcriptOf("x", (int) limit.maxRequestBytes()));

    String refusal = limit.refusal(request);

    assertNotNull(refusal);
    assertTrue(refusal.contains("call 42 is too large"), refusal);
    assertTrue(refusal.contains("maximum-frame-size"), refusal);
    assertTrue(refusal.contains("retry the failed calls"), refusal);
  }

  private static String transcriptOf(String character, int count) {
    return "{\"utterances\":[{\"speaker\":\"ann\",\"role\":\"rep\",\"start_ms\":0,\"end_ms\":1000,\"text\":\""
        + character.repeat(count)
        + "\"}]}";
  }

  private static CallEntity.Process request(String transcript) {
    return new CallEntity.Process(
        "job",
        new CallRow(42, "acme", 0, 1, "phone", transcript),
        "talk-ratio",
        1,
        Map.of(),
        1,
        testKit.system().deadLetters());
  }
}
