package dev.backfill.engine.governor;

import java.util.List;
import java.util.Objects;

/**
 * What the governor allows the whole cluster right now, and why.
 *
 * @param fraction the share of the budget the rates were computed from; 0 while paused
 * @param reason a short sentence for operators naming the signal behind any throttling
 * @param signals the readings of the latest sample; empty before the first sample
 */
public record Decision(
    GovernorMode mode,
    double rowsPerSecond,
    double queryMillisPerSecond,
    int concurrency,
    double fraction,
    String reason,
    List<SignalReading> signals) {

  public Decision {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(reason, "reason");
    signals = List.copyOf(signals);
  }

  public boolean paused() {
    return mode == GovernorMode.PAUSED;
  }
}
