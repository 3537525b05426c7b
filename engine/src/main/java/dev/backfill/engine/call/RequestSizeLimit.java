package dev.backfill.engine.call;

import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import scala.util.Try;

/**
 * Whether a request fits in one message between nodes, checked before it is sent.
 *
 * <p>Artery drops a message whose serialized form exceeds {@code
 * pekko.remote.artery.advanced.maximum-frame-size} (256 KiB by default): it logs an error and the
 * ask times out, on every attempt, and since a job's outcomes stay in call-id order the whole job
 * would wait for that call forever. A call with a long transcript is such a message. Such a call
 * is failed at once, with a reason that says so, whichever node its entity lives on (a rule that
 * held only when the entity happens to be remote would make the outcome depend on shard placement):
 * its job sends the entity a {@link CallEntity.RecordFailed} instead, without the transcript, and
 * the entity records it.
 *
 * <p>Most requests are far below the limit: a request is serialized here only when its text could
 * exceed it (three UTF-8 bytes per character at most), so the check costs nothing for them.
 *
 * <p>One per actor system: {@code RequestSizeLimit.get(system)}.
 */
public final class RequestSizeLimit implements Extension {

  /** Room kept in a frame for Artery's envelope, the sharding envelope and the reply address. */
  static final int ENVELOPE_ALLOWANCE = 8 * 1024;

  /** Bytes of a request beyond its strings: field names, numbers, the reply address. */
  private static final int FIELDS_ALLOWANCE = 2 * 1024;

  private static final class Id extends ExtensionId<RequestSizeLimit> {
    @Override
    public RequestSizeLimit createExtension(ActorSystem<?> system) {
      return new RequestSizeLimit(system);
    }
  }

  private static final Id ID = new Id();

  public static RequestSizeLimit get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final Serialization serialization;
  private final long frameSize;
  private final long maxRequestBytes;

  private RequestSizeLimit(ActorSystem<?> system) {
    this.serialization = SerializationExtension.get(system.classicSystem());
    this.frameSize =
        system.settings().config().getBytes("pekko.remote.artery.advanced.maximum-frame-size");
    this.maxRequestBytes = frameSize - Math.min(ENVELOPE_ALLOWANCE, frameSize / 4);
  }

  /** The most bytes a request may take serialized. */
  public long maxRequestBytes() {
    return maxRequestBytes;
  }

  /** Why this request cannot be sent to a call entity, or null when it can. */
  public String refusal(CallEntity.Process request) {
    if (3 * textLength(request) + FIELDS_ALLOWANCE <= maxRequestBytes) {
      return null;
    }
    Try<byte[]> serialized = serialization.serialize(request);
    if (serialized.isFailure()) {
      Throwable failure = serialized.failed().get();
      return "the request for call "
          + request.call().id()
          + " cannot be serialized to be sent to its call entity: "
          + failure.getClass().getSimpleName()
          + ": "
          + failure.getMessage();
    }
    int bytes = serialized.get().length;
    if (bytes <= maxRequestBytes) {
      return null;
    }
    return "call "
        + request.call().id()
        + " is too large to send to its call entity: its request takes "
        + bytes
        + " bytes serialized, and a message between nodes at most "
        + maxRequestBytes
        + " (pekko.remote.artery.advanced.maximum-frame-size is "
        + frameSize
        + " bytes, less room for the envelope); raise it and retry the failed calls to process it";
  }

  private static long textLength(CallEntity.Process request) {
    var call = request.call();
    long length =
        length(request.jobId())
            + length(request.processor())
            + length(call.tenant())
            + length(call.source())
            + length(call.transcriptJson());
    Map<String, String> parameters = request.parameters() == null ? Map.of() : request.parameters();
    for (Map.Entry<String, String> parameter : parameters.entrySet()) {
      length += length(parameter.getKey()) + length(parameter.getValue());
    }
    return length;
  }

  private static long length(String text) {
    return text == null ? 0 : text.length();
  }
}
