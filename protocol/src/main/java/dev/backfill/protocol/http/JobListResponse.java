package dev.backfill.protocol.http;

import java.util.List;

/** {@code GET /jobs}: every job the cluster knows, newest first. */
public record JobListResponse(List<JobStatusResponse> jobs) {}
