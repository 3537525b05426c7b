package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backfill.engine.testing.LocalActorConfig;
import dev.backfill.engine.testing.RewrittenMessages;
import java.io.IOException;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Leases and their releases cross between nodes (the governor is a singleton): through the node's
 * real serializer they keep whether the slot's connection is to be closed and was closed, and a
 * message of a node that does not know those fields yet (a rolling upgrade) reads as "keep it open".
 */
class LeaseMessagesSerializationTest {

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("LeaseMessagesSerializationTest", LocalActorConfig.with(""));
    serialization = SerializationExtension.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void closeAfterAndConnectionClosedSurviveTheWire() throws IOException {
    var granted = new Governor.LeaseGranted("lease-1", 1, 13, true);
    var released = new Governor.ReleaseLease("lease-1", 13, 1_900, true);

    assertEquals(granted, rewritten(granted, tree -> {}));
    assertEquals(released, rewritten(released, tree -> {}));
  }

  @Test
  void messagesOfANodeWithoutTheFieldsKeepTheConnectionOpen() throws IOException {
    var granted = new Governor.LeaseGranted("lease-1", 1, 13, true);
    var released = new Governor.ReleaseLease("lease-1", 13, 1_900, true);

    assertEquals(
        new Governor.LeaseGranted("lease-1", 1, 13, false), rewritten(granted, tree -> tree.remove("closeAfter")));
    assertEquals(
        new Governor.ReleaseLease("lease-1", 13, 1_900, false),
        rewritten(released, tree -> tree.remove("connectionClosed")));
  }

  private static Object rewritten(Object message, Consumer<ObjectNode> change) throws IOException {
    return RewrittenMessages.rewritten(serialization, message, change);
  }

}
