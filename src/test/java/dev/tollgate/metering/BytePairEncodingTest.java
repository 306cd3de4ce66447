package dev.tollgate.metering;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Tollgate's token counts against jtokkit's, a port of OpenAI's tiktoken, on the same vocabularies. */
class BytePairEncodingTest {

    private static final EncodingRegistry JTOKKIT = Encodings.newLazyEncodingRegistry();

    /** Characters that exercise every branch of the two patterns: cases, marks, digits, symbols, white space. */
    private static final String[] ALPHABET = {
        "a", "e", "t", "s", "Z", "Q", "I", "'", "'s", "'LL", "'Ve", "'d", " ", " ", "  ", "\t", "\n", "\r\n", "\u00a0",
        "\u2003", "\u3000", "0", "7", "42", "123456", ".", ",", "!", "?", "/", "//", "(", "}", "<|endoftext|>", "-",
        "_", "$", "€", "é", "ß", "Ω", "ж", "Ж", "ǅ", "\u0301", "\u05d0", "日本", "语", "한", "ー", "😀", "👍🏽", "🇫🇷",
        "١٢٣", "Ⅻ", "½", "ﬁ", "\u200b", "\u0000", "e\u0301", "McDonald's", "HTTPServer", "iPhone",
    };

    @Test
    void countsAsJtokkitOnTextsMadeOfEveryKindOfCharacter() {
        for (EncodingType type : List.of(EncodingType.O200K_BASE, EncodingType.CL100K_BASE)) {
            BytePairEncoding ours = ours(type);
            Encoding reference = JTOKKIT.getEncoding(type);
            for (String text : texts()) {
                assertThat(ours.count(text)).as("%s tokens of %s", type, text).isEqualTo(reference.countTokensOrdinary(text));
            }
        }
    }

    @Test
    void countsLongPiecesAsJtokkit() {
        Random random = new Random(7);
        byte[] blob = new byte[30_000];
        random.nextBytes(blob);
        List<String> texts = List.of(Base64.getEncoder().encodeToString(blob), "a".repeat(10_000),
                "=".repeat(5_000) + "\n", " ".repeat(4_000) + "x", "9".repeat(3_000), "😀".repeat(2_000),
                "Supercalifragilisticexpialidocious".repeat(200));
        for (EncodingType type : List.of(EncodingType.O200K_BASE, EncodingType.CL100K_BASE)) {
            BytePairEncoding ours = ours(type);
            for (String text : texts) {
                assertThat(ours.count(text)).as("%s tokens of %s…", type, text.substring(0, 20))
                        .isEqualTo(JTOKKIT.getEncoding(type).countTokensOrdinary(text));
            }
        }
    }

    @Test
    void countsALoneSurrogateAsTheReplacementUtf8WritesForIt() {
        // JSON may escape half a surrogate pair ("\ud83d"). Counted as Java's UTF-8 encoder writes it; not compared with
        // jtokkit, whose cl100k_base splitter counts it otherwise (and asserts on some such texts).
        BytePairEncoding o200k = BytePairEncoding.o200kBase();
        assertThat(o200k.count("smile \ud83d please")).isEqualTo(o200k.count("smile ? please"));
    }

    @Test
    void knownCounts() {
        BytePairEncoding o200k = BytePairEncoding.o200kBase();
        assertThat(o200k.count("")).isZero();
        assertThat(o200k.count("Hello, world!")).isEqualTo(4);
        assertThat(o200k.count("You are terse.")).isEqualTo(4);
    }

    private static BytePairEncoding ours(EncodingType type) {
        return type == EncodingType.O200K_BASE ? BytePairEncoding.o200kBase() : BytePairEncoding.cl100kBase();
    }

    /** Fixed samples, then 3,000 random strings of 1-60 pieces of the alphabet (one seed: the same every run). */
    private static List<String> texts() {
        List<String> texts = new ArrayList<>(List.of(
                "Chargeback per business unit, réparti par centre de coûts 📊",
                "def main():\n    print(\"hello\")  # comment\r\n\n\n    return 0\n",
                "I'm sure they'll say we've been THERE'S it's DON'T",
                "Prices: $1,234.56 / 1M tokens, 2026-12-07T10:19:42Z, 0x7f3a",
                "Συγκεντρωτική χρέωση ανά εφαρμογή — 按应用汇总的费用 — アプリごとの請求",
                "  leading and trailing  \t\n", "\n\n\n", "a\u00a0b\u2003c", "<|endoftext|> is only text here"));
        Random random = new Random(42);
        for (int i = 0; i < 3_000; i++) {
            StringBuilder text = new StringBuilder();
            int pieces = 1 + random.nextInt(60);
            for (int piece = 0; piece < pieces; piece++) {
                text.append(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            texts.add(text.toString());
        }
        return texts;
    }
}
