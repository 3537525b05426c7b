package dev.backfill.cluster.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.backfill.engine.governor.GovernorBudget;
import dev.backfill.engine.governor.HealthThresholds;
import dev.backfill.protocol.http.Problem;
import dev.backfill.protocol.http.Problem.FieldError;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code PATCH /governor}: every number just inside its range is taken, just outside it is a 400
 * naming the field, and nothing is rounded, wrapped around or read as Infinity.
 */
class GovernorPatchTest {

  @Test
  void concurrentQueriesAreWholeFromOneTo64() {
    assertEquals(64, patched("{\"max_concurrent_queries\": 64}").budget().maxConcurrentQueries());
    assertEquals(1, patched("{\"max_concurrent_queries\": 1}").budget().maxConcurrentQueries());

    assertEquals(
        List.of(new FieldError("max_concurrent_queries", "must be a whole number in [1, 64], was 65")),
        refused("{\"max_concurrent_queries\": 65}").errors());
    // Read leniently, each of these was 2.
    assertRefused("{\"max_concurrent_queries\": 2.7}", "max_concurrent_queries");
    assertRefused("{\"max_concurrent_queries\": 2.0}", "max_concurrent_queries");
    assertRefused("{\"max_concurrent_queries\": 4294967298}", "max_concurrent_queries");
  }

  @Test
  void rowsPerSecondGoUpToAMillion() {
    assertEquals(1_000_000, patched("{\"max_rows_per_second\": 1000000}").budget().maxRowsPerSecond());

    assertRefused("{\"max_rows_per_second\": 1000000.5}", "max_rows_per_second");
    assertRefused("{\"max_rows_per_second\": 1e300}", "max_rows_per_second");
  }

  @Test
  void queryMillisPerSecondGoUpTo64Cores() {
    assertEquals(64_000, patched("{\"max_query_millis_per_second\": 64000}").budget().maxQueryMillisPerSecond());

    assertRefused("{\"max_query_millis_per_second\": 64000.5}", "max_query_millis_per_second");
  }

  @Test
  void liveRatiosAreBounded() {
    HealthThresholds widest =
        patched("{\"thresholds\": {\"live_ratio_warn\": 100, \"live_ratio_critical\": 1000}}").thresholds();
    assertEquals(100, widest.liveRatioWarn());
    assertEquals(1000, widest.liveRatioCritical());

    assertRefused("{\"thresholds\": {\"live_ratio_warn\": 100.5, \"live_ratio_critical\": 200}}", "thresholds.live_ratio_warn");
    assertRefused("{\"thresholds\": {\"live_ratio_critical\": 1000.5}}", "thresholds.live_ratio_critical");
    assertRefused("{\"thresholds\": {\"live_ratio_critical\": 1e300}}", "thresholds.live_ratio_critical");
  }

  @Test
  void otherThresholdsAreBounded() {
    HealthThresholds widest =
        patched(
                "{\"thresholds\": {\"probe_latency_critical_ms\": 600000, \"active_backends_critical\": 100000,"
                    + " \"replication_lag_critical_ms\": 86400000, \"resume_after_ms\": 3600000}}")
            .thresholds();
    assertEquals(600_000, widest.probeLatencyCriticalMs());
    assertEquals(100_000, widest.activeBackendsCritical());
    assertEquals(86_400_000, widest.replicationLagCriticalMs());
    assertEquals(Duration.ofHours(1), widest.resumeAfter());

    assertRefused("{\"thresholds\": {\"probe_latency_critical_ms\": 600001}}", "thresholds.probe_latency_critical_ms");
    assertRefused("{\"thresholds\": {\"active_backends_critical\": 100001}}", "thresholds.active_backends_critical");
    assertRefused(
        "{\"thresholds\": {\"replication_lag_critical_ms\": 86400001}}", "thresholds.replication_lag_critical_ms");
    assertRefused("{\"thresholds\": {\"resume_after_ms\": 3600001}}", "thresholds.resume_after_ms");
    // Read leniently, 1.5 ms was 1 ms.
    assertRefused("{\"thresholds\": {\"resume_after_ms\": 1.5}}", "thresholds.resume_after_ms");
    assertRefused("{\"thresholds\": {\"hysteresis\": 0.95}}", "thresholds.hysteresis");
  }

  @Test
  void everyBadFieldHasItsOwnEntryAndNothingIsApplied() {
    Problem problem =
        refused(
            "{\"max_concurrent_queries\": 65, \"max_rows_per_second\": 1e400,"
                + " \"thresholds\": {\"live_ratio_critical\": 1e300}}");

    assertEquals(
        List.of("max_concurrent_queries", "max_rows_per_second", "thresholds.live_ratio_critical"),
        problem.errors().stream().map(FieldError::field).toList());
  }

  @Test
  void aBareNanNamesItsFieldInsideThresholds() {
    var parsed =
        JsonPatchBody.parse(
            "{\"thresholds\": {\"live_ratio_warn\": NaN}}",
            field -> field.equals("thresholds") ? GovernorRoutes.THRESHOLD_FIELDS : null,
            GovernorRoutes.BUDGET_FIELDS);

    assertNotNull(parsed.problem());
    assertEquals(400, parsed.problem().status());
    assertEquals(
        List.of("thresholds.live_ratio_warn"), parsed.problem().errors().stream().map(FieldError::field).toList());
  }

  private static GovernorPatch.Outcome patched(String json) {
    GovernorPatch.Outcome outcome = patch(json);
    assertNull(outcome.problem(), () -> String.valueOf(outcome.problem()));
    return outcome;
  }

  private static Problem refused(String json) {
    GovernorPatch.Outcome outcome = patch(json);
    assertNotNull(outcome.problem(), () -> "accepted " + outcome.budget() + " " + outcome.thresholds());
    assertEquals(400, outcome.problem().status());
    return outcome.problem();
  }

  private static void assertRefused(String json, String field) {
    assertEquals(List.of(field), refused(json).errors().stream().map(FieldError::field).toList(), json);
  }

  private static GovernorPatch.Outcome patch(String json) {
    var parsed =
        JsonPatchBody.parse(
            json,
            field -> field.equals("thresholds") ? GovernorRoutes.THRESHOLD_FIELDS : null,
            GovernorRoutes.BUDGET_FIELDS);
    assertNull(parsed.problem(), () -> String.valueOf(parsed.problem()));
    return GovernorPatch.apply(parsed.body(), GovernorBudget.defaults(), HealthThresholds.defaults());
  }
}
