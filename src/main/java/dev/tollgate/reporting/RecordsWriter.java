package dev.tollgate.reporting;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Writes a page of usage records as it streams from the database: one class per format. */
interface RecordsWriter extends RecordsQuery.RowSink {

    /** Before the first record. */
    void start(RecordsQuery.Page page, String currency) throws IOException;

    /**
     * After the last record: ends the document and flushes it. Never called after a failure, so that a body cut short
     * cannot read as a complete page.
     */
    void finish() throws IOException;

    /** The names of a record's fields, in the order of its values. */
    static List<String> fieldNames() {
        List<String> names = new ArrayList<>(RecordField.ALL.stream().map(RecordField::name).toList());
        names.add(RecordField.APP_NAME);
        return names;
    }
}
