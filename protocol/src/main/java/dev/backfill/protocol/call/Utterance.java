package dev.backfill.protocol.call;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One stretch of speech in a transcript: who spoke, on which side, when (milliseconds from the
 * start of the call) and what was said. This is the JSON shape stored in the primary database.
 */
public record Utterance(
    @JsonProperty("speaker") String speaker,
    @JsonProperty("role") SpeakerRole role,
    @JsonProperty("start_ms") long startMs,
    @JsonProperty("end_ms") long endMs,
    @JsonProperty("text") String text) {

  public long durationMs() {
    return Math.max(0, endMs - startMs);
  }
}
