package dev.backfill.engine.governor;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The ranges of every number that can be changed while the cluster runs: a job's priority and
 * cap, and the governor's budget and thresholds. The HTTP API refuses values outside them (400),
 * and the governor refuses them too if one gets past the API: a governor that threw on a bad
 * number would restart in a loop with an empty state, and every job would stall.
 *
 * <p>The ranges are far wider than any real primary needs, so no operator meets their ends; what
 * they exclude is what breaks arithmetic (1e300 rows/s times a weight overflows to Infinity) or
 * memory (a slot is kept per allowed connection), and what makes no sense (a ratio at or below 1,
 * waits longer than an hour).
 */
public final class RuntimeLimits {

  /** A job's weight in the fair share: 1000 jobs of priority 1 weigh as much as one of 1000. */
  public static final NumberRange PRIORITY = NumberRange.above(0, 1_000);
  /** A job's own cap; it is also its claim on the governor's row rate. */
  public static final NumberRange CALLS_PER_SECOND = NumberRange.above(0, 1_000_000);

  /** Connections to the primary: PostgreSQL serves this many queries at once on 64 cores. */
  public static final NumberRange CONCURRENT_QUERIES = NumberRange.wholeBetween(1, 64);
  public static final NumberRange ROWS_PER_SECOND = NumberRange.above(0, 1_000_000);
  /** The primary's query time per second: 64,000 ms/s is all of 64 cores. */
  public static final NumberRange QUERY_MILLIS_PER_SECOND = NumberRange.above(0, 64_000);

  /** Ten minutes: the probe times out long before. */
  public static final NumberRange PROBE_LATENCY_MS = NumberRange.above(0, 600_000);
  /** PostgreSQL's max_connections cannot go much above this either. */
  public static final NumberRange ACTIVE_BACKENDS = NumberRange.wholeBetween(1, 100_000);
  /** A day. */
  public static final NumberRange REPLICATION_LAG_MS = NumberRange.above(0, 86_400_000);
  public static final NumberRange HYSTERESIS = NumberRange.between(0, HealthThresholds.MAX_HYSTERESIS);
  /** An hour. */
  public static final NumberRange RESUME_AFTER_MS = NumberRange.wholeBetween(0, 3_600_000);
  /** At or below 1 the primary's own healthy latency would read as a warning. */
  public static final NumberRange LIVE_RATIO_WARN = NumberRange.above(1, 100);
  /** Above the warning as well (HealthThresholds checks the order). */
  public static final NumberRange LIVE_RATIO_CRITICAL = NumberRange.above(1, 1_000);

  private static final Map<String, NumberRange> BUDGET =
      ordered(
          "max_concurrent_queries", CONCURRENT_QUERIES,
          "max_rows_per_second", ROWS_PER_SECOND,
          "max_query_millis_per_second", QUERY_MILLIS_PER_SECOND);

  private static final Map<String, NumberRange> THRESHOLDS =
      ordered(
          "probe_latency_warn_ms", PROBE_LATENCY_MS,
          "probe_latency_critical_ms", PROBE_LATENCY_MS,
          "active_backends_warn", ACTIVE_BACKENDS,
          "active_backends_critical", ACTIVE_BACKENDS,
          "replication_lag_warn_ms", REPLICATION_LAG_MS,
          "replication_lag_critical_ms", REPLICATION_LAG_MS,
          "hysteresis", HYSTERESIS,
          "resume_after_ms", RESUME_AFTER_MS,
          "live_ratio_warn", LIVE_RATIO_WARN,
          "live_ratio_critical", LIVE_RATIO_CRITICAL);

  private static final String THRESHOLDS_PREFIX = "thresholds.";

  private RuntimeLimits() {}

  /** The budget's fields as the API names them, in order. */
  public static Set<String> budgetFields() {
    return Collections.unmodifiableSet(BUDGET.keySet());
  }

  /** The thresholds' fields as the API names them, in order. */
  public static Set<String> thresholdFields() {
    return Collections.unmodifiableSet(THRESHOLDS.keySet());
  }

  /**
   * Every field of the budget and the thresholds with its value, named as a PATCH body and its
   * problems name it ("max_rows_per_second", "thresholds.live_ratio_warn"), in order: the names
   * the governor keeps its runtime changes under.
   */
  public static Map<String, Double> fieldValues(GovernorBudget budget, HealthThresholds thresholds) {
    Map<String, Double> fields = new LinkedHashMap<>(values(budget));
    values(thresholds).forEach((field, value) -> fields.put(THRESHOLDS_PREFIX + field, value));
    return fields;
  }

  /** The range of a field as {@link #fieldValues} names it; null for a field this version does not have. */
  static NumberRange range(String field) {
    return field.startsWith(THRESHOLDS_PREFIX)
        ? THRESHOLDS.get(field.substring(THRESHOLDS_PREFIX.length()))
        : BUDGET.get(field);
  }

  /**
   * The budget of these fields (named as {@link #fieldValues} names them, each in its range);
   * throws IllegalArgumentException as the record does.
   */
  static GovernorBudget budget(Map<String, Double> fields) {
    return new GovernorBudget(
        (int) field(fields, "max_concurrent_queries"),
        field(fields, "max_rows_per_second"),
        field(fields, "max_query_millis_per_second"));
  }

