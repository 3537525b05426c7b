package dev.backfill.cluster.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a node starts, wakes every job in the journal: an unfinished one recovers and resumes
 * from its last checkpoint, a finished one answers and passivates. Without this a job whose node
 * was restarted would wait until someone happened to ask about it.
 */
final class JobResumer {

  private static final Logger log = LoggerFactory.getLogger(JobResumer.class);

  private JobResumer() {}

  static void resumeUnfinished(JobIndex index, ShardedJobs jobs) {
    index
        .jobIds()
        .thenAccept(
            ids -> {
              if (!ids.isEmpty()) {
                log.info("waking {} known jobs so that unfinished ones resume", ids.size());
              }
              ids.forEach(
                  id ->
                      jobs.status(id)
                          .whenComplete(
                              (status, failure) -> {
                                if (failure != null) {
                                  log.warn("job {} did not answer its wake-up: {}", id, failure.getMessage());
                                }
                              }));
            })
        .exceptionally(
            failure -> {
              log.warn("cannot list jobs to resume them: {}", failure.getMessage());
              return null;
            });
  }
}
