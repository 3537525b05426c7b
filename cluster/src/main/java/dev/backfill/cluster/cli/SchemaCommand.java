package dev.backfill.cluster.cli;

import dev.backfill.engine.schema.SchemaInstaller;
import dev.backfill.engine.settings.EngineSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "schema",
    mixinStandardHelpOptions = true,
    description = {
      "Creates the schemas the engine needs; safe to run again.",
      "The calls table (development only: production owns it), the journal tables, and the",
      "Cassandra keyspace and tables."
    })
final class SchemaCommand implements Runnable {

  @Mixin ConfigOption config;

  @Override
  public void run() {
    var notices = new SchemaInstaller(EngineSettings.create(config.load())).installAll();
    System.err.println("schemas are in place");
    notices.forEach(notice -> System.err.println("note: " + notice));
  }
}
