package dev.backfill.engine.threads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.call.CallEntity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A split node's data plane runs under SCHED_IDLE and its control plane does not, read from
 * each thread's own {@code /proc} entry: real dispatchers from the shipped configuration, in a real
 * actor system.
 */
class ThreadPlanesTest {

  @BeforeAll
  static void needsChrt() {
    assumeTrue(Chrt.available(), "needs Linux's /proc and chrt (util-linux)");
  }

  private static final String PLAIN_FORK_JOIN = "test-plain-fork-join-dispatcher";
  private static final String CONTROL_PLANE = "test-control-plane-dispatcher";

  @Test
  void onASplitNodeTheDataPlaneYieldsAndTheControlPlaneDoesNot() throws Exception {
    ActorSystem<Void> system = system("split");
    try {
      for (String dataPlane : new String[] {CallEntity.DISPATCHER, "backfill-processor-dispatcher", "backfill-jdbc-dispatcher"}) {
        assertEquals(ThreadPolicy.SCHED_IDLE, policyOfATaskOn(executor(system, dataPlane)), dataPlane);
      }
      assertEquals(
          ThreadPolicy.SCHED_OTHER,
          policyOfATaskOn(system.dispatchers().lookup(DispatcherSelector.defaultDispatcher())),
          "Pekko's default dispatcher: actors, the HTTP API, jobs");
    } finally {
      terminate(system);
    }
  }

  @Test
  void aControlPlanePoolThatADataPlaneThreadMakesGrowStaysUnderTheNormalPolicy() throws Exception {
    ActorSystem<Void> system = system("split");
    try {
      Executor dataPlane = executor(system, CallEntity.DISPATCHER);
      // Neither pool has a thread yet: the data-plane thread's task makes each start its first.
      assertEquals(
          ThreadPolicy.SCHED_IDLE,
          handedOver(dataPlane, executor(system, PLAIN_FORK_JOIN)),
          "a plain fork-join pool's new worker inherits the policy of the thread that handed it work"
              + " (what ControlPlaneExecutor exists for; were this to fail, the test below could not)");
      assertEquals(
          ThreadPolicy.SCHED_OTHER,
          handedOver(dataPlane, executor(system, CONTROL_PLANE)),
          "a control-plane pool's new worker is started by the control-plane starter");
    } finally {
      terminate(system);
    }
  }

  @Test
  void onANormalOrBackgroundNodeTheExecutorsLeaveTheSchedulerAlone() throws Exception {
    // (a background node demotes its whole process itself: dev.backfill.cluster.local.CpuPriority)
    for (String priority : new String[] {"normal", "background"}) {
      ActorSystem<Void> system = system(priority);
      try {
        assertEquals(ThreadPolicy.SCHED_OTHER, policyOfATaskOn(executor(system, CallEntity.DISPATCHER)), priority);
        assertEquals(
            ThreadPolicy.SCHED_OTHER,
            handedOver(executor(system, CallEntity.DISPATCHER), executor(system, CONTROL_PLANE)),
            priority);
      } finally {
        terminate(system);
      }
    }
  }

  @Test
  void splitIsTheDefaultOfANodeAndNothingChangesForAnActorSystemThatIsNotANode() {
    assertTrue(NodePriority.split(ConfigFactory.parseMap(Map.of(NodePriority.PATH, " Split "))));
    assertTrue(NodePriority.split(ConfigFactory.parseMap(Map.of(NodePriority.PATH, ""))), "blank is the default");
    assertFalse(NodePriority.split(ConfigFactory.parseMap(Map.of(NodePriority.PATH, "background"))));
    assertFalse(NodePriority.split(ConfigFactory.empty()), "no node setting: not a node");
  }

  @Test
  void thePolicyIsReadAfterACommandNameWithSpacesAndParentheses() {
    // Field 1 the pid, 2 the command name, 3 the state, 4 to 40 numbers, 41 the policy.
    String fourTo40 = String.join(" ", Collections.nCopies(37, "7"));
    String stat = "4242 (G1 (Conc) #0) S " + fourTo40 + " 5 0 0 0\n";
    assertEquals(5, ThreadPolicy.policyIn(stat));
  }

  private static ActorSystem<Void> system(String cpuPriority) {
    Config dispatchers =
        ConfigFactory.parseString(
            PLAIN_FORK_JOIN
                + " { type = Dispatcher, executor = fork-join-executor,"
                + " fork-join-executor { parallelism-min = 1, parallelism-max = 1 } }\n"
                + CONTROL_PLANE
                + " { type = Dispatcher, executor = \"dev.backfill.engine.threads.ControlPlaneExecutor\","
                + " fork-join-executor { parallelism-min = 1, parallelism-max = 1 } }");
    Config config =
        ConfigFactory.parseMap(Map.of(NodePriority.PATH, cpuPriority, "pekko.actor.provider", "local"))
            .withFallback(dispatchers)
            .withFallback(ConfigFactory.load(ConfigFactory.parseResources("application.conf")));
    return ActorSystem.create(Behaviors.empty(), "planes", config);
  }

  private static Executor executor(ActorSystem<?> system, String dispatcher) {
    return system.dispatchers().lookup(DispatcherSelector.fromConfig(dispatcher));
  }

  /** The policy of the thread a task runs on. */
  private static int policyOfATaskOn(Executor executor) throws Exception {
    return CompletableFuture.supplyAsync(ThreadPlanesTest::currentPolicy, executor).get(30, TimeUnit.SECONDS);
  }

  /** The policy of the thread that runs a task handed over from a thread of {@code from}. */
  private static int handedOver(Executor from, Executor to) throws Exception {
    return CompletableFuture.supplyAsync(
            () -> CompletableFuture.supplyAsync(ThreadPlanesTest::currentPolicy, to), from)
        .thenCompose(policy -> policy)
        .get(30, TimeUnit.SECONDS);
  }

  private static int currentPolicy() {
    try {
      return ThreadPolicy.ofCurrentThread();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void terminate(ActorSystem<?> system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
  }
}
