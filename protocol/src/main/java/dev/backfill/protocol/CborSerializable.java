package dev.backfill.protocol;

/**
 * Marks every message, event and state that Pekko serializes: bound to Jackson CBOR in
 * serialization.conf, so nothing ever falls back to Java serialization.
 */
public interface CborSerializable {}
