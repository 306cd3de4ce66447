package dev.tollgate.export;

import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;
import org.apache.qpid.proton.message.Message;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The Event Hubs batch format, as the service reads it: a delivery of message format {@code 0x80013700} whose
 * sections are an envelope (message annotations, properties of the first event) followed by one Data section per
 * event, each holding that event encoded as a complete AMQP message with its own properties and annotations.
 * Proton-j's {@link Message#decode} keeps only one body section, hence the section-by-section reading here.
 */
final class AmqpBatch {

    /** The message format the Azure SDKs give batch deliveries ({@code AmqpConstants.AMQP_BATCH_MESSAGE_FORMAT}). */
    static final int BATCH_MESSAGE_FORMAT = 0x80013700;

    private AmqpBatch() {
    }

    /** The envelope's message annotations (null if it has none) and the events inside, decoded. */
    record Contents(MessageAnnotations envelopeAnnotations, List<Message> events) {
    }

    static Contents decode(byte[] delivery) {
        DecoderImpl decoder = new DecoderImpl();
        AMQPDefinedTypes.registerAllTypes(decoder, new EncoderImpl(decoder));
        ByteBuffer buffer = ByteBuffer.wrap(delivery);
        decoder.setByteBuffer(buffer);
        MessageAnnotations annotations = null;
        List<Message> events = new ArrayList<>();
        while (buffer.hasRemaining()) {
            Object section = decoder.readObject();
            if (section instanceof MessageAnnotations envelope) {
                annotations = envelope;
            } else if (section instanceof Data data) {
                Binary bytes = data.getValue();
                Message event = Proton.message();
                event.decode(bytes.getArray(), bytes.getArrayOffset(), bytes.getLength());
                events.add(event);
            }
            // Header, properties and application properties of the envelope carry nothing the events lack.
        }
        return new Contents(annotations, events);
    }
}
