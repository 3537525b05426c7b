package dev.backfill.cluster.cli;

import dev.backfill.cluster.node.NodeStartException;
import dev.backfill.stores.StoreStartException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    version = "backfill 0.1.0",
    description = {
      "Applies a new analysis to historical calls without hurting the primary database.",
      "",
      "Try it:  ./backfill demo        (local stores, seeded calls, one backfill, a report)",
      "Run it:  ./backfill stores start && ./backfill node   (then: ./backfill submit ...)"
    },
    subcommands = {
      DemoCommand.class,
      ChaosCommand.class,
      NodeCommand.class,
      StoresCommand.class,
      SeedCommand.class,
      SchemaCommand.class,
      SubmitCommand.class,
      JobsCommand.class,
      JobCommand.class,
      CommandLine.HelpCommand.class
    })
public final class BackfillCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new BackfillCommand());
    commandLine.setExecutionExceptionHandler(BackfillCommand::explain);
    return commandLine;
  }

  /**
   * Failures the user can act on are printed as one message that says what to do; anything else
   * is a bug and keeps its stack trace.
   */
  private static int explain(Exception failure, CommandLine commandLine, CommandLine.ParseResult parsed) {
    if (failure instanceof StoreStartException
        || failure instanceof NodeStartException
        || failure instanceof CliException
        || failure instanceof IllegalArgumentException
        || failure instanceof com.typesafe.config.ConfigException) {
      commandLine.getErr().println("error: " + failure.getMessage());
      return 1;
    }
    failure.printStackTrace(commandLine.getErr());
    return 2;
  }
}
