package dev.backfill.engine.job;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backfill.engine.testing.LocalActorConfig;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A job's "still wanted" reaches its block reader through the reader's shard, which lives on
 * another node whenever the block's shard does: it crosses the wire through the node's own
 * serializer and comes back as itself.
 */
class BlockReaderMessagesSerializationTest {

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("BlockReaderMessagesSerializationTest", LocalActorConfig.with(""));
    serialization = SerializationExtension.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void stillWantedCrossesTheWireAsItself() {
    Object message = BlockReader.StillWanted.INSTANCE;
    Serializer serializer = serialization.findSerializerFor(message);
    byte[] bytes = serialization.serialize(message).get();

    Object back =
        serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, message)).get();

    assertTrue(serializer.getClass().getSimpleName().contains("Cbor"), serializer.getClass().getName());
    assertSame(BlockReader.StillWanted.INSTANCE, back);
  }
}
