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

  @Test
  void aDateOutsideWhatAPageQueryCanTakeIsRefusedNamingTheField() {
    // Beyond PostgreSQL's timestamptz (294276 AD, 4713 BC) or any four-digit year: every page
    // query of such a job would fail.
    Problem late = refused(submit("\"from\":\"+300000-01-01T00:00:00Z\""), "from");
    assertTrue(message(late, "from").contains("years 1 to 9999"), late::toString);
    refused(submit("\"to\":\"+1000000000-12-31T23:59:59Z\""), "to");
    refused(submit("\"to\":\"+10000-01-01\""), "to");
    refused(submit("\"from\":\"-4714-11-24T00:00:00Z\""), "from");
    refused(submit("\"from\":\"0000-12-31\""), "from");

    accepted(submit("\"from\":\"0001-01-01\",\"to\":\"9999-12-31T23:59:59.999999999Z\""));
  }

  @Test
  void aNulCharacterIsRefusedInTheTenantAndEveryOtherString() {
    Problem tenant = refused(submit("\"tenant\":\"acme\\u0000\""), "tenant");
    assertTrue(message(tenant, "tenant").contains("NUL"), tenant::toString);

    Problem keywords =
        refused(
            validator.validate(
                "{\"processor\":\"keyword-tracker\",\"version\":1,\"parameters\":{\"keywords\":\"price\\u0000\"}}"),
            "parameters.keywords");
    assertTrue(message(keywords, "parameters.keywords").contains("NUL"), keywords::toString);
    Problem processor =
        refused(validator.validate("{\"processor\":\"talk-ratio\\u0000\",\"version\":1}"), "processor");
    assertTrue(message(processor, "processor").contains("NUL"), processor::toString);
    refused(submit("\"from\":\"2025-01-01\\u0000\""), "from");
  }

  @Test
  void halfOfASurrogatePairIsRefused() {
    Problem problem = refused(submit("\"tenant\":\"acme\\ud800\""), "tenant");

    assertTrue(message(problem, "tenant").contains("surrogate"), problem::toString);
    accepted(submit("\"tenant\":\"acme \\ud83d\\ude00\""));
  }

  @Test
  void overlyLongStringsAreRefusedWithoutBeingEchoed() {
    String tenant = "t".repeat(JobRequestValidator.MAX_TENANT_LENGTH);
    assertEquals(tenant, accepted(submit("\"tenant\":\"" + tenant + "\"")).spec().tenant());
    Problem longTenant = refused(submit("\"tenant\":\"" + tenant + "t\""), "tenant");
    assertTrue(message(longTenant, "tenant").contains("at most 256 characters"), longTenant::toString);

    String processor = "p".repeat(100_000);
    Problem longProcessor =
        refused(validator.validate("{\"processor\":\"" + processor + "\",\"version\":1}"), "processor");
    assertTrue(longProcessor.detail().length() < 1_000, "the detail does not echo 100,000 characters");

    // A value the keyword tracker would accept (one keyword, said many times), but too long to carry.
    String keywords = "price,".repeat(1_000);
    refused(
        validator.validate(
            "{\"processor\":\"keyword-tracker\",\"version\":1,\"parameters\":{\"keywords\":\"" + keywords + "\"}}"),
        "parameters.keywords");
    Problem longName =
        refused(submit("\"parameters\":{\"" + "n".repeat(65) + "\":\"1\"}"), "parameters");
    assertTrue(longName.detail().length() < 1_000, longName::detail);
  }

  @Test
  void aParameterThatIsNullIsRefusedNamingIt() {
    refused(
        validator.validate(
            "{\"processor\":\"keyword-tracker\",\"version\":1,\"parameters\":{\"keywords\":null}}"),
        "parameters.keywords");
  }

  private static String message(Problem problem, String field) {
    return problem.errors().stream()
        .filter(error -> error.field().equals(field))
        .map(FieldError::message)
        .findFirst()
        .orElseThrow();
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
