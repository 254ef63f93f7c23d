/**
 * Child process for native-curve.test.ts: prints how many
 * unhandledRejection/uncaughtException listeners the process has after
 * importing the raw library (`raw`) or loading it through libsignal.ts.
 */
const count = () =>
  process.listenerCount("unhandledRejection") + process.listenerCount("uncaughtException");
const before = count();
if (process.argv[2] === "raw") {
  const curve = await import("@privacyresearch/curve25519-typescript");
  await new curve.AsyncCurve25519Wrapper().keyPair(new ArrayBuffer(32));
} else {
  const { loadLibsignal } = await import("../src/libsignal.js");
  await loadLibsignal();
}
process.stdout.write(`${count() - before}\n`);
