package dev.backfill.engine.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** An outcome's reason fits in a message between nodes and in the ledger, however long its cause. */
class CallOutcomeTest {

  @Test
  void aLongReasonIsCutAndSaysSo() {
    String reason = CallOutcome.failed(1, "x".repeat(100_000)).reason();

    assertEquals(CallOutcome.MAX_REASON_LENGTH, reason.length());
    assertTrue(reason.endsWith("..."), reason);
  }

  @Test
  void aReasonIsNeverCutInsideASurrogatePair() {
    // An emoji is two chars; placed so that a plain cut would keep only its first half.
    String reason = "x".repeat(CallOutcome.MAX_REASON_LENGTH - 4) + "\uD83D\uDE00" + "y".repeat(10);

    String cut = CallOutcome.failed(1, reason).reason();

    assertFalse(Character.isHighSurrogate(cut.charAt(cut.length() - 4)), cut.substring(cut.length() - 6));
    assertTrue(cut.endsWith("x..."), cut.substring(cut.length() - 6));
  }

  @Test
  void aShortReasonIsKeptAsItIs() {
    assertEquals("malformed call: no role", CallOutcome.failed(1, "malformed call: no role").reason());
  }
}
