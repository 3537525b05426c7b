package dev.backfill.engine.job;

import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.source.PrimaryCallSource;
import dev.backfill.engine.store.OutcomeLedger;

/**
 * What a job supervisor needs from its node: settings, the queries it may run on the primary, the
 * governor's leases that every one of those queries runs under, and the outcome ledger (to find
 * the calls to re-drive), and word of cluster members lost, so that asks to their calls' entities are
 * sent again without waiting out their timeout.
 */
public record JobRuntime(
    EngineSettings settings,
    PrimaryCallSource callSource,
    GovernedPrimary primary,
    OutcomeLedger ledger,
    MemberLosses memberLosses) {

  /** Outside a cluster's membership events (tests of one supervisor): no member is ever lost. */
  public JobRuntime(EngineSettings settings, PrimaryCallSource callSource, GovernedPrimary primary, OutcomeLedger ledger) {
    this(settings, callSource, primary, ledger, MemberLosses.none());
  }
}
