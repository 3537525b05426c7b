package dev.backfill.cluster.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.backfill.protocol.http.Problem;
import dev.backfill.protocol.http.Problem.FieldError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A PATCH body: a JSON object whose fields, all optional, change only what they name. Parsed as a
 * tree so that an absent field ("keep") differs from an explicit null ("remove"). This checks the
 * shape (known fields; numbers or null); {@link PatchNumbers} checks each number's kind and range.
 */
final class JsonPatchBody {

  /** Either the object or a problem. */
  record Parsed(JsonNode body, Problem problem) {}

  private JsonPatchBody() {}

  /** {@code allowed} maps a field to the names allowed inside it (null: a plain value). */
  static Parsed parse(String text, Function<String, Set<String>> nestedFields, Set<String> allowed) {
    JsonNode body;
    try {
      body = ApiJson.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      return new Parsed(null, ApiJson.malformed(e));
    }
    if (body == null || !body.isObject() || body.isEmpty()) {
      return new Parsed(null, invalid(List.of(new FieldError("", "send a JSON object with at least one of " + allowed))));
    }
    List<FieldError> errors = new ArrayList<>();
    check(body, "", allowed, nestedFields, errors);
    return errors.isEmpty() ? new Parsed(body, null) : new Parsed(null, invalid(errors));
  }

  private static void check(
      JsonNode object, String prefix, Set<String> allowed, Function<String, Set<String>> nested, List<FieldError> errors) {
    Iterator<String> names = object.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        errors.add(new FieldError(prefix + name, "unknown field; known fields are " + allowed));
        continue;
      }
      Set<String> inner = nested.apply(name);
      JsonNode value = object.get(name);
      if (inner != null) {
        if (!value.isObject()) {
          errors.add(new FieldError(prefix + name, "must be an object with some of " + inner));
        } else {
          check(value, prefix + name + ".", inner, field -> null, errors);
        }
      } else if (!value.isNull() && !value.isNumber()) {
        errors.add(new FieldError(prefix + name, "must be a number, was " + value));
      }
    }
  }

  static Problem invalid(List<FieldError> errors) {
    String detail =
        errors.stream()
            .map(error -> (error.field().isEmpty() ? "" : error.field() + ": ") + error.message())
            .reduce((a, b) -> a + "; " + b)
            .orElse("");
    return new Problem("about:blank", "Invalid request", 400, detail, errors);
  }

  /** A value's field name in messages from the records' own validation, e.g. "priority must ...". */
  static Problem invalid(IllegalArgumentException refused) {
    String message = refused.getMessage();
    int space = message.indexOf(' ');
    String field = space > 0 ? message.substring(0, space) : "";
    return invalid(List.of(new FieldError(field, message)));
  }
}
