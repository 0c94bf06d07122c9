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
 *
 * <p>The steps of a {@code forEach} group are a body, not nodes of their own: item {@code i} runs
 * them in an iteration node made when first asked for, an implicit sequential group named {@code
 * <group>[i]} at {@code <group path>.<type>[i]}, whose steps are named {@code <step>[i]}. Those
 * nodes share the compiled expressions of the body. Like the machine, a plan is used by one thread
 * at a time.
 */
public final class Plan {
  private static final char SLOT = '\u0000';
  private static final int DYNAMIC_CACHE_LIMIT = 100_000;

  /** One step of the plan. */
  public static final class Node {
    private final String path;
    private final String name;
    private final String suffix;
    private final Step step;
    private final Node parent;
    private final int index;
    private final boolean iteration;
    private final List<Node> children = new ArrayList<>();
    private final List<Node> body = new ArrayList<>();
    private final Expression condition;
    private final Map<String, Template> templates;
    private final Set<String> reads;
    private final boolean readsAllSteps;

    private Node(String path, Step step, Node parent, int index) {
      this.path = path;
      this.name = step.name();
      this.suffix = "";
      this.step = step;
      this.parent = parent;
      this.index = index;
      this.iteration = false;
      this.condition = step.condition().map(Expression::compile).orElse(null);
      this.templates = step instanceof Leaf leaf ? templatesOf(leaf.action()) : Map.of();
      List<String> sources = new ArrayList<>();
      step.condition().ifPresent(sources::add);
      if (step instanceof Group g) {
        g.forEach().ifPresent(sources::add);
      }
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

    /** A node made from {@code like} for one item of a forEach group. */
    private Node(String path, String suffix, Node like, Step step, Node parent, int index) {
      this.path = path;
      this.name = step.name() + (step == like.step ? suffix : "");
      this.suffix = suffix;
      this.step = step;
      this.parent = parent;
      this.index = index;
      this.iteration = step != like.step;
      this.condition = iteration ? null : like.condition;
      this.templates = iteration ? Map.of() : like.templates;
      this.reads = iteration ? Set.of() : like.reads;
      this.readsAllSteps = !iteration && like.readsAllSteps;
    }

    public String path() {
      return path;
    }

    /** The step's name; inside a forEach group, with the item numbers: {@code Deploy[2]}. */
    public String name() {
      return name;
    }

    public Step step() {
      return step;
    }

    public Optional<Node> parent() {
      return Optional.ofNullable(parent);
    }

    /** The position of this step in its parent's steps, or its item number in a forEach. */
    public int index() {
      return index;
    }

    /** The steps of a group; none for a forEach group, whose steps run in iterations. */
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

    public boolean isForEach() {
      return step instanceof Group g && g.forEach().isPresent();
    }

    /** True for the implicit group that runs one item of a forEach group. */
    public boolean isIteration() {
      return iteration;
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
  private final Map<String, Node> bodyByName = new HashMap<>();
  private final Map<String, Node> dynamic = new HashMap<>();
  private final Set<String> pools = new HashSet<>();

  private Plan(Workflow workflow) {
    this.workflow = workflow;
    this.root = build(workflow.root(), workflow.root().name(), null, 0, false);
  }

  public static Plan of(Workflow workflow) {
    return new Plan(workflow);
  }

  /**
   * Builds the node of {@code step}. In a forEach body the path is a pattern with a slot per
   * enclosing forEach, and the node is found by name only through {@link #byName}.
   */
  private Node build(Step step, String path, Node parent, int index, boolean inBody) {
    Node node = new Node(path, step, parent, index);
    (inBody ? bodyByName : byName).put(step.name(), node);
    if (!inBody) {
      byPath.put(path, node);
    }
    if (step instanceof Leaf leaf) {
      if (!(leaf.action() instanceof Action.Approval)) {
        pools.add(leaf.pool()); // an approval runs on no agent
      }
    } else if (step instanceof Group g) {
      String word = g.type().word();
      boolean forEach = g.forEach().isPresent();
      for (int i = 0; i < g.steps().size(); i++) {
        String childPath =
            forEach
                ? path + "." + word + "[" + SLOT + "].sequential[" + i + "]"
                : path + "." + word + "[" + i + "]";
        Node child = build(g.steps().get(i), childPath, node, i, inBody || forEach);
        (forEach ? node.body : node.children).add(child);
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

  /** Every pool a leaf of the workflow names, forEach bodies included. */
  public Set<String> pools() {
    return Collections.unmodifiableSet(pools);
  }

  public Optional<Node> node(String path) {
    Node n = byPath.get(path);
    if (n == null) {
      n = dynamic.get(path);
    }
    if (n == null && path.startsWith(root.path + ".")) {
      n = resolve(path);
    }
    return Optional.ofNullable(n);
  }

  public Optional<Node> byName(String name) {
    Node n = byName.get(name);
    if (n != null || !name.endsWith("]")) {
      return Optional.ofNullable(n);
    }
    // Deploy[2][0]: the body step Deploy, in item 2 of its outer forEach and item 0 of the inner
    List<String> items = new ArrayList<>();
    String base = name;
    while (base.endsWith("]")) {
      int open = base.lastIndexOf('[');
      if (open < 0 || !digits(base, open + 1, base.length() - 1)) {
        break;
      }
      items.add(0, base.substring(open + 1, base.length() - 1));
      base = base.substring(0, open);
    }
    Node like = bodyByName.get(base);
    if (like == null || slots(like.path) != items.size()) {
      return Optional.empty();
    }
    StringBuilder path = new StringBuilder();
    int item = 0;
    for (char c : like.path.toCharArray()) {
      if (c == SLOT) {
        path.append(items.get(item++));
      } else {
        path.append(c);
      }
    }
    return node(path.toString());
  }

  /** The node of item {@code i} of the forEach group {@code group}. */
  public Node iteration(Node group, int i) {
    String path = group.path + "." + group.group().type().word() + "[" + i + "]";
    Node cached = dynamic.get(path);
    if (cached != null) {
      return cached;
    }
    if (dynamic.size() >= DYNAMIC_CACHE_LIMIT) {
      dynamic.clear();
    }
    String suffix = group.suffix + "[" + i + "]";
    Group shape = Group.iteration(group.name + "[" + i + "]", group.group().steps());
    Node it = new Node(path, suffix, group, shape, group, i);
    for (int j = 0; j < group.body.size(); j++) {
      it.children.add(instantiate(group.body.get(j), it, path + ".sequential[" + j + "]", suffix));
    }
    dynamic.put(path, it);
    return it;
  }

  private Node instantiate(Node like, Node parent, String path, String suffix) {
    Node n = new Node(path, suffix, like, like.step, parent, like.index);
    n.body.addAll(like.body);
    for (Node child : like.children) {
      String word = like.group().type().word();
      n.children.add(instantiate(child, n, path + "." + word + "[" + child.index + "]", suffix));
    }
    dynamic.put(path, n);
    return n;
  }

  /** Finds a node under a forEach group by walking its path from the root. */
  private Node resolve(String path) {
    Node at = root;
    int pos = root.path.length();
    while (pos < path.length() && at != null) {
      int open = path.indexOf('[', pos);
      int close = open < 0 ? -1 : path.indexOf(']', open);
      if (path.charAt(pos) != '.' || close < 0 || !digits(path, open + 1, close) || at.isLeaf()) {
        return null;
      }
      String word = path.substring(pos + 1, open);
      int i;
      try {
        i = Integer.parseInt(path.substring(open + 1, close));
      } catch (NumberFormatException e) {
        return null;
      }
      Group g = at.group();
      if (!word.equals(g.type().word())) {
        return null;
      }
      if (at.isForEach()) {
        at = iteration(at, i);
      } else {
        at = i < at.children.size() ? at.children.get(i) : null;
      }
      pos = close + 1;
    }
    return at != null && at.path.equals(path) ? at : null;
  }

  private static boolean digits(String s, int from, int to) {
    if (from >= to || to - from > 9) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static int slots(String pattern) {
    int n = 0;
    for (char c : pattern.toCharArray()) {
      n += c == SLOT ? 1 : 0;
    }
    return n;
  }

  /** The number of steps the definition names (forEach bodies counted once). */
  public int size() {
    return byPath.size() + bodyByName.size();
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
    } else if (action instanceof Action.Approval a) {
      values.add(a.message());
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
