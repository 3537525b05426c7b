package dev.backfill.cluster.node;

import dev.backfill.engine.job.JobSupervisor;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/** The ids of every job ever submitted, read from the journal (jobs are its only writers). */
final class JobIndex {

  private static final String PREFIX = JobSupervisor.ENTITY_TYPE_KEY.name() + "|";

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;

  JobIndex(ActorSystem<?> system) {
    this.system = system;
    this.journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  CompletionStage<List<String>> jobIds() {
    return journal
        .currentPersistenceIds()
        .filter(id -> id.startsWith(PREFIX))
        .map(id -> id.substring(PREFIX.length()))
        .runWith(Sink.seq(), system);
  }
}
