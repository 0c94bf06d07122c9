package dev.wf.coordinator.engine;

import dev.wf.protocol.definition.Action;
import dev.wf.protocol.definition.Group;
import dev.wf.protocol.definition.Leaf;
import dev.wf.protocol.definition.Step;
import dev.wf.protocol.definition.Workflow;
import dev.wf.protocol.expr.Expression;
import dev.wf.protocol.expr.StepReferences;
import dev.wf.protocol.expr.Template;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A validated workflow compiled for running: every step as a {@link Node} with its seed-style path
 * ({@code Root.sequential[0].parallel[2]}), its compiled condition and templates, and the names of
 * the steps its expressions read.
 */
public final class Plan {

  /** One step of the plan. */
  public static final class Node {
    private final String path;
    private final Step step;
    private final Node parent;
    private final int index;
    private final List<Node> children = new ArrayList<>();
    private final Expression condition;
    private final Map<String, Template> templates;
    private final Set<String> reads;
    private final boolean readsAllSteps;

    private Node(String path, Step step, Node parent, int index) {
      this.path = path;
      this.step = step;
      this.parent = parent;
      this.index = index;
      this.condition = step.condition().map(Expression::compile).orElse(null);
      this.templates = step instanceof Leaf leaf ? templatesOf(leaf.action()) : Map.of();
      List<String> sources = new ArrayList<>();
      step.condition().ifPresent(sources::add);
      templates.values().forEach(t -> t.expressions().forEach(e -> sources.add(e.source())));
      Set<String> names = new HashSet<>();
      boolean all = false;
      for (String src : sources) {
        StepReferences refs = StepReferences.of(src);
        names.addAll(refs.names());
        all |= refs.wholeMap();
      }
      this.reads = Set.copyOf(names);
      this.readsAllSteps = all;
    }

    public String path() {
      return path;
    }

    public String name() {
      return step.name();
    }

    public Step step() {
      return step;
    }

    public Optional<Node> parent() {
      return Optional.ofNullable(parent);
    }

    /** The position of this step in its parent's steps. */
    public int index() {
      return index;
    }

    public List<Node> children() {
      return Collections.unmodifiableList(children);
    }

    public boolean isLeaf() {
      return step instanceof Leaf;
    }

    public Leaf leaf() {
      return (Leaf) step;
    }

    public Group group() {
      return (Group) step;
    }

    public Optional<Expression> condition() {
      return Optional.ofNullable(condition);
    }

    /** The compiled template of each templated value of the action, keyed by the value's text. */
    public Map<String, Template> templates() {
      return templates;
    }

    /**
     * Names of the steps this step's expressions read (all of them when {@link #readsAllSteps}).
     */
    public Set<String> reads() {
      return reads;
    }

    public boolean readsAllSteps() {
      return readsAllSteps;
    }

    @Override
    public String toString() {
      return path;
    }
  }

  private final Workflow workflow;
  private final Node root;
  private final Map<String, Node> byPath = new HashMap<>();
  private final Map<String, Node> byName = new HashMap<>();

  private Plan(Workflow workflow) {
    this.workflow = workflow;
    this.root = build(workflow.root(), workflow.root().name(), null, 0);
  }

  public static Plan of(Workflow workflow) {
    return new Plan(workflow);
  }

  private Node build(Step step, String path, Node parent, int index) {
    Node node = new Node(path, step, parent, index);
    byPath.put(path, node);
    byName.put(step.name(), node);
    if (step instanceof Group g) {
      String word = g.type().word();
      for (int i = 0; i < g.steps().size(); i++) {
        node.children.add(build(g.steps().get(i), path + "." + word + "[" + i + "]", node, i));
      }
    }
    return node;
  }

  public Workflow workflow() {
    return workflow;
  }

  public Node root() {
    return root;
  }

  public Optional<Node> node(String path) {
    return Optional.ofNullable(byPath.get(path));
  }

  public Optional<Node> byName(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public int size() {
    return byPath.size();
  }

  /** Visits every descendant of {@code node} (not the node itself), depth first. */
  public static void forEachDescendant(Node node, Consumer<Node> visitor) {
    for (Node child : node.children) {
      visitor.accept(child);
      forEachDescendant(child, visitor);
    }
  }

  private static Map<String, Template> templatesOf(Action action) {
    List<String> values = new ArrayList<>();
    if (action instanceof Action.Shell s) {
      values.addAll(s.args());
      values.addAll(s.env().values());
      s.workdir().ifPresent(values::add);
    } else if (action instanceof Action.Http h) {
      values.add(h.url());
      values.addAll(h.headers().values());
      h.body().ifPresent(values::add);
    }
    Map<String, Template> out = new HashMap<>();
    for (String v : values) {
      if (Template.hasTemplate(v)) {
        out.put(v, Template.parse(v));
      }
    }
    return Map.copyOf(out);
  }
}
