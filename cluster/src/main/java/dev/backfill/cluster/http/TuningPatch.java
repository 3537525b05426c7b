package dev.backfill.cluster.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backfill.engine.governor.RuntimeLimits;
import dev.backfill.protocol.http.Problem;
import dev.backfill.protocol.http.Problem.FieldError;
import dev.backfill.protocol.job.JobTuning;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code PATCH /jobs/{id}} body (already checked for shape by {@link JsonPatchBody}) applied to
 * the job's tuning: the new tuning, or a problem naming every bad field. The ranges are those the
 * governor serves ({@link RuntimeLimits}), so a job tuned here is never refused a lease for it.
 */
final class TuningPatch {

  /** Either the new tuning or a problem, never both. */
  record Outcome(JobTuning tuning, Problem problem) {}

  private TuningPatch() {}

  static Outcome apply(JsonNode body, JobTuning current) {
    List<FieldError> errors = new ArrayList<>();
    PatchNumbers fields = new PatchNumbers(body, "", errors);
    double priority = fields.number("priority", RuntimeLimits.PRIORITY, current.priority());
    Double cap =
        fields.numberOrNull("max_calls_per_second", RuntimeLimits.CALLS_PER_SECOND, current.maxCallsPerSecond());
    if (!errors.isEmpty()) {
      return new Outcome(null, JsonPatchBody.invalid(errors));
    }
    // In range, so JobTuning (which refuses only what no range holds) accepts it.
    return new Outcome(new JobTuning(priority, cap), null);
  }
}
