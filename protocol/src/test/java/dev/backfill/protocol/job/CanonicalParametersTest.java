package dev.backfill.protocol.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalParametersTest {

  @Test
  void theOrderOfTheKeysDoesNotMatter() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("b", "2");
    ba.put("a", "1");

    assertEquals("{\"a\":\"1\",\"b\":\"2\"}", CanonicalParameters.text(ab));
    assertEquals(CanonicalParameters.text(ab), CanonicalParameters.text(ba));
    assertEquals(CanonicalParameters.hash(ab), CanonicalParameters.hash(ba));
  }

  @Test
  void otherValuesOrKeysHashOtherwise() {
    String price = CanonicalParameters.hash(Map.of("keywords", "price"));

    assertNotEquals(price, CanonicalParameters.hash(Map.of("keywords", "budget")));
    assertNotEquals(price, CanonicalParameters.hash(Map.of("keyword", "price")));
    assertNotEquals(price, CanonicalParameters.hash(Map.of("keywords", "price", "x", "")));
    // Values are taken as given: equal spellings are the processor's business.
    assertNotEquals(price, CanonicalParameters.hash(Map.of("keywords", " price")));
  }

  @Test
  void separatorsInsideKeysAndValuesCannotMakeTwoMapsOneText() {
    Map<String, String> one = Map.of("a", "1\",\"b\":\"2");
    Map<String, String> two = Map.of("a", "1", "b", "2");

    assertEquals("{\"a\":\"1\\\",\\\"b\\\":\\\"2\"}", CanonicalParameters.text(one));
    assertNotEquals(CanonicalParameters.hash(one), CanonicalParameters.hash(two));
    assertEquals("{\"k\":\"line\\nbreak\\u0001\"}", CanonicalParameters.text(Map.of("k", "line\nbreak\u0001")));
    assertNotEquals(
        CanonicalParameters.hash(Map.of("k", "\ud800")), CanonicalParameters.hash(Map.of("k", "\udc00")),
        "lone surrogates are escaped, not all encoded as '?'");
  }

  @Test
  void noParametersHashToOneStableValue() {
    // Pinned: result rows of every parameterless job carry it, so it must never change.
    String empty = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    assertEquals("{}", CanonicalParameters.text(Map.of()));
    assertEquals(empty, CanonicalParameters.hash(Map.of()));
    assertEquals(empty, CanonicalParameters.hash(null));
  }

  @Test
  void theHashIsTheSha256OfTheTextInHex() {
    // sha256sum of the bytes {"a":"1","b":"2"}
    assertEquals(
        "21f76dfbfe6dfe21f762080ef484112cf2952974cef30741fd1931e1c6d92112",
        CanonicalParameters.hash(Map.of("b", "2", "a", "1")));
    assertEquals(
        CanonicalParameters.hash(Map.of("keywords", "budget,price")),
        CanonicalParameters.hashOfText("{\"keywords\":\"budget,price\"}"));
  }
}
