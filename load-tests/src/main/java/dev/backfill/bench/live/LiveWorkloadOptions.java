package dev.backfill.bench.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The workload's command line. The password may also come from {@link #PASSWORD_ENVIRONMENT}, which
 * is how {@link LiveWorkloadProcess} passes it: a command line is visible to every user in {@code ps}.
 */
record LiveWorkloadOptions(
    String url,
    String user,
    String password,
    int rate,
    int connections,
    int warmupSeconds,
    int seconds,
    int tenants) {

  static final String PASSWORD_ENVIRONMENT = "LIVE_WORKLOAD_PASSWORD";

  static final String USAGE =
      "usage: LiveWorkload --url JDBC_URL --user USER [--password P] [--rate 200] [--connections 4]"
          + " [--warmup-seconds 5] [--seconds 30] [--tenants 20]";

  LiveWorkloadOptions {
    if (url == null || user == null) {
      throw new IllegalArgumentException("--url and --user are required");
    }
    if (rate < 1 || connections < 1 || warmupSeconds < 0 || seconds < 1 || tenants < 1) {
      throw new IllegalArgumentException(
          "--rate, --connections, --seconds and --tenants must be at least 1, --warmup-seconds at least 0");
    }
  }

  static LiveWorkloadOptions parse(String[] args) {
    String url = null;
    String user = null;
    String password = System.getenv().getOrDefault(PASSWORD_ENVIRONMENT, "");
    int rate = 200;
    int connections = 4;
    int warmupSeconds = 5;
    int seconds = 30;
    int tenants = 20;
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + args[i]);
      }
      String value = args[i + 1];
      switch (args[i]) {
        case "--url" -> url = value;
        case "--user" -> user = value;
        case "--password" -> password = value;
        case "--rate" -> rate = Integer.parseInt(value);
        case "--connections" -> connections = Integer.parseInt(value);
        case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(value);
        case "--seconds" -> seconds = Integer.parseInt(value);
        case "--tenants" -> tenants = Integer.parseInt(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    return new LiveWorkloadOptions(url, user, password, rate, connections, warmupSeconds, seconds, tenants);
  }

  /** The command line that {@link #parse} reads back, without the password. */
  List<String> toArgs() {
    List<String> args = new ArrayList<>();
    args.addAll(List.of("--url", url, "--user", user));
    args.addAll(List.of("--rate", Integer.toString(rate), "--connections", Integer.toString(connections)));
    args.addAll(List.of("--warmup-seconds", Integer.toString(warmupSeconds), "--seconds", Integer.toString(seconds)));
    args.addAll(List.of("--tenants", Integer.toString(tenants)));
    return args;
  }

  static String tenantName(int number) {
    return String.format(Locale.ROOT, "tenant-%02d", number);
  }
}
