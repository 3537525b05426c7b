package dev.backfill.engine.governor;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code backfill.governor} block (backfill.conf), read once. */
public record GovernorSettings(
    GovernorBudget budget,
    HealthThresholds thresholds,
    AimdSettings aimd,
    Duration sampleInterval,
    String probeQuery,
    Duration probeTimeout,
    Duration leaseTtl,
    Duration slotCooldown,
    Duration jobIdleAfter,
    Duration askTimeout) {

  public static GovernorSettings create(Config root) {
    Config config = root.getConfig("backfill.governor");
    Config thresholds = config.getConfig("thresholds");
    Config aimd = config.getConfig("aimd");
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
            thresholds.getDuration("resume-after")),
        new AimdSettings(
            aimd.getDouble("increase-fraction"),
            aimd.getDouble("decrease-factor"),
            aimd.getDouble("min-fraction")),
        config.getDuration("sample-interval"),
        config.getString("probe-query"),
        config.getDuration("probe-timeout"),
        config.getDuration("lease-ttl"),
        config.getDuration("slot-cooldown"),
        config.getDuration("job-idle-after"),
        config.getDuration("ask-timeout"));
  }
}
