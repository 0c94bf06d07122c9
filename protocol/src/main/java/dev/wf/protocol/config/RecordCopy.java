package dev.wf.protocol.config;

import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A copy of a record with some components changed, made through its canonical constructor so the
 * record's own validation judges the result. The services' config records change a few of their
 * many fields at a time ({@code config.withTopics(t)}); this is their one builder.
 *
 * @param <R> the record type
 */
public final class RecordCopy<R extends Record> {
  private final R source;
  private final Class<R> type;
  private final Map<String, Object> changes = new LinkedHashMap<>();

  private RecordCopy(R source, Class<R> type) {
    this.source = source;
    this.type = type;
  }

  /** Starts a copy of {@code source}; components not changed keep its values. */
  public static <R extends Record> RecordCopy<R> of(R source) {
    // A record class is final: the runtime class of an R is R itself.
    @SuppressWarnings("unchecked")
    Class<R> type = (Class<R>) source.getClass();
    return new RecordCopy<>(source, type);
  }

  /**
   * Gives component {@code name} the value {@code value}.
   *
   * @throws IllegalArgumentException when the record has no such component or the value does not
   *     fit its type (a mistake in the calling code, caught at its first use)
   */
  public RecordCopy<R> with(String name, Object value) {
    RecordComponent c = component(name);
    Class<?> t = c.getType();
    boolean fits = value == null ? !t.isPrimitive() : boxed(t).isInstance(value);
    if (!fits) {
      throw new IllegalArgumentException(
          type.getSimpleName() + "." + name + ": expected " + t.getSimpleName() + ", got " + value);
    }
    changes.put(name, value);
    return this;
  }

  /**
   * The copy.
   *
   * @throws IllegalArgumentException or whatever else the record's constructor throws when it
   *     rejects the values
   */
  public R build() {
    RecordComponent[] components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    Object[] values = new Object[components.length];
    try {
      for (int i = 0; i < components.length; i++) {
        RecordComponent c = components[i];
        types[i] = c.getType();
        values[i] =
            changes.containsKey(c.getName())
                ? changes.get(c.getName())
                : c.getAccessor().invoke(source);
      }
      Constructor<R> canonical = type.getDeclaredConstructor(types);
      return canonical.newInstance(values);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot copy a " + type.getName(), e);
    }
  }

  private RecordComponent component(String name) {
    for (RecordComponent c : type.getRecordComponents()) {
      if (c.getName().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException(type.getSimpleName() + " has no component " + name);
  }

  private static Class<?> boxed(Class<?> t) {
    return MethodType.methodType(t).wrap().returnType();
  }
}
