package dev.backfill.bench.live;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the live workload saw during its measured window, as its one line of JSON on stdout.
 * Latencies run from each request's due time, not from when a worker got to it.
 *
 * @param requests measured requests that committed (the histogram's count)
 * @param errors measured requests that failed; they are not in the latencies
 * @param unfinished measured requests that had not finished when the workload gave up (30 s after
 *     its window): they are in the latencies with the time they had waited, a lower bound, so a
 *     non-zero count means every percentile it touches is a lower bound too
 */
public record LiveResult(
    @JsonProperty("requests") long requests,
    @JsonProperty("errors") long errors,
    @JsonProperty("p50_ms") double p50Ms,
    @JsonProperty("p99_ms") double p99Ms,
    @JsonProperty("p999_ms") double p999Ms,
    @JsonProperty("max_ms") double maxMs,
    @JsonProperty("mean_ms") double meanMs,
    @JsonProperty("unfinished") long unfinished) {

  public LiveResult withUnfinished(long count) {
    return new LiveResult(requests, errors, p50Ms, p99Ms, p999Ms, maxMs, meanMs, count);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  public static LiveResult parse(String jsonLine) {
    try {
      return JSON.readValue(jsonLine, LiveResult.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a live workload result: " + jsonLine, e);
    }
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + this, e);
    }
  }
}
