package dev.vxext.process;

/**
 * The rule for process and node names: 1 to {@value #MAX_LENGTH} characters of {@code [A-Za-z0-9._@-]}.
 * A process may not be registered under a name starting with a reserved prefix ({@code vxext.}: the
 * addresses of the node's own services; {@code __vertx.}: Vert.x's own), since a process consumes on the
 * local address equal to its name.
 */
public final class ProcessNames {

  /** The longest name accepted. */
  public static final int MAX_LENGTH = 128;
  /** Prefixes no process name may start with. */
  public static final java.util.List<String> RESERVED_PREFIXES = java.util.List.of("vxext.", "__vertx.");

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
   * @param name a candidate name for a process to register (register, registerSelf, spawn, conf)
   * @return {@code null} when a process may be registered under it, otherwise what is wrong with it
   */
  public static String registrationProblem(String name) {
    String problem = problem(name);
    if (problem != null) {
      return problem;
    }
    for (String prefix : RESERVED_PREFIXES) {
      if (name.startsWith(prefix)) {
        return "'" + abbreviate(name) + "' starts with the reserved prefix '" + prefix + "' (addresses of "
          + (prefix.equals("vxext.") ? "the node's own services" : "Vert.x itself") + ")";
      }
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
