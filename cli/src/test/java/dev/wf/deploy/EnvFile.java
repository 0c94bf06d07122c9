package dev.wf.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An environment file as systemd reads it: KEY=VALUE lines, comments skipped, quotes removed. */
final class EnvFile {
  private static final Pattern LINE = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$");

  private EnvFile() {}

  static Map<String, String> parse(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : text.split("\\R")) {
      if (line.strip().startsWith("#")) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      if (m.matches()) {
        out.put(
            m.group(1),
            m.group(2).strip().replaceAll("^\"(.*)\"$", "$1").replaceAll("^'(.*)'$", "$1"));
      }
    }
    return out;
  }
}
