package dev.backfill.bench.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HeapAfterGcTest {

  @Test
  void readsG1sUsedHeapAndNotItsMetaspace() {
    String g1 =
        """
        12345:
         garbage-first heap   total 393216K, used 45678K [0x00000000e8000000, 0x0000000100000000)
          region size 1024K, 3 young (3072K), 0 survivors (0K)
         Metaspace       used 61234K, committed 61888K, reserved 1105920K
          class space    used 7654K, committed 7936K, reserved 1048576K
        """;

    assertEquals(45678L * 1024, HeapAfterGc.usedBytes(g1));
  }

  @Test
  void addsTheGenerationsOfACollectorWithTwo() {
    String parallel =
        """
        12345:
         PSYoungGen      total 114688K, used 2048K [0x00000000f8000000, 0x0000000100000000)
          eden space 98304K, 2% used [0x00000000f8000000,0x00000000f8200000,0x00000000fe000000)
         ParOldGen       total 262144K, used 30000K [0x00000000e8000000, 0x00000000f8000000)
         Metaspace       used 61234K, committed 61888K, reserved 1105920K
        """;

    assertEquals((2048L + 30000L) * 1024, HeapAfterGc.usedBytes(parallel));
  }
}
