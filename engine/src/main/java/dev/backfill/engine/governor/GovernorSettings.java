package dev.backfill.engine.governor;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * The {@code backfill.governor} block (backfill.conf), read once.
 *
 * @param sampleInterval how often the policy decides (from the probes gathered meanwhile)
 * @param loadInterval how often the slower signals (other backends, replication lag) are read
 * @param probeRoundTrips how many times one live probe runs its query in a row (the live path's
 *     transactions make several round trips, each of which can wait behind a page query)
 * @param targetPageMillis how long one page query should hold the primary
 * @param minPageRows the smallest page, and the first page's size before its cost is known
 * @param connectionIdleTimeout how long a node keeps a slot's connection open with no query on it
 * @param slotHandover how long after its release a slot may go to another node; longer than
 *     {@code connectionIdleTimeout}, so the first node has closed its connection by then
 * @param slotTenure how long a node keeps a slot that another node waits for before its turn ends
 * @param settingsReadTimeout how long a governor that starts grants no lease while it reads the
 *     runtime changes from the journal; after it, leases go out on the configuration until they
 *     are read (0: at once)
 */
public record GovernorSettings(
    GovernorBudget budget,
    HealthThresholds thresholds,
    AimdSettings aimd,
    LivePathSettings livePath,
    Duration sampleInterval,
    Duration loadInterval,
    String probeQuery,
    int probeRoundTrips,
    Duration probeTimeout,
    double targetPageMillis,
    int minPageRows,
    Duration leaseTtl,
    Duration connectionIdleTimeout,
    Duration slotHandover,
    Duration slotTenure,
    Duration jobIdleAfter,
    Duration askTimeout,
    Duration settingsReadTimeout) {

  public GovernorSettings {
    requirePositive("sample-interval", sampleInterval);
    requirePositive("load-interval", loadInterval);
    requirePositive("probe-timeout", probeTimeout);
    requirePositive("lease-ttl", leaseTtl);
    requirePositive("connection-idle-timeout", connectionIdleTimeout);
    requirePositive("slot-tenure", slotTenure);
    requirePositive("job-idle-after", jobIdleAfter);
    requirePositive("ask-timeout", askTimeout);
    if (settingsReadTimeout == null || settingsReadTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "backfill.governor.settings-read-timeout must not be negative, was " + settingsReadTimeout);
    }
    // Checked here, at start-up: a bad value would otherwise throw inside the governor, which
    // would restart for ever while every job waits for an answer.
    var outOfRange = RuntimeLimits.outOfRange(budget, thresholds);
    if (!outOfRange.isEmpty()) {
      throw new IllegalArgumentException(
          outOfRange.entrySet().stream()
              .map(bad -> "backfill.governor." + bad.getKey() + " " + bad.getValue())
              .collect(Collectors.joining("; ")));
    }
    if (!(targetPageMillis > 0) || Double.isInfinite(targetPageMillis)) {
      throw new IllegalArgumentException(
          "backfill.governor.target-page-millis must be positive and finite, was " + targetPageMillis);
    }
    if (minPageRows < 1) {
      throw new IllegalArgumentException("backfill.governor.min-page-rows must be at least 1, was " + minPageRows);
    }
    if (slotHandover.compareTo(connectionIdleTimeout) <= 0) {
      throw new IllegalArgumentException(
          "backfill.governor.slot-handover ("
              + slotHandover
              + ") must be longer than connection-idle-timeout ("
              + connectionIdleTimeout
              + "), or two nodes could hold one slot's connection at once");
    }
  }

  private static void requirePositive(String key, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("backfill.governor." + key + " must be positive, was " + value);
    }
  }

  public static GovernorSettings create(Config root) {
    Config config = root.getConfig("backfill.governor");
    Config thresholds = config.getConfig("thresholds");
    Config aimd = config.getConfig("aimd");
    Config live = config.getConfig("live-path");
    return new GovernorSettings(
        new GovernorBudget(
            config.getInt("max-concurrent-queries"),
            config.getDouble("max-rows-per-second"),
            config.getDouble("max-query-millis-per-second")),
        new HealthThresholds(
            thresholds.getDouble("probe-latency-warn-ms"),
            thresholds.getDouble("probe-latency-critical-ms"),
            thresholds.getInt("active-backends-warn"),
            thresholds.getInt("active-backends-critical"),
            thresholds.getDouble("replication-lag-warn-ms"),
            thresholds.getDouble("replication-lag-critical-ms"),
            thresholds.getDouble("hysteresis"),
            thresholds.getDuration("resume-after"),
            thresholds.getDouble("live-ratio-warn"),
            thresholds.getDouble("live-ratio-critical")),
        new AimdSettings(
            aimd.getDouble("increase-fraction"),
            aimd.getDouble("decrease-factor"),
            aimd.getDouble("min-fraction")),
        new LivePathSettings(
            live.getDuration("probe-interval"),
            live.getDuration("recent-span"),
            live.getDuration("tail-span"),
            live.getDouble("tail-percentile"),
            live.getDuration("baseline-refresh"),
            live.getDuration("quiet-settle"),
            live.getInt("quiet-probes"),
            live.getDuration("quiet-max"),
            live.getDuration("live-latency"),
            live.getDouble("untouched-tail-excuse"),
            live.getBoolean("co-located")),
        config.getDuration("sample-interval"),
        config.getDuration("load-interval"),
        config.getString("probe-query"),
        config.getInt("probe-round-trips"),
        config.getDuration("probe-timeout"),
        config.getDouble("target-page-millis"),
        config.getInt("min-page-rows"),
        config.getDuration("lease-ttl"),
        config.getDuration("connection-idle-timeout"),
        config.getDuration("slot-handover"),
        config.getDuration("slot-tenure"),
        config.getDuration("job-idle-after"),
        config.getDuration("ask-timeout"),
        config.getDuration("settings-read-timeout"));
  }
}
