package dev.backfill.protocol.http;

/** The answer to an accepted {@code POST /jobs}: where to watch the job. */
public record JobAcceptedResponse(String jobId, String statusUrl) {}
