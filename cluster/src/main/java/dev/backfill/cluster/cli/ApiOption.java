package dev.backfill.cluster.cli;

import picocli.CommandLine.Option;

/** The {@code --api URL} option of the commands that talk to a running node. */
public final class ApiOption {

  @Option(
      names = "--api",
      paramLabel = "URL",
      defaultValue = "${env:BACKFILL_API:-http://127.0.0.1:8080}",
      description = "A node's HTTP API (default ${DEFAULT-VALUE}, or $BACKFILL_API).")
  String url;

  ApiClient client() {
    return new ApiClient(url);
  }

  /** Prints the body; a refused request prints the problem and fails the command. */
  static int print(ApiClient.Reply reply) {
    if (reply.ok()) {
      System.out.println(reply.body());
      return 0;
    }
    System.err.println("HTTP " + reply.status() + ": " + reply.body());
    return 1;
  }
}
