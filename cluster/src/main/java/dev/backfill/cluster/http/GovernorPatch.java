package dev.backfill.cluster.http;

import static dev.backfill.engine.governor.RuntimeLimits.ACTIVE_BACKENDS;
import static dev.backfill.engine.governor.RuntimeLimits.CONCURRENT_QUERIES;
import static dev.backfill.engine.governor.RuntimeLimits.HYSTERESIS;
import static dev.backfill.engine.governor.RuntimeLimits.LIVE_RATIO_CRITICAL;
import static dev.backfill.engine.governor.RuntimeLimits.LIVE_RATIO_WARN;
import static dev.backfill.engine.governor.RuntimeLimits.PROBE_LATENCY_MS;
import static dev.backfill.engine.governor.RuntimeLimits.QUERY_MILLIS_PER_SECOND;
import static dev.backfill.engine.governor.RuntimeLimits.REPLICATION_LAG_MS;
import static dev.backfill.engine.governor.RuntimeLimits.RESUME_AFTER_MS;
import static dev.backfill.engine.governor.RuntimeLimits.ROWS_PER_SECOND;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backfill.engine.governor.GovernorBudget;
import dev.backfill.engine.governor.HealthThresholds;
import dev.backfill.protocol.http.Problem;
import dev.backfill.protocol.http.Problem.FieldError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A {@code PATCH /governor} body (already checked for shape by {@link JsonPatchBody}) applied to
 * the governor's budget and thresholds: the new ones, or a problem naming every bad field, with
 * nothing to change. Each number must lie in its range ({@link
 * dev.backfill.engine.governor.RuntimeLimits}); then the records check what involves two fields
 * (a warning level below its critical one).
 */
final class GovernorPatch {

  /** Either the new budget and thresholds or a problem, never both. */
  record Outcome(GovernorBudget budget, HealthThresholds thresholds, Problem problem) {}

  private GovernorPatch() {}

  /**
   * The fields a body sets, as the governor keeps them: "max_rows_per_second",
   * "thresholds.live_ratio_warn". Only these are changed and kept over the configuration; the
   * others stay as they are, also when this request read them before another changed them.
   */
  static Set<String> namedFields(JsonNode body) {
    Set<String> fields = new LinkedHashSet<>();
    body.fieldNames()
        .forEachRemaining(
            field -> {
              if (!field.equals("thresholds")) {
                fields.add(field);
              }
            });
    body.path("thresholds").fieldNames().forEachRemaining(field -> fields.add("thresholds." + field));
    return fields;
  }

  static Outcome apply(JsonNode body, GovernorBudget budget, HealthThresholds thresholds) {
    List<FieldError> errors = new ArrayList<>();
    PatchNumbers top = new PatchNumbers(body, "", errors);
    PatchNumbers nested = new PatchNumbers(body.path("thresholds"), "thresholds.", errors);

    int concurrentQueries = top.wholeNumber("max_concurrent_queries", CONCURRENT_QUERIES, budget.maxConcurrentQueries());
    double rowsPerSecond = top.number("max_rows_per_second", ROWS_PER_SECOND, budget.maxRowsPerSecond());
    double queryMillisPerSecond =
        top.number("max_query_millis_per_second", QUERY_MILLIS_PER_SECOND, budget.maxQueryMillisPerSecond());

    double probeWarn = nested.number("probe_latency_warn_ms", PROBE_LATENCY_MS, thresholds.probeLatencyWarnMs());
    double probeCritical =
        nested.number("probe_latency_critical_ms", PROBE_LATENCY_MS, thresholds.probeLatencyCriticalMs());
    int backendsWarn = nested.wholeNumber("active_backends_warn", ACTIVE_BACKENDS, thresholds.activeBackendsWarn());
    int backendsCritical =
        nested.wholeNumber("active_backends_critical", ACTIVE_BACKENDS, thresholds.activeBackendsCritical());
    double lagWarn = nested.number("replication_lag_warn_ms", REPLICATION_LAG_MS, thresholds.replicationLagWarnMs());
    double lagCritical =
        nested.number("replication_lag_critical_ms", REPLICATION_LAG_MS, thresholds.replicationLagCriticalMs());
    double hysteresis = nested.number("hysteresis", HYSTERESIS, thresholds.hysteresis());
    Duration resumeAfter = nested.millis("resume_after_ms", RESUME_AFTER_MS, thresholds.resumeAfter());
    double ratioWarn = nested.number("live_ratio_warn", LIVE_RATIO_WARN, thresholds.liveRatioWarn());
    double ratioCritical = nested.number("live_ratio_critical", LIVE_RATIO_CRITICAL, thresholds.liveRatioCritical());

    if (!errors.isEmpty()) {
      return new Outcome(null, null, JsonPatchBody.invalid(errors));
    }
    try {
      return new Outcome(
          new GovernorBudget(concurrentQueries, rowsPerSecond, queryMillisPerSecond),
          new HealthThresholds(
              probeWarn,
              probeCritical,
              backendsWarn,
              backendsCritical,
              lagWarn,
              lagCritical,
              hysteresis,
              resumeAfter,
              ratioWarn,
              ratioCritical),
          null);
    } catch (IllegalArgumentException refused) {
      return new Outcome(null, null, JsonPatchBody.invalid(refused));
    }
  }
}
