package dev.vxext.daemon;

import dev.vxext.NodeOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A launcher's restart policy: Java ({@link Launcher#withRestart}) and JSON configuration ({@code "restart"}). */
class LauncherRestartConfigTest {

  private static NodeOptions node(String launcher) {
    return new NodeOptions(new JsonObject("{\"nodeName\": \"n\", \"launchers\": {\"counter\": {\"verticle\":"
      + " \"dev.vxext.examples.CounterDaemon\"" + launcher + "}}}"));
  }

  @Test
  void theDefaultIsOnFailureAndAnExistingConstructorKeepsIt() {
    Launcher l = new Launcher(dev.vxext.testing.DaemonWorker::new, null, null);
    assertThat(l.restart()).isEqualTo(RestartPolicy.ON_FAILURE);
    assertThat(l.withRestart(RestartPolicy.NEVER).withScanner(DaemonScanners.none()).restart()).isEqualTo(RestartPolicy.NEVER);
    assertThat(node("").getLaunchers().get("counter").restart()).isEqualTo(RestartPolicy.ON_FAILURE);
    assertThatThrownBy(() -> l.withRestart(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("restart");
  }

  @Test
  void jsonNamesThePolicy() {
    assertThat(node(", \"restart\": \"always\"").getLaunchers().get("counter").restart()).isEqualTo(RestartPolicy.ALWAYS);
    assertThat(node(", \"restart\": \"never\"").getLaunchers().get("counter").restart()).isEqualTo(RestartPolicy.NEVER);
    assertThat(node(", \"restart\": \"ON_FAILURE\"").getLaunchers().get("counter").restart()).isEqualTo(RestartPolicy.ON_FAILURE);
    assertThat(node(", \"restart\": \"always\"").toJson().getJsonObject("launchers").getJsonObject("counter").getString("restart"))
      .isEqualTo("always");
  }

  @Test
  void aBadPolicyIsRefusedNamingTheLauncher() {
    assertThatThrownBy(() -> node(", \"restart\": \"sometimes\"")).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("launcher 'counter'").hasMessageContaining("always, on-failure, never");
    assertThatThrownBy(() -> node(", \"restart\": 1")).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("launcher 'counter'");
  }
}
