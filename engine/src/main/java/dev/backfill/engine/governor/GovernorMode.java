package dev.backfill.engine.governor;

/** Where the adaptive policy is in its cycle; reported so operators can see why jobs are slow. */
public enum GovernorMode {
  /** Growing fast (doubling) from the floor, after start-up or after a pause. */
  SLOW_START,
  /** The primary is healthy; growing slowly (additively) towards the full budget. */
  STEADY,
  /** The primary warned; the allowed rate was cut. */
  BACKING_OFF,
  /** The primary is critical, or has not yet been healthy for long enough: nothing may run. */
  PAUSED
}
