package dev.vxext.launcher;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a {@code -conf} value: inline JSON when it starts with '{', else a file path. */
final class ConfReader {

  private ConfReader() {
  }

  /** @throws IllegalArgumentException with a one-line explanation */
  static JsonObject read(String conf) {
    String text;
    String source;
    if (conf.trim().startsWith("{")) {
      text = conf;
      source = "the -conf JSON";
    } else {
      source = conf;
      try {
        text = Files.readString(Path.of(conf));
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("configuration file " + conf + " does not exist");
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read configuration file " + conf + ": " + e.getMessage());
      }
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException e) {
      String reason = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
      throw new IllegalArgumentException(source + " is not a JSON object: " + reason);
    }
  }
}
