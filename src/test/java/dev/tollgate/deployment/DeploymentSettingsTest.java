package dev.tollgate.deployment;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The settings the shipped deployment files (deployment/: the image, the Kubernetes manifests, the Container Apps
 * template, their README) give the gateway are settings it has. An environment variable the gateway does not read is
 * ignored without a word: the manifests once set the disk spool's directory after the journal had replaced it, and
 * the journal then defaulted to a directory of the read-only root file system, which refuses every request.
 */
class DeploymentSettingsTest {

    private static final Path DEPLOYMENT = Path.of("deployment");
    private static final Pattern VARIABLE = Pattern.compile("\\b(?:TOLLGATE|QUARKUS)_[A-Z0-9_]+\\b");

    @Test
    void everyVariableTheDeploymentFilesSetIsInTheConfigurationReference() throws IOException {
        String reference = Files.readString(Path.of("docs/configuration.md"));
        Set<String> named = new TreeSet<>();
        try (Stream<Path> files = Files.walk(DEPLOYMENT)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Matcher matcher = VARIABLE.matcher(Files.readString(file));
                while (matcher.find()) {
                    named.add(matcher.group());
                }
            }
        }

        assertThat(named).as("variables named in deployment/").contains("TOLLGATE_DB_URL",
                "TOLLGATE_METERING_JOURNAL_DIR");
        assertThat(named).allSatisfy(variable -> assertThat(reference).as("docs/configuration.md")
                .contains("`" + variable + "`"));
    }

    @Test
    void theJournalIsOnAWritableVolumeWhereTheRootFileSystemIsReadOnly() throws IOException {
        String manifest = Files.readString(DEPLOYMENT.resolve("kubernetes/deployment.yaml"));
        assertThat(manifest).contains("readOnlyRootFilesystem: true");
        String directory = setting(manifest, "- name: TOLLGATE_METERING_JOURNAL_DIR\\s+value: (\\S+)");
        assertThat(manifest).contains("mountPath: " + directory);

        String template = Files.readString(DEPLOYMENT.resolve("azure-container-apps/tollgate.bicep"));
        String appDirectory = setting(template, "name: 'TOLLGATE_METERING_JOURNAL_DIR'\\s+value: '([^']+)'");
        assertThat(template).contains("mountPath: '" + appDirectory + "'");

        String image = Files.readString(DEPLOYMENT.resolve("Dockerfile"));
        assertThat(image).contains("ENV TOLLGATE_METERING_JOURNAL_DIR=" + directory)
                .contains("chown 10001:10001 " + directory);
    }

    /**
     * The image, the manifests and the Container Apps template size the JVM alike, and bench/run.sh measures a gateway
     * sized as they size it (under a 2 GiB limit, which a container's JVM reads from its cgroup), so that the figures
     * of docs/performance.md are those of a replica.
     */
    @Test
    void theBenchmarkSizesTheJvmAsEveryDeploymentFileDoes() throws IOException {
        String image = setting(Files.readString(DEPLOYMENT.resolve("Dockerfile")), "JAVA_OPTS=\"([^\"]+)\"");
        String manifest = setting(Files.readString(DEPLOYMENT.resolve("kubernetes/deployment.yaml")),
                "- name: JAVA_OPTS\\s+value: \"([^\"]+)\"");
        String template = setting(Files.readString(DEPLOYMENT.resolve("azure-container-apps/tollgate.bicep")),
                "name: 'JAVA_OPTS'\\s+value: '([^']+)'");
        assertThat(manifest).isEqualTo(image);
        assertThat(template).isEqualTo(image);
        assertThat(image).contains("-XX:MaxRAMPercentage=", "-XX:InitialRAMPercentage=", "-XX:NewSize=");

        String bench = setting(Files.readString(Path.of("bench/run.sh")),
                "GATEWAY_JAVA_OPTS=\\$\\{GATEWAY_JAVA_OPTS-\"([^\"]+)\"}");
        assertThat(bench).isEqualTo("-XX:MaxRAM=2g " + image.replace(" -XX:+ExitOnOutOfMemoryError", ""));
        assertThat(Files.readString(DEPLOYMENT.resolve("kubernetes/deployment.yaml"))).contains("memory: 2Gi");
    }

    private static String setting(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("sets " + regex).isTrue();
        return matcher.group(1);
    }
}
