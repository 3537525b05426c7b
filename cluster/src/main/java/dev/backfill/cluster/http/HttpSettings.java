package dev.backfill.cluster.http;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code backfill.http} block (http.conf). */
public record HttpSettings(String host, int port, Duration askTimeout) {

  public static HttpSettings create(Config root) {
    Config http = root.getConfig("backfill.http");
    return new HttpSettings(http.getString("host"), http.getInt("port"), http.getDuration("ask-timeout"));
  }
}
