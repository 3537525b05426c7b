package dev.backfill.protocol.call;

import java.time.Instant;

/** A historical call as read from the primary database, with its parsed transcript. */
public record Call(
    long id,
    String tenant,
    Instant startedAt,
    int durationSeconds,
    CallChannel channel,
    Transcript transcript) {}
