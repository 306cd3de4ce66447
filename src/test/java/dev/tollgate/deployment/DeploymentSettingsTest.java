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
        String directory = journalDirectory(manifest, "- name: TOLLGATE_METERING_JOURNAL_DIR\\s+value: (\\S+)");
        assertThat(manifest).contains("mountPath: " + directory);

        String template = Files.readString(DEPLOYMENT.resolve("azure-container-apps/tollgate.bicep"));
        String appDirectory = journalDirectory(template, "name: 'TOLLGATE_METERING_JOURNAL_DIR'\\s+value: '([^']+)'");
        assertThat(template).contains("mountPath: '" + appDirectory + "'");

        String image = Files.readString(DEPLOYMENT.resolve("Dockerfile"));
        assertThat(image).contains("ENV TOLLGATE_METERING_JOURNAL_DIR=" + directory)
                .contains("chown 10001:10001 " + directory);
    }

    private static String journalDirectory(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("sets " + regex).isTrue();
        return matcher.group(1);
    }
}
