package dev.wf.coordinator.engine;

import dev.wf.coordinator.engine.RunSimulation.Transcript;
import dev.wf.coordinator.engine.WorkflowShapes.Shape;
import dev.wf.protocol.event.EventType;
import java.util.List;
import net.jqwik.api.*;
import net.jqwik.api.statistics.Statistics;

class ExploreTmpTest {
  @Provide Arbitrary<Shape> workflows() { return WorkflowShapes.workflows(); }
  @Provide Arbitrary<List<Integer>> behaviours() { return Arbitraries.integers().between(0, 999_999).list().ofMaxSize(600).withSizeDistribution(RandomDistribution.uniform()); }

  @Property(tries = 100000, edgeCases = EdgeCasesMode.NONE, afterFailure = AfterFailureMode.RANDOM_SEED)
  void explore(@ForAll("workflows") Shape w, @ForAll("behaviours") List<Integer> b, @ForAll @net.jqwik.api.constraints.IntRange(max = 3) int maxLost, @ForAll boolean rough) {
    Transcript t = RunSimulation.run(WorkflowShapes.toJson(w), new RunSimulation.World(b, maxLost, rough));
    RunInvariants inv = RunInvariants.of(t);
    inv.everyStepThatStartedEndsOnce();
    inv.stepsFollowCompletionOrderAndTheTree();
    inv.errorsListEachFailureOnceWhereItBegan();
    inv.stepsAreCancelledOnlyByARunCancelOrAFailFastGroup();
    inv.runOutcomeFollowsTheRoot();
    inv.nothingHappensAfterTheEndOrACancel();
    var ev = t.commands().stream().filter(Command.Emit.class::isInstance).map(c -> ((Command.Emit) c).event()).toList();
    boolean groupRetry = ev.stream().anyMatch(e -> e.type() == EventType.STEP_RETRY && e.agent() == null);
    Statistics.label("status").collect(t.result().status(), rough);
    Statistics.label("cancelAccepted").collect(t.cancelAccepted());
    Statistics.label("groupRetry").collect(groupRetry);
    Statistics.label("lost").collect(ev.stream().anyMatch(e -> e.type() == EventType.STEP_LOST));
    Statistics.label("condFail").collect(ev.stream().anyMatch(e -> e.type() == EventType.STEP_FAILED && e.error() != null && e.error().startsWith("condition")));
    Statistics.label("timeout").collect(ev.stream().anyMatch(e -> e.type() == EventType.STEP_TIMEOUT));
    Statistics.label("stepCancelled").collect(ev.stream().anyMatch(e -> e.type() == EventType.STEP_CANCELLED));
    Statistics.label("plan size").collect(t.plan().size() < 5 ? "<5" : t.plan().size() < 15 ? "<15" : t.plan().size() < 40 ? "<40" : ">=40");
    Statistics.label("inputs").collect(t.applied().size() < 20 ? "<20" : t.applied().size() < 100 ? "<100" : t.applied().size() < 400 ? "<400" : ">=400");
    Statistics.label("templateFail").collect(ev.stream().anyMatch(e -> e.type() == EventType.STEP_FAILED && e.error() != null && e.error().startsWith("template")));
    Statistics.label("refused").collect(ev.stream().anyMatch(e -> e.type() == EventType.DISPATCH_REFUSED));
    Statistics.label("plan size >=60").collect(t.plan().size() >= 60);
    Statistics.label("exhausted").collect(t.applied().size() > b.size());
  }
}
