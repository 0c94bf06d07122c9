package dev.wf.coordinator.engine;

import org.junit.jupiter.api.Test;

class DebugTmpTest {
  @Test
  void debug() {
    String yaml = """
        name: Root
        type: parallel
        failFast: false
        steps:
          - name: S7
            type: sequential
            onError: retry
            retries: 1
            steps:
              - name: S8
                type: parallel
                steps:
                  - { name: S9, action: { kind: noop } }
                  - { name: S10, action: { kind: noop }, condition: "steps['S9'].status == 'success'" }
        """;
    var f = MachineFixture.given(yaml).start();
    f.commands().forEach(c -> System.out.println("CMD " + c));
    System.out.println("TIMERS " + f.timers());
  }
}
