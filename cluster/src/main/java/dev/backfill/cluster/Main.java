package dev.backfill.cluster;

import dev.backfill.cluster.cli.BackfillCommand;
import picocli.CommandLine;

/** The one entry point: {@code ./backfill COMMAND}. See {@link BackfillCommand}. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(BackfillCommand.commandLine().execute(args));
  }
}
