package dev.wf.coordinator.engine;

import dev.wf.protocol.message.StepReport;
import org.junit.jupiter.api.Test;

class DebugTmpTest {
  @Test
  void debug() {
    String yaml = """
        name: Root
        type: parallel
        failFast: false
        steps:
          - name: S1
            type: parallel
            steps:
              - { name: S2, action: { kind: noop } }
              - { name: S3, action: { kind: noop } }
              - name: S4
                type: sequential
                onError: retry
                retries: 1
                backoff: { initial: 2s }
                steps:
                  - { name: S5, action: { kind: noop } }
          - { name: S6, action: { kind: noop } }
          - name: S7
            type: sequential
            onError: retry
            retries: 1
            backoff: { initial: 2s }
            steps:
              - name: S8
                type: parallel
                steps:
                  - { name: S9, action: { kind: noop } }
                  - { name: S10, action: { kind: noop }, condition: "steps['S9'].status == 'success'" }
        """;
    String json = dev.wf.protocol.Json.MAPPER.valueToTree(dev.wf.protocol.definition.DefinitionReader.parse(yaml, false).tree()).toString();
    try {
      RunSimulation.run(json, java.util.List.of(80, 89, 0, 40), 1);
    } catch (AssertionError e) {
      System.out.println("ERR " + e.getMessage());
    }
    var f = MachineFixture.given(yaml).start();
    System.out.println("TIMERS0 " + f.timers());
    f.apply(new Input.AttemptLost(f.dispatchOf("S2").dispatchId(), "gone"));
    System.out.println("TIMERS1 " + f.timers());
    f.started("S5").fails("S5", "x");
    System.out.println("TIMERS2 " + f.timers());
    f.runs("S6").runs("S2");
    System.out.println("TIMERS3 " + f.timers());
    int n = f.commands().size();
    f.apply(new Input.TimerFired("start|" + f.dispatchOf("S3").dispatchId()));
    f.commands().subList(n, f.commands().size()).forEach(c -> System.out.println("CMD " + c));
    System.out.println("TIMERS4 " + f.timers());
  }
}
