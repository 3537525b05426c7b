package dev.backfill.cluster.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backfill.engine.governor.RuntimeLimits;
import java.util.LinkedHashSet;
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
