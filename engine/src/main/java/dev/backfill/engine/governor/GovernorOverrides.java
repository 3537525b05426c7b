package dev.backfill.engine.governor;

import dev.backfill.engine.governor.GovernorSettingsEvent.OverridesChanged;
import dev.backfill.protocol.CborSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The budget and threshold fields set at run time ({@code PATCH /governor}), each with its value
 * and when and through what it was set: the state of the governor's settings journal. They lie over
 * the configuration of the node that hosts the governor: a field set here wins over the configured
 * one, every other field follows the configuration, also a configuration changed since.
 *
 * <p>Fields are kept by their API names ({@link RuntimeLimits#fieldValues}), so an event written
 * by this version still reads after a field is added, and one this version does not know is shown
 * as not applied instead of failing the recovery.
 */
public record GovernorOverrides(Map<String, FieldOverride> fields) implements CborSerializable {

  public record FieldOverride(double value, Instant changedAt, String by) {}

  public static final GovernorOverrides NONE = new GovernorOverrides(Map.of());

  public GovernorOverrides {
    fields = fields == null ? Map.of() : Map.copyOf(fields);
  }

  GovernorOverrides with(OverridesChanged changed) {
    Map<String, FieldOverride> next = new HashMap<>(fields);
    changed.values().forEach((field, value) -> next.put(field, new FieldOverride(value, changed.at(), changed.by())));
    return new GovernorOverrides(next);
  }

  /**
   * The settings in force over this configuration: every override that fits it. One outside its
   * range (a range narrowed since it was set) or of a field this version lacks is left out; so are
   * a group's overrides (the budget's, the thresholds') that would put it out of order with the
   * configuration, say a warning level set at run time above a critical one lowered in the file
   * since. Those are named in {@code notApplied}, with why, and the group stays as configured.
   */
  InForce over(GovernorBudget budget, HealthThresholds thresholds) {
    Map<String, Double> values = RuntimeLimits.fieldValues(budget, thresholds);
    Map<String, String> notApplied = new LinkedHashMap<>();
    for (String field : ordered(values)) {
      double value = fields.get(field).value();
      NumberRange range = RuntimeLimits.range(field);
      if (range == null) {
        notApplied.put(field, "this version has no such field");
      } else if (!range.contains(value)) {
        notApplied.put(field, range.refusal(value));
      } else {
        values.put(field, value);
      }
    }
    GovernorBudget budgetInForce = budget;
    try {
      budgetInForce = RuntimeLimits.budget(values);
    } catch (IllegalArgumentException outOfOrder) {
      leaveOut(false, outOfOrder.getMessage(), notApplied);
    }
    HealthThresholds thresholdsInForce = thresholds;
    try {
      thresholdsInForce = RuntimeLimits.thresholds(values);
    } catch (IllegalArgumentException outOfOrder) {
      leaveOut(true, outOfOrder.getMessage(), notApplied);
    }
    return new InForce(budgetInForce, thresholdsInForce, notApplied);
  }

  /** The budget and thresholds in force; {@code notApplied}: each override left out, with why. */
  record InForce(GovernorBudget budget, HealthThresholds thresholds, Map<String, String> notApplied) {}

  /** The overridden fields in the order the API lists them, then any this version does not know. */
  List<String> ordered(Map<String, Double> known) {
    List<String> ordered = new ArrayList<>();
    for (String field : known.keySet()) {
      if (fields.containsKey(field)) {
        ordered.add(field);
      }
    }
    for (String field : new TreeSet<>(fields.keySet())) {
      if (!known.containsKey(field)) {
        ordered.add(field);
      }
    }
    return ordered;
  }

  private void leaveOut(boolean thresholdFields, String why, Map<String, String> notApplied) {
    for (String field : fields.keySet()) {
      if (field.startsWith("thresholds.") == thresholdFields && RuntimeLimits.range(field) != null) {
        notApplied.putIfAbsent(field, why);
      }
    }
  }
}
