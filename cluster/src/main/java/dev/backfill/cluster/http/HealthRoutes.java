package dev.backfill.cluster.http;

import java.util.Map;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /ready}: 200 when the node can take work, 503 naming what is not ready (for load
 * balancers and orchestrators). {@code GET /alive}: 200 while the process serves HTTP at all.
 */
public final class HealthRoutes extends AllDirectives {

  private final Readiness readiness;

  public HealthRoutes(Readiness readiness) {
    this.readiness = readiness;
  }

  public Route routes() {
    return concat(
        path("alive", () -> get(() -> complete(ApiJson.response(StatusCodes.OK, Map.of("alive", true))))),
        path(
            "ready",
            () ->
                get(
                    () ->
                        completeWithFuture(
                            readiness
                                .check()
                                .handle(
                                    (checks, failure) -> {
                                      if (failure != null) {
                                        return ApiErrors.toResponse(failure);
                                      }
                                      boolean ready = checks.values().stream().allMatch("ok"::equals);
                                      return ApiJson.response(
                                          ready ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
                                          Map.of("ready", ready, "checks", checks));
                                    })))));
  }
}
