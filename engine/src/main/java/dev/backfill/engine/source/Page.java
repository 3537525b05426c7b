package dev.backfill.engine.source;

import dev.backfill.protocol.call.CallRow;
import java.util.List;

/**
 * Calls read by one query, and how long the primary spent on it: from the statement's start to
 * producing its last row, by the primary's own clock. Timing it here instead (queueing for a JDBC
 * thread, reading 16 KB rows on a busy node) would bill this node's slowness to the primary and
 * teach the governor to make pages ever smaller.
 */
public record Page(List<CallRow> calls, long queryMicros) {

  public Page {
    calls = List.copyOf(calls);
  }
}
