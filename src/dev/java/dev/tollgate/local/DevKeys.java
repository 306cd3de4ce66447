package dev.tollgate.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The RSA key pair the default run uses in place of Entra ID: the gateway verifies caller tokens with the public half,
 * and the start-up banner signs a ready-to-use caller token with the private half. Generated once per checkout under
 * {@code target/}, never shipped.
 */
public final class DevKeys {

    private static final String PRIVATE_FILE = "private.pem";
    private static final String PUBLIC_FILE = "public.pem";

    private final Path directory;

    private DevKeys(Path directory) {
        this.directory = directory.toAbsolutePath();
    }

    /** Returns the key pair in that directory, generating it first if it is not there. */
    public static synchronized DevKeys ensure(Path directory) {
        DevKeys keys = new DevKeys(directory);
        if (!Files.isRegularFile(keys.privateKeyFile()) || !Files.isRegularFile(keys.publicKeyFile())) {
            keys.generate();
        }
        return keys;
    }

    public Path directory() {
        return directory;
    }

    public Path publicKeyFile() {
        return directory.resolve(PUBLIC_FILE);
    }

    public Path privateKeyFile() {
        return directory.resolve(PRIVATE_FILE);
    }

    public PrivateKey privateKey() {
        try {
            String pem = Files.readString(privateKeyFile());
            byte[] der = Base64.getMimeDecoder().decode(pem
                    .replace("-----BEGIN PRIVATE KEY-----", "")
                    .replace("-----END PRIVATE KEY-----", "")
                    .trim());
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The dev private key in " + directory + " is unreadable", e);
        }
    }

    private void generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Files.createDirectories(directory);
            Files.writeString(privateKeyFile(), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(publicKeyFile(), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the dev key pair to " + directory, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available", e);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
