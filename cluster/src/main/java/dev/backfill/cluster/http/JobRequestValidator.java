package dev.backfill.cluster.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
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
      return invalid(new FieldError(field, "wrong type: " + e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      return malformed(e.getOriginalMessage());
    }
    if (request == null) {
      return malformed("the body is empty; send a JSON object");
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
    JobTuning tuning = JobTuning.DEFAULT;
    try {
      tuning =
          new JobTuning(
              request.priority() == null ? JobTuning.DEFAULT.priority() : request.priority(),
              request.maxCallsPerSecond());
    } catch (IllegalArgumentException refused) {
      String message = refused.getMessage();
      errors.add(new FieldError(message.substring(0, message.indexOf(' ')), message));
    }
    if (!errors.isEmpty()) {
      return invalid(errors.toArray(FieldError[]::new));
    }
    return new Outcome(
        new JobSpec(request.processor(), request.version(), request.tenant(), from, to, parameters),
        tuning,
        null);
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

  private static Outcome malformed(String detail) {
    return new Outcome(
        null, null, Problem.of(400, "Malformed JSON", "the body is not valid JSON: " + detail));
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
