package dev.backfill.engine.processor;

import static dev.backfill.engine.processor.TestCalls.call;
import static dev.backfill.engine.processor.TestCalls.customer;
import static dev.backfill.engine.processor.TestCalls.rep;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class QuestionCountProcessorTest {

  private final QuestionCountProcessor processor = new QuestionCountProcessor();

  @Test
  void countsSentencesEndingWithAQuestionMarkPerSide() {
    // rep:      "How are you?" (1)                                  -> 1
    // customer: "cost??" ends the text: the run counts once         -> 1
    // rep:      "price?The" no, "discount? " yes, "both?" at end yes -> 2
    // customer: "not?" followed by a newline                        -> 1
    // rep 1 + 2 = 3; customer 1 + 1 = 2; total 5
    var call =
        call(
            rep("ann", 0, 2000, "How are you? Good to hear."),
            customer("bob", 2000, 4000, "Fine. What does it cost??"),
            rep("ann", 4000, 7000, "What about the price?The discount? Or both?"),
            customer("bob", 7000, 9000, "Why not?\nOk."));

    assertEquals(new QuestionCountProcessor.Result(3, 2, 5), processor.process(call, Map.of()));
  }

  @Test
  void missingTextAndEmptyTranscriptHaveNoQuestions() {
    assertEquals(new QuestionCountProcessor.Result(0, 0, 0), processor.process(call(), Map.of()));
    assertEquals(
        new QuestionCountProcessor.Result(0, 0, 0),
        processor.process(call(rep("ann", 0, 1000, null)), Map.of()));
  }

  @Test
  void refusesMalformedCalls() {
    TestCalls.assertRefusesMalformedCalls(processor, Map.of());
  }
}
