package dev.vxext.process;

/**
 * The rule for process and node names: 1 to {@value #MAX_LENGTH} characters of {@code [A-Za-z0-9._@-]}.
 */
public final class ProcessNames {

  /** The longest name accepted. */
  public static final int MAX_LENGTH = 128;

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
    if (!allowedChars(name)) {
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

  /** {@code [A-Za-z0-9._@-]+} without a regex: this runs on every call, send and locate. */
  private static boolean allowedChars(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == '@' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
