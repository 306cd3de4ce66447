package dev.tollgate.metering;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class EventLogTest {

    @Test
    void givesBackEveryEventByteForByteInOrder() {
        Random random = new Random(3);
        for (int round = 0; round < 200; round++) {
            EventLog log = new EventLog();
            List<byte[]> events = new ArrayList<>();
            byte[] previous = new byte[0];
            int count = random.nextInt(40);
            for (int i = 0; i < count; i++) {
                byte[] event = next(previous, random);
                // events arrive inside larger arrays, at any offset
                byte[] chunk = new byte[event.length + 10];
                int at = random.nextInt(10);
                System.arraycopy(event, 0, chunk, at, event.length);
                log.add(chunk, at, at + event.length);
                events.add(event);
                previous = event;
            }
            List<byte[]> replayed = new ArrayList<>();
            log.forEach(replayed::add);
            assertThat(replayed).as("round %d", round).containsExactlyElementsOf(events);
        }
    }

    @Test
    void keepsAStreamInAFractionOfItsSize() {
        String[] events = new String(Fixtures.load("chat-stream.sse"), StandardCharsets.UTF_8).split("\n\n");
        EventLog log = new EventLog();
        int streamed = 0;
        for (int i = 0; i < 1000; i++) {
            byte[] event = (events[2].replace("Un péage 🚗", " mot" + i) + "\n\n").getBytes(StandardCharsets.UTF_8);
            log.add(event, 0, event.length);
            streamed += event.length;
        }
        // each chunk differs from the one before in its text, a few bytes: far from the 330 bytes of the chunk
        assertThat(log.footprint()).isLessThan(streamed / 10);
    }

    /** An event like the one before: its start, its end or both kept, something else between. */
    private static byte[] next(byte[] previous, Random random) {
        int prefix = previous.length == 0 ? 0 : random.nextInt(previous.length + 1);
        int suffix = previous.length == prefix ? 0 : random.nextInt(previous.length - prefix + 1);
        byte[] middle = new byte[random.nextInt(random.nextBoolean() ? 4 : 40)];
        for (int i = 0; i < middle.length; i++) {
            middle[i] = (byte) ("ab\n\"{}".charAt(random.nextInt(6)));
        }
        byte[] event = new byte[prefix + middle.length + suffix];
        System.arraycopy(previous, 0, event, 0, prefix);
        System.arraycopy(middle, 0, event, prefix, middle.length);
        System.arraycopy(previous, previous.length - suffix, event, prefix + middle.length, suffix);
        return event;
    }
}
