package dev.tollgate.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code localhost} so the default run also serves HTTPS: the Azure SDKs refuse to send a
 * token credential over plain http. Made with the JDK's own {@code keytool}, once per checkout, under {@code target/}.
 */
public final class DevCertificate {

    /** The key store password of the dev certificate; it protects nothing of value. */
    public static final String PASSWORD = "tollgate-dev";
    private static final String ALIAS = "tollgate-dev";

    private final Path directory;

    private DevCertificate(Path directory) {
        this.directory = directory.toAbsolutePath();
    }

    public static synchronized DevCertificate ensure(Path directory) {
        DevCertificate certificate = new DevCertificate(directory);
        if (!Files.isRegularFile(certificate.keyStore()) || !Files.isRegularFile(certificate.certificatePem())) {
            certificate.generate();
        }
        return certificate;
    }

    public Path keyStore() {
        return directory.resolve("keystore.p12");
    }

    /** The certificate alone, for clients to trust (curl --cacert, SSL_CERT_FILE, REQUESTS_CA_BUNDLE). */
    public Path certificatePem() {
        return directory.resolve("cert.pem");
    }

    private void generate() {
        try {
            Files.createDirectories(directory);
            Files.deleteIfExists(keyStore());
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            run(List.of(keytool, "-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048",
                    "-validity", "825", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                    "-keystore", keyStore().toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));
            run(List.of(keytool, "-exportcert", "-rfc", "-alias", ALIAS, "-keystore", keyStore().toString(),
                    "-storepass", PASSWORD, "-file", certificatePem().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the dev certificate in " + directory, e);
        }
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                String output = new String(process.getInputStream().readAllBytes());
                throw new IOException("keytool failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while running keytool", e);
        }
    }
}
