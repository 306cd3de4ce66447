package dev.tollgate.metering;

import org.postgresql.util.ByteConverter;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * PostgreSQL's binary form of a {@code numeric}: digit count, weight, sign and display scale (an int16 each), then the
 * digits in base 10,000, the first one multiplied by 10,000^weight. A cost's unscaled value fits a {@code long}, so
 * its digits are taken with long arithmetic; pgjdbc's encoder (which {@link #put} falls back on for longer values)
 * divides a BigInteger for each of them, the largest part of what the writer allocated per record.
 */
final class PgNumeric {

    private static final int POSITIVE = 0x0000;
    private static final int NEGATIVE = 0x4000;
    private static final long BASE = 10_000;
    private static final long[] TENS = {1, 10, 100, 1_000};

    private PgNumeric() {
    }

    /** The value's length and binary form. */
    static void put(CopyBuffer out, BigDecimal value) {
        int scale = value.scale();
        BigInteger unscaled = value.unscaledValue();
        int pad = (4 - scale % 4) % 4;
        if (scale < 0 || scale > Short.MAX_VALUE || unscaled.bitLength() > 62
                || Math.abs(unscaled.longValue()) > Long.MAX_VALUE / TENS[pad]) {
            byte[] encoded = ByteConverter.numeric(value);
            out.putInt(encoded.length);
            out.put(encoded);
            return;
        }
        // Fraction digits padded to whole base-10,000 digits, so that the digit groups line up with the point.
        long digits = Math.abs(unscaled.longValue()) * TENS[pad];
        int fractionGroups = (scale + pad) / 4;
        int groups = 0;
        for (long rest = digits; rest != 0; rest /= BASE) {
            groups++;
        }
        int trailingZeros = 0;
        while (digits != 0 && digits % BASE == 0) {
            digits /= BASE;
            trailingZeros++;
        }
        int count = groups - trailingZeros;
        out.putInt(8 + 2 * count);
        out.putShort(count);
        out.putShort(count == 0 ? -1 : groups - fractionGroups - 1); // zero: weight -1, as pgjdbc sends it
        out.putShort(value.signum() < 0 ? NEGATIVE : POSITIVE);
        out.putShort(scale);
        long divisor = 1;
        for (int i = 1; i < count; i++) {
            divisor *= BASE;
        }
        for (int i = 0; i < count; i++, divisor /= BASE) {
            out.putShort((int) (digits / divisor % BASE));
        }
    }
}
