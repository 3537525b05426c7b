package dev.backfill.engine.processor;

import dev.backfill.protocol.job.CanonicalParameters;
import java.util.Map;

/**
 * What a result is the result of: a processor version applied with certain parameters. With the
 * call id it is the result's key, so two jobs with other parameters never share a result and a
 * job finds a call done only when this very computation was done for it.
 *
 * @param parameters the processor's canonical parameters as {@link CanonicalParameters#text},
 *     stored with the result so that a row says what it was computed with
 * @param parametersHash {@link CanonicalParameters#hash} of them, in the result's key
 */
public record Computation(String processor, int version, String parameters, String parametersHash) {

  /** The processor's own computation: its parameters made canonical by the processor first. */
  public static Computation of(Processor processor, Map<String, String> parameters) {
    return ofCanonical(processor.id(), processor.version(), processor.canonicalParameters(parameters));
  }

  /**
   * For parameters already in their processor's canonical form (those of a processor without a
   * canonical form of its own are), and for processors this node may not have.
   */
  public static Computation ofCanonical(
      String processor, int version, Map<String, String> canonicalParameters) {
    String text = CanonicalParameters.text(canonicalParameters);
    return new Computation(processor, version, text, CanonicalParameters.hashOfText(text));
  }

  /** A processor version that takes no parameters. */
  public static Computation withoutParameters(String processor, int version) {
    return ofCanonical(processor, version, Map.of());
  }
}
