package dev.tollgate.pricing.retail;

import dev.tollgate.pricing.PriceRow;

import java.util.List;

/**
 * What one import read and made of it.
 *
 * @param pages    pages read, NextPageLink followed until it was null
 * @param items    items read over all pages
 * @param rows     one price row per (model, version, deployment type, region, start) with input and output prices,
 *                 source {@value RetailMeterMapper#SOURCE}
 * @param unmapped every item that did not end up in a row, with the reason
 */
public record RetailImportResult(int pages, int items, List<PriceRow> rows, List<UnmappedMeter> unmapped) {

    public RetailImportResult {
        rows = List.copyOf(rows);
        unmapped = List.copyOf(unmapped);
    }
}
