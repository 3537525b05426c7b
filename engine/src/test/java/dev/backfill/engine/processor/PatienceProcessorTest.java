package dev.backfill.engine.processor;

import static dev.backfill.engine.processor.TestCalls.call;
import static dev.backfill.engine.processor.TestCalls.customer;
import static dev.backfill.engine.processor.TestCalls.rep;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PatienceProcessorTest {

  private final PatienceProcessor processor = new PatienceProcessor();

  @Test
  void measuresThePauseAtEachCustomerToRepHandOver() {
    // hand-overs (customer then rep):
    //   bob ends 5000,  ann starts 5801  -> 801
    //   bob ends 15000, ann starts 14000 -> -1000, an interruption -> 0
    //   bob ends 22000, ann starts 24501 -> 2501
    // ann -> ann and ann -> bob are not hand-overs to the rep.
    // answers 3; average (801 + 0 + 2501) / 3 = 3302 / 3 = 1100.67 -> 1101; max 2501
    var call =
        call(
            customer("bob", 0, 5000, "We need a quote."),
            rep("ann", 5801, 9000, "Sure."),
            rep("ann", 9000, 12000, "Let me check."),
            customer("bob", 12500, 15000, "And the timeline?"),
            rep("ann", 14000, 20000, "Two weeks."),
            customer("bob", 20000, 22000, "Hmm."),
            rep("ann", 24501, 26000, "Does that work?"));

    assertEquals(new PatienceProcessor.Result(3, 1101, 2501), processor.process(call, Map.of()));
  }

  @Test
  void noHandOversGiveZeros() {
    assertEquals(new PatienceProcessor.Result(0, 0, 0), processor.process(call(), Map.of()));
    // rep then customer only: not a hand-over to the rep
    var call = call(rep("ann", 0, 1000, "Hi."), customer("bob", 3000, 4000, "Hello."));
    assertEquals(new PatienceProcessor.Result(0, 0, 0), processor.process(call, Map.of()));
  }

  @Test
  void refusesMalformedCalls() {
    TestCalls.assertRefusesMalformedCalls(processor, Map.of());
  }
}
