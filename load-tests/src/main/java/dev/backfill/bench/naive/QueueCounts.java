package dev.backfill.bench.naive;

import java.util.concurrent.atomic.AtomicLong;

/** What a queue's workers have done so far, shared by all of them. */
final class QueueCounts {

  /** Tasks committed with their result. */
  final AtomicLong done = new AtomicLong();

  /** Tasks committed as failed because their call could not be analysed. */
  final AtomicLong failed = new AtomicLong();

  /** SQL errors, each of which rolled a task back (or kept a worker from reconnecting). */
  final AtomicLong errors = new AtomicLong();
}
