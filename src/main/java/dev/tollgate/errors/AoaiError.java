package dev.tollgate.errors;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The error body Azure OpenAI answers with, {@code {"error":{"code":…,"message":…}}}: callers' SDKs parse this
 * shape, so every reject of the gateway uses it too.
 */
public record AoaiError(@JsonProperty("error") Detail error) {

    public record Detail(String code, String message) {
    }

    public static AoaiError of(String code, String message) {
        return new AoaiError(new Detail(code, message));
    }
}
