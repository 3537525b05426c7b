package dev.backfill.protocol.http;

import java.time.Instant;
import java.util.Map;

/**
 * A job as {@code GET /jobs/{id}} shows it. Counts come from the job's last checkpoint;
 * {@code callsPerSecond} and {@code etaSeconds} are derived from them (null until known).
 * {@code reason} says why a job failed, or why the governor holds it back (status THROTTLED).
 */
public record JobStatusResponse(
    String jobId,
    String status,
    String processor,
    Integer version,
    String tenant,
    Instant from,
    Instant to,
    Map<String, String> parameters,
    double priority,
    Double maxCallsPerSecond,
    long totalCalls,
    long scanned,
    long processed,
    long skipped,
    long failed,
    Double percent,
    Double callsPerSecond,
    Long etaSeconds,
    Instant submittedAt,
    Instant startedAt,
    Instant finishedAt,
    String reason,
    String hostedBy) {}
