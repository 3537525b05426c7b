package dev.backfill.cluster.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.backfill.engine.governor.NumberRange;
import dev.backfill.engine.governor.RuntimeLimits;
import dev.backfill.engine.processor.Processor;
import dev.backfill.engine.processor.ProcessorRegistry;
import dev.backfill.protocol.http.Problem;
import dev.backfill.protocol.http.Problem.FieldError;
import dev.backfill.protocol.http.SubmitJobRequest;
import dev.backfill.protocol.job.JobSpec;
import dev.backfill.protocol.job.JobTuning;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns the body of {@code POST /jobs} into a JobSpec, or into a problem naming every bad field.
 * Everything is checked here, before the job exists: a job that is accepted can run.
 */
public final class JobRequestValidator {

  /** Either a spec (with its tuning) or a problem, never both. */
  public record Outcome(JobSpec spec, JobTuning tuning, Problem problem) {}

  private final ProcessorRegistry processors;

  public JobRequestValidator(ProcessorRegistry processors) {
    this.processors = processors;
  }

  public Outcome validate(String body) {
    SubmitJobRequest request;
    try {
      request = ApiJson.MAPPER.readValue(body, SubmitJobRequest.class);
    } catch (UnrecognizedPropertyException e) {
      return invalid(
          new FieldError(
              e.getPropertyName(),
              "unknown field; known fields are processor, version, tenant, from, to, parameters,"
                  + " priority, max_calls_per_second"));
    } catch (JsonMappingException e) {
      String field = fieldPath(e);
      if (field.isEmpty()) {
        return invalid(new FieldError("", "the body must be a JSON object: " + e.getOriginalMessage()));
      }
      return invalid(new FieldError(field, wrongType(field, e)));
    } catch (JsonProcessingException e) {
      return new Outcome(null, null, ApiJson.malformed(e));
    }
    if (request == null) {
      return new Outcome(null, null, ApiJson.malformed("", "the body is empty; send a JSON object"));
    }
    return validate(request);
  }

  private Outcome validate(SubmitJobRequest request) {
    List<FieldError> errors = new ArrayList<>();
    Optional<Processor> processor = Optional.empty();
    if (request.processor() == null || request.processor().isBlank()) {
      errors.add(new FieldError("processor", "required; one of " + processorIds()));
    } else {
      processor = processors.find(request.processor());
      if (processor.isEmpty()) {
        errors.add(
            new FieldError(
                "processor", "unknown processor '" + request.processor() + "'; one of " + processorIds()));
      }
    }
    if (request.version() == null) {
      errors.add(new FieldError("version", "required, a whole number of at least 1"));
    } else if (request.version() < 1) {
      errors.add(new FieldError("version", "must be at least 1, was " + request.version()));
    } else if (processor.isPresent() && processor.get().version() != request.version()) {
      errors.add(
          new FieldError(
              "version",
              "this cluster runs "
                  + processor.get().id()
                  + " version "
                  + processor.get().version()
                  + ", not "
                  + request.version()));
    }
    if (request.tenant() != null && request.tenant().isBlank()) {
      errors.add(new FieldError("tenant", "must not be blank; leave it out for every tenant"));
    }
    Instant from = instant("from", request.from(), errors);
    Instant to = instant("to", request.to(), errors);
    if (from != null && to != null && !from.isBefore(to)) {
      errors.add(new FieldError("to", "must be after from (" + from + "), was " + to));
    }
    Map<String, String> parameters = request.parameters() == null ? Map.of() : request.parameters();
    processor.ifPresent(p -> p.validate(parameters).forEach(message -> errors.add(parameterError(message))));
    // The governor's own ranges: a job accepted here is never refused a lease for its tuning.
    // Absent is the default priority and no cap; "NaN" and "Infinity", which Jackson reads into a
    // double even from a string, are outside every range.
    double priority = request.priority() == null ? JobTuning.DEFAULT.priority() : request.priority();
    inRange("priority", RuntimeLimits.PRIORITY, priority, errors);
    if (request.maxCallsPerSecond() != null) {
      inRange("max_calls_per_second", RuntimeLimits.CALLS_PER_SECOND, request.maxCallsPerSecond(), errors);
    }
    if (!errors.isEmpty()) {
      return invalid(errors.toArray(FieldError[]::new));
    }
    return new Outcome(
        new JobSpec(request.processor(), request.version(), request.tenant(), from, to, parameters),
        new JobTuning(priority, request.maxCallsPerSecond()),
        null);
  }

  private static void inRange(String field, NumberRange range, double value, List<FieldError> errors) {
    String refusal = range.refusal(value);
    if (refusal != null) {
      errors.add(new FieldError(field, refusal));
    }
  }

  /**
   * What the field takes, for a value Jackson could not bind to it: a string for a number, a
   * fraction for a whole number, an integer too large for one. Jackson's own words name its
   * settings and Java types, which mean nothing to a client; they follow for other fields only.
   */
  private static String wrongType(String field, JsonMappingException e) {
    String sent = e instanceof InvalidFormatException invalid ? ", was " + describe(invalid.getValue()) : "";
    return switch (field) {
      case "version" -> "must be a whole number from 1 to " + Integer.MAX_VALUE + " (a JSON number, not a string)" + sent;
      case "priority" -> "must be " + RuntimeLimits.PRIORITY.describe() + " (a JSON number, not a string)" + sent;
      case "max_calls_per_second" ->
          "must be " + RuntimeLimits.CALLS_PER_SECOND.describe() + " (a JSON number, not a string), or null" + sent;
      default -> "wrong type: " + e.getOriginalMessage();
    };
  }

  private static String describe(Object value) {
    return value instanceof String text ? "\"" + text + "\"" : String.valueOf(value);
  }

  private static Instant instant(String field, String value, List<FieldError> errors) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException notAnInstant) {
      try {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException notADate) {
        errors.add(
            new FieldError(
                field,
                "'" + value + "' is not an ISO-8601 instant (2025-01-31T00:00:00Z) or date (2025-01-31)"));
        return null;
      }
    }
  }

  /** Processors name the parameter first ("parameters.keywords: ..."): keep it as the field. */
  private static FieldError parameterError(String message) {
    int colon = message.indexOf(':');
    if (colon > 0) {
      return new FieldError(message.substring(0, colon).trim(), message.substring(colon + 1).trim());
    }
    return new FieldError("parameters", message);
  }

  private String processorIds() {
    return processors.all().stream().map(Processor::id).collect(Collectors.joining(", "));
  }

  private static String fieldPath(JsonMappingException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  private static Outcome invalid(FieldError... errors) {
    String detail =
        java.util.Arrays.stream(errors)
            .map(error -> (error.field().isEmpty() ? "" : error.field() + ": ") + error.message())
            .collect(Collectors.joining("; "));
    return new Outcome(
        null, null, new Problem("about:blank", "Invalid job request", 400, detail, List.of(errors)));
  }
}
