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

  /**
   * The instants {@code from} and {@code to} may name: from the start of year 1 to the end of year
   * 9999 (UTC). Java reads instants up to the year one billion, and one outside PostgreSQL's
   * timestamptz (4713 BC to 294276 AD) fails every page query of the job ("timestamp out of
   * range", or a Timestamp that cannot even be made), so the job could never run. The range is
   * narrower than PostgreSQL's so that it stays clear of both ends and of the JDBC driver's
   * calendar conversions; a call's start has a four-digit year.
   */
  static final Instant EARLIEST = LocalDate.of(1, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();

  /** The first instant after the range: {@code from} and {@code to} must be before it. */
  static final Instant END = LocalDate.of(10_000, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();

  /**
   * The longest tenant: an id, not a document. It goes into every page query and into the job's
   * journal events and messages between nodes, which have a size limit.
   */
  static final int MAX_TENANT_LENGTH = 256;

  /** A processor id longer than this is no processor's; it is refused without being echoed back. */
  static final int MAX_PROCESSOR_LENGTH = 64;

  /** A date longer than this is no ISO-8601 date; it is refused without being echoed back. */
  static final int MAX_DATE_LENGTH = 64;

  static final int MAX_PARAMETERS = 32;
  static final int MAX_PARAMETER_NAME_LENGTH = 64;
  static final int MAX_PARAMETER_VALUE_LENGTH = 4_096;

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
    String processorText =
        request.processor() == null ? null : textProblem(request.processor(), MAX_PROCESSOR_LENGTH);
    if (request.processor() == null || request.processor().isBlank()) {
      errors.add(new FieldError("processor", "required; one of " + processorIds()));
    } else if (processorText != null) {
      errors.add(new FieldError("processor", processorText + "; one of " + processorIds()));
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
    } else if (request.tenant() != null) {
      String tenantText = textProblem(request.tenant(), MAX_TENANT_LENGTH);
      if (tenantText != null) {
        errors.add(new FieldError("tenant", tenantText));
      }
    }
    Instant from = instant("from", request.from(), errors);
    Instant to = instant("to", request.to(), errors);
    if (from != null && to != null && !from.isBefore(to)) {
      errors.add(new FieldError("to", "must be after from (" + from + "), was " + to));
    }
    Map<String, String> parameters = request.parameters() == null ? Map.of() : request.parameters();
    // The processor reads only parameters that are plain text of a sane size.
    if (parametersUsable(parameters, errors)) {
      processor.ifPresent(p -> p.validate(parameters).forEach(message -> errors.add(parameterError(message))));
    }
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

  /**
   * Whether every parameter is text the job can carry: a name and a value without NUL or unpaired
   * surrogates, neither too long, and not too many of them. Adds an error for each that is not.
   */
  private static boolean parametersUsable(Map<String, String> parameters, List<FieldError> errors) {
    int before = errors.size();
    if (parameters.size() > MAX_PARAMETERS) {
      errors.add(
          new FieldError("parameters", "at most " + MAX_PARAMETERS + " parameters, got " + parameters.size()));
      return false;
    }
    parameters.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            parameter -> {
              String nameText = textProblem(parameter.getKey(), MAX_PARAMETER_NAME_LENGTH);
              if (nameText != null) {
                // Not named in the field: the name itself is what is wrong.
                errors.add(new FieldError("parameters", "a parameter's name: " + nameText));
                return;
              }
              String field = "parameters." + parameter.getKey();
              if (parameter.getValue() == null) {
                errors.add(new FieldError(field, "must be a string, not null"));
                return;
              }
              String valueText = textProblem(parameter.getValue(), MAX_PARAMETER_VALUE_LENGTH);
              if (valueText != null) {
                errors.add(new FieldError(field, valueText));
              }
            });
    return errors.size() == before;
  }

  /**
   * Why a string cannot go into a job, or null when it can: longer than {@code maxLength}, a NUL
   * character (PostgreSQL's text cannot hold one, so a tenant with it fails every page query), or
   * half of a surrogate pair (not Unicode text: it cannot be encoded to be stored or sent).
   */
  static String textProblem(String value, int maxLength) {
    if (value.length() > maxLength) {
      return "at most " + maxLength + " characters, was " + value.length();
    }
    if (value.indexOf(0) >= 0) {
      return "must not contain the NUL character (\\u0000, at character "
          + (value.indexOf(0) + 1)
          + "): PostgreSQL cannot store it in text";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "must be Unicode text: character "
            + (i + 1)
            + " is half of a surrogate pair (\\u"
            + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT)
            + ")";
      }
    }
    return null;
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
    String text = textProblem(value, MAX_DATE_LENGTH);
    if (text != null) {
      errors.add(new FieldError(field, "not an ISO-8601 instant (2025-01-31T00:00:00Z) or date (2025-01-31): " + text));
      return null;
    }
    Instant instant;
    try {
      instant = Instant.parse(value);
    } catch (DateTimeParseException notAnInstant) {
      try {
        instant = LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException notADate) {
        errors.add(
            new FieldError(
                field,
                "'" + value + "' is not an ISO-8601 instant (2025-01-31T00:00:00Z) or date (2025-01-31)"));
        return null;
      }
    }
    if (instant.isBefore(EARLIEST) || !instant.isBefore(END)) {
      errors.add(
          new FieldError(
              field,
              "must be from "
                  + EARLIEST
                  + " to before "
                  + END
                  + " (years 1 to 9999, UTC: the dates a page query can take), was "
                  + instant));
      return null;
    }
    return instant;
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
