/** Stops what global-setup started (by process group), leaving nothing behind. */
export default async function globalTeardown() {
  await Promise.all((globalThis.__stranglerServices ?? []).map((s) => s.stop()));
}
