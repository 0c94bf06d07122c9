package dev.wf.protocol.expr;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelStandardFunctions;
import dev.cel.runtime.standard.AddOperator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A compiled CEL expression over {@code inputs} and {@code steps} (both maps from string to any
 * value), and inside a {@code forEach} group its {@code item} and {@code index}. Compiling is
 * costly, so compiled programs are shared by source text.
 */
public final class Expression {
  private static final CelOptions OPTIONS =
      CelOptions.current()
          .enableHeterogeneousNumericComparisons(true)
          .comprehensionMaxIterations(100_000)
          .build();
  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("inputs", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("steps", MapType.create(SimpleType.STRING, SimpleType.DYN))
          .addVar("item", SimpleType.DYN)
          .addVar("index", SimpleType.INT)
          .build();

  /**
   * Text and lists one evaluation may build by concatenation, in characters and elements added
   * (each new string counts whole, a list the elements it gains, as {@code map} builds one): CEL's
   * iteration limit bounds time, this bounds memory (a {@code map} over a long list that doubles a
   * long input string would otherwise take gigabytes before anything could refuse it).
   */
  public static final long BUILD_BUDGET = 4L * 1024 * 1024;

  private static final ThreadLocal<long[]> BUDGET = ThreadLocal.withInitial(() -> new long[1]);

  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder()
          .setOptions(OPTIONS)
          // The standard text and list concatenations are left out and bound again, with a budget.
          .setStandardEnvironmentEnabled(false)
          .setStandardFunctions(
              CelStandardFunctions.newBuilder()
                  .filterFunctions(
                      (function, overload) ->
                          overload != AddOperator.AddOverload.ADD_STRING
                              && overload != AddOperator.AddOverload.ADD_LIST)
                  .build())
          .addFunctionBindings(
              CelFunctionBinding.from(
                  "add_string",
                  String.class,
                  String.class,
                  (a, b) -> spend(a.length() + b.length(), a + b)),
              CelFunctionBinding.from(
                  "add_list", List.class, List.class, (a, b) -> spend(b.size(), joined(a, b))))
          .build();
  private static final int CACHE_LIMIT = 10_000;
  private static final Map<String, Expression> CACHE = new ConcurrentHashMap<>();

  private final String source;
  private final CelRuntime.Program program;
  private final CelKind resultKind;
  private final String resultTypeName;

  private Expression(
      String source, CelRuntime.Program program, CelKind resultKind, String resultTypeName) {
    this.source = source;
    this.program = program;
    this.resultKind = resultKind;
    this.resultTypeName = resultTypeName;
  }

  /**
   * Compiles {@code source}.
   *
   * @throws InvalidExpressionException with CEL's message when it does not parse or type-check
   */
  public static Expression compile(String source) {
    Objects.requireNonNull(source, "source");
    Expression cached = CACHE.get(source);
    if (cached != null) {
      return cached;
    }
    Expression compiled = doCompile(source);
    if (CACHE.size() >= CACHE_LIMIT) {
      CACHE.clear();
    }
    CACHE.put(source, compiled);
    return compiled;
  }

  private static Expression doCompile(String source) {
    if (source.isBlank()) {
      throw new InvalidExpressionException("the expression is empty");
    }
    CelValidationResult result;
    try {
      result = COMPILER.compile(source);
    } catch (RuntimeException e) {
      throw new InvalidExpressionException(String.valueOf(e.getMessage()));
    }
    if (result.hasError()) {
      throw new InvalidExpressionException(oneLine(result.getErrorString()));
    }
    try {
      CelAbstractSyntaxTree ast = result.getAst();
      CelKind kind = ast.getResultType().kind();
      return new Expression(source, RUNTIME.createProgram(ast), kind, ast.getResultType().name());
    } catch (Exception e) {
      throw new InvalidExpressionException(oneLine(String.valueOf(e.getMessage())));
    }
  }

  /** CEL's messages carry the source and a caret on extra lines; keep them readable on one. */
  private static String oneLine(String message) {
    String first = message.lines().findFirst().orElse(message);
    return first.replaceFirst("^ERROR: <input>:\\d+:\\d+: ", "");
  }

  public String source() {
    return source;
  }

  /** True when the type checker allows a bool result (the result type is bool or dyn). */
  public boolean mayBeBool() {
    return resultKind == CelKind.BOOL || resultKind.isDyn() || resultKind == CelKind.ANY;
  }

  /** The result type as the type checker sees it ({@code bool}, {@code string}, {@code dyn}...). */
  public String resultTypeName() {
    return resultTypeName;
  }

  /**
   * Evaluates with {@code vars} ({@code inputs} and {@code steps}, as CEL values: see {@link
   * CelValues}).
   *
   * @throws EvaluationException with CEL's message when evaluation fails
   */
  public Object evaluate(Map<String, ?> vars) {
    BUDGET.get()[0] = BUILD_BUDGET;
    try {
      return program.eval(vars);
    } catch (CelEvaluationException e) {
      throw new EvaluationException(source, oneLine(String.valueOf(e.getMessage())));
    } catch (RuntimeException e) {
      throw new EvaluationException(source, String.valueOf(e.getMessage()));
    }
  }

  private static List<Object> joined(List<?> a, List<?> b) {
    List<Object> out = new ArrayList<>(a.size() + b.size());
    out.addAll(a);
    out.addAll(b);
    return out;
  }

  private static <T> T spend(long units, T value) throws CelEvaluationException {
    long[] left = BUDGET.get();
    left[0] -= units;
    if (left[0] < 0) {
      throw new CelEvaluationException(
          "the expression builds more than " + BUILD_BUDGET + " characters or list elements");
    }
    return value;
  }

  /**
   * Evaluates and converts the value to JSON, refusing a value larger than {@code maxChars} (its
   * strings' characters and its elements counted) before it is built.
   *
   * @throws EvaluationException when the expression fails or its value is too large
   */
  public com.fasterxml.jackson.databind.JsonNode evaluateToJson(
      Map<String, ?> vars, long maxChars) {
    Object value = evaluate(vars);
    try {
      return CelValues.toJson(value, maxChars);
    } catch (CelValues.TooLarge e) {
      throw new EvaluationException(source, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return source;
  }
}
