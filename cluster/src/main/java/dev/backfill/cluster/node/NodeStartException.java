package dev.backfill.cluster.node;

/** A node could not start; the message says why and what to check. */
public final class NodeStartException extends RuntimeException {

  public NodeStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
