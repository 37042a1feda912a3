// The thresholds that turn numbers into words: the findings' verdicts and the reports' colour
// bands use the same ones, so a green row is one the findings call near native.

/** "Close to native": within this factor. */
export const NEAR_NATIVE = 1.3;
/** "Far slower": at least this factor between two configs (and the reports' red band). */
export const FAR_SLOWER = 3;
/** "Costly": at least this factor over native. */
export const COSTLY = 2;
/** "Removes most of it": nested paging removes at least this share of shadow paging's overhead. */
export const MOST = 0.5;
