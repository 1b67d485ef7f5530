// Exit codes of `npm run admin`, documented in its --help.
export const EXIT_OK = 0;
/** The command could not be done; nothing was written. */
export const EXIT_FAILED = 1;
/** Wrong usage: unknown verb or option, missing argument. */
export const EXIT_USAGE = 2;
/** Done, but some rows of the file were rejected (see the report). */
export const EXIT_SOME_REJECTED = 3;
