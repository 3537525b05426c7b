package dev.backfill.engine.job;

import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.source.PrimaryCallSource;

/**
 * What a job supervisor needs from its node: settings, the queries it may run on the primary, and
 * the governor's leases that every one of those queries runs under.
 */
public record JobRuntime(EngineSettings settings, PrimaryCallSource callSource, GovernedPrimary primary) {}
