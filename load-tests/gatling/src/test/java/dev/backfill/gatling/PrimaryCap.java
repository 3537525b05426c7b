package dev.backfill.gatling;

import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import java.util.Optional;

/**
 * The engine's connections on the primary stayed within its cap the whole time: a request whose
 * check is the most connections the primary showed, so that a breach is a failed request, which
 * the scenarios' assertions do not allow. Skipped (and said so) for a cluster whose primary the
 * scenario was not told.
 */
final class PrimaryCap {

  private PrimaryCap() {}

  static ChainBuilder check(Optional<PrimaryConnections> primary) {
    if (primary.isEmpty()) {
      return exec(
          session -> {
            System.err.println("the primary's connections were not watched: set -Dbackfill.primary.url to watch them");
            return session;
          });
    }
    PrimaryConnections connections = primary.get();
    return exec(
        http("engine connections on the primary within its cap")
            .get("/alive")
            .check(
                status().is(200),
                bodyString().transform(body -> connections.samples()).gt(0),
                bodyString().transform(body -> connections.peak()).lte(connections.cap())))
        .exec(
            session -> {
              System.err.printf(
                  "engine connections on the primary: at most %d in %,d samples (cap %d: query slots and the probe)%n",
                  connections.peak(), connections.samples(), connections.cap());
              return session;
            });
  }
}
