package dev.tollgate.finops.focus;

import java.util.List;

/**
 * What a charge source has for a period.
 *
 * @param rows           its charges
 * @param unpricedTokens tokens used in the period with no price in force: not charged (a FOCUS charge needs its unit
 *                       price), and said so rather than charged at zero
 */
public record Charges(List<FocusRow> rows, long unpricedTokens) {
}
