package dev.backfill.cluster.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.cluster.node.BackfillNode;
import dev.backfill.stores.Ports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** Several real nodes in one JVM forming one cluster, each with its own HTTP API. */
public final class TestNodes implements AutoCloseable {

  private final List<BackfillNode> nodes = new ArrayList<>();

  private TestNodes() {}

  /** Starts {@code count} nodes on {@code environment} and waits until all are Up. */
  public static TestNodes start(int count, Config environment) {
    int seedPort = Ports.freePort();
    String seed = "pekko://backfill@127.0.0.1:" + seedPort;
    TestNodes started = new TestNodes();
    for (int i = 0; i < count; i++) {
      Config config =
          ConfigFactory.parseMap(
                  Map.of(
                      "pekko.remote.artery.canonical.port", i == 0 ? seedPort : 0,
                      "pekko.cluster.seed-nodes", List.of(seed),
                      "backfill.http.port", 0))
              .withFallback(environment);
      started.nodes.add(BackfillNode.start(config));
    }
    TestProbe<Object> probe = TestProbe.create(started.nodes.get(0).system());
    probe.awaitAssert(
        Duration.ofSeconds(30),
        () -> {
          for (BackfillNode node : started.nodes) {
            long up =
                StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
                    .filter(member -> member.status().equals(MemberStatus.up()))
                    .count();
            assertEquals(count, up, "members Up as seen by " + node.apiUrl());
          }
          return null;
        });
    return started;
  }

  public BackfillNode node(int index) {
    return nodes.get(index);
  }

  public ApiTestClient api(int index) {
    return new ApiTestClient(nodes.get(index).apiUrl());
  }

  public int size() {
    return nodes.size();
  }

  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }
}
