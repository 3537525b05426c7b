package dev.backfill.engine.processor;

import static dev.backfill.engine.processor.TestCalls.call;
import static dev.backfill.engine.processor.TestCalls.customer;
import static dev.backfill.engine.processor.TestCalls.rep;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backfill.protocol.call.SpeakerRole;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LongestMonologueProcessorTest {

  private final LongestMonologueProcessor processor = new LongestMonologueProcessor();

  @Test
  void findsTheLongestRunOverallAndPerSide() {
    // runs: ann [0, 9000]      -> 9000 - 0     = 9000   (rep)
    //       bob [9200, 20000]  -> 20000 - 9200 = 10800  (customer)
    //       ann [20100, 25000] -> 25000 - 20100 = 4900  (rep)
    //       cat [25000, 26000] -> 1000 (rep, another speaker: a run of its own)
    // longest 10800 by bob (customer); longest rep 9000; longest customer 10800
    var call =
        call(
            rep("ann", 0, 3000, "Hi."),
            rep("ann", 3500, 9000, "Let me walk you through it."),
            customer("bob", 9200, 12000, "Right."),
            customer("bob", 12500, 20000, "Our situation is..."),
            rep("ann", 20100, 25000, "Understood."),
            rep("cat", 25000, 26000, "And I am Cat."));

    assertEquals(
        new LongestMonologueProcessor.Result(10800, "bob", SpeakerRole.CUSTOMER, 9000, 10800),
        processor.process(call, Map.of()));
  }

  @Test
  void onATieTheEarlierMonologueWins() {
    // ann [0, 5000] -> 5000; bob [5000, 10000] -> 5000; ann [10000, 12000] -> 2000
    var call =
        call(
            rep("ann", 0, 5000, "One."),
            customer("bob", 5000, 10000, "Two."),
            rep("ann", 10000, 12000, "Three."));

    assertEquals(
        new LongestMonologueProcessor.Result(5000, "ann", SpeakerRole.REP, 5000, 5000),
        processor.process(call, Map.of()));
  }

  @Test
  void emptyTranscriptHasNoSpeaker() {
    assertEquals(
        new LongestMonologueProcessor.Result(0, null, null, 0, 0),
        processor.process(call(), Map.of()));
  }

  @Test
  void refusesMalformedCalls() {
    TestCalls.assertRefusesMalformedCalls(processor, Map.of());
  }
}
