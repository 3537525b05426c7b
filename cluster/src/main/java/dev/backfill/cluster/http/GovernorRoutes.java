package dev.backfill.cluster.http;

import com.fasterxml.jackson.databind.JsonNode;
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
 *   PATCH /governor   change budget and/or thresholds; 400 (and no change) when a field is
 *                     unknown, not a number, outside its range (RuntimeLimits) or out of order
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
                  var patched = GovernorPatch.apply(body, current.budget(), current.thresholds());
                  if (patched.problem() != null) {
                    return CompletableFuture.completedFuture(ApiJson.problem(patched.problem()));
                  }
                  // The governor checks the values again and refuses, not applies, a bad one: a
                  // refusal here is about the request's values, so a 400 like the checks above.
                  return governor
                      .update(patched.budget(), patched.thresholds())
                      .handle(
                          (view, failure) ->
                              failure != null
                                  ? ApiErrors.toInvalidResponse(failure)
                                  : ApiJson.response(StatusCodes.OK, view));
                })
            .exceptionally(ApiErrors::toResponse);
    return completeWithFuture(response);
  }

  private static CompletionStage<HttpResponse> respond(CompletionStage<?> view) {
    return view.handle(
        (value, failure) ->
            failure != null ? ApiErrors.toResponse(failure) : ApiJson.response(StatusCodes.OK, value));
  }
}
