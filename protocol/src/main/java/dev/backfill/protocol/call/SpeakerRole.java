package dev.backfill.protocol.call;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which side of a sales call a speaker is on. */
public enum SpeakerRole {
  @JsonProperty("rep")
  REP,
  @JsonProperty("customer")
  CUSTOMER
}
