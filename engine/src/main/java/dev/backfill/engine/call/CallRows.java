package dev.backfill.engine.call;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backfill.engine.processor.MalformedCallException;
import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.CallChannel;
import dev.backfill.protocol.call.CallRow;
import dev.backfill.protocol.call.Transcript;
import java.time.Instant;

/** Turns a row of the primary's {@code calls} table into the {@link Call} a processor takes. */
public final class CallRows {

  private CallRows() {}

  /** @throws MalformedCallException when the transcript is not JSON or the source is unknown */
  public static Call toCall(CallRow row, ObjectMapper json) {
    Transcript transcript;
    try {
      transcript = json.readValue(row.transcriptJson(), Transcript.class);
    } catch (JsonProcessingException e) {
      throw new MalformedCallException("transcript is not valid JSON: " + e.getOriginalMessage(), e);
    }
    CallChannel channel;
    try {
      channel = CallChannel.fromDbValue(row.source());
    } catch (IllegalArgumentException e) {
      throw new MalformedCallException(e.getMessage(), e);
    }
    return new Call(
        row.id(),
        row.tenant(),
        Instant.ofEpochMilli(row.startedAtEpochMs()),
        row.durationSeconds(),
        channel,
        transcript);
  }
}
