package dev.tollgate.metering;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the tokens of a text as OpenAI's tiktoken does, special tokens read as plain text: the text is split into
 * pieces by the encoding's pattern, and each piece's UTF-8 bytes are merged pair by pair, the pair whose merged bytes
 * have the lowest rank first (the leftmost of equals), until no adjacent pair is a token. The pieces left are the
 * tokens.
 *
 * <p>The vocabularies are OpenAI's published files, as jtokkit ships them; {@code BytePairEncodingTest} checks the
 * counts against jtokkit's. Tollgate keeps its own table because jtokkit's keeps 26 MB of heap for o200k_base, 40 %
 * of a replica's old generation (see {@link TokenVocabulary}).
 */
final class BytePairEncoding {

    private static final String CONTRACTIONS = "(?i:'s|'t|'re|'ve|'m|'ll|'d)";
    private static final String UPPER = "[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]";
    private static final String LOWER = "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]";

    /** o200k_base's pieces: words with their case runs and contractions, up to three digits, symbols, spaces. */
    private static final String O200K_PIECES = String.join("|",
            "[^\\r\\n\\p{L}\\p{N}]?" + UPPER + "*" + LOWER + "+" + CONTRACTIONS + "?",
            "[^\\r\\n\\p{L}\\p{N}]?" + UPPER + "+" + LOWER + "*" + CONTRACTIONS + "?",
            "\\p{N}{1,3}",
            " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
            "\\s*[\\r\\n]+",
            "\\s+(?!\\S)",
            "\\s+");

    /** cl100k_base's pieces. */
    private static final String CL100K_PIECES = String.join("|",
            CONTRACTIONS,
            "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+",
            "\\p{N}{1,3}",
            " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*",
            "\\s*[\\r\\n]+",
            "\\s+(?!\\S)",
            "\\s+");

    private final Pattern pieces;
    private final TokenVocabulary vocabulary;

    private BytePairEncoding(String pieces, TokenVocabulary vocabulary) {
        // As tiktoken's regular expressions read them: \s is Unicode's white space, not only ASCII's.
        this.pieces = Pattern.compile(pieces, Pattern.UNICODE_CHARACTER_CLASS);
        this.vocabulary = vocabulary;
    }

    /** The gpt-4o, gpt-4.1, gpt-5 and o-series encoding. Loading it takes a few hundred milliseconds. */
    static BytePairEncoding o200kBase() {
        return new BytePairEncoding(O200K_PIECES, TokenVocabulary.load("/com/knuddels/jtokkit/o200k_base.tiktoken"));
    }

    /** The gpt-4, gpt-3.5 and embeddings models' encoding. */
    static BytePairEncoding cl100kBase() {
        return new BytePairEncoding(CL100K_PIECES, TokenVocabulary.load("/com/knuddels/jtokkit/cl100k_base.tiktoken"));
    }

    /** How many tokens the text is; CPU proportional to its length (callers run it off the event loop). */
    int count(String text) {
        Merges merges = new Merges();
        int tokens = 0;
        Matcher matcher = pieces.matcher(text);
        while (matcher.find()) {
            byte[] piece = matcher.group().getBytes(StandardCharsets.UTF_8);
            tokens += vocabulary.rank(piece, 0, piece.length) != TokenVocabulary.NONE ? 1 : merges.count(piece);
        }
        return tokens;
    }

    /**
     * The merging of one piece's bytes. The parts are a linked list over byte offsets (a part starts at an offset and
     * ends where the next begins), and the candidate merges a min-heap of {@code rank << 32 | offset}: the lowest
     * rank first, the leftmost of equal ranks. An entry whose part has gone or whose pair has changed since is skipped.
     * O(n log n) in the piece's length, so a long run of symbols (a base64 blob) is no quadratic trap. Its arrays are
     * reused from piece to piece of one text.
     */
    private final class Merges {

        private int[] next = new int[32];
        private int[] previous = new int[32];
        private int[] pairRank = new int[32];
        private long[] heap = new long[64];
        private int heapSize;

        int count(byte[] piece) {
            int length = piece.length;
            if (next.length < length + 1) {
                next = new int[length + 1];
                previous = new int[length + 1];
                pairRank = new int[length + 1];
            }
            heapSize = 0;
            for (int offset = 0; offset < length; offset++) {
                next[offset] = offset + 1;
                previous[offset] = offset - 1;
            }
            for (int offset = 0; offset + 1 < length; offset++) {
                rankPair(piece, offset);
            }
            int parts = length;
            while (heapSize > 0) {
                long candidate = pop();
                int offset = (int) candidate;
                if (next[offset] < 0 || pairRank[offset] != (int) (candidate >>> 32)) {
                    continue;
                }
                int gone = next[offset];
                next[offset] = next[gone];
                next[gone] = -1;
                if (next[offset] < length) {
                    previous[next[offset]] = offset;
                }
                parts--;
                rankPair(piece, offset);
                if (previous[offset] >= 0) {
                    rankPair(piece, previous[offset]);
                }
            }
            return parts;
        }

        /** Ranks the merge of the part at {@code offset} with the part after it, and offers it if it is a token. */
        private void rankPair(byte[] piece, int offset) {
            int second = next[offset];
            int rank = second < piece.length ? vocabulary.rank(piece, offset, next[second]) : TokenVocabulary.NONE;
            pairRank[offset] = rank;
            if (rank != TokenVocabulary.NONE) {
                push((long) rank << 32 | offset);
            }
        }

        private void push(long candidate) {
            if (heapSize == heap.length) {
                heap = Arrays.copyOf(heap, heapSize * 2);
            }
            int child = heapSize++;
            while (child > 0 && heap[(child - 1) >>> 1] > candidate) {
                heap[child] = heap[(child - 1) >>> 1];
                child = (child - 1) >>> 1;
            }
            heap[child] = candidate;
        }

        private long pop() {
            long top = heap[0];
            long last = heap[--heapSize];
            int parent = 0;
            for (int child = 1; child < heapSize; child = 2 * parent + 1) {
                if (child + 1 < heapSize && heap[child + 1] < heap[child]) {
                    child++;
                }
                if (heap[child] >= last) {
                    break;
                }
                heap[parent] = heap[child];
                parent = child;
            }
            heap[parent] = last;
            return top;
        }
    }
}
