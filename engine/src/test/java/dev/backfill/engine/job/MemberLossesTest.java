package dev.backfill.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Who hears of a lost member: every run listening at that moment, and no run that has ended. */
class MemberLossesTest {

  @Test
  void aLossReachesTheRunsListeningAndNotThoseThatEnded() {
    MemberLosses losses = MemberLosses.none();
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    MemberLosses.Registration firstRun = losses.onLoss(first::incrementAndGet);
    MemberLosses.Registration secondRun = losses.onLoss(second::incrementAndGet);

    losses.lost();
    assertEquals(1, first.get());
    assertEquals(1, second.get());

    firstRun.close();
    losses.lost();
    assertEquals(1, first.get(), "a run that ended asks nothing again");
    assertEquals(2, second.get());
    secondRun.close();
  }
}
