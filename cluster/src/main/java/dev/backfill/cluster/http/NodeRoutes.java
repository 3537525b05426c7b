package dev.backfill.cluster.http;

import dev.backfill.engine.call.CallTally;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /node}: this node's cluster address and the call outcomes its call entities recorded
 * since it started. Unlike {@code /jobs}, which any node answers for the whole cluster, this is
 * about the node that answers: which nodes do the work.
 */
public final class NodeRoutes extends AllDirectives {

  private final String address;
  private final CallTally tally;

  public NodeRoutes(String address, CallTally tally) {
    this.address = address;
    this.tally = tally;
  }

  public Route routes() {
    return path("node", () -> get(() -> complete(ApiJson.response(StatusCodes.OK, view()))));
  }

  private Map<String, Object> view() {
    CallTally.Counts counts = tally.counts();
    Map<String, Object> calls = new LinkedHashMap<>();
    calls.put("done", counts.done());
    calls.put("skipped", counts.skipped());
    calls.put("failed", counts.failed());
    calls.put("found_done", counts.foundDone());
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("address", address);
    view.put("calls_recorded", calls);
    return view;
  }
}
