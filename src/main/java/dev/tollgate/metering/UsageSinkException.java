package dev.tollgate.metering;

/** A sink did not store a batch, and says whether writing the same batch again can ever succeed. */
public class UsageSinkException extends Exception {

    private final boolean refusedForGood;

    public UsageSinkException(Throwable cause, boolean refusedForGood) {
        super(cause.getMessage(), cause);
        this.refusedForGood = refusedForGood;
    }

    /** The sink refuses (some of) the records for their content: the same batch would fail every time. */
    public boolean refusedForGood() {
        return refusedForGood;
    }
}
