package dev.backfill.protocol.job;

import dev.backfill.protocol.CborSerializable;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What a backfill job does: apply one processor version to every call matching the filters.
 * Validated at the HTTP boundary; once a job is accepted its spec never changes.
 *
 * @param tenant only calls of this tenant, or null for all
 * @param from only calls that started at or after this instant, or null
 * @param to only calls that started before this instant, or null
 */
public record JobSpec(
    String processor,
    int version,
    String tenant,
    Instant from,
    Instant to,
    Map<String, String> parameters)
    implements CborSerializable {

  public JobSpec {
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
  }

  public Optional<String> tenantFilter() {
    return Optional.ofNullable(tenant);
  }

  public Optional<Instant> fromFilter() {
    return Optional.ofNullable(from);
  }

  public Optional<Instant> toFilter() {
    return Optional.ofNullable(to);
  }
}
