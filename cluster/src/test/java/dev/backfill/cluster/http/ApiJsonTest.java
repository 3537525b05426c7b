package dev.backfill.cluster.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonMappingException;
import dev.backfill.protocol.http.SubmitJobRequest;
import org.junit.jupiter.api.Test;

/** The API's mapper binds numbers strictly: no value the client did not send. */
class ApiJsonTest {

  @Test
  void aFractionIsNotRoundedIntoAWholeNumber() {
    assertEquals("version", refusedField("{\"version\": 2.7}"));
    assertEquals("version", refusedField("{\"version\": 2.0}"));
  }

  @Test
  void aStringIsNotReadAsANumber() {
    assertEquals("version", refusedField("{\"version\": \"2\"}"));
    assertEquals("priority", refusedField("{\"priority\": \"5\"}"));
    assertEquals("max_calls_per_second", refusedField("{\"max_calls_per_second\": \"100\"}"));
  }

  @Test
  void anEmptyStringIsNotReadAsNoValue() {
    assertEquals("version", refusedField("{\"version\": \"\"}"));
    assertEquals("priority", refusedField("{\"priority\": \"\"}"));
  }

  private static String refusedField(String json) {
    JsonMappingException refused =
        assertThrows(JsonMappingException.class, () -> ApiJson.MAPPER.readValue(json, SubmitJobRequest.class));
    return refused.getPath().get(0).getFieldName();
  }
}
