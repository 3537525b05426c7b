package dev.backfill.cluster.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backfill.engine.governor.NumberRange;
import dev.backfill.protocol.http.Problem.FieldError;
import java.time.Duration;
import java.util.List;

/**
 * Reads the numbers of a PATCH body (a tree, so Jackson's binding checks do not apply) strictly,
 * field by field. An absent field keeps its current value. A present one must be a JSON number in
 * its range, and a whole one where the field counts things: read leniently, 2.7 connections would
 * become 2, and 4294967298 would wrap around to 2. Every bad field is noted in the shared list, so
 * a client learns of all of them at once; nothing is thrown.
 */
final class PatchNumbers {

  private final JsonNode body;
  private final String prefix;
  private final List<FieldError> errors;

  /**
   * @param body the object holding the fields; a missing node (an absent nested object) holds none
   * @param prefix put before each field's name in errors, e.g. "thresholds."
   */
  PatchNumbers(JsonNode body, String prefix, List<FieldError> errors) {
    this.body = body;
    this.prefix = prefix;
    this.errors = errors;
  }

  double number(String field, NumberRange range, double current) {
    JsonNode value = body.get(field);
    if (value == null) {
      return current;
    }
    Double checked = check(field, value, range);
    return checked == null ? current : checked;
  }

  /** As {@link #number}, for a field that counts things ({@code range} is whole and within int). */
  int wholeNumber(String field, NumberRange range, int current) {
    return (int) number(field, range, current);
  }

  /** Whole milliseconds. */
  Duration millis(String field, NumberRange range, Duration current) {
    JsonNode value = body.get(field);
    if (value == null) {
      return current;
    }
    Double checked = check(field, value, range);
    return checked == null ? current : Duration.ofMillis(checked.longValue());
  }

  /** As {@link #number}, where null is a value too (no cap). */
  Double numberOrNull(String field, NumberRange range, Double current) {
    JsonNode value = body.get(field);
    if (value == null) {
      return current;
    }
    if (value.isNull()) {
      return null;
    }
    Double checked = check(field, value, range);
    return checked == null ? current : checked;
  }

  /** The value if it is a number of the right kind within the range; null after noting the error. */
  private Double check(String field, JsonNode value, NumberRange range) {
    // A float for a whole field is refused by its token, not its value: 2.0 is as wrong as 2.7,
    // as Jackson binding refuses both for an int.
    boolean rightKind = value.isNumber() && (!range.whole() || value.isIntegralNumber());
    // Read as a double: 1e400 and a huge integer come out as Infinity and fail the range.
    if (rightKind && range.contains(value.doubleValue())) {
      return value.doubleValue();
    }
    errors.add(new FieldError(prefix + field, "must be " + range.describe() + ", was " + value));
    return null;
  }
}
