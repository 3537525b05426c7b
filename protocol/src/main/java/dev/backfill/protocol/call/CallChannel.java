package dev.backfill.protocol.call;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a call was recorded. */
public enum CallChannel {
  @JsonProperty("web_conference")
  WEB_CONFERENCE,
  @JsonProperty("phone")
  PHONE;

  /** The value stored in the primary database's {@code calls.source} column. */
  public String dbValue() {
    return this == WEB_CONFERENCE ? "web_conference" : "phone";
  }

  public static CallChannel fromDbValue(String value) {
    return switch (value) {
      case "web_conference" -> WEB_CONFERENCE;
      case "phone" -> PHONE;
      default -> throw new IllegalArgumentException("unknown call source: " + value);
    };
  }
}
