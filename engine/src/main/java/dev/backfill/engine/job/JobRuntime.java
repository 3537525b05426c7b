package dev.backfill.engine.job;

import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.source.PrimaryCallSource;

/** What a job supervisor needs from its node: settings and the way into the primary database. */
public record JobRuntime(EngineSettings settings, PrimaryCallSource callSource) {}
