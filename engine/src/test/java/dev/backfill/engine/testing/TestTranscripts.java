package dev.backfill.engine.testing;

import dev.backfill.protocol.call.CallRow;

/** Calls as a page query would return them, with small hand-written transcripts. */
public final class TestTranscripts {

  private TestTranscripts() {}

  /** Rep talks 6 s, customer 4 s: talk ratio 0.6 / 0.4. */
  public static CallRow simpleCall(long id) {
    String transcript =
        """
        {"utterances":[
          {"speaker":"ann","role":"rep","start_ms":0,"end_ms":6000,"text":"Hello, shall we start?"},
          {"speaker":"bob","role":"customer","start_ms":6500,"end_ms":10500,"text":"Yes, go ahead."}
        ]}""";
    return new CallRow(id, "acme", 1_700_000_000_000L, 11, "phone", transcript);
  }

  /** Valid JSON (the primary's jsonb column accepts it) that no processor can analyse. */
  public static CallRow malformedCall(long id) {
    String transcript =
        """
        {"utterances":[
          {"speaker":"ann","start_ms":9000,"end_ms":2000,"text":"no role, and it ends before it starts"}
        ]}""";
    return new CallRow(id, "acme", 1_700_000_000_000L, 11, "phone", transcript);
  }
}
