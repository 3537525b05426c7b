package dev.backfill.engine.processor;

import static dev.backfill.engine.processor.TestCalls.call;
import static dev.backfill.engine.processor.TestCalls.customer;
import static dev.backfill.engine.processor.TestCalls.rep;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InteractivityProcessorTest {

  private final InteractivityProcessor processor = new InteractivityProcessor();

  @Test
  void countsSwitchesPerMinuteOfSpan() {
    // switches: ann->bob (1), bob->bob (no), bob->ann (2), ann->bob (3) = 3
    // span: 90000 - 5000 = 85000 ms = 85000 / 60000 min
    // rate: 3 / (85000 / 60000) = 180000 / 85000 = 2.117647.. -> 2.1176
    var call =
        call(
            rep("ann", 5000, 10000, "Hi."),
            customer("bob", 10000, 20000, "Hello."),
            customer("bob", 20000, 30000, "So..."),
            rep("ann", 31000, 60000, "Yes."),
            customer("bob", 60000, 90000, "Thanks."));

    assertEquals(new InteractivityProcessor.Result(3, 85000, 2.1176), processor.process(call, Map.of()));
  }

  @Test
  void switchesAreBetweenSpeakersNotSides() {
    // ann->cat is a switch even though both are reps: 1 switch over 60000 - 0 ms = 1 min -> 1.0
    var call = call(rep("ann", 0, 30000, "Over to Cat."), rep("cat", 30000, 60000, "Hi."));

    assertEquals(new InteractivityProcessor.Result(1, 60000, 1.0), processor.process(call, Map.of()));
  }

  @Test
  void emptyOrZeroSpanTranscriptHasNoRate() {
    assertEquals(new InteractivityProcessor.Result(0, 0, 0.0), processor.process(call(), Map.of()));
    // One zero-length utterance: span 1000 - 1000 = 0
    assertEquals(
        new InteractivityProcessor.Result(0, 0, 0.0),
        processor.process(call(rep("ann", 1000, 1000, "")), Map.of()));
    // One speaker alone: 0 switches over 5000 ms -> 0.0
    assertEquals(
        new InteractivityProcessor.Result(0, 5000, 0.0),
        processor.process(call(rep("ann", 0, 5000, "Hello?")), Map.of()));
  }

  @Test
  void refusesMalformedCalls() {
    TestCalls.assertRefusesMalformedCalls(processor, Map.of());
  }
}
