package dev.tollgate.seeding;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a seed file named in configuration (apps, prices, capacity, admission rules): a file path, or
 * {@code classpath:<resource>} for one shipped in the jar. The text must be UTF-8; the first byte that is not names its
 * line, since a spreadsheet's plain "CSV" export is not UTF-8 and would otherwise seed garbled names.
 */
public final class SeedFile {

    private static final String CLASSPATH = "classpath:";

    private SeedFile() {
    }

    /**
     * The file's text.
     *
     * @param location a path or {@code classpath:<resource>}
     * @param kind     what the file is, for messages ("App seed file")
     * @param setting  the configuration key that named it, for messages
     * @throws SeedFileException if the file is absent, unreadable or not UTF-8
     */
    public static String read(String location, String kind, String setting) {
        if (location.startsWith(CLASSPATH)) {
            String resource = location.substring(CLASSPATH.length()).replaceFirst("^/", "");
            try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new SeedFileException(kind + " " + location + " does not exist: no resource " + resource
                            + " on the classpath (" + setting + ").");
                }
                return utf8(location, kind, in.readAllBytes());
            } catch (IOException e) {
                throw new SeedFileException(kind + " " + location + " cannot be read: " + e, e);
            }
        }
        Path file = Path.of(location);
        try {
            return utf8(location, kind, Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new SeedFileException(kind + " " + location + " does not exist (" + setting + "; looked for "
                    + file.toAbsolutePath() + ").", e);
        } catch (IOException e) {
            throw new SeedFileException(kind + " " + location + " cannot be read: " + e, e);
        }
    }

    private static String utf8(String location, String kind, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder(); // reports malformed input, never replaces it
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new SeedFileException(kind + " " + location + ", line " + line + ": the file is not UTF-8. "
                    + "Save it as UTF-8 (in Excel: \"CSV UTF-8\").");
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
