package dev.backfill.cluster.node;

import dev.backfill.engine.concurrent.OnCompletingThread;
import dev.backfill.cluster.http.GovernorControl;
import dev.backfill.engine.governor.Governor;
import dev.backfill.engine.governor.GovernorBudget;
import dev.backfill.engine.governor.GovernorView;
import dev.backfill.engine.governor.HealthThresholds;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.pattern.StatusReply;

/** The governor singleton, reached through its proxy on this node. */
final class SingletonGovernor implements GovernorControl {

  private final ActorRef<Governor.Command> governor;
  private final ActorSystem<?> system;
  private final Duration askTimeout;

  SingletonGovernor(ActorRef<Governor.Command> governor, ActorSystem<?> system, Duration askTimeout) {
    this.governor = governor;
    this.system = system;
    this.askTimeout = askTimeout;
  }

  @Override
  public CompletionStage<GovernorView> view() {
    return OnCompletingThread.of(AskPattern.ask(governor, Governor.GetView::new, askTimeout, system.scheduler()));
  }

  @Override
  public CompletionStage<GovernorView> update(GovernorBudget budget, HealthThresholds thresholds, Set<String> fields) {
    return change(replyTo -> new Governor.Update(budget, thresholds, Set.copyOf(fields), by("PATCH /governor"), replyTo));
  }

  @Override
  public CompletionStage<GovernorView> clearOverrides() {
    return change(replyTo -> new Governor.ClearOverrides(by("DELETE /governor/overrides"), replyTo));
  }

  private CompletionStage<GovernorView> change(Function<ActorRef<Governor.SettingsReply>, Governor.Command> request) {
    return OnCompletingThread.of(
            AskPattern.<Governor.Command, Governor.SettingsReply>ask(governor, request, askTimeout, system.scheduler()))
        .thenApply(SingletonGovernor::viewOrThrow);
  }

  /** Which request, and the node whose API took it: shown with the change in GET /governor. */
  private String by(String request) {
    return request + " on " + system.address();
  }

  private static GovernorView viewOrThrow(Governor.SettingsReply reply) {
    if (reply instanceof Governor.SettingsApplied applied) {
      return applied.view();
    }
    if (reply instanceof Governor.SettingsRefused refused) {
      throw new StatusReply.ErrorMessage(refused.reason());
    }
    throw new GovernorControl.Unavailable(((Governor.SettingsUnavailable) reply).reason());
  }
}
