package dev.backfill.cluster.http;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the API. A node whose API cannot bind is of no use: the failure ends the node. */
public final class HttpServer {

  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private HttpServer() {}

  public static CompletionStage<InetSocketAddress> start(
      ActorSystem<?> system, Route route, HttpSettings settings) {
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(route)
        .whenComplete(
            (binding, failure) -> {
              if (failure != null) {
                log.error(
                    "cannot bind the HTTP API to {}:{}: {}",
                    settings.host(),
                    settings.port(),
                    failure.getMessage());
                system.terminate();
              } else {
                binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
                log.info("HTTP API at http://{}:{}", settings.host(), binding.localAddress().getPort());
              }
            })
        .thenApply(binding -> binding.localAddress());
  }
}
