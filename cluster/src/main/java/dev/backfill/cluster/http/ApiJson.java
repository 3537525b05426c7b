package dev.backfill.cluster.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.backfill.protocol.http.Problem;
import dev.backfill.protocol.http.Problem.FieldError;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * The API's JSON: snake_case fields, ISO-8601 instants, unknown request fields refused, numbers
 * read strictly. One place builds every response, problems included, so they all look alike.
 */
public final class ApiJson {

  public static final ContentType PROBLEM_JSON =
      MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8).toContentType();

  public static final ObjectMapper MAPPER = mapper();

  private ApiJson() {}

  /**
   * Jackson's lenient defaults would read {@code "5"} as 5, 2.7 as a version or connection count
   * of 2, and "" as no value: a client's mistake would pass unseen, with a value it did not mean.
   * Here a number must be a JSON number, and a whole one where a whole one is wanted; an integer
   * too large for its field fails (Jackson never wraps one around when it binds a field; the
   * PATCH bodies, read as trees, are checked by {@link PatchNumbers}). NaN and Infinity are not
   * JSON numbers and fail to parse; as strings ("NaN"), Jackson reads them into a double whatever
   * the coercion settings, so the validators' range checks refuse them.
   */
  private static ObjectMapper mapper() {
    ObjectMapper mapper =
        JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    mapper.setSerializationInclusion(JsonInclude.Include.ALWAYS);
    for (LogicalType numbers : new LogicalType[] {LogicalType.Integer, LogicalType.Float}) {
      mapper
          .coercionConfigFor(numbers)
          .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }
    mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    return mapper;
  }

  /**
   * A body that is not JSON, naming the field whose value broke it off when there is one (NaN is
   * no JSON number: "priority", or "thresholds.live_ratio_warn").
   */
  static Problem malformed(JsonProcessingException failure) {
    return malformed(fieldBeingRead(failure), failure.getOriginalMessage());
  }

  static Problem malformed(String field, String detail) {
    String message = "the body is not valid JSON: " + detail;
    List<FieldError> errors = field.isEmpty() ? List.of() : List.of(new FieldError(field, message));
    return new Problem(
        "about:blank", "Malformed JSON", 400, (field.isEmpty() ? "" : field + ": ") + message, errors);
  }

  /** The dotted path of the field the parser was reading when it failed; "" outside any field. */
  private static String fieldBeingRead(JsonProcessingException failure) {
    if (!(failure instanceof StreamReadException read) || read.getProcessor() == null) {
      return "";
    }
    List<String> names = new ArrayList<>();
    for (JsonStreamContext context = read.getProcessor().getParsingContext();
        context != null;
        context = context.getParent()) {
      if (context.getCurrentName() != null) {
        names.add(0, context.getCurrentName());
      }
    }
    return String.join(".", names);
  }

  public static HttpResponse response(StatusCode status, Object body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, bytes(body)));
  }

  public static HttpResponse problem(Problem problem) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(problem.status()))
        .withEntity(HttpEntities.create(PROBLEM_JSON, bytes(problem)));
  }

  private static byte[] bytes(Object body) {
    try {
      return MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write response body", e);
    }
  }
}
