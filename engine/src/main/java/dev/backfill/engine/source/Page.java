package dev.backfill.engine.source;

import dev.backfill.protocol.call.CallRow;
import java.util.List;

/**
 * Calls read by one query, and how long the query took from sending it to having read its last
 * row: the primary's part of the cost, without the wait for a JDBC thread or a connection, which
 * are this node's costs and would otherwise teach the governor to make pages ever smaller.
 */
public record Page(List<CallRow> calls, long queryMicros) {

  public Page {
    calls = List.copyOf(calls);
  }
}
