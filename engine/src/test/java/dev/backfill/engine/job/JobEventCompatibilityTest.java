package dev.backfill.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backfill.engine.job.JobEvent.JobStarted;
import dev.backfill.engine.job.JobState.Active;
import dev.backfill.engine.job.JobState.Finished;
import dev.backfill.engine.testing.LocalActorConfig;
import dev.backfill.engine.testing.RewrittenMessages;
import dev.backfill.protocol.job.JobCounts;
import dev.backfill.protocol.job.JobPhase;
import dev.backfill.protocol.job.JobSpec;
import dev.backfill.protocol.job.JobTuning;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Journals and snapshots written before jobs had a scope still read, as jobs without one, through
 * the node's real serializer (CBOR via Jackson): their bytes are today's without the new field.
 * And a node that does not know a field yet ignores it, so one that reads a newer journal does not
 * fail on it.
 */
@ExtendWith(LogCapturingExtension.class)
class JobEventCompatibilityTest {

  private static final Instant AT = Instant.parse("2026-11-30T00:00:00Z");
  private static final JobSpec SPEC = new JobSpec("talk-ratio", 1, "acme", null, null, Map.of());

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("JobEventCompatibilityTest", LocalActorConfig.with(""));
    serialization = SerializationExtension.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aJobStartedWrittenBeforeScopesReadsAsOpenEnded() throws IOException {
    Object read = rewritten(new JobStarted(45, 45L, AT), tree -> tree.remove("lastCallId"));

    assertEquals(new JobStarted(45, null, AT), read);
  }

  @Test
  void snapshotsTakenBeforeScopesReadAsJobsWithoutOne() throws IOException {
    Active running =
        new Active(SPEC, JobTuning.DEFAULT, 45, 45L, 20, new JobCounts(20, 20, 0, 0), AT, AT, false, false);
    Finished completed =
        new Finished(
            SPEC, JobTuning.DEFAULT, JobPhase.COMPLETED, 45, 45L, 45, new JobCounts(45, 44, 0, 1), AT, AT, AT, null);

    Active oldRunning = (Active) rewritten(running, tree -> tree.remove("lastCallId"));
    Finished oldCompleted = (Finished) rewritten(completed, tree -> tree.remove("lastCallId"));

    assertFalse(oldRunning.scoped());
    assertTrue(oldRunning.started());
    assertEquals(20, oldRunning.watermark());
    assertEquals(running.counts(), oldRunning.counts());
    assertNull(oldCompleted.lastCallId());
    assertEquals(completed.counts(), oldCompleted.counts());
  }

  @Test
  void aFieldANodeDoesNotKnowIsIgnored() throws IOException {
    JobStarted started = new JobStarted(45, 45L, AT);

    assertEquals(started, rewritten(started, tree -> tree.put("fieldOfALaterVersion", 7)));
  }

  private static Object rewritten(Object message, Consumer<ObjectNode> change) throws IOException {
    return RewrittenMessages.rewritten(serialization, message, change);
  }

}
