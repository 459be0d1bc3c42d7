package io.tidegate.health;

/** One active check of one node, run on a probe thread. */
interface Probe {
    /** @return the outcome, or a status the rules judge; see {@link Result} */
    Result run(ProbeTarget target);

    /** Either an outcome already decided, or the status the node answered with. */
    record Result(Outcome outcome, int status) {
        static Result of(Outcome outcome) {
            return new Result(outcome, 0);
        }
    }
}
