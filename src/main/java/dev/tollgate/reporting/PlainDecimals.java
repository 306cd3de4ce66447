package dev.tollgate.reporting;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Money and prices leave the APIs as plain decimals ({@code 0.00000025}), never in exponent form ({@code 2.5E-7}),
 * which some spreadsheet and finance tools read wrongly.
 */
@Singleton
public class PlainDecimals implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    }
}
