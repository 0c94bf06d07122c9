package dev.wf.protocol.definition;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a step sits: its validation path, child indices from the root, its ancestors' types, and
 * how many forEach groups enclose it (its name then stands for one step per item).
 */
record StepPlace(
    String path, List<Integer> index, List<GroupType> ancestorTypes, int forEachDepth) {
  static final StepPlace ROOT = new StepPlace("", List.of(), List.of(), 0);

  StepPlace {
    index = List.copyOf(index);
    ancestorTypes = List.copyOf(ancestorTypes);
  }

  /**
   * The place of child {@code i}, at {@code path}, of the group of {@code type} sitting here; one
   * forEach deeper when that group has forEach.
   */
  StepPlace child(String path, int i, GroupType type, boolean forEach) {
    List<Integer> childIndex = new ArrayList<>(index);
    childIndex.add(i);
    List<GroupType> childTypes = new ArrayList<>(ancestorTypes);
    childTypes.add(type);
    return new StepPlace(path, childIndex, childTypes, forEachDepth + (forEach ? 1 : 0));
  }

  /** True when the step here is sure to have ended before the step at {@code from} starts. */
  boolean endsBefore(StepPlace from) {
    List<Integer> a = index;
    List<Integer> b = from.index();
    int k = 0;
    while (k < a.size() && k < b.size() && a.get(k).equals(b.get(k))) {
      k++;
    }
    if (k == a.size() || k == b.size()) {
      return false; // one contains the other
    }
    return from.ancestorTypes().get(k) == GroupType.SEQUENTIAL && a.get(k) < b.get(k);
  }
}
