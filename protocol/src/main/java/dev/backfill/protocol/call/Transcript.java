package dev.backfill.protocol.call;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A call's utterances in the order they started. */
public record Transcript(@JsonProperty("utterances") List<Utterance> utterances) {

  public Transcript {
    utterances = utterances == null ? List.of() : List.copyOf(utterances);
  }
}
