package dev.backfill.cluster.node;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import dev.backfill.cluster.local.CpuPriority;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.threads.BackgroundThread;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * One running cluster node. {@code main} stays tiny; this is where a node is put together, so
 * that tests and the demo boot exactly the node that production runs.
 */
public final class BackfillNode implements AutoCloseable {

  private final ActorSystem<Void> system;
  private final InetSocketAddress httpAddress;

  private BackfillNode(ActorSystem<Void> system, InetSocketAddress httpAddress) {
    this.system = system;
    this.httpAddress = httpAddress;
  }

  public static BackfillNode start(Config config) {
    EngineSettings settings = EngineSettings.create(config);
    CpuPriority priority = CpuPriority.parse(config.getString("backfill.node.cpu-priority"));
    // The driver's threads are data plane: on a split node they inherit SCHED_IDLE from the
    // thread that opens the session (dev.backfill.engine.threads).
    CqlSession session =
        priority == CpuPriority.SPLIT
            ? BackgroundThread.call("backfill-cassandra-open", () -> openCassandra(settings))
            : openCassandra(settings);
    CompletableFuture<InetSocketAddress> httpBound = new CompletableFuture<>();
    ActorSystem<Void> system =
        ActorSystem.create(NodeGuardian.create(settings, session, httpBound), "backfill", config);
    try {
      return new BackfillNode(system, httpBound.get(60, TimeUnit.SECONDS));
    } catch (ExecutionException | TimeoutException e) {
      system.terminate();
      throw new NodeStartException(
          "the HTTP API could not start: " + (e.getCause() == null ? e : e.getCause().getMessage()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      system.terminate();
      throw new NodeStartException("interrupted while starting", e);
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public InetSocketAddress httpAddress() {
    return httpAddress;
  }

  public String apiUrl() {
    return "http://" + httpAddress.getHostString() + ":" + httpAddress.getPort();
  }

  /** Blocks until the node has stopped (after SIGTERM, or after {@link #close}). */
  public void awaitTermination() {
    system.getWhenTerminated().toCompletableFuture().join();
  }

  /** Leaves the cluster through coordinated shutdown and waits until the node is gone. */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the node did not stop within 60 s", e);
    }
  }

  private static CqlSession openCassandra(EngineSettings settings) {
    try {
      return CassandraSessions.withKeyspace(settings.cassandra());
    } catch (RuntimeException e) {
      throw new NodeStartException(
          "cannot reach Cassandra at "
              + settings.cassandra().contactPoints()
              + " (keyspace "
              + settings.cassandra().keyspace()
              + "): "
              + e.getMessage()
              + ". Is it running (`./backfill stores status`), and was the schema created"
              + " (`./backfill schema`)?",
          e);
    }
  }
}
