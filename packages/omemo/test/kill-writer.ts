/**
 * Child process for json-file-store.test.ts: rewrites an OMEMO store file as
 * fast as it can (large session records, so each write takes a while) and
 * prints the number of completed writes, until the test kills it with SIGKILL.
 */
import { JsonFileOmemoStore } from "../src/json-file-store.js";

const path = process.argv[2] as string;
const store = await JsonFileOmemoStore.open(path);
const record = "x".repeat(200_000);
for (let i = 0; ; i++) {
  await store.storeSession({ jid: "peer@example.org", deviceId: (i % 50) + 1 }, `${record}${i}`);
  process.stdout.write(`${i}\n`);
}
