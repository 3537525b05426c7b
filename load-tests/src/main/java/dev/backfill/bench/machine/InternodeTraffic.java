package dev.backfill.bench.machine;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bytes sent between cluster nodes, counted by the kernel per TCP socket ({@code ss -ti}: each
 * socket's bytes_acked: what the peer received, retransmissions counted once), on every connection with one end at a node's remoting port: what crossed
 * between nodes, whatever the engine thinks it sent. Every such connection has both ends on this
 * machine, and only what each end sent is counted, so each byte counts once.
 */
public final class InternodeTraffic {

  /** "local-address:port peer-address:port" on a socket's first line. */
  private static final Pattern ENDPOINTS = Pattern.compile("\\S+:(\\d+)\\s+\\S+:(\\d+)");
  /** Bytes the peer acknowledged: sent once, retransmissions not counted again. */
  private static final Pattern BYTES_ACKED = Pattern.compile("bytes_acked:(\\d+)");

  /** Bytes sent so far per connection (local port, peer port). */
  public record Snapshot(Map<String, Long> bytesSentByConnection) {

    /**
     * Bytes sent since an earlier snapshot: the growth of the connections seen then, and all of
     * those opened since. A connection that closed in between is not counted (remoting keeps its
     * connections open while the nodes are up).
     */
    public long bytesSince(Snapshot earlier) {
      long bytes = 0;
      for (var connection : bytesSentByConnection.entrySet()) {
        long before = earlier.bytesSentByConnection.getOrDefault(connection.getKey(), 0L);
        bytes += Math.max(0, connection.getValue() - before);
      }
      return bytes;
    }
  }

  private InternodeTraffic() {}

  /** Whether {@code ss} is here to count with. */
  public static boolean available() {
    try {
      return new ProcessBuilder("ss", "-V").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The bytes sent so far on every established connection touching one of these ports. */
  public static Snapshot now(Set<Integer> remotingPorts) {
    if (remotingPorts.isEmpty()) {
      return new Snapshot(Map.of());
    }
    return parse(Commands.output(Duration.ofSeconds(10), "ss", "-tinH", "state", "established"), remotingPorts);
  }

  /**
   * The connections in {@code ss -tinH} output (each socket on two lines: its endpoints, then its
   * counters) with one end at one of these ports.
   */
  static Snapshot parse(String output, Set<Integer> remotingPorts) {
    Map<String, Long> sent = new HashMap<>();
    String[] lines = output.split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      Matcher endpoints = ENDPOINTS.matcher(lines[i]);
      if (!endpoints.find()) {
        continue;
      }
      int local = Integer.parseInt(endpoints.group(1));
      int peer = Integer.parseInt(endpoints.group(2));
      if (!remotingPorts.contains(local) && !remotingPorts.contains(peer)) {
        continue;
      }
      Matcher bytes = BYTES_ACKED.matcher(lines[i + 1]);
      if (bytes.find()) {
        sent.put(local + "-" + peer, Long.parseLong(bytes.group(1)));
      }
    }
    return new Snapshot(sent);
  }
}
