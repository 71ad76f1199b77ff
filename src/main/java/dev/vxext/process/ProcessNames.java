package dev.vxext.process;

import java.util.regex.Pattern;

/**
 * The rule for process and node names: 1 to {@value #MAX_LENGTH} characters of {@code [A-Za-z0-9._@-]}.
 */
public final class ProcessNames {

  /** The longest name accepted. */
  public static final int MAX_LENGTH = 128;

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._@-]+");

  private ProcessNames() {
  }

  /**
   * @param name a candidate name
   * @return {@code null} when the name is valid, otherwise what is wrong with it (starting with "must"/"is")
   */
  public static String problem(String name) {
    if (name == null) {
      return "is missing";
    }
    if (name.isEmpty()) {
      return "must not be empty";
    }
    if (name.length() > MAX_LENGTH) {
      return "is " + name.length() + " characters long, the maximum is " + MAX_LENGTH;
    }
    if (!VALID.matcher(name).matches()) {
      return "'" + abbreviate(name) + "' may only contain letters, digits and . _ @ -";
    }
    return null;
  }

  /**
   * @param name a candidate name
   * @return true when {@link #problem(String)} finds nothing
   */
  public static boolean isValid(String name) {
    return problem(name) == null;
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
