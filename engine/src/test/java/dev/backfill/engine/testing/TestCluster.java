package dev.backfill.engine.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** Single-node clusters for tests: join, then wait until the member is Up (no sleeps). */
public final class TestCluster {

  private TestCluster() {}

  public static void joinSelf(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    TestProbe<Object> probe = TestProbe.create(system);
    probe.awaitAssert(
        Duration.ofSeconds(20),
        () -> {
          assertEquals(MemberStatus.up(), cluster.selfMember().status());
          return null;
        });
  }
}
