package dev.backfill.bench.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class InternodeTrafficTest {

  /** Two sockets of one connection between nodes (ports 25520 and 41000), and one to PostgreSQL. */
  private static String ss(long inboundAcked, long outboundAcked, long postgresAcked) {
    return """
        0      0               127.0.0.1:25520          127.0.0.1:41000
        \t cubic wscale:7,7 rto:204 bytes_sent:%d bytes_retrans:900 bytes_acked:%d bytes_received:10
        0      0               127.0.0.1:41000          127.0.0.1:25520
        \t cubic wscale:7,7 rto:204 bytes_sent:%d bytes_acked:%d bytes_received:10
        0      0               127.0.0.1:43318          127.0.0.1:5432
        \t cubic wscale:7,7 rto:204 bytes_sent:%d bytes_acked:%d bytes_received:10
        """
        .formatted(inboundAcked + 900, inboundAcked, outboundAcked, outboundAcked, postgresAcked, postgresAcked);
  }

  @Test
  void countsWhatBothEndsOfAConnectionBetweenNodesSentOnceEachAndNothingElse() {
    var before = InternodeTraffic.parse(ss(1_000, 2_000, 50_000), Set.of(25520));
    var after = InternodeTraffic.parse(ss(1_700, 2_300, 90_000), Set.of(25520));

    // 700 one way and 300 the other; the retransmitted 900 bytes and PostgreSQL's 40,000 are not.
    assertEquals(1_000, after.bytesSince(before));
  }

  @Test
  void countsAConnectionOpenedSinceTheEarlierSnapshotInFull() {
    var before = InternodeTraffic.parse("", Set.of(25520));
    var after = InternodeTraffic.parse(ss(1_700, 2_300, 90_000), Set.of(25520));

    assertEquals(4_000, after.bytesSince(before));
  }
}
