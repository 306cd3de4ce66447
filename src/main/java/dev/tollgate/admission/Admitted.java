package dev.tollgate.admission;

/** The request may go; the ticket is settled exactly once when its usage record is made (any thread). */
public record Admitted(Ticket ticket) implements Decision {
}
