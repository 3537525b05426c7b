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
  void theLivePathRatioClearsWithinTheShareOfTheWarningOverOne() {
    // Warning 1.25: a running backfill always adds something to the live path, so "clear below
    // 1.0" (a fifth off the warning) would hold the rate for good; a fifth off the 0.25 it allows.
    assertEquals(1.2, SignalClassifier.clearBelow(SignalReading.LIVE_LATENCY_RATIO, 1.25, 0.2), 1e-9);
    assertEquals(32.0, SignalClassifier.clearBelow(SignalReading.ACTIVE_BACKENDS, 40, 0.2), 1e-9);
    HealthSample sample = new HealthSample(Instant.EPOCH, 1, 0, null, 1.19);
    HealthThresholds thresholds = HealthThresholds.defaults();
    SignalReading ratio = SignalClassifier.read(sample, thresholds).get(3);
    assertEquals(SignalReading.LIVE_LATENCY_RATIO, ratio.name());
    assertEquals(CLEAR, ratio.state());
    HealthSample holding = new HealthSample(Instant.EPOCH, 1, 0, null, 1.22);
    assertEquals(HOLDING, SignalClassifier.read(holding, thresholds).get(3).state());
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
            new SignalReading(SignalReading.LIVE_LATENCY_RATIO, 1.6, 1.25, 3.0, WARN)),
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
