package dev.backfill.engine.processor;

import static dev.backfill.engine.processor.TestCalls.call;
import static dev.backfill.engine.processor.TestCalls.customer;
import static dev.backfill.engine.processor.TestCalls.rep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.backfill.engine.processor.KeywordTrackerProcessor.Counts;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class KeywordTrackerProcessorTest {

  private final KeywordTrackerProcessor processor = new KeywordTrackerProcessor();

  @Test
  void countsWholeWordsIgnoringCasePerSideInTheGivenOrder() {
    // price:      rep "price" + "PRICE" (2) + "price." (1) = 3; customer "priceless" is no match = 0
    // discount:   customer "discount?" = 1; "Discounts" is another word = 0
    // next steps: rep "next   steps" (any whitespace between the words) = 1
    // budget:     customer "budget:" = 1; "budgetary" is another word = 0
    var call =
        call(
            rep("ann", 0, 3000, "The price is fair; PRICE matters."),
            customer("bob", 3000, 6000, "That's priceless. Any discount? Discounts are nice."),
            rep("ann", 6000, 9000, "Let's agree on next   steps and the price."),
            customer("bob", 9000, 12000, "Our budget: unknown. Budgetary limits apply."));

    Object result = processor.process(call, Map.of("keywords", " Price , discount,Next Steps, budget"));

    assertEquals(
        Map.of(
            "price", new Counts(3, 0),
            "discount", new Counts(0, 1),
            "next steps", new Counts(1, 0),
            "budget", new Counts(0, 1)),
        result);
    assertEquals(
        List.of("price", "discount", "next steps", "budget"),
        List.copyOf(((Map<?, ?>) result).keySet()));
  }

  @Test
  void emptyTranscriptCountsZero() {
    assertEquals(
        Map.of("price", new Counts(0, 0)), processor.process(call(), Map.of("keywords", "price")));
  }

  @Test
  void acceptsAGoodKeywordList() {
    assertEquals(List.of(), processor.validate(Map.of("keywords", "price, next steps")));
  }

  @Test
  void requiresKeywords() {
    List<String> required = List.of("parameters.keywords: required, a comma-separated list");
    assertEquals(required, processor.validate(Map.of()));
    assertEquals(required, processor.validate(Map.of("keywords", "   ")));
    assertEquals(required, processor.validate(Map.of("keywords", " , ,")));
  }

  @Test
  void refusesTooManyKeywords() {
    String fiftyOne =
        IntStream.rangeClosed(1, 51).mapToObj(i -> "kw" + i).collect(Collectors.joining(","));
    assertEquals(
        List.of("parameters.keywords: at most 50 keywords, got 51"),
        processor.validate(Map.of("keywords", fiftyOne)));
  }

  @Test
  void refusesTooLongKeywords() {
    String sixtyFive = "a".repeat(65);
    assertEquals(
        List.of("parameters.keywords: keyword 2 has 65 characters, at most 64"),
        processor.validate(Map.of("keywords", "price," + sixtyFive + "," + "b".repeat(64))));
  }

  @Test
  void refusesUnknownParameters() {
    Map<String, String> parameters = new HashMap<>();
    parameters.put("keywords", "price");
    parameters.put("window", "5");
    parameters.put("case", "yes");
    assertEquals(
        List.of("parameters.case: unknown parameter", "parameters.window: unknown parameter"),
        processor.validate(parameters));
  }

  @Test
  void processRefusesBadParametersAsTheJobsFault() {
    var call = call(rep("ann", 0, 1000, "price"));
    assertThrows(IllegalArgumentException.class, () -> processor.process(call, Map.of()));
  }

  @Test
  void refusesMalformedCalls() {
    TestCalls.assertRefusesMalformedCalls(processor, Map.of("keywords", "price"));
  }
}
