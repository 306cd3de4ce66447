package dev.tollgate.request;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Azure's rule for deployment names, which decides what may reach records and metrics. */
class DeploymentNameTest {

    @Test
    void acceptsWhatAzureAccepts() {
        for (String name : new String[]{"gpt-4o", "GPT4", "0", "my_deploy.v2-east", "a".repeat(64)}) {
            assertThat(RequestReader.isDeploymentName(name)).as(name).isTrue();
        }
    }

    @Test
    void refusesEverythingElse() {
        for (String name : new String[]{null, "", "-gpt", ".x", "_x", "a".repeat(65), "gpt 4o", "gpt\u0000x",
                "gpt/4o", "gpt%2F4o", "caf\u00e9", "\uFF47pt", "gpt-4o\n", "x;drop"}) {
            assertThat(RequestReader.isDeploymentName(name)).as(String.valueOf(name)).isFalse();
        }
    }
}
