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
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
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
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();
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
    try {
      return program.eval(vars);
    } catch (CelEvaluationException e) {
      throw new EvaluationException(source, oneLine(String.valueOf(e.getMessage())));
    } catch (RuntimeException e) {
      throw new EvaluationException(source, String.valueOf(e.getMessage()));
    }
  }

  @Override
  public String toString() {
    return source;
  }
}