  /**
   * The thresholds of these fields (named as {@link #fieldValues} names them, each in its range);
   * throws IllegalArgumentException as the record does, a warning level at or above its critical
   * one among them.
   */
  static HealthThresholds thresholds(Map<String, Double> fields) {
    return new HealthThresholds(
        field(fields, "thresholds.probe_latency_warn_ms"),
        field(fields, "thresholds.probe_latency_critical_ms"),
        (int) field(fields, "thresholds.active_backends_warn"),
        (int) field(fields, "thresholds.active_backends_critical"),
        field(fields, "thresholds.replication_lag_warn_ms"),
        field(fields, "thresholds.replication_lag_critical_ms"),
        field(fields, "thresholds.hysteresis"),
        Duration.ofMillis((long) field(fields, "thresholds.resume_after_ms")),
        field(fields, "thresholds.live_ratio_warn"),
        field(fields, "thresholds.live_ratio_critical"));
  }

  private static double field(Map<String, Double> fields, String field) {
    Double value = fields.get(field);
    if (value == null) {
      throw new IllegalArgumentException(field + " is missing");
    }
    return value;
  }

  /** Why the governor cannot serve a job that claims this priority and cap, or null if it can. */
  public static String claimRefusal(double priority, Double maxCallsPerSecond) {
    String refusal = PRIORITY.refusal(priority);
    if (refusal != null) {
      return "priority " + refusal;
    }
    if (maxCallsPerSecond != null) {
      refusal = CALLS_PER_SECOND.refusal(maxCallsPerSecond);
      if (refusal != null) {
        return "max_calls_per_second " + refusal;
      }
    }
    return null;
  }

  /**
   * Each value that {@code next} changes from {@code current} to one outside its range, by field,
   * with why; empty when the change may be applied. Values kept as they are are not judged: they
   * come from the node's configuration, and a change of one field must not be refused for another.
   */
  public static Map<String, String> refusedChanges(GovernorBudget current, GovernorBudget next) {
    return refused(BUDGET, values(current), values(next));
  }

  /** As {@link #refusedChanges(GovernorBudget, GovernorBudget)}, for the thresholds. */
  public static Map<String, String> refusedChanges(HealthThresholds current, HealthThresholds next) {
    return refused(THRESHOLDS, values(current), values(next));
  }

  /**
   * Each configured value outside its range, by its key under {@code backfill.governor}, with why:
   * the configuration is held to the same ranges as the API, so that no node starts a governor
   * with, say, two billion query slots to allocate.
   */
  public static Map<String, String> outOfRange(GovernorBudget budget, HealthThresholds thresholds) {
    Map<String, String> outside = new LinkedHashMap<>();
    outside(BUDGET, values(budget), "", outside);
    outside(THRESHOLDS, values(thresholds), "thresholds.", outside);
    return outside;
  }

  private static void outside(
      Map<String, NumberRange> ranges, Map<String, Double> values, String prefix, Map<String, String> outside) {
    ranges.forEach(
        (field, range) -> {
          double value = values.get(field);
          if (!range.contains(value)) {
            String key = field.equals("resume_after_ms") ? "resume-after (in ms)" : field.replace('_', '-');
            outside.put(prefix + key, range.refusal(value));
          }
        });
  }

  private static Map<String, String> refused(
      Map<String, NumberRange> ranges, Map<String, Double> current, Map<String, Double> next) {
    Map<String, String> refused = new LinkedHashMap<>();
    ranges.forEach(
        (field, range) -> {
          double value = next.get(field);
          if (Double.compare(value, current.get(field)) != 0 && !range.contains(value)) {
            refused.put(field, range.refusal(value));
          }
        });
    return refused;
  }

  private static Map<String, Double> values(GovernorBudget budget) {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("max_concurrent_queries", (double) budget.maxConcurrentQueries());
    values.put("max_rows_per_second", budget.maxRowsPerSecond());
    values.put("max_query_millis_per_second", budget.maxQueryMillisPerSecond());
    return values;
  }

  private static Map<String, Double> values(HealthThresholds thresholds) {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("probe_latency_warn_ms", thresholds.probeLatencyWarnMs());
    values.put("probe_latency_critical_ms", thresholds.probeLatencyCriticalMs());
    values.put("active_backends_warn", (double) thresholds.activeBackendsWarn());
    values.put("active_backends_critical", (double) thresholds.activeBackendsCritical());
    values.put("replication_lag_warn_ms", thresholds.replicationLagWarnMs());
    values.put("replication_lag_critical_ms", thresholds.replicationLagCriticalMs());
    values.put("hysteresis", thresholds.hysteresis());
    values.put("resume_after_ms", millis(thresholds.resumeAfter()));
    values.put("live_ratio_warn", thresholds.liveRatioWarn());
    values.put("live_ratio_critical", thresholds.liveRatioCritical());
    return values;
  }

  // In a double: Duration.toMillis throws for durations of more than 292 million years.
  private static double millis(Duration duration) {
    return duration.getSeconds() * 1000.0 + duration.getNano() / 1_000_000.0;
  }

  private static Map<String, NumberRange> ordered(Object... fieldsAndRanges) {
    Map<String, NumberRange> ranges = new LinkedHashMap<>();
    for (int i = 0; i < fieldsAndRanges.length; i += 2) {
      ranges.put((String) fieldsAndRanges[i], (NumberRange) fieldsAndRanges[i + 1]);
    }
    return Collections.unmodifiableMap(ranges);
  }
}
