package dev.tollgate.admission;

/** What admission says about a request. */
public sealed interface Decision permits Admitted, Refused, Recount {
}
