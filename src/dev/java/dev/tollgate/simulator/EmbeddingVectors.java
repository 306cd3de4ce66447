package dev.tollgate.simulator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.SplittableRandom;

/**
 * Deterministic unit vectors derived from the input text: the same input always embeds the same way, which is all a
 * gateway test needs, and vectors stay short to keep answers cheap.
 */
final class EmbeddingVectors {

    static final int DEFAULT_DIMENSIONS = 8;
    /** The largest dimension count real embedding models offer; caps what a caller can make us allocate. */
    static final int MAX_DIMENSIONS = 3072;

    private EmbeddingVectors() {
    }

    static float[] of(String text, int dimensions) {
        SplittableRandom random = new SplittableRandom(text.hashCode());
        float[] vector = new float[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            vector[i] = (float) (random.nextDouble() * 2 - 1);
            norm += vector[i] * vector[i];
        }
        double length = Math.sqrt(norm);
        for (int i = 0; i < dimensions; i++) {
            vector[i] = (float) (vector[i] / length);
        }
        return vector;
    }

    /** The {@code encoding_format: base64} form: little-endian float32 values, as the OpenAI SDKs decode them. */
    static String base64(float[] vector) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : vector) {
            buffer.putFloat(value);
        }
        return Base64.getEncoder().encodeToString(buffer.array());
    }
}
