package dev.backfill.cluster.node;

import dev.backfill.engine.concurrent.SharedQuery;
import dev.backfill.engine.job.JobSupervisor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The ids of every job ever submitted, read from the journal (jobs are its only writers).
 *
 * <p>The journal is listed at every {@code GET /jobs}, with one query over all of its persistence
 * ids; twenty operators polling a node started twenty of them at a time, on the database that
 * every job's checkpoints are written to. A {@link SharedQuery} runs one at a time per node and
 * answers everyone who asked meanwhile with the next, so a crowd costs one query in flight and a
 * listing still shows every job accepted before it was asked for, on any node.
 */
final class JobIndex {

  private static final String PREFIX = JobSupervisor.ENTITY_TYPE_KEY.name() + "|";

  private final SharedQuery<List<String>> jobIds;

  /** @param patience how long a listing of the journal may take before it fails */
  JobIndex(ActorSystem<?> system, Duration patience) {
    JdbcReadJournal journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    this.jobIds =
        new SharedQuery<>(
            () ->
                journal
                    .currentPersistenceIds()
                    .filter(id -> id.startsWith(PREFIX))
                    .map(id -> id.substring(PREFIX.length()))
                    .runWith(Sink.seq(), system),
            patience);
  }

  CompletionStage<List<String>> jobIds() {
    return jobIds.get();
  }
}
