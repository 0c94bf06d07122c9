package dev.wf.coordinator.engine;

/** Creates step states for stores outside this package. */
public final class StepStates {
  private StepStates() {}

  public static StepState fresh(String path) {
    return new StepState(path);
  }
}
