package dev.tollgate.ledger;

/**
 * How a batch of usage records enters {@code usage_record}, in one transaction: {@code COPY} into a session-local
 * staging table, then one {@code insert … select} whose inserted rows, and only those, are added to the daily rollups
 * by the same statement. COPY is several times faster than batched inserts. A batch is new nearly always, so it is
 * first moved with a plain insert ({@link #INSERT_NEW}); only if that meets an id already there (a retried batch, or
 * a record replayed from the journal) does the writer roll it back to a savepoint and move the batch again with
 * {@link #INSERT_STAGED}, whose conflict clause skips the records already written: a retry is harmless, to the records
 * and to the rollups alike, while the usual batch does not pay a speculative insertion (a conflict check that
 * descends the primary key once more) per record.
 */
public final class RecordInsert {

    /** Creates the staging table, once per session; it empties at every commit. */
    public static final String CREATE_STAGING = "create temp table if not exists usage_record_staging "
            + "(like usage_record) on commit delete rows";
    /** Reads binary COPY rows of the {@link RecordColumn}s, in their order, into the staging table. */
    public static final String COPY = "copy usage_record_staging (" + RecordColumn.ALL + ") from stdin (format binary)";
    /** Moves the staged records into {@code usage_record}, and adds them to the daily rollups; fails if one is there. */
    public static final String INSERT_NEW = "with inserted as (insert into usage_record (" + RecordColumn.ALL
            + ") select " + RecordColumn.ALL + " from usage_record_staging returning " + DailyRollup.RECORD_COLUMNS
            + ") " + DailyRollup.upsert("inserted", 1);
    /** Moves the staged records that are new into {@code usage_record}, and adds those to the daily rollups. */
    public static final String INSERT_STAGED = "with inserted as (insert into usage_record (" + RecordColumn.ALL
            + ") select " + RecordColumn.ALL + " from usage_record_staging on conflict (id) do nothing returning "
            + DailyRollup.RECORD_COLUMNS + ") " + DailyRollup.upsert("inserted", 1);

    private RecordInsert() {
    }
}
