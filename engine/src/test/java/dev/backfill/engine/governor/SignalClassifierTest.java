package dev.backfill.engine.governor;

import static dev.backfill.engine.governor.SignalReading.ABSENT;
import static dev.backfill.engine.governor.SignalReading.CLEAR;
import static dev.backfill.engine.governor.SignalReading.CRITICAL;
import static dev.backfill.engine.governor.SignalReading.HOLDING;
import static dev.backfill.engine.governor.SignalReading.WARN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignalClassifierTest {

  @Test
  void sortsAValueIntoItsBand() {
    // Warning 40, critical 120, hysteresis 0.2: clear only below 32.
    assertEquals(CLEAR, SignalClassifier.state(31.9, 40, 120, 0.2));
    assertEquals(HOLDING, SignalClassifier.state(32.0, 40, 120, 0.2));
    assertEquals(HOLDING, SignalClassifier.state(39.9, 40, 120, 0.2));
    assertEquals(WARN, SignalClassifier.state(40.0, 40, 120, 0.2));
    assertEquals(WARN, SignalClassifier.state(119.9, 40, 120, 0.2));
    assertEquals(CRITICAL, SignalClassifier.state(120.0, 40, 120, 0.2));
    assertEquals(ABSENT, SignalClassifier.state(null, 40, 120, 0.2));
  }

  @Test
  void withoutHysteresisEverythingUnderTheWarningIsClear() {
    assertEquals(CLEAR, SignalClassifier.state(39.9, 40, 120, 0));
  }

  @Test
  void readsTheFourSignalsInAFixedOrder() {
    HealthSample sample = new HealthSample(Instant.EPOCH, 300, 50, null, 1.6);

    List<SignalReading> readings = SignalClassifier.read(sample, HealthThresholds.defaults());

    assertEquals(
        List.of(
            new SignalReading(SignalReading.PROBE_LATENCY_MS, 300.0, 25, 250, CRITICAL),
            new SignalReading(SignalReading.ACTIVE_BACKENDS, 50.0, 40, 120, WARN),
            new SignalReading(SignalReading.REPLICATION_LAG_MS, null, 5_000, 30_000, ABSENT),
            new SignalReading(SignalReading.LIVE_LATENCY_RATIO, 1.6, 1.5, 8.0, WARN)),
        readings);
  }

  @Test
  void theWorstReadingIsTheFirstOfTheMostSevere() {
    SignalReading holding = new SignalReading("a", 35.0, 40, 120, HOLDING);
    SignalReading firstWarn = new SignalReading("b", 50.0, 40, 120, WARN);
    SignalReading secondWarn = new SignalReading("c", 60.0, 40, 120, WARN);
    SignalReading absent = new SignalReading("d", null, 40, 120, ABSENT);

    assertSame(firstWarn, SignalClassifier.worst(List.of(holding, firstWarn, secondWarn, absent)));
    assertSame(holding, SignalClassifier.worst(List.of(absent, holding)));
  }
}
