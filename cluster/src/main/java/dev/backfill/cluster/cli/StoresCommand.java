package dev.backfill.cluster.cli;

import dev.backfill.cluster.local.StoresHost;
import dev.backfill.stores.Ports;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "stores",
    mixinStandardHelpOptions = true,
    description = {
      "Starts, stops or checks local PostgreSQL and Cassandra for development.",
      "PostgreSQL holds the primary (`calls`) and the journal; ports are the ones the default",
      "configuration uses (54320, 9042, 7000). Data stays in --dir between runs."
    },
    subcommands = {
      StoresCommand.Start.class,
      StoresCommand.Stop.class,
      StoresCommand.Status.class,
      StoresCommand.Serve.class
    })
final class StoresCommand implements Runnable {

  @Override
  public void run() {
    throw new CliException("say what to do: ./backfill stores start|stop|status");
  }

  abstract static class DirectoryOption {
    @Option(names = "--dir", defaultValue = ".backfill/stores", description = "Data folder (default ${DEFAULT-VALUE}).")
    Path directory;

    StoresHost host() {
      return new StoresHost(directory);
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts both stores in the background.")
  static final class Start extends DirectoryOption implements Runnable {
    @Override
    public void run() {
      StoresHost host = host();
      host.running()
          .ifPresent(
              running -> {
                throw new CliException(
                    "the stores already run (pid " + running.pid() + "); `./backfill stores status` shows them");
              });
      System.err.println("starting PostgreSQL and Cassandra (about 15-40 s)...");
      var endpoints = host.startInBackground();
      System.err.println("PostgreSQL primary: " + endpoints.primaryUrl());
      System.err.println("PostgreSQL journal: " + endpoints.journalUrl());
      System.err.println("Cassandra:          " + endpoints.cassandraContactPoint());
      System.err.println("next: ./backfill seed --calls 50000 && ./backfill node");
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stops both stores cleanly.")
  static final class Stop extends DirectoryOption implements Runnable {
    @Override
    public void run() {
      System.err.println(host().stop() ? "stores stopped" : "the stores were not running");
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Says whether the stores run and answer.")
  static final class Status extends DirectoryOption implements Callable<Integer> {
    @Override
    public Integer call() {
      StoresHost host = host();
      var running = host.running();
      if (running.isEmpty()) {
        System.out.println("stores: not running (./backfill stores start)");
        return 3;
      }
      var endpoints = host.endpoints();
      System.out.println("stores: running, pid " + running.get().pid() + ", data in " + host.directory());
      if (endpoints.isEmpty()) {
        System.out.println("  still starting");
        return 0;
      }
      int postgresPort = Integer.parseInt(endpoints.get().primaryUrl().replaceAll(".*:(\\d+)/.*", "$1"));
      System.out.println(
          "  PostgreSQL "
              + endpoints.get().primaryUrl()
              + (Ports.isListening(postgresPort) ? "  answering" : "  NOT answering"));
      System.out.println(
          "  Cassandra  "
              + endpoints.get().cassandraContactPoint()
              + (Ports.isListening(endpoints.get().cassandraPort()) ? "  answering" : "  NOT answering"));
      return 0;
    }
  }

  @Command(name = "serve", hidden = true, description = "Runs the stores in the foreground (used by start).")
  static final class Serve extends DirectoryOption implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      host().serve();
      return 0;
    }
  }
}
