/** Counterpart of global-setup; services started for the run are stopped by .ci/run, not here. */
export default async function globalTeardown(): Promise<void> {}
