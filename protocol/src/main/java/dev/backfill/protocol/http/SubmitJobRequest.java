package dev.backfill.protocol.http;

import java.util.Map;

/**
 * The body of {@code POST /jobs}. Dates are strings here so that a bad one gets an error naming
 * its field, not a generic parse failure; the API turns a valid request into a JobSpec.
 *
 * @param from ISO-8601 instant (2025-01-01T00:00:00Z) or date (2025-01-01, midnight UTC)
 */
public record SubmitJobRequest(
    String processor,
    Integer version,
    String tenant,
    String from,
    String to,
    Map<String, String> parameters,
    Double priority,
    Double maxCallsPerSecond) {}
