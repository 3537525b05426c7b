package dev.backfill.engine.job;

import dev.backfill.engine.governor.TokenBucket;
import java.time.Duration;
import java.util.function.DoubleSupplier;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * A throttle whose rate can change while the stream runs: it reads the rate from a supplier
 * before every element (Pekko's own {@code throttle} fixes its rate when materialized). A rate of
 * {@link Double#POSITIVE_INFINITY} lets everything through; 0 holds everything until it rises.
 * A job's own cap ({@code max_calls_per_second}, changed with PATCH /jobs/{id}) is applied here,
 * smoothly per call rather than per page.
 */
public final class AdjustableThrottle<T> extends GraphStage<FlowShape<T, T>> {

  /** How often a held element re-reads the rate, so a raised rate takes effect soon. */
  private static final Duration RECHECK = Duration.ofMillis(100);

  private final DoubleSupplier ratePerSecond;
  private final Inlet<T> in = Inlet.create("AdjustableThrottle.in");
  private final Outlet<T> out = Outlet.create("AdjustableThrottle.out");
  private final FlowShape<T, T> shape = FlowShape.of(in, out);

  public AdjustableThrottle(DoubleSupplier ratePerSecond) {
    this.ratePerSecond = ratePerSecond;
  }

  @Override
  public FlowShape<T, T> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private final TokenBucket bucket = new TokenBucket(0, 1, TokenBucket.SCHEDULER_SLACK, System.nanoTime());
      private T held;
      private boolean upstreamDone;

      {
        setHandler(
            in,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                held = grab(in);
                tryEmit();
              }

              @Override
              public void onUpstreamFinish() {
                upstreamDone = true;
                if (held == null) {
                  completeStage();
                }
              }
            });
        setHandler(
            out,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(in);
              }
            });
      }

      @Override
      public void onTimer(Object key) {
        tryEmit();
      }

      private void tryEmit() {
        long now = System.nanoTime();
        double rate = ratePerSecond.getAsDouble();
        if (Double.isInfinite(rate)) {
          emitHeld();
          return;
        }
        bucket.setRate(Math.max(0, rate), now);
        long wait = bucket.nanosUntil(1, now);
        if (wait == 0) {
          bucket.take(1, now);
          emitHeld();
        } else {
          scheduleOnce("recheck", Duration.ofNanos(Math.min(wait, RECHECK.toNanos())));
        }
      }

      private void emitHeld() {
        T element = held;
        held = null;
        push(out, element);
        if (upstreamDone) {
          completeStage();
        }
      }
    };
  }
}
