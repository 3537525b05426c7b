package dev.backfill.cluster.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backfill.engine.governor.GovernorView;
import dev.backfill.engine.governor.RuntimeLimits;
import dev.backfill.protocol.http.Problem;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The governor at run time, no restart:
 *
 * <pre>
 *   GET    /governor             budget, thresholds and where they come from (settings), every
 *                                signal's last reading, the rate in force and why
 *   PATCH  /governor             change budget and/or thresholds, kept in the journal over the
 *                                configuration; 400 (and no change) when a field is unknown, not a
 *                                number, outside its range (RuntimeLimits) or out of order; 503 (and
 *                                no change) when the journal does not take it
 *   DELETE /governor/overrides   drop every runtime change: the configuration is in force again
 * </pre>
 */
public final class GovernorRoutes extends AllDirectives {

  /** What a PATCH body may name: the fields RuntimeLimits bounds, so the two lists cannot drift. */
  static final Set<String> BUDGET_FIELDS = withThresholds(RuntimeLimits.budgetFields());
  static final Set<String> THRESHOLD_FIELDS = RuntimeLimits.thresholdFields();

  private static Set<String> withThresholds(Set<String> budgetFields) {
    Set<String> fields = new LinkedHashSet<>(budgetFields);
    fields.add("thresholds");
    return Set.copyOf(fields);
  }

  private final GovernorControl governor;

  public GovernorRoutes(GovernorControl governor) {
    this.governor = governor;
  }

  public Route routes() {
    return concat(
        path(
            "governor",
            () ->
                concat(
                    get(() -> completeWithFuture(respond(governor.view()))),
                    patch(() -> entity(Unmarshaller.entityToString(), this::update)))),
        path(
            PathMatchers.segment("governor").slash("overrides"),
            () -> delete(() -> completeWithFuture(changed(governor.clearOverrides())))));
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
                  // Only the fields the body names are sent as changes: another PATCH that
                  // changed a field since the view above was read keeps its change.
                  return changed(
                      governor.update(patched.budget(), patched.thresholds(), GovernorPatch.namedFields(body)));
                })
            .exceptionally(ApiErrors::toResponse);
    return completeWithFuture(response);
  }

  /**
   * The governor checks the values again and refuses, not applies, a bad one: a refusal is about
   * the request's values, so a 400 like the checks before it. A journal that does not take the
   * change is the service's trouble, not the request's: 503, and the change is not in force.
   */
  private static CompletionStage<HttpResponse> changed(CompletionStage<GovernorView> change) {
    return change.handle(
        (view, failure) -> {
          if (failure == null) {
            return ApiJson.response(StatusCodes.OK, view);
          }
          Throwable cause =
              failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
          if (cause instanceof GovernorControl.Unavailable unavailable) {
            return ApiJson.problem(Problem.of(503, "Service Unavailable", unavailable.getMessage()));
          }
          return ApiErrors.toInvalidResponse(failure);
        });
  }

  private static CompletionStage<HttpResponse> respond(CompletionStage<?> view) {
    return view.handle(
        (value, failure) ->
            failure != null ? ApiErrors.toResponse(failure) : ApiJson.response(StatusCodes.OK, value));
  }
}
