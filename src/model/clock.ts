/**
 * The time, in epoch milliseconds. Everything that reads the time takes one, named `now`, and
 * uses `systemClock` unless told otherwise, so that tests can steer the time one way everywhere.
 */
export type Clock = () => number;

/** The host's clock: the only place the code reads the time of day. */
export const systemClock: Clock = () => Date.now();
