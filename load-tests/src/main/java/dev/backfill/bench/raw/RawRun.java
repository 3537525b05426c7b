package dev.backfill.bench.raw;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of one measured run of {@code bench raw}.
 *
 * @param budget "default" (the engine as shipped), "out of the way" (the governor's budget and
 *     thresholds raised so that only the engine's own cost limits it) or "none" (raw)
 * @param cpuMsPerCall CPU milliseconds per call summed over every process: this benchmark's JVM,
 *     the nodes, both PostgreSQL instances, Cassandra
 * @param internodeBytesPerCall bytes between the nodes per call, from the kernel's socket counters
 * @param nodeShares each node's share of the calls recorded in the window
 * @param throttledMs time in the window the job's status was THROTTLED (polled every 250 ms)
 */
record RawRun(
    String name,
    String design,
    int nodes,
    String budget,
    int round,
    long calls,
    double seconds,
    double cpuMsPerCall,
    double internodeBytesPerCall,
    List<Double> nodeShares,
    int primaryMaxConnections,
    int connectionSamples,
    long throttledMs,
    long skipped) {

  double callsPerSecond() {
    return calls / seconds;
  }

  Map<String, Object> asJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    json.put("design", design);
    json.put("nodes", nodes);
    json.put("budget", budget);
    json.put("round", round);
    json.put("calls", calls);
    json.put("seconds", round(seconds, 1));
    json.put("calls_per_second", round(callsPerSecond(), 1));
    json.put("cpu_ms_per_call", round(cpuMsPerCall, 3));
    json.put("internode_bytes_per_call", round(internodeBytesPerCall, 1));
    json.put("node_shares", nodeShares.stream().map(share -> round(share, 3)).toList());
    json.put("primary_max_connections", primaryMaxConnections);
    json.put("primary_connection_samples", connectionSamples);
    json.put("throttled_ms", throttledMs);
    json.put("skipped", skipped);
    return json;
  }

  static double round(double value, int places) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return value;
    }
    double scale = Math.pow(10, places);
    return Math.round(value * scale) / scale;
  }
}
