package dev.vxext.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rule for a ZooKeeper connect string: {@code host[:port][,host[:port]...][/chroot]}. A host is a name
 * or IPv4 address ({@code [A-Za-z0-9._-]+}) or an IPv6 address in brackets; a port is 1 to 65535 (ZooKeeper
 * uses 2181 when it is left out); no element may be empty; the optional chroot comes once, after the last
 * host, and is an absolute znode path without empty, {@code .} or {@code ..} segments or a trailing slash.
 * Spaces around an element are allowed (ZooKeeper trims them).
 */
public final class ConnectString {

  private static final Pattern ELEMENT = Pattern.compile("([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.%a-zA-Z]+])(?::([0-9]{1,5}))?");
  private static final Pattern SEGMENT = Pattern.compile("[^/\\s\\x00-\\x1f\\x7f]+");

  private ConnectString() {
  }

  /**
   * @param hosts a connect string, not empty
   * @return null when it is valid, else what is wrong with it (one line)
   */
  public static String problem(String hosts) {
    int slash = hosts.indexOf('/');
    String servers = slash < 0 ? hosts : hosts.substring(0, slash);
    if (slash >= 0) {
      String chroot = hosts.substring(slash);
      String p = chrootProblem(chroot);
      if (p != null) return "the chroot '" + chroot + "' " + p;
    }
    String[] elements = servers.split(",", -1);
    for (int i = 0; i < elements.length; i++) {
      String e = elements[i].trim();
      if (e.isEmpty()) {
        return "element " + (i + 1) + " is empty";
      }
      Matcher m = ELEMENT.matcher(e);
      if (!m.matches()) {
        return "'" + e + "' is not host:port or host";
      }
      if (m.group(2) != null) {
        int port = Integer.parseInt(m.group(2));
        if (port < 1 || port > 65_535) {
          return "port " + port + " of '" + e + "' is not between 1 and 65535";
        }
      }
    }
    return null;
  }

  private static String chrootProblem(String chroot) {
    if (chroot.equals("/")) return null;
    if (chroot.endsWith("/")) return "ends with '/'";
    String[] segments = chroot.substring(1).split("/", -1);
    if (chroot.contains(",")) return "contains ',' (the chroot comes once, after the last host)";
    for (String s : segments) {
      if (s.isEmpty()) return "has an empty segment";
      if (s.equals(".") || s.equals("..")) return "has a '" + s + "' segment";
      if (!SEGMENT.matcher(s).matches()) return "has a segment with spaces or control characters";
    }
    return null;
  }
}
