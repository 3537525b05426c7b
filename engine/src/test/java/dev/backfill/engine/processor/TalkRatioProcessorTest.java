package dev.backfill.engine.processor;

import static dev.backfill.engine.processor.TestCalls.call;
import static dev.backfill.engine.processor.TestCalls.customer;
import static dev.backfill.engine.processor.TestCalls.rep;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TalkRatioProcessorTest {

  private final TalkRatioProcessor processor = new TalkRatioProcessor();

  @Test
  void sumsEachSideAndRoundsTheShares() {
    // rep:      (4000 - 0) + (10000 - 7000)     = 4000 + 3000 = 7000
    // customer: (7000 - 4500) + (11700 - 10200) = 2500 + 1500 = 4000
    // total 11000; rep 7000 / 11000 = 0.63636.. -> 0.6364; customer 4000 / 11000 = 0.36363.. -> 0.3636
    var call =
        call(
            rep("ann", 0, 4000, "Thanks for joining."),
            customer("bob", 4500, 7000, "Sure."),
            rep("ann", 7000, 10000, "Let me show you."),
            customer("bob", 10200, 11700, "Okay."));

    assertEquals(
        new TalkRatioProcessor.Result(7000, 4000, 0.6364, 0.3636), processor.process(call, Map.of()));
  }

  @Test
  void oneSidedCallGivesAllTheShareToTheSpeaker() {
    // rep: 2000 + 3000 = 5000; customer 0 -> shares 5000/5000 = 1.0 and 0.0
    var call = call(rep("ann", 0, 2000, "Hello?"), rep("ann", 5000, 8000, "Anyone there?"));

    assertEquals(new TalkRatioProcessor.Result(5000, 0, 1.0, 0.0), processor.process(call, Map.of()));
  }

  @Test
  void nobodySpeakingGivesZeroShares() {
    assertEquals(new TalkRatioProcessor.Result(0, 0, 0.0, 0.0), processor.process(call(), Map.of()));
    // Zero-length utterances: talk time 0 + 0, still nobody spoke.
    var silent = call(rep("ann", 1000, 1000, ""), customer("bob", 2000, 2000, ""));
    assertEquals(new TalkRatioProcessor.Result(0, 0, 0.0, 0.0), processor.process(silent, Map.of()));
  }

  @Test
  void refusesMalformedCalls() {
    TestCalls.assertRefusesMalformedCalls(processor, Map.of());
  }

  @Test
  void takesNoParameters() {
    assertEquals(List.of(), processor.validate(Map.of()));
    assertEquals(List.of("parameters: talk-ratio takes none"), processor.validate(Map.of("x", "1")));
  }
}
