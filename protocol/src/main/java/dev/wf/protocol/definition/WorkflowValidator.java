package dev.wf.protocol.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a definition tree against every rule of DESIGN.md sections 1 and 7 and builds the {@link
 * Workflow}. All problems are reported at once, each with its path.
 */
public final class WorkflowValidator {
  /** Bounds on what one definition may hold. */
  public record Limits(int maxSteps, int maxDepth) {
    public static final Limits DEFAULT = new Limits(20_000, 32);
  }

  /** The outcome: the workflow when there is no error, and every problem found. */
  public record Validation(Optional<Workflow> workflow, List<Problem> problems) {
    public Validation {
      problems = List.copyOf(problems);
    }

    public boolean valid() {
      return workflow.isPresent();
    }

    public List<Problem> errors() {
      return problems.stream().filter(Problem::isError).toList();
    }

    public List<Problem> warnings() {
      return problems.stream().filter(p -> !p.isError()).toList();
    }
  }

  private WorkflowValidator() {}

  public static Validation validate(JsonNode tree) {
    return validate(tree, Limits.DEFAULT);
  }

  public static Validation validate(JsonNode tree, Limits limits) {
    List<Problem> problems = new ArrayList<>();
    Fields fields = new Fields(problems::add);
    String like = "a workflow must be a mapping with name, type and steps";
    if (!fields.expect(tree != null && tree.isObject(), "", like, tree)) {
      return new Validation(Optional.empty(), problems);
    }
    Map<String, JsonNode> inputs = inputs(tree, fields);
    ReferenceCheck references = new ReferenceCheck(fields);
    StepRules rules = new StepRules(fields, references, limits);
    Step root = rules.root(tree);
    // Last, since a reference may name a step declared further down the tree.
    references.check();
    boolean errors = problems.stream().anyMatch(Problem::isError);
    Optional<Workflow> workflow =
        errors || root == null
            ? Optional.empty()
            : Optional.of(new Workflow(root, inputs, rules.runTimeout()));
    return new Validation(workflow, problems);
  }

  private static Map<String, JsonNode> inputs(JsonNode tree, Fields fields) {
    JsonNode node = tree.get("inputs");
    Map<String, JsonNode> inputs = new LinkedHashMap<>();
    String like = "must be a mapping of input names to default values";
    if (node == null || node.isNull() || !fields.expect(node.isObject(), "inputs", like, node)) {
      return inputs;
    }
    node.properties().forEach(e -> inputs.put(e.getKey(), e.getValue()));
    return inputs;
  }
}
