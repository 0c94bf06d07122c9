package dev.wf.coordinator.engine;

import dev.wf.coordinator.engine.RunSimulation.World;
import dev.wf.coordinator.engine.WorkflowShapes.Shape;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;

/**
 * Properties of the result and event contract (DESIGN.md sections 2, 3, 6, 7) over random workflow
 * trees and random agent behaviour ({@link RunSimulation}): agents start, retry, succeed, fail,
 * time out, get lost, hand steps back, refuse them and confirm cancels in any order; timers fire;
 * the user may cancel the run. A failure names the property broken and lists the definition and
 * every input given to the machine, after jqwik shrank both.
 *
 * <p>Seeds are fixed so that the build is repeatable; change one (or drop it) to explore further.
 */
class RunMachinePropertiesTest {
  private static final int TRIES = 1000;

  @Provide
  Arbitrary<Shape> workflows() {
    return WorkflowShapes.workflows();
  }

  /**
   * The world's choices, one per input (past the end of the list the run is driven to its end), how
   * often a lost step may be dispatched again, and how rough the world is.
   */
  @Provide
  Arbitrary<World> worlds() {
    Arbitrary<List<Integer>> choices =
        Arbitraries.integers()
            .between(0, 999_999)
            .list()
            .ofMaxSize(600)
            .withSizeDistribution(RandomDistribution.uniform());
    return Combinators.combine(
            choices, Arbitraries.integers().between(0, 3), Arbitraries.of(false, true))
        .as(World::new);
  }

  private static RunInvariants run(Shape workflow, World world) {
    return RunInvariants.of(RunSimulation.run(WorkflowShapes.toJson(workflow), world));
  }

  @Property(tries = TRIES, edgeCases = EdgeCasesMode.MIXIN)
  void everyStepThatStartsEndsExactlyOnce(
      @ForAll("workflows") Shape workflow, @ForAll("worlds") World world) {
    run(workflow, world).everyStepThatStartedEndsOnce();
  }

  @Property(tries = TRIES, edgeCases = EdgeCasesMode.MIXIN)
  void stepsAreListedInCompletionOrderChildrenBeforeTheirGroup(
      @ForAll("workflows") Shape workflow, @ForAll("worlds") World world) {
    run(workflow, world).stepsFollowCompletionOrderAndTheTree();
  }

  @Property(tries = TRIES, edgeCases = EdgeCasesMode.MIXIN)
  void stepsAreCancelledOnlyByARunCancelOrAFailFastGroup(
      @ForAll("workflows") Shape workflow, @ForAll("worlds") World world) {
    run(workflow, world).stepsAreCancelledOnlyByARunCancelOrAFailFastGroup();
  }

  @Property(tries = TRIES, edgeCases = EdgeCasesMode.MIXIN)
  void errorsListEachFailureOnceWhereItBegan(
      @ForAll("workflows") Shape workflow, @ForAll("worlds") World world) {
    run(workflow, world).errorsListEachFailureOnceWhereItBegan();
  }

  @Property(tries = TRIES, edgeCases = EdgeCasesMode.MIXIN)
  void theRunEndsWithOneWorkflowCompleteAndAnOutcomeThatFollowsTheRoot(
      @ForAll("workflows") Shape workflow, @ForAll("worlds") World world) {
    run(workflow, world).runOutcomeFollowsTheRoot();
  }

  @Property(tries = TRIES, edgeCases = EdgeCasesMode.MIXIN)
  void nothingIsDispatchedOrLeftSetAfterACancelOrTheEnd(
      @ForAll("workflows") Shape workflow, @ForAll("worlds") World world) {
    run(workflow, world).nothingHappensAfterTheEndOrACancel();
  }
}
