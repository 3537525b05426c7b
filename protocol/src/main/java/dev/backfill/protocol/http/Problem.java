package dev.backfill.protocol.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An error body in the shape of RFC 9457 ({@code application/problem+json}), with one entry per
 * bad field so a client can point at exactly what to fix.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {

  public record FieldError(String field, String message) {}

  public static Problem of(int status, String title, String detail) {
    return new Problem("about:blank", title, status, detail, List.of());
  }
}
