package dev.wf.coordinator.engine;

import java.util.*;
import java.util.stream.*;
import net.jqwik.api.*;

class SampleTmpTest {
  static int size(WorkflowShapes.Shape s) { return 1 + s.children().stream().mapToInt(SampleTmpTest::size).sum(); }
  @Example
  void sample() {
    Map<Integer, Long> sizes = WorkflowShapes.workflows().sampleStream().limit(2000).collect(Collectors.groupingBy(s -> Math.min(size(s), 30), TreeMap::new, Collectors.counting()));
    System.out.println("SIZES " + sizes);
    Map<Integer, Long> kids = WorkflowShapes.workflows().sampleStream().limit(2000).collect(Collectors.groupingBy(s -> s.children().size(), TreeMap::new, Collectors.counting()));
    System.out.println("ROOTKIDS " + kids);
    System.out.println(WorkflowShapes.workflows().sampleStream().limit(3).map(WorkflowShapes::toJson).collect(Collectors.joining("\n")));
  }
}
