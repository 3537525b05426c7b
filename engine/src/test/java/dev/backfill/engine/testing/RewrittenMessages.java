package dev.backfill.engine.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.util.function.Consumer;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * A message as another version of the node would send or store it: written by the node's real
 * serializer (CBOR via Jackson), its fields changed (one removed, as a node that does not know it
 * yet writes it; one added, as a later version writes it), then read back as the node reads it.
 */
public final class RewrittenMessages {

  private static final CBORMapper CBOR = new CBORMapper();

  private RewrittenMessages() {}

  /** {@code message} as the node writes it, changed by {@code change}, then read back as the node reads it. */
  public static Object rewritten(Serialization serialization, Object message, Consumer<ObjectNode> change)
      throws IOException {
    Serializer serializer = serialization.findSerializerFor(message);
    ObjectNode tree = (ObjectNode) CBOR.readTree(serialization.serialize(message).get());
    change.accept(tree);
    return serialization
        .deserialize(CBOR.writeValueAsBytes(tree), serializer.identifier(), Serializers.manifestFor(serializer, message))
        .get();
  }
}
