package dev.backfill.cluster.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backfill.engine.governor.GovernorBudget;
import dev.backfill.engine.governor.HealthThresholds;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The governor at run time, no restart:
 *
 * <pre>
 *   GET   /governor   budget, thresholds, every signal's last reading, the rate in force and why
 *   PATCH /governor   change budget and/or thresholds; 400 (and no change) when invalid
 * </pre>
 */
public final class GovernorRoutes extends AllDirectives {

  static final Set<String> BUDGET_FIELDS =
      Set.of("max_concurrent_queries", "max_rows_per_second", "max_query_millis_per_second", "thresholds");
  static final Set<String> THRESHOLD_FIELDS =
      Set.of(
          "probe_latency_warn_ms",
          "probe_latency_critical_ms",
          "active_backends_warn",
          "active_backends_critical",
          "replication_lag_warn_ms",
          "replication_lag_critical_ms",
          "hysteresis",
          "resume_after_ms",
          "live_ratio_warn",
          "live_ratio_critical");

  private final GovernorControl governor;

  public GovernorRoutes(GovernorControl governor) {
    this.governor = governor;
  }

  public Route routes() {
    return path(
        "governor",
        () ->
            concat(
                get(() -> completeWithFuture(respond(governor.view()))),
                patch(() -> entity(Unmarshaller.entityToString(), this::update))));
  }

  private Route update(String text) {
    var parsed =
        JsonPatchBody.parse(text, field -> field.equals("thresholds") ? THRESHOLD_FIELDS : null, BUDGET_FIELDS);
    if (parsed.problem() != null) {
      return complete(ApiJson.problem(parsed.problem()));
    }
    JsonNode body = parsed.body();
    CompletionStage<HttpResponse> response =
        governor
            .view()
            .thenCompose(
                current -> {
                  GovernorBudget budget;
                  HealthThresholds thresholds;
                  try {
                    budget = budget(body, current.budget());
                    thresholds = thresholds(body.path("thresholds"), current.thresholds());
                  } catch (IllegalArgumentException refused) {
                    return CompletableFuture.completedFuture(ApiJson.problem(JsonPatchBody.invalid(refused)));
                  }
                  return respond(governor.update(budget, thresholds));
                });
    return completeWithFuture(response);
  }

  private static GovernorBudget budget(JsonNode body, GovernorBudget current) {
    return new GovernorBudget(
        body.has("max_concurrent_queries") ? body.get("max_concurrent_queries").asInt() : current.maxConcurrentQueries(),
        number(body, "max_rows_per_second", current.maxRowsPerSecond()),
        number(body, "max_query_millis_per_second", current.maxQueryMillisPerSecond()));
  }

  private static HealthThresholds thresholds(JsonNode body, HealthThresholds current) {
    return new HealthThresholds(
        number(body, "probe_latency_warn_ms", current.probeLatencyWarnMs()),
        number(body, "probe_latency_critical_ms", current.probeLatencyCriticalMs()),
        body.has("active_backends_warn") ? body.get("active_backends_warn").asInt() : current.activeBackendsWarn(),
        body.has("active_backends_critical")
            ? body.get("active_backends_critical").asInt()
            : current.activeBackendsCritical(),
        number(body, "replication_lag_warn_ms", current.replicationLagWarnMs()),
        number(body, "replication_lag_critical_ms", current.replicationLagCriticalMs()),
        number(body, "hysteresis", current.hysteresis()),
        body.has("resume_after_ms")
            ? Duration.ofMillis(body.get("resume_after_ms").asLong())
            : current.resumeAfter(),
        number(body, "live_ratio_warn", current.liveRatioWarn()),
        number(body, "live_ratio_critical", current.liveRatioCritical()));
  }

  private static double number(JsonNode body, String field, double current) {
    if (!body.has(field)) {
      return current;
    }
    if (body.get(field).isNull()) {
      throw new IllegalArgumentException(field + " cannot be null");
    }
    return body.get(field).asDouble();
  }

  private static CompletionStage<HttpResponse> respond(CompletionStage<?> view) {
    return view.handle(
        (value, failure) ->
            failure != null ? ApiErrors.toResponse(failure) : ApiJson.response(StatusCodes.OK, value));
  }
}
