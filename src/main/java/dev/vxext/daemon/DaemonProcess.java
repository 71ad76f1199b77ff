package dev.vxext.daemon;

import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * A daemon a launcher declares: its process name and the arguments its verticle receives as
 * {@code config()}.
 *
 * @param name the process name, unique in the cluster
 * @param args the verticle's config (an empty object when {@code null} is given)
 */
public record DaemonProcess(String name, JsonObject args) {

  public DaemonProcess {
    Objects.requireNonNull(name, "name");
    args = args == null ? new JsonObject() : args.copy();
  }
}
