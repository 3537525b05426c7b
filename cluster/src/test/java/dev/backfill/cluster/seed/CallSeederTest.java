package dev.backfill.cluster.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.CallChannel;
import dev.backfill.protocol.call.Transcript;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallSeederTest {

  @Test
  void escapesTabNewlineCarriageReturnAndBackslash() {
    StringBuilder out = new StringBuilder();
    CallSeeder.appendEscaped(out, "a\tb\nc\\d\re");
    assertEquals("a\\tb\\nc\\\\d\\re", out.toString());
  }

  @Test
  void aRowIsSixTabSeparatedColumnsEndingInOneNewline() {
    // JSON that holds an escaped quote, an escaped newline and a literal tab and newline.
    String json = "{\"text\":\"say \\\"hi\\\"\\nbye\"}\t\n";
    Call call =
        new Call(
            7,
            "acme\tinc",
            Instant.parse("2024-03-05T14:03:11Z"),
            1_234,
            CallChannel.PHONE,
            new Transcript(List.of()));
    StringBuilder out = new StringBuilder();
    CallSeeder.appendRow(out, call, json);
    assertEquals(
        "7\tacme\\tinc\t2024-03-05T14:03:11Z\t1234\tphone\t"
            + "{\"text\":\"say \\\\\"hi\\\\\"\\\\nbye\"}\\t\\n\n",
        out.toString());
  }

  @Test
  void copyReadsBackExactlyTheValuesThatWereWritten() {
    String json = "{\"text\":\"back\\\\slash \\\"quoted\\\" \\n\\t end\"}\r\n\t\\.";
    Call call =
        new Call(
            9_000_000_001L,
            "tail\\spin",
            Instant.parse("2025-12-31T23:59:59Z"),
            60,
            CallChannel.WEB_CONFERENCE,
            new Transcript(List.of()));
    StringBuilder out = new StringBuilder();
    CallSeeder.appendRow(out, call, json);
    String row = out.toString();
    assertEquals(row.length() - 1, row.indexOf('\n'), "one line, newline last");
    assertEquals(
        List.of("9000000001", "tail\\spin", "2025-12-31T23:59:59Z", "60", "web_conference", json),
        readCopyTextRow(row));
  }

  @Test
  void countsUtf8Bytes() {
    String text = "a\u00e9\u20ac\ud83d\ude00";
    assertEquals(text.getBytes(StandardCharsets.UTF_8).length, CallSeeder.utf8Length(text));
    assertEquals(10, CallSeeder.utf8Length(text));
  }

  @Test
  void refusesBadArgumentsBeforeConnecting() {
    // The JDBC URL is never used: arguments are checked before any connection is made.
    String url = "jdbc:postgresql://invalid.invalid/none";
    assertThrows(IllegalArgumentException.class, () -> CallSeeder.seed(url, "u", "p", 1, 0, 42));
    assertThrows(IllegalArgumentException.class, () -> CallSeeder.seed(url, "u", "p", 0, 10, 42));
    assertThrows(
        IllegalArgumentException.class,
        () -> CallSeeder.seed(url, "u", "p", Long.MAX_VALUE - 5, 10, 42));
  }

  /** How PostgreSQL reads one line of COPY's text format back into columns. */
  private static List<String> readCopyTextRow(String row) {
    List<String> columns = new ArrayList<>();
    StringBuilder column = new StringBuilder();
    for (int i = 0; i < row.length(); i++) {
      char c = row.charAt(i);
      if (c == '\t' || c == '\n') {
        columns.add(column.toString());
        column.setLength(0);
      } else if (c == '\\') {
        char next = row.charAt(++i);
        column.append(
            switch (next) {
              case 't' -> '\t';
              case 'n' -> '\n';
              case 'r' -> '\r';
              default -> next;
            });
      } else {
        column.append(c);
      }
    }
    return columns;
  }
}
