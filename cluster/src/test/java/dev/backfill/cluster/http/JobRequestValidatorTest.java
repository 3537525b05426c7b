package dev.backfill.cluster.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backfill.engine.processor.ProcessorRegistry;
import dev.backfill.protocol.http.Problem;
import dev.backfill.protocol.http.Problem.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The numbers of {@code POST /jobs}: in range, finite, and JSON numbers of the right kind. */
class JobRequestValidatorTest {

  private final JobRequestValidator validator = new JobRequestValidator(ProcessorRegistry.load());

  @Test
  void priorityIsTakenUpToTheTopOfItsRangeAndRefusedJustPastIt() {
    assertEquals(1000.0, accepted(submit("\"priority\":1000")).tuning().priority());
    assertEquals(1e-9, accepted(submit("\"priority\":1e-9")).tuning().priority());

    Problem refused = refused(submit("\"priority\":1000.001"), "priority");
    assertEquals(List.of(new FieldError("priority", "must be a number in (0, 1000], was 1000.001")), refused.errors());
    refused(submit("\"priority\":1e305"), "priority");
  }

  @Test
  void theCapIsTakenUpToTheTopOfItsRangeAndRefusedJustPastIt() {
    assertEquals(1_000_000.0, accepted(submit("\"max_calls_per_second\":1000000")).tuning().maxCallsPerSecond());

    refused(submit("\"max_calls_per_second\":1000000.5"), "max_calls_per_second");
  }

  @Test
  void infinityIsRefusedHoweverItIsWritten() {
    // 1e400 is a JSON number too large for a double: Jackson reads it as Infinity.
    refused(submit("\"priority\":1e400"), "priority");
    // As strings, Jackson reads "Infinity" and "NaN" into a double whatever its coercion settings.
    refused(submit("\"priority\":\"Infinity\""), "priority");
    refused(submit("\"max_calls_per_second\":\"Infinity\""), "max_calls_per_second");
  }

  @Test
  void aBareNanIsNotJsonAndTheProblemNamesItsField() {
    Problem problem = refused(submit("\"priority\":NaN"), "priority");

    assertEquals("Malformed JSON", problem.title());
  }

  @Test
  void aNumberInAStringIsRefused() {
    Problem problem = refused(submit("\"priority\":\"5\""), "priority");
    assertTrue(problem.detail().contains("a JSON number, not a string"), problem::detail);

    refused(submit("\"max_calls_per_second\":\"100\""), "max_calls_per_second");
    refused(validator.validate("{\"processor\":\"talk-ratio\",\"version\":\"1\"}"), "version");
  }

  @Test
  void aWholeNumberIsNeitherRoundedNorWrappedAround() {
    // Read leniently, 1.5 would be version 1, and accepted.
    refused(validator.validate("{\"processor\":\"talk-ratio\",\"version\":1.5}"), "version");
    refused(validator.validate("{\"processor\":\"talk-ratio\",\"version\":4294967297}"), "version");
  }

  @Test
  void everyBadNumberHasItsOwnEntry() {
    Problem problem = validator.validate(
            "{\"processor\":\"talk-ratio\",\"version\":1,\"priority\":0,\"max_calls_per_second\":1e7}")
        .problem();

    assertNotNull(problem);
    assertEquals(
        List.of("priority", "max_calls_per_second"),
        problem.errors().stream().map(FieldError::field).toList());
  }

  private JobRequestValidator.Outcome submit(String field) {
    return validator.validate("{\"processor\":\"talk-ratio\",\"version\":1," + field + "}");
  }

  private static JobRequestValidator.Outcome accepted(JobRequestValidator.Outcome outcome) {
    assertNull(outcome.problem(), () -> String.valueOf(outcome.problem()));
    return outcome;
  }

  private static Problem refused(JobRequestValidator.Outcome outcome, String field) {
    Problem problem = outcome.problem();
    assertNotNull(problem, "accepted, should have been refused for " + field);
    assertEquals(400, problem.status());
    assertTrue(
        problem.errors().stream().anyMatch(error -> error.field().equals(field)), problem::toString);
    return problem;
  }
}
