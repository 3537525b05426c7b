package dev.backfill.engine.processor;

import static dev.backfill.engine.processor.TestCalls.call;
import static dev.backfill.engine.processor.TestCalls.customer;
import static dev.backfill.engine.processor.TestCalls.rep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.backfill.protocol.job.CanonicalParameters;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The result key's computation: processor, version and the hash of the processor's canonical
 * parameters, so that jobs computing the same thing meet and jobs computing other things do not.
 */
class ComputationTest {

  private final Processor keywords = new KeywordTrackerProcessor();

  @Test
  void keywordsSpelledOtherwiseAreOneComputation() {
    Computation canonical = keywords("budget,price,security review");

    for (String spelling :
        List.of(
            "budget,price,security review",
            " price,budget , Security   Review",
            "PRICE, budget,price,,security review",
            "security review,budget,price")) {
      assertEquals(canonical, keywords(spelling), spelling);
    }
    assertEquals("{\"keywords\":\"budget,price,security review\"}", canonical.parameters());
    assertEquals(CanonicalParameters.hashOfText(canonical.parameters()), canonical.parametersHash());
  }

  @Test
  void otherKeywordsAreAnotherComputation() {
    Computation price = keywords("price");

    assertNotEquals(price.parametersHash(), keywords("budget").parametersHash());
    assertNotEquals(price.parametersHash(), keywords("price,budget").parametersHash());
    assertNotEquals(price.parametersHash(), keywords("prices").parametersHash());
    assertEquals(price.processor(), keywords("budget").processor());
  }

  @Test
  void canonicalKeywordsStayAsTheyAreAndProcessLikeTheOriginal() {
    Map<String, String> given = Map.of("keywords", " Price , discount,Next   Steps");
    Map<String, String> canonical = keywords.canonicalParameters(given);

    assertEquals(Map.of("keywords", "discount,next steps,price"), canonical);
    assertEquals(canonical, keywords.canonicalParameters(canonical), "canonical twice is canonical once");
    var call =
        call(
            rep("ann", 0, 3000, "The price, and next steps."),
            customer("bob", 3000, 6000, "A discount on the price?"));
    // The same counts; only the order of the result's keys follows the parameters' order.
    assertEquals(keywords.process(call, given), keywords.process(call, canonical));
  }

  @Test
  void parametersTheProcessorRefusesStayRefused() {
    Map<String, String> unknown = new HashMap<>();
    unknown.put("keywords", "price");
    unknown.put("window", "5");

    assertEquals(Map.of(), keywords.canonicalParameters(Map.of()));
    assertEquals(Map.of("keywords", " , "), keywords.canonicalParameters(Map.of("keywords", " , ")));
    assertEquals(
        keywords.validate(unknown), keywords.validate(keywords.canonicalParameters(unknown)));
    assertEquals(
        List.of("parameters.keywords: required, a comma-separated list"),
        keywords.validate(keywords.canonicalParameters(Map.of("keywords", " , "))));
  }

  @Test
  void aProcessorWithoutParametersHasTheEmptyParametersComputation() {
    Processor talkRatio = new TalkRatioProcessor();

    assertEquals(Computation.withoutParameters("talk-ratio", 1), Computation.of(talkRatio, Map.of()));
    assertEquals("{}", Computation.of(talkRatio, Map.of()).parameters());
    assertEquals(
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        Computation.of(talkRatio, Map.of()).parametersHash());
  }

  private Computation keywords(String keywordList) {
    return Computation.of(keywords, Map.of("keywords", keywordList));
  }
}
