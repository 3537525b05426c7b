package dev.backfill.cluster.node;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backfill.cluster.http.ApiRoutes;
import dev.backfill.cluster.http.GovernorRoutes;
import dev.backfill.cluster.http.HealthRoutes;
import dev.backfill.cluster.http.HttpServer;
import dev.backfill.cluster.http.HttpSettings;
import dev.backfill.cluster.http.JobRoutes;
import dev.backfill.cluster.http.NodeRoutes;
import dev.backfill.engine.call.CallEntity;
import dev.backfill.engine.call.CallProcessing;
import dev.backfill.engine.call.CallTally;
import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.governor.Governor;
import dev.backfill.engine.governor.GovernorSettings;
import dev.backfill.engine.governor.PrimaryHealthProbe;
import dev.backfill.engine.job.JobRuntime;
import dev.backfill.engine.job.JobSharding;
import dev.backfill.engine.job.MemberLosses;
import dev.backfill.engine.processor.ProcessorRegistry;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.source.PrimaryCallSource;
import dev.backfill.engine.source.PrimaryConnections;
import dev.backfill.engine.store.CassandraOutcomeLedger;
import dev.backfill.engine.store.CassandraResultStore;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** Starts what a node runs: the sharded entities, the HTTP API, and the resumption of jobs. */
final class NodeGuardian {

  private NodeGuardian() {}

  static Behavior<Void> create(
      EngineSettings settings, CqlSession session, CompletableFuture<InetSocketAddress> httpBound) {
    return Behaviors.setup(
        context -> {
          ActorSystem<Void> system = context.getSystem();
          // Distributed data's replicator runs on every node from the start, not only where it is
          // first used: a node whose replicator never started drops the gossip, and a governor
          // that moves there would find no shared baseline (SharedBaseline).
          DistributedData.get(system);
          joinSelfWhenAlone(system);
          Executor processors =
              system.dispatchers().lookup(DispatcherSelector.fromConfig("backfill-processor-dispatcher"));
          Executor jdbc =
              system.dispatchers().lookup(DispatcherSelector.fromConfig("backfill-jdbc-dispatcher"));
          GovernorSettings governorSettings = GovernorSettings.create(system.settings().config());
          PrimaryConnections connections =
              new PrimaryConnections(settings.primary(), governorSettings.connectionIdleTimeout());
          PrimaryCallSource callSource = new PrimaryCallSource(settings.primary(), jdbc, connections);
          PrimaryHealthProbe probe =
              new PrimaryHealthProbe(settings.primary(),
                    governorSettings.probeQuery(),
                    governorSettings.probeRoundTrips(),
                    governorSettings.probeTimeout());
          ActorRef<Governor.Command> governor = Governor.init(system, governorSettings, probe);
          GovernedPrimary primary =
              new GovernedPrimary(governor, system, governorSettings.askTimeout(), connections::closeSlot);
          ProcessorRegistry registry = ProcessorRegistry.load();
          CassandraOutcomeLedger ledger = new CassandraOutcomeLedger(session);
          CallTally tally = new CallTally();
          // A job's pages are read in the shards of its blocks' calls (JobRuntime, BlockReader).
          JobRuntime jobRuntime =
              new JobRuntime(settings, callSource, primary, ledger, MemberLosses.watch(system), true);
          CallEntity.init(
              system,
              new CallProcessing(
                  new CassandraResultStore(session, settings.results().audit()),
                  ledger,
                  registry,
                  processors,
                  new ObjectMapper(),
                  tally),
              settings.calls().mailboxCapacity(),
              jobRuntime.blockReaders());
          JobSharding.init(system, jobRuntime);
          closeOnShutdown(system, session, probe, connections);

          HttpSettings http = HttpSettings.create(system.settings().config());
          JobIndex index = new JobIndex(system, http.askTimeout());
          ShardedJobs jobs = new ShardedJobs(system, index, http.askTimeout());
          var api =
              new ApiRoutes(
                  new JobRoutes(jobs, registry),
                  new GovernorRoutes(new SingletonGovernor(governor, system, http.askTimeout())),
                  new NodeRoutes(Cluster.get(system).selfMember().address().toString(), tally),
                  new HealthRoutes(
                      // The journal check is the control plane's: not on the page reads' pool, in the background.
                      new NodeReadiness(
                          system, session, settings.journal(), system.dispatchers().lookup(DispatcherSelector.blocking()))));
          HttpServer.start(system, api.routes(), http)
              .whenComplete(
                  (address, failure) -> {
                    if (failure != null) {
                      httpBound.completeExceptionally(failure);
                    } else {
                      httpBound.complete(address);
                    }
                  });
          context.spawn(JobKeeper.create(index, jobs, settings.jobs().keeperInterval()), "job-keeper");
          return Behaviors.empty();
        });
  }

  /** With no seed nodes configured the node forms a cluster of its own. */
  private static void joinSelfWhenAlone(ActorSystem<?> system) {
    if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  private static void closeOnShutdown(
      ActorSystem<?> system, CqlSession session, PrimaryHealthProbe probe, PrimaryConnections connections) {
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "close-store-connections",
            () -> {
              probe.close();
              connections.close();
              CompletionStage<Void> closed = session.closeAsync();
              return closed.thenApply(ignored -> Done.getInstance());
            });
  }
}
