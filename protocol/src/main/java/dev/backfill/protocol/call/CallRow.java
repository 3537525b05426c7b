package dev.backfill.protocol.call;

import dev.backfill.protocol.CborSerializable;

/**
 * A call as one page query returns it: the transcript still as JSON text, parsed only by the call
 * entity that processes it (off the actor dispatcher), so a page costs the reader no parsing.
 */
public record CallRow(
    long id,
    String tenant,
    long startedAtEpochMs,
    int durationSeconds,
    String source,
    String transcriptJson)
    implements CborSerializable {}
