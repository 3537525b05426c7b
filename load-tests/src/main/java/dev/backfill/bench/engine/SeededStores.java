package dev.backfill.bench.engine;

import com.typesafe.config.Config;
import dev.backfill.cluster.demo.Folders;
import dev.backfill.cluster.node.NodeConfig;
import dev.backfill.cluster.seed.CallSeeder;
import dev.backfill.engine.processor.Processor;
import dev.backfill.engine.processor.ProcessorRegistry;
import dev.backfill.engine.schema.SchemaInstaller;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.stores.LocalStores;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a benchmark runs on: a primary seeded with realistic calls, a journal PostgreSQL of its own
 * (so that the primary does only the primary's work), and Cassandra, every schema installed.
 */
public record SeededStores(LocalStores stores, Config config, EngineSettings settings) implements AutoCloseable {

  /** The same seed every time: the same calls for the same count, run after run. */
  private static final long SEED = 42;

  /** Wipes {@code directory}, starts the stores in it and seeds {@code calls} calls. */
  public static SeededStores start(Path directory, int calls, PrintStream err) throws Exception {
    Folders.wipe(directory);
    Files.createDirectories(directory);
    err.println("starting the primary, a separate journal PostgreSQL and Cassandra in " + directory + " ...");
    LocalStores stores = LocalStores.start(LocalStores.Layout.ephemeralWithSeparateJournal(directory));
    try {
      Config config = NodeConfig.load(Optional.empty(), NodeConfig.forStores(stores.endpoints()));
      EngineSettings settings = EngineSettings.create(config);
      new SchemaInstaller(settings).installAll();
      var primary = settings.primary();
      err.printf("seeding %,d calls ...%n", calls);
      CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, calls, SEED);
      return new SeededStores(stores, config, settings);
    } catch (Exception | Error e) {
      stores.close();
      throw e;
    }
  }

  /** The processor a benchmark runs, found before anything is started. */
  public static Processor processor(String id) {
    ProcessorRegistry registry = ProcessorRegistry.load();
    return registry
        .find(id)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no processor " + id + "; --processor takes one of "
                        + registry.all().stream().map(Processor::id).toList()));
  }

  @Override
  public void close() {
    stores.close();
  }
}
