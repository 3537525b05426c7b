package dev.backfill.cluster.cli;

import dev.backfill.cluster.seed.CallSeeder;
import dev.backfill.engine.settings.EngineSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "seed",
    mixinStandardHelpOptions = true,
    description = "Fills the primary database's calls table with realistic synthetic calls (COPY).")
final class SeedCommand implements Runnable {

  @Mixin ConfigOption config;

  @Option(names = "--calls", defaultValue = "50000", description = "How many calls (default ${DEFAULT-VALUE}).")
  int calls;

  @Option(names = "--first-id", description = "Id of the first call (default: after the highest id present).")
  Long firstId;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed: the same seed gives the same calls.")
  long seed;

  @Override
  public void run() {
    if (calls < 1) {
      throw new CliException("--calls must be at least 1");
    }
    var primary = EngineSettings.create(config.load()).primary();
    long first =
        firstId != null ? firstId : CallSeeder.nextFreeId(primary.url(), primary.user(), primary.password());
    var result = CallSeeder.seed(primary.url(), primary.user(), primary.password(), first, calls, seed);
    System.err.printf(
        "seeded %,d calls (ids %d..%d, %,d MB of transcripts) in %.1f s: %,.0f calls/s%n",
        result.calls(),
        first,
        first + calls - 1,
        result.bytes() / 1_000_000,
        result.elapsedMillis() / 1000.0,
        result.calls() * 1000.0 / Math.max(1, result.elapsedMillis()));
  }
}
