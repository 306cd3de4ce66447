package dev.tollgate.metering;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * Reads a body with Jackson from its start, every token: the reading of last resort for a body held whole, and the
 * only one for a body broken off, which may end inside a nested object that looks, from there, like the top level.
 * A body the parser cannot read yields what was read before the fault: a usage object complete by then, and the model.
 */
final class WholeBodyReader {

    private WholeBodyReader() {
    }

    static BodyReading read(byte[] body, int length) {
        BodyReading reading = new BodyReading();
        try (JsonParser parser = BodyReading.FACTORY.createParser(body, 0, length)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                reading.accept(token, parser);
            }
        } catch (IOException | RuntimeException e) {
            // a cut or garbled body: what was read before the fault stands
        }
        return reading;
    }
}
