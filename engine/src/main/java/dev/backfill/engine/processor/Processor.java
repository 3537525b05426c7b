package dev.backfill.engine.processor;

import dev.backfill.protocol.call.Call;
import java.util.List;
import java.util.Map;

/**
 * A versioned call analysis that a backfill applies to historical calls.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader} (listed in
 * META-INF/services/dev.backfill.engine.processor.Processor), must have a public no-argument
 * constructor, and must be thread-safe and free of side effects: the engine runs one instance for
 * many calls at once and may run the same call twice after a crash. The same call, parameters and
 * version must always give the same result, since a result row is keyed by (call, processor,
 * version, hash of the canonical parameters: {@link Computation}) and a rerun overwrites it.
 */
public interface Processor {

  /** Stable id used in job specs and result rows, lower-case with dashes, e.g. {@code talk-ratio}. */
  String id();

  /** Bumped whenever the result for some call would change. */
  int version();

  /** One line for humans: what the result means. */
  String description();

  /**
   * Problems with a job's parameters, each naming the parameter, empty when they are fine. Called
   * when a job is submitted, so that a bad job is refused before it reads a single call.
   */
  default List<String> validate(Map<String, String> parameters) {
    return parameters.isEmpty() ? List.of() : List.of("parameters: " + id() + " takes none");
  }

  /**
   * The parameters in the form that identifies the computation: parameters that give the same
   * result for every call should come out equal (the same keywords spelled with other spaces, say),
   * so that a job finds the results of an equal job done and does not compute them again. The
   * engine hashes this form into the result's key, stores it with the result and gives it, not the
   * job's own spelling, to {@link #process}. As given by default.
   *
   * <p>It must be cheap (it runs once per job on each node), give its own output back unchanged, and leave
   * parameters that {@link #validate} refuses refused.
   */
  default Map<String, String> canonicalParameters(Map<String, String> parameters) {
    return parameters;
  }

  /**
   * Analyses one call. The returned value is serialized to JSON with Jackson (a record or a map).
   *
   * @throws MalformedCallException when the call's data cannot be analysed: a permanent failure.
   */
  Object process(Call call, Map<String, String> parameters);
}
