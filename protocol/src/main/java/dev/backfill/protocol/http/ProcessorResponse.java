package dev.backfill.protocol.http;

/** One processor available on the cluster, as {@code GET /processors} lists it. */
public record ProcessorResponse(String id, int version, String description) {}
