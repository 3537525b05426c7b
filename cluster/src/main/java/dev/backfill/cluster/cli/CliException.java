package dev.backfill.cluster.cli;

/** A command cannot go on; the message tells the user what to do instead. */
public final class CliException extends RuntimeException {

  public CliException(String message) {
    super(message);
  }
}
