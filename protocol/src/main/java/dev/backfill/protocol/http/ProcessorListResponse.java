package dev.backfill.protocol.http;

import java.util.List;

public record ProcessorListResponse(List<ProcessorResponse> processors) {}
