package dev.backfill.engine.processor;

import static dev.backfill.engine.processor.TestCalls.call;
import static dev.backfill.engine.processor.TestCalls.customer;
import static dev.backfill.engine.processor.TestCalls.rep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backfill.protocol.call.Call;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessorRegistryTest {

  private static final Call CALL =
      call(
          customer("bob", 0, 4000, "What is the price?"),
          rep("ann", 4500, 9000, "The price depends on seats."),
          customer("bob", 9000, 12000, "Okay."));

  @Test
  void findsAllSixSortedById() {
    ProcessorRegistry registry = ProcessorRegistry.load();

    assertEquals(
        List.of(
            "interactivity",
            "keyword-tracker",
            "longest-monologue",
            "patience",
            "question-count",
            "talk-ratio"),
        registry.all().stream().map(Processor::id).toList());
    for (Processor p : registry.all()) {
      assertSame(p, registry.find(p.id()).orElseThrow());
      assertEquals(1, p.version(), p.id());
      assertFalse(p.description().isBlank(), p.id());
    }
    assertTrue(registry.find("no-such-processor").isEmpty());
    assertTrue(registry.find(null).isEmpty());
    assertSame(registry, ProcessorRegistry.load());
  }

  @Test
  void everyResultSerializesWithSnakeCaseFields() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    Map<String, List<String>> expectedFields =
        Map.of(
            "talk-ratio", List.of("rep_talk_ms", "customer_talk_ms", "rep_share", "customer_share"),
            "longest-monologue",
                List.of("longest_ms", "speaker", "role", "longest_rep_ms", "longest_customer_ms"),
            "interactivity", List.of("switches", "span_ms", "switches_per_minute"),
            "question-count", List.of("rep_questions", "customer_questions", "total_questions"),
            "keyword-tracker", List.of("price", "rep", "customer"),
            "patience", List.of("answers", "average_pause_ms", "max_pause_ms"));

    for (Processor p : ProcessorRegistry.load().all()) {
      Map<String, String> parameters =
          p.id().equals("keyword-tracker") ? Map.of("keywords", "price") : Map.of();
      String json = mapper.writeValueAsString(p.process(CALL, parameters));
      for (String field : expectedFields.get(p.id())) {
        assertTrue(json.contains("\"" + field + "\":"), p.id() + " lacks " + field + ": " + json);
      }
    }
  }

  @Test
  void exactJsonForTwoResults() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    // ann [4500, 9000] = 4500 is the longest run; bob's runs are 4000 and 3000
    assertEquals(
        "{\"longest_ms\":4500,\"speaker\":\"ann\",\"role\":\"rep\",\"longest_rep_ms\":4500,"
            + "\"longest_customer_ms\":4000}",
        mapper.writeValueAsString(new LongestMonologueProcessor().process(CALL, Map.of())));
    // customer "price?" and rep "price" -> 1 each
    assertEquals(
        "{\"price\":{\"rep\":1,\"customer\":1}}",
        mapper.writeValueAsString(
            new KeywordTrackerProcessor().process(CALL, Map.of("keywords", "price"))));
  }

  @Test
  void refusesTwoProcessorsWithTheSameId() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> ProcessorRegistry.of(List.of(new PatienceProcessor(), new PatienceProcessor())));
    assertTrue(e.getMessage().contains("'patience'"), e.getMessage());
  }
}
