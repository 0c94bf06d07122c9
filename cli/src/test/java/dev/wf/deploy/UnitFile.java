package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A systemd unit: each key with its values, sections ignored (the kit's units use each key in one
 * section only).
 *
 * @param name the unit's file name, for messages
 * @param keys each key with its values in file order
 */
record UnitFile(String name, Map<String, List<String>> keys) {

  static UnitFile read(Path f) {
    assertThat(f).exists();
    return parse(f.getFileName().toString(), DeployFiles.read(f));
  }

  static UnitFile parse(String name, String text) {
    Map<String, List<String>> keys = new TreeMap<>();
    for (String line : CommandLines.logical(text)) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#") || l.startsWith(";") || l.startsWith("[")) {
        continue;
      }
      int eq = l.indexOf('=');
      if (eq > 0) {
        keys.computeIfAbsent(l.substring(0, eq).strip(), k -> new ArrayList<>())
            .add(l.substring(eq + 1).strip());
      }
    }
    return new UnitFile(name, keys);
  }

  /** The value of a key the unit sets exactly once. */
  String one(String key) {
    List<String> v = all(key);
    assertThat(v).as(name + " " + key).hasSize(1);
    return v.get(0);
  }

  /** A time span the unit sets once; systemd reads a bare number as seconds. */
  Duration timeSpan(String key) {
    String text = one(key);
    return text.matches("\\d+")
        ? Duration.ofSeconds(Long.parseLong(text))
        : DeployLint.duration(text);
  }

  List<String> all(String key) {
    return keys.getOrDefault(key, List.of());
  }

  boolean has(String key) {
    return keys.containsKey(key);
  }
}
