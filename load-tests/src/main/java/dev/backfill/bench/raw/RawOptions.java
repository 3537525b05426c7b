package dev.backfill.bench.raw;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@code ./backfill bench raw} was asked for.
 *
 * @param calls calls seeded; the heap check's job covers all of them
 * @param warmup seconds each run goes before its window opens, discarded
 * @param window measured seconds per run
 * @param rounds times the sequence raw (unless not {@code raw}), then the engine at each node count, runs
 * @param raw whether the raw pipeline runs in each round
 * @param nodes the engine's node counts, each run in each round
 * @param defaultBudget whether the engine runs at the shipped budget in each round
 * @param outOfTheWay whether the engine runs once more per node count with the governor out of the way
 * @param heapCheck whether to run the job over every call on one node with a small heap
 */
public record RawOptions(
    int calls,
    Duration warmup,
    Duration window,
    int rounds,
    boolean raw,
    java.util.List<Integer> nodes,
    boolean defaultBudget,
    boolean outOfTheWay,
    boolean heapCheck,
    String heapLimit,
    String processor,
    Path directory,
    Path reportDirectory,
    String command) {}
