package dev.backfill.engine.source;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Which failures of a query the primary gives again however often it is sent (a job fails on
 * them), and which pass with time (a job stalls and retries): by the SQLState of the first
 * SQLException among the causes, however deeply the stages wrapped it.
 */
class PrimaryRefusalTest {

  @Test
  void dataExceptionsAndAccessRuleViolationsArePermanent() {
    for (String state : List.of("22008", "22021", "22P02", "22001", "42501", "42P01", "42703", "42601")) {
      String refusal = PrimaryCallSource.refusal(asAJobSeesIt(new SQLException("ERROR: refused", state)));
      assertTrue(refusal != null && refusal.contains("SQLState " + state), state + ": " + refusal);
      assertTrue(refusal.contains("page read after call 40 failed"), refusal);
    }
  }

  @Test
  void outagesTimeoutsConflictsAndAnythingUnknownPassWithTime() {
    for (String state :
        Arrays.asList("08001", "08006", "53300", "57014", "57P01", "57P03", "40001", "40P01", "XX000", "28P01", null)) {
      Throwable failure = asAJobSeesIt(new SQLException("ERROR: not now", state));
      assertNull(PrimaryCallSource.refusal(failure), String.valueOf(state));
      assertFalse(PrimaryCallSource.isPermanent(failure), String.valueOf(state));
    }
    assertFalse(PrimaryCallSource.isPermanent(new CompletionException(new IllegalStateException("no lease"))));
  }

  @Test
  void theFirstSqlStateAmongTheCausesDecides() {
    SQLException lostConnection =
        new SQLException("An I/O error occurred", "08006", new SQLException("ERROR: odd", "22021"));
    assertFalse(PrimaryCallSource.isPermanent(asAJobSeesIt(lostConnection)));
    SQLException noState = new SQLException("wrapped", (String) null, new SQLException("ERROR: no table", "42P01"));
    assertTrue(PrimaryCallSource.isPermanent(asAJobSeesIt(noState)));
  }

  /** As PrimaryCallSource throws it and a CompletionStage hands it on. */
  private static Throwable asAJobSeesIt(SQLException sql) {
    return new CompletionException(
        new PrimaryUnavailableException("page read after call 40 failed: " + sql.getMessage(), sql));
  }
}
