package dev.backfill.cluster.node;

import dev.backfill.cluster.http.GovernorControl;
import dev.backfill.engine.governor.Governor;
import dev.backfill.engine.governor.GovernorBudget;
import dev.backfill.engine.governor.GovernorView;
import dev.backfill.engine.governor.HealthThresholds;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
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
    return AskPattern.ask(governor, Governor.GetView::new, askTimeout, system.scheduler());
  }

  @Override
  public CompletionStage<GovernorView> update(GovernorBudget budget, HealthThresholds thresholds) {
    return AskPattern.<Governor.Command, StatusReply<GovernorView>>ask(
            governor, replyTo -> new Governor.Update(budget, thresholds, replyTo), askTimeout, system.scheduler())
        .thenApply(StatusReply::getValue);
  }
}
