package dev.tollgate.metering;

import org.junit.jupiter.api.Test;
import org.postgresql.util.ByteConverter;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Our numeric encoding against pgjdbc's: the same bytes, and the same value read back, for every kind of decimal. */
class PgNumericTest {

    @Test
    void encodesEveryDecimalAsPgjdbcDoes() throws IOException {
        List<BigDecimal> values = new ArrayList<>(List.of(
                BigDecimal.ZERO, new BigDecimal("0.000000"), BigDecimal.ONE, new BigDecimal("-1"),
                new BigDecimal("10000"), new BigDecimal("100000000"), new BigDecimal("0.0001"),
                new BigDecimal("0.00000001"), new BigDecimal("0.0000000000000123"), new BigDecimal("12345.6789"),
                new BigDecimal("1.50"), new BigDecimal("-0.000275"), new BigDecimal("0.0000025000"),
                new BigDecimal("9999.9999"), new BigDecimal("4611686018427387903"),
                new BigDecimal("461168601842738790.3"), new BigDecimal("-4611686018427387903"),
                // past a long's reach: pgjdbc's own encoder
                new BigDecimal("4611686018427387904"), new BigDecimal("123456789012345678901234567890.123456789"),
                new BigDecimal("1E+3"), new BigDecimal("-2.5E+7")));
        Random random = new Random(15);
        for (int i = 0; i < 20_000; i++) {
            long unscaled = random.nextLong() >> random.nextInt(64);
            values.add(new BigDecimal(BigInteger.valueOf(unscaled), random.nextInt(25)));
        }
        for (BigDecimal value : values) {
            CopyBuffer out = new CopyBuffer(4);
            PgNumeric.put(out, value);
            byte[] written = out.contents().readAllBytes();
            byte[] expected = ByteConverter.numeric(value);
            assertThat(ByteConverter.int4(written, 0)).as("length of %s", value).isEqualTo(expected.length);
            assertThat(written).as("numeric %s", value).endsWith(expected).hasSize(4 + expected.length);
            assertThat(ByteConverter.numeric(written, 4, expected.length)).as("read back").isEqualTo(value.scale() < 0
                    ? value.setScale(0) : value);
        }
    }
}
