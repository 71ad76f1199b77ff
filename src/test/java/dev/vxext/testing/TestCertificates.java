package dev.vxext.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throw-away certificates made at test time with the JDK's {@code keytool} (no private key is committed):
 * a CA, and PKCS#12 key stores holding a certificate signed by it, plus a trust store with the CA.
 */
public final class TestCertificates {

  public static final String PASSWORD = "changeit";

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** A new CA in a fresh temporary directory. */
  public static TestCertificates newCa(String name) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("vxext-" + name);
    TestCertificates ca = new TestCertificates(dir);
    ca.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
      "-ext", "bc:c", "-validity", "2", "-keystore", ca.caStore().toString(), "-storetype", "PKCS12",
      "-storepass", PASSWORD, "-keypass", PASSWORD);
    ca.keytool("-exportcert", "-alias", "ca", "-rfc", "-keystore", ca.caStore().toString(), "-storepass", PASSWORD,
      "-file", dir.resolve("ca.crt").toString());
    ca.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.crt").toString(),
      "-keystore", ca.trustStore().toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
    return ca;
  }

  /** @return a PKCS#12 key store with a key pair for {@code cn}, signed by this CA (SAN 127.0.0.1, localhost) */
  public Path issue(String cn) throws IOException, InterruptedException {
    Path store = dir.resolve(cn + ".p12");
    Path csr = dir.resolve(cn + ".csr");
    Path crt = dir.resolve(cn + ".crt");
    keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + cn,
      "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
    keytool("-certreq", "-alias", "node", "-keystore", store.toString(), "-storepass", PASSWORD, "-file", csr.toString());
    keytool("-gencert", "-alias", "ca", "-keystore", caStore().toString(), "-storepass", PASSWORD, "-infile", csr.toString(),
      "-outfile", crt.toString(), "-rfc", "-validity", "2", "-ext", "SAN=ip:127.0.0.1,dns:localhost");
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.crt").toString(),
      "-keystore", store.toString(), "-storepass", PASSWORD);
    keytool("-importcert", "-alias", "node", "-file", crt.toString(), "-keystore", store.toString(), "-storepass", PASSWORD);
    return store;
  }

  /** @return the PKCS#12 trust store that holds this CA */
  public Path trustStore() {
    return dir.resolve("trust.p12");
  }

  private Path caStore() {
    return dir.resolve("ca.p12");
  }

  private void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool " + args[0] + " failed: " + out);
    }
  }
}
