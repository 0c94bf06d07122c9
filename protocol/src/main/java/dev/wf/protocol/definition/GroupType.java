package dev.wf.protocol.definition;

import java.util.Locale;

/** How a group runs its children. */
public enum GroupType {
  SEQUENTIAL,
  PARALLEL;

  /** The word used in definitions and in step paths ({@code sequential}, {@code parallel}). */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
