package dev.backfill.cluster.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.backfill.protocol.http.Problem;
import dev.backfill.protocol.http.Problem.FieldError;
import dev.backfill.protocol.job.JobTuning;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code PATCH /jobs/{id}}: the same ranges as at submission, every bad field named. */
class TuningPatchTest {

  private static final JobTuning CURRENT = new JobTuning(2, 300.0);

  @Test
  void priorityIsTakenUpToTheTopOfItsRangeAndRefusedJustPastIt() {
    assertEquals(new JobTuning(1000, 300.0), tuned("{\"priority\": 1000}"));
    assertEquals(
        List.of(new FieldError("priority", "must be a number in (0, 1000], was 1000.5")),
        refused("{\"priority\": 1000.5}").errors());
  }

  @Test
  void theCapIsTakenUpToTheTopOfItsRangeAndRefusedJustPastIt() {
    assertEquals(new JobTuning(2, 1_000_000.0), tuned("{\"max_calls_per_second\": 1000000}"));
    assertEquals(new JobTuning(2, null), tuned("{\"max_calls_per_second\": null}"));
    assertEquals(
        List.of(new FieldError("max_calls_per_second", "must be a number in (0, 1000000], was 1000000.5")),
        refused("{\"max_calls_per_second\": 1000000.5}").errors());
  }

  @Test
  void aNumberTooLargeForADoubleIsRefusedNotTakenAsInfinity() {
    assertEquals(
        List.of("max_calls_per_second"), fields(refused("{\"max_calls_per_second\": 1e400}")));
    assertEquals(List.of("priority"), fields(refused("{\"priority\": 1e400}")));
  }

  @Test
  void aBareNanNamesItsField() {
    var parsed = JsonPatchBody.parse("{\"priority\": NaN}", field -> null, Set.of("priority", "max_calls_per_second"));

    assertNotNull(parsed.problem());
    assertEquals(400, parsed.problem().status());
    assertEquals(List.of("priority"), fields(parsed.problem()));
  }

  @Test
  void everyBadFieldHasItsOwnEntry() {
    assertEquals(
        List.of("priority", "max_calls_per_second"),
        fields(refused("{\"priority\": 1e305, \"max_calls_per_second\": 1e300}")));
  }

  private static JobTuning tuned(String json) {
    TuningPatch.Outcome outcome = patch(json);
    assertNull(outcome.problem(), () -> String.valueOf(outcome.problem()));
    return outcome.tuning();
  }

  private static Problem refused(String json) {
    TuningPatch.Outcome outcome = patch(json);
    assertNotNull(outcome.problem(), () -> "accepted " + outcome.tuning());
    assertEquals(400, outcome.problem().status());
    return outcome.problem();
  }

  private static TuningPatch.Outcome patch(String json) {
    var parsed = JsonPatchBody.parse(json, field -> null, Set.of("priority", "max_calls_per_second"));
    assertNull(parsed.problem(), () -> String.valueOf(parsed.problem()));
    return TuningPatch.apply(parsed.body(), CURRENT);
  }

  private static List<String> fields(Problem problem) {
    return problem.errors().stream().map(FieldError::field).toList();
  }
}
