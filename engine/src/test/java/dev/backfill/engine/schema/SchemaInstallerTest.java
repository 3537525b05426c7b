package dev.backfill.engine.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaInstallerTest {

  @Test
  void thePluginsIndexStatementsBecomeSafeToRunAgain() {
    assertEquals(
        "CREATE UNIQUE INDEX IF NOT EXISTS event_journal_ordering_idx ON public.event_journal(ordering)",
        SchemaInstaller.idempotent(
            "CREATE UNIQUE INDEX event_journal_ordering_idx ON public.event_journal(ordering)"));
    assertEquals(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS state_tag_idx on public.durable_state (tag)",
        SchemaInstaller.idempotent("CREATE INDEX CONCURRENTLY state_tag_idx on public.durable_state (tag)"));
    assertEquals(
        "CREATE TABLE IF NOT EXISTS x (a int)", SchemaInstaller.idempotent("CREATE TABLE IF NOT EXISTS x (a int)"));
  }

  @Test
  void scriptsSplitIntoStatementsWithoutComments() {
    String script =
        """
        -- a comment; with a semicolon
        CREATE TABLE a (
          x int
        );
        CREATE INDEX i ON a (x);
        """;
    assertEquals(
        List.of("CREATE TABLE a (\n  x int\n)", "CREATE INDEX i ON a (x)"), SchemaInstaller.statements(script));
  }
}
