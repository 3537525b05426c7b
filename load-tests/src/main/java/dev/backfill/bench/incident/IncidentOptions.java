package dev.backfill.bench.incident;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one invocation of the incident benchmark measures.
 *
 * @param backfillWarmup how long a backfill runs at least before the live client starts, discarded (JIT,
 *     Cassandra's first flushes, the governor's slow start)
 * @param backfillWarmupMax how long it runs at most, waiting for the JIT compilers of every JVM of
 *     the run to be quiet ({@link BackfillWarmup})
 * @param warmup live requests before the measured window, discarded (the live client's own JIT)
 * @param window the measured window of every run
 * @param placements {@code shared} (everything on every core) and/or {@code pinned} (the primary and
 *     the live client on core 0, everything else on core 1)
 */
public record IncidentOptions(
    int calls,
    int liveRate,
    int liveConnections,
    Duration backfillWarmup,
    Duration backfillWarmupMax,
    Duration warmup,
    Duration window,
    List<Integer> naiveWorkers,
    List<Integer> engineNodes,
    List<String> placements,
    String processor,
    boolean json,
    Path directory,
    Path reportDirectory,
    String command) {}
